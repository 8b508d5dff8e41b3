"""Small partner datasets made on the fly, for tests."""

from __future__ import annotations

import io
import json
import tarfile
from pathlib import Path
from typing import Any

import yaml

from archive.entries import Entry, Registry

ESSAY_EN = ("The harbour wakes before the town does. Long before the first bus leaves the square, "
            "the boats are already rocking against the pier and the gulls argue over the night's "
            "catch. Anyone who grew up here knows the sound of diesel engines in the dark.")
ESSAY_IS = ("Höfnin vaknar á undan bænum. Löngu áður en fyrsti strætisvagninn fer af torginu eru "
            "bátarnir farnir að rugga við bryggjuna og mávarnir rífast um afla næturinnar. Allir "
            "sem ólust hér upp þekkja hljóðið í dísilvélunum í myrkrinu.")

CARD = """## Summary

A small set of essays written for the archive's tests, in English and Icelandic, about
harbour life. Nothing in it is real personal data.

## Intended uses

Testing the archive's release pipeline end to end with real libraries.

## Out-of-scope uses

Anything else: the texts are too few and too repetitive to train or evaluate models.

## Collection process

Written by the archive's developers for the test suite, then repeated with numbers.

## Known limitations and biases

The essays repeat two paragraphs; the language balance is fixed by the test.

## Personal and sensitive information

None: the texts were written to contain no personal information at all.
"""


def form(dataset_id: str = "test-essays", **overrides: Any) -> dict[str, Any]:
    """A valid form for a JSON Lines text dataset."""
    document = {
        "id": dataset_id,
        "title": "Test essays",
        "description": "Essays in English and Icelandic written for the archive's tests, "
                       "about harbour life.",
        "modalities": ["text"], "record_type": "text", "languages": ["en", "is"],
        "license": "CC-BY-4.0", "pathway": "open",
        "size": {"records": 10, "bytes": 5000},
        "source": {"format": "jsonl", "splits": {"train": ["train.jsonl"]}},
        "organisation": {"name": "Test Partner", "url": "https://example.org"},
        "contact": {"name": "Jane Contact", "email": "jane.contact@example.org"},
    }
    document.update(overrides)
    return document


def essays(n: int = 10, prefix: str = "essay") -> list[dict[str, Any]]:
    """``n`` essay records, alternating English and Icelandic."""
    return [{"id": f"{prefix}-{i:04d}", "title": f"Essay {i}",
             "text": f"{ESSAY_EN if i % 2 == 0 else ESSAY_IS} ({i})",
             "language": "en" if i % 2 == 0 else "is"} for i in range(n)]


def write_tar(path: Path, members: list[tuple[str, bytes]]) -> Path:
    """A plain tar with the given members, in order."""
    with tarfile.open(path, "w") as tar:
        for name, data in members:
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return path


def write_jsonl(path: Path, records: list[dict[str, Any]]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records),
                    encoding="utf-8")
    return path


def submit(root: Path, document: dict[str, Any], records: list[dict[str, Any]] | None = None,
           *, approve: bool = True, card: str = CARD) -> Entry:
    """Write a form and its data under ``root/partner``, intake it, card it, approve it."""
    partner = root / "partner" / document["id"]
    data = partner / "data"
    records = essays() if records is None else records
    write_jsonl(data / "train.jsonl", records)
    form_path = partner / "form.yaml"
    form_path.write_text(yaml.safe_dump(document, allow_unicode=True), encoding="utf-8")
    registry = Registry(root)
    entry = registry.intake(form_path, data)
    entry.card_path.write_text(card, encoding="utf-8")
    return registry.approve(entry.id, "Test Maintainer") if approve else entry


def with_policy(root: Path, entry: Entry, screening: dict[str, Any]) -> Entry:
    """``entry`` with its screening policy replaced, saved and read back."""
    entry.screening = screening
    Registry(root).save(entry)
    return Registry(root).get(entry.id)
