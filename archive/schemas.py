"""The JSON Schemas in ``schemas/``: loading them and validating against them."""

from __future__ import annotations

import json
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema
import jsonschema_rs

SCHEMA_DIR = Path(__file__).resolve().parent.parent / "schemas"
RECORD_TYPES = ("text", "conversation", "image", "audio", "video")


@cache
def load(name: str) -> dict[str, Any]:
    """Return the schema ``schemas/NAME.schema.json`` (``records/text`` for a record schema)."""
    return json.loads((SCHEMA_DIR / f"{name}.schema.json").read_text(encoding="utf-8"))


def pointer(path: Any) -> str:
    """Turn a sequence of keys and indexes into a JSON pointer (RFC 6901).

    >>> pointer(["turns", 3, "text"])
    '/turns/3/text'
    """
    return "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in path)


def form_errors(document: Any) -> Iterator[tuple[str, str]]:
    """Yield ``(pointer, message)`` for each way a form breaks the form schema, first first.

    Uses ``jsonschema`` for its readable messages: forms are small.
    """
    validator = jsonschema.Draft202012Validator(load("form"))
    errors = sorted(validator.iter_errors(document), key=lambda e: list(e.absolute_path))
    for error in errors:
        yield pointer(error.absolute_path), error.message


@cache
def record_validator(record_type: str) -> jsonschema_rs.Validator:
    """Return a fast validator (jsonschema-rs, same standard) for a record type's schema."""
    return jsonschema_rs.validator_for(load(f"records/{record_type}"))


def record_error(record_type: str, fields: dict[str, Any]) -> tuple[str, str] | None:
    """Return ``(pointer, message)`` for the first schema error of a record, or None."""
    validator = record_validator(record_type)
    if validator.is_valid(fields):
        return None
    error = next(iter(validator.iter_errors(fields)))
    return pointer(error.instance_path), error.message
