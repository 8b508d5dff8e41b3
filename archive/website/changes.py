"""What changed between two versions of a dataset, in words, for the release history."""

from __future__ import annotations

from .fmt import fmt_int
from .published import Version

MAX_FILES = 6


def _files(before: dict[str, str], after: dict[str, str]) -> list[str]:
    changed = sorted(p for p in after if p in before and before[p] != after[p])
    added = sorted(set(after) - set(before))
    removed = sorted(set(before) - set(after))
    out = []
    for label, paths in (("changed", changed), ("added", added), ("removed", removed)):
        if paths:
            shown = ", ".join(paths[:MAX_FILES]) + (" …" if len(paths) > MAX_FILES else "")
            out.append(f"{len(paths)} file(s) {label}: {shown}")
    return out


def changes(previous: Version | None, current: Version) -> list[str]:
    """Each difference from ``previous`` as one short sentence, most important first."""
    total = sum(current.records.values())
    if previous is None:
        splits = ", ".join(f"{s} {fmt_int(n)}" for s, n in current.records.items())
        return [f"First release: {fmt_int(total)} records ({splits})."]
    out = []
    for split in [*current.records, *(s for s in previous.records if s not in current.records)]:
        before, after = previous.records.get(split), current.records.get(split)
        if before is None:
            out.append(f"New split {split}: {fmt_int(after or 0)} records.")
        elif after is None:
            out.append(f"Split {split} removed ({fmt_int(before)} records).")
        elif before != after:
            out.append(f"{split}: {fmt_int(before)} → {fmt_int(after)} records "
                       f"({after - before:+,}).")
    added = sorted(set(current.languages) - set(previous.languages))
    dropped = sorted(set(previous.languages) - set(current.languages))
    if added:
        out.append(f"Languages added: {', '.join(added)}.")
    if dropped:
        out.append(f"Languages removed: {', '.join(dropped)}.")
    if current.license != previous.license:
        out.append(f"Licence: {previous.license} → {current.license}.")
    if current.title != previous.title:
        out.append("Title changed.")
    out.extend(f"{line}." for line in _files(previous.files, current.files))
    return out or ["Same data and metadata as the previous version."]
