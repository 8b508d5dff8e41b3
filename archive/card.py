"""The dataset card (``README.md``): Hub YAML metadata, human sections, generated sections.

The YAML metadata is written with ``huggingface_hub.DatasetCardData``, so the Hub and
``datasets`` read it: ``configs`` (the Parquet files of each split, the default config)
and ``dataset_info`` (features, split sizes). Generated sections sit between
``<!-- generated:NAME -->`` and ``<!-- /generated:NAME -->`` markers, so a card check
can tell them from the human sections, which come from ``datacards/ID/card.md``.
"""

from __future__ import annotations

from pathlib import Path

import langcodes
from huggingface_hub import DatasetCard, DatasetCardData

from .entries import Entry
from .features import features
from .humancard import read_sections, section_titles
from .licenses import hub_license
from .release import SUMS_FILE, Release, fmt_bytes

TASKS = {"text": "text-generation", "conversation": "automatic-speech-recognition",
         "image": "image-to-text", "audio": "automatic-speech-recognition",
         "video": "video-classification"}


def size_category(records: int) -> str:
    """The Hub's ``size_categories`` value for a record count."""
    bounds = [(1_000, "n<1K"), (10_000, "1K<n<10K"), (100_000, "10K<n<100K"),
              (1_000_000, "100K<n<1M"), (10_000_000, "1M<n<10M"),
              (100_000_000, "10M<n<100M"), (1_000_000_000, "100M<n<1B")]
    return next((label for bound, label in bounds if records < bound), "n>1T")


def card_data(release: Release, entry: Entry) -> DatasetCardData:
    """The card's YAML metadata."""
    splits = [s for s in ("train", "validation", "test") if s in release.splits]
    return DatasetCardData(
        pretty_name=release.title,
        license=hub_license(release.license),
        language=sorted({tag.split("-")[0] for tag in release.languages}),
        task_categories=entry.form.get("task_categories") or [TASKS[release.record_type]],
        size_categories=[size_category(release.records)],
        tags=sorted({*release.modalities, "dataset-archive"}),
        configs=[{"config_name": "default", "default": True, "data_files": [
            {"split": s, "path": f"data/{s}-*.parquet"} for s in splits]}],
        dataset_info={
            "features": features(release.record_type)._to_yaml_list(),
            "splits": [{"name": s, "num_bytes": release.splits[s].bytes,
                        "num_examples": release.splits[s].records} for s in splits],
            "download_size": release.data_bytes,
            "dataset_size": sum(release.splits[s].bytes for s in splits),
        },
    )


def _generated(name: str, text: str) -> str:
    return f"<!-- generated:{name} -->\n{text.strip()}\n<!-- /generated:{name} -->"


def _human(title: str, body: str) -> str:
    return f"## {title}\n\n{body.strip() or '_Not yet written._'}"


def _structure(release: Release) -> str:
    rows = "\n".join(
        f"| {name} | {s.records:,} | {fmt_bytes(s.bytes)} | {len(s.parquet)} | "
        f"{len(s.webdataset)} |" for name, s in release.splits.items())
    columns = ", ".join(f"`{c}`" for c in features(release.record_type))
    langs = ", ".join(f"{lang}: {n:,}" for lang, n in sorted(release.languages_found.items()))
    return f"""## Dataset structure

{release.records:,} records of type **{release.record_type}** in {len(release.splits)} split(s).
Columns: {columns}.

| split | records | data size | Parquet shards | WebDataset shards |
|---|---:|---:|---:|---:|
{rows}

Records per declared language (from the records' `language` field): {langs or "not given"}."""


def _loading(release: Release) -> str:
    repo = release.repo_id
    tag = f"v{release.version}"
    split = next(iter(release.splits))
    base = (f"{release.url}/resolve/{tag}" if release.url.startswith("http")
            else f"https://huggingface.co/datasets/{repo}/resolve/{tag}")
    column = "video" if release.record_type == "video" else "audio"
    streamed = sum(s.tar_only for s in release.splits.values())
    large = (f"\n{streamed:,} {column} file{'s' * (streamed != 1)} over 256 MiB "
             f"{'are' if streamed != 1 else 'is'} in the tar shards only: the Parquet "
             f"row's `{column}` has\n`path` (the member's name in the tars) and no "
             "`bytes`.\n" if streamed else "")
    return f"""## How to load it

With `datasets` (Parquet, the default config):

```python
from datasets import load_dataset

ds = load_dataset("{repo}", revision="{tag}")
stream = load_dataset("{repo}", revision="{tag}", split="{split}", streaming=True)
```
{large}
With `webdataset` (the tar shards in `webdataset/`, one sample per record):

```python
import webdataset as wds

urls = [f"pipe:curl -sL {base}/{{p}}" for p in ["webdataset/{split}-00000.tar"]]
ds = wds.WebDataset(urls, shardshuffle=False)
```

or `load_dataset("webdataset", data_files="hf://datasets/{repo}@{tag}/webdataset/{split}-*.tar")`.
Every split also has a `wids` shard index, `webdataset/SPLIT.wids.json`, for random access.

With `huggingface_hub` or plain HTTP, then check every byte:

```bash
hf download {repo} --repo-type dataset --revision {tag} --local-dir {release.dataset}
cd {release.dataset} && sha256sum -c {SUMS_FILE}
```"""


def _files(release: Release) -> str:
    rows = "\n".join(f"| `{f.path}` | {f.size:,} | `{f.sha256}` |" for f in release.files)
    return f"""## Files and checksums

`{SUMS_FILE}` lists the sha256 of every file below (`sha256sum -c {SUMS_FILE}`); this card
and `croissant.json` carry the same values.

| file | bytes | sha256 |
|---|---:|---|
{rows}"""


def _provenance(release: Release, entry: Entry) -> str:
    org = release.organisation
    org_name = f"[{org['name']}]({org['url']})" if org.get("url") else org["name"]
    history = "\n".join(f"- **v{h['version']}**: {h.get('summary', '')}"
                        for h in release.history) or f"- **v{release.version}**: first release"
    diffs = "\n".join(f"- {d}" for d in release.differences) or "- none: the data matches the form"
    return f"""## Provenance

- Contributed by {org_name} through the archive's open pathway.
- Approved for publication on {release.approval.get('at', '?')[:10]}.
- Version {release.version}, built from source fingerprint `{release.fingerprint[:16]}`.
- Licence: `{release.license}`
  ([SPDX](https://spdx.org/licenses/{release.license}.html)).

Declared by the partner and found in the data:

{diffs}

### Release history

{history}"""


def _screening(release: Release) -> str:
    summary = release.screening
    if not summary:
        return "## Screening\n\nThis release was not screened."
    counts = summary.get("counts", {})
    kinds = summary.get("findings", {}).get("by_kind", {})
    found = ", ".join(f"{kind}: {n:,}" for kind, n in sorted(kinds.items())) or "none"
    detected = summary.get("language", {}).get("detected", {})
    languages = ", ".join(f"{lang} {share:.0%}" for lang, share in sorted(
        detected.items(), key=lambda kv: -kv[1])) or "not determined"
    bullets = "\n".join([
        f"- records screened: {counts.get('records_screened', 0):,}; published: "
        f"{counts.get('records_published', 0):,}; redacted: "
        f"{counts.get('records_redacted', 0):,}; dropped: {counts.get('records_dropped', 0):,}",
        f"- personal information found: {found}",
        f"- languages detected: {languages}",
        f"- duplicates: {counts.get('exact_duplicates', 0):,} exact, "
        f"{counts.get('near_duplicates', 0):,} near",
        f"- media files fully decoded: {counts.get('media_checked', 0):,}; with metadata "
        f"stripped: {counts.get('media_metadata_stripped', 0):,}",
    ])
    return f"""## Screening

Every record was screened before release for personal information, languages, duplicates,
broken media and licence. The summary below holds no personal data.

{bullets}"""


def translations(entry: Entry) -> list[str]:
    """The human sections in other languages (``card.LANG.md``), as Markdown parts."""
    parts = []
    for path in sorted(entry.directory.glob("card.*.md")):
        language = path.name.split(".")[1]
        sections = read_sections(path, entry.id, language)
        local = section_titles(language)
        name = langcodes.Language.get(language).autonym().capitalize()
        body = "\n\n".join(f"### {title}\n\n{sections[en].strip()}"
                           for en, title in zip(sections, local, strict=True)
                           if sections[en].strip())
        parts.append(f'## {name} ({language})\n\n{body}')
    return parts


def render(release: Release, entry: Entry, *, card_file: Path | None = None) -> str:
    """Render the whole card as published: YAML header, then body."""
    human = read_sections(card_file or entry.card_path, entry.id)
    titles = list(human)
    summary, rest = human[titles[0]], titles[1:]
    body = [
        f"# {release.title}",
        summary.strip(),
        _generated("structure", _structure(release)),
        _generated("loading", _loading(release)),
        *(_human(t, human[t]) for t in rest if t != "Citation"),
        _generated("screening", _screening(release)),
        _generated("provenance", _provenance(release, entry)),
        _generated("files", _files(release)),
        _human("Citation", human.get("Citation") or entry.form.get("citation", "")),
        *translations(entry),
        _generated("contact", "## Contact\n\nQuestions and corrections: open an issue or a pull "
                              "request on the archive's repository (see CONTRIBUTING.md). "
                              "The partner's staff are not contacted through the archive."),
    ]
    text = "\n\n".join(body) + "\n"
    card = DatasetCard(f"---\n{card_data(release, entry).to_yaml()}\n---\n\n{text}")
    return card.content
