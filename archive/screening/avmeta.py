"""Strip tags from audio (mutagen, RIFF chunks) and video (PyAV stream copy).

Audio: Vorbis comments and pictures (FLAC, Ogg Vorbis/Opus), ID3v1/v2 and APEv2
(MP3, and ID3 in front of a FLAC), and the ``LIST``/``id3``/``bext``/``iXML``/
``_PMX`` chunks of a WAV, and bytes after a WAV's declared end or after an MP3's or a
FLAC's last frame. The coded sound is not touched.

Video: the container is copied packet by packet into a new one of the same kind,
keeping only video, audio and subtitle streams and no metadata (so data streams
such as a camera's GPS track go too). Technical tags (brands, encoder, handler,
language) are not reported as stripped.
"""

from __future__ import annotations

import io
import struct
from pathlib import Path
from typing import IO

import av
import mutagen
import mutagen.apev2
import mutagen.id3

from ..streamed import FileSlice, MediaBytes, assemble, part, readable, scratch_file, zeros_only
from .chunks import LARGE, riff_chunks, riff_end
from .flac import frames_end as flac_frames_end
from .mpeg import frames_end, holds_frames

_RIFF_DROP = {b"LIST", b"id3 ", b"ID3 ", b"bext", b"iXML", b"_PMX", b"cart", b"DISP"}
TECHNICAL_TAGS = {
    "major_brand", "minor_version", "compatible_brands", "encoder", "handler_name", "vendor_id",
    "language", "duration", "bps", "number_of_frames", "number_of_bytes",
    "_statistics_writing_app", "_statistics_writing_date_utc", "_statistics_tags", "timecode",
    "rotate", "encoder-eng",
}
"""Container and stream tags that describe the encoding, not the recording; kept silently."""

_GPS_HINTS = ("location", "gps", "xyz", "iso6709")


def _strip_wav(data: MediaBytes, scratch: Path | None = None) -> tuple[MediaBytes, list[str],
                                                                       bool]:
    """The WAV without its tag chunks and what follows its declared end (a
    :class:`~archive.streamed.FileSlice` is copied chunk by chunk into a scratch file)."""
    rf64 = data[:4] == b"RF64"
    end, large = _ds64(data) if rf64 else (riff_end(data), {})
    chunks: list[MediaBytes] = []
    removed = []
    if not zeros_only(part(data, end, len(data))):
        removed.append("WAV:TrailingData")
    for chunk in riff_chunks(data, stop=end, large=large):
        if chunk.kind in _RIFF_DROP:
            removed.append(f"WAV:{chunk.kind.decode('latin-1').strip()}")
        else:
            chunks.append(part(data, chunk.start, chunk.end))
    if not removed:
        return data, [], False
    size = 4 + sum(map(len, chunks))  # "WAVE" and the chunks
    if rf64:  # ds64 comes first; its first field is the RIFF size
        ds64 = bytearray(chunks[0][:])  # a small chunk: read
        struct.pack_into("<Q", ds64, 8, size)
        chunks[0] = bytes(ds64)
    head = b"RF64" + struct.pack("<I", LARGE) if rf64 else b"RIFF" + struct.pack("<I", size)
    return assemble([head + b"WAVE", *chunks], scratch, ".wav"), removed, False


def _ds64(data: MediaBytes) -> tuple[int, dict[bytes, int]]:
    """Where an RF64 file ends (its RIFF size and header) and its ``data`` chunk's size,
    from its ``ds64`` chunk (which must come first: the sizes in the header and the chunk
    say 0xFFFFFFFF)."""
    if data[12:16] != b"ds64" or len(data) < 36:
        raise ValueError("an RF64 file without a ds64 chunk first")
    riff_size, data_size = struct.unpack("<QQ", data[20:36])
    return riff_size + 8, {b"data": data_size}


def _tag_names(tags: object) -> list[str]:
    keys = list(tags.keys()) if hasattr(tags, "keys") else []
    return sorted({str(k).split(":", 1)[0].upper() for k in keys})


def strip_audio(data: MediaBytes, family: str, scratch: Path | None = None
                ) -> tuple[MediaBytes, list[str], bool]:
    """Remove every tag from an audio file; return the bytes, tag names removed, GPS found.

    A :class:`~archive.streamed.FileSlice` (a long WAV or FLAC) is never read whole: a
    WAV's chunks are copied into a file in ``scratch``; a FLAC is copied there and its
    tags are removed in that file, which is kept only if something was removed."""
    if family == "wav":
        return _strip_wav(data, scratch)
    if isinstance(data, FileSlice):
        copy = assemble([data], scratch, f".{family}")  # a scratch file, stripped in place
        assert isinstance(copy, FileSlice)
        try:
            with open(copy.path, "r+b") as f:
                removed = _strip_tags(f, family)
                size = f.seek(0, io.SEEK_END)
        except BaseException:
            copy.discard()
            raise
        if not removed:
            copy.discard()
            return data, [], False
        return FileSlice(copy.path, 0, size, scratch=True), removed, False
    buffer = io.BytesIO(data)
    removed = _strip_tags(buffer, family)
    return buffer.getvalue(), removed, False


def _strip_tags(buffer: IO[bytes], family: str) -> list[str]:
    """Remove the tags of an MP3, FLAC or Ogg file in ``buffer`` (read and written in
    place, cut short where bytes follow the sound); the names of what was removed."""
    removed: list[str] = []
    if family in ("mp3", "flac"):
        buffer.seek(0)
        try:
            id3 = mutagen.id3.ID3(buffer)
            removed += [f"ID3:{n}" for n in _tag_names(id3)] or ["ID3"]
            buffer.seek(0)
            mutagen.id3.delete(buffer, delete_v1=True, delete_v2=True)
        except mutagen.id3.ID3NoHeaderError:
            pass
        buffer.seek(0)
        try:
            ape = mutagen.apev2.APEv2(buffer)
            removed += [f"APE:{n}" for n in _tag_names(ape)] or ["APE"]
            buffer.seek(0)
            mutagen.apev2.delete(buffer)
        except mutagen.apev2.APENoHeaderError:
            pass
    if family == "mp3":
        buffer.seek(0)
        value = buffer.read()
        end = frames_end(value)
        if end is not None and value[end:].strip(b"\x00") and not holds_frames(value[end:]):
            buffer.truncate(end)  # bytes after the sound, not frames
            removed.append("MP3:TrailingData")
    if family in ("flac", "ogg"):
        buffer.seek(0)
        audio = mutagen.File(buffer)
        if audio is not None:
            pictures = getattr(audio, "pictures", [])
            names = [f"TAG:{n}" for n in _tag_names(audio.tags or {})]
            names += ["TAG:PICTURE"] * bool(pictures)
            if names:
                removed += names
                if pictures:
                    audio.clear_pictures()
                buffer.seek(0)
                audio.delete(buffer)
    if family == "flac":
        end = flac_frames_end(buffer)
        if end is not None:
            buffer.seek(end)
            if not zeros_only(buffer):  # bytes after the sound
                buffer.truncate(end)
                removed.append("FLAC:TrailingData")
    return removed


def _sensitive(metadata: dict[str, str]) -> list[str]:
    return sorted(k for k in metadata if k.lower() not in TECHNICAL_TAGS)


_OUTPUT_FORMAT = {("isobmff", "mov"): "mov", ("matroska", "webm"): "webm",
                  ("matroska", "mkv"): "matroska"}


def video_tags(data: MediaBytes) -> tuple[list[str], list[str]]:
    """Names of a video's non-technical container/stream tags and of its non-AV streams."""
    with readable(data) as f, av.open(f) as container:
        names = [f"VIDEO:{k}" for k in _sensitive(dict(container.metadata))]
        extra = []
        for stream in container.streams:
            names += [f"VIDEO:stream:{k}" for k in _sensitive(dict(stream.metadata))]
            if stream.type not in ("video", "audio", "subtitle"):
                extra.append(f"VIDEO:{stream.type}-stream")
    return sorted(set(names)), extra


def strip_video(data: MediaBytes, family: str, ext: str,
                scratch: Path | None = None) -> tuple[MediaBytes, list[str], bool]:
    """Copy a video's streams into a new container without tags or data streams (a
    :class:`~archive.streamed.FileSlice` into a file in ``scratch``, the temporary
    folder by default, never into memory)."""
    names, extra = video_tags(data)
    if not names and not extra:
        return data, [], False
    cleaned: MediaBytes
    if isinstance(data, FileSlice):
        path = scratch_file(scratch, f".{ext}")
        try:
            _copy_streams(data, str(path), family, ext)
            cleaned = FileSlice(path, 0, path.stat().st_size, scratch=True)
            _refuse_tags_left(cleaned)
        except BaseException:  # no copy is kept of what cannot be published
            path.unlink(missing_ok=True)
            raise
    else:
        out = io.BytesIO()
        _copy_streams(data, out, family, ext)
        cleaned = out.getvalue()
        _refuse_tags_left(cleaned)
    gps = any(h in name.lower() for name in names for h in _GPS_HINTS)
    return cleaned, names + extra, gps


def _refuse_tags_left(cleaned: MediaBytes) -> None:
    left, _ = video_tags(cleaned)
    if left:
        raise ValueError(f"tags left after stripping: {', '.join(left)}")


def _copy_streams(data: MediaBytes, out: str | IO[bytes], family: str, ext: str) -> None:
    """Mux the video, audio and subtitle packets of ``data`` into ``out``, no tags.
    Bit-exact: without it the Matroska muxer draws random track ids, and MP4 names the
    FFmpeg version, so the same input would not give the same bytes."""
    with readable(data) as f, av.open(f) as src, av.open(
            out, "w", format=_OUTPUT_FORMAT.get((family, ext.lower()),
                                                "mp4" if family == "isobmff" else "matroska"),
            options={"fflags": "+bitexact"}) as dst:
        streams = {}
        for stream in src.streams:
            if stream.type in ("video", "audio", "subtitle"):
                copy = dst.add_stream_from_template(stream)
                copy.metadata.clear()
                streams[stream.index] = copy
        for packet in src.demux():
            if packet.dts is None or packet.stream.index not in streams:
                continue
            packet.stream = streams[packet.stream.index]
            dst.mux(packet)
