"""The fast paths of the text detector find exactly what the full patterns find.

:func:`~archive.screening.names.find_names` runs each name pattern only near a cue,
and the recognisers of numbers skip a text with too few digits for them. Here the
same text goes through the slow path too, every pattern over the whole text with no
gate (for numbers: over the same windows near digits as always), and both must give
the same spans: on the labelled set of the precision and recall test (whose figures
must not move), on the example essays, on one sentence per cue, and on random text
made of cue words, digits, ``@``, punctuation and names. A gate that misses a cue
fails these tests: ``test_each_cue_is_needed`` takes each cue out in turn and checks
that the cue sentences then tell the paths apart, a stretch cut at a character that a
patronymic holds is caught the same way, and each recogniser's digit count is checked
against values that Hypothesis draws from its pattern.
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from unittest import mock

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from archive.screening import ids, names, pii
from archive.screening.spans import Span, digit_count, settle, windows

from .samples import labelled_texts

DETECTOR = pii.TextDetector(["is", "en"])
LOCAL = settings(database=None, deadline=None, max_examples=300)
ESSAYS = Path(__file__).resolve().parents[2] / "examples/icelandic-english-essays/data/train.jsonl"

INTROS = names._INTRO.split("|")
TITLES = names._TITLES.split("|")
LABELS = names._LABELS.split("|")
SUFFIXES = names._SUFFIXES


@contextmanager
def ungated() -> Iterator[None]:
    """Every recogniser of numbers searches, however few digits the text holds."""
    many = mock.Mock(return_value=sys.maxsize)
    with mock.patch.object(ids, "digit_count", many), mock.patch.object(pii, "digit_count", many):
        yield


def slow_find(text: str, known_names: Sequence[str] = ()) -> list[Span]:
    """What :meth:`TextDetector.find` must return, with no gate anywhere."""
    spans = [Span(m.start(), m.end(), "email") for m in pii._EMAIL.finditer(text)]
    runs = [m.span() for m in re.finditer("[0-9]+", text)]
    with ungated():
        if len(text) <= 4 * pii.NUMERIC_MARGIN:
            spans += DETECTOR._numeric(text) if runs else []
        else:
            for a, b in windows(runs, len(text), pii.NUMERIC_MARGIN, pii.NUMERIC_MARGIN):
                spans += [Span(s.start + a, s.end + a, s.kind)
                          for s in DETECTOR._numeric(text[a:b])]
    spans += names.scan_names(text)
    if known_names:
        spans += names.find_known_names(text, known_names)
    return settle(spans, pii.PRIORITY)


def variants(word: str) -> list[str]:
    """A cue as written, capitalised, in capitals, and with letters that match others
    only when case is ignored (dotless and dotted i, long s, the Kelvin sign)."""
    odd = word.replace("i", "ı", 1).replace("s", "ſ", 1).replace("k", "\u212a", 1)
    return [word, word.capitalize(), word.upper(), odd, word.replace("i", "İ")]


LONG_NAME = "Aðalheiður Guðmundsdóttir Kristjánsdóttir Sigurbjörnsdóttir"


def cue_sentences() -> list[str]:
    """Short texts with each cue written in several ways, most with a name to find: far
    from the cue, next to another, at the end of a long name."""
    out = []
    for intro in INTROS:
        for v in variants(intro):
            out += [f"{v} Anna Jónsdóttir.", f"Hæ, {v}  Ann-Marie.", f"({v}\tÞóra Li’Na)",
                    f"{v}\n\t Ásta", f"{v}  \n Ása", f"{v}{' ' * 40}Anna", f"{v} {LONG_NAME}, já",
                    f"{v}\u00a0Anna", f"{v}\u2003\u3000\r\x0bAnna"]
        out.append(f"{intro.title()} Jónsson")  # "My Name Is Jónsson" is a patronymic too
    for title in TITLES:
        out += [f"Við hittum {title}. Watson í gær.", f"({title} Smith)", f"{title} Ólöf",
                f"hjá {title} Dr Ann Li", f"{title}. {LONG_NAME}", f"my name is {title}. Watson"]
    for label in LABELS:
        for v in variants(label):
            out += [f"{v}: Jón Jónsson\n", f"{v} = Guðrún", f"x; {v}:Anna", f"{v}  :  Li",
                    f"{v}{' ' * 40}: Anna", f"{v}: {LONG_NAME}", f"{v}\u2009\u00a0: Anna"]
    for suffix in SUFFIXES:
        out += [f"Viðtal við Jón Karl{suffix} um kvóta.", f"Anna Sigurðar{suffix}, Dr.",
                f"sagði Ólafur Ragnar{suffix}: já", f"Hún heitir Ásta Jóns{suffix}.",
                f"Jón Karl{suffix}, Ari Jón{suffix} og Bo Óla{suffix}.",
                f"Aðalheiðurkristbjörgólafía Guðmundínaþórhildur Sigurbjörnsmann{suffix}",
                f"Ann-Marie Jóns{suffix} og Jo'Ann Li’Na Karl{suffix}"]
    return out


def number_sentences() -> list[str]:
    """Short texts with the fewest digits that a finding needs, and long texts whose only
    number is written with one digit."""
    short = ["IP 10.0.0.1", "sími 555 1234", "Card 4222222222222", "kt. 120160-3389",
             "kt 1201603389", "NIE X1234567L", "SSN 536-90-4399", "SSN 536904399",
             "DNI 12345678Z", "hetu 131052-308T", "NINO AB 12 34 56 C", "RSSMRA85T10A562S",
             "IBAN GB82 WEST 1234 5698 7654 32", "PESEL 44051401359", "BSN 111222333",
             "CPR 211062-5629", "NIR 2 95 10 99 126 111 93", "Personnummer 880320-0016",
             "Personnummer 198803200016", "Fødselsnummer 15108695088"]
    essay = essays()[0]
    return short + [f"{essay[:2000]} Server IP {d}.{d}.{d}.{d} {essay[2000:]}" for d in range(10)]


def essays() -> list[str]:
    return [json.loads(line)["text"] for line in ESSAYS.read_text(encoding="utf-8").splitlines()]


def test_labelled_set_same_findings() -> None:
    """Fast and slow paths agree on text full of personal information (its precision
    and recall are asserted in test_quality)."""
    for doc in labelled_texts(seed=7, count=300):
        assert DETECTOR.find(doc.text) == slow_find(doc.text), doc.text


@pytest.mark.parametrize("text", [*essays(), *cue_sentences(), *number_sentences()],
                         ids=lambda t: t[:30])
def test_same_findings_on_essays_and_cue_sentences(text: str) -> None:
    assert DETECTOR.find(text) == slow_find(text)
    assert names.find_names(text) == names.scan_names(text)


def test_the_sentences_hold_findings() -> None:
    """The sentences are worth comparing on: most hold something to find."""
    sentences = cue_sentences()
    assert sum(bool(names.scan_names(s)) for s in sentences) > 0.9 * len(sentences)
    assert all(slow_find(s) for s in number_sentences())


@pytest.mark.parametrize(("kind", "words"), [
    ("intro", INTROS), ("title", TITLES), ("suffix", SUFFIXES), ("label", LABELS)])
def test_each_cue_is_needed(kind: str, words: Sequence[str]) -> None:
    """A gate without any one cue misses a name that the full patterns find."""
    sentences = cue_sentences()
    for word in words:
        if any(other != word and word.endswith(other) for other in words):
            continue  # "full name:" is cued by "name:" all the same
        kept = [w for w in words if w != word]
        cues = names.cue_pattern(kept if kind == "intro" else INTROS,
                                 kept if kind == "title" else TITLES,
                                 kept if kind == "suffix" else SUFFIXES)
        separators = names.separator_pattern(kept if kind == "label" else LABELS)
        with mock.patch.object(names, "_CUES", cues), \
                mock.patch.object(names, "_SEPARATORS", separators):
            missed = [s for s in sentences if names.find_names(s) != names.scan_names(s)]
        assert missed, f"the sentences need no {kind} cue {word!r}"


@pytest.mark.parametrize("stop", [r"[^\w:\-’ ]", r"[^\w:\-' ]", r"[^\w:'’ ]", r"[^\w:\-'’]"])
def test_a_stop_inside_a_patronymic_is_caught(stop: str) -> None:
    """Stretches cut at a character that a patronymic holds miss names."""
    with mock.patch.object(names, "_NEXT_STOP", re.compile(stop)), \
            mock.patch.object(names, "_LAST_STOP", re.compile(rf"(?s:.*){stop}")):
        assert any(names.find_names(s) != names.scan_names(s) for s in cue_sentences())


ODD = ["ı", "İ", "ſ", "\u212a", "ẞ", "ß", "\u00a0", "\t", "\n", "  ", "'", "’", "-", "–"]
WORDS = [*INTROS, *TITLES, *LABELS, *(s.capitalize() for s in INTROS + LABELS),
         *(t + "." for t in TITLES), "Jón", "Guðrún", "Anna", "Ann-Marie", "O'Neil", "Smith",
         "Ólafur", "Jónsson", "Helgadóttir", "Jónssyni", "Jónssonar", "Sigurðardóttur",
         "Olafsdottir", "Person", "person", "Reason", "son", "dóttir", "my", "name", "is", "call",
         "me", "heiti", "ég", "er", "the", "and", "Speaker", "Laugavegi", "Street"]
PUNCT = [".", ",", ":", "=", ";", "!", "?", "(", ")", '"', "@", "/", "+", "#", "§", "…"]
NUMBERS = ["12", "1944", "2004", "101", "555 1234", "+354 555 1234", "120160-3389", "0101302989",
           "078-05-1120", "4111 1111 1111 1111", "IS14 0159 2600 7654 5510 7303 39",
           "192.168.1.1", "fe80::1:2:3:4", "anna@hi.is", "j.s@example.co.uk", "kt.", "sími",
           "SSN", "CPR", "RSSMRA85T10A562S", "AB 12 34 56 C"]

tokens = st.one_of(st.sampled_from(WORDS), st.sampled_from(ODD), st.sampled_from(PUNCT),
                   st.sampled_from(NUMBERS), st.text(alphabet="aAÞð0 .:", max_size=3))
separators = st.sampled_from([" ", " ", " ", "", "\n", "  ", ", "])
texts = st.lists(st.tuples(tokens, separators), max_size=60).map(
    lambda parts: "".join(token + sep for token, sep in parts))


@LOCAL
@given(texts)
def test_names_fast_path_equals_full_patterns(text: str) -> None:
    assert names.find_names(text) == names.scan_names(text)


@LOCAL
@given(texts, st.lists(st.sampled_from(["Jón Jónsson", "Anna", "O'Neil"]), max_size=2))
def test_detector_fast_path_equals_slow_path(text: str, known: list[str]) -> None:
    assert DETECTOR.find(text, known) == slow_find(text, known)


@LOCAL
@given(st.sampled_from(essays()), st.floats(0, 1), texts)
def test_long_text_fast_path_equals_slow_path(essay: str, where: float, text: str) -> None:
    """Long texts, where the recognisers of numbers see only windows near digits."""
    cut = int(where * len(essay))
    long = essay[:cut] + text + essay[cut:]
    assert DETECTOR.find(long) == slow_find(long)


@pytest.mark.parametrize("rec", ids.ID_RECOGNISERS, ids=lambda r: r.kind)
@LOCAL
@given(data=st.data())
def test_an_id_holds_the_digits_its_gate_needs(rec: ids.Recogniser, data: st.DataObject) -> None:
    value = data.draw(st.from_regex(rec.pattern, fullmatch=True))
    assert digit_count(value) >= rec.digits


@LOCAL
@given(st.from_regex(ids._CARD, fullmatch=True), st.from_regex(pii._IPV4, fullmatch=True))
def test_cards_and_ips_hold_what_their_gates_need(card: str, ip: str) -> None:
    assert digit_count(card) >= 12
    assert ip.count(".") >= 3


@LOCAL
@given(st.lists(st.sampled_from(["0", "5", "55", "1234", " ", "-", "/", "(", ")", "+", "00",
                                 "+354 ", "sími ", "phone: ", "."]), max_size=12).map("".join))
def test_a_phone_needs_seven_digits(text: str) -> None:
    with ungated():
        found = DETECTOR.phones.find(text)
    assert found == DETECTOR.phones.find(text)
    if digit_count(text) < 7:
        assert found == []
