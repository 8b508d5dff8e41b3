"""Coverage-guided fuzzing (atheris) of the parsers that read partner input.

Usage: python benchmarks/fuzz.py TARGET [-max_total_time=60] [other libFuzzer flags]

TARGET is one of ``jsonl``, ``csv``, ``tar``, ``form``, ``card``. Each input is written
to a scratch file and read the way a release reads it; the only acceptable outcomes are
records or an :class:`~archive.errors.ArchiveError`. Anything else (another exception, a
hang, a crash) is a finding, which libFuzzer saves as ``crash-*``. Needs
``pip install atheris``; not part of the test suite.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

import atheris

with atheris.instrument_imports():
    from archive.cardcheck import check_card
    from archive.errors import ArchiveError
    from archive.form import read_form
    from archive.readers import read_split

SCRATCH = Path(tempfile.mkdtemp(prefix="archive-fuzz-"))
FILES = {"jsonl": "train.jsonl", "csv": "train.csv", "tar": "train.tar",
         "form": "form.yaml", "card": "card.md"}


def run(target: str, data: bytes) -> None:
    path = SCRATCH / FILES[target]
    path.write_bytes(data)
    try:
        if target in ("jsonl", "csv", "tar"):
            fmt = {"jsonl": "jsonl", "csv": "csv", "tar": "webdataset"}[target]
            record_type = "image" if target == "tar" else "text"
            for _ in read_split("fuzz", record_type, fmt, SCRATCH, "train", [path.name]):
                pass
        elif target == "form":
            read_form(path)
        else:
            check_card(path)
    except ArchiveError:
        pass


def main() -> None:
    if len(sys.argv) < 2 or sys.argv[1] not in FILES:
        raise SystemExit(f"usage: python benchmarks/fuzz.py {{{','.join(FILES)}}} [flags]")
    target = sys.argv.pop(1)
    atheris.Setup(sys.argv, lambda data: run(target, data))
    atheris.Fuzz()


if __name__ == "__main__":
    main()
