"""Published cards: Hub conventions, human edits that survive, card-only updates."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from huggingface_hub import DatasetCard

from archive.entries import Registry
from archive.hub.local import LocalHub
from archive.hubmeta import TASK_CATEGORIES, hub_languages, size_categories
from archive.licenses import OPEN_LICENSES
from archive.pipeline import release_one, republish_card
from tests.helpers import CARD, essays, form, submit, write_jsonl

REPO = "archive/test-essays"


@pytest.fixture
def hub(root: Path) -> LocalHub:
    submit(root, form(), essays(10))
    hub = LocalHub(root / "hub", org="archive")
    release_one(Registry(root), hub, "test-essays")
    return hub


def test_card_yaml_follows_the_hubs_conventions(hub: LocalHub) -> None:
    card = DatasetCard.load(hub.tree(REPO, "v1.0.0") / "README.md")
    data = card.data.to_dict()
    assert set(data["language"]) <= hub_languages()
    assert data["license"] in OPEN_LICENSES.values()
    assert set(data["size_categories"]) <= set(size_categories())
    assert set(data["task_categories"]) <= TASK_CATEGORIES
    assert data["pretty_name"] == "Test essays"
    features = {f["name"] for f in data["dataset_info"]["features"]}
    assert features == {"id", "title", "text", "language", "metadata"}


def test_croissant_carries_responsible_ai_fields(hub: LocalHub) -> None:
    croissant = json.loads((hub.tree(REPO, "v1.0.0") / "croissant.json").read_text())
    assert croissant["rai:dataCollection"].startswith("Written by the archive's developers")
    assert "no personal information" in croissant["rai:personalSensitiveInformation"]
    assert croissant["rai:dataUseCases"].startswith("Testing the archive")


def test_human_edit_survives_a_new_release(root: Path, hub: LocalHub) -> None:
    card = root / "datacards" / "test-essays" / "card.md"
    card.write_text(CARD.replace("## Licence notes", "") + "\n## Licence notes\n\nPlease "
                    "credit the partner as 'Test Partner' when you use the essays.\n")
    write_jsonl(root / "partner" / "test-essays" / "data" / "train.jsonl", essays(12))
    release_one(Registry(root), hub, "test-essays", version="1.1.0")
    published = (hub.tree(REPO, "v1.1.0") / "README.md").read_text()
    assert "credit the partner as 'Test Partner'" in published
    assert "12 records of type **text**" in published
    assert "credit the partner" not in (hub.tree(REPO, "v1.0.0") / "README.md").read_text()


def test_card_only_update_on_the_local_hub(root: Path, hub: LocalHub) -> None:
    data_before = {p: f for p, f in hub.files(REPO).items() if p.startswith(("data/", "web"))}
    card = root / "datacards" / "test-essays" / "card.md"
    card.write_text(CARD.replace("harbour life.", "harbour life and its ferries."))
    plan = republish_card(Registry(root), hub, "test-essays")
    assert {p for p, _ in plan.change} == {"README.md"}
    newest = hub.history(REPO)[0]
    assert newest["message"] == "Update dataset card"
    assert set(hub.tags(REPO)) == {"v1.0.0"}
    assert "its ferries" in hub.read(REPO, "README.md").decode()
    assert "its ferries" not in hub.read(REPO, "README.md", "v1.0.0").decode()
    assert {p: f for p, f in hub.files(REPO).items() if p.startswith(("data/", "web"))} == \
        data_before
    again = republish_card(Registry(root), hub, "test-essays")
    assert again.already_published and len(hub.history(REPO)) == 2


def test_card_only_update_republishes_croissant_when_its_fields_change(root: Path,
                                                                       hub: LocalHub) -> None:
    card = root / "datacards" / "test-essays" / "card.md"
    card.write_text(CARD.replace("the language balance is fixed by the test.",
                                 "the language balance is fixed by the test, and the essays "
                                 "were never proofread."))
    plan = republish_card(Registry(root), hub, "test-essays")
    assert {p for p, _ in plan.change} == {"README.md", "croissant.json"}
    croissant = json.loads(hub.read(REPO, "croissant.json"))
    assert "never proofread" in croissant["rai:dataLimitations"]


def test_card_render_prints_what_would_be_published(root: Path, hub: LocalHub) -> None:
    result = subprocess.run([sys.executable, "-m", "archive.cli", "--root", str(root), "card",
                             "render", "test-essays"], capture_output=True, text=True,
                            check=False, cwd=root)
    assert result.returncode == 0, result.stderr
    assert result.stdout == hub.read(REPO, "README.md").decode()


def test_card_only_publish_from_the_cli_needs_a_release(root: Path) -> None:
    submit(root, form(), essays(3))
    result = subprocess.run([sys.executable, "-m", "archive.cli", "--root", str(root),
                             "publish", "test-essays", "--card-only"], capture_output=True,
                            text=True, check=False, cwd=root)
    assert result.returncode == 1
    assert "has no release on hub yet" in result.stderr and "archive release" in result.stderr


def test_published_card_metadata_is_checked(hub: LocalHub, tmp_path: Path) -> None:
    from archive.cardcheck import check_published_card

    published = hub.tree(REPO, "v1.0.0") / "README.md"
    assert check_published_card(published) == []
    text = published.read_text()
    bad = tmp_path / "README.md"
    bad.write_text(text.replace("- n<1K", "- 10K<n<100K").replace("license: cc-by-4.0",
                                                                  "license: cc-by-nc-4.0")
                   .replace("- is\n", "- xx\n"))
    found = [p.message for p in check_published_card(bad)]
    assert any("size category ['10K<n<100K'] does not match 10 records" in m for m in found)
    assert any("'cc-by-nc-4.0' is not an open licence" in m for m in found)
    assert any("language 'xx'" in m for m in found)
