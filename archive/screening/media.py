"""Media checks: the bytes are what the extension says, and they decode in full.

``Image.verify()`` and ``soundfile.info`` read headers only and miss truncation;
these checks decode. Images: Pillow ``load()`` on every frame, with Pillow's
decompression-bomb limit treated as an error; a JPEG is decoded in draft mode (libjpeg
reads and entropy-decodes every scan, truncation and corruption included, but scales
the pixels down by 8, 1.5 to 2 times faster). Audio: libsndfile reads every
frame (PyAV where libsndfile lacks the codec), and the frames read must match
the frames the header declares; WAV chunk sizes and Ogg pages must fit the file.
Video: PyAV reads every packet of the container (ISO boxes must fit the file,
each stream's packets must match its declared frame count) and decodes the
first frames of the video stream.
"""

from __future__ import annotations

import io
import struct
import warnings
from collections import Counter
from dataclasses import dataclass

import av
import soundfile
from PIL import Image, ImageFile, ImageSequence

from ..streamed import MediaBytes, readable
from .chunks import png_chunks, riff_chunks, riff_end

EXTENSION_FAMILY: dict[str, str] = {
    "jpg": "jpeg", "jpeg": "jpeg", "png": "png", "webp": "webp", "gif": "gif",
    "tif": "tiff", "tiff": "tiff", "flac": "flac", "wav": "wav", "mp3": "mp3", "ogg": "ogg",
    "opus": "ogg", "mp4": "isobmff", "mov": "isobmff", "webm": "matroska",
    "mkv": "matroska",
}
"""The container family each extension promises; ``.mov``/``.mp4`` and ``.webm``/``.mkv``
share one."""

IMAGE_FAMILIES = {"jpeg", "png", "webp", "gif", "tiff"}
AUDIO_FAMILIES = {"flac", "wav", "mp3", "ogg"}
VIDEO_FAMILIES = {"isobmff", "matroska"}
VIDEO_DECODE_FRAMES = 10
"""How many video frames are decoded (every packet is read regardless)."""

_PIL_FAMILY = {"JPEG": "jpeg", "MPO": "jpeg", "PNG": "png", "WEBP": "webp", "GIF": "gif",
               "TIFF": "tiff"}
_SOUNDFILE_FORMAT = {"flac": "FLAC", "wav": "WAV", "ogg": "OGG", "mp3": "MP3"}


@dataclass(frozen=True)
class MediaProblem:
    """Why a media file is rejected: ``kind`` is ``broken_media`` or ``mislabelled_media``."""

    kind: str
    reason: str


def _id3_size(data: MediaBytes) -> int:
    """Length of a leading ID3v2 tag (0 if none)."""
    if data[:3] != b"ID3" or len(data) < 10:
        return 0
    size = (data[6] << 21) | (data[7] << 14) | (data[8] << 7) | data[9]
    return 10 + size + (10 if data[5] & 0x10 else 0)


def sniff(data: MediaBytes) -> str | None:
    """The container family of ``data`` from its first bytes, or ``None`` if unknown."""
    head = data[:16]
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return "gif"
    if head[:4] in (b"RIFF", b"RF64") and head[8:12] == b"WEBP":
        return "webp"
    if head[:4] in (b"RIFF", b"RF64") and head[8:12] == b"WAVE":
        return "wav"
    if head[:4] in (b"II*\x00", b"MM\x00*"):
        return "tiff"
    if head[:4] == b"OggS":
        return "ogg"
    if head[:4] == b"\x1aE\xdf\xa3":
        return "matroska"
    if head[4:8] in (b"ftyp", b"moov", b"mdat", b"wide", b"free"):
        return "isobmff"
    offset = _id3_size(data)
    body = data[offset:offset + 4]
    if body.startswith(b"fLaC"):
        return "flac"
    if len(body) >= 2 and body[0] == 0xFF and body[1] & 0xE0 == 0xE0 and body[1] & 0x06:
        return "mp3"
    return None


def _short(error: BaseException) -> str:
    text = " ".join(str(error).split()) or type(error).__name__
    return f"{type(error).__name__}: {text}"[:200]


def _check_png(data: bytes) -> None:
    """PNG chunks tile the file up to an ``IEND`` chunk."""
    for chunk in png_chunks(data):
        if chunk.start + 12 > len(data):  # not even an empty chunk fits
            break
        if chunk.kind == b"IEND":
            return
    raise ValueError("the PNG has no IEND chunk (truncated)")


def check_image(data: bytes, family: str) -> None:
    """Decode every frame; raise ``ValueError`` if the image is broken."""
    if family == "png":
        _check_png(data)
    elif family == "gif" and not data.rstrip(b"\x00").endswith(b"\x3b"):
        raise ValueError("the GIF has no trailer (truncated)")
    truncated = ImageFile.LOAD_TRUNCATED_IMAGES
    ImageFile.LOAD_TRUNCATED_IMAGES = False
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as image:
                if _PIL_FAMILY.get(image.format or "") != family:
                    raise ValueError(f"Pillow reads it as {image.format}")
                for frame in ImageSequence.Iterator(image):
                    if family == "jpeg":  # every scan entropy-decoded, pixels at 1/8
                        frame.draft(frame.mode, (1, 1))
                    frame.load()
    finally:
        ImageFile.LOAD_TRUNCATED_IMAGES = truncated


def _check_riff(data: MediaBytes) -> None:
    """Every chunk of a RIFF file fits inside the file."""
    if data[:4] == b"RF64":
        return
    declared = riff_end(data)
    if declared > len(data):
        raise ValueError(f"RIFF says {declared} bytes, the file has {len(data)}")
    for chunk in riff_chunks(data, stop=declared):
        if chunk.data_end > len(data):
            raise ValueError(f"chunk {chunk.kind!r} runs past the end of the file")


def _check_ogg(data: bytes) -> None:
    """Ogg pages tile the file and every logical stream ends with an end-of-stream page."""
    pos, open_streams = 0, set()
    while pos < len(data):
        if data[pos:pos + 4] != b"OggS" or pos + 27 > len(data):
            raise ValueError(f"no Ogg page at byte {pos}")
        flags, serial, nsegs = data[pos + 5], struct.unpack_from("<I", data, pos + 14)[0], \
            data[pos + 26]
        table = data[pos + 27:pos + 27 + nsegs]
        end = pos + 27 + nsegs + sum(table)
        if len(table) < nsegs or end > len(data):
            raise ValueError("the last Ogg page is cut short")
        open_streams.add(serial)
        if flags & 0x04:
            open_streams.discard(serial)
        pos = end
    if open_streams:
        raise ValueError("an Ogg stream has no end-of-stream page (truncated)")


def check_audio(data: MediaBytes, family: str) -> None:
    """Decode every frame; raise ``ValueError`` if the audio is broken or truncated.
    A :class:`~archive.streamed.FileSlice` (WAV, FLAC) is read in pieces, never whole."""
    if family == "wav":
        _check_riff(data)
    elif family == "ogg":
        _check_ogg(data)  # type: ignore[arg-type] - Ogg files are never streamed
    if _SOUNDFILE_FORMAT[family] not in soundfile.available_formats():
        _decode_with_av(data)
        return
    with readable(data) as f, soundfile.SoundFile(f) as sound:
        declared, read = sound.frames, 0
        while block := len(sound.read(65536, dtype="int16")):
            read += block
    if read == 0:
        raise ValueError("no audio frames")
    if declared > 0 and read < declared:
        raise ValueError(f"{read} of {declared} audio frames decode (truncated)")


_CODEC_SLACK = 2304
"""Samples an encoder may add or drop at the ends (two MP3 frames), below which a
shortfall against the declared duration is not taken as truncation."""


def _decode_with_av(data: MediaBytes) -> None:
    """Decode every audio frame with FFmpeg; compare with the declared duration."""
    with readable(data) as f, av.open(f) as container:
        if not container.streams.audio:
            raise ValueError("no audio stream")
        stream = container.streams.audio[0]
        samples = sum(frame.samples for frame in container.decode(audio=0))
        declared = (int(stream.duration * stream.time_base * stream.rate)
                    if stream.duration and stream.time_base and stream.rate else 0)
    if samples == 0:
        raise ValueError("no audio frames")
    if declared and samples < declared - _CODEC_SLACK:
        raise ValueError(f"{samples} of {declared} audio samples decode (truncated)")


def _check_boxes(data: MediaBytes) -> None:
    """ISO base media boxes tile the file exactly."""
    pos = 0
    while pos < len(data):
        if pos + 8 > len(data):
            raise ValueError("a box header is cut short")
        size = int.from_bytes(data[pos:pos + 4], "big")
        if size == 1:
            size = int.from_bytes(data[pos + 8:pos + 16], "big")
        elif size == 0:
            size = len(data) - pos
        if size < 8 or pos + size > len(data):
            raise ValueError(f"box {data[pos + 4:pos + 8]!r} runs past the end of the file")
        pos += size


def _vint(data: MediaBytes, pos: int, keep_marker: bool) -> tuple[int, int]:
    """An EBML variable-length integer at ``pos``: its value and its length."""
    first = data[pos]
    length = 9 - first.bit_length() if first else 9
    if length > 8 or pos + length > len(data):
        raise ValueError("bad EBML number")
    value = first if keep_marker else first & (0xFF >> length)
    for byte in data[pos + 1:pos + length]:
        value = (value << 8) | byte
    return value, length


def _check_ebml(data: MediaBytes) -> None:
    """The Matroska segment, when its size is known, fits inside the file."""
    pos = 0
    for _ in range(2):  # the EBML header, then the segment
        element, n = _vint(data, pos, keep_marker=True)
        size, m = _vint(data, pos + n, keep_marker=False)
        start = pos + n + m
        if element == 0x18538067:
            if size != (1 << (7 * m)) - 1 and start + size > len(data):
                raise ValueError("the Matroska segment runs past the end of the file")
            return
        pos = start + size


def check_video(data: MediaBytes, family: str, decode_frames: int = VIDEO_DECODE_FRAMES) -> None:
    """Read every packet and decode the first frames; raise ``ValueError`` if broken.
    A :class:`~archive.streamed.FileSlice` is read in pieces, never whole."""
    if family == "isobmff":
        _check_boxes(data)
    else:
        _check_ebml(data)
    with readable(data) as f, av.open(f) as container:
        if not container.streams.video:
            raise ValueError("no video stream")
        packets: Counter[int] = Counter()
        for packet in container.demux():
            if packet.size:
                packets[packet.stream.index] += 1
        for stream in container.streams:
            if stream.frames and packets[stream.index] < stream.frames:
                raise ValueError(f"stream {stream.index} has {packets[stream.index]} of "
                                 f"{stream.frames} packets (truncated)")
    with readable(data) as f, av.open(f) as container:
        decoded = 0
        for _ in container.decode(video=0):
            decoded += 1
            if decoded >= decode_frames:
                break
    if decoded == 0:
        raise ValueError("no video frame decodes")


def check_media(data: MediaBytes, ext: str, *,
                video_decode_frames: int = VIDEO_DECODE_FRAMES) -> MediaProblem | None:
    """Check one media file against its extension; ``None`` when it is sound."""
    expected = EXTENSION_FAMILY.get(ext.lower().lstrip("."))
    if expected is None:
        return MediaProblem("mislabelled_media", f"unknown media extension .{ext}")
    found = sniff(data)
    if found is None:
        return MediaProblem("broken_media", f"not a recognised media file (.{ext})")
    if found != expected:
        return MediaProblem("mislabelled_media",
                            f"named .{ext} but the bytes are {found}")
    try:
        if found in IMAGE_FAMILIES:
            check_image(data, found)
        elif found in AUDIO_FAMILIES:
            check_audio(data, found)
        else:
            check_video(data, found, video_decode_frames)
    except Exception as error:  # any decoder failure means the file is broken
        return MediaProblem("broken_media", _short(error))
    return None
