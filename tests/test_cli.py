"""The CLI: one line per error, exit codes, the whole flow through the real command."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import yaml

from tests.helpers import CARD, essays, form, write_jsonl


def run(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "archive.cli", "--root", str(root), *args],
                          capture_output=True, text=True, check=False, cwd=root)


def partner(root: Path, **overrides: object) -> tuple[Path, Path]:
    folder = root / "partner"
    write_jsonl(folder / "data" / "train.jsonl", essays(6))
    path = folder / "form.yaml"
    path.write_text(yaml.safe_dump(form(**overrides), allow_unicode=True))
    return path, folder / "data"


def test_intake_approve_release_verify(root: Path) -> None:
    form_path, data = partner(root)
    assert run(root, "intake", str(form_path), "--data", str(data)).returncode == 0
    (root / "datacards" / "test-essays" / "card.md").write_text(CARD)
    refused = run(root, "release", "test-essays")
    assert refused.returncode == 1
    assert refused.stderr.strip().splitlines() == [refused.stderr.strip()]
    assert "not approved" in refused.stderr and "archive approve test-essays" in refused.stderr
    assert "Traceback" not in refused.stderr
    assert run(root, "approve", "test-essays", "--by", "Maint").returncode == 0
    validated = run(root, "validate", "test-essays")
    assert validated.stdout.strip() == "test-essays: 6 valid records (train 6)"
    dry = run(root, "release", "test-essays", "--dry-run")
    assert dry.returncode == 0 and "add     data/train-00000.parquet" in dry.stdout
    assert not (root / "hub" / "archive" / "test-essays" / "refs.json").exists()
    done = run(root, "release", "--all")
    assert done.returncode == 0, done.stderr
    assert "published 6 records to archive/test-essays" in done.stdout
    again = run(root, "release", "--all")
    assert "nothing to do" in again.stdout
    ok = run(root, "verify", str(root / "hub" / "archive" / "test-essays" / "v1.0.0"))
    assert ok.returncode == 0 and "OK" in ok.stdout


def test_bad_form_is_one_line_with_file_line_pointer(root: Path) -> None:
    form_path, data = partner(root, license="Proprietary")
    result = run(root, "intake", str(form_path), "--data", str(data))
    assert result.returncode == 1
    [line] = result.stderr.strip().splitlines()
    assert line.startswith("error: dataset test-essays, ")
    assert "form.yaml" in line and "at /license" in line and "Proprietary" in line


def test_debug_shows_the_traceback(root: Path) -> None:
    result = run(root, "--debug", "validate", "nope")
    assert result.returncode == 1
    assert "Traceback" in result.stderr and "no such dataset entry" in result.stderr


def test_every_command_has_help_with_an_example(root: Path) -> None:
    from archive.cli import cli

    for name, command in cli.commands.items():
        assert command.help and "Example" in command.help, name


def raw_run(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """:func:`run`, its output with carriage returns kept (a progress bar's)."""
    done = subprocess.run([sys.executable, "-m", "archive.cli", "--root", str(root), *args],
                          capture_output=True, check=False, cwd=root)
    return subprocess.CompletedProcess(done.args, done.returncode, done.stdout.decode(),
                                       done.stderr.decode())


def test_progress_bar_counts_the_records_then_leaves_the_commands_line(root: Path) -> None:
    form_path, data = partner(root, size={"records": 6, "bytes": 5000})
    assert run(root, "intake", str(form_path), "--data", str(data)).returncode == 0
    (root / "datacards" / "test-essays" / "card.md").write_text(CARD)
    assert run(root, "approve", "test-essays", "--by", "Maint").returncode == 0
    piped = raw_run(root, "build", "test-essays", "--out", str(root / "one"))
    assert piped.returncode == 0 and piped.stderr == ""  # no terminal: no bar
    shown = raw_run(root, "build", "test-essays", "--out", str(root / "two"), "--progress")
    assert shown.returncode == 0, shown.stderr
    assert "\rtest-essays:   0%" in shown.stderr and " 0/6 [" in shown.stderr
    assert shown.stderr.endswith("\r") and not shown.stderr.rsplit("\r", 2)[-2].strip()
    assert shown.stdout.strip() == f"test-essays v1.0.0: built 6 records in {root / 'two'}"
    write_jsonl(data / "train.jsonl", [*essays(3), {"id": "bad", "language": "en"}])
    failed = raw_run(root, "screen", "test-essays", "--progress")
    assert failed.returncode == 1 and "\rtest-essays:" in failed.stderr
    [error] = failed.stderr.rsplit("\r", 1)[-1].strip().splitlines()
    assert error.startswith("error: dataset test-essays, ") and "train.jsonl:4, record bad" in error
