"""Intake and approval: a partner's form becomes an entry; bad forms are refused clearly."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from archive.entries import Registry
from archive.errors import EntryError, FormError, RefusedError
from tests.helpers import form, submit


def test_intake_records_public_fields_and_keeps_contact_private(root: Path) -> None:
    entry = submit(root, form(), approve=False)
    text = (root / "datacards" / "test-essays" / "entry.yaml").read_text()
    assert entry.state == "submitted"
    assert "jane.contact@example.org" not in text and "Jane Contact" not in text
    private = yaml.safe_load((root / ".archive" / "private" / "test-essays.yaml").read_text())
    assert private["contact"]["email"] == "jane.contact@example.org"
    assert (root / ".archive" / "private" / "test-essays.yaml").stat().st_mode & 0o077 == 0


def test_approval_records_who_and_when(root: Path) -> None:
    submit(root, form(), approve=False)
    entry = Registry(root).approve("test-essays", "A. Maintainer")
    reloaded = Registry(root).get("test-essays")
    assert reloaded.state == "approved"
    assert reloaded.approval == entry.approval and reloaded.approval["by"] == "A. Maintainer"


def test_unapproved_entry_cannot_be_released(root: Path) -> None:
    entry = submit(root, form(), approve=False)
    with pytest.raises(RefusedError, match="not approved"):
        entry.require_releasable()


def test_private_pathway_is_refused_at_intake_and_nothing_recorded(root: Path) -> None:
    with pytest.raises(RefusedError, match="private-pathway") as info:
        submit(root, form(pathway="private"))
    assert info.value.where.pointer == "/pathway"
    assert not (root / "datacards" / "test-essays").exists()


@pytest.mark.parametrize(("override", "pointer", "message"), [
    ({"license": "CC-BY-NC-4.0"}, "/license", "not an open SPDX licence"),
    ({"license": "Not a licence!"}, "/license", "does not match"),
    ({"languages": ["en", "xx"]}, "/languages/1", "not a valid BCP 47"),
    ({"languages": ["English"]}, "/languages/0", "does not match"),
    ({"size": {"records": 0, "bytes": 10}}, "/size/records", "less than the minimum"),
    ({"id": "Bad_Id"}, "/id", "does not match"),
])
def test_bad_form_names_file_line_and_pointer(root: Path, override: dict, pointer: str,
                                              message: str) -> None:
    with pytest.raises(FormError) as info:
        submit(root, form(**override))
    error = info.value
    assert error.where.pointer == pointer
    assert message in str(error)
    assert str(error.where.file).endswith("form.yaml")
    if "does not match" in message or "minimum" in message:
        assert error.where.line is not None
    assert not list((root / "datacards").iterdir())


def test_missing_required_field_is_named(root: Path) -> None:
    document = form()
    del document["license"]
    with pytest.raises(FormError, match="'license' is a required property"):
        submit(root, document)


def test_missing_data_file_is_named(root: Path, tmp_path: Path) -> None:
    document = form(source={"format": "jsonl", "splits": {"train": ["nope.jsonl"]}})
    with pytest.raises(FormError, match=r"nope\.jsonl does not exist") as info:
        submit(root, document)
    assert info.value.where.pointer == "/source/splits/train/0"


def test_malformed_yaml_gives_its_line(root: Path, tmp_path: Path) -> None:
    path = tmp_path / "form.yaml"
    path.write_text("id: x\ntitle: [unclosed\nlicense: MIT\n")
    with pytest.raises(FormError, match="malformed YAML") as info:
        Registry(root).intake(path, tmp_path)
    assert info.value.where.line is not None


def test_yaml_aliases_and_custom_tags_are_refused(root: Path, tmp_path: Path) -> None:
    path = tmp_path / "form.yaml"
    path.write_text("a: &x [1, 2]\nb: *x\n")
    with pytest.raises(FormError, match="anchors and aliases"):
        Registry(root).intake(path, tmp_path)
    path.write_text("a: !!python/object/apply:os.system ['true']\n")
    with pytest.raises(FormError, match="malformed YAML"):
        Registry(root).intake(path, tmp_path)


def test_second_intake_of_same_id_is_refused(root: Path) -> None:
    submit(root, form(), approve=False)
    with pytest.raises(EntryError, match="exists already"):
        submit(root, form(), approve=False)


def test_unknown_dataset_lists_known_ones(root: Path) -> None:
    submit(root, form(), approve=False)
    with pytest.raises(EntryError, match="known datasets: test-essays"):
        Registry(root).get("nope")


def test_allow_list_has_the_data_licences() -> None:
    from archive.licenses import OPEN_LICENSES

    assert {"CC0-1.0", "CC-BY-4.0", "CC-BY-SA-4.0", "ODbL-1.0", "PDDL-1.0",
            "CDLA-Permissive-2.0"} <= set(OPEN_LICENSES)
    assert not {s for s in OPEN_LICENSES if "-NC" in s or "-ND" in s}
