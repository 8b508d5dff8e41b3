"""Build the site: write ``site/generated/`` from the entries and the hub, then run MkDocs.

The generated pages are written to ``build/site-generated.partial/`` and moved to
``site/generated/`` whole, so a failed build never leaves half a catalogue, and a dataset
that left the hub leaves the site. The cache of samples and preview assets is
``build/site-cache/``. All three are git-ignored.
"""

from __future__ import annotations

import json
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path

from ..entries import Registry
from ..errors import HubError, SiteError
from ..hub import Hub
from ..release import SUMS_FILE
from ..schemas import load
from .catalogue import catalogue_page, group_pages
from .formpage import fields_page, submit_page, template_yaml
from .pages import DatasetView, write_dataset
from .published import Skipped, collect
from .sampling import Sample, sample
from .snippets import snippets

GENERATED = "generated"
CONFIG = "mkdocs.yml"
DOCS = "site"


@dataclass
class SiteReport:
    """What a site build did."""

    out: Path | None
    datasets: list[str]
    skipped: list[Skipped] = field(default_factory=list)
    pages: int = 0
    warnings: list[str] = field(default_factory=list)
    generate_seconds: float = 0.0
    mkdocs_seconds: float = 0.0

    def lines(self) -> list[str]:
        """What the CLI prints."""
        out = [f"{len(self.datasets)} dataset(s) listed; {self.pages} page(s) generated in "
               f"{self.generate_seconds:.1f} s"]
        out += [f"left out {s.repo_id}: {s.reason}" for s in self.skipped]
        out += [f"warning: {w}" for w in self.warnings]
        if self.out is not None:
            out.append(f"site built in {self.out} in {self.mkdocs_seconds:.1f} s")
        return out


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def generate(root: Path, hub: Hub, *, cache: Path | None = None) -> SiteReport:
    """Write every generated page under ``ROOT/site/generated/``."""
    started = time.perf_counter()
    docs = root / DOCS
    if not docs.is_dir() or not (root / CONFIG).is_file():
        raise SiteError(f"no {CONFIG} and {DOCS}/ in {root}",
                        hint="run from the archive checkout, or pass --root")
    cache = cache or root / "build" / "site-cache"
    target, work = docs / GENERATED, root / "build" / f"site-{GENERATED}.partial"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    warnings: list[str] = []
    try:
        datasets, skipped = collect(Registry(root), hub)
        for published in datasets:
            try:
                drawn = sample(hub, published.release, published.tag, cache)
            except HubError as exc:
                warnings.append(f"{published.id}: no statistics or preview: {exc}")
                drawn = Sample("characters", "Record length")
            view = DatasetView(
                published=published, sample=drawn,
                snippets=snippets(hub, published.release, published.tag),
                sums=hub.read(published.release.repo_id, SUMS_FILE,
                              published.tag).decode("utf-8", errors="replace"))
            write_dataset(view, work / "datasets")
        pages = {"catalogue.md": catalogue_page(datasets), **group_pages(datasets)}
        schema = load("form")
        pages["submit.md"] = submit_page(schema)
        pages["form-fields.md"] = fields_page(schema)
        for name, text in pages.items():
            _write(work / name, text)
        _write(work / "form.schema.json", json.dumps(schema, indent=2, ensure_ascii=False) + "\n")
        _write(work / "form-template.yaml", template_yaml(schema))
        shutil.rmtree(target, ignore_errors=True)
        shutil.move(work, target)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return SiteReport(out=None, datasets=[p.id for p in datasets], skipped=skipped,
                      pages=len(pages) + len(datasets), warnings=warnings,
                      generate_seconds=time.perf_counter() - started)


def run_mkdocs(root: Path, out: Path | None = None) -> Path:
    """Run the MkDocs build of ``ROOT/mkdocs.yml`` (strict); return the output folder."""
    from mkdocs.commands.build import build
    from mkdocs.config import load_config
    from mkdocs.exceptions import MkDocsException

    options = {"site_dir": str(out.resolve())} if out else {}
    try:
        config = load_config(config_file=str(root / CONFIG), **options)
        build(config)
    except MkDocsException as exc:
        raise SiteError(f"MkDocs failed: {exc}", hint="the warnings above say which page "
                        "and link; fix them or the generated pages") from None
    return Path(config["site_dir"])


def build_site(root: Path, hub: Hub, out: Path | None = None) -> SiteReport:
    """Generate the pages from the entries and the hub, then build the HTML into ``out``
    (default: ``site_dir`` of ``mkdocs.yml``)."""
    root = root.resolve()
    report = generate(root, hub)
    started = time.perf_counter()
    report.out = run_mkdocs(root, out)
    report.mkdocs_seconds = time.perf_counter() - started
    return report
