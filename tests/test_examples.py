"""The bundled example datasets: released to a temporary hub and read back in full.

Golden files: ``tests/golden/DATASET.README.md`` is each example's published card. After
an intended change, refresh them with ``UPDATE_GOLDEN=1 python -m pytest tests/test_examples.py``.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import datasets
import pytest
import webdataset as wds

from archive.entries import Registry
from archive.hub.local import LocalHub
from archive.pipeline import pending, release_one
from archive.readers import read_dataset

REPO = Path(__file__).resolve().parent.parent
GOLDEN = Path(__file__).parent / "golden"
EXAMPLES = ["harbour-conversations", "icelandic-english-essays", "nordic-scenes-captions"]


@pytest.fixture(scope="module")
def hub(tmp_path_factory: pytest.TempPathFactory) -> LocalHub:
    """The examples released from a copy of the checkout into a temporary hub."""
    root = tmp_path_factory.mktemp("checkout")
    shutil.copytree(REPO / "datacards", root / "datacards")
    shutil.copytree(REPO / "examples", root / "examples")
    hub = LocalHub(root / "hub", org="archive")
    registry = Registry(root)
    assert [e.id for e in pending(registry, hub)] == EXAMPLES
    for entry in pending(registry, hub):
        release_one(registry, hub, entry.id)
    assert pending(registry, hub) == []
    return hub


def source(dataset: str) -> list:
    entry = Registry(REPO).get(dataset)
    return list(read_dataset(entry.id, entry.record_type, entry.source_format, entry.data,
                             entry.splits))


@pytest.mark.parametrize("dataset", EXAMPLES)
def test_datasets_reads_the_same_records(hub: LocalHub, dataset: str) -> None:
    tree = hub.tree(f"archive/{dataset}", "v1.0.0")
    loaded = datasets.load_dataset(str(tree))
    records = source(dataset)
    for split in {r.split for r in records}:
        expected = [r for r in records if r.split == split]
        table = loaded[split]
        for column in ("audio", "image"):
            if column in table.features:
                table = table.cast_column(column, type(table.features[column])(decode=False))
        rows = table.to_list()
        assert [r["id"] for r in rows] == [r.key for r in expected]
        for row, record in zip(rows, expected, strict=True):
            for name, media in record.media.items():
                assert row[name]["bytes"] == media.data
            for field in ("text", "caption", "title"):
                if field in record.fields:
                    assert row[field] == record.fields[field]
            if "turns" in record.fields:
                assert [t["text"] for t in row["turns"]] == [
                    t["text"] for t in record.fields["turns"]]


def test_images_decode_through_datasets(hub: LocalHub) -> None:
    tree = hub.tree("archive/nordic-scenes-captions", "v1.0.0")
    image = datasets.load_dataset(str(tree), split="test")[0]["image"]
    assert image.size[0] >= 320 and image.mode in ("RGB", "RGBA", "P", "L")


@pytest.mark.parametrize("dataset", EXAMPLES)
def test_webdataset_reads_the_same_samples(hub: LocalHub, dataset: str) -> None:
    tree = hub.tree(f"archive/{dataset}", "v1.0.0")
    records = source(dataset)
    tars = sorted(str(p) for p in (tree / "webdataset").glob("*.tar"))
    samples = {s["__key__"]: s for s in wds.WebDataset(tars, shardshuffle=False,
                                                       empty_check=False)}
    assert set(samples) == {r.key for r in records}
    for record in records:
        sample = samples[record.key]
        for media in record.media.values():
            assert sample[media.ext] == media.data
        assert json.loads(sample["json"])["id"] == record.key


@pytest.mark.parametrize("dataset", EXAMPLES)
def test_checksums_and_croissant(hub: LocalHub, dataset: str) -> None:
    tree = hub.tree(f"archive/{dataset}", "v1.0.0")
    result = subprocess.run(["sha256sum", "--strict", "-c", "SHA256SUMS"], cwd=tree,
                            capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout
    result = subprocess.run(["mlcroissant", "validate", "--jsonld", "croissant.json"],
                            cwd=tree, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    assert "warning" not in result.stderr.lower(), result.stderr


@pytest.mark.parametrize("dataset", EXAMPLES)
def test_card_matches_golden_file(hub: LocalHub, dataset: str) -> None:
    card = (hub.tree(f"archive/{dataset}", "v1.0.0") / "README.md").read_text()
    golden = GOLDEN / f"{dataset}.README.md"
    if os.environ.get("UPDATE_GOLDEN"):
        golden.write_text(card)
    assert golden.is_file(), f"no golden card: run UPDATE_GOLDEN=1 pytest {__file__}"
    assert card == golden.read_text()


def test_nothing_private_is_published(hub: LocalHub) -> None:
    secrets = []
    for dataset in EXAMPLES:
        form = (REPO / "examples" / dataset / "form.yaml").read_text()
        import yaml

        contact = yaml.safe_load(form)["contact"]
        secrets += [contact["name"], contact["email"]]
    for path in hub.root.rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            for secret in secrets:
                assert secret.encode() not in data, (secret, path)


def test_webdataset_shards_load_with_datasets(hub: LocalHub) -> None:
    tree = hub.tree("archive/icelandic-english-essays", "v1.0.0")
    loaded = datasets.load_dataset("webdataset", data_files={
        "test": str(tree / "webdataset" / "test-*.tar")}, split="test")
    assert loaded.num_rows == 8
    ids = [r.key for r in source("icelandic-english-essays") if r.split == "test"]
    assert loaded["__key__"] == ids
    assert [j["id"] for j in loaded["json"]] == ids
    texts = {r.key: r.fields["text"] for r in source("icelandic-english-essays")}
    assert [row["txt"] for row in loaded] == [texts[key] for key in ids]
    assert all("text" not in j for j in loaded["json"])  # not twice: it is the .txt
