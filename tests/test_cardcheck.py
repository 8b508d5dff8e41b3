"""The card check a contributor's pull request runs: each problem, one line, exit 1."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from archive.cardcheck import check_card, check_entry
from tests.helpers import CARD, form, submit

REPO = Path(__file__).resolve().parent.parent


def write(tmp_path: Path, text: str, name: str = "card.md") -> Path:
    path = tmp_path / "datacards" / "test-essays" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def messages(path: Path) -> list[str]:
    return [f"{p.line}: {p.message}" for p in check_card(path)]


def test_a_good_card_passes(tmp_path: Path) -> None:
    assert check_card(write(tmp_path, CARD)) == []


@pytest.mark.parametrize(("edit", "expected"), [
    (lambda c: c.replace("## Intended uses", "## Intended usage"),
     "unknown section 'Intended usage'"),
    (lambda c: c.replace("## Out-of-scope uses\n", "## Files and checksums\n"),
     "section 'Files and checksums' is generated from each release"),
    (lambda c: c.replace("Testing the archive's release pipeline end to end with real "
                         "libraries.", "Tests."),
     "section 'Intended uses' has 6 characters of text; at least 40 expected"),
    (lambda c: c + "\n<script>alert(1)</script>\n", "raw HTML <script> is not allowed"),
    (lambda c: c + '\n<img src="x" onerror="alert(1)">\n', "raw HTML <img> is not allowed"),
    (lambda c: c + "\n[click](javascript:alert(1))\n", "scheme 'javascript' is not allowed"),
    (lambda c: c + "\n[site](https://)\n", "no host name"),
    (lambda c: c + "\n[empty]()\n", "empty link target"),
    (lambda c: c + "\n<!-- generated:files -->\n", "generated-section marker"),
    (lambda c: "# Title\n\n" + c, "text before the first section is not published"),
    (lambda c: c + "\n## Summary\n\nAgain a summary that is long enough to count as one, "
     "really it is.\n", "section 'Summary' appears twice"),
])
def test_each_problem_is_caught_with_its_line(tmp_path: Path, edit, expected: str) -> None:
    path = write(tmp_path, edit(CARD))
    found = messages(path)
    assert any(expected in m for m in found), found


def test_missing_required_section(tmp_path: Path) -> None:
    card = CARD.split("## Personal and sensitive information")[0]
    found = messages(write(tmp_path, card))
    assert any("required section 'Personal and sensitive information' is missing" in m
               for m in found)


def test_code_blocks_are_not_checked_as_html(tmp_path: Path) -> None:
    card = CARD + "\n## Licence notes\n\n```html\n<script>fine in a code block</script>\n```\n"
    assert check_card(write(tmp_path, card)) == []


def test_translated_card_uses_its_own_headings(tmp_path: Path) -> None:
    card = (REPO / "datacards" / "icelandic-english-essays" / "card.is.md")
    if not card.is_file():
        pytest.skip("bundled Icelandic card not present")
    assert check_card(card) == []
    bad = write(tmp_path, CARD, name="card.is.md")
    assert any("unknown section 'Summary'" in m for m in messages(bad))


def test_personal_information_in_a_card_is_refused(tmp_path: Path) -> None:
    from archive.screening import pii_in_text

    path = write(tmp_path, CARD + "\n## Licence notes\n\nWrite to jon.jonsson@example.is or "
                 "call +354 555 1234.\n")
    problems = check_card(path, find_pii=pii_in_text)
    kinds = " ".join(p.message for p in problems)
    assert "email" in kinds and "phone" in kinds
    assert "jon.jonsson@example.is" not in kinds


def test_entry_metadata_is_checked(root: Path) -> None:
    entry = submit(root, form(), approve=True)
    path = entry.directory / "entry.yaml"
    assert check_entry(path) == []
    document = yaml.safe_load(path.read_text())
    document["form"]["license"] = "CC-BY-NC-4.0"
    document["form"]["languages"] = ["en", "xx"]
    document["form"]["task_categories"] = ["text-generashun"]
    path.write_text(yaml.safe_dump(document, sort_keys=False))
    found = [p.message for p in check_entry(path)]
    assert any("CC-BY-NC-4.0" in m and "allow-list" in m for m in found)
    assert any("'xx' is not a valid BCP 47" in m for m in found)
    assert any("unknown task category 'text-generashun'" in m for m in found)
    assert all(p.line > 1 for p in check_entry(path))


def test_cli_prints_one_line_per_problem_and_exits_1(tmp_path: Path) -> None:
    path = write(tmp_path, CARD + "\n<script>x</script>\n[a](javascript:x)\n")
    result = subprocess.run([sys.executable, "-m", "archive.cli", "card", "check", str(path)],
                            capture_output=True, text=True, check=False)
    assert result.returncode == 1
    lines = result.stdout.strip().splitlines()
    assert len(lines) == 2
    assert all(line.startswith(f"{path}:") and "(fix: " in line for line in lines)


def test_every_bundled_card_passes() -> None:
    result = subprocess.run([sys.executable, "-m", "archive.cli", "--root", str(REPO), "card",
                             "check"], capture_output=True, text=True, check=False, cwd=REPO)
    assert result.returncode == 0, result.stdout + result.stderr
