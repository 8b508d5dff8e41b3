"""Small real media files, made with the real libraries, with personal metadata in them."""

from __future__ import annotations

import io
import struct

import av
import mutagen.id3
import numpy as np
import soundfile
from mutagen.flac import FLAC, Picture
from mutagen.oggvorbis import OggVorbis
from PIL import ExifTags, Image, PngImagePlugin

OWNER = "Jón Jónsson"
SERIAL = "SN-4471-0093"
GPS = {ExifTags.GPS.GPSLatitudeRef: "N", ExifTags.GPS.GPSLatitude: (64.0, 8.0, 47.76),
       ExifTags.GPS.GPSLongitudeRef: "W", ExifTags.GPS.GPSLongitude: (21.0, 56.0, 33.36)}
XMP = (b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/'
       b'22-rdf-syntax-ns#"><rdf:Description xmlns:dc="http://purl.org/dc/elements/1.1/" '
       b'dc:creator="Jon Jonsson"/></rdf:RDF></x:xmpmeta>')


def picture(width: int = 64, height: int = 48) -> Image.Image:
    """A gradient, so that a broken decode shows."""
    x = np.linspace(0, 255, width, dtype=np.uint8)
    y = np.linspace(0, 255, height, dtype=np.uint8)
    rgb = np.stack([np.add.outer(y, x) // 2, np.tile(x, (height, 1)),
                    np.tile(y[:, None], (1, width))], axis=-1).astype(np.uint8)
    return Image.fromarray(rgb, "RGB")


def exif(orientation: int = 6) -> Image.Exif:
    tags = Image.Exif()
    tags[ExifTags.Base.Make] = "Canon"
    tags[ExifTags.Base.Artist] = "Jon Jonsson"
    tags[ExifTags.Base.Copyright] = "Jon Jonsson"
    tags[ExifTags.Base.Orientation] = orientation
    tags[ExifTags.IFD.GPSInfo] = GPS
    tags[ExifTags.IFD.Exif] = {ExifTags.Base.BodySerialNumber: SERIAL,
                               ExifTags.Base.CameraOwnerName: "Jon Jonsson"}
    return tags


def jpeg_with_gps() -> bytes:
    """A JPEG with EXIF (GPS, serial, owner, artist), XMP and a comment."""
    out = io.BytesIO()
    picture().save(out, "JPEG", quality=90, exif=exif(), comment=b"taken at home")
    data = out.getvalue()
    xmp = b"http://ns.adobe.com/xap/1.0/\x00" + XMP
    segment = b"\xff\xe1" + struct.pack(">H", len(xmp) + 2) + xmp
    return data[:2] + segment + data[2:]


def png_with_text() -> bytes:
    info = PngImagePlugin.PngInfo()
    info.add_text("Author", "Jon Jonsson")
    info.add_itxt("Description", "Heima hjá Jóni", lang="is")
    out = io.BytesIO()
    picture().save(out, "PNG", pnginfo=info, exif=exif(1))
    return out.getvalue()


def webp_with_exif() -> bytes:
    out = io.BytesIO()
    picture().save(out, "WEBP", lossless=True, exif=exif(), xmp=XMP)
    return out.getvalue()


def gif_with_comment() -> bytes:
    out = io.BytesIO()
    frames = [picture().convert("P"), picture(64, 48).transpose(Image.Transpose.FLIP_LEFT_RIGHT)
              .convert("P")]
    frames[0].save(out, "GIF", save_all=True, append_images=frames[1:], loop=0,
                   comment=b"Jon Jonsson's holiday")
    return out.getvalue()


def tiff_with_artist() -> bytes:
    out = io.BytesIO()
    picture().save(out, "TIFF", exif=exif().tobytes())
    return out.getvalue()


def png() -> bytes:
    out = io.BytesIO()
    picture().save(out, "PNG")
    return out.getvalue()


def tone(seconds: float = 1.0, rate: int = 16000) -> np.ndarray:
    t = np.arange(int(seconds * rate)) / rate
    return (0.3 * np.sin(2 * np.pi * 440 * t)).astype(np.float32)


def sound(fmt: str, subtype: str | None = None) -> bytes:
    out = io.BytesIO()
    soundfile.write(out, tone(), 16000, format=fmt, subtype=subtype)
    return out.getvalue()


def flac_with_tags() -> bytes:
    buffer = io.BytesIO(sound("FLAC"))
    audio = FLAC(buffer)
    audio["ARTIST"] = OWNER
    audio["COMMENT"] = "sími 555 1234"
    cover = Picture()
    cover.type, cover.mime, cover.data = 3, "image/png", png()
    audio.add_picture(cover)
    buffer.seek(0)
    audio.save(buffer)
    return buffer.getvalue()


def ogg_with_tags() -> bytes:
    buffer = io.BytesIO(sound("OGG", "VORBIS"))
    audio = OggVorbis(buffer)
    audio["ARTIST"] = OWNER
    buffer.seek(0)
    audio.save(buffer)
    return buffer.getvalue()


def mp3_with_tags() -> bytes:
    buffer = io.BytesIO(sound("MP3", "MPEG_LAYER_III"))
    tags = mutagen.id3.ID3()
    tags.add(mutagen.id3.TPE1(encoding=3, text=OWNER))
    tags.add(mutagen.id3.COMM(encoding=3, lang="isl", desc="", text="sími 555 1234"))
    buffer.seek(0)
    tags.save(buffer)
    return buffer.getvalue()


def wav_with_info() -> bytes:
    """A WAV with a ``LIST``/``INFO`` chunk naming the artist."""
    data = sound("WAV", "PCM_16")
    name = OWNER.encode("utf-8") + b"\x00"
    name += b"\x00" * (len(name) & 1)
    info = b"INFO" + b"IART" + struct.pack("<I", len(name)) + name
    chunk = b"LIST" + struct.pack("<I", len(info)) + info
    body = data[8:] + chunk
    return b"RIFF" + struct.pack("<I", len(body)) + body


def video(fmt: str = "mp4", codec: str = "mpeg4", metadata: dict[str, str] | None = None,
          frames: int = 12) -> bytes:
    out = io.BytesIO()
    with av.open(out, "w", format=fmt) as container:
        container.metadata.update(metadata or {})
        stream = container.add_stream(codec, rate=10)
        stream.width, stream.height, stream.pix_fmt = 64, 48, "yuv420p"
        for i in range(frames):
            frame = av.VideoFrame.from_ndarray(
                np.full((48, 64, 3), i * 20, dtype=np.uint8), format="rgb24")
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    return out.getvalue()


def video_with_gps(fmt: str = "mp4") -> bytes:
    return video(fmt, "mpeg4" if fmt == "mp4" else "libvpx",
                 {"title": "Afmæli Jóns", "artist": OWNER, "location": "+64.1466-021.9426/",
                  "comment": "sími 555 1234"})
