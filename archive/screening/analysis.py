"""What screening learns about one record on its own, apart from the dataset's state.

An :class:`Analysis` holds the costly, per-record results (personal-information spans,
language, duplicate keys, media decode and stripped bytes). It depends only on the
record and the screening configuration, and pickles, so worker processes can make it
while the :class:`~archive.screening.screener.Screener` applies the policy in order.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np

from ..records import Record
from ..streamed import MediaBytes
from .duplicates import digest_bytes, text_keys
from .fields import TextField, main_text, text_fields
from .language import LanguageIdentifier, primary
from .media import MediaProblem, check_media, sniff
from .metadata import Stripped, strip_metadata
from .names import NAME_KEYS, is_speaker_name, looks_like_name
from .pii import TextDetector
from .policy import Policy
from .spans import Span

NEAR_DUPLICATE_TYPES = {"text", "conversation"}
"""Record types whose texts are compared for near duplicates (captions and read-speech
transcripts repeat by design)."""


@dataclass
class MediaCheck:
    """One media file: why it is rejected, or its bytes with metadata stripped."""

    problem: MediaProblem | None = None
    stripped: Stripped | None = None
    strip_error: str | None = None


@dataclass
class TextSpans:
    """One text field: its pointer, its NFC text and the personal information in it."""

    pointer: str
    text: str
    spans: list[Span]


@dataclass
class Analysis:
    """Everything screening needs to know about one record, computed on its own."""

    digest: bytes | None
    minhash: np.ndarray | None
    language: tuple[str | None, bool]
    texts: list[TextSpans] = field(default_factory=list)
    media: dict[str, MediaCheck] = field(default_factory=dict)

    def __reduce__(self) -> tuple[Any, tuple[Any, ...]]:
        """Pickles as a call with its fields, the MinHash row as bytes (a NumPy array
        pickles at 20 times the cost)."""
        row = None if self.minhash is None else self.minhash.tobytes()
        return _analysis, (self.digest, row, self.language, self.texts, self.media)


def _analysis(digest: bytes | None, row: bytes | None, language: tuple[str | None, bool],
              texts: list[TextSpans], media: dict[str, MediaCheck]) -> Analysis:
    minhash = None if row is None else np.frombuffer(row, np.uint32)
    return Analysis(digest, minhash, language, texts, media)


def _is_name_field(f: TextField) -> bool:
    return ((f.key == "speaker" and not f.in_metadata and is_speaker_name(f.value))
            or (f.in_metadata and f.key.lower() in NAME_KEYS and looks_like_name(f.value)))


class Analyser:
    """Makes :class:`Analysis` for records of one dataset."""

    def __init__(self, record_type: str, declared_languages: Sequence[str],
                 policy: Policy, scratch: Path | None = None) -> None:
        self.record_type, self.policy, self.scratch = record_type, policy, scratch
        self.languages = LanguageIdentifier(
            declared_languages, extra=policy.extra_languages,
            sample_chars=policy.language_sample_chars, min_chars=policy.language_min_chars)
        self.detector = TextDetector([primary(t) for t in declared_languages])
        self.near = (record_type in NEAR_DUPLICATE_TYPES and policy.near_duplicates != "off")


    def analyse(self, records: Sequence[Record]) -> list[Analysis]:
        """The analysis of each record, in order; languages are found for all at once."""
        texts = [main_text(r, self.record_type) for r in records]
        languages = self.languages.identify_many(texts)
        digests, minimums = text_keys(texts, shingle_words=self.policy.shingle_words,
                                      min_words=self.policy.near_min_words, near=self.near)
        return [self._one(*each) for each in zip(records, texts, languages, digests, minimums,
                                                 strict=True)]

    def _one(self, record: Record, text: str, language: tuple[str | None, bool],
             digest: bytes | None, minimums: np.ndarray | None) -> Analysis:
        if record.media:
            content: bytes | None = digest_bytes(record.media[k].data
                                                 for k in sorted(record.media))
        else:
            content = digest if text else None
        return Analysis(content, minimums, language if text else (None, True),
                        self._texts(record),
                        {name: self._media(item.data, item.ext)
                         for name, item in record.media.items()})

    def _texts(self, record: Record) -> list[TextSpans]:
        # Detectors expect composed letters (NFC); positions refer to the NFC text.
        fields = [f if unicodedata.is_normalized("NFC", f.value)
                  else replace(f, value=unicodedata.normalize("NFC", f.value))
                  for f in text_fields(record)]
        names = [_is_name_field(f) for f in fields]
        known = [f.value.strip() for f, name in zip(fields, names, strict=True) if name]
        return [TextSpans(f.pointer, f.value, [Span(0, len(f.value), "name")] if name
                          else self.detector.find(f.value, known))
                for f, name in zip(fields, names, strict=True)]

    def _media(self, data: MediaBytes, ext: str) -> MediaCheck:
        problem = check_media(data, ext, video_decode_frames=self.policy.video_decode_frames)
        if problem is not None:
            return MediaCheck(problem=problem)
        try:
            return MediaCheck(stripped=strip_metadata(data, sniff(data) or "", ext,
                                                      self.scratch))
        except Exception as error:  # unstrippable metadata must not be published
            return MediaCheck(strip_error=type(error).__name__)
