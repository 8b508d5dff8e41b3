"""Read a sample of a release's published Parquet: record lengths and preview records.

Only the first Parquet shard of each split is read, at most ``MAX_ROWS`` rows in all,
so a site build stays fast whatever the dataset's size; the page says how many
records the histogram covers. Results (and preview assets) are cached by the shards'
sha256, so an unchanged release is never read twice.
"""

from __future__ import annotations

import io
import json
import shutil
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import soundfile as sf

from ..errors import HubError
from ..hub import Hub
from ..hub.local import LocalHub
from ..release import Release
from .preview import PreviewRecord, audio_clip, excerpt, thumbnail
from .published import ordered_splits

MAX_ROWS = 2_000
PREVIEW_ROWS = 3
PREVIEW_TURNS = 4
MAX_REMOTE_SHARD = 256 * 1024**2
CACHE_VERSION = "2"
"""Bump when what is cached changes, so old cache entries are ignored."""

_COLUMNS = {"text": ["id", "title", "text", "language"],
            "conversation": ["id", "title", "turns", "audio", "language"],
            "image": ["id", "image", "caption", "language"],
            "audio": ["id", "audio", "transcript", "language"],
            "video": ["id", "caption", "language"]}


@dataclass
class Sample:
    """What the site draws from the data: lengths for a histogram, and preview records."""

    length_unit: str
    length_title: str
    lengths: list[float] = field(default_factory=list)
    records_read: int = 0
    previews: list[PreviewRecord] = field(default_factory=list)
    assets: Path | None = None
    """The folder holding the preview assets named by ``previews``."""


def _open(hub: Hub, repo_id: str, tag: str, path: str, size: int) -> pq.ParquetFile | None:
    if isinstance(hub, LocalHub):
        return pq.ParquetFile(hub.tree(repo_id, tag) / path)
    if size > MAX_REMOTE_SHARD:
        return None
    return pq.ParquetFile(pa.BufferReader(hub.read(repo_id, path, tag)))


def _rows(parquet: pq.ParquetFile, columns: list[str], limit: int) -> list[dict[str, Any]]:
    names = [c for c in columns if c in parquet.schema_arrow.names]
    out: list[dict[str, Any]] = []
    for batch in parquet.iter_batches(batch_size=256, columns=names):
        out.extend(batch.to_pylist()[: limit - len(out)])
        if len(out) >= limit:
            break
    return out


def _duration(media: Any) -> float | None:
    data = media.get("bytes") if isinstance(media, dict) else None
    if not data:
        return None
    try:
        return float(sf.info(io.BytesIO(data)).duration)
    except (sf.LibsndfileError, RuntimeError, TypeError, ValueError):
        return None


def _turns_text(turns: Any) -> str:
    return "\n".join(f"{t.get('speaker', '')}: {t.get('text', '')}" for t in turns or [])


def _length(record_type: str, row: dict[str, Any]) -> tuple[float | None, float]:
    """(duration in seconds or None, characters of the main text)."""
    if record_type == "text":
        return None, len(row.get("text") or "")
    if record_type == "conversation":
        return _duration(row.get("audio")), len(_turns_text(row.get("turns")))
    if record_type == "audio":
        return _duration(row.get("audio")), len(row.get("transcript") or "")
    return None, len(row.get("caption") or "")


def _preview(record_type: str, split: str, row: dict[str, Any], index: int,
             folder: Path) -> PreviewRecord:
    record = PreviewRecord(id=str(row.get("id", "")), split=split, title=row.get("title"),
                           language=row.get("language"))
    text = {"text": "text", "image": "caption", "audio": "transcript",
            "video": "caption"}.get(record_type)
    if text:
        record.text = excerpt(row.get(text) or "")
    if record_type == "conversation":
        record.turns = [(str(t.get("speaker", "")), excerpt(str(t.get("text", "")), 200))
                        for t in (row.get("turns") or [])[:PREVIEW_TURNS]]
    media = row.get("image") or row.get("audio")
    data = media.get("bytes") if isinstance(media, dict) else None
    if data and record_type == "image":
        name = f"preview-{index}.jpg"
        if thumbnail(data, folder / name):
            record.asset, record.asset_type = name, "image/jpeg"
    elif data and record_type in ("audio", "conversation"):
        ext = Path(str(media.get("path") or "x.flac")).suffix.lstrip(".") or "flac"
        made = audio_clip(data, ext, folder / f"preview-{index}")
        if made:
            record.asset, record.asset_type = made
    return record


def _compute(hub: Hub, release: Release, tag: str, folder: Path) -> Sample:
    kind = release.record_type
    durations: list[float | None] = []
    characters: list[float] = []
    previews: list[PreviewRecord] = []
    for split in ordered_splits(release):
        info = release.splits[split]
        if not info.parquet or len(characters) >= MAX_ROWS:
            continue
        shard = info.parquet[0]
        parquet = _open(hub, release.repo_id, tag, shard.path, shard.size)
        if parquet is None:
            continue
        rows = _rows(parquet, _COLUMNS.get(kind, ["id"]), MAX_ROWS - len(characters))
        for row in rows:
            duration, chars = _length(kind, row)
            durations.append(duration)
            characters.append(chars)
            if len(previews) < PREVIEW_ROWS:
                previews.append(_preview(kind, split, row, len(previews), folder))
    timed = [d for d in durations if d is not None]
    if timed and len(timed) == len(durations):
        sample = Sample("seconds", "Recording duration", timed)
    else:
        title = "Caption length" if kind in ("image", "video") else "Record length"
        sample = Sample("characters", title, characters)
    sample.records_read, sample.previews, sample.assets = len(characters), previews, folder
    return sample


def cache_key(release: Release) -> str:
    """Changes whenever the sampled shards change."""
    shards = [release.splits[s].parquet[0].sha256 for s in ordered_splits(release)
              if release.splits[s].parquet]
    return f"{CACHE_VERSION}-{release.record_type}-" + "-".join(s[:16] for s in shards)


def sample(hub: Hub, release: Release, tag: str, cache: Path) -> Sample:
    """The sample of a release, from the cache or computed (and cached) now."""
    folder = cache / release.dataset / cache_key(release)
    meta = folder / "sample.json"
    if meta.is_file():
        document = json.loads(meta.read_text(encoding="utf-8"))
        previews = [PreviewRecord(**{**p, "turns": [tuple(t) for t in p["turns"]]})
                    for p in document.pop("previews")]
        return Sample(**document, previews=previews, assets=folder)
    partial = folder.with_name(folder.name + ".partial")
    shutil.rmtree(partial, ignore_errors=True)
    partial.mkdir(parents=True)
    try:
        result = _compute(hub, release, tag, partial)
    except (OSError, pa.ArrowException) as exc:
        shutil.rmtree(partial, ignore_errors=True)
        raise HubError(f"cannot read the Parquet shards of {release.repo_id}@{tag}: {exc}",
                       hint="check the release with: archive verify") from None
    document = {k: v for k, v in asdict(result).items() if k not in ("assets",)}
    (partial / "sample.json").write_text(json.dumps(document, sort_keys=True), "utf-8")
    for stale in folder.parent.iterdir():
        if stale != partial:
            shutil.rmtree(stale, ignore_errors=True)
    partial.rename(folder)
    result.assets = folder
    return result
