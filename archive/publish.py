"""Publish a built release to a hub: one commit, one tag, nothing half-made.

The plan compares the release folder with ``main`` on the hub: files whose content
the hub has already are not sent again, files the new version no longer has are
deleted, and an existing tag is never moved.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from .errors import HubError, ReleaseExistsError, Where
from .hub.base import Change, Hub, RemoteFile
from .release import CARD_FILE, CROISSANT_FILE, RELEASE_FILE
from .verify import release_files, verify_folder

KEEP = (".gitattributes",)
"""Files a hub makes itself; never deleted by a release."""

MAX_FILE_BYTES = 50 * 1000**3
MAX_FILES_PER_FOLDER = 10_000
MAX_FILES_PER_COMMIT = 20_000
"""The Hub's limits (files above 50 GB are refused; folders and commits with more files
than these hit its rate limits). A plan beyond them is refused before anything is sent."""


@dataclass
class Plan:
    """What publishing would do."""

    repo_id: str
    tag: str
    message: str
    add: list[tuple[str, int]] = field(default_factory=list)
    change: list[tuple[str, int]] = field(default_factory=list)
    delete: list[str] = field(default_factory=list)
    unchanged: int = 0
    already_published: bool = False

    @property
    def upload_bytes(self) -> int:
        return sum(size for _, size in self.add + self.change)

    def lines(self) -> list[str]:
        """The plan as lines a maintainer reads."""
        if self.already_published:
            return [f"{self.repo_id} {self.tag} is already published; nothing to do"]
        then = f", then tag {self.tag}" if self.tag else " (no tag)"
        out = [f"{self.repo_id}: commit {self.message!r}{then}"]
        out += [f"  add     {p} ({n:,} bytes)" for p, n in self.add]
        out += [f"  change  {p} ({n:,} bytes)" for p, n in self.change]
        out += [f"  delete  {p}" for p in self.delete]
        out.append(f"  {self.unchanged} file(s) unchanged; {self.upload_bytes:,} bytes to send")
        return out


def _diff(local: dict[str, Path], remote: dict[str, RemoteFile], only: set[str] | None = None
          ) -> tuple[dict[str, Path], list[str], list[str], int]:
    upload, changed, unchanged = {}, [], 0
    for path, file in local.items():
        if only is not None and path not in only:
            continue
        theirs = remote.get(path)
        if theirs is not None and theirs.matches(file):
            unchanged += 1
            continue
        upload[path] = file
        if theirs is not None:
            changed.append(path)
    deletes = [] if only is not None else sorted(
        p for p in remote if p not in local and p not in KEEP)
    return upload, changed, deletes, unchanged


def check_limits(repo_id: str, local: dict[str, Path]) -> None:
    """Refuse a release the Hub would refuse or throttle, before the first byte is sent."""
    folders: dict[str, int] = {}
    for path, file in local.items():
        if file.stat().st_size > MAX_FILE_BYTES:
            raise HubError(f"{path} is larger than the Hub's {MAX_FILE_BYTES:,} bytes per file",
                           Where(dataset=repo_id), hint="use smaller shards")
        parent = path.rpartition("/")[0]
        folders[parent] = folders.get(parent, 0) + 1
    crowded = [f for f, n in folders.items() if n > MAX_FILES_PER_FOLDER]
    if crowded:
        raise HubError(f"folder {crowded[0] or '/'} would hold more than "
                       f"{MAX_FILES_PER_FOLDER:,} files", Where(dataset=repo_id),
                       hint="use larger shards")
    if len(local) > MAX_FILES_PER_COMMIT:
        raise HubError(f"{len(local):,} files in one release; at most {MAX_FILES_PER_COMMIT:,}",
                       Where(dataset=repo_id), hint="use larger shards")


def plan(hub: Hub, repo_id: str, folder: Path, version: str, *, parent: str | None,
         force: bool = False) -> tuple[Plan, Change]:
    """Plan the publication of ``folder`` as version ``version`` on top of ``parent``.

    The plan is made against the files of ``parent`` itself, the commit that will be
    the new commit's parent, so a push by someone else in between is refused by the hub
    instead of being mixed into this release.
    """
    tag = f"v{version}"
    local = release_files(folder)
    check_limits(repo_id, local)
    tags = hub.tags(repo_id)
    result = Plan(repo_id, tag, f"Release {tag}")
    if tag in tags:
        published = hub.files(repo_id, tag) or {}
        upload, _, deletes, _ = _diff(local, published)
        if upload or deletes:
            raise ReleaseExistsError(
                f"{tag} is already published with different content; releases are immutable",
                Where(dataset=repo_id), hint="set a new version in the entry and release again")
        result.already_published = True
        return result, Change({}, [])
    remote = (hub.files(repo_id, parent) or {}) if parent else {}
    foreign = [p for p in remote if p not in KEEP]
    if foreign and RELEASE_FILE not in remote and not force:
        raise HubError("the repo exists and was not made by the archive; it is left alone",
                       Where(dataset=repo_id), hint="pass --force to publish over it")
    upload, changed, deletes, unchanged = _diff(local, remote)
    result.add = [(p, f.stat().st_size) for p, f in upload.items() if p not in changed]
    result.change = [(p, upload[p].stat().st_size) for p in changed]
    result.delete, result.unchanged = deletes, unchanged
    return result, Change(upload, deletes)


def publish(hub: Hub, repo_id: str, folder: Path, version: str, *,
            dry_run: bool = False, force: bool = False, verified: bool = False) -> Plan:
    """Verify ``folder`` (unless the caller just did: ``verified``), then publish it as one
    commit on ``main`` and the tag ``vVERSION``."""
    if not verified:
        verify_folder(folder)
    with hub.lock(repo_id):
        parent = hub.head(repo_id)
        result, change = plan(hub, repo_id, folder, version, parent=parent, force=force)
        if dry_run or result.already_published:
            return result
        commit = parent
        if not change.empty or parent is None:
            commit = hub.commit(repo_id, change, result.message, parent=parent)
        if commit is None:
            raise HubError("nothing to tag", Where(dataset=repo_id))
        hub.tag(repo_id, result.tag, commit)
    return result


def publish_card(hub: Hub, repo_id: str, folder: Path) -> Plan:
    """Publish only the card (and Croissant when it changed): a commit on ``main``, no tag."""
    with hub.lock(repo_id):
        parent = hub.head(repo_id)
        remote = hub.files(repo_id, parent) if parent else None
        if remote is None:
            raise HubError("the dataset has no release on this hub yet", Where(dataset=repo_id),
                           hint="release it first")
        local = release_files(folder)
        upload, changed, _, unchanged = _diff(local, remote, only={CARD_FILE, CROISSANT_FILE})
        result = Plan(repo_id, "", "Update dataset card",
                      change=[(p, upload[p].stat().st_size) for p in changed],
                      add=[(p, upload[p].stat().st_size) for p in upload if p not in changed],
                      unchanged=unchanged)
        if upload:
            hub.commit(repo_id, Change(upload, []), result.message, parent=parent)
        else:
            result.already_published = True
    return result
