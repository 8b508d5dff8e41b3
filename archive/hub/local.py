"""A hub in a local directory, with the same model as the Hub: commits, ``main``, tags.

Layout of ``HUB/ORG/NAME/``::

    objects/AB/ABCD...        file contents, by sha256 (written once, never changed)
    commits/ID.json           parent, message, and path -> {sha256, size} of every file
    trees/ID/                 each commit's files, hard links into objects/ (read-only)
    refs.json                 {"main": ID, "tags": {"v1.0.0": ID}}: the truth
    main, v1.0.0              symlinks to trees/ID, for people and ``load_dataset(PATH)``

A commit becomes visible only when ``refs.json`` is replaced (one ``os.replace``), so a
crash at any point leaves the hub as it was; leftovers (``*.partial``) are removed by the
next writer. A file lock serialises writers.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from ..diskio import fsync_path, fsync_tree, write_atomic
from ..errors import HubError, ReleaseExistsError, Where
from ..locks import file_lock
from ..shards.files import json_text, sha256_file
from .base import Change, Hub, RemoteFile


class LocalHub(Hub):
    """A hub in a directory (``--hub PATH``)."""

    def __init__(self, root: Path, org: str) -> None:
        self.root = root.resolve()
        self.org = org
        self.name = str(root)

    def repo_id(self, dataset: str) -> str:
        return f"{self.org}/{dataset}"

    def url(self, repo_id: str) -> str:
        """A relative reference (``ORG/NAME``): a local hub has no public address, and an
        absolute path would put the maintainer's folders into published metadata."""
        return repo_id

    def _repo(self, repo_id: str) -> Path:
        org, _, name = repo_id.partition("/")
        if not org or not name or "/" in name or name.startswith(".") or org.startswith("."):
            raise HubError(f"invalid repo id {repo_id!r}", hint="expected ORG/NAME")
        return self.root / org / name

    def repos(self) -> list[str]:
        if not self.root.is_dir():
            return []
        return sorted(f"{p.parent.parent.name}/{p.parent.name}"
                      for p in self.root.glob("*/*/refs.json"))

    def _refs(self, repo_id: str) -> dict[str, Any] | None:
        path = self._repo(repo_id) / "refs.json"
        if not path.is_file():
            return None
        return json.loads(path.read_text(encoding="utf-8"))

    def tags(self, repo_id: str) -> dict[str, str]:
        refs = self._refs(repo_id)
        return dict(refs["tags"]) if refs else {}

    def head(self, repo_id: str) -> str | None:
        refs = self._refs(repo_id)
        return refs["main"] if refs else None

    def _resolve(self, repo_id: str, revision: str) -> str | None:
        refs = self._refs(repo_id)
        if refs is None:
            return None
        if revision == "main":
            return refs["main"]
        if revision in refs["tags"]:
            return refs["tags"][revision]
        if (self._repo(repo_id) / "commits" / f"{revision}.json").is_file():
            return revision
        raise HubError(f"no revision {revision!r}", Where(dataset=repo_id))

    def _commit_doc(self, repo_id: str, commit: str) -> dict[str, Any]:
        path = self._repo(repo_id) / "commits" / f"{commit}.json"
        return json.loads(path.read_text(encoding="utf-8"))

    def files(self, repo_id: str, revision: str = "main") -> dict[str, RemoteFile] | None:
        commit = self._resolve(repo_id, revision)
        if commit is None:
            return None
        return {p: RemoteFile(size=f["size"], sha256=f["sha256"])
                for p, f in self._commit_doc(repo_id, commit)["files"].items()}

    def history(self, repo_id: str) -> list[dict[str, Any]]:
        """Commits on ``main``, newest first."""
        out, commit = [], self.head(repo_id)
        while commit:
            doc = self._commit_doc(repo_id, commit)
            out.append(doc)
            commit = doc["parent"]
        return out

    def commit(self, repo_id: str, change: Change, message: str, *,
               parent: str | None) -> str:
        repo = self._repo(repo_id)
        if self.head(repo_id) != parent:
            raise HubError("main moved since the release was planned; run it again",
                           Where(dataset=repo_id))
        files = {}
        if parent:
            files = dict(self._commit_doc(repo_id, parent)["files"])
        for path in change.delete:
            files.pop(path, None)
        for path, local in sorted(change.upload.items()):
            files[path] = {"sha256": self._store(repo, local), "size": local.stat().st_size}
        doc = {"parent": parent, "message": message, "files": dict(sorted(files.items()))}
        commit = hashlib.sha256(json.dumps(doc, sort_keys=True).encode()).hexdigest()[:40]
        doc["id"] = commit
        self._materialise(repo, commit, doc)
        _write_json(repo / "commits" / f"{commit}.json", doc)
        refs = self._refs(repo_id) or {"main": None, "tags": {}}
        refs["main"] = commit
        _write_json(repo / "refs.json", refs)
        self._link(repo, "main", commit)
        return commit

    def tag(self, repo_id: str, tag: str, commit: str) -> None:
        if not re.fullmatch(r"v[0-9]+\.[0-9]+\.[0-9]+", tag):
            raise HubError(f"invalid tag {tag!r}", Where(dataset=repo_id),
                           hint="release tags are vX.Y.Z")
        repo = self._repo(repo_id)
        refs = self._refs(repo_id)
        if refs is None:
            raise HubError("no such repo", Where(dataset=repo_id))
        if tag in refs["tags"]:
            if refs["tags"][tag] == commit:
                return
            raise ReleaseExistsError(f"tag {tag} exists already and is never moved",
                                     Where(dataset=repo_id))
        refs["tags"][tag] = commit
        _write_json(repo / "refs.json", refs)
        self._link(repo, tag, commit)

    def read(self, repo_id: str, path: str, revision: str = "main") -> bytes:
        files = self.files(repo_id, revision)
        if files is None or path not in files:
            raise HubError(f"no file {path!r} at {revision}", Where(dataset=repo_id))
        return self._object(self._repo(repo_id), files[path].sha256 or "").read_bytes()

    def download(self, repo_id: str, revision: str, dest: Path) -> Path:
        files = self.files(repo_id, revision)
        if files is None:
            raise HubError("no such repo", Where(dataset=repo_id))
        for path, remote in files.items():
            target = dest / path
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(self._object(self._repo(repo_id), remote.sha256 or ""), target)
        return dest

    def tree(self, repo_id: str, revision: str = "main") -> Path:
        """The folder holding a revision's files (read-only)."""
        commit = self._resolve(repo_id, revision)
        if commit is None:
            raise HubError("no such repo", Where(dataset=repo_id))
        return self._repo(repo_id) / "trees" / commit

    @contextmanager
    def lock(self, repo_id: str) -> Iterator[None]:
        repo = self._repo(repo_id)
        with file_lock(repo / ".lock", dataset=repo_id, what="publishing to"):
            self._clean(repo)
            yield

    def recover(self, repo_id: str) -> None:
        """Remove leftovers of a killed writer and restore missing symlinks, so a release
        that is already complete is also whole on disk."""
        if (self._repo(repo_id) / "refs.json").is_file():
            with self.lock(repo_id):
                pass

    # -- storage -------------------------------------------------------------------

    def _object(self, repo: Path, sha256: str) -> Path:
        return repo / "objects" / sha256[:2] / sha256

    def _store(self, repo: Path, local: Path) -> str:
        digest = sha256_file(local)
        target = self._object(repo, digest)
        if not target.exists():
            target.parent.mkdir(parents=True, exist_ok=True)
            partial = target.with_name(target.name + ".partial")
            shutil.copyfile(local, partial)
            fsync_path(partial)
            os.chmod(partial, 0o444)
            os.replace(partial, target)
            fsync_path(target.parent)
        return digest

    def _materialise(self, repo: Path, commit: str, doc: dict[str, Any]) -> None:
        tree = repo / "trees" / commit
        if tree.is_dir():
            return
        partial = tree.with_name(commit + ".partial")
        shutil.rmtree(partial, ignore_errors=True)
        for path, f in doc["files"].items():
            target = partial / path
            target.parent.mkdir(parents=True, exist_ok=True)
            try:
                os.link(self._object(repo, f["sha256"]), target)
            except OSError:
                shutil.copyfile(self._object(repo, f["sha256"]), target)
        partial.mkdir(parents=True, exist_ok=True)
        fsync_tree(partial)
        os.replace(partial, tree)
        fsync_path(tree.parent)

    def _link(self, repo: Path, name: str, commit: str) -> None:
        link = repo / name
        tmp = repo / f".{name}.partial"
        if tmp.is_symlink() or tmp.exists():
            tmp.unlink()
        os.symlink(Path("trees") / commit, tmp)
        os.replace(tmp, link)

    def _clean(self, repo: Path) -> None:
        """Remove what an interrupted writer left, and restore the symlinks from refs."""
        for partial in repo.rglob("*.partial"):
            if partial.is_dir() and not partial.is_symlink():
                shutil.rmtree(partial, ignore_errors=True)
            else:
                partial.unlink(missing_ok=True)
        refs_path = repo / "refs.json"
        if refs_path.is_file():
            refs = json.loads(refs_path.read_text(encoding="utf-8"))
            for name, commit in [("main", refs["main"]), *refs["tags"].items()]:
                link = repo / name
                if not link.is_symlink() or os.readlink(link) != str(Path("trees") / commit):
                    self._link(repo, name, commit)


def _write_json(path: Path, document: dict[str, Any]) -> None:
    write_atomic(path, json_text(document))
