"""Chunk walkers: offsets of well-formed, padded and cut-short RIFF and PNG chunks."""

from __future__ import annotations

import struct

from archive.screening.chunks import Chunk, png_chunks, riff_chunks

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def riff_chunk(kind: bytes, payload: bytes) -> bytes:
    return kind + struct.pack("<I", len(payload)) + payload + b"\x00" * (len(payload) & 1)


def png_chunk(kind: bytes, payload: bytes) -> bytes:
    return struct.pack(">I", len(payload)) + kind + payload + b"CRC!"


def riff(*chunks: bytes) -> bytes:
    body = b"WAVE" + b"".join(chunks)
    return b"RIFF" + struct.pack("<I", len(body)) + body


def test_riff_chunks_tile_a_well_formed_file() -> None:
    data = riff(riff_chunk(b"fmt ", b"abcd"), riff_chunk(b"data", b"12345678"))
    assert list(riff_chunks(data)) == [Chunk(b"fmt ", 12, 20, 24, 24),
                                       Chunk(b"data", 24, 32, 40, 40)]


def test_riff_odd_sized_chunk_is_padded() -> None:
    data = riff(riff_chunk(b"LIST", b"abc"), riff_chunk(b"data", b"xy"))
    first, second = riff_chunks(data)
    assert first == Chunk(b"LIST", 12, 20, 23, 24)
    assert data[first.data_start:first.data_end] == b"abc"
    assert second == Chunk(b"data", 24, 32, 34, 34)


def test_riff_truncated_chunk_keeps_its_declared_end() -> None:
    data = riff(riff_chunk(b"fmt ", b"abcd"), riff_chunk(b"data", b"12345678"))[:-3]
    *_, last = riff_chunks(data)
    assert last == Chunk(b"data", 24, 32, 40, 40)
    assert last.data_end > len(data)


def test_riff_walk_stops_before_a_header_past_stop() -> None:
    data = riff(riff_chunk(b"fmt ", b"abcd"), riff_chunk(b"data", b"12345678"))
    assert [c.kind for c in riff_chunks(data, stop=31)] == [b"fmt "]
    assert [c.kind for c in riff_chunks(data, stop=32)] == [b"fmt ", b"data"]
    assert [c.kind for c in riff_chunks(data, stop=10_000)] == [b"fmt ", b"data"]
    assert list(riff_chunks(data[:19])) == []


def test_png_chunks_tile_a_well_formed_file() -> None:
    data = PNG_SIGNATURE + png_chunk(b"IHDR", b"0123456789abc") + png_chunk(b"IEND", b"")
    assert list(png_chunks(data)) == [Chunk(b"IHDR", 8, 16, 29, 33),
                                      Chunk(b"IEND", 33, 41, 41, 45)]


def test_png_truncated_chunk_keeps_its_declared_end() -> None:
    data = PNG_SIGNATURE + png_chunk(b"IHDR", b"0123456789abc") + png_chunk(b"IDAT", b"xyz")
    *_, last = png_chunks(data[:-5])
    assert last == Chunk(b"IDAT", 33, 41, 44, 48)
    assert last.end > len(data) - 5


def test_png_chunk_without_room_for_its_crc_is_still_walked() -> None:
    data = PNG_SIGNATURE + png_chunk(b"IEND", b"")
    assert [c.kind for c in png_chunks(data[:-4])] == [b"IEND"]
    assert list(png_chunks(data[:-5])) == []
