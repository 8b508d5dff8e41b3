"""The Hugging Face Hub, through the real ``huggingface_hub`` client.

The endpoint comes from ``HF_ENDPOINT`` (read when the hub is opened), the token from
``HF_TOKEN`` or the login saved by ``hf auth login``. Every call is retried a bounded
number of times on 429 (honouring ``Retry-After``) and 5xx answers; errors become
:class:`HubError` with the token scrubbed from the message.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import httpx2  # the HTTP client huggingface_hub 2.x is built on
from httpx2 import TransportError
from huggingface_hub import CommitOperationAdd, CommitOperationDelete, HfApi, constants
from huggingface_hub.errors import (
    EntryNotFoundError,
    HfHubHTTPError,
    RepositoryNotFoundError,
    RevisionNotFoundError,
)
from huggingface_hub.hf_api import GitRefs, RepoFile
from huggingface_hub.utils import set_client_factory
from huggingface_hub.utils._http import default_client_factory

from ..errors import HubError, ReleaseExistsError, Where
from .base import Change, Hub, RemoteFile

T = TypeVar("T")
ATTEMPTS = 5
MAX_WAIT = 60.0
TIMEOUT = 120.0
"""Seconds any one read or write on a Hub connection may stall (huggingface_hub has none,
so a stalled connection would hang a release forever); connecting gets at most 15."""
REPO_TYPE = "dataset"


class HfHub(Hub):
    """Dataset repos ``ORG/NAME`` on the Hugging Face Hub (``--hub hf://ORG``)."""

    def __init__(self, org: str, *, endpoint: str | None = None, token: str | None = None,
                 sleep: Callable[[float], None] = time.sleep, attempts: int = ATTEMPTS,
                 timeout: float = TIMEOUT) -> None:
        if not org or "/" in org:
            raise HubError(f"invalid organisation {org!r}", hint="use --hub hf://ORG")
        self.org = org
        self.endpoint = (endpoint or os.environ.get("HF_ENDPOINT")
                         or constants.ENDPOINT).rstrip("/")
        self.token = token or os.environ.get("HF_TOKEN") or None
        self.api = HfApi(endpoint=self.endpoint, token=self.token,
                         library_name="dataset-archive")
        self.name = f"hf://{org}"
        self._sleep = sleep
        self.attempts = attempts
        _use_timeout(timeout)

    def _call(self, what: str, repo_id: str, fn: Callable[[], T]) -> T:
        """Run one Hub call with bounded retries; turn failures into :class:`HubError`.

        Retried: 429 (after ``Retry-After``), 5xx, dropped connections and timeouts, also
        when the client wraps them (an LFS upload failure is a ``RuntimeError``).
        """
        for attempt in range(self.attempts):
            try:
                return fn()
            except (RepositoryNotFoundError, RevisionNotFoundError, EntryNotFoundError):
                raise
            except Exception as exc:
                cause = _network_cause(exc)
                if cause is None:
                    raise
                status = (cause.response.status_code if isinstance(cause, HfHubHTTPError)
                          and cause.response is not None else None)
                retryable = status is None or status == 429 or status >= 500
                if not retryable or attempt == self.attempts - 1:
                    raise HubError(f"{what} failed: {self._scrub(cause)}",
                                   Where(dataset=repo_id),
                                   hint="run the release again; it resumes") from None
                self._sleep(self._wait(cause, attempt))
        raise AssertionError("unreachable")

    @staticmethod
    def _wait(exc: BaseException, attempt: int) -> float:
        response = exc.response if isinstance(exc, HfHubHTTPError) else None
        header = response.headers.get("Retry-After") if response is not None else None
        try:
            wait = float(header) if header else 2.0**attempt
            return min(MAX_WAIT, max(0.0, wait))
        except ValueError:
            return min(MAX_WAIT, 2.0**attempt)

    def _scrub(self, exc: BaseException) -> str:
        text = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        return text.replace(self.token, "***") if self.token else text

    # -- reading ---------------------------------------------------------------------

    def repo_id(self, dataset: str) -> str:
        return f"{self.org}/{dataset}"

    def url(self, repo_id: str) -> str:
        return f"{self.endpoint}/datasets/{repo_id}"

    def repos(self) -> list[str]:
        listed = self._call("listing datasets", self.org,
                            lambda: list(self.api.list_datasets(author=self.org)))
        return sorted(d.id for d in listed)

    def _refs(self, repo_id: str) -> GitRefs | None:
        try:
            return self._call("reading refs", repo_id, lambda: self.api.list_repo_refs(
                repo_id, repo_type=REPO_TYPE))
        except RepositoryNotFoundError:
            return None

    def tags(self, repo_id: str) -> dict[str, str]:
        refs = self._refs(repo_id)
        return {t.name: t.target_commit for t in refs.tags} if refs else {}

    def head(self, repo_id: str) -> str | None:
        refs = self._refs(repo_id)
        if refs is None:
            return None
        return next((b.target_commit for b in refs.branches if b.name == "main"), None)

    def files(self, repo_id: str, revision: str = "main") -> dict[str, RemoteFile] | None:
        try:
            entries = self._call("listing files", repo_id, lambda: list(self.api.list_repo_tree(
                repo_id, recursive=True, revision=revision, repo_type=REPO_TYPE)))
        except RepositoryNotFoundError:
            return None
        except RevisionNotFoundError:
            if revision == "main":
                return {}
            raise HubError(f"no revision {revision!r}", Where(dataset=repo_id)) from None
        return {e.path: RemoteFile(size=e.size, sha256=e.lfs.sha256 if e.lfs else None,
                                   git_sha1=e.blob_id)
                for e in entries if isinstance(e, RepoFile)}

    def read(self, repo_id: str, path: str, revision: str = "main") -> bytes:
        try:
            local = self._call("downloading", repo_id, lambda: self.api.hf_hub_download(
                repo_id, path, revision=revision, repo_type=REPO_TYPE))
        except (RepositoryNotFoundError, RevisionNotFoundError, EntryNotFoundError):
            raise HubError(f"no file {path!r} at {revision}", Where(dataset=repo_id)) from None
        return Path(local).read_bytes()

    def download(self, repo_id: str, revision: str, dest: Path) -> Path:
        try:
            self._call("downloading", repo_id, lambda: self.api.snapshot_download(
                repo_id, revision=revision, repo_type=REPO_TYPE, local_dir=dest))
        except (RepositoryNotFoundError, RevisionNotFoundError):
            raise HubError(f"no revision {revision!r}", Where(dataset=repo_id)) from None
        return dest

    # -- writing ---------------------------------------------------------------------

    def commit(self, repo_id: str, change: Change, message: str, *,
               parent: str | None) -> str:
        if parent is None:
            self._call("creating the repo", repo_id, lambda: self.api.create_repo(
                repo_id, repo_type=REPO_TYPE, private=False, exist_ok=True))
        operations: list[CommitOperationAdd | CommitOperationDelete] = [
            CommitOperationAdd(path_in_repo=p, path_or_fileobj=str(f))
            for p, f in sorted(change.upload.items())]
        operations += [CommitOperationDelete(path_in_repo=p) for p in change.delete]
        info = self._call("committing", repo_id, lambda: self.api.create_commit(
            repo_id, operations, commit_message=message, repo_type=REPO_TYPE,
            parent_commit=parent))
        return info.oid

    def tag(self, repo_id: str, tag: str, commit: str) -> None:
        existing = self.tags(repo_id)
        if tag in existing:
            if existing[tag] == commit:
                return
            raise ReleaseExistsError(f"tag {tag} exists already and is never moved",
                                     Where(dataset=repo_id))
        self._call("tagging", repo_id, lambda: self.api.create_tag(
            repo_id, tag=tag, revision=commit, repo_type=REPO_TYPE))


def _use_timeout(seconds: float) -> None:
    """Make huggingface_hub's shared HTTP client give up on a connection that stalls."""
    def factory() -> httpx2.Client:
        client = default_client_factory()
        client.timeout = httpx2.Timeout(seconds, connect=min(seconds, 15.0))
        return client

    set_client_factory(factory)


def _network_cause(exc: BaseException) -> BaseException | None:
    """The HTTP or network error behind ``exc`` (itself, or what it was raised from)."""
    seen: BaseException | None = exc
    for _ in range(5):
        if seen is None:
            return None
        if isinstance(seen, HfHubHTTPError | TransportError | ConnectionError | TimeoutError):
            return seen
        seen = seen.__cause__ or seen.__context__
    return None
