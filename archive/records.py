"""The record: one item of a dataset as it streams through the pipeline."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from .streamed import MediaBytes

SPLITS = ("train", "validation", "test")
MEDIA_FIELDS = {"image": "image", "audio": "audio", "video": "video"}
"""Record fields that hold a media file, by field name, for every record type."""

_KEY_UNSAFE = re.compile(r"[^A-Za-z0-9_-]")


@dataclass(frozen=True)
class Origin:
    """Where a record came from: the partner's file and the line or member in it."""

    file: str
    line: int | None = None
    member: str | None = None

    def __str__(self) -> str:
        if self.line is not None:
            return f"{self.file}:{self.line}"
        if self.member is not None:
            return f"{self.file}[{self.member}]"
        return self.file


@dataclass
class Media:
    """A media file carried by a record: its bytes (or, for a file too large to hold,
    where to read them) and its extension (``flac``, ``jpg``)."""

    data: MediaBytes
    ext: str
    name: str


@dataclass
class Record:
    """One record: its key, split, JSON fields and media, and where it came from.

    ``fields`` holds what the record schema validates (a media field holds the
    file's name); ``media`` holds the bytes of each media field, by field name.
    """

    key: str
    split: str
    fields: dict[str, Any]
    origin: Origin
    media: dict[str, Media] = field(default_factory=dict)


@dataclass(frozen=True)
class Head:
    """What the in-order checks need of a record (its fields and media stay where it was
    prepared): key, split, origin, its ``language`` field and how many media bytes."""

    key: str
    split: str
    origin: Origin
    language: str | None = None
    media_bytes: int = 0


def head(record: Record) -> Head:
    """The :class:`Head` of a record."""
    language = record.fields.get("language")
    return Head(record.key, record.split, record.origin,
                language if isinstance(language, str) else None,
                sum(len(m.data) for m in record.media.values()))


def published_fields(record: Record) -> dict[str, Any]:
    """The record's fields as published: ``id`` is the key, and a media field names the
    published file (``KEY.EXT``), never the partner's own file name or path."""
    fields = {"id": record.key, **{k: v for k, v in record.fields.items() if k != "id"}}
    for name, media in record.media.items():
        fields[name] = f"{record.key}.{media.ext}"
    return fields


def safe_key(text: str) -> str:
    """Turn an id into a WebDataset-safe key: letters, digits, ``_`` and ``-`` only.

    >>> safe_key("essay.001/a")
    'essay_001_a'
    """
    return _KEY_UNSAFE.sub("_", text)[:128] or "_"
