"""Screening inside a release: seeded personal information in every modality never ships."""

from __future__ import annotations

import io
import json
import random
import tarfile
from pathlib import Path
from typing import Any

import mutagen
import pyarrow.parquet as pq
import pytest
import yaml
from PIL import Image

from archive.entries import Registry
from archive.errors import ScreeningError
from archive.hub.local import LocalHub
from archive.pipeline import release_one
from tests.helpers import ESSAY_EN, ESSAY_IS, essays, form, submit
from tests.screening import mediafiles
from tests.screening.samples import make_iban, make_kennitala

RNG = random.Random(7)
KENNITALA = make_kennitala(RNG)
IBAN = make_iban(RNG, "IS")
EMAIL = "gudrun.jonsdottir@postur.is"
PHONE = "+354 861 2345"
SEEDED = [KENNITALA, IBAN, EMAIL, PHONE]


def media_dataset(root: Path, dataset: str, record_type: str, modalities: list[str],
                  records: list[dict[str, Any]], files: dict[str, bytes],
                  screening: dict | None = None) -> None:
    """A JSON Lines dataset whose records point at media files written beside them."""
    data = root / "partner" / dataset / "data"
    for name, blob in files.items():
        (data / name).parent.mkdir(parents=True, exist_ok=True)
        (data / name).write_bytes(blob)
    document = form(dataset, record_type=record_type, modalities=modalities, languages=["en"])
    entry = submit(root, document, records)
    if screening:
        entry.screening = screening
        Registry(root).save(entry)


def seeded(root: Path, screening: dict | None = None) -> list[str]:
    """Five datasets, one per modality, each carrying seeded personal information."""
    text = [{"id": "t1", "text": f"{ESSAY_EN} Reach me at {EMAIL} any day.",
             "metadata": {"note": f"kennitala {KENNITALA}"}},
            {"id": "t2", "text": ESSAY_EN + " The end of the story."}]
    submit(root, form("seeded-text", languages=["en"]), text)
    if screening:
        entry = Registry(root).get("seeded-text")
        entry.screening = screening
        Registry(root).save(entry)
    turns = [{"speaker": "Interviewer", "text": "How do people book the ferry these days?"},
             {"speaker": "Guide", "text": f"They call the office on {PHONE} in the morning."}]
    media_dataset(root, "seeded-conversation", "conversation", ["conversation", "audio"],
                  [{"id": "c1", "turns": turns, "audio": "c1.flac"}],
                  {"c1.flac": mediafiles.flac_with_tags()}, screening)
    media_dataset(root, "seeded-image", "image", ["image"],
                  [{"id": "i1", "image": "i1.jpg",
                    "caption": f"A boat in the harbour, photo sent by {EMAIL}."}],
                  {"i1.jpg": mediafiles.jpeg_with_gps()}, screening)
    media_dataset(root, "seeded-audio", "audio", ["audio"],
                  [{"id": "a1", "audio": "a1.flac",
                    "transcript": f"Please pay into account {IBAN} before Friday."}],
                  {"a1.flac": mediafiles.flac_with_tags()}, screening)
    media_dataset(root, "seeded-video", "video", ["video"],
                  [{"id": "v1", "video": "v1.mp4", "caption": "Waves on a breakwater.",
                    "subtitles": f"1\n00:00:00,000 --> 00:00:01,000\nCall {PHONE}\n"}],
                  {"v1.mp4": mediafiles.video()}, screening)
    return ["seeded-text", "seeded-conversation", "seeded-image", "seeded-audio",
            "seeded-video"]


@pytest.fixture
def hub(root: Path) -> LocalHub:
    return LocalHub(root / "hub", org="archive")


EXPECTED = {"seeded-text": ("t1", "/text", "email"),
            "seeded-conversation": ("c1", "/turns/1/text", "phone"),
            "seeded-image": ("i1", "/caption", "email"),
            "seeded-audio": ("a1", "/transcript", "iban"),
            "seeded-video": ("v1", "/subtitles", "phone")}


def test_default_policy_blocks_and_names_the_record(root: Path, hub: LocalHub) -> None:
    for dataset in seeded(root):
        with pytest.raises(ScreeningError) as info:
            release_one(Registry(root), hub, dataset)
        error, (record, pointer, kind) = info.value, EXPECTED[dataset]
        assert error.where.record == record and error.where.pointer == pointer, str(error)
        assert kind in str(error)
        assert not any(value in str(error) for value in SEEDED)
        assert "findings.jsonl" in str(error)
        assert hub.tags(f"archive/{dataset}") == {}
    assert not hub.root.exists() or not list(hub.root.rglob("refs.json"))


def _every_text(tree: Path) -> str:
    """Every byte of a release as text: raw files, Parquet values, tar members, EXIF."""
    parts = []
    for path in sorted(tree.rglob("*")):
        if not path.is_file():
            continue
        raw = path.read_bytes()
        parts.append(raw.decode("latin-1"))
        if path.suffix == ".parquet":
            for row in pq.read_table(path).to_pylist():
                parts.append(json.dumps(row, default=lambda b: b.decode("latin-1"),
                                        ensure_ascii=False))
        if path.suffix == ".tar":
            with tarfile.open(path) as tar:
                for member in tar:
                    parts.append(tar.extractfile(member).read().decode("utf-8", "replace"))
    return "\n".join(parts)


def test_redact_policy_publishes_placeholders_and_no_seeded_value(root: Path,
                                                                   hub: LocalHub) -> None:
    for dataset in seeded(root, screening={"pii": {"default": "redact"}}):
        release_one(Registry(root), hub, dataset)
        tree = hub.tree(f"archive/{dataset}", "v1.0.0")
        everything = _every_text(tree)
        for value in [*SEEDED, KENNITALA.replace("-", "")]:
            assert value not in everything, (dataset, value)
        summary = json.loads((tree / "reports" / "screening.json").read_text())
        assert summary["counts"]["records_redacted"] >= 1
    text = pq.read_table(hub.tree("archive/seeded-text", "v1.0.0") /
                         "data" / "train-00000.parquet").to_pylist()
    assert "[EMAIL]" in text[0]["text"] and "[KENNITALA]" in text[0]["metadata"]
    findings = (root / ".archive" / "reports" / "seeded-text-1.0.0.findings.jsonl")
    assert findings.is_file() and EMAIL not in findings.read_text()


def test_media_metadata_is_stripped(root: Path, hub: LocalHub) -> None:
    seeded(root, screening={"pii": {"default": "redact"}})
    for dataset in ("seeded-image", "seeded-audio", "seeded-conversation"):
        release_one(Registry(root), hub, dataset)
    shard = hub.tree("archive/seeded-image", "v1.0.0") / "data" / "train-00000.parquet"
    jpeg = pq.read_table(shard).to_pylist()[0]["image"]["bytes"]
    image = Image.open(io.BytesIO(jpeg))
    image.load()
    assert not image.getexif().get_ifd(0x8825)
    for dataset in ("seeded-audio", "seeded-conversation"):
        shard = hub.tree(f"archive/{dataset}", "v1.0.0") / "data" / "train-00000.parquet"
        flac = pq.read_table(shard).to_pylist()[0]["audio"]["bytes"]
        tags = mutagen.File(io.BytesIO(flac)).tags
        assert not tags or not list(tags.keys())
    summary = json.loads((hub.tree("archive/seeded-image", "v1.0.0") / "reports" /
                          "screening.json").read_text())
    assert summary["counts"]["media_metadata_stripped"] == 1


def test_undeclared_language_share_holds_the_release(root: Path, hub: LocalHub) -> None:
    records = [{"id": f"e{i}", "text": (ESSAY_IS if i % 5 == 0 else ESSAY_EN) + f" ({i})"}
               for i in range(20)]
    submit(root, form(languages=["en"]), records)
    with pytest.raises(ScreeningError, match=r"20\.0% of records .* undeclared languages"):
        release_one(Registry(root), hub, "test-essays")
    assert hub.tags("archive/test-essays") == {}


def test_duplicates_are_counted_and_exact_ones_dropped(root: Path, hub: LocalHub) -> None:
    bundled = Path(__file__).parent.parent / "examples" / "icelandic-english-essays" / "data"
    records = [json.loads(line) for line in
               (bundled / "train.jsonl").read_text().splitlines()[:6]]
    records.append({**records[0], "id": "copy-0"})
    records.append({**records[1], "id": "near-1", "text": records[1]["text"] + " Já."})
    submit(root, form(), records)
    release_one(Registry(root), hub, "test-essays")
    tree = hub.tree("archive/test-essays", "v1.0.0")
    summary = json.loads((tree / "reports" / "screening.json").read_text())
    assert summary["counts"]["exact_duplicates"] == 1
    assert summary["counts"]["near_duplicates"] == 1
    ids = [r["id"] for r in pq.read_table(tree / "data" / "train-00000.parquet").to_pylist()]
    assert "copy-0" not in ids and "near-1" in ids and len(ids) == 7


def test_broken_media_is_rejected_with_the_record_named(root: Path, hub: LocalHub) -> None:
    jpeg = mediafiles.jpeg_with_gps()
    media_dataset(root, "broken-image", "image", ["image"],
                  [{"id": "ok", "image": "ok.jpg", "caption": "A red house."},
                   {"id": "cut", "image": "cut.jpg", "caption": "A blue house."}],
                  {"ok.jpg": jpeg, "cut.jpg": jpeg[: len(jpeg) // 2]})
    with pytest.raises(ScreeningError) as info:
        release_one(Registry(root), hub, "broken-image")
    assert info.value.where.record == "cut" and info.value.where.pointer == "/image"
    assert hub.tags("archive/broken-image") == {}


def test_a_bad_screening_policy_is_named(root: Path, hub: LocalHub) -> None:
    entry = submit(root, form(), essays(3))
    path = entry.directory / "entry.yaml"
    document = yaml.safe_load(path.read_text())
    document["screening"] = {"pii": {"email": "ignore"}}
    path.write_text(yaml.safe_dump(document))
    with pytest.raises(Exception, match=r"unknown action 'ignore'") as info:
        release_one(Registry(root), hub, "test-essays")
    assert info.value.where.pointer == "/screening/pii/email"
    assert str(info.value).startswith(f"dataset test-essays, {path}, at /screening/pii/email")
