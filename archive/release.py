"""What a built release holds, as recorded in its ``release.json``."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from .shards.files import FileEntry

RELEASE_FILE = "release.json"
SUMS_FILE = "SHA256SUMS"
CARD_FILE = "README.md"
CROISSANT_FILE = "croissant.json"
UNSUMMED = (SUMS_FILE, CARD_FILE, CROISSANT_FILE)
"""Files not listed in ``SHA256SUMS``: the sums themselves, and the two metadata documents
that a card-only update may republish (both carry the sha256 of every data file)."""


def fmt_bytes(n: float) -> str:
    """A byte count in SI units: ``1.2 kB``, ``3.4 GB``."""
    for unit in ("B", "kB", "MB", "GB", "TB"):
        if n < 1000 or unit == "TB":
            return f"{n:,.0f} {unit}" if unit == "B" else f"{n:,.1f} {unit}"
        n /= 1000
    return f"{n:,.1f} PB"


@dataclass
class SplitInfo:
    """One split of a release: record count, bytes of data and its shards."""

    records: int = 0
    bytes: int = 0
    parquet: list[FileEntry] = field(default_factory=list)
    webdataset: list[FileEntry] = field(default_factory=list)
    tar_only: int = 0
    """Records whose media file streamed (:mod:`archive.streamed`): in the tars only."""


@dataclass
class Release:
    """A built release: what it is, what it holds, and how it compares with the form."""

    dataset: str
    version: str
    repo_id: str
    record_type: str
    title: str
    license: str
    languages: list[str]
    modalities: list[str]
    splits: dict[str, SplitInfo]
    languages_found: dict[str, int]
    differences: list[str]
    declared: dict[str, Any]
    found: dict[str, Any]
    organisation: dict[str, Any]
    approval: dict[str, str]
    fingerprint: str
    url: str = ""
    """Where the dataset's repo is: an https:// page on the Hub, or ``ORG/NAME`` locally."""
    form: dict[str, Any] = field(default_factory=dict)
    """The public part of the partner's form as released (a card-only update re-cards the
    release with it, not with a form already edited for the next version)."""
    screening: dict[str, Any] | None = None
    files: list[FileEntry] = field(default_factory=list)
    history: list[dict[str, Any]] = field(default_factory=list)

    @property
    def records(self) -> int:
        return sum(s.records for s in self.splits.values())

    @property
    def data_bytes(self) -> int:
        return sum(f.size for s in self.splits.values() for f in s.parquet)

    def to_json(self) -> dict[str, Any]:
        document = asdict(self)
        document["format"] = "archive-release-v1"
        return document

    @classmethod
    def from_json(cls, document: dict[str, Any]) -> Release:
        document = dict(document)
        document.pop("format", None)
        document["splits"] = {
            name: SplitInfo(records=s["records"], bytes=s["bytes"],
                            parquet=[FileEntry(**f) for f in s["parquet"]],
                            webdataset=[FileEntry(**f) for f in s["webdataset"]],
                            tar_only=s.get("tar_only", 0))
            for name, s in document["splits"].items()}
        document["files"] = [FileEntry(**f) for f in document.get("files", [])]
        return cls(**document)
