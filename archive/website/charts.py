"""Charts as inline SVG drawn at build time: they need no JavaScript and no CDN.

Each chart is a ``<figure>`` whose SVG has ``role="img"``, a title and a description
for screen readers, followed by the same numbers as a table in a ``<details>``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from .fmt import esc, fmt_int

WIDTH = 480
BAR_FILL = "#3949ab"
"""Indigo 600: a contrast ratio of 7.9 against white."""


@dataclass(frozen=True)
class Histogram:
    """Counts of values in equal-width bins ``[edges[i], edges[i+1])``."""

    edges: list[float]
    counts: list[int]
    unit: str

    @property
    def total(self) -> int:
        return sum(self.counts)


def nice_step(span: float, bins: int = 10) -> float:
    """The smallest of 1, 2, 2.5, 5 x 10^k that cuts ``span`` into at most ``bins`` bins."""
    if span <= 0:
        return 1.0
    raw = span / bins
    power = 10 ** math.floor(math.log10(raw))
    return next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= raw)


def histogram(values: Sequence[float], unit: str, bins: int = 10) -> Histogram:
    """Bin values into at most about ``bins`` bins of a round width."""
    if not values:
        return Histogram([0.0, 1.0], [0], unit)
    low, high = min(values), max(values)
    step = nice_step(high - low, bins) if high > low else nice_step(high or 1.0, 1)
    start = math.floor(low / step) * step
    count = int((high - start) // step) + 1
    counts = [0] * count
    for value in values:
        counts[min(count - 1, int((value - start) // step))] += 1
    edges = [float(round(start + i * step, 6)) for i in range(count + 1)]
    return Histogram(edges, counts, unit)


def _num(value: float) -> str:
    return fmt_int(int(value)) if float(value).is_integer() else f"{value:,.2f}".rstrip("0")


def _table(caption: str, header: tuple[str, str], rows: list[tuple[str, str]]) -> str:
    body = "".join(f"<tr><td>{esc(a)}</td><td>{esc(b)}</td></tr>" for a, b in rows)
    return (f'<details class="chart-data"><summary>{esc(caption)} as a table</summary>'
            f'<table><thead><tr><th scope="col">{esc(header[0])}</th>'
            f'<th scope="col">{esc(header[1])}</th></tr></thead>'
            f"<tbody>{body}</tbody></table></details>")


def _figure(key: str, title: str, description: str, svg_body: str, height: int,
            table: str) -> str:
    return (f'<figure class="chart" id="chart-{key}"><figcaption>{esc(title)}</figcaption>'
            f'<svg class="chart-svg" viewBox="0 0 {WIDTH} {height}" role="img" '
            f'aria-labelledby="chart-{key}-title chart-{key}-desc" '
            f'xmlns="http://www.w3.org/2000/svg">'
            f'<title id="chart-{key}-title">{esc(title)}</title>'
            f'<desc id="chart-{key}-desc">{esc(description)}</desc>{svg_body}</svg>'
            f"{table}</figure>")


def bar_chart(key: str, title: str, bars: list[tuple[str, float]], *,
              header: tuple[str, str], texts: list[str] | None = None) -> str:
    """Horizontal bars, one per category, each with its value (or ``texts``) after it."""
    row, top, left, right = 30, 8, 150, 110
    height = top * 2 + row * max(1, len(bars))
    peak = max((v for _, v in bars), default=0) or 1
    texts = texts or [_num(v) for _, v in bars]
    parts = []
    for i, ((name, value), text) in enumerate(zip(bars, texts, strict=True)):
        y = top + i * row
        width = (WIDTH - left - right) * value / peak
        parts.append(
            f'<text x="{left - 8}" y="{y + 20}" text-anchor="end" class="chart-label" '
            f'fill="currentColor">{esc(_clip(name, 18))}</text>'
            f'<rect x="{left}" y="{y + 5}" width="{width:.1f}" height="{row - 10}" '
            f'class="chart-bar" fill="{BAR_FILL}"/>'
            f'<text x="{left + width + 6:.1f}" y="{y + 20}" class="chart-value" '
            f'fill="currentColor">{esc(text)}</text>')
    description = "; ".join(f"{name}: {text}" for (name, _), text in zip(bars, texts,
                                                                         strict=True))
    table = _table(title, header, [(name, text) for (name, _), text in zip(bars, texts,
                                                                            strict=True)])
    return _figure(key, title, description, "".join(parts), height, table)


def histogram_chart(key: str, title: str, hist: Histogram) -> str:
    """Vertical columns over round bin edges, with the count above each column."""
    height, top, bottom, left, right = 240, 24, 44, 16, 16
    plot_h = height - top - bottom
    n = len(hist.counts)
    col = (WIDTH - left - right) / n
    peak = max(hist.counts) or 1
    parts = [f'<line x1="{left}" y1="{top + plot_h}" x2="{WIDTH - right}" '
             f'y2="{top + plot_h}" stroke="currentColor" stroke-width="1"/>']
    for i, count in enumerate(hist.counts):
        h = plot_h * count / peak
        x = left + i * col
        parts.append(f'<rect x="{x + 2:.1f}" y="{top + plot_h - h:.1f}" width="{col - 4:.1f}" '
                     f'height="{h:.1f}" class="chart-bar" fill="{BAR_FILL}"/>')
        if count:
            parts.append(f'<text x="{x + col / 2:.1f}" y="{top + plot_h - h - 5:.1f}" '
                         f'text-anchor="middle" class="chart-value" fill="currentColor">'
                         f"{fmt_int(count)}</text>")
    for i, edge in enumerate(hist.edges):
        if n > 6 and i % 2:
            continue
        parts.append(f'<text x="{left + i * col:.1f}" y="{height - bottom + 18}" '
                     f'text-anchor="middle" class="chart-axis" fill="currentColor">'
                     f"{esc(_num(edge))}</text>")
    parts.append(f'<text x="{WIDTH / 2:.0f}" y="{height - 6}" text-anchor="middle" '
                 f'class="chart-axis" fill="currentColor">{esc(hist.unit)}</text>')
    rows = [(f"{_num(a)} to {_num(b)} {hist.unit}", fmt_int(c))
            for a, b, c in zip(hist.edges, hist.edges[1:], hist.counts, strict=False)]
    description = (f"{fmt_int(hist.total)} records by {hist.unit}: "
                   + "; ".join(f"{a}: {b}" for a, b in rows))
    table = _table(title, (hist.unit.capitalize(), "Records"), rows)
    return _figure(key, title, description, "".join(parts), height, table)


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
