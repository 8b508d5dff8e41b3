"""Sets and indexes that live in a scratch SQLite file, so memory does not grow with data.

A build checks every record against everything before it: duplicate ids, exact
duplicates, near duplicates. Kept in Python sets and in memory indexes, those grow by
a few hundred bytes to kilobytes per record; kept in a SQLite file (no journal, no
fsync: it is scratch space, deleted with the build), memory stays at SQLite's page cache.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

CACHE_KIB = 16 * 1024


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
