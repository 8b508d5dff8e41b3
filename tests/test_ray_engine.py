"""The Ray engine: a local Ray instance builds the same release as the local engine."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pyarrow.parquet as pq
import pytest
import ray  # noqa: F401 - the tests need the optional extra, installed by scripts/test.sh

from archive.build import build
from archive.parallel import Engine
from archive.verify import verify_folder
from tests.helpers import essays, form, submit, with_policy

KWARGS = {"repo_id": "archive/test-essays", "url": "https://example.org"}


def test_ray_build_equals_local_build_record_by_record(root: Path, tmp_path: Path) -> None:
    records = essays(600)
    records[11]["text"] += " Call +354 555 1234 or write to jon.jonsson@example.is."
    records.append({**records[5], "id": "copy-5"})
    entry = with_policy(root, submit(root, form(), records), {"pii": {"default": "redact"}})
    local = build(entry, tmp_path / "local", engine=Engine(workers=1), **KWARGS)
    on_ray = build(entry, tmp_path / "ray", engine=Engine(workers=2, kind="ray"), **KWARGS)
    sums = [(tmp_path / name / "SHA256SUMS").read_text() for name in ("local", "ray")]
    assert sums[0] == sums[1] and "webdataset/train-00000.tar" in sums[0]
    assert local.records == on_ray.records == 600  # the exact copy is dropped
    rows = [pq.read_table(tmp_path / name / "data").to_pylist() for name in ("local", "ray")]
    assert rows[0] == rows[1]
    assert "[EMAIL]" in rows[1][11]["text"] and "jon.jonsson" not in rows[1][11]["text"]
    assert on_ray.screening and on_ray.screening["counts"]["records_redacted"] == 1
    assert on_ray.screening["duplicates"]["exact"] == 1
    assert verify_folder(tmp_path / "ray").records == 600


def test_cli_release_on_ray_and_address_needs_ray(root: Path) -> None:
    submit(root, form(), essays(40))

    def cli(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "archive.cli", "--root", str(root), *args],
                              capture_output=True, text=True, check=False, cwd=root)

    wrong = cli("release", "test-essays", "--address", "auto")
    assert wrong.returncode == 2 and "--address needs --engine ray" in wrong.stderr
    done = cli("release", "test-essays", "--engine", "ray", "--workers", "2")
    assert done.returncode == 0, done.stderr
    assert "v1.0.0" in done.stdout
    assert verify_folder(root / "hub" / "archive" / "test-essays" / "v1.0.0").records == 40


def test_a_bad_line_parsed_on_ray_is_named_as_in_one_process(root: Path, tmp_path: Path
                                                             ) -> None:
    from archive.errors import RecordError
    from tests.test_release_local import with_bad_line

    entry = submit(root, form(), essays(700))
    with_bad_line(entry, 600)
    with pytest.raises(RecordError) as caught:
        build(entry, tmp_path / "out", engine=Engine(workers=2, kind="ray"), **KWARGS)
    assert type(caught.value) is RecordError
    assert f"{entry.data}/train.jsonl:600: malformed JSON" in str(caught.value)
