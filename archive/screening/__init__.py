"""Screening: personal information, languages, duplicates, media and licence, before release.

>>> from archive.screening import Policy, Screener
>>> screener = Screener(dataset_id="x", record_type="text", declared_languages=["en"],
...                     policy=Policy.from_dict(None))

``screener.screen(record)`` returns the record as it may be published (redacted,
media metadata stripped) or ``None`` when dropped; ``screener.finish()`` returns
the :class:`ScreeningReport` or raises :class:`~archive.errors.ScreeningError`
when the release must be held.
"""

from __future__ import annotations

from .findings import Finding, mask
from .pii import TextDetector
from .policy import Policy
from .report import ScreeningReport
from .screener import Screener


def pii_in_text(text: str) -> list[tuple[str, str]]:
    """``(kind, masked excerpt)`` for each piece of personal information in ``text``.

    Used by the card check; the raw value never leaves this function.
    """
    return [(s.kind, mask(text[s.start:s.end], s.kind)) for s in TextDetector().find(text)]

__all__ = [
    "Finding",
    "Policy",
    "Screener",
    "ScreeningReport",
    "mask",
    "pii_in_text",
]
