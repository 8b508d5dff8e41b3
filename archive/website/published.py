"""What the site shows, read from the hub: the latest release of every open dataset.

Only what is published reaches the site: ``release.json`` and ``README.md`` from the hub,
never the partner's files nor ``.archive/private``. A dataset is listed when it has a
tagged release on the hub and an entry under ``datacards/`` on the open pathway.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from ..entries import Entry, Registry, version_key
from ..errors import ArchiveError, HubError, Where
from ..hub import Hub
from ..licenses import is_open
from ..records import SPLITS
from ..release import CARD_FILE, RELEASE_FILE, Release


@dataclass(frozen=True)
class Version:
    """One tagged release of a dataset, summarised for the history table."""

    version: str
    tag: str
    records: dict[str, int]
    languages: list[str]
    license: str
    title: str
    files: dict[str, str]
    """Path -> sha256 of every data file."""


@dataclass
class Published:
    """A dataset as the site shows it: its latest release, card and version history."""

    release: Release
    card: str
    tag: str
    url: str
    versions: list[Version] = field(default_factory=list)
    card_updated: bool = False
    """True when the card on ``main`` is newer than the tag's (a card-only fix)."""

    @property
    def id(self) -> str:
        return self.release.dataset

    @property
    def date(self) -> str:
        """The approval date (``YYYY-MM-DD``), the one date a release records."""
        return str(self.release.approval.get("at", ""))[:10]


@dataclass(frozen=True)
class Skipped:
    """A repo on the hub the site leaves out, and why."""

    repo_id: str
    reason: str


def _split_key(name: str) -> tuple[int, str]:
    return (SPLITS.index(name) if name in SPLITS else len(SPLITS), name)


def ordered_splits(release: Release) -> list[str]:
    """Split names in reading order: train, validation, test, then any other by name."""
    return sorted(release.splits, key=_split_key)


def _release(hub: Hub, repo_id: str, revision: str) -> dict[str, Any]:
    try:
        document = json.loads(hub.read(repo_id, RELEASE_FILE, revision))
    except (ValueError, UnicodeDecodeError) as exc:
        raise HubError(f"{RELEASE_FILE} at {revision} is not JSON: {exc}",
                       Where(dataset=repo_id)) from None
    if not isinstance(document, dict):
        raise HubError(f"{RELEASE_FILE} at {revision} is not an object", Where(dataset=repo_id))
    return document


def _version(tag: str, document: dict[str, Any]) -> Version:
    return Version(
        version=str(document["version"]), tag=tag,
        records={name: int(document["splits"][name]["records"])
                 for name in sorted(document["splits"], key=_split_key)},
        languages=list(document.get("languages", [])), license=str(document["license"]),
        title=str(document["title"]),
        files={f["path"]: f["sha256"] for f in document.get("files", [])})


def load_dataset_info(hub: Hub, repo_id: str) -> Published | None:
    """Read a repo's latest tagged release, its card and every earlier version."""
    tags = sorted((t for t in hub.tags(repo_id) if version_key(t) != (-1,)), key=version_key)
    if not tags:
        return None
    latest = tags[-1]
    documents = {tag: _release(hub, repo_id, tag) for tag in tags}
    try:
        release = Release.from_json(documents[latest])
    except (KeyError, TypeError) as exc:
        raise HubError(f"{RELEASE_FILE} at {latest} is malformed: missing {exc}",
                       Where(dataset=repo_id)) from None
    card_revision, card_updated = latest, False
    at_tag, at_main = hub.files(repo_id, latest) or {}, hub.files(repo_id, "main") or {}
    metadata = (CARD_FILE, "croissant.json")
    if ({f: r for f, r in at_main.items() if f not in metadata}
            == {f: r for f, r in at_tag.items() if f not in metadata}):
        card_revision = "main"
        card_updated = at_main.get(CARD_FILE) != at_tag.get(CARD_FILE)
    card = hub.read(repo_id, CARD_FILE, card_revision).decode("utf-8", errors="replace")
    return Published(release=release, card=card, tag=latest, url=hub.url(repo_id),
                     versions=[_version(t, documents[t]) for t in tags],
                     card_updated=card_updated)


def collect(registry: Registry, hub: Hub) -> tuple[list[Published], list[Skipped]]:
    """Every dataset the site may list, sorted by id, and the repos it leaves out."""
    entries: dict[str, Entry] = {}
    unreadable: dict[str, str] = {}
    for dataset_id in registry.ids():
        try:
            entries[hub.repo_id(dataset_id)] = registry.get(dataset_id)
        except ArchiveError as exc:
            unreadable[hub.repo_id(dataset_id)] = f"its entry cannot be read: {exc}"
    listed: list[Published] = []
    skipped: list[Skipped] = []
    for repo_id in hub.repos():
        entry = entries.get(repo_id)
        if entry is None:
            skipped.append(Skipped(repo_id, unreadable.get(repo_id,
                                                           "no dataset entry under datacards/")))
            continue
        if entry.pathway != "open":
            skipped.append(Skipped(repo_id, "the entry is not on the open pathway"))
            continue
        try:
            published = load_dataset_info(hub, repo_id)
        except HubError as exc:
            skipped.append(Skipped(repo_id, f"its release cannot be read: {exc}"))
            continue
        if published is None:
            skipped.append(Skipped(repo_id, "no tagged release"))
        elif not is_open(published.release.license):
            skipped.append(Skipped(repo_id, f"licence {published.release.license} is not open"))
        elif published.release.dataset != entry.id:
            skipped.append(Skipped(repo_id, "release.json names another dataset"))
        else:
            listed.append(published)
    return sorted(listed, key=lambda p: p.id), skipped
