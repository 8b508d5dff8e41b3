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

import numpy as np
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


def to_row(record: Record, record_type: str, text: bytes | None = None) -> dict[str, Any]:
    """Turn a record into one Parquet row of its record type's schema (``text``: its main
    text already encoded, :func:`utf8_text`)."""
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
    if text is not None:
        row[TEXT_FIELDS[record_type]] = text
    return row


def utf8_text(record: Record, record_type: str) -> bytes | None:
    """A record's main text in UTF-8 when it is a string (a conversation's turns are not):
    encoded once, for its Parquet row and its tar member alike."""
    value = record.fields.get(TEXT_FIELDS[record_type])
    return value.encode("utf-8") if isinstance(value, str) else None


def record_batch(rows: list[dict[str, Any]], schema: pa.Schema) -> pa.RecordBatch:
    """Rows as an Arrow batch of ``schema``, as ``RecordBatch.from_pylist`` makes it, but a
    string column given as UTF-8 bytes (a main text, :func:`to_row`) is not encoded again
    and one value alone is not even copied: a long text prepared in the process that
    writes it (with one worker, or in a batch of :data:`~archive.parallel.LOCAL_BYTES`) is
    held once for both formats, not three times. (A batch prepared by a worker process
    comes back with two copies: the Arrow buffer and the tar member are pickled apart.)"""
    columns = []
    for field in schema:
        values = [row.get(field.name) for row in rows]
        if pa.types.is_string(field.type) and any(isinstance(v, bytes) for v in values):
            columns.append(_utf8_array(values))
        else:
            columns.append(pa.array(values, type=field.type))
    return pa.RecordBatch.from_arrays(columns, schema=schema)


def _utf8_array(values: list[bytes | str | None]) -> pa.StringArray:
    encoded = [v.encode("utf-8") if isinstance(v, str) else v for v in values]
    sizes = np.fromiter((len(v) if v is not None else 0 for v in encoded), np.int64,
                        len(encoded))
    offsets = np.zeros(len(encoded) + 1, np.int64)
    np.cumsum(sizes, out=offsets[1:])
    if offsets[-1] > np.iinfo(np.int32).max:  # readers refuse texts over 256 MiB
        raise ValueError(f"{offsets[-1]:,} bytes of text in one batch: Arrow's strings hold "
                         "2 GiB at most")
    offsets = offsets.astype(np.int32)
    present = np.fromiter((v is not None for v in encoded), np.bool_, len(encoded))
    nulls = len(encoded) - int(present.sum())
    validity = pa.py_buffer(np.packbits(present, bitorder="little")) if nulls else None
    data = pa.py_buffer(b"".join(v for v in encoded if v))  # one value: the same bytes
    return pa.StringArray.from_buffers(len(encoded), pa.py_buffer(offsets), data, validity,
                                       nulls)


def text_of(record: Record, record_type: str) -> str:
    """The main text of a record, conversation turns joined by newlines."""
    value = record.fields.get(TEXT_FIELDS[record_type])
    if isinstance(value, list):
        return "\n".join(f"{t.get('speaker', '')}: {t.get('text', '')}" for t in value)
    return value or ""
