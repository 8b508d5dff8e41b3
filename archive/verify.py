"""Check a release folder against its ``SHA256SUMS``, ``release.json`` and Croissant."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow.parquet as pq

from .errors import VerifyError, Where
from .release import CROISSANT_FILE, RELEASE_FILE, SUMS_FILE, UNSUMMED, Release
from .shards.files import parse_sha256sums, sha256_file


def release_files(folder: Path) -> dict[str, Path]:
    """Every file of a release folder, by its path in the repo. Hidden files (a hub's
    ``.gitattributes``, ``.DS_Store``, a download tool's ``.cache/``) are no part of it."""
    return {rel: p for p in sorted(folder.rglob("*"))
            if p.is_file() and not (rel := p.relative_to(folder).as_posix()).startswith(".")}


def verify_folder(folder: Path) -> Release:
    """Raise :class:`VerifyError` naming the first wrong file; return the release.

    Hidden files (a hub's ``.gitattributes``, a download tool's ``.cache/``) are no part
    of a release and are ignored.
    """
    sums_path = folder / SUMS_FILE
    if not sums_path.is_file():
        raise VerifyError(f"no {SUMS_FILE}: not a release folder", Where(file=folder))
    sums = parse_sha256sums(sums_path.read_text(encoding="utf-8"))
    for path, digest in sorted(sums.items()):
        file = folder / path
        if not file.is_file():
            raise VerifyError("listed in SHA256SUMS but missing", Where(file=file))
        actual = sha256_file(file)
        if actual != digest:
            raise VerifyError(f"sha256 is {actual}, SHA256SUMS says {digest}",
                              Where(file=file), hint="the file is damaged; download it again")
    extra = sorted(rel for rel in release_files(folder) if rel not in sums and rel not in UNSUMMED)
    if extra:
        raise VerifyError("not listed in SHA256SUMS", Where(file=folder / extra[0]))
    try:
        release = Release.from_json(json.loads((folder / RELEASE_FILE).read_text("utf-8")))
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise VerifyError(f"unreadable {RELEASE_FILE}: {exc}", Where(file=folder)) from None
    for name, split in release.splits.items():
        for shard in split.parquet:
            rows = pq.ParquetFile(folder / shard.path).metadata.num_rows
            if rows != shard.records:
                raise VerifyError(f"{rows} rows, release.json records {shard.records}",
                                  Where(dataset=release.dataset, file=folder / shard.path))
        if sum(s.records or 0 for s in split.parquet) != split.records:
            raise VerifyError(f"split {name}: shard counts do not add up to {split.records}",
                              Where(dataset=release.dataset, file=folder / RELEASE_FILE))
    croissant = folder / CROISSANT_FILE
    if croissant.is_file():
        document = json.loads(croissant.read_text(encoding="utf-8"))
        for item in document.get("distribution", []):
            digest = item.get("sha256")
            if digest and sums.get(item["@id"]) != digest:
                raise VerifyError(f"croissant.json gives sha256 {digest} for {item['@id']}",
                                  Where(file=croissant))
    return release
