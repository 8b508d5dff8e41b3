"""Columns of each record type: ``datasets`` features, Arrow schema and row conversion.

The features are declared with the real ``datasets`` library, so the Arrow schema
carries the ``huggingface`` metadata that makes ``load_dataset`` decode Image,
Audio and Video columns.
"""

from __future__ import annotations

import json
from functools import cache
from typing import Any

import datasets
import pyarrow as pa

from .records import Record

_str = datasets.Value("string")
_TURN = {"speaker": _str, "text": _str, "start": datasets.Value("float64"),
         "end": datasets.Value("float64")}

_COLUMNS: dict[str, dict[str, Any]] = {
    "text": {"title": _str, "text": _str},
    "conversation": {"title": _str, "turns": datasets.List(_TURN), "audio": datasets.Audio()},
    "image": {"image": datasets.Image(), "caption": _str},
    "audio": {"audio": datasets.Audio(), "transcript": _str, "speaker": _str},
    "video": {"video": datasets.Video(), "caption": _str, "subtitles": _str},
}

TEXT_FIELDS = {"text": "text", "conversation": "turns", "image": "caption",
               "audio": "transcript", "video": "caption"}
"""The field that carries each record type's main text."""


@cache
def features(record_type: str) -> datasets.Features:
    """The ``datasets.Features`` of a record type: id, its own columns, language, metadata."""
    return datasets.Features({"id": _str, **_COLUMNS[record_type], "language": _str,
                              "metadata": _str})


@cache
def arrow_schema(record_type: str) -> pa.Schema:
    """Arrow schema with the ``huggingface`` features metadata."""
    return features(record_type).arrow_schema


def media_columns(record_type: str) -> list[str]:
    """Names of the columns that hold media (``struct<bytes, path>``)."""
    kinds = (datasets.Image, datasets.Audio, datasets.Video)
    return [k for k, v in features(record_type).items() if isinstance(v, kinds)]


def to_row(record: Record, record_type: str) -> dict[str, Any]:
    """Turn a record into one Parquet row of its record type's schema."""
    row: dict[str, Any] = {"id": record.key}
    for column in features(record_type):
        if column == "id":
            continue
        if column in record.media:
            media = record.media[column]
            row[column] = {"bytes": media.data, "path": f"{record.key}.{media.ext}"}
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
