"""Which language a record is in, with Lingua, compared with the declared languages.

Lingua runs offline from models shipped in its wheel. It is asked to choose among
the declared languages and the common ones of the partner countries (a closed set
is both faster and more accurate than all 75), and it sees a bounded sample of
each text: the first ``sample_chars`` characters. Texts with fewer than
``min_chars`` letters are *undetermined* and are not counted either way. Close
languages (Danish, Bokmål, Nynorsk, Swedish) are easily confused on short texts:
a text whose top language is undeclared still counts as declared when the
declared languages together have at least ``DECLARED_CONFIDENCE`` of Lingua's
confidence.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable

from lingua import IsoCode639_1, IsoCode639_3, Language, LanguageDetector, LanguageDetectorBuilder

COMMON_LANGUAGES = ("en", "is", "da", "nb", "nn", "sv", "fi", "de", "fr", "es", "pt", "nl",
                    "pl", "it", "et", "lt", "lv", "ru", "uk", "cy", "ga")
"""Languages always among the candidates, besides the declared ones."""

EQUIVALENT = {"no": {"no", "nb", "nn"}, "nb": {"nb", "no"}, "nn": {"nn", "no"}}
"""Declared tags that cover more than one detected language (Norwegian: Bokmål, Nynorsk)."""

DECLARED_CONFIDENCE = 0.25

_NON_LETTERS = re.compile(r"[\W\d_]+")


def primary(tag: str) -> str:
    """The primary language subtag of a BCP 47 tag, lower-cased (``nb-NO`` -> ``nb``)."""
    return tag.split("-")[0].split("_")[0].strip().lower()


def to_lingua(code: str) -> Language | None:
    """The Lingua language for an ISO 639-1 or 639-3 code, or ``None`` if Lingua lacks it."""
    try:
        if len(code) == 2:
            return Language.from_iso_code_639_1(IsoCode639_1.from_str(code))
        return Language.from_iso_code_639_3(IsoCode639_3.from_str(code))
    except ValueError:
        return None


@functools.lru_cache(maxsize=8)
def _detector(languages: frozenset[Language]) -> LanguageDetector:
    return LanguageDetectorBuilder.from_languages(*languages).build()


class LanguageIdentifier:
    """Identify a text's language among the declared and common languages."""

    def __init__(self, declared: Iterable[str], *, extra: Iterable[str] = (),
                 sample_chars: int = 400, min_chars: int = 20) -> None:
        self.declared = {c for tag in declared for c in EQUIVALENT.get(primary(tag),
                                                                        {primary(tag)})}
        self.unsupported = sorted(c for c in self.declared if c != "no" and not to_lingua(c))
        candidates = {to_lingua(c) for c in (*self.declared, *COMMON_LANGUAGES, *extra)}
        candidates.discard(None)
        self.detector = _detector(frozenset(c for c in candidates if c is not None))
        self._declared_lingua = [lang for c in self.declared if (lang := to_lingua(c))]
        self.sample_chars = sample_chars
        self.min_chars = min_chars

    def identify(self, text: str) -> tuple[str | None, bool]:
        """The ISO 639-1 code of ``text``'s language (``None`` when undetermined) and
        whether it counts as declared."""
        return self.identify_many([text])[0]

    def identify_many(self, texts: list[str]) -> list[tuple[str | None, bool]]:
        """:meth:`identify` for many texts at once, detected on all cores by Lingua."""
        samples = [t[:self.sample_chars] for t in texts]
        wanted = [i for i, s in enumerate(samples)
                  if len(_NON_LETTERS.sub("", s)) >= self.min_chars]
        found = (self.detector.detect_languages_in_parallel_of([samples[i] for i in wanted])
                 if len(wanted) > 1 else
                 [self.detector.detect_language_of(samples[i]) for i in wanted])
        results: list[tuple[str | None, bool]] = [(None, True)] * len(texts)
        for index, language in zip(wanted, found, strict=True):
            results[index] = self._verdict(samples[index], language)
        return results

    def _verdict(self, sample: str, language: Language | None) -> tuple[str | None, bool]:
        if language is None:
            return None, True
        code = language.iso_code_639_1.name.lower()
        if code in self.declared or not self.declared:
            return code, code in self.declared
        confidence = sum(self.detector.compute_language_confidence(sample, lang)
                         for lang in self._declared_lingua)
        return code, confidence >= DECLARED_CONFIDENCE
