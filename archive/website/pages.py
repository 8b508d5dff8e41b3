"""The page of one dataset: facts, charts, preview, load snippets, card, checksums, history.

Every value that comes from a partner or contributor (title, card, captions, texts) is
escaped or sanitised here; the page is Markdown only for its trusted section headings
(so they reach the table of contents) and raw HTML for everything else.
"""

from __future__ import annotations

import re
import shutil
from dataclasses import dataclass
from pathlib import Path

import yaml

from .changes import changes
from .charts import bar_chart, histogram, histogram_chart
from .fmt import esc, fmt_bytes, fmt_int, language_label, modality_name, one_line, slug
from .preview import preview_html
from .published import Published, ordered_splits
from .sampling import Sample
from .sanitize import plain_text, render_card
from .snippets import Snippet

DROPPED_CARD_SECTIONS = ("loading", "files")
"""Generated card sections the page shows its own way (snippets, checksums)."""
_FIRST_PARAGRAPH = re.compile(r"<p>(.*?)</p>", re.DOTALL)


@dataclass
class DatasetView:
    """Everything one dataset page shows."""

    published: Published
    sample: Sample
    snippets: list[Snippet]
    sums: str
    """The release's ``SHA256SUMS`` file, as published."""

    @property
    def id(self) -> str:
        return self.published.id


def front_matter(title: str, description: str = "", **extra: object) -> str:
    """YAML front matter; values are HTML-escaped, as MkDocs' templates do not escape."""
    document: dict[str, object] = {"title": esc(title)}
    if description:
        document["description"] = esc(description)
    document.update(extra)
    return "---\n" + yaml.safe_dump(document, allow_unicode=True, sort_keys=False) + "---\n"


def _facts(view: DatasetView) -> str:
    release, published = view.published.release, view.published
    languages = ", ".join(f'<a href="../languages/{slug(t)}.html">{esc(language_label(t))}</a>'
                          for t in release.languages)
    modalities = ", ".join(f'<a href="../modalities/{slug(m)}.html">{esc(modality_name(m))}</a>'
                           for m in release.modalities)
    rows = [("Dataset id", f"<code>{esc(release.dataset)}</code>"),
            ("Languages", languages), ("Modalities", modalities),
            ("Records", fmt_int(release.records)),
            ("Size (Parquet)", esc(fmt_bytes(release.data_bytes))),
            ("Licence", f'<a href="https://spdx.org/licenses/{esc(release.license)}.html">'
                        f"{esc(release.license)}</a>"),
            ("Latest version", f"{esc(published.tag)} ({len(published.versions)} in all)"),
            ("Approved", esc(published.date) or "unknown"),
            ("Contributed by", esc(release.organisation.get("name", ""))),
            ("On the hub", f'<a href="{esc(published.url)}">{esc(release.repo_id)}</a>'
             if published.url.startswith(("https://", "http://"))
             else f"<code>{esc(release.repo_id)}</code> (local hub)")]
    items = "".join(f"<dt>{name}</dt><dd>{value}</dd>" for name, value in rows)
    return f'<dl class="ds-facts">{items}</dl>'


def _charts(view: DatasetView) -> str:
    release, sample = view.published.release, view.sample
    splits = [(name, release.splits[name]) for name in ordered_splits(release)]
    charts = [bar_chart("languages", "Records per language",
                        [(language_label(t), n) for t, n in
                         sorted(release.languages_found.items(), key=lambda i: (-i[1], i[0]))],
                        header=("Language", "Records")),
              bar_chart("splits", "Records per split",
                        [(name, s.records) for name, s in splits],
                        header=("Split", "Records"),
                        texts=[f"{fmt_int(s.records)} · {fmt_bytes(s.bytes)}"
                               for _, s in splits])]
    note = ""
    if sample.lengths:
        hist = histogram(sample.lengths, sample.length_unit)
        charts.append(histogram_chart("lengths", f"{sample.length_title} ({sample.length_unit})",
                                      hist))
        if sample.records_read < release.records:
            note = (f'<p class="ds-note">The {sample.length_title.lower()} histogram covers the '
                    f"first {fmt_int(sample.records_read)} of {fmt_int(release.records)} "
                    "records.</p>")
    sizes = "".join(f"<li>{esc(name)}: {fmt_int(s.records)} records, "
                    f"{esc(fmt_bytes(s.bytes))} of data, {len(s.parquet)} Parquet and "
                    f"{len(s.webdataset)} WebDataset shard(s)</li>"
                    for name, s in splits)
    return (f'<div class="ds-charts" data-search-exclude>{"".join(charts)}</div>{note}'
            f'<ul class="ds-splits">{sizes}</ul>')


def _snippet(snippet: Snippet) -> str:
    note = f'<p class="ds-note">{esc(snippet.note)}</p>' if snippet.note else ""
    return (f'<div class="ds-snippet" id="load-{snippet.key}" data-snippet="{snippet.key}">'
            f'<p class="ds-snippet-title"><strong>{esc(snippet.title)}</strong></p>'
            f'<pre><code class="language-{snippet.language}">{esc(snippet.code)}</code></pre>'
            f"{note}</div>")


def _checksums(view: DatasetView) -> str:
    release = view.published.release
    rows = "".join(f'<tr><td><code>{esc(f.path)}</code></td><td class="num">{fmt_int(f.size)}'
                   f'</td><td><code class="sha">{esc(f.sha256)}</code></td></tr>'
                   for f in release.files)
    return (f'<p>Download <a href="{esc(view.id)}/SHA256SUMS.txt">SHA256SUMS</a> and run '
            "<code>sha256sum -c SHA256SUMS</code> in the release folder: every file below "
            "must say OK.</p>"
            '<div class="table-wrap ds-files" data-search-exclude><table>'
            '<thead><tr><th scope="col">File</th><th scope="col">Bytes</th>'
            f'<th scope="col">sha256</th></tr></thead><tbody>{rows}</tbody></table></div>')


def _history(view: DatasetView) -> str:
    versions = view.published.versions
    rows = []
    for i, version in reversed(list(enumerate(versions))):
        previous = versions[i - 1] if i else None
        said = "".join(f"<li>{esc(line)}</li>" for line in changes(previous, version))
        rows.append(f"<tr><td>{esc(version.tag)}</td>"
                    f'<td class="num">{fmt_int(sum(version.records.values()))}</td>'
                    f"<td><ul>{said}</ul></td></tr>")
    updated = ('<p class="ds-note">The card was corrected after the latest release; this page '
               "shows the corrected card.</p>" if view.published.card_updated else "")
    return (f'{updated}<div class="table-wrap ds-history"><table><thead><tr>'
            '<th scope="col">Version</th><th scope="col">Records</th>'
            '<th scope="col">What changed</th></tr></thead>'
            f"<tbody>{''.join(rows)}</tbody></table></div>")


def summary_text(card_html: str, limit: int = 200) -> str:
    """The card's first paragraph as plain text (unescaped), cut at ``limit`` characters."""
    match = _FIRST_PARAGRAPH.search(card_html)
    text = plain_text(match.group(1)) if match else ""
    return text if len(text) <= limit else text[:limit].rsplit(" ", 1)[0] + " …"


def dataset_page(view: DatasetView) -> str:
    """The Markdown source of a dataset's page."""
    release = view.published.release
    card_html = render_card(view.published.card, drop=DROPPED_CARD_SECTIONS)
    title = one_line(release.title)
    blocks = [
        front_matter(title, summary_text(card_html)),
        f'<h1 class="ds-title">{esc(title)}</h1>',
        _facts(view),
        "## Statistics",
        _charts(view),
        "## Preview",
        preview_html(view.sample.previews, view.id),
        "## Load it",
        '<div class="ds-snippets" data-search-exclude>'
        + "".join(_snippet(s) for s in view.snippets) + "</div>",
        "## Dataset card",
        f'<div class="ds-card">{card_html}</div>',
        "## Checksums",
        _checksums(view),
        "## Release history",
        _history(view),
    ]
    return "\n\n".join(blocks) + "\n"


def write_dataset(view: DatasetView, folder: Path) -> list[Path]:
    """Write the page ``ID.md`` and its assets folder ``ID/`` under ``folder``."""
    assets = folder / view.id
    assets.mkdir(parents=True, exist_ok=True)
    written = [folder / f"{view.id}.md", assets / "SHA256SUMS.txt"]
    written[0].write_text(dataset_page(view), encoding="utf-8")
    written[1].write_text(view.sums, encoding="utf-8")
    for record in view.sample.previews:
        if record.asset and view.sample.assets:
            target = assets / record.asset
            shutil.copyfile(view.sample.assets / record.asset, target)
            written.append(target)
    return written
