"""The catalogue (every dataset in one table) and the pages by language and by modality.

The tables are plain HTML that read well without JavaScript; ``site/assets/catalogue.js``
adds filtering and sorting. The ``data-*`` attributes on rows and cells are what it
filters and sorts on; the static pages by language and modality filter without it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from .fmt import esc, fmt_bytes, fmt_int, language_label, modality_name, one_line, slug
from .pages import front_matter
from .published import Published

COLUMNS = [("name", "Dataset", "text"), ("languages", "Languages", "text"),
           ("modalities", "Modalities", "text"), ("records", "Records", "number"),
           ("size", "Size", "number"), ("license", "Licence", "text"),
           ("version", "Latest version", "version"), ("date", "Date", "text")]


def _row(p: Published, base: str) -> str:
    r = p.release
    title = one_line(r.title)
    languages = ", ".join(esc(language_label(t)) for t in r.languages)
    modalities = ", ".join(esc(modality_name(m)) for m in r.modalities)
    cells = [
        (esc(title.lower()), f'<a href="{base}datasets/{esc(p.id)}.html">{esc(title)}</a>'
                               f'<br><code class="ds-id">{esc(p.id)}</code>'),
        (esc(" ".join(r.languages)), languages),
        (esc(" ".join(r.modalities)), modalities),
        (str(r.records), fmt_int(r.records)),
        (str(r.data_bytes), esc(fmt_bytes(r.data_bytes))),
        (esc(r.license), esc(r.license)),
        (esc(p.tag), esc(p.tag)),
        (esc(p.date), esc(p.date)),
    ]
    tds = "".join(f'<td data-value="{value}">{html}</td>' for value, html in cells)
    return (f'<tr data-id="{esc(p.id)}" data-languages="{esc(" ".join(r.languages))}" '
            f'data-modalities="{esc(" ".join(r.modalities))}" '
            f'data-license="{esc(r.license)}">{tds}</tr>')


def table(datasets: Iterable[Published], base: str = "", caption: str = "Datasets") -> str:
    """The dataset table; ``base`` leads from the page to ``generated/``."""
    head = "".join(f'<th scope="col" data-key="{key}" data-type="{kind}">{label}</th>'
                   for key, label, kind in COLUMNS)
    rows = "".join(_row(p, base) for p in datasets)
    return (f'<div class="table-wrap"><table data-catalogue-table>'
            f"<caption>{esc(caption)}</caption><thead><tr>{head}</tr></thead>"
            f"<tbody>{rows}</tbody></table></div>")


def _options(name: str, label: str, values: list[tuple[str, str]]) -> str:
    options = "".join(f'<option value="{esc(v)}">{esc(text)}</option>' for v, text in values)
    return (f'<label class="catalogue-filter">{label} <select name="{name}" '
            f'data-filter="{name}"><option value="">All</option>{options}</select></label>')


def by_language(datasets: list[Published]) -> dict[str, list[Published]]:
    groups: dict[str, list[Published]] = defaultdict(list)
    for p in datasets:
        for tag in p.release.languages:
            groups[tag].append(p)
    return dict(sorted(groups.items(), key=lambda item: (language_label(item[0]), item[0])))


def by_modality(datasets: list[Published]) -> dict[str, list[Published]]:
    groups: dict[str, list[Published]] = defaultdict(list)
    for p in datasets:
        for modality in p.release.modalities:
            groups[modality].append(p)
    return dict(sorted(groups.items()))


def catalogue_page(datasets: list[Published]) -> str:
    """Every published dataset in one table, with filters (shown when JavaScript runs)."""
    languages = by_language(datasets)
    modalities = by_modality(datasets)
    licences = sorted({p.release.license for p in datasets})
    filters = ('<form class="catalogue-filters" data-catalogue-filters hidden '
               'role="search" aria-label="Filter the datasets">'
               + _options("language", "Language",
                          [(t, language_label(t)) for t in languages])
               + _options("modality", "Modality",
                          [(m, modality_name(m)) for m in modalities])
               + _options("license", "Licence", [(x, x) for x in licences])
               + '<label class="catalogue-filter">Name <input type="search" name="q" '
                 'data-filter="q" autocomplete="off"></label>'
               + '<button type="reset" class="md-button">Clear</button></form>'
               + f'<p class="catalogue-count" role="status" aria-live="polite" '
                 f'data-catalogue-count>{fmt_int(len(datasets))} datasets.</p>')
    browse = ("<p>Browse without filters: "
              + '<a href="languages/index.html">by language</a> '
              + f"({len(languages)}) or "
              + '<a href="modalities/index.html">by modality</a> '
              + f"({len(modalities)}).</p>")
    records = sum(p.release.records for p in datasets)
    intro = (f"<p>{fmt_int(len(datasets))} published datasets, {fmt_int(records)} records. "
             "Click a column heading to sort; use the filters to narrow the list. Size is "
             "the Parquet data; the date is when the dataset was approved for "
             "publication.</p>")
    return "\n\n".join([
        front_matter("Catalogue", "Every dataset published by the archive."),
        "# Catalogue",
        intro, browse,
        f'<div class="catalogue" data-catalogue>{filters}'
        + table(datasets, caption="Published datasets") + "</div>",
    ]) + "\n"


def _index(title: str, kind: str, groups: dict[str, list[Published]],
           label: dict[str, str]) -> str:
    rows = "".join(
        f'<tr><td><a href="{esc(slug(key))}.html">{esc(label[key])}</a></td>'
        f'<td class="num">{fmt_int(len(items))}</td>'
        f'<td class="num">{fmt_int(sum(p.release.records for p in items))}</td></tr>'
        for key, items in groups.items())
    table_html = (f'<div class="table-wrap"><table><thead><tr><th scope="col">{kind}</th>'
                  '<th scope="col">Datasets</th><th scope="col">Records</th></tr></thead>'
                  f"<tbody>{rows}</tbody></table></div>")
    return "\n\n".join([front_matter(title), f"# {title}", table_html]) + "\n"


def group_pages(datasets: list[Published]) -> dict[str, str]:
    """Pages by language and by modality: relative path under ``generated/`` -> Markdown."""
    pages: dict[str, str] = {}
    languages, modalities = by_language(datasets), by_modality(datasets)
    pages["languages/index.md"] = _index("Datasets by language", "Language", languages,
                                         {t: language_label(t) for t in languages})
    pages["modalities/index.md"] = _index("Datasets by modality", "Modality", modalities,
                                          {m: modality_name(m) for m in modalities})
    groups = [("languages", "All languages", {f"Datasets in {language_label(t)}": (t, i)
                                               for t, i in languages.items()}),
              ("modalities", "All modalities", {f"{modality_name(m)} datasets": (m, i)
                                                for m, i in modalities.items()})]
    for folder, back, titled in groups:
        for title, (key, items) in titled.items():
            pages[f"{folder}/{slug(key)}.md"] = "\n\n".join([
                front_matter(title), f"<h1>{esc(title)}</h1>",
                f'<p><a href="index.html">{back}</a> · '
                '<a href="../catalogue.html">Catalogue</a></p>',
                table(items, "../", caption=title)]) + "\n"
    return pages
