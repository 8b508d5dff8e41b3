"""Hostile and broken partner files (``tests/hostile/``): each refused in one clear line.

No crash, no hang, nothing written outside the archive's own folders.
"""

from __future__ import annotations

import re
import shutil
import signal
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from archive.entries import Registry
from archive.errors import ArchiveError, FormError, RecordError, ScreeningError, SourceError
from archive.hub.local import LocalHub
from archive.pipeline import release_one
from tests.helpers import CARD, form, write_jsonl

CORPUS = Path(__file__).parent / "hostile"

REFUSED = {
    "json/invalid-utf8.jsonl": (RecordError, "not UTF-8"),
    "json/nan.jsonl": (RecordError, "NaN is not valid JSON"),
    "json/infinity.jsonl": (RecordError, "-Infinity is not valid JSON"),
    "json/duplicate-keys.jsonl": (RecordError, "duplicate key 'text'"),
    "json/deep.jsonl": (RecordError, "nested too deeply|malformed JSON"),
    "json/truncated.jsonl": (RecordError, "malformed JSON"),
    "json/nul.jsonl": (RecordError, "malformed JSON: Invalid control character"),
    "json/not-an-object.jsonl": (RecordError, "expected a JSON object"),
    "json/lone-surrogate.jsonl": (RecordError, r"jsonl:3, at /text: .* lone surrogate"),
    "csv/mixed-encodings.csv": (RecordError, "not UTF-8"),
    "csv/ragged.csv": (RecordError, "row has"),
    "csv/unclosed-quote.csv": (RecordError, "malformed CSV"),
    "tar/traversal.tar": (RecordError, "unsafe path"),
    "tar/absolute.tar": (RecordError, "unsafe path"),
    "tar/symlink.tar": (RecordError, "not a regular file"),
    "tar/hardlink.tar": (RecordError, "not a regular file"),
    "tar/device.tar": (RecordError, "not a regular file"),
    "tar/fifo.tar": (RecordError, "not a regular file"),
    "tar/duplicate-members.tar": (RecordError, "duplicate member"),
    "tar/scattered-sample.tar": (RecordError, "not adjacent|required property"),
    "tar/huge-claim.tar": (RecordError, "claims 8,589,934,591 bytes"),
    "media/bomb.png": (ScreeningError, "image"),
    "media/truncated.jpg": (ScreeningError, "image"),
    "media/png-named.jpg": (ScreeningError, "image"),
    "media/text-named.flac": (ScreeningError, "audio"),
    "media/absurd-rate.flac": (ScreeningError, "audio"),
    "media/no-streams.mp4": (ScreeningError, "video"),
}


@pytest.fixture(autouse=True)
def _deadline() -> Iterator[None]:
    """A hostile file must never hang the archive."""
    def expired(*_: object) -> None:
        raise TimeoutError("the archive hung on a hostile file")

    previous = signal.signal(signal.SIGALRM, expired)
    signal.alarm(60)
    yield
    signal.alarm(0)
    signal.signal(signal.SIGALRM, previous)


def dataset_for(root: Path, name: str) -> None:
    """An approved dataset whose data is the hostile file (or points at it)."""
    folder, suffix = name.split("/")[0], Path(name).suffix
    data = root / "partner" / "data"
    data.mkdir(parents=True)
    source = CORPUS / name
    if folder == "media":
        record_type = {".png": "image", ".jpg": "image", ".flac": "audio",
                       ".mp4": "video"}[suffix]
        shutil.copyfile(source, data / source.name)
        text = {"image": "caption", "audio": "transcript", "video": "caption"}[record_type]
        write_jsonl(data / "train.jsonl", [{"id": "r1", record_type: source.name,
                                            text: "A perfectly ordinary description."}])
        files, fmt = ["train.jsonl"], "jsonl"
    else:
        record_type = "image" if folder == "tar" else "text"
        fmt = {"json": "jsonl", "csv": "csv", "tar": "webdataset"}[folder]
        shutil.copyfile(source, data / source.name)
        files = [source.name]
    document = form(record_type=record_type, modalities=[record_type],
                    source={"format": fmt, "splits": {"train": files}})
    (root / "partner" / "form.yaml").write_text(yaml.safe_dump(document))
    registry = Registry(root)
    entry = registry.intake(root / "partner" / "form.yaml", data)
    entry.card_path.write_text(CARD)
    registry.approve(entry.id, "Test")


def outside(root: Path) -> set[str]:
    """Everything in the test's folder but the archive's own places."""
    own = {"datacards", "partner", "build", "hub", ".archive"}
    return {p.name for p in root.iterdir() if p.name not in own}


@pytest.mark.parametrize("name", sorted(REFUSED))
def test_hostile_file_is_refused_clearly(root: Path, name: str) -> None:
    error_type, message = REFUSED[name]
    dataset_for(root, name)
    before = outside(root)
    hub = LocalHub(root / "hub", org="archive")
    with pytest.raises(ArchiveError) as info:
        release_one(Registry(root), hub, "test-essays")
    error = info.value
    assert isinstance(error, error_type), f"{type(error).__name__}: {error}"
    assert re.search(message, str(error)), str(error)
    assert "\n" not in str(error)
    assert error.where.dataset == "test-essays" and error.where.file is not None
    assert hub.tags("archive/test-essays") == {}
    assert outside(root) == before
    assert not list((root / "build").rglob("*.partial")) if (root / "build").exists() else True


def test_lookalike_names_become_distinct_ascii_keys(root: Path) -> None:
    dataset_for(root, "tar/lookalike-names.tar")
    hub = LocalHub(root / "hub", org="archive")
    outcome = release_one(Registry(root), hub, "test-essays")
    assert outcome.release is not None and outcome.release.records == 2
    index = (hub.tree("archive/test-essays", "v1.0.0") / "release.json").read_text()
    assert '"records": 2' in index


def test_a_huge_line_is_refused_without_reading_it_whole(root: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    import archive.readers

    monkeypatch.setattr(archive.readers, "MAX_LINE_BYTES", 1024)
    data = root / "partner" / "data"
    data.mkdir(parents=True)
    (data / "train.jsonl").write_text('{"text": "' + "x" * 10_000 + '"}\n')
    (root / "partner" / "form.yaml").write_text(yaml.safe_dump(form()))
    registry = Registry(root)
    registry.intake(root / "partner" / "form.yaml", data).card_path.write_text(CARD)
    registry.approve("test-essays", "Test")
    with pytest.raises(RecordError, match="line longer than 1,024 bytes"):
        release_one(registry, LocalHub(root / "hub", org="archive"), "test-essays")


@pytest.mark.parametrize("field", ["title", "description", "organisation"])
def test_html_in_form_fields_is_refused(root: Path, field: str) -> None:
    payload = '<script>alert("x")</script> and a long enough plain description too.'
    document = form()
    if field == "organisation":
        document["organisation"] = {"name": "<img src=x onerror=alert(1)>"}
    else:
        document[field] = payload
    data = root / "partner" / "data"
    write_jsonl(data / "train.jsonl", [{"text": "fine"}])
    (root / "partner" / "form.yaml").write_text(yaml.safe_dump(document))
    with pytest.raises(FormError, match="HTML and script URLs are not accepted") as info:
        Registry(root).intake(root / "partner" / "form.yaml", data)
    assert info.value.where.pointer.startswith(f"/{field}")
    assert info.value.where.line is not None


def test_huge_form_is_refused(root: Path) -> None:
    path = root / "form.yaml"
    path.write_text("description: " + "x" * 1_100_000 + "\n")
    with pytest.raises(FormError, match="at most 1,000,000 expected"):
        Registry(root).intake(path, root)


def test_alias_bomb_is_refused(root: Path) -> None:
    path = root / "form.yaml"
    lines = ['a: &a ["x", "x", "x", "x", "x", "x", "x", "x", "x"]']
    lines += [f"{chr(98 + i)}: &{chr(98 + i)} [*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}]"
              for i in range(8)]
    path.write_text("\n".join(lines) + "\n")
    with pytest.raises(FormError, match="anchors and aliases"):
        Registry(root).intake(path, root)


def test_missing_source_file_after_intake(root: Path) -> None:
    dataset_for(root, "json/nan.jsonl")
    (root / "partner" / "data" / "nan.jsonl").unlink()
    with pytest.raises(SourceError, match="does not exist"):
        release_one(Registry(root), LocalHub(root / "hub", org="archive"), "test-essays")
