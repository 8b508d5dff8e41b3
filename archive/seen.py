"""Sets and indexes that live in a scratch SQLite file, so memory does not grow with data.

A build checks every record against everything before it: duplicate ids, exact
duplicates, near duplicates. Kept in Python sets and in memory indexes, those grow by
a few hundred bytes to kilobytes per record; kept in a SQLite file (no journal, no
fsync: it is scratch space, deleted with the build), memory stays at SQLite's page cache.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TypeVar

CACHE_KIB = 16 * 1024
MAX_PARAMETERS = 900
"""Values bound in one statement (SQLite allows at least 999)."""
T = TypeVar("T")


def scratch(path: Path | None) -> sqlite3.Connection:
    """A SQLite connection for scratch data: at ``path``, or in memory when ``None``."""
    db = sqlite3.connect(":memory:" if path is None else str(path), isolation_level=None)
    db.execute("PRAGMA journal_mode=OFF")
    db.execute("PRAGMA synchronous=OFF")
    db.execute(f"PRAGMA cache_size=-{CACHE_KIB}")
    db.execute("PRAGMA temp_store=FILE")
    db.execute("BEGIN")
    return db


@contextmanager
def scratch_file(path: Path) -> Iterator[sqlite3.Connection]:
    """A scratch database at ``path``: whatever a killed run left there is removed first,
    and the file is deleted afterwards."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.unlink(missing_ok=True)
    db = scratch(path)
    try:
        yield db
    finally:
        db.close()
        path.unlink(missing_ok=True)


class SeenSet:
    """``add`` says whether a value was seen before; values are kept in SQLite."""

    def __init__(self, db: sqlite3.Connection, name: str) -> None:
        if not name.isidentifier():
            raise ValueError(f"bad table name {name!r}")
        self.db, self.name = db, name
        db.execute(f"CREATE TABLE IF NOT EXISTS {name} (value BLOB PRIMARY KEY) WITHOUT ROWID")

    def add(self, value: bytes | str) -> bool:
        """Remember ``value``; True when it was there already."""
        cursor = self.db.execute(f"INSERT OR IGNORE INTO {self.name} VALUES (?)", (value,))
        return cursor.rowcount == 0

    def add_many(self, values: Sequence[bytes | str]) -> list[bool]:
        """:meth:`add` for each value in order, in a few statements."""
        before: set[bytes | str] = set()
        for chunk in chunks(list(set(values)), MAX_PARAMETERS):
            before.update(v for (v,) in self.db.execute(
                f"SELECT value FROM {self.name} WHERE value IN ({', '.join('?' * len(chunk))})",
                chunk))
        seen = []
        for value in values:
            seen.append(value in before)
            before.add(value)
        self.db.executemany(f"INSERT OR IGNORE INTO {self.name} VALUES (?)",
                            [(v,) for v in dict.fromkeys(values)])
        return seen


def chunks(items: Sequence[T], size: int) -> Iterator[Sequence[T]]:
    """Consecutive slices of ``items`` of at most ``size``."""
    for start in range(0, len(items), size):
        yield items[start:start + size]
