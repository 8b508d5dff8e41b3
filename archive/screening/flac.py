"""Where the audio frames of a FLAC file end.

A FLAC frame does not say its length: it ends with a CRC-16 of its bytes. FFmpeg's
demuxer counts bytes appended after the last frame into that frame, and the decoders
ignore them, so they would be published with the sound. The last frame ends at the
first position after its start where the CRC-16 of the bytes so far is zero (the
stored CRC cancels the rest) and where the frame, cut there, decodes to as many samples
as it does with everything after it: a zero CRC inside the frame (about one position in
65,536) leaves it cut short, which does not decode.
"""

from __future__ import annotations

import io
from typing import IO

import av

MAX_SEARCH = 1 << 20
"""How far past the last frame's start its end is looked for (FLAC frames are rarely
over 64 KiB); beyond it the end is not known, and nothing is cut."""


def _crc16_table() -> tuple[int, ...]:
    table = []
    for byte in range(256):
        crc = byte << 8
        for _ in range(8):
            crc = ((crc << 1) ^ 0x8005 if crc & 0x8000 else crc << 1) & 0xFFFF
        table.append(crc)
    return tuple(table)


_CRC16 = _crc16_table()  # FLAC's CRC-16: polynomial x^16 + x^15 + x^2 + 1, initial 0


def _samples(data: bytes) -> int | None:
    """Samples that a FLAC stream decodes to, ``None`` if it does not decode."""
    try:
        with av.open(io.BytesIO(data), format="flac") as container:
            return sum(frame.samples for frame in container.decode(audio=0))
    except (av.error.FFmpegError, ValueError):
        return None


def frames_end(file: IO[bytes]) -> int | None:
    """Where the last audio frame of a FLAC file ends, or ``None`` when that cannot be
    told (no frames, or no end that decodes within :data:`MAX_SEARCH` of its start).
    The file is read through once and the last frame's neighbourhood again."""
    file.seek(0)
    try:
        with av.open(file, format="flac") as container:
            starts = [p.pos for p in container.demux(audio=0) if p.size and p.pos is not None]
    except (av.error.FFmpegError, ValueError):
        return None
    if not starts:
        return None
    file.seek(0)
    header = file.read(starts[0])
    file.seek(starts[-1])
    tail = file.read(MAX_SEARCH)  # the last frame, and what may follow it
    whole = _samples(header + tail)
    if not whole:
        return None
    crc = 0
    for index, byte in enumerate(tail):
        crc = ((crc << 8) & 0xFFFF) ^ _CRC16[(crc >> 8) ^ byte]
        if crc == 0 and _samples(header + tail[:index + 1]) == whole:
            return starts[-1] + index + 1
    return None
