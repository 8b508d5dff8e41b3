"""The one place every written release file passes through: its size and sha256."""

from __future__ import annotations

import hashlib
import json
from collections import deque
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any, Self


def sha256_file(path: Path) -> str:
    """Hex sha256 of a file, read in pieces."""
    with open(path, "rb") as f:
        return hashlib.file_digest(f, "sha256").hexdigest()


class HashingFile:
    """A file opened for writing that hashes what passes through it, so a shard's
    sha256 is known when it closes, without reading it back. ``pyarrow`` writes to it
    as to any Python file."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._file = open(path, "wb")  # noqa: SIM115 - closed in close()
        self._digest = hashlib.sha256()
        self.size = 0

    def write(self, data: bytes | memoryview) -> int:
        self._digest.update(data)
        self.size += len(data)
        return self._file.write(data)

    def tell(self) -> int:
        return self.size

    def flush(self) -> None:
        self._file.flush()

    @property
    def closed(self) -> bool:
        return self._file.closed

    def writable(self) -> bool:
        return True

    def close(self) -> None:
        self._file.close()

    def hexdigest(self) -> str:
        return self._digest.hexdigest()


class Background:
    """Runs calls one after another, in the order given, in one thread beside the caller,
    with at most ``depth`` of them waiting or running. Zstd compression, hashing and
    writing let go of Python's lock, so shards are written on another core while the
    caller makes the next records; the order, and so every byte, stays the same. A call's
    error is raised by the first :meth:`submit` after it ended, or by :meth:`wait` or
    :meth:`close`."""

    def __init__(self, depth: int) -> None:
        self.depth = depth
        self._pool = ThreadPoolExecutor(1, thread_name_prefix="archive-shards")
        self._pending: deque[Future[Any]] = deque()

    def submit(self, call: Callable[..., Any], *args: Any, **kwargs: Any) -> None:
        """Run ``call(*args, **kwargs)`` after the calls before it (first waiting until
        fewer than ``depth`` are waiting or running, and raising the error of one that
        ended)."""
        while self._pending and (len(self._pending) >= self.depth or self._pending[0].done()):
            self._pending.popleft().result()
        self._pending.append(self._pool.submit(call, *args, **kwargs))

    def wait(self) -> None:
        """Wait until every call has run; raise the first error."""
        while self._pending:
            self._pending.popleft().result()

    def close(self) -> None:
        """:meth:`wait`, then stop the thread."""
        try:
            self.wait()
        finally:
            self.abandon()

    def abandon(self) -> None:
        """Drop the calls not started, wait for the running one (its error ignored: the
        shards are thrown away) and stop the thread."""
        self._pending.clear()
        self._pool.shutdown(wait=True, cancel_futures=True)


@dataclass(frozen=True)
class FileEntry:
    """One written file: its path inside the release, size, sha256 and record count."""

    path: str
    size: int
    sha256: str
    records: int | None = None


class FileLog:
    """Records every file written into a release folder (``file_visitor`` style)."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.entries: dict[str, FileEntry] = {}

    def add(self, path: Path, records: int | None = None) -> FileEntry:
        """Hash a finished file and record it; the path is stored relative to the root."""
        return self._record(FileEntry(self._relative(path), path.stat().st_size,
                                      sha256_file(path), records))

    def add_hashed(self, written: HashingFile, records: int | None = None) -> FileEntry:
        """Record a file written (and closed) through a :class:`HashingFile`."""
        written.close()
        return self._record(FileEntry(self._relative(written.path), written.size,
                                      written.hexdigest(), records))

    def _relative(self, path: Path) -> str:
        return path.relative_to(self.root).as_posix()

    def _record(self, entry: FileEntry) -> FileEntry:
        self.entries[entry.path] = entry
        return entry

    def write_text(self, rel: str, text: str, records: int | None = None) -> FileEntry:
        """Write a UTF-8 text file (LF line ends) into the release and record it."""
        path = self.root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(text.encode("utf-8"))
        return self.add(path, records)

    def write_json(self, rel: str, document: Any) -> FileEntry:
        """Write a JSON document with sorted keys, so the same data gives the same bytes."""
        return self.write_text(rel, json_text(document))

    def sorted(self, prefix: str = "") -> list[FileEntry]:
        return [e for p, e in sorted(self.entries.items()) if p.startswith(prefix)]


def json_text(document: Any) -> str:
    """The archive's one JSON layout: sorted keys, 2-space indent, UTF-8, final newline."""
    return json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


class ShardWriter:
    """A context manager that finishes its shards on success and abandons them on error.

    Subclasses define ``close()`` (finish, return the files) and ``abort()`` (close open
    handles only: the build folder is thrown away).
    """

    def close(self) -> list[FileEntry]:
        raise NotImplementedError

    def abort(self) -> None:
        raise NotImplementedError

    def __enter__(self) -> Self:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        if exc_type is not None:
            self.abort()
            return
        try:
            self.close()
        except BaseException:
            self.abort()
            raise


def sha256sums(entries: list[FileEntry]) -> str:
    """The text of a ``SHA256SUMS`` file that ``sha256sum -c`` checks."""
    return "".join(f"{e.sha256}  {e.path}\n" for e in sorted(entries, key=lambda e: e.path))


def parse_sha256sums(text: str) -> dict[str, str]:
    """Parse ``SHA256SUMS`` text into ``{path: sha256}``."""
    out = {}
    for line in text.splitlines():
        if line.strip():
            digest, _, path = line.partition("  ")
            out[path.lstrip("*")] = digest
    return out
