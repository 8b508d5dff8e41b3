"""Exact and near duplicates, kept on disk (scratch files) so memory stays flat.

Texts are keyed a batch at a time (:func:`text_keys`): numpy finds and hashes the words
(split at whitespace and ASCII punctuation) of all normalised texts of the batch and their
shingles, and rensa (Rust) makes the MinHash of every text in one call, with no Python
object per word or shingle.

Exact duplicates: a 16-byte BLAKE2b digest of the normalised text (NFKC, case-folded,
whitespace collapsed) or of the media bytes, kept in a :class:`~archive.seen.SeenSet`.

Near duplicates: MinHash (128 permutations) over the word shingles of a text's first
million characters. Locality-sensitive hashing over the minimums: the bands
(``bands_for`` the threshold) are hashed and kept in :class:`~archive.seen.SortedRuns`
(sorted temporary files beside the scratch database); records sharing a band are
candidates, each confirmed against the threshold with a b-bit signature kept per record
in SQLite (the low 8 bits of each minimum: 128 bytes).
"""

from __future__ import annotations

import hashlib
import re
import sqlite3
import string
import unicodedata
from collections.abc import Iterable, Iterator, Sequence

import numpy as np
from rensa import RMinHash

from ..seen import SeenSet, SortedRuns, scratch, scratch_directory, select_in
from ..streamed import MediaBytes, blake2b_of

NUM_PERM = 128
SEED = 20240611
_BASE = np.uint64(0x100000001B3)  # an odd multiplier: invertible modulo 2**64
_BASE_INVERSE = np.uint64(pow(int(_BASE), -1, 2**64))
MAX_SHINGLE_WORDS = 8
MAX_NEAR_CHARS = 1_000_000
"""Near duplicates are judged on a text's first million characters (its exact digest
covers all of it): word hashing holds about 40 bytes a character, so a 200 MB record
would otherwise need 8 GB."""
GROUP_CHARS = 2_000_000
"""Characters of a batch's texts hashed in one go (see :func:`_groups`)."""
MAX_BUCKET = 64
"""Records indexed under one band hash: later ones sharing it are still compared with
these, but not added, so templated data (thousands of texts alike in a band) costs
bounded work per record; a near duplicate of a later one may then go unreported."""
_SHINGLE_MULTIPLIERS = np.array([0x9E3779B97F4A7C15, 0xC2B2AE3D27D4EB4F, 0x165667B19E3779F9,
                                 0xD6E8FEB86659FD93, 0xFF51AFD7ED558CCD, 0xC4CEB9FE1A85EC53,
                                 0x94D049BB133111EB, 0xBF58476D1CE4E5B9], dtype=np.uint64)


def normalise(text: str) -> str:
    """NFKC, case-folded, whitespace collapsed and trimmed.

    >>> normalise("  Halló\\u00a0 HEIMUR\\n")
    'halló heimur'
    """
    return collapse(unicodedata.normalize("NFKC", text).casefold())


def collapse(text: str) -> str:
    """Whitespace runs as one space, trimmed: ``" ".join(text.split())``, without the
    split when nothing would change (printable text has no whitespace but the space),
    and with a regex for a long text (no list of all its words: 10 times the text)."""
    if text.isprintable() and "  " not in text and text[:1] != " " and text[-1:] != " ":
        return text
    if len(text) > MAX_NEAR_CHARS:
        return _WHITESPACE.sub(" ", text).strip()
    return " ".join(text.split())


_WHITESPACE = re.compile(r"\s+")  # \s is what str.isspace() says, as split() uses


def digest_text(text: str) -> bytes:
    """The 16-byte digest of normalised ``text``."""
    return _digest(normalise(text))


def _digest(normalised: str) -> bytes:
    return hashlib.blake2b(normalised.encode("utf-8"), digest_size=16).digest()


def digest_bytes(parts: Iterable[MediaBytes]) -> bytes:
    """The 16-byte digest of media files' bytes, in order (a file too large to hold is
    read in pieces)."""
    h = hashlib.blake2b(digest_size=16)
    for part in parts:
        h.update(blake2b_of(part))
    return h.digest()


def _mix(x: np.ndarray) -> np.ndarray:
    """SplitMix64's finaliser: every input bit affects every output bit."""
    x = (x ^ (x >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    x = (x ^ (x >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return x ^ (x >> np.uint64(31))


class _Powers:
    """``_BASE`` to the powers 0..n and their inverses modulo 2**64, grown on demand."""

    def __init__(self) -> None:
        self.up = self.down = np.ones(1, np.uint64)

    def upto(self, n: int) -> tuple[np.ndarray, np.ndarray]:
        if len(self.up) <= n:
            size = max(n + 1, 2 * len(self.up))
            with np.errstate(over="ignore"):
                self.up = np.cumprod(np.r_[np.uint64(1), np.full(size - 1, _BASE)],
                                     dtype=np.uint64)
                self.down = np.cumprod(np.r_[np.uint64(1), np.full(size - 1, _BASE_INVERSE)],
                                       dtype=np.uint64)
        return self.up, self.down


_POWERS = _Powers()
_SEPARATORS = bytes(32 if chr(i) in string.punctuation or chr(i).isspace() else i
                    for i in range(256))
"""ASCII punctuation and whitespace become spaces: words are what remains between."""


_BAND_MULTIPLIERS = _mix(np.arange(1, NUM_PERM + 1, dtype=np.uint64)) | np.uint64(1)
_BAND_SALTS = _mix(np.arange(NUM_PERM, 2 * NUM_PERM, dtype=np.uint64))


def _words(texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    """A 64-bit hash of every word of normalised ``texts`` (a polynomial hash of its UTF-8
    bytes, from prefix sums, then mixed) and the number of words of each text."""
    encoded = [t.encode("utf-8") for t in texts]
    data = np.frombuffer(b" ".join(encoded).translate(_SEPARATORS), np.uint8)
    starts = np.cumsum([0] + [len(e) + 1 for e in encoded[:-1]])
    word = np.zeros(len(data) + 2, np.bool_)  # in a word, with a space either side
    np.not_equal(data, 32, out=word[1:-1])
    edges = np.flatnonzero(word[1:] != word[:-1])
    first, end = edges[0::2], edges[1::2]
    up, down = _POWERS.upto(len(data))
    with np.errstate(over="ignore"):
        prefix = np.zeros(len(data) + 1, np.uint64)
        np.cumsum(data * up[:len(data)], out=prefix[1:])
        poly = (prefix[end] - prefix[first]) * down[first]
        hashes = _mix(poly + (end - first).astype(np.uint64))
    owner = np.searchsorted(starts, first, side="right") - 1
    return hashes, np.bincount(owner, minlength=len(texts)).astype(np.int64)


def _shingle_hashes(hashes: np.ndarray, counts: np.ndarray, size: int
                    ) -> tuple[np.ndarray, np.ndarray]:
    """The hashes of each text's word ``size``-grams (one gram of all its words when it
    has fewer), and each text's offsets into them."""
    grams = np.maximum(counts - size + 1, np.minimum(counts, 1))
    starts = np.concatenate([[0], np.cumsum(counts)[:-1]]).astype(np.int64)
    first = np.repeat(starts, grams) + (np.arange(grams.sum()) - np.repeat(
        np.cumsum(grams) - grams, grams))
    width = np.repeat(np.minimum(counts, size), grams)
    padded = np.concatenate([hashes, np.zeros(size, np.uint64)])
    combined = np.zeros(len(first), np.uint64)
    with np.errstate(over="ignore"):
        for i in range(size):
            part = padded[first + i] * _SHINGLE_MULTIPLIERS[i]
            combined += np.where(i < width, part, np.uint64(0))
    offsets = np.concatenate([[0], np.cumsum(grams)]).astype(np.uint64)
    return _mix(combined), offsets


def text_keys(texts: Sequence[str], *, shingle_words: int = 5, min_words: int = 20,
              near: bool = True) -> tuple[list[bytes | None], list[np.ndarray | None]]:
    """For a batch of texts: the exact digest of each (``None`` for an empty text) and
    the MinHash minimums of its first :data:`MAX_NEAR_CHARS` characters (``None`` when it
    has fewer than ``min_words`` words, or when ``near`` is off). The same as text by text,
    made for groups of the batch's texts at once."""
    digests: list[bytes | None] = []
    heads: list[str] = []
    for text in texts:
        if len(text) > LONG_TEXT_CHARS:
            digest, head = _long_text_keys(text)
        else:
            norm = unicodedata.normalize("NFKC", text).casefold()
            digest, head = _digest(collapse(norm)) if norm else None, norm[:MAX_NEAR_CHARS]
        digests.append(digest)
        heads.append(head)
    minimums: list[np.ndarray | None] = [None] * len(texts)
    if not near or not texts:
        return digests, minimums
    for group in _groups([len(t) for t in heads]):
        hashes, counts = _words([heads[i] for i in group])
        wanted = counts >= max(min_words, 1)
        if not wanted.any():
            continue
        tokens, offsets = _shingle_hashes(hashes[np.repeat(wanted, counts)], counts[wanted],
                                          shingle_words)
        matrix = RMinHash.digest_matrix_from_flat_token_hashes(tokens, offsets, NUM_PERM, SEED)
        for index, row in zip(np.flatnonzero(wanted), matrix.to_rows(), strict=True):
            minimums[group[index]] = np.asarray(row, dtype=np.uint32)
    return digests, minimums


LONG_TEXT_CHARS = 2_000_000
"""From this length a text is normalised in pieces (:func:`_long_text_keys`)."""
PIECE_CHARS = 1_000_000
_SAFE_CUT = re.compile(r"[\s!-~\u3041-\u3096\u30a1-\u30fa\u4e00-\u9fff]")
"""Characters that normalisation never joins to the one before (starters that are not
the second of a canonical composition: ASCII, whitespace, kana, CJK ideographs): a text
cut before one normalises piece by piece as it does whole."""


def _normalised_pieces(text: str) -> Iterator[str]:
    """``unicodedata.normalize("NFKC", text).casefold()`` in pieces of about
    :data:`PIECE_CHARS`, cut before a :data:`_SAFE_CUT` character."""
    start = 0
    while start < len(text):
        cut = _SAFE_CUT.search(text, start + PIECE_CHARS)
        end = cut.start() if cut else len(text)
        yield unicodedata.normalize("NFKC", text[start:end]).casefold()
        start = end


def _long_text_keys(text: str) -> tuple[bytes, str]:
    """The exact digest and the near-duplicate head (first :data:`MAX_NEAR_CHARS`
    normalised characters) of a long text, as for a short one, without holding more
    than a piece of its normalised form: a 200 MB text took 2.6 GB whole."""
    digest = hashlib.blake2b(digest_size=16)
    head: list[str] = []
    head_chars = 0
    started = space = False  # output so far; whitespace pending between words
    for piece in _normalised_pieces(text):
        if head_chars < MAX_NEAR_CHARS:
            head.append(piece[:MAX_NEAR_CHARS - head_chars])
            head_chars += len(head[-1])
        words = piece.split()
        if not words:
            space = space or bool(piece)
            continue
        if started and (space or piece[0].isspace()):
            digest.update(b" ")
        digest.update(" ".join(words).encode("utf-8"))
        started, space = True, piece[-1].isspace()
    return digest.digest(), "".join(head)


def _groups(sizes: Sequence[int]) -> Iterator[list[int]]:
    """Consecutive indices of texts hashed together, about :data:`GROUP_CHARS` at a time
    (a text longer than that alone): the word hashing holds about 40 bytes a character."""
    group: list[int] = []
    total = 0
    for index, size in enumerate(sizes):
        if group and total + size > GROUP_CHARS:
            yield group
            group, total = [], 0
        group.append(index)
        total += size
    if group:
        yield group


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


class DuplicateIndex:
    """Seen-before checks for one dataset: exact digests and a MinHash LSH index.

    ``db`` is the scratch SQLite connection to keep them in (see :mod:`archive.seen`), the
    band index's runs going beside its file; without one, an in-memory database is used
    and the runs go to the system's temporary folder.
    """

    def __init__(self, *, near_threshold: float = 0.9,
                 db: sqlite3.Connection | None = None) -> None:
        self.threshold = near_threshold
        self.bands = bands_for(near_threshold)
        self.rows = NUM_PERM // self.bands
        self._db = db or scratch(None)
        self._exact = SeenSet(self._db, "exact_digests")
        self._db.execute("CREATE TABLE IF NOT EXISTS near_records "
                         "(record INTEGER PRIMARY KEY, key TEXT, signature BLOB)")
        self._count = 0
        self._bands = SortedRuns(scratch_directory(self._db))  # band hash -> records

    def _band_hashes(self, minimums: np.ndarray) -> np.ndarray:
        """For each row of minimums, one 64-bit hash per band (distinct per band)."""
        rows = minimums.astype(np.uint64).reshape(-1, self.bands, self.rows)
        with np.errstate(over="ignore"):
            combined = (rows * _BAND_MULTIPLIERS[:self.rows]).sum(axis=2, dtype=np.uint64)
            return _mix(combined + _BAND_SALTS[:self.bands])

    def seen_exact_many(self, digests: Sequence[bytes | None]) -> list[bool]:
        """Whether each digest was seen before, in order (``None``: not looked for); all
        are remembered."""
        given = [d for d in digests if d is not None]
        found = iter(self._exact.add_many(given))
        return [d is not None and next(found) for d in digests]

    def near(self, key: str, minimums: np.ndarray) -> tuple[str, float] | None:
        """The earlier record that a text (its MinHash ``minimums``, from
        :func:`text_keys`) nearly duplicates and the estimated Jaccard similarity, or
        ``None`` (and the text is indexed under ``key``)."""
        return self.near_many([key], [minimums])[0]

    def near_many(self, keys: Sequence[str], minimums: Sequence[np.ndarray | None]
                  ) -> list[tuple[str, float] | None]:
        """:meth:`near` for each text of a batch in order (``None`` minimums: not looked
        for), with one query for the candidates indexed before the batch. Texts sharing
        no band with an earlier text (most) are indexed without a look at each."""
        out: list[tuple[str, float] | None] = [None] * len(keys)
        texts = [i for i, m in enumerate(minimums) if m is not None]
        if not texts:
            return out
        matrix = np.stack([minimums[i] for i in texts])
        hashes = self._band_hashes(matrix)
        signatures = (matrix & 0xFF).astype(np.uint8)
        earlier = self._bands.find(hashes.ravel())  # records indexed before the batch
        values, counts = np.unique(hashes, return_counts=True)
        repeated = set(values[counts > 1].tolist())
        suspects = np.isin(hashes, [*earlier, *repeated]).any(axis=1)
        batch: dict[int, list[int]] = {}  # repeated band hash -> texts indexed in the batch
        added: dict[int, tuple[str, np.ndarray]] = {}
        indexed: list[int] = []
        for row, index in enumerate(texts):
            bands = hashes[row].tolist() if suspects[row] else []
            if bands:
                old = sorted({r for h in bands for r in earlier.get(h, ())})
                new = sorted({r for h in bands for r in batch.get(h, ())})
                out[index] = self._best(signatures[row],
                                        [*self._signatures(old), *(added[r] for r in new)])
                if out[index] is not None:
                    continue
            record, self._count = self._count, self._count + 1
            added[record] = (keys[index], signatures[row])
            indexed.append(row)
            for value in bands:
                if value in repeated:
                    batch.setdefault(value, []).append(record)
        self._db.executemany("INSERT INTO near_records VALUES (?, ?, ?)",
                             [(r, k, s.tobytes()) for r, (k, s) in added.items()])
        full = [h for h, records in earlier.items() if len(records) >= MAX_BUCKET]
        owners = np.repeat(np.fromiter(added, np.int64, len(added)), self.bands)
        values = hashes[indexed].ravel()
        keep = ~np.isin(values, full)
        self._bands.add(values[keep], owners[keep])
        return out

    def _signatures(self, records: list[int]) -> list[tuple[str, np.ndarray]]:
        rows = list(select_in(
            self._db, "SELECT record, key, signature FROM near_records WHERE record IN ({})",
            records))
        return [(key, np.frombuffer(sig, np.uint8)) for _, key, sig in sorted(rows)]

    def _best(self, sig: np.ndarray, candidates: list[tuple[str, np.ndarray]]
              ) -> tuple[str, float] | None:
        """The most similar candidate at or above the threshold (the earliest of equals)."""
        best: tuple[str, float] | None = None
        for other, signature in candidates:
            agree = float(np.count_nonzero(signature == sig))
            jaccard = max(0.0, (agree / NUM_PERM - 1 / 256) / (1 - 1 / 256))
            if jaccard >= self.threshold and (best is None or jaccard > best[1]):
                best = (other, jaccard)
        return best
