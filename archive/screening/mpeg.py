"""Where the MPEG audio frames of an MP3 end, by walking their headers.

A frame header says its length (ISO 11172-3 and 13818-3: version, layer, bitrate,
sample rate, padding), so the walk from the first frame finds where the last whole or
cut-short frame ends; bytes after it are not sound. Free-format streams (no bitrate in
the header) cannot be walked.
"""

from __future__ import annotations

_BITRATES = {  # kbit/s by (MPEG-1?, layer), index 1..14
    (True, 1): (32, 64, 96, 128, 160, 192, 224, 256, 288, 320, 352, 384, 416, 448),
    (True, 2): (32, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320, 384),
    (True, 3): (32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320),
    (False, 1): (32, 48, 56, 64, 80, 96, 112, 128, 144, 160, 176, 192, 224, 256),
    (False, 2): (8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160),
    (False, 3): (8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160),
}
_RATES = {3: (44100, 48000, 32000), 2: (22050, 24000, 16000), 0: (11025, 12000, 8000)}


def frame_length(header: bytes) -> int | None:
    """The length in bytes of the frame a 4-byte header begins, or ``None`` if it is not
    a frame header (or a free-format one)."""
    if len(header) < 4 or header[0] != 0xFF or header[1] & 0xE0 != 0xE0:
        return None
    version, layer_bits = (header[1] >> 3) & 3, (header[1] >> 1) & 3
    rate_index, bitrate_index = (header[2] >> 2) & 3, header[2] >> 4
    if version == 1 or layer_bits == 0 or rate_index == 3 or bitrate_index in (0, 15):
        return None
    layer, mpeg1 = 4 - layer_bits, version == 3
    bitrate = _BITRATES[mpeg1, layer][bitrate_index - 1] * 1000
    rate, padding = _RATES[version][rate_index], (header[2] >> 1) & 1
    if layer == 1:
        return (12 * bitrate // rate + padding) * 4
    return (144 if mpeg1 or layer == 2 else 72) * bitrate // rate + padding


def frames_end(data: bytes) -> int | None:
    """Where the frames starting at the first byte end (a cut-short last frame counts),
    or ``None`` when ``data`` does not start with a frame."""
    pos = 0
    while (length := frame_length(data[pos:pos + 4])) is not None:
        pos += length
        if pos >= len(data):
            return len(data)
    return pos or None


def holds_frames(data: bytes) -> bool:
    """Whether two frames follow each other anywhere in ``data`` (sound the walk missed,
    rather than bytes that are not sound)."""
    pos = data.find(b"\xff")
    while pos >= 0:
        length = frame_length(data[pos:pos + 4])
        if length is not None and frame_length(data[pos + length:pos + length + 4]):
            return True
        pos = data.find(b"\xff", pos + 1)
    return False
