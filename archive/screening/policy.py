"""The screening policy of a dataset: what to do with each kind of finding, and thresholds.

An entry's ``screening`` section, all keys optional::

    pii:          {email: redact, name: report, national_id: block, default: block}
    language:     {max_undeclared_share: 0.1, min_chars: 20, sample_chars: 400,
                   extra_candidates: [fo]}
    duplicates:   {exact: drop, near: report, near_threshold: 0.9, shingle_words: 5,
                   near_min_words: 20}        # near: off skips the MinHash index
    media:        {video_decode_frames: 10}
    max_findings: 10000
    fail_fast:    false

Actions on personal information: ``block`` (hold the release; the value is also
redacted in the records handed on), ``redact`` (replace the value with a typed
placeholder such as ``[EMAIL]``), ``drop`` (leave the record out) and ``report``
(count it and keep it). ``national_id`` sets every national id kind at once.
Broken or mislabelled media always block; media metadata is always stripped.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from ..errors import EntryError, Where
from .duplicates import MAX_SHINGLE_WORDS
from .ids import ID_KINDS
from .pii import PII_KINDS

PII_ACTIONS = ("block", "redact", "drop", "report")
DUPLICATE_ACTIONS = ("block", "drop", "report")
NEAR_ACTIONS = (*DUPLICATE_ACTIONS, "off")
"""``off`` skips near-duplicate search, and its index (about 2 KB per record)."""
PAST = {"block": "blocked", "redact": "redacted", "drop": "dropped", "report": "reported"}
"""The finding's ``action`` for each policy action."""

_SECTIONS = {"pii", "language", "duplicates", "media", "max_findings", "fail_fast"}

_NUMBERS: dict[str, dict[str, tuple[str, type, float, float]]] = {
    "/language": {
        "max_undeclared_share": ("max_undeclared_share", float, 0, 1),
        "min_chars": ("language_min_chars", int, 1, 10_000),
        "sample_chars": ("language_sample_chars", int, 50, 1_000_000),
    },
    "/duplicates": {
        "near_threshold": ("near_threshold", float, 0.5, 1),
        "shingle_words": ("shingle_words", int, 1, MAX_SHINGLE_WORDS),
        "near_min_words": ("near_min_words", int, 1, 1000),
    },
    "/media": {"video_decode_frames": ("video_decode_frames", int, 1, 10**9)},
    "": {"max_findings": ("max_findings", int, 0, 10**7)},
}
"""The numeric options, by section pointer (``""`` for the top level), in the order they
are checked: key -> (:class:`Policy` attribute, type, lowest, highest). Bounds are
inclusive; the default is the attribute's. An ``int`` option keeps the whole part of a
number; a ``float`` option keeps the number as written (``1`` stays ``1``)."""


def _fail(message: str, pointer: str, hint: str) -> EntryError:
    return EntryError(message, Where(pointer=f"/screening{pointer}"), hint=hint)


def _choice(value: Any, allowed: tuple[str, ...], pointer: str) -> str:
    if value not in allowed:
        raise _fail(f"unknown action {value!r}", pointer, f"use one of {', '.join(allowed)}")
    return str(value)


def _number(value: Any, pointer: str, low: float, high: float) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not low <= value <= high:
        raise _fail(f"{value!r} is not a number from {low} to {high}", pointer,
                    "fix the value in the entry's screening section")
    return value


def _numbers(section: dict[str, Any], pointer: str, options: dict[str, Any]) -> None:
    """Check the numeric options of one section (see ``_NUMBERS``) into ``options``."""
    for key, (attribute, kind, low, high) in _NUMBERS[pointer].items():
        if key in section:
            value = _number(section[key], f"{pointer}/{key}", low, high)
            options[attribute] = int(value) if kind is int else value


def _keys(section: dict[str, Any], allowed: set[str], pointer: str) -> None:
    if not isinstance(section, dict):
        raise _fail("must be a mapping", pointer, "see archive.screening.policy for the shape")
    unknown = sorted(set(section) - allowed)
    if unknown:
        raise _fail(f"unknown key {unknown[0]!r}", f"{pointer}/{unknown[0]}",
                    f"known keys: {', '.join(sorted(allowed))}")


@dataclass(frozen=True)
class Policy:
    """What screening does with each kind of finding; defaults block personal information."""

    pii: dict[str, str] = field(default_factory=dict)
    pii_default: str = "block"
    max_undeclared_share: float = 0.1
    language_min_chars: int = 20
    language_sample_chars: int = 200
    extra_languages: tuple[str, ...] = ()
    exact_duplicates: str = "drop"
    near_duplicates: str = "report"
    near_threshold: float = 0.9
    shingle_words: int = 5
    near_min_words: int = 20
    video_decode_frames: int = 10
    max_findings: int = 10_000
    fail_fast: bool = False

    def action(self, kind: str) -> str:
        """The policy action for a kind of personal information."""
        if kind in self.pii:
            return self.pii[kind]
        if kind in ID_KINDS and "national_id" in self.pii:
            return self.pii["national_id"]
        return self.pii_default

    def to_dict(self) -> dict[str, Any]:
        """The policy in full, JSON-safe, every kind's action spelled out."""
        data = asdict(self)
        data["pii"] = {kind: self.action(kind) for kind in PII_KINDS}
        data["extra_languages"] = list(self.extra_languages)
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any] | None) -> Policy:
        """Read an entry's ``screening`` section; ``None`` gives the defaults.

        Raises :class:`~archive.errors.EntryError` naming the bad key's pointer.
        """
        if data is None:
            return cls()
        _keys(data, _SECTIONS, "")
        options: dict[str, Any] = {}
        pii = data.get("pii", {})
        _keys(pii, {*PII_KINDS, "national_id", "default"}, "/pii")
        options["pii"] = {k: _choice(v, PII_ACTIONS, f"/pii/{k}") for k, v in pii.items()
                          if k != "default"}
        if "default" in pii:
            options["pii_default"] = _choice(pii["default"], PII_ACTIONS, "/pii/default")
        lang = data.get("language", {})
        _keys(lang, {*_NUMBERS["/language"], "extra_candidates"}, "/language")
        _numbers(lang, "/language", options)
        options["extra_languages"] = tuple(str(c) for c in lang.get("extra_candidates", ()))
        dup = data.get("duplicates", {})
        _keys(dup, {*_NUMBERS["/duplicates"], "exact", "near"}, "/duplicates")
        if "exact" in dup:
            options["exact_duplicates"] = _choice(dup["exact"], DUPLICATE_ACTIONS,
                                                  "/duplicates/exact")
        if "near" in dup:
            options["near_duplicates"] = _choice(dup["near"], NEAR_ACTIONS, "/duplicates/near")
        _numbers(dup, "/duplicates", options)
        media = data.get("media", {})
        _keys(media, set(_NUMBERS["/media"]), "/media")
        _numbers(media, "/media", options)
        _numbers(data, "", options)
        if "fail_fast" in data:
            if not isinstance(data["fail_fast"], bool):
                raise _fail("must be true or false", "/fail_fast", "write true or false")
            options["fail_fast"] = data["fail_fast"]
        return cls(**options)
