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

Finding them fast: one regex scan for the capitals that follow an introduction
(``my name is Anna``), start a title (``Dr``) or end a patronymic (``Jónsson``), and a
plain substring search for ``:`` and ``=``. The patterns then run only there: a
title, an introduction or a label is tried where it would start (a phrase of known
length before the spaces in front of the cue), a patronymic over the stretch between
two punctuation marks that holds its cue. What is found is exactly what the patterns
find in the whole text (:func:`scan_names`, the slow path that the tests compare with).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from .spans import Span, positions

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
_SUFFIXES = ("son", "syni", "sonar", "dóttir", "dóttur", "dottir")
_PATRONYMIC = re.compile(
    rf"(?<![\w])(?:{_WORD} ){{1,2}}[{_UP}][{_LOW}]+?"
    rf"(?:{'|'.join('s?' + s for s in _SUFFIXES)})(?![\w])")

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


_PATTERNS = (_LABELLED, _INTRODUCED, _TITLED, _PATRONYMIC)


def _after(words: Sequence[str], then: str) -> str:
    """Lookbehinds, one per width, for any of ``words`` (any case) and then ``then``."""
    by_width: dict[int, list[str]] = {}
    for word in words:
        by_width.setdefault(len(word), []).append(re.escape(word))
    return "|".join(f"(?<=(?i:{'|'.join(group)}){then})" for group in by_width.values())


def cue_pattern(intros: Sequence[str], titles: Sequence[str], suffixes: Sequence[str]
                ) -> re.Pattern[str]:
    """A capital letter where a name may follow an introduction (after one to three
    spaces, or any four), a patronymic may end a word, or a title may begin, tried in
    that order; the match's ``lastgroup`` names the first that fits. Opening with a
    capital makes it one fast scan; the lookbehinds are tried only at capitals."""
    spaces = (r"\s", r"\s\s", r"\s\s\s")
    ends = "|".join(f"(?<={re.escape(s)})" for s in suffixes)
    kinds = {
        "intro": "|".join([*(rf"(?<=\w{s}.)(?:{_after(intros, s + '.')})" for s in spaces),
                           r"(?<=\s\s\s\s.)"]),
        "patronymic": rf"(?<=\w\s.)(?=[{_LOW}]++(?:{ends})(?!\w))",
        "title": rf"(?<=(?=(?:{'|'.join(titles)})\.? [{_UP}]).)",
    }
    return re.compile(rf"[{_UP}](?:{'|'.join(f'(?:{c})(?P<{k}>)' for k, c in kinds.items())})")


def separator_pattern(labels: Sequence[str]) -> re.Pattern[str]:
    """Matches at a ``:`` or ``=`` right after a label or after a space."""
    return re.compile(rf"(?:(?<=\s)|{_after(labels, '')})[:=]")


_CUES = cue_pattern(_INTRO.split("|"), _TITLES.split("|"), _SUFFIXES)
_SEPARATORS = separator_pattern(_LABELS.split("|"))
_INTRO_WIDTHS = sorted({len(intro) for intro in _INTRO.split("|")})
_LABEL_WIDTHS = sorted({len(label) for label in _LABELS.split("|")})


def find_names(text: str) -> list[Span]:
    """Names that follow a label, an introduction or a title, and Icelandic full names.

    The same as :func:`scan_names`, with each pattern tried only at its cues: a
    title where a capital begins one; an introduction or a label where one ends
    before the spaces in front of a capital (that :func:`cue_pattern` finds) or of
    a ``:`` or ``=``; a patronymic over the stretch around a capital that ends one.
    """
    cues = [(m.start(), m.lastgroup) for m in _CUES.finditer(text)]
    separators = sorted(i for sep in ":=" if sep in text for i in positions(text, sep)
                        if _SEPARATORS.match(text, i))
    # A capital found for an introduction may also begin a title or end a patronymic
    # ("my name is Dr. Who", "My Name Is Jónsson"); one found for a patronymic, a title.
    spans = _matches_at(_TITLED, text, [start for start, _ in cues])
    spans += _matches_at(_INTRODUCED, text, _starts(
        text, [start for start, kind in cues if kind == "intro"], _INTRO_WIDTHS))
    spans += _matches_at(_LABELLED, text, _starts(text, separators, _LABEL_WIDTHS))
    for a, b in runs(text, [start for start, kind in cues if kind != "title"]):
        spans += _scan(_PATRONYMIC, text, a, b)
    return sorted(set(spans))


def scan_names(text: str) -> list[Span]:
    """What :func:`find_names` finds, by running every pattern over the whole text (slow)."""
    return sorted({span for pattern in _PATTERNS for span in _scan(pattern, text, 0, len(text))})


def _scan(pattern: re.Pattern[str], text: str, start: int, end: int) -> list[Span]:
    group = 1 if pattern.groups else 0
    return [Span(m.start(group), m.end(group), "name")
            for m in pattern.finditer(text, start, end)]


def _matches_at(pattern: re.Pattern[str], text: str, starts: Sequence[int]) -> list[Span]:
    """The names that ``pattern.finditer(text)`` finds, given (ascending) every position
    where a match may start."""
    found: list[Span] = []
    end = 0
    for start in starts:
        if start >= end and (m := pattern.match(text, start)):
            found.append(Span(m.start(1), m.end(1), "name"))
            end = m.end()
    return found


def _starts(text: str, cues: Sequence[int], widths: Sequence[int]) -> list[int]:
    """Where a phrase of one of ``widths`` characters starts if it ends right before the
    whitespace in front of one of ``cues`` (each phrase character matches one character,
    whatever its case)."""
    starts = set()
    for cue in cues:
        end = cue
        while end > 0 and text[end - 1].isspace():
            end -= 1
        starts.update(end - width for width in widths if width <= end)
    return sorted(starts)


_STOP = r"[^\w:\-'’ ]"
"""What no match of :data:`_PATRONYMIC` holds, nor a word character or ``:``, so that a
name's lookahead at the end of a stretch sees what it would see in the whole text."""
_NEXT_STOP = re.compile(_STOP)
_LAST_STOP = re.compile(rf"(?s:.*){_STOP}")


def runs(text: str, hits: Sequence[int]) -> list[tuple[int, int]]:
    """The stretches of ``text`` between two :data:`_STOP` characters (or an end) that
    hold one of ``hits`` (ascending positions), each once.

    >>> runs("Well, Anna Jónsdóttir. Bye", [11])
    [(5, 21)]
    """
    found: list[tuple[int, int]] = []
    end = 0
    for hit in hits:
        if found and hit < end:
            continue
        last = _LAST_STOP.match(text, end, hit)
        stop = _NEXT_STOP.search(text, hit)
        end = stop.start() if stop else len(text)
        found.append((last.end() if last else 0, end))
    return found


def is_speaker_name(label: str) -> bool:
    """True when a speaker label looks like a personal name, not a role or a code.

    >>> [is_speaker_name(s) for s in ("Jón Jónsson", "Anna", "Speaker 2", "A", "Interviewer")]
    [True, True, False, False, False]
    """
    return looks_like_name(label) and not any(word.lower().rstrip(".") in _ROLES
                                              for word in label.split())


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
