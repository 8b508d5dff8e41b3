"""The private pathway is refused at every entry point, each on its own."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from archive.entries import Registry
from archive.errors import RefusedError
from archive.hub.local import LocalHub
from archive.pipeline import release_one, republish_card
from tests.helpers import essays, form, submit


def make_private(root: Path) -> None:
    path = root / "datacards" / "test-essays" / "entry.yaml"
    document = yaml.safe_load(path.read_text())
    document["form"]["pathway"] = "private"
    path.write_text(yaml.safe_dump(document))


def cli(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "archive.cli", "--root", str(root), *args],
                          capture_output=True, text=True, check=False, cwd=root)


def test_intake(root: Path) -> None:
    with pytest.raises(RefusedError, match="private-pathway datasets are not handled"):
        submit(root, form(pathway="private"))


def test_approval(root: Path) -> None:
    submit(root, form(), essays(3), approve=False)
    make_private(root)
    with pytest.raises(RefusedError, match="cannot be approved"):
        Registry(root).approve("test-essays", "Maint")


@pytest.mark.parametrize("command", [["validate"], ["screen"], ["build"], ["release"],
                                     ["publish"], ["publish", "--card-only"]])
def test_every_command(root: Path, command: list[str]) -> None:
    submit(root, form(), essays(3))
    make_private(root)
    name, *flags = command
    result = cli(root, name, "test-essays", *flags)
    if name == "validate":  # reading is allowed; it publishes nothing and writes nothing
        assert result.returncode == 0
        return
    assert result.returncode == 1, result.stdout
    assert "private-pathway data is never published" in result.stderr
    assert not (root / "hub").exists() and not (root / "build").exists()


def test_publish_of_a_build_made_before_the_entry_turned_private(root: Path) -> None:
    submit(root, form(), essays(3))
    hub = LocalHub(root / "hub", org="archive")
    release_one(Registry(root), hub, "test-essays", dry_run=True)
    assert (root / "build" / "test-essays" / "1.0.0" / "SHA256SUMS").is_file()
    make_private(root)
    result = cli(root, "publish", "test-essays")
    assert result.returncode == 1 and "private-pathway" in result.stderr
    assert hub.tags("archive/test-essays") == {}


def test_card_only_publish_after_the_entry_turned_private(root: Path) -> None:
    submit(root, form(), essays(3))
    hub = LocalHub(root / "hub", org="archive")
    release_one(Registry(root), hub, "test-essays")
    make_private(root)
    with pytest.raises(RefusedError, match="private-pathway"):
        republish_card(Registry(root), hub, "test-essays")
    assert len(hub.history("archive/test-essays")) == 1
