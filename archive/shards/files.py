"""The one place every written release file passes through: its size and sha256."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any, Self

CHUNK = 1024 * 1024


def sha256_file(path: Path) -> str:
    """Hex sha256 of a file, read in chunks."""
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


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
        rel = path.relative_to(self.root).as_posix()
        entry = FileEntry(rel, path.stat().st_size, sha256_file(path), records)
        self.entries[rel] = entry
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
        if exc_type is None:
            self.close()
        else:
            self.abort()


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
