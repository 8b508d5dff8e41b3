"""Walk the chunks of RIFF (WAV, WebP) and PNG files.

The walkers only read chunk headers. Offsets are what the headers declare and may
lie past the end of the bytes; each caller decides what a cut-short chunk means.
"""

from __future__ import annotations

import struct
from collections.abc import Iterator
from typing import NamedTuple

from ..streamed import MediaBytes


class Chunk(NamedTuple):
    """One chunk: its four-byte type and where its header, data and whole chunk lie.

    ``data_end`` and ``end`` are as declared and may lie past the end of the bytes;
    ``end`` is where the next chunk starts (after the RIFF pad byte or the PNG CRC).
    """

    kind: bytes
    start: int
    data_start: int
    data_end: int
    end: int


LARGE = 0xFFFFFFFF
"""The 32-bit size of an RF64 chunk whose real size is in the ``ds64`` chunk."""


def riff_end(data: MediaBytes) -> int:
    """Where a RIFF file ends by its header: the size field, plus the 8 bytes of the
    header itself (an RF64 file's real size is in its ``ds64`` chunk)."""
    return int.from_bytes(data[4:8], "little") + 8


def riff_chunks(data: MediaBytes, start: int = 12, stop: int | None = None,
                large: dict[bytes, int] | None = None) -> Iterator[Chunk]:
    """RIFF chunks (id, little-endian size, data padded to even length) from ``start``.

    Walks while a whole 8-byte header fits before ``stop`` (default: the end of ``data``).
    ``large`` gives the real size of chunks whose size field is :data:`LARGE` (RF64).
    A :class:`~archive.streamed.FileSlice` has its headers read, nothing else.
    """
    stop = len(data) if stop is None else min(stop, len(data))
    pos = start
    while pos + 8 <= stop:
        header = data[pos:pos + 8]
        kind, size = header[:4], int.from_bytes(header[4:], "little")
        if size == LARGE and large and kind in large:
            size = large[kind]
        chunk = Chunk(kind, pos, pos + 8, pos + 8 + size, pos + 8 + size + (size & 1))
        yield chunk
        pos = chunk.end


def png_chunks(data: bytes) -> Iterator[Chunk]:
    """PNG chunks (big-endian length, type, data, CRC) after the 8-byte signature.

    Walks while a chunk's length and type fit in ``data``; its CRC may not.
    """
    pos = 8
    while pos + 8 <= len(data):
        size, kind = struct.unpack_from(">I4s", data, pos)
        chunk = Chunk(kind, pos, pos + 8, pos + 8 + size, pos + 12 + size)
        yield chunk
        pos = chunk.end
