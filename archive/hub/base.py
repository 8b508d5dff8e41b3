"""The interface every hub offers, so site, verify and card updates work with either."""

from __future__ import annotations

import hashlib
from abc import ABC, abstractmethod
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from pathlib import Path

from ..shards.files import sha256_file


@dataclass(frozen=True)
class RemoteFile:
    """A file on a hub: its size and the digest the hub knows it by.

    ``sha256`` is known for every file of a local hub and for LFS files on the Hugging
    Face Hub; small regular files there are known by their git blob id (``git_sha1``).
    """

    size: int
    sha256: str | None = None
    git_sha1: str | None = None

    def matches(self, path: Path) -> bool:
        """True when the local file ``path`` has the same content."""
        if path.stat().st_size != self.size:
            return False
        if self.sha256 is not None:
            return sha256_file(path) == self.sha256
        return git_blob_sha1(path.read_bytes()) == self.git_sha1


def git_blob_sha1(data: bytes) -> str:
    """The git object id of a blob with this content."""
    return hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()


@dataclass(frozen=True)
class Change:
    """What a commit does: files to add or change (local paths) and paths to delete."""

    upload: dict[str, Path]
    delete: list[str]

    @property
    def empty(self) -> bool:
        return not self.upload and not self.delete


class Hub(ABC):
    """A place releases are published to: repos with commits on ``main`` and tags."""

    name: str

    @abstractmethod
    def repo_id(self, dataset: str) -> str:
        """The repo id of a dataset on this hub, ``ORG/DATASET``."""

    @abstractmethod
    def url(self, repo_id: str) -> str:
        """Where people find the repo."""

    @abstractmethod
    def repos(self) -> list[str]:
        """Every dataset repo on this hub."""

    @abstractmethod
    def tags(self, repo_id: str) -> dict[str, str]:
        """Tag name -> commit id; empty when the repo does not exist."""

    @abstractmethod
    def files(self, repo_id: str, revision: str = "main") -> dict[str, RemoteFile] | None:
        """The files at a revision, or None when the repo does not exist."""

    @abstractmethod
    def head(self, repo_id: str) -> str | None:
        """The commit id of ``main``, or None."""

    @abstractmethod
    def commit(self, repo_id: str, change: Change, message: str, *,
               parent: str | None) -> str:
        """Apply ``change`` to ``main`` as one commit on top of ``parent``; return its id."""

    @abstractmethod
    def tag(self, repo_id: str, tag: str, commit: str) -> None:
        """Create a tag; an existing tag is never moved."""

    @abstractmethod
    def read(self, repo_id: str, path: str, revision: str = "main") -> bytes:
        """The content of one file at a revision."""

    @abstractmethod
    def download(self, repo_id: str, revision: str, dest: Path) -> Path:
        """Put every file of a revision under ``dest``; return the folder."""

    def lock(self, repo_id: str) -> AbstractContextManager[None]:
        """Held while publishing to a repo, so two maintainers cannot interleave."""
        return nullcontext()

    def recover(self, repo_id: str) -> None:
        """Finish or undo what an interrupted writer left behind (nothing, by default:
        a remote hub's commits are atomic on the server)."""
        return None
