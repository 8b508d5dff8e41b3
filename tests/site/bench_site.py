"""Benchmark the site build for many datasets: ``python tests/site/bench_site.py [N]``.

Four small datasets are released through the real pipeline; N generated datasets are
then published to a local hub (through ``LocalHub.commit`` and ``tag``) as copies of
those releases under new ids, with varied titles, languages, licences and sizes, each
with a dataset entry. The site is then built three times: cold (no sample cache), warm
(cache filled: the usual rebuild), and the MkDocs step on its own is reported for each.
"""

from __future__ import annotations

import json
import random
import re
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path[0] = str(ROOT)  # not tests/site/, whose modules would shadow packages

from archive.entries import Entry, Registry  # noqa: E402
from archive.hub.base import Change  # noqa: E402
from archive.hub.local import LocalHub  # noqa: E402
from archive.licenses import OPEN_LICENSES  # noqa: E402
from archive.website import build_site  # noqa: E402
from tests.site.conftest import checkout  # noqa: E402
from tests.site.sample_releases import release_all  # noqa: E402

LANGUAGES = ["is", "en", "da", "sv", "nb", "nn", "fi", "de", "fr", "es", "pt-BR", "pt", "nl",
             "pl", "it", "et", "lt", "lv", "ru", "uk", "cy", "ga", "fo", "kl", "se", "eu",
             "ca", "gl", "mt", "el", "hu", "cs", "sk", "sl", "hr", "sr-Latn", "bg", "ro",
             "sw", "yo"]
WORDS = ["harbour", "fjord", "market", "ferry", "lighthouse", "net", "boat", "weather", "winter",
         "summer", "school", "library", "letter", "diary", "recipe", "song", "story",
         "interview", "archive", "village", "island"]
TEMPLATES = ["site-essays", "site-scenes", "site-conversations"]


def publish_copy(hub: LocalHub, source: Path, dataset: str, rng: random.Random) -> dict:
    """Publish a copy of the release folder ``source`` as dataset ``dataset``, v1.0.0."""
    work = Path(tempfile.mkdtemp())
    try:
        shutil.copytree(source, work / "r", symlinks=False)
        folder = work / "r"
        for path in folder.rglob("*"):
            path.chmod(0o644 if path.is_file() else 0o755)
        release = json.loads((folder / "release.json").read_text())
        title = " ".join(rng.sample(WORDS, 3)).capitalize() + f" {dataset[-4:]}"
        languages = rng.sample(LANGUAGES, rng.choice([1, 1, 2, 3]))
        scale = rng.choice([1, 10, 100, 1000, 10_000])
        release.update(dataset=dataset, repo_id=hub.repo_id(dataset), title=title,
                       languages=languages, license=rng.choice(sorted(OPEN_LICENSES)),
                       languages_found={t: release["splits"]["train"]["records"] * scale
                                        for t in languages}, version="1.0.0", history=[])
        for split in release["splits"].values():
            split["records"] *= scale
            split["bytes"] *= scale
        (folder / "release.json").write_text(json.dumps(release, indent=2, sort_keys=True))
        card = (folder / "README.md").read_text()
        card = re.sub(r"^# .*$", f"# {title}", card, count=1, flags=re.MULTILINE)
        (folder / "README.md").write_text(card)
        upload = {p.relative_to(folder).as_posix(): p for p in folder.rglob("*") if p.is_file()}
        repo_id = hub.repo_id(dataset)
        with hub.lock(repo_id):
            commit = hub.commit(repo_id, Change(upload=upload, delete=[]), "Release v1.0.0",
                                parent=None)
            hub.tag(repo_id, "v1.0.0", commit)
        return release
    finally:
        shutil.rmtree(work)


def make_archive(root: Path, n: int) -> LocalHub:
    checkout(root)
    hub = release_all(root)
    registry = Registry(root)
    templates = {t: (registry.get(t), hub.tree(hub.repo_id(t), "v1.0.0")) for t in TEMPLATES}
    rng = random.Random(1000)
    for i in range(n):
        template = TEMPLATES[i % len(TEMPLATES)]
        dataset = f"bench-{template.removeprefix('site-')}-{i:04d}"
        entry, source = templates[template]
        release = publish_copy(hub, source, dataset, rng)
        form = {**entry.form, "id": dataset, "title": release["title"],
                "languages": release["languages"], "license": release["license"]}
        registry.save(Entry(id=dataset, form=form, directory=registry.cards / dataset,
                            data=entry.data, state="approved", approval=entry.approval))
    return hub


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "archive"
        started = time.perf_counter()
        hub = make_archive(root, n)
        print(f"published {n} generated datasets in {time.perf_counter() - started:.1f} s")
        for label in ("cold cache", "warm cache", "warm cache"):
            if label == "cold cache":
                shutil.rmtree(root / "build" / "site-cache", ignore_errors=True)
            started = time.perf_counter()
            report = build_site(root, hub, root / "public")
            total = time.perf_counter() - started
            print(f"{label}: {len(report.datasets)} datasets, {report.pages} pages: "
                  f"generate {report.generate_seconds:.1f} s + MkDocs "
                  f"{report.mkdocs_seconds:.1f} s = {total:.1f} s")
        size = sum(p.stat().st_size for p in (root / "public").rglob("*") if p.is_file())
        index = (root / "public" / "search" / "search_index.json").stat().st_size
        print(f"output {size / 1e6:.1f} MB, search index {index / 1e6:.1f} MB")


if __name__ == "__main__":
    main()
