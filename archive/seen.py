"""Sets and indexes that live in a scratch SQLite file, so memory does not grow with data.

A build checks every record against everything before it: duplicate ids, exact
duplicates, near duplicates. Kept in Python sets and in memory indexes, those grow by
a few hundred bytes to kilobytes per record; kept in a SQLite file (no journal, no
fsync: it is scratch space, deleted with the build), memory stays at SQLite's page cache.

Once the index outgrows that cache, each random lookup and insert reads pages back:
at 300,000 records a record cost 86 µs instead of 31. So a fixed-size :class:`Bloom`
filter answers "certainly new" for almost every lookup without SQLite, and new values
wait in a bounded buffer that goes to SQLite sorted, touching each page once per flush
(inserts 4 times cheaper at that size).
"""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

import numpy as np

CACHE_KIB = 16 * 1024
MAX_PARAMETERS = 900
"""Values bound in one statement (SQLite allows at least 999)."""
FLUSH_ROWS = 131_072
"""New rows buffered in memory before they go to SQLite, sorted."""
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


class Bloom:
    """A fixed-size Bloom filter over 64-bit hashes, three bits each, in numpy.

    ``2 ** log2_bits`` bits: 2**26 (8 MB) keeps false positives under 1% up to about
    4 million values, 2**28 (32 MB) up to 16 million.
    """

    def __init__(self, log2_bits: int) -> None:
        self.bits = np.zeros(1 << (log2_bits - 3), np.uint8)
        self.mask = np.uint64((1 << log2_bits) - 1)

    def _positions(self, hashes: np.ndarray) -> list[np.ndarray]:
        return [(hashes >> np.uint64(shift)) & self.mask for shift in (0, 18, 36)]

    def add(self, hashes: np.ndarray) -> None:
        """Remember 64-bit ``hashes`` (uint64)."""
        if not len(hashes):
            return
        positions = np.unique(np.concatenate(self._positions(hashes)))
        index = positions >> np.uint64(3)
        bits = np.left_shift(1, positions & np.uint64(7)).astype(np.uint8)
        starts = np.flatnonzero(np.r_[True, index[1:] != index[:-1]])
        self.bits[index[starts]] |= np.bitwise_or.reduceat(bits, starts)

    def maybe(self, hashes: np.ndarray) -> np.ndarray:
        """False where a hash was certainly never added."""
        found = np.ones(len(hashes), bool)
        for position in self._positions(hashes):
            found &= ((self.bits[position >> np.uint64(3)] >> (position & np.uint64(7)))
                      & 1).astype(bool)
        return found


def hash64(values: Iterable[bytes | str]) -> np.ndarray:
    """A 64-bit BLAKE2b hash of each value (strings as UTF-8), as uint64."""
    return np.fromiter((int.from_bytes(hashlib.blake2b(
        v.encode("utf-8") if isinstance(v, str) else v, digest_size=8).digest(), "little")
        for v in values), np.uint64)


class SeenSet:
    """``add`` says whether a value was seen before; values are kept in SQLite, behind a
    Bloom filter and a bounded buffer of new values."""

    def __init__(self, db: sqlite3.Connection, name: str, log2_bits: int = 26) -> None:
        if not name.isidentifier():
            raise ValueError(f"bad table name {name!r}")
        self.db, self.name = db, name
        db.execute(f"CREATE TABLE IF NOT EXISTS {name} (value BLOB PRIMARY KEY) WITHOUT ROWID")
        self.bloom = Bloom(log2_bits)
        self.pending: set[bytes | str] = set()

    def add(self, value: bytes | str) -> bool:
        """Remember ``value``; True when it was there already."""
        return self.add_many([value])[0]

    def add_many(self, values: Sequence[bytes | str]) -> list[bool]:
        """:meth:`add` for each value in order, in a few statements."""
        hashes = hash64(values)
        maybe = {v for v, m in zip(values, self.bloom.maybe(hashes), strict=True) if m}
        before = {v for v in maybe if v in self.pending}
        before.update(v for (v,) in select_in(self.db, f"SELECT value FROM {self.name} "
                                              "WHERE value IN ({})", sorted(maybe - before)))
        seen = []
        for value in values:
            seen.append(value in before)
            before.add(value)
        self.bloom.add(hashes)
        self.pending.update(values)
        if len(self.pending) >= FLUSH_ROWS:
            self.flush()
        return seen

    def flush(self) -> None:
        """Write the buffered values to SQLite, sorted."""
        self.db.executemany(f"INSERT OR IGNORE INTO {self.name} VALUES (?)",
                            [(v,) for v in sorted(self.pending)])  # type: ignore[type-var]
        self.pending.clear()


def select_in(db: sqlite3.Connection, query: str, values: Sequence[T]) -> Iterator[Any]:
    """The rows of ``query`` (whose ``IN ({})`` takes the values) for all ``values``, asked
    in chunks of at most :data:`MAX_PARAMETERS`."""
    for start in range(0, len(values), MAX_PARAMETERS):
        chunk = values[start:start + MAX_PARAMETERS]
        yield from db.execute(query.format(", ".join("?" * len(chunk))), chunk)
