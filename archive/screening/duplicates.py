"""Exact and near duplicates, kept in a scratch SQLite file so memory stays flat.

Exact duplicates: a 16-byte BLAKE2b digest of the normalised text (NFKC,
case-folded, whitespace collapsed) or of the media bytes, kept in a
:class:`~archive.seen.SeenSet`.

Near duplicates: MinHash over word shingles with rensa (Rust, about 4x faster than
datasketch's MinHash). Locality-sensitive hashing over the 128 minimums: the bands
(``bands_for`` the threshold) are hashed and stored in SQLite; records sharing a band
are candidates, each confirmed against the threshold with a b-bit signature kept per
record (the low 8 bits of each of the 128 minimums: 128 bytes).
"""

from __future__ import annotations

import hashlib
import re
import sqlite3
import unicodedata
from collections.abc import Iterable

import numpy as np
from rensa import RMinHash

from ..seen import SeenSet, scratch

NUM_PERM = 128
SEED = 20240611
_WORD = re.compile(r"\w+")


def normalise(text: str) -> str:
    """NFKC, case-folded, whitespace collapsed and trimmed.

    >>> normalise("  Halló\\u00a0 HEIMUR\\n")
    'halló heimur'
    """
    return " ".join(unicodedata.normalize("NFKC", text).casefold().split())


def digest_text(text: str) -> bytes:
    """The 16-byte digest of normalised ``text``."""
    return hashlib.blake2b(normalise(text).encode("utf-8"), digest_size=16).digest()


def text_key(text: str) -> tuple[bytes, list[str]]:
    """The digest of normalised ``text`` and its words, normalising once."""
    norm = normalise(text)
    return hashlib.blake2b(norm.encode("utf-8"), digest_size=16).digest(), _WORD.findall(norm)


def digest_bytes(parts: Iterable[bytes]) -> bytes:
    """The 16-byte digest of media files' bytes, in order."""
    h = hashlib.blake2b(digest_size=16)
    for part in parts:
        h.update(hashlib.blake2b(part, digest_size=16).digest())
    return h.digest()


def shingles(words: list[str], size: int) -> list[str]:
    """Word ``size``-grams (one shingle when there are fewer words)."""
    if len(words) <= size:
        return [" ".join(words)]
    return list(map(" ".join, zip(*(words[i:] for i in range(size)), strict=False)))


def bands_for(threshold: float, num_perm: int = NUM_PERM) -> int:
    """The fewest LSH bands that still propose 99% of pairs at ``threshold``.

    >>> bands_for(0.9), bands_for(0.7)
    (16, 32)
    """
    for rows in (32, 16, 8, 4, 2, 1):
        bands = num_perm // rows
        if 1 - (1 - threshold ** rows) ** bands >= 0.99:
            return bands
    return num_perm


def minhash(words: list[str], shingle_words: int, min_words: int) -> RMinHash | None:
    """The MinHash of a text's word shingles; ``None`` when it is too short to compare.
    Needs no index, so worker processes can make it."""
    if len(words) < min_words:
        return None
    mh = RMinHash(num_perm=NUM_PERM, seed=SEED)
    mh.update(shingles(words, shingle_words))
    return mh


class DuplicateIndex:
    """Seen-before checks for one dataset: exact digests and a MinHash LSH index.

    ``db`` is the scratch SQLite connection to keep them in (see :mod:`archive.seen`);
    without one, an in-memory database is used.
    """

    def __init__(self, *, near_threshold: float = 0.9, shingle_words: int = 5,
                 near_min_words: int = 20, db: sqlite3.Connection | None = None) -> None:
        self.threshold = near_threshold
        self.shingle_words = shingle_words
        self.near_min_words = near_min_words
        self.bands = bands_for(near_threshold)
        self.rows = NUM_PERM // self.bands
        self._db = db or scratch(None)
        self._exact = SeenSet(self._db, "exact_digests")
        self._db.execute("CREATE TABLE IF NOT EXISTS near_bands "
                         "(band INTEGER, hash INTEGER, record INTEGER)")
        self._db.execute("CREATE INDEX IF NOT EXISTS near_bands_key ON near_bands (band, hash)")
        self._db.execute("CREATE TABLE IF NOT EXISTS near_records "
                         "(record INTEGER PRIMARY KEY, key TEXT, signature BLOB)")
        self._count = 0

    def seen_exact(self, digest: bytes) -> bool:
        """True when ``digest`` was seen before; remembers it otherwise."""
        return self._exact.add(digest)

    def _band_hashes(self, minimums: np.ndarray) -> list[tuple[int, int]]:
        return [(band, int.from_bytes(hashlib.blake2b(
            minimums[band * self.rows:(band + 1) * self.rows].tobytes(), digest_size=8
        ).digest(), "little", signed=True)) for band in range(self.bands)]

    def near(self, key: str, words: list[str]) -> tuple[str, float] | None:
        """The earlier record that a text (its normalised ``words``) nearly duplicates and
        the estimated Jaccard similarity, or ``None`` (and the text is indexed under
        ``key``)."""
        mh = self.minhash(words)
        return None if mh is None else self.near_hash(key, mh)

    def minhash(self, words: list[str]) -> RMinHash | None:
        """:func:`minhash` with this index's settings."""
        return minhash(words, self.shingle_words, self.near_min_words)

    def near_hash(self, key: str, mh: RMinHash) -> tuple[str, float] | None:
        """:meth:`near` for a text whose MinHash is already made."""
        minimums = np.asarray(mh.digest(), dtype=np.uint32)
        sig = (minimums & 0xFF).astype(np.uint8)
        bands = self._band_hashes(minimums)
        where = " OR ".join(["(band = ? AND hash = ?)"] * len(bands))
        query = (f"SELECT r.record, r.key, r.signature FROM near_records r WHERE r.record IN "
                 f"(SELECT record FROM near_bands WHERE {where}) ORDER BY r.record")
        best: tuple[str, float] | None = None
        for _, other, signature in self._db.execute(query, [v for b in bands for v in b]):
            agree = float(np.count_nonzero(np.frombuffer(signature, np.uint8) == sig))
            jaccard = max(0.0, (agree / NUM_PERM - 1 / 256) / (1 - 1 / 256))
            if jaccard >= self.threshold and (best is None or jaccard > best[1]):
                best = (other, jaccard)
        if best is None:
            record = self._count
            self._count += 1
            self._db.execute("INSERT INTO near_records VALUES (?, ?, ?)",
                             (record, key, sig.tobytes()))
            self._db.executemany("INSERT INTO near_bands VALUES (?, ?, ?)",
                                 [(band, value, record) for band, value in bands])
        return best
