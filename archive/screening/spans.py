"""Spans of text that a detector found, and how overlapping spans are settled."""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable
from typing import NamedTuple


class Span(NamedTuple):
    """A detected value: ``text[start:end]`` is of ``kind``."""

    start: int
    end: int
    kind: str


def context_before(text: str, start: int, width: int) -> str:
    """The ``width`` characters before ``start``, lower-cased, for keyword checks."""
    return text[max(0, start - width):start].lower()


def context_after(text: str, end: int, width: int) -> str:
    """The ``width`` characters after ``end``, lower-cased."""
    return text[end:end + width].lower()


def settle(spans: list[Span], priority: dict[str, int]) -> list[Span]:
    """Keep non-overlapping spans: on overlap the kind of higher priority (lower number),
    then the longer span, wins. Returns the kept spans in text order.

    >>> settle([Span(0, 10, "phone"), Span(0, 11, "kennitala")], {"kennitala": 0, "phone": 5})
    [Span(start=0, end=11, kind='kennitala')]
    """
    ranked = sorted(spans, key=lambda s: (priority.get(s.kind, 99), s.start - s.end, s.start))
    kept: list[Span] = []  # sorted by start, never overlapping
    for span in ranked:
        i = bisect.bisect_left(kept, span)
        if i > 0 and kept[i - 1].end > span.start:
            continue
        if i < len(kept) and kept[i].start < span.end:
            continue
        kept.insert(i, span)
    return kept


def keywords(words: Iterable[str], anywhere: Iterable[str] = ()) -> re.Pattern[str]:
    """A pattern for keywords that start a word (``tel`` finds ``Tel.`` and ``telephone``
    but not ``hotel``), and for stems found anywhere (``sím`` in ``farsíminn``).

    >>> bool(keywords(["cell"]).search("it was cancelled"))
    False
    """
    start = "|".join(re.escape(w) for w in words)
    inside = "|".join(re.escape(w) for w in anywhere)
    parts = [f"(?<![^\\W\\d_])(?:{start})"] if start else []
    parts += [f"(?:{inside})"] if inside else []
    return re.compile("|".join(parts), re.IGNORECASE)


def last_keyword(pattern: re.Pattern[str], window: str) -> int:
    """Where the last keyword in ``window`` ends, or -1."""
    end = -1
    for m in pattern.finditer(window):
        end = m.end()
    return end


def windows(hits: Iterable[tuple[int, int]], size: int, before: int,
            after: int) -> list[tuple[int, int]]:
    """Merged ranges of ``text`` around ``hits`` (``before``/``after`` characters of
    margin), clipped to ``size``: where a detector needs to look at all."""
    merged: list[list[int]] = []
    for start, end in sorted(hits):
        a, b = max(0, start - before), min(size, end + after)
        if merged and a <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], b)
        else:
            merged.append([a, b])
    return [(a, b) for a, b in merged]


def digit_count(text: str) -> int:
    """How many ASCII digits ``text`` holds: recognisers of numbers skip a text with
    fewer than they need. (No byte of a longer character in UTF-8 is a digit.)

    >>> digit_count("Árið 1944, ekki ½ eða ٣")
    4
    """
    data = text.encode("utf-8", "surrogatepass")
    return len(data) - len(data.translate(None, b"0123456789"))


def positions(text: str, char: str) -> list[int]:
    """Where ``char`` occurs in ``text``, by plain substring search (a regex scans a
    long text many times slower)."""
    found, i = [], text.find(char)
    while i >= 0:
        found.append(i)
        i = text.find(char, i + 1)
    return found
