"""Sets and indexes that live in a scratch SQLite file, so memory does not grow with data.

A build checks every record against everything before it: duplicate ids, exact
duplicates, near duplicates. Kept in Python sets and in memory indexes, those grow by
a few hundred bytes to kilobytes per record; kept in a SQLite file (no journal, no
fsync: it is scratch space, deleted with the build), memory stays at SQLite's page cache.

Once the index outgrows that cache, each random lookup and insert reads pages back:
at 300,000 records a record cost 86 µs instead of 31. So a fixed-size :class:`Bloom`
filter answers "certainly new" for almost every lookup without SQLite, and new values
wait in a bounded buffer that goes to SQLite sorted, touching each page once per flush
(inserts 4 times cheaper at that size). The near-duplicate band index, a multimap with
16 rows a record, is kept as sorted runs in temporary files instead
(:class:`SortedRuns`): no B-tree to insert into at all.
"""

from __future__ import annotations

import hashlib
import os
import sqlite3
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

import numpy as np

CACHE_KIB = 16 * 1024
MAX_PARAMETERS = 900
"""Values bound in one statement (SQLite allows at least 999)."""
FLUSH_ROWS = 131_072
"""New rows buffered in memory before they go, sorted, to SQLite (:class:`SeenSet`) or to
a run (:class:`SortedRuns`)."""
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


def scratch_directory(db: sqlite3.Connection) -> Path | None:
    """The folder of a scratch database's file (``None`` for one in memory)."""
    name = next((row[2] for row in db.execute("PRAGMA database_list") if row[1] == "main"), "")
    return Path(name).parent if name else None


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
        for position in self._positions(hashes):
            np.bitwise_or.at(self.bits, position >> np.uint64(3),
                             np.left_shift(1, position & np.uint64(7)).astype(np.uint8))

    def maybe(self, hashes: np.ndarray) -> np.ndarray:
        """False where a hash was certainly never added."""
        found = np.ones(len(hashes), bool)
        for position in self._positions(hashes):
            found &= ((self.bits[position >> np.uint64(3)] >> (position & np.uint64(7)))
                      & 1).astype(bool)
        return found


MERGE_FANOUT = 4
MERGE_ROWS = 1 << 20
"""Runs of :class:`SortedRuns` are merged four at a time, up to this many rows (16 MB)."""


FENCE_ROWS = 4096
"""Every this many keys of a run, one stays in memory to say which rows to read."""


class _Run:
    """One sorted run of keys and their values in an unlinked temporary file, read with
    ``pread`` where the in-memory fence keys say (mapping the file instead made resident
    memory grow with the dataset as lookups touched its pages)."""

    def __init__(self, keys: np.ndarray, values: np.ndarray, directory: Path | None,
                 level: int) -> None:
        self.level, self.rows = level, len(keys)
        self.file = tempfile.TemporaryFile(dir=directory)  # noqa: SIM115 (closed by close())
        keys.astype(np.uint64, copy=False).tofile(self.file)
        values.astype(np.int64, copy=False).tofile(self.file)
        self.file.flush()
        self.fence = np.array(keys[::FENCE_ROWS], np.uint64)

    def _read(self, dtype: type, start: int, stop: int, section: int) -> np.ndarray:
        data = os.pread(self.file.fileno(), 8 * (stop - start), 8 * (section + start))
        return np.frombuffer(data, dtype)

    def find(self, wanted: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The (key, value) rows whose key is one of ``wanted`` (sorted, distinct)."""
        first = np.maximum(np.searchsorted(self.fence, wanted, "left") - 1, 0)
        last = np.searchsorted(self.fence, wanted, "right")
        keys, values = [], []
        for a, b in _merged_ranges(first.tolist(), last.tolist()):
            start, stop = a * FENCE_ROWS, min(b * FENCE_ROWS, self.rows)
            block = self._read(np.uint64, start, stop, 0)
            hits = np.flatnonzero(np.isin(block, wanted))
            if len(hits):
                keys.append(block[hits])
                values.append(self._read(np.int64, start, stop, self.rows)[hits])
        if not keys:
            return np.empty(0, np.uint64), np.empty(0, np.int64)
        return np.concatenate(keys), np.concatenate(values)

    def all(self) -> tuple[np.ndarray, np.ndarray]:
        """Every key and value (for a merge: at most :data:`MERGE_ROWS` rows)."""
        return (self._read(np.uint64, 0, self.rows, 0),
                self._read(np.int64, 0, self.rows, self.rows))

    def close(self) -> None:
        self.file.close()


def _merged_ranges(starts: list[int], stops: list[int]) -> Iterator[tuple[int, int]]:
    """The union of the half-open ranges ``[starts[i], stops[i])`` (ascending starts), as
    ranges that neither overlap nor touch."""
    current: list[int] | None = None
    for a, b in zip(starts, stops, strict=True):
        if current is not None and a <= current[1]:
            current[1] = max(current[1], b)
            continue
        if current is not None:
            yield current[0], current[1]
        current = [a, b]
    if current is not None:
        yield current[0], current[1]


class SortedRuns:
    """A multimap from 64-bit keys to 64-bit values, held on disk, not in memory.

    New pairs wait in a buffer; every :data:`FLUSH_ROWS` they are sorted into a run, a
    temporary file of which only every :data:`FENCE_ROWS`-th key stays in memory (the
    operating system caches the file), and runs are merged a few at a time so lookups
    stay few. A :class:`Bloom` filter skips lookups for keys never added (nearly all of
    them). Appending a sorted array costs a fraction of a SQLite B-tree insert, which was
    most of the near-duplicate index's time.
    """

    def __init__(self, directory: Path | None = None, log2_bits: int = 28) -> None:
        self.directory = directory
        self.bloom = Bloom(log2_bits)
        self.pending: list[tuple[np.ndarray, np.ndarray]] = []
        self.pending_rows = 0
        self.runs: list[_Run] = []

    def add(self, keys: np.ndarray, values: np.ndarray) -> None:
        """Add a value under each key (``keys`` uint64, ``values`` int64, same length)."""
        self.bloom.add(keys)
        self.pending.append((keys, values))
        self.pending_rows += len(keys)
        if self.pending_rows >= FLUSH_ROWS:
            self.flush()

    def find(self, keys: np.ndarray) -> dict[int, list[int]]:
        """The values added under each of ``keys`` that has any, in ascending order."""
        wanted = unique(keys)
        wanted = wanted[self.bloom.maybe(wanted)]
        found: dict[int, list[int]] = {}
        if not len(wanted):
            return found
        for stored, values in self.pending:  # unsorted: find each of them among wanted
            where = np.searchsorted(wanted, stored).clip(max=len(wanted) - 1)
            hits = wanted[where] == stored
            _collect(found, stored[hits], values[hits])
        for run in self.runs:  # sorted: read the blocks the fence keys point to
            _collect(found, *run.find(wanted))
        for values in found.values():
            values.sort()
        return found

    def flush(self) -> None:
        """Sort the buffer into a run; merge the newest runs while they are alike."""
        if not self.pending:
            return
        keys = np.concatenate([k for k, _ in self.pending])
        values = np.concatenate([v for _, v in self.pending])
        self.pending, self.pending_rows = [], 0
        order = np.argsort(keys)  # values under one key are sorted when found
        self.runs.append(_Run(keys[order], values[order], self.directory, 0))
        while (len(self.runs) >= MERGE_FANOUT
               and len({r.level for r in self.runs[-MERGE_FANOUT:]}) == 1
               and sum(r.rows for r in self.runs[-MERGE_FANOUT:]) <= MERGE_ROWS):
            merged, self.runs = self.runs[-MERGE_FANOUT:], self.runs[:-MERGE_FANOUT]
            parts = [run.all() for run in merged]
            keys = np.concatenate([k for k, _ in parts])
            values = np.concatenate([v for _, v in parts])
            order = np.argsort(keys)
            self.runs.append(_Run(keys[order], values[order], self.directory,
                                  merged[0].level + 1))
            for run in merged:
                run.close()

    def close(self) -> None:
        """Delete the runs' files."""
        for run in self.runs:
            run.close()
        self.runs = []


def unique(values: np.ndarray) -> np.ndarray:
    """The distinct values, sorted (``np.unique`` hashes instead, 15 times slower on a few
    thousand 64-bit values in NumPy 2.4)."""
    ordered = np.sort(values)
    return ordered[np.r_[True, ordered[1:] != ordered[:-1]]] if len(ordered) else ordered


def _collect(found: dict[int, list[int]], keys: np.ndarray, values: np.ndarray) -> None:
    for key, value in zip(keys.tolist(), values.tolist(), strict=True):
        found.setdefault(key, []).append(value)


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
