"""WebDataset tar shards: ``webdataset/SPLIT-NNNNN.tar``, one sample per record.

The bytes are those ``webdataset.TarWriter`` writes with a fixed integer mtime, owner
and mode (so the same records give the same bytes), made by :mod:`.tarbytes` at a
fraction of the cost; each split is indexed for ``wids``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import orjson

from ..errors import SourceError, Where
from ..features import TEXT_FIELDS
from ..records import Record, published_fields
from ..streamed import FileSlice
from .files import Background, FileEntry, FileLog, HashingFile, ShardWriter
from .tarbytes import BLOCK, MemberFormat, end_of_archive

SHARD_BYTES = 1024**3
WRITE_BYTES = 4 * 1024**2
"""Samples are handed to the writing thread in blocks of about this many bytes."""
MTIME = 0
MEMBERS = MemberFormat(mode=0o444, user="archive", group="archive", mtime=MTIME)


def compact_json(value: Any) -> bytes:
    """``value`` as compact UTF-8 JSON with sorted keys: orjson (35 times faster than
    ``json``), or ``json`` in the same form for what orjson refuses (integers beyond 64
    bits)."""
    try:
        return orjson.dumps(value, option=orjson.OPT_SORT_KEYS)
    except TypeError:
        return json.dumps(value, sort_keys=True, ensure_ascii=False,
                          separators=(",", ":")).encode("utf-8")


def sample(record: Record, record_type: str, text: bytes | None = None) -> dict[str, Any]:
    """The sample of a record: ``txt`` (the main text; ``text`` if it is encoded
    already), ``json`` (every other field) and its media. The text is not repeated in
    ``json``: it would double a text dataset's tars (a reader puts it back from ``txt``,
    as :mod:`archive.readers` does)."""
    fields = published_fields(record)
    out: dict[str, Any] = {"__key__": record.key}
    value = fields.get(TEXT_FIELDS[record_type])
    if isinstance(value, str):
        out["txt"] = text if text is not None else value.encode("utf-8")
        del fields[TEXT_FIELDS[record_type]]
    out["json"] = compact_json(fields)
    for media in record.media.values():
        out[media.ext] = media.data
    return out


LARGE_MEMBER = 16 * 1024**2
"""Members from this size are kept apart, not joined into one copy with the others (a
streamed file always is: it is no more than a :class:`~archive.streamed.FileSlice`)."""

Sample = bytes | tuple[bytes | FileSlice, ...]
"""A sample's tar members: their bytes, or pieces where a streamed file is read from its
file as it is written (:mod:`archive.streamed`)."""


def sample_bytes(record: Record, record_type: str, text: bytes | None = None) -> Sample:
    """The tar members of a record's sample, in ``webdataset``'s order (by extension)."""
    members = sample(record, record_type, text)
    key = members.pop("__key__")
    if not any(_apart(data) for data in members.values()):
        return b"".join(MEMBERS.member(f"{key}.{ext}", members[ext]) for ext in sorted(members))
    pieces: list[bytes | FileSlice] = []  # large members are not copied into one blob
    for ext in sorted(members):
        data = members[ext]
        if _apart(data):
            pieces += [MEMBERS.header(f"{key}.{ext}", len(data)), data,
                       bytes(-len(data) % BLOCK)]
        else:
            pieces.append(MEMBERS.member(f"{key}.{ext}", data))
    return tuple(pieces)


def _apart(data: bytes | FileSlice) -> bool:
    return isinstance(data, FileSlice) or len(data) >= LARGE_MEMBER


def streamed_files(members: Sample) -> list[FileSlice]:
    """The streamed media files among a sample's pieces (none when it is bytes)."""
    return [] if isinstance(members, bytes) else [
        piece for piece in members if isinstance(piece, FileSlice)]


def discard(members: Sample) -> None:
    """Remove the stripped copies a sample that is not published was made with."""
    for media in streamed_files(members):
        media.discard()


def _copy(media: FileSlice, stream: HashingFile) -> None:
    """Copy a streamed media file into a shard in pieces; refuse one whose file changed since
    it was read (what was checked would not be what is published)."""
    copied = 0
    for piece in media.chunks():
        stream.write(piece)
        copied += len(piece)
    changed = copied != media.size or not media.unchanged()
    media.discard()
    if changed:
        raise SourceError("the media file changed during the build", Where(file=media.path),
                          hint="leave the data folder alone while a build runs")


class WebDatasetShards(ShardWriter):
    """Writes one split's records as tar shards that roll over at ``shard_bytes``.

    Samples are joined into blocks of :data:`WRITE_BYTES` that a
    :class:`~.files.Background` thread hashes and writes (a streamed file is copied
    there too), while the next records are made."""

    def __init__(self, log: FileLog, split: str, record_type: str, *,
                 shard_bytes: int = SHARD_BYTES, folder: str = "webdataset") -> None:
        self.log, self.split, self.record_type = log, split, record_type
        self.shard_bytes, self.folder = shard_bytes, folder
        self.index = 0
        self.stream: HashingFile | None = None
        self.count = self.offset = 0
        self.files: list[FileEntry] = []
        self.block: list[bytes] = []
        self.block_bytes = 0
        self.background = Background(depth=2)

    def abort(self) -> None:
        self.background.abandon()
        if self.stream is not None:
            self.stream.close()

    def write(self, record: Record) -> None:
        self.write_sample(sample_bytes(record, self.record_type))

    def write_sample(self, members: Sample) -> None:
        """Append one sample's tar members (made by :func:`sample_bytes`). A streamed
        media file is copied from its file in pieces, and removed after if the build made
        it (a stripped copy); one that changed since it was read fails the build."""
        if self.stream is None:
            path = self.log.root / self.folder / f"{self.split}-{self.index:05d}.tar"
            path.parent.mkdir(parents=True, exist_ok=True)
            self.stream = HashingFile(path)
            self.offset = 0
        for piece in (members,) if isinstance(members, bytes) else members:
            if isinstance(piece, FileSlice):
                self._send()
                self.background.submit(_copy, piece, self.stream)
            elif len(piece) >= WRITE_BYTES:  # a large member: written as it is, not copied
                self._send()
                self.background.submit(self.stream.write, piece)
            else:
                self.block.append(piece)
                self.block_bytes += len(piece)
            self.offset += len(piece)
        if self.block_bytes >= WRITE_BYTES:
            self._send()
        self.count += 1
        if self.offset >= self.shard_bytes:
            self._close_shard()

    def _send(self) -> None:
        """Hand the samples gathered to the writing thread."""
        if self.block and self.stream is not None:
            self.background.submit(self.stream.write, b"".join(self.block))  # one: not copied
            self.block, self.block_bytes = [], 0

    def _close_shard(self) -> None:
        if self.stream is None:
            return
        self.block.append(end_of_archive(self.offset))
        self._send()
        self.background.wait()
        self.files.append(self.log.add_hashed(self.stream, records=self.count))
        self.stream = None
        self.count = 0
        self.index += 1

    def close(self) -> list[FileEntry]:
        """Close the last shard and write the split's ``wids`` shard index."""
        self._close_shard()
        self.background.close()
        if self.files:
            index = {
                "__kind__": "wids-shard-index-v1",
                "wids_version": 1,
                "name": self.split,
                "shardlist": [{"url": Path(f.path).name, "nsamples": f.records,
                               "filesize": f.size} for f in self.files],
            }
            self.log.write_json(f"{self.folder}/{self.split}.wids.json", index)
        return self.files
