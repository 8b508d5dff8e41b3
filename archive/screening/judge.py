"""What the policy makes of one record on its own: findings, redactions, stripped media.

A :class:`Judgement` depends only on the record, its
:class:`~archive.screening.analysis.Analysis` and the policy, so worker processes make
it; the :class:`~archive.screening.screener.Screener` then counts it, in order, with
what depends on the records before (duplicates).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..records import Media, Record
from .analysis import Analysis
from .fields import with_values
from .findings import mask, placeholder
from .policy import PAST, Policy
from .spans import Span

Found = tuple[str, str, str, str, Span | None]
"""One finding before it is counted: field pointer, kind, masked excerpt, action, span."""


@dataclass
class Judgement:
    """One record as it may be published, and what was found in it, in order."""

    record: Record | None  # as published; None once handed back by a worker process
    findings: list[Found] = field(default_factory=list)
    media_checked: int = 0
    media_broken: int = 0
    stripped: list[list[str]] = field(default_factory=list)  # tag names, per stripped file
    drop_kind: str | None = None  # the first kind whose policy drops the record
    redacted: bool = False


def judge(record: Record, analysis: Analysis, policy: Policy) -> Judgement:
    """Apply ``policy`` to what ``analysis`` found in ``record``."""
    out = Judgement(record)
    media = _media(record, analysis, out)
    replacements = _texts(analysis, policy, out)
    published = with_values(record, replacements) if replacements else record
    out.redacted = bool(replacements)
    if any(media[name] is not record.media[name] for name in media):
        published = Record(key=published.key, split=published.split, fields=published.fields,
                           origin=published.origin, media=media)
    out.record = published
    return out


def _media(record: Record, analysis: Analysis, out: Judgement) -> dict[str, Media]:
    media = dict(record.media)
    for name, item in record.media.items():
        pointer, check = f"/{name}", analysis.media[name]
        out.media_checked += 1
        if check.problem is not None:
            out.media_broken += 1
            out.findings.append((pointer, check.problem.kind, check.problem.reason, "blocked",
                                 None))
            continue
        if check.stripped is None:
            out.findings.append((pointer, "media_metadata",
                                 f"metadata could not be stripped ({check.strip_error})",
                                 "blocked", None))
            continue
        if check.stripped.removed:
            out.stripped.append(check.stripped.removed)
            media[name] = Media(data=check.stripped.data, ext=item.ext, name=item.name)
        if check.stripped.gps:
            out.findings.append((pointer, "gps", "GPS position in the file's metadata",
                                 "stripped", None))
    return media


def _texts(analysis: Analysis, policy: Policy, out: Judgement) -> dict[str, str]:
    """The redacted values by pointer; notes the kind that drops the record, if any."""
    replacements: dict[str, str] = {}
    for text_field in analysis.texts:
        text, pieces, last = text_field.text, [], 0
        for span in text_field.spans:
            action = policy.action(span.kind)
            out.findings.append((text_field.pointer, span.kind,
                                 mask(text[span.start:span.end], span.kind), PAST[action], span))
            if action in ("redact", "block"):
                pieces += [text[last:span.start], placeholder(span.kind)]
                last = span.end
            elif action == "drop" and out.drop_kind is None:
                out.drop_kind = span.kind
        if pieces:
            replacements[text_field.pointer] = "".join(pieces) + text[last:]
    return replacements
