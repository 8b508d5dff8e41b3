"""The maintainer's operations, end to end: validate, build, publish, release."""

from __future__ import annotations

import itertools
import json
import sqlite3
from collections import Counter
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from .build import batches, build, build_lock, check_records, kept, screener_for
from .cache import BuildOptions, fingerprint
from .entries import Entry, Registry, check_version, version_key
from .errors import HubError, ReleaseExistsError, SourceError, VerifyError, Where
from .hub import Hub
from .parallel import ONE_PROCESS, Engine, prepared
from .publish import Plan, publish, publish_card
from .readers import read_dataset, read_units
from .records import SPLITS
from .release import RELEASE_FILE, Release
from .schemas import record_error
from .seen import SeenSet, scratch_file
from .shards.files import json_text
from .verify import verify_folder


@dataclass
class Outcome:
    """What a release run did."""

    dataset: str
    version: str
    repo_id: str
    plan: Plan | None
    release: Release | None
    skipped: str | None = None

    def line(self) -> str:
        if self.skipped:
            return f"{self.dataset} v{self.version}: {self.skipped}"
        assert self.plan is not None and self.release is not None
        if self.plan.already_published:
            return f"{self.dataset} v{self.version}: already published; nothing to do"
        return (f"{self.dataset} v{self.version}: published {self.release.records:,} records "
                f"to {self.repo_id} ({len(self.plan.add) + len(self.plan.change)} file(s), "
                f"{self.plan.upload_bytes:,} bytes sent)")


def validate(entry: Entry, scratch: Path) -> Counter[str]:
    """Read and validate every record without writing anything (but the scratch database
    ``scratch``, removed after); return counts per split."""
    with scratch_file(scratch) as db:
        return _validate(entry, SeenSet(db, "record_keys"))


def _validate(entry: Entry, keys: SeenSet) -> Counter[str]:
    counts: Counter[str] = Counter()
    records = read_dataset(entry.id, entry.record_type, entry.source_format, entry.data,
                           entry.splits)
    for batch in batches(records):
        check_records(entry, batch, keys,
                      [record_error(entry.record_type, r.fields) for r in batch])
        counts.update(record.split for record in batch)
    if not counts:
        raise SourceError("the dataset has no records", Where(dataset=entry.id, file=entry.data))
    return counts


def build_dir(root: Path, entry: Entry) -> Path:
    """Where a dataset's build goes: ``ROOT/build/ID/VERSION``."""
    return root / "build" / entry.id / entry.version


def findings_path(root: Path, entry: Entry) -> Path:
    """Where the screening's full findings go: private, for the maintainer only (the
    folder is made readable by its owner alone)."""
    folder = root / ".archive" / "reports"
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    folder.chmod(0o700)
    return folder / f"{entry.id}-{entry.version}.findings.jsonl"


def scratch_path(root: Path, entry: Entry) -> Path:
    """The scratch database of a validation or screening run of one dataset."""
    return root / ".archive" / "scratch" / f"{entry.id}.sqlite"


def screen(registry: Registry, dataset_id: str, *, engine: Engine = ONE_PROCESS
           ) -> tuple[dict[str, Any], Path]:
    """Validate and screen every record (on the ``engine``), writing nothing but the
    findings report.

    Returns the summary and the findings path; raises :class:`ScreeningError` when the
    policy would hold the release.
    """
    entry = registry.get(dataset_id)
    entry.require_releasable()
    path = findings_path(registry.root, entry)
    with scratch_file(scratch_path(registry.root, entry)) as db:
        return _screen(entry, path, db, engine)


def _screen(entry: Entry, path: Path, db: sqlite3.Connection, engine: Engine
            ) -> tuple[dict[str, Any], Path]:
    screener = screener_for(entry, path, db)
    keys = SeenSet(db, "record_keys")
    units = itertools.chain.from_iterable(
        read_units(entry.id, entry.record_type, entry.source_format, entry.data, split,
                   entry.splits[split]) for split in SPLITS if split in entry.splits)
    for ready in prepared(batches(units), engine=engine,
                             dataset=entry.id, record_type=entry.record_type,
                             languages=entry.languages, policy=entry.screening,
                             serialise=False):
        kept(entry, ready, keys, screener)
    return screener.finish().summary(), path  # finish() writes the findings file


def history(hub: Hub, repo_id: str) -> list[dict[str, object]]:
    """Earlier versions on the hub, oldest first, each with a one-line summary."""
    out = []
    for tag in sorted(hub.tags(repo_id), key=version_key):
        try:
            previous = json.loads(hub.read(repo_id, RELEASE_FILE, tag))
        except HubError:
            continue
        records = sum(s["records"] for s in previous["splits"].values())
        out.append({"version": tag.removeprefix("v"), "summary": f"{records:,} records"})
    return out


def release_one(registry: Registry, hub: Hub, dataset_id: str, *, version: str | None = None,
                dry_run: bool = False, force: bool = False,
                options: BuildOptions | None = None, engine: Engine = ONE_PROCESS) -> Outcome:
    """Build and publish one dataset's version; a published, unchanged version is skipped."""
    entry = registry.get(dataset_id)
    entry.require_releasable()
    if version is not None:
        check_version(version, dataset_id)
    if version and version != entry.version:
        entry.version = version
        if not dry_run:
            registry.save(entry)
    options = options or BuildOptions()
    repo_id = hub.repo_id(entry.id)
    tag = f"v{entry.version}"
    if not dry_run:
        hub.recover(repo_id)
    if tag in hub.tags(repo_id):
        published = json.loads(hub.read(repo_id, RELEASE_FILE, tag))
        if published.get("fingerprint") == fingerprint(entry, options):
            return Outcome(entry.id, entry.version, repo_id, None, None,
                           skipped="already published; nothing to do")
        raise ReleaseExistsError(
            f"{tag} is already published and the data or the form changed since",
            Where(dataset=entry.id), hint=f"archive release {entry.id} --version X.Y.Z")
    out = build_dir(registry.root, entry)
    with build_lock(entry, out):  # nobody rebuilds the folder while it is published
        release = build_for(registry, hub, entry, out, options=options, engine=engine,
                            locked=True)
        plan = publish(hub, repo_id, out, entry.version, dry_run=dry_run, force=force)
    return Outcome(entry.id, entry.version, repo_id, plan, release)


def release_history(hub: Hub, entry: Entry) -> list[dict[str, object]]:
    """The history a new build of ``entry`` records: the versions on the hub, then it."""
    return [*history(hub, hub.repo_id(entry.id)),
            {"version": entry.version, "summary": "this release"}]


def build_for(registry: Registry, hub: Hub, entry: Entry, out: Path | None = None, *,
              options: BuildOptions | None = None, engine: Engine = ONE_PROCESS,
              locked: bool = False) -> Release:
    """Build ``entry`` for publication on ``hub``: its repo, URL and release history."""
    repo_id = hub.repo_id(entry.id)
    return build(entry, out or build_dir(registry.root, entry), repo_id=repo_id,
                 url=hub.url(repo_id), options=options, history=release_history(hub, entry),
                 findings=findings_path(registry.root, entry), locked=locked, engine=engine)


def publish_build(registry: Registry, hub: Hub, dataset_id: str, folder: Path | None = None,
                  *, dry_run: bool = False, force: bool = False) -> Plan:
    """Publish a build made earlier by ``archive build``, after checking it is this entry's
    current build: same dataset, version, repo and source fingerprint."""
    entry = registry.get(dataset_id)
    entry.require_releasable()
    folder = folder or build_dir(registry.root, entry)
    with build_lock(entry, folder):
        return _publish_checked(hub, entry, folder, dry_run=dry_run, force=force)


def _publish_checked(hub: Hub, entry: Entry, folder: Path, *, dry_run: bool,
                     force: bool) -> Plan:
    release = verify_folder(folder)
    repo_id = hub.repo_id(entry.id)
    expected = {"dataset": entry.id, "version": entry.version, "repo_id": repo_id,
                "fingerprint": fingerprint(entry, BuildOptions()), "url": hub.url(repo_id),
                "history": release_history(hub, entry)}
    for key, value in expected.items():
        if getattr(release, key) != value:
            raise VerifyError(
                f"the build in {folder} is not the current build of {entry.id} v"
                f"{entry.version} for {repo_id} ({key} differs)", Where(dataset=entry.id),
                hint=f"run: archive build {entry.id} --hub {hub.name}")
    return publish(hub, repo_id, folder, entry.version, dry_run=dry_run, force=force,
                   verified=True)


def pending(registry: Registry, hub: Hub) -> list[Entry]:
    """Approved entries whose version is not on the hub yet."""
    return [e for e in registry.all() if e.state == "approved" and e.pathway == "open"
            and f"v{e.version}" not in hub.tags(hub.repo_id(e.id))]


def latest_release(hub: Hub, entry: Entry) -> Release:
    """The release on ``main`` of a dataset's repo (what a card-only update re-cards)."""
    repo_id = hub.repo_id(entry.id)
    if hub.head(repo_id) is None:
        raise HubError(f"the dataset has no release on {hub.name} yet",
                       Where(dataset=entry.id), hint=f"run: archive release {entry.id}")
    return Release.from_json(json.loads(hub.read(repo_id, RELEASE_FILE, "main")))


def _as_released(entry: Entry, release: Release) -> Entry:
    """The entry as it was released: today's human sections, the released form (not one
    already edited for the next version)."""
    return replace(entry, form=release.form) if release.form else entry


def render_card(registry: Registry, hub: Hub, dataset_id: str) -> str:
    """The card of a dataset exactly as a card-only update would publish it now."""
    from .card import render

    entry = registry.get(dataset_id)
    release = latest_release(hub, entry)
    return render(release, _as_released(entry, release))


def republish_card(registry: Registry, hub: Hub, dataset_id: str) -> Plan:
    """Render the card again from ``datacards/`` and publish only it (no tag, no data)."""
    from .card import render
    from .croissant import croissant

    entry = registry.get(dataset_id)
    entry.require_releasable()
    repo_id = hub.repo_id(entry.id)
    release = latest_release(hub, entry)
    entry = _as_released(entry, release)
    folder = registry.root / "build" / entry.id / "card"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "README.md").write_text(render(release, entry), encoding="utf-8")
    text = json_text(croissant(release, entry, url=hub.url(repo_id)))
    (folder / "croissant.json").write_text(text, encoding="utf-8")
    return publish_card(hub, repo_id, folder)
