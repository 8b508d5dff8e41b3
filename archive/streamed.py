"""Media files too large to hold in memory: checked, stripped and published in place.

A video, WAV or FLAC file of more than :data:`STREAMED_MEDIA_BYTES` (a partner's file
on disk, or a member of an uncompressed tar) is never read whole. Its record carries a
:class:`FileSlice` (the file, an offset and a size) where other media carry bytes; the
checks read it in pieces, metadata is stripped into a file in the build's scratch
folder (a video's packets copied into a new container, a WAV's other chunks copied, a
FLAC copied and its tags removed there), and the tar shard receives it in 1 MiB pieces.
A Parquet row cannot hold a value without holding it whole (and Arrow's ``binary``
stops at 2 GiB), so such a file is published in the WebDataset shards only: its Parquet
row has ``bytes`` null and ``path`` ``KEY.EXT``, the name of its tar member.
"""

from __future__ import annotations

import hashlib
import io
import os
import tempfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, overload

STREAMED_MEDIA_BYTES = 256 * 1024**2
"""Video and WAV or FLAC files larger than this stream through a build instead of being
read whole."""

STREAMED_EXTENSIONS = frozenset({"mp4", "mov", "webm", "mkv", "wav", "flac"})
"""The extensions of :data:`archive.screening.media.VIDEO_FAMILIES` and of WAV and FLAC,
the long recordings' formats (a test keeps them equal; the readers do not import the
decoders)."""

CHUNK = 1024 * 1024


def streams(ext: str, size: int) -> bool:
    """Whether a media file is read in place rather than into memory: a video, WAV or
    FLAC file larger than :data:`STREAMED_MEDIA_BYTES`."""
    return size > STREAMED_MEDIA_BYTES and ext.lower() in STREAMED_EXTENSIONS


@dataclass(frozen=True)
class FileSlice:
    """``size`` bytes of the file at ``path`` from ``offset``, read only when asked.

    Indexing and slicing read from the file, as from ``bytes`` (the container checks
    walk headers this way); :meth:`open` gives a file object over the slice alone.
    ``scratch`` marks a file the build made (a stripped copy), removed once published;
    ``mtime_ns`` is the partner's file's modification time when it was read, to tell
    whether the file changed between its check and its publication.
    """

    path: Path
    offset: int
    size: int
    scratch: bool = False
    mtime_ns: int | None = None

    @classmethod
    def of(cls, path: Path, offset: int, size: int) -> FileSlice:
        """A slice of a partner's file, with the file's modification time now."""
        return cls(path, offset, size, mtime_ns=path.stat().st_mtime_ns)

    def unchanged(self) -> bool:
        """Whether the file still has the size and modification time it was read with."""
        stat = self.path.stat()
        return (stat.st_size >= self.offset + self.size
                and self.mtime_ns in (None, stat.st_mtime_ns))

    def __len__(self) -> int:
        return self.size

    @overload
    def __getitem__(self, index: int) -> int: ...

    @overload
    def __getitem__(self, index: slice) -> bytes: ...

    def __getitem__(self, index: int | slice) -> int | bytes:
        if isinstance(index, slice):
            start, stop, step = index.indices(self.size)
            if step != 1:
                raise ValueError("a FileSlice is read in runs of bytes only")
            return self._read(start, max(0, stop - start))
        position = index + self.size if index < 0 else index
        if not 0 <= position < self.size:
            raise IndexError("FileSlice index out of range")
        return self._read(position, 1)[0]

    def _read(self, start: int, length: int) -> bytes:
        with open(self.path, "rb") as f:
            return os.pread(f.fileno(), length, self.offset + start)

    def open(self) -> IO[bytes]:
        """A buffered, seekable reader of the slice alone."""
        return io.BufferedReader(_SliceReader(self), buffer_size=CHUNK)

    def chunks(self) -> Iterator[bytes]:
        """The slice's bytes in pieces of at most :data:`CHUNK`."""
        with self.open() as f:
            yield from pieces(f)

    def part(self, start: int, end: int) -> FileSlice:
        """Bytes ``start`` to ``end`` of the slice (cut at its end), as a slice of their
        own (never a scratch file to remove)."""
        start, end = min(start, self.size), min(end, self.size)
        return FileSlice(self.path, self.offset + start, max(0, end - start),
                         mtime_ns=self.mtime_ns)

    def discard(self) -> None:
        """Remove a scratch file once it is published (a partner's file is never touched)."""
        if self.scratch:
            self.path.unlink(missing_ok=True)


class _SliceReader(io.RawIOBase):
    """The raw reader under :meth:`FileSlice.open`."""

    def __init__(self, media: FileSlice) -> None:
        self.media = media
        self.file = open(media.path, "rb")  # noqa: SIM115 - closed in close()
        self.position = 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        wanted = min(len(buffer), self.media.size - self.position)
        if wanted <= 0:
            return 0
        data = os.pread(self.file.fileno(), wanted, self.media.offset + self.position)
        buffer[:len(data)] = data
        self.position += len(data)
        return len(data)

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self.position, io.SEEK_END: self.media.size}
        self.position = max(0, base[whence] + offset)
        return self.position

    def tell(self) -> int:
        return self.position

    def close(self) -> None:
        self.file.close()
        super().close()


MediaBytes = bytes | FileSlice
"""A media file's bytes, or where to read them (a file too large to hold)."""


def blake2b_of(media: MediaBytes) -> bytes:
    """The 16-byte BLAKE2b digest of media bytes, read in pieces from a slice."""
    if not isinstance(media, FileSlice):
        return hashlib.blake2b(media, digest_size=16).digest()
    digest = hashlib.blake2b(digest_size=16)
    for piece in media.chunks():
        digest.update(piece)
    return digest.digest()


def part(media: MediaBytes, start: int, end: int) -> MediaBytes:
    """``media[start:end]``, a slice of the file for a :class:`FileSlice`."""
    return media.part(start, end) if isinstance(media, FileSlice) else media[start:end]


def pieces(file: IO[bytes]) -> Iterator[bytes]:
    """The rest of a file object, from where it is, in pieces of at most :data:`CHUNK`."""
    while piece := file.read(CHUNK):
        yield piece


def zeros_only(media: MediaBytes | IO[bytes]) -> bool:
    """Whether every byte is zero: of media bytes, of a slice or of the rest of a file
    object (the last two read in pieces)."""
    if isinstance(media, bytes):
        return not media.strip(b"\x00")
    return not any(piece.strip(b"\x00")
                   for piece in (media.chunks() if isinstance(media, FileSlice)
                                 else pieces(media)))


def scratch_file(scratch: Path | None, suffix: str) -> Path:
    """A new empty file in ``scratch`` (the temporary folder by default)."""
    handle, name = tempfile.mkstemp(suffix=suffix, dir=scratch)
    os.close(handle)
    return Path(name)


def assemble(pieces: Sequence[MediaBytes], scratch: Path | None, suffix: str) -> MediaBytes:
    """The pieces joined: bytes when all are bytes, else a new scratch file, written a
    piece at a time."""
    if all(isinstance(piece, bytes) for piece in pieces):
        return b"".join(pieces)  # type: ignore[arg-type]
    path = scratch_file(scratch, suffix)
    size = 0
    with open(path, "wb") as out:
        for piece in pieces:
            for chunk in piece.chunks() if isinstance(piece, FileSlice) else (piece,):
                out.write(chunk)
                size += len(chunk)
    return FileSlice(path, 0, size, scratch=True)


def readable(media: MediaBytes) -> IO[bytes]:
    """A file object over media bytes or a slice, for decoders that read files."""
    return media.open() if isinstance(media, FileSlice) else io.BytesIO(media)
