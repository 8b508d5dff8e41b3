"""Columns of each record type: ``datasets`` features, Arrow schema and row conversion.

The features are declared with the real ``datasets`` library, so the Arrow schema
carries the ``huggingface`` metadata that makes ``load_dataset`` decode Image,
Audio and Video columns. ``datasets`` is imported only to make them (it takes half a
second), so worker processes that are handed the schema never load it.
"""

from __future__ import annotations

import json
from functools import cache
from typing import TYPE_CHECKING, Any

import pyarrow as pa

from .records import Record
from .streamed import FileSlice

if TYPE_CHECKING:
    import datasets

COLUMNS = {"text": ("title", "text"), "conversation": ("title", "turns", "audio"),
           "image": ("image", "caption"), "audio": ("audio", "transcript", "speaker"),
           "video": ("video", "caption", "subtitles")}
"""Each record type's own columns, between ``id`` and ``language``, ``metadata``."""


def _columns(record_type: str) -> dict[str, Any]:
    import datasets

    text = datasets.Value("string")
    turn = {"speaker": text, "text": text, "start": datasets.Value("float64"),
            "end": datasets.Value("float64")}
    kinds = {"title": text, "text": text, "turns": datasets.List(turn),
             "audio": datasets.Audio(), "image": datasets.Image(), "video": datasets.Video(),
             "caption": text, "transcript": text, "speaker": text, "subtitles": text}
    return {"id": text, **{c: kinds[c] for c in COLUMNS[record_type]}, "language": text,
            "metadata": text}

TEXT_FIELDS = {"text": "text", "conversation": "turns", "image": "caption",
               "audio": "transcript", "video": "caption"}
"""The field that carries each record type's main text."""


@cache
def features(record_type: str) -> datasets.Features:
    """The ``datasets.Features`` of a record type: id, its own columns, language, metadata."""
    import datasets

    return datasets.Features(_columns(record_type))


@cache
def arrow_schema(record_type: str) -> pa.Schema:
    """Arrow schema with the ``huggingface`` features metadata."""
    return features(record_type).arrow_schema


def media_columns(record_type: str) -> list[str]:
    """Names of the columns that hold media (``struct<bytes, path>``)."""
    import datasets

    kinds = (datasets.Image, datasets.Audio, datasets.Video)
    return [k for k, v in features(record_type).items() if isinstance(v, kinds)]


def to_row(record: Record, record_type: str) -> dict[str, Any]:
    """Turn a record into one Parquet row of its record type's schema."""
    row: dict[str, Any] = {"id": record.key}
    for column in (*COLUMNS[record_type], "language", "metadata"):
        if column in record.media:
            media = record.media[column]
            row[column] = {"bytes": None if isinstance(media.data, FileSlice) else media.data,
                           "path": f"{record.key}.{media.ext}"}  # a streamed file: in the tars
        elif column == "metadata":
            meta = record.fields.get("metadata")
            row[column] = (json.dumps(meta, sort_keys=True, ensure_ascii=False)
                           if meta is not None else None)
        else:
            row[column] = record.fields.get(column)
    return row


def text_of(record: Record, record_type: str) -> str:
    """The main text of a record, conversation turns joined by newlines."""
    value = record.fields.get(TEXT_FIELDS[record_type])
    if isinstance(value, list):
        return "\n".join(f"{t.get('speaker', '')}: {t.get('text', '')}" for t in value)
    return value or ""
