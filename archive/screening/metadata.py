"""Strip metadata from media without touching the pixels or the sound.

JPEG, PNG, WebP and GIF are rewritten segment by segment: the coded image data
is copied byte for byte, only metadata segments are left out (EXIF, XMP, IPTC,
comments, text chunks, and data after the end of the image). The EXIF
orientation survives as a one-tag EXIF block, so the picture stays upright.
TIFF keeps its tags in the image file directory, so it is saved again by
Pillow with a lossless compression. Audio and video are in :mod:`.avmeta`.
Only names of what was stripped are reported, never values.
"""

from __future__ import annotations

import io
import re
import struct
from dataclasses import dataclass, field
from pathlib import Path

from PIL import ExifTags, Image, ImageSequence

from ..streamed import FileSlice, MediaBytes
from .avmeta import strip_audio, strip_video
from .chunks import png_chunks, riff_chunks, riff_end

ORIENTATION = int(ExifTags.Base.Orientation)
GPS_IFD, EXIF_IFD = int(ExifTags.IFD.GPSInfo), int(ExifTags.IFD.Exif)
_GPS_POSITION = {1, 2, 3, 4}  # GPSLatitudeRef, GPSLatitude, GPSLongitudeRef, GPSLongitude
_KEYWORD = re.compile(r"^[A-Za-z][A-Za-z0-9 :._-]{0,39}$")


@dataclass
class Stripped:
    """The cleaned bytes, the names of what was removed, and whether a GPS position was."""

    data: MediaBytes
    removed: list[str] = field(default_factory=list)
    gps: bool = False


def exif_names(payload: bytes) -> tuple[list[str], bool, int | None]:
    """Tag names in an EXIF block, whether it has a GPS position, and its orientation."""
    exif = Image.Exif()
    try:
        exif.load(payload)
    except Exception:  # an unreadable EXIF block is removed all the same
        return ["EXIF"], False, None
    names = [f"EXIF:{ExifTags.TAGS.get(t, t)}" for t in exif
             if t not in (GPS_IFD, EXIF_IFD, ORIENTATION)]  # the orientation is kept
    gps_ifd = exif.get_ifd(GPS_IFD)
    names += [f"EXIF:GPS:{ExifTags.GPSTAGS.get(t, t)}" for t in gps_ifd]
    names += [f"EXIF:{ExifTags.TAGS.get(t, t)}" for t in exif.get_ifd(EXIF_IFD)]
    if exif.get_ifd(ExifTags.IFD.IFD1):
        names.append("EXIF:Thumbnail")
    orientation = exif.get(ORIENTATION)
    return names, bool(_GPS_POSITION & set(gps_ifd)), orientation if isinstance(
        orientation, int) else None


def _orientation_exif(orientation: int | None) -> bytes | None:
    """A one-tag EXIF block (without the ``Exif\\0\\0`` header) for a non-default orientation."""
    if orientation is None or not 2 <= orientation <= 8:
        return None
    exif = Image.Exif()
    exif[ORIENTATION] = orientation
    return exif.tobytes()[6:]


_JPEG_KEEP = {0xE0: (b"JFIF\x00", b"JFXX\x00"), 0xE2: (b"ICC_PROFILE\x00",),
              0xEE: (b"Adobe",)}
_JPEG_NAMES = {0xE1: "APP1", 0xED: "IPTC", 0xFE: "JPEG:Comment"}


def strip_jpeg(data: bytes) -> Stripped:
    """Remove APPn metadata segments, comments and trailing data from a JPEG."""
    out, result, pos = [b"\xff\xd8"], Stripped(b""), 2
    orientation: int | None = None
    while pos < len(data):
        if data[pos] != 0xFF:
            raise ValueError("JPEG marker expected")
        while data[pos] == 0xFF:
            pos += 1
        marker = data[pos]
        pos += 1
        if marker == 0xDA:  # start of scan: the coded image up to end of image
            end = data.find(b"\xff\xd9", pos)
            end = len(data) if end < 0 else end + 2
            out.append(b"\xff\xda" + data[pos:end])
            if data[end:].strip(b"\x00"):
                result.removed.append("JPEG:TrailingData")
            break
        if marker == 0x01 or 0xD0 <= marker <= 0xD8:
            out.append(bytes((0xFF, marker)))
            continue
        length = struct.unpack_from(">H", data, pos)[0]
        segment = data[pos + 2:pos + length]
        keep = (marker not in range(0xE0, 0xF0) and marker != 0xFE) or any(
            segment.startswith(p) for p in _JPEG_KEEP.get(marker, ()))
        if keep:
            out.append(bytes((0xFF, marker)) + data[pos:pos + length])
        elif marker == 0xE1 and segment.startswith(b"Exif\x00\x00"):
            names, gps, orientation = exif_names(segment)
            result.removed += names
            result.gps |= gps
        elif marker == 0xE1 and b"ns.adobe.com/xap" in segment[:40]:
            result.removed.append("XMP")
        else:
            result.removed.append(_JPEG_NAMES.get(marker, f"APP{marker - 0xE0}"))
        pos += length
    block = _orientation_exif(orientation)
    if block is not None:
        app1 = b"Exif\x00\x00" + block
        out.insert(1, b"\xff\xe1" + struct.pack(">H", len(app1) + 2) + app1)
    result.data = b"".join(out)
    return result


_PNG_DROP = {b"tEXt", b"zTXt", b"iTXt", b"eXIf", b"tIME"}


def strip_png(data: bytes) -> Stripped:
    """Remove text, EXIF and time chunks, and anything after IEND, from a PNG."""
    out, result = [data[:8]], Stripped(b"")
    for chunk in png_chunks(data):
        kind = chunk.kind
        if kind in _PNG_DROP:
            body = data[chunk.data_start:chunk.data_end]
            if kind == b"eXIf":
                names, gps, _ = exif_names(b"Exif\x00\x00" + body)
                result.removed += names
                result.gps |= gps
            elif kind == b"tIME":
                result.removed.append("PNG:tIME")
            else:
                keyword = body.split(b"\x00", 1)[0].decode("latin-1")
                result.removed.append(f"PNG:{keyword}" if _KEYWORD.match(keyword) else
                                      f"PNG:{kind.decode()}")
        else:
            out.append(data[chunk.start:chunk.end])
        if kind == b"IEND":
            if data[chunk.end:]:
                result.removed.append("PNG:TrailingData")
            break
    result.data = b"".join(out)
    return result


def strip_webp(data: bytes) -> Stripped:
    """Remove EXIF and XMP chunks from a WebP and clear their flags; drop anything after
    the RIFF size the header declares."""
    chunks, result = [], Stripped(b"")
    orientation: int | None = None
    declared = riff_end(data)
    if data[declared:].strip(b"\x00"):
        result.removed.append("WebP:TrailingData")
    for chunk in riff_chunks(data, stop=declared):
        if chunk.kind == b"EXIF":
            payload = data[chunk.data_start:chunk.data_end]
            names, gps, orientation = exif_names(
                payload if payload.startswith(b"Exif") else b"Exif\x00\x00" + payload)
            result.removed += names
            result.gps |= gps
        elif chunk.kind == b"XMP ":
            result.removed.append("XMP")
        else:
            chunks.append(data[chunk.start:chunk.end])
    block = _orientation_exif(orientation)
    if block is not None:
        chunks.append(b"EXIF" + struct.pack("<I", len(block)) + block + b"\x00" * (len(block) & 1))
    if chunks and chunks[0][:4] == b"VP8X" and len(chunks[0]) > 8:
        flags = chunks[0][8] & ~0x0C | (0x08 if block is not None else 0)
        chunks[0] = chunks[0][:8] + bytes((flags,)) + chunks[0][9:]
    body = b"WEBP" + b"".join(chunks)
    result.data = b"RIFF" + struct.pack("<I", len(body)) + body
    return result


def _gif_blocks(data: bytes, pos: int) -> int:
    """Skip a chain of GIF data sub-blocks; return the position after the terminator."""
    while data[pos]:
        pos += data[pos] + 1
    return pos + 1


def strip_gif(data: bytes) -> Stripped:
    """Remove comment and application extensions (except animation looping), and anything
    after the trailer, from a GIF."""
    flags = data[10]
    pos = 13 + (3 * 2 ** ((flags & 7) + 1) if flags & 0x80 else 0)
    out, result = [data[:pos]], Stripped(b"")
    while pos < len(data) and data[pos] != 0x3B:
        start = pos
        if data[pos] == 0x2C:  # image descriptor, local colour table, LZW data
            local = data[pos + 9]
            pos += 10 + (3 * 2 ** ((local & 7) + 1) if local & 0x80 else 0) + 1
            pos = _gif_blocks(data, pos)
            out.append(data[start:pos])
            continue
        if data[pos] != 0x21:
            raise ValueError("GIF block expected")
        label = data[pos + 1]
        pos = _gif_blocks(data, pos + 2)
        app = data[start + 3:start + 14] if label == 0xFF else b""
        if label == 0xFE:
            result.removed.append("GIF:Comment")
        elif label == 0xFF and app not in (b"NETSCAPE2.0", b"ANIMEXTS1.0"):
            result.removed.append("XMP" if app.startswith(b"XMP Data") else "GIF:Application")
        else:
            out.append(data[start:pos])
    if data[pos + 1:].strip(b"\x00"):
        result.removed.append("GIF:TrailingData")
    out.append(b"\x3b")
    result.data = b"".join(out)
    return result


_TIFF_STRUCTURE = {254, 256, 257, 258, 259, 262, 266, 273, 274, 277, 278, 279, 282, 283, 284,
                   296, 317, 320, 322, 323, 324, 325, 338, 339, 340, 341, 530, 531, 532, 34675}
_TIFF_LOSSLESS = {"raw", "tiff_lzw", "tiff_adobe_deflate", "packbits", "tiff_deflate"}


def strip_tiff(data: bytes) -> Stripped:
    """Save a TIFF again without descriptive tags, with a lossless compression.

    Pillow (13 here) turns a TIFF upright by its orientation tag when it loads it
    and drops the tag, so the pixels are saved upright and without the tag; where
    a Pillow leaves the tag, it is kept. Either way the picture shows the same.
    """
    result = Stripped(data)
    with Image.open(io.BytesIO(data)) as image:
        tags = set(image.tag_v2)
        extra = sorted(tags - _TIFF_STRUCTURE)
        if not extra:
            return result
        for tag in extra:
            if tag == GPS_IFD:
                gps = image.getexif().get_ifd(GPS_IFD)
                result.gps |= bool(_GPS_POSITION & set(gps))
            result.removed.append(f"TIFF:{ExifTags.TAGS.get(tag, tag)}")
        compression = image.info.get("compression", "raw")
        icc = image.info.get("icc_profile")
        dpi = image.info.get("dpi")
        frames = [frame.copy() for frame in ImageSequence.Iterator(image)]
        # Pillow drops the tag once it has turned the pixels upright; keep it if not.
        orientation = image.tag_v2.get(ORIENTATION)
    options: dict[str, object] = {
        "compression": compression if compression in _TIFF_LOSSLESS else "tiff_lzw"}
    if orientation:
        options["tiffinfo"] = {ORIENTATION: orientation}
    if icc:
        options["icc_profile"] = icc
    if dpi:
        options["dpi"] = dpi
    out = io.BytesIO()
    frames[0].save(out, "TIFF", save_all=len(frames) > 1, append_images=frames[1:], **options)
    result.data = out.getvalue()
    return result


_STRIPPERS = {"jpeg": strip_jpeg, "png": strip_png, "webp": strip_webp, "gif": strip_gif,
              "tiff": strip_tiff}


def strip_metadata(data: MediaBytes, family: str, ext: str,
                   scratch: Path | None = None) -> Stripped:
    """Strip metadata from a checked media file of ``family`` (see :func:`.media.sniff`);
    a video or recording too large to hold is stripped into a file in ``scratch``."""
    if family in _STRIPPERS and not isinstance(data, FileSlice):  # pictures never stream
        result = _STRIPPERS[family](data)
    elif family in ("flac", "wav", "mp3", "ogg"):
        result = Stripped(*strip_audio(data, family, scratch))
    else:
        result = Stripped(*strip_video(data, family, ext, scratch))
    if not result.removed:
        result.data = data
    return result
