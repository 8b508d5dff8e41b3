"""Small static preview assets (thumbnails, short audio clips) and the preview HTML.

Assets are made at build time from the release's Parquet: images are re-encoded as
small JPEG thumbnails (which also drops every metadata block, GPS included), audio is
copied when small or cut to a short FLAC clip. Text is shown as a truncated excerpt.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import soundfile as sf
from PIL import Image, ImageOps

from .fmt import esc

THUMBNAIL = (400, 400)
CLIP_SECONDS = 15
SMALL_AUDIO = 512 * 1024
EXCERPT_CHARS = 320
AUDIO_TYPES = {"flac": "audio/flac", "mp3": "audio/mpeg", "ogg": "audio/ogg",
               "opus": "audio/ogg", "wav": "audio/wav"}


@dataclass
class PreviewRecord:
    """One record as the preview shows it; ``asset`` is a file name in the cache."""

    id: str
    split: str
    title: str | None = None
    language: str | None = None
    text: str = ""
    turns: list[tuple[str, str]] = field(default_factory=list)
    asset: str | None = None
    asset_type: str | None = None


def excerpt(text: str, limit: int = EXCERPT_CHARS) -> str:
    """Cut ``text`` at a word boundary before ``limit`` characters, adding an ellipsis."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[:limit].rsplit(" ", 1)[0] or text[:limit]
    return cut.rstrip(",;:.") + " …"


def thumbnail(data: bytes, target: Path) -> bool:
    """Write a JPEG thumbnail of an image; False when the image cannot be decoded."""
    try:
        with Image.open(io.BytesIO(data)) as image:
            image = ImageOps.exif_transpose(image)
            image.thumbnail(THUMBNAIL)
            if image.mode != "RGB":
                background = Image.new("RGB", image.size, (255, 255, 255))
                rgba = image.convert("RGBA")
                background.paste(rgba, mask=rgba.getchannel("A"))
                image = background
            image.save(target, "JPEG", quality=82)
    except (OSError, ValueError, Image.DecompressionBombError):
        return False
    return True


def audio_clip(data: bytes, ext: str, target_stem: Path) -> tuple[str, str] | None:
    """Copy a small audio file or cut a FLAC clip; return (file name, MIME type)."""
    ext = ext.lower()
    if len(data) <= SMALL_AUDIO and ext in AUDIO_TYPES and ext != "wav":
        path = target_stem.with_suffix(f".{ext}")
        path.write_bytes(data)
        return path.name, AUDIO_TYPES[ext]
    try:
        with sf.SoundFile(io.BytesIO(data)) as source:
            frames = source.read(min(source.frames, CLIP_SECONDS * source.samplerate),
                                 dtype="float32", always_2d=True)
            rate = source.samplerate
    except (sf.LibsndfileError, RuntimeError, TypeError, ValueError):
        return None
    path = target_stem.with_suffix(".flac")
    sf.write(path, np.ascontiguousarray(frames), rate, format="FLAC", subtype="PCM_16")
    return path.name, AUDIO_TYPES["flac"]


def preview_html(records: list[PreviewRecord], folder: str) -> str:
    """The preview block: one card per record; ``folder`` is where assets are served."""
    if not records:
        return '<p class="ds-empty">No preview is available for this release.</p>'
    items = [_item(r, folder) for r in records]
    return '<div class="ds-preview" data-search-exclude>' + "".join(items) + "</div>"


def _item(record: PreviewRecord, folder: str) -> str:
    parts = [f'<article class="ds-record" data-record="{esc(record.id)}">',
             f'<p class="ds-record-id"><code>{esc(record.id)}</code> '
             f'<span class="ds-split">{esc(record.split)}</span></p>']
    if record.title:
        parts.append(f'<p class="ds-record-title">{esc(record.title)}</p>')
    src = f"{folder}/{record.asset}" if record.asset else None
    if src and record.asset_type == "image/jpeg":
        alt = record.text or f"Image of record {record.id}"
        parts.append(f'<img class="ds-thumb" src="{esc(src)}" alt="{esc(excerpt(alt, 200))}" '
                     f'loading="lazy">')
    elif src and record.asset_type and record.asset_type.startswith("audio/"):
        parts.append(f'<audio class="ds-audio" controls preload="metadata">'
                     f'<source src="{esc(src)}" type="{esc(record.asset_type)}">'
                     f'<a href="{esc(src)}">Download the recording</a></audio>')
    lang = f' lang="{esc(record.language)}"' if record.language else ""
    if record.turns:
        turns = "".join(f"<li><strong>{esc(s)}:</strong> {esc(t)}</li>"
                        for s, t in record.turns)
        parts.append(f'<ol class="ds-turns"{lang}>{turns}</ol>')
    elif record.text:
        parts.append(f'<blockquote class="ds-text"{lang}><p>{esc(record.text)}</p></blockquote>')
    parts.append("</article>")
    return "".join(parts)
