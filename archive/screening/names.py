"""Personal names, where a pattern can tell them offline without a language model.

Found: a name after a label or an introduction (``Name: Jane Doe``, ``Nafn: Jón``,
``my name is …``, ``ég heiti …``, ``jag heter …``); a name after a title
(``Dr. Smith``); an Icelandic full name with a patronymic or matronymic
(``Guðrún Helgadóttir``, ``Jóni Jónssyni``), public figures included; a speaker
label that is a name rather than a role or a code (``Jón Jónsson`` but not
``Speaker 2``, ``Interviewer`` or ``A``), and that name again in the record's
turns; a metadata value under a key such as ``author`` or ``speaker``.
Not found: names in running text without such a cue (``then Anna left``), and
names written in lower case. Finding those needs a named-entity model, which
cannot be installed here.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from .spans import Span, literal_hits, windows

_UP = "A-ZÁÉÍÓÚÝÞÆÖÐÄÅØÜÉÈÇÑ"
_LOW = "a-záéíóúýþæöðäåøüßéèçñëï"
_WORD = rf"[{_UP}][{_LOW}]+(?:[-'’][{_UP}]?[{_LOW}]+)?(?![\w:])"
_NAME = rf"{_WORD}(?: {_WORD}){{0,3}}"

_LABELS = (r"name|full name|nafn|fullt nafn|navn|namn|nimi|nom|nombre|naam|imię|"
           r"author|höfundur|forfatter|författare|contact|tengiliður|kontakt")
_INTRO = (r"my name is|i am called|ég heiti|heiti ég|nafn mitt er|jeg hedder|jeg heter|"
          r"jag heter|ich heiße|ich heisse|mein name ist|je m'appelle|je m’appelle|me llamo|"
          r"mi nombre es|mitt navn er|mitt namn är|minun nimeni on|nazywam się|mijn naam is|"
          r"i'm called|they call me")
_TITLES = r"Mr|Mrs|Ms|Miss|Dr|Prof|Herr|Frau|Fru|Hr|Mme|Mlle|Sr|Sra|Séra|Frú"

_LABELLED = re.compile(rf"(?<![\w])(?i:{_LABELS})\s*[:=]\s*({_NAME})")
_INTRODUCED = re.compile(rf"(?<![\w])(?i:{_INTRO})\s+({_NAME})")
_TITLED = re.compile(rf"(?<![\w])(?:{_TITLES})\.? ({_NAME})")
_PATRONYMIC = re.compile(
    rf"(?<![\w])(?:{_WORD} ){{1,2}}[{_UP}][{_LOW}]+?"
    rf"(?:s?son|s?syni|s?sonar|s?dóttir|s?dóttur|s?dottir)(?![\w])")

_ROLES = {
    "speaker", "spk", "spkr", "talker", "person", "participant", "interviewer", "interviewee",
    "respondent", "host", "guest", "moderator", "narrator", "teacher", "student", "pupil",
    "doctor", "patient", "nurse", "caller", "agent", "customer", "client", "operator", "child",
    "parent", "mother", "father", "man", "woman", "male", "female", "unknown", "other", "all",
    "audience", "voice", "reader", "presenter", "reporter", "anchor", "chair", "chairman",
    "member", "judge", "lawyer", "witness", "user", "assistant", "system", "bot", "ai",
    "informant", "researcher", "subject", "crowd", "announcer", "translator", "interpreter",
    "spyrill", "spyrjandi", "viðmælandi", "þátttakandi", "kennari", "nemandi", "læknir",
    "sjúklingur", "kona", "karl", "barn", "stjórnandi", "gestur", "þulur", "lesari",
    "fréttamaður", "óþekktur", "óþekkt", "ræðumaður", "forseti", "þingmaður", "ráðherra",
    "intervjuer", "deltaker", "deltager", "deltagare", "lærer", "lærar", "lärare", "elev",
    "læge", "lege", "läkare", "haastattelija", "haastateltava", "opettaja", "sprecher",
    "sprecherin", "moderatorin", "lehrer", "arzt", "interviewerin", "locuteur", "enquêteur",
    # occupations and roles common in transcribed field recordings
    "fisher", "fisherman", "fisherwoman", "sjómaður", "guide", "leiðsögumaður", "visitor",
    "librarian", "bókavörður", "staff", "master", "maker", "vendor", "seller", "buyer",
    "keeper", "passenger", "farþegi", "deckhand", "crew", "captain", "skipper", "skipstjóri",
    "volunteer", "coordinator", "worker", "farmer", "bóndi", "driver", "pilot", "guard",
    "officer", "clerk", "manager", "employee", "resident", "tourist", "local", "neighbour",
    "neighbor", "friend", "expert", "shopkeeper", "baker", "cook", "chef", "waiter", "musician",
    "artist", "curator", "ranger", "warden", "engineer", "mechanic", "caretaker",
    "former", "senior", "junior", "young", "old", "elder", "first", "second", "third",
}
_CODE = re.compile(r"^(?:[A-Z]{1,3}|[a-z]|[^\W\d_]{0,16}[ _.-]?#?[0-9]+[A-Za-z]?)$")
_SPEAKER_NAME = re.compile(rf"^{_WORD}(?: {_WORD}){{0,3}}$")

NAME_KEYS = {
    "author", "authors", "name", "full_name", "fullname", "first_name", "last_name", "surname",
    "speaker", "speaker_name", "interviewer", "interviewee", "contact", "contact_name", "owner",
    "creator", "photographer", "artist", "participant", "respondent", "narrator", "reader",
    "höfundur", "nafn", "ljósmyndari", "forfatter", "författare", "navn", "namn", "nimi",
}
"""Metadata keys whose string values are taken as personal names when they look like one."""


_TRIGGERS: tuple[tuple[re.Pattern[str], tuple[str, ...], bool, int, int], ...] = (
    # pattern, literal triggers, on lower-cased text, margin before, margin after
    (_LABELLED, (":", "="), False, 30, 120),
    (_INTRODUCED, ("name", "heiti", "heter", "hedder", "heiße", "heisse", "appelle",
                   "llamo", "nombre", "navn", "namn", "nimeni", "nazywam", "naam", "called",
                   "call me"), True, 30, 120),
    (_TITLED, ("Mr", "Ms", "Miss", "Dr", "Prof", "Herr", "Frau", "Fru", "Hr", "Mme", "Mlle",
               "Sr", "Séra", "Frú"), False, 2, 120),
    (_PATRONYMIC, ("son", "syni", "dótt", "dott"), False, 90, 12),
)


def find_names(text: str) -> list[Span]:
    """Names that follow a label, an introduction or a title, and Icelandic full names.

    Each pattern runs only near its literal cue (a colon, ``heiti``, ``Dr``,
    ``-son``), found by plain substring search, so prose without cues costs little.
    """
    spans = set()
    lower = None
    for pattern, needles, folded, before, after in _TRIGGERS:
        if folded:
            lower = lower if lower is not None else text.lower()
        hits = literal_hits(lower if folded and lower is not None else text, needles)
        for a, b in windows(hits, len(text), before, after):
            for m in pattern.finditer(text, a, b):
                group = 1 if pattern.groups else 0
                spans.add(Span(m.start(group), m.end(group), "name"))
    return sorted(spans)


def is_speaker_name(label: str) -> bool:
    """True when a speaker label looks like a personal name, not a role or a code.

    >>> [is_speaker_name(s) for s in ("Jón Jónsson", "Anna", "Speaker 2", "A", "Interviewer")]
    [True, True, False, False, False]
    """
    label = label.strip()
    if _CODE.match(label) or not _SPEAKER_NAME.match(label):
        return False
    return not any(word.lower().rstrip(".") in _ROLES for word in label.split())


def looks_like_name(value: str) -> bool:
    """True when a metadata value is one to four capitalised words (``Jane Doe``)."""
    return bool(_SPEAKER_NAME.match(value.strip())) and not _CODE.match(value.strip())


_INFLECTIONS = "(?:s|i|a|u|ar|ur|ir|ins|inn|num|ns|'s|’s)?"


def find_known_names(text: str, names: Sequence[str]) -> list[Span]:
    """Where the words of ``names`` (found elsewhere in the record) occur in ``text``,
    with Icelandic and English case endings (``Jón`` also finds ``Jóns``, ``Jóni``)."""
    words = sorted({w for name in names for w in name.split() if len(w) >= 3}, key=len,
                   reverse=True)
    if not words:
        return []
    pattern = re.compile(rf"(?<![\w])(?:{'|'.join(map(re.escape, words))}){_INFLECTIONS}"
                         rf"(?![\w])")
    return [Span(m.start(), m.end(), "name") for m in pattern.finditer(text)]
