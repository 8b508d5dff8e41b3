"""Where text lives in a record: every string field by JSON pointer, and the main text."""

from __future__ import annotations

import copy
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from ..features import TEXT_FIELDS
from ..records import MEDIA_FIELDS, Record
from ..schemas import pointer as json_pointer

SKIPPED_FIELDS = {"id", "language", *MEDIA_FIELDS}
"""Top-level fields that hold no free text: the record id, its language tag, media names."""

_MORE_TEXT = {"video": ("subtitles",)}
"""Fields read after a record type's main text field: a video's subtitles are its speech."""

MAIN_TEXT: dict[str, tuple[str, ...]] = {
    record_type: (name, *_MORE_TEXT.get(record_type, ()))
    for record_type, name in TEXT_FIELDS.items()
}
"""The fields whose text is the record's content, by record type (for language and duplicates)."""

_SUBTITLE_TIMING = re.compile(r"^\s*(?:[0-9]+|WEBVTT.*|[0-9:.,]+\s*-->\s*[0-9:.,]+.*)\s*$",
                              re.MULTILINE)


@dataclass(frozen=True)
class TextField:
    """A string in a record: its JSON pointer, its value, and the key that holds it."""

    pointer: str
    value: str
    key: str
    in_metadata: bool


def _walk(value: Any, pointer: str, key: str, in_metadata: bool) -> Iterator[TextField]:
    if isinstance(value, str):
        yield TextField(pointer, value, key, in_metadata)
    elif isinstance(value, int) and not isinstance(value, bool) and in_metadata:
        yield TextField(pointer, str(value), key, in_metadata)
    elif isinstance(value, dict):
        for k, v in value.items():
            yield from _walk(v, pointer + json_pointer([k]), str(k), in_metadata)
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from _walk(v, f"{pointer}/{i}", key, in_metadata)


def text_fields(record: Record) -> Iterator[TextField]:
    """Every free-text string of ``record`` (metadata included, at any depth)."""
    for key, value in record.fields.items():
        if key in SKIPPED_FIELDS:
            continue
        yield from _walk(value, json_pointer([key]), key, key == "metadata")


def main_text(record: Record, record_type: str) -> str:
    """The record's content as one string: the essay, the turns, the caption, the transcript."""
    parts: list[str] = []
    for key in MAIN_TEXT.get(record_type, ("text",)):
        value = record.fields.get(key)
        if key == "turns" and isinstance(value, list):
            parts += [t.get("text", "") for t in value if isinstance(t, dict)]
        elif key == "subtitles" and isinstance(value, str):
            parts.append(_SUBTITLE_TIMING.sub("", value))
        elif isinstance(value, str):
            parts.append(value)
    return "\n".join(p for p in parts if p)


def with_values(record: Record, values: dict[str, str]) -> Record:
    """A copy of ``record`` whose strings at the given pointers are replaced."""
    fields = copy.deepcopy(record.fields)
    for pointer, value in values.items():
        parts = [p.replace("~1", "/").replace("~0", "~") for p in pointer.split("/")[1:]]
        target: Any = fields
        for part in parts[:-1]:
            target = target[int(part)] if isinstance(target, list) else target[part]
        last = parts[-1]
        if isinstance(target, list):
            target[int(last)] = value
        else:
            target[last] = value
    return Record(key=record.key, split=record.split, fields=fields, origin=record.origin,
                  media=record.media)


def generalise(pointer: str) -> str:
    """A pointer with array indices replaced by ``*``, for counting by field.

    >>> generalise("/turns/3/text")
    '/turns/*/text'
    """
    return re.sub(r"/[0-9]+(?=/|$)", "/*", pointer)
