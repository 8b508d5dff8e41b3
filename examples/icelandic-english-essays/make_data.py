"""Build the icelandic-english-essays example dataset from essays.yaml.

The essays were written for the archive's bundled examples: they are not taken from
any real person, school or publication. This script only reshapes them into the
partner's submission layout:

    data/train.jsonl   one JSON object per line (essays whose split is "train")
    data/test.jsonl    the same for the "test" split

Each line: {"id", "title", "text", "language", "metadata": {"topic", "genre", "word_count"}}.
The output is byte-for-byte reproducible: run ``python make_data.py`` from anywhere.
"""

from __future__ import annotations

import json
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
SOURCE = HERE / "essays.yaml"
DATA = HERE / "data"
SPLITS = ("train", "test")


def load_essays() -> list[dict]:
    """Read the essay sources, in id order, and check the few things that must hold."""
    essays = yaml.safe_load(SOURCE.read_text(encoding="utf-8"))
    ids = [essay["id"] for essay in essays]
    if len(set(ids)) != len(ids):
        raise SystemExit("duplicate essay id in essays.yaml")
    for essay in essays:
        if essay["split"] not in SPLITS or essay["language"] not in ("is", "en"):
            raise SystemExit(f"{essay['id']}: bad split or language")
    return sorted(essays, key=lambda essay: essay["id"])


def to_record(essay: dict) -> dict:
    """The record written to the jsonl file (schemas/records/text.schema.json)."""
    text = essay["text"].strip()
    return {
        "id": essay["id"],
        "title": essay["title"],
        "text": text,
        "language": essay["language"],
        "metadata": {
            "topic": essay["topic"],
            "genre": essay["genre"],
            "word_count": len(text.split()),
        },
    }


def main() -> None:
    essays = load_essays()
    DATA.mkdir(exist_ok=True)
    for split in SPLITS:
        lines = [
            json.dumps(to_record(essay), ensure_ascii=False) + "\n"
            for essay in essays
            if essay["split"] == split
        ]
        path = DATA / f"{split}.jsonl"
        path.write_text("".join(lines), encoding="utf-8", newline="\n")
        print(f"{path.relative_to(HERE)}: {len(lines)} records")


if __name__ == "__main__":
    main()
