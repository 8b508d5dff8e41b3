"""Release to a local hub, then read everything back with the real clients."""

from __future__ import annotations

import hashlib
import json
import subprocess
from fnmatch import fnmatch
from pathlib import Path

import datasets
import pyarrow.parquet as pq
import pytest
import webdataset as wds
import yaml

from archive import parallel
from archive.build import build
from archive.cache import BuildOptions
from archive.entries import Entry, Registry
from archive.errors import (
    HubError,
    RecordError,
    RefusedError,
    ReleaseExistsError,
    SourceError,
    VerifyError,
)
from archive.hub.local import LocalHub
from archive.parallel import Engine
from archive.pipeline import release_one
from archive.verify import verify_folder
from tests.helpers import essays, form, submit, with_policy, write_jsonl


def snapshot(folder: Path) -> dict[str, str]:
    """Every file under a folder with its sha256 (symlinks by target)."""
    out = {}
    for path in sorted(folder.rglob("*")):
        rel = path.relative_to(folder).as_posix()
        if path.is_symlink():
            out[rel] = "-> " + str(path.readlink())
        elif path.is_file():
            out[rel] = hashlib.sha256(path.read_bytes()).hexdigest()
    return out


@pytest.fixture
def hub(root: Path) -> LocalHub:
    return LocalHub(root / "hub", org="archive")


@pytest.fixture
def released(root: Path, hub: LocalHub) -> Path:
    submit(root, form(), essays(10))
    release_one(Registry(root), hub, "test-essays")
    return hub.tree("archive/test-essays", "v1.0.0")


def test_release_reads_back_with_datasets(released: Path) -> None:
    ds = datasets.load_dataset(str(released))
    assert list(ds) == ["train"]
    rows = ds["train"].to_list()
    source = essays(10)
    assert [r["id"] for r in rows] == [r["id"] for r in source]
    assert [r["text"] for r in rows] == [r["text"] for r in source]
    assert ds["train"].features["text"] == datasets.Value("string")


def test_release_reads_back_with_webdataset(released: Path) -> None:
    tars = sorted(str(p) for p in (released / "webdataset").glob("*.tar"))
    samples = list(wds.WebDataset(tars, shardshuffle=False, empty_check=False))
    source = essays(10)
    assert [s["__key__"] for s in samples] == [r["id"] for r in source]
    assert [s["txt"].decode() for s in samples] == [r["text"] for r in source]
    assert json.loads(samples[3]["json"])["language"] == source[3]["language"]
    index = json.loads((released / "webdataset" / "train.wids.json").read_text())
    assert index["__kind__"] == "wids-shard-index-v1"
    assert sum(s["nsamples"] for s in index["shardlist"]) == 10


def test_parquet_has_hub_features_and_bounded_row_groups(root: Path, tmp_path: Path) -> None:
    entry = submit(root, form(), essays(200))
    out = tmp_path / "out"
    build(entry, out, repo_id="archive/test-essays", url="https://example.org",
          options=BuildOptions(row_group_bytes=10_000, parquet_shard_bytes=30_000))
    shards = sorted((out / "data").glob("train-*.parquet"))
    assert len(shards) > 1
    meta = pq.ParquetFile(shards[0]).metadata
    assert meta.num_row_groups > 1
    assert sum(pq.ParquetFile(s).metadata.num_rows for s in shards) == 200
    schema = pq.read_schema(shards[0])
    assert b"huggingface" in schema.metadata
    assert datasets.load_dataset(str(out))["train"].num_rows == 200


def test_checksums_pass_sha256sum_and_croissant_validates(released: Path) -> None:
    result = subprocess.run(["sha256sum", "-c", "SHA256SUMS"], cwd=released,
                            capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "data/train-00000.parquet: OK" in result.stdout
    result = subprocess.run(["mlcroissant", "validate", "--jsonld", "croissant.json"],
                            cwd=released, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    croissant = json.loads((released / "croissant.json").read_text())
    sums = dict(reversed(line.split("  ")) for line in
                (released / "SHA256SUMS").read_text().splitlines())
    objects = [d for d in croissant["distribution"] if d["@type"] == "cr:FileObject"]
    assert objects and all(sums[d["@id"]] == d["sha256"] for d in objects)


def test_card_yaml_parses_and_declares_splits(released: Path) -> None:
    from huggingface_hub import DatasetCard

    card = DatasetCard.load(released / "README.md")
    data = card.data.to_dict()
    assert data["license"] == "cc-by-4.0"
    assert data["configs"][0]["data_files"] == [{"split": "train",
                                                 "path": "data/train-*.parquet"}]
    assert data["dataset_info"]["splits"][0]["num_examples"] == 10
    assert "## Intended uses" in card.text and "jane.contact" not in card.text


def test_release_records_differences_from_the_form(released: Path) -> None:
    release = json.loads((released / "release.json").read_text())
    assert release["found"]["records"] == 10
    assert release["declared"]["bytes"] == 5000
    assert any(d.startswith("bytes: declared 5,000") for d in release["differences"])


def test_same_input_gives_byte_identical_build(root: Path, tmp_path: Path) -> None:
    entry = submit(root, form(), essays(30))
    kwargs = {"repo_id": "archive/test-essays", "url": "https://example.org"}
    build(entry, tmp_path / "a", **kwargs)
    build(entry, tmp_path / "b", **kwargs)
    assert snapshot(tmp_path / "a") == snapshot(tmp_path / "b")


def test_rerun_does_nothing(root: Path, hub: LocalHub, released: Path) -> None:
    before = snapshot(hub.root)
    outcome = release_one(Registry(root), hub, "test-essays")
    assert outcome.skipped == "already published; nothing to do"
    assert snapshot(hub.root) == before


def test_rerun_after_a_kill_between_tag_and_symlink_repairs_the_hub(
        root: Path, hub: LocalHub, released: Path) -> None:
    repo = hub.root / "archive" / "test-essays"
    target = (repo / "v1.0.0").readlink()
    (repo / "v1.0.0").unlink()  # refs.json has the tag; the killed writer had not linked it
    (repo / ".v1.0.0.partial").symlink_to(target)
    outcome = release_one(Registry(root), hub, "test-essays")
    assert outcome.skipped == "already published; nothing to do"
    assert (repo / "v1.0.0").readlink() == target
    assert not list(repo.glob(".*.partial"))
    assert datasets.load_dataset(str(repo / "v1.0.0"))["train"].num_rows == 10


def test_changed_data_under_a_published_version_is_refused(root: Path, hub: LocalHub,
                                                           released: Path) -> None:
    before = snapshot(hub.root)
    write_jsonl(root / "partner" / "test-essays" / "data" / "train.jsonl", essays(11))
    with pytest.raises(ReleaseExistsError, match="already published"):
        release_one(Registry(root), hub, "test-essays")
    assert snapshot(hub.root) == before


def test_new_version_changes_only_what_changed_and_keeps_the_old(root: Path, hub: LocalHub,
                                                                 released: Path) -> None:
    old = snapshot(released)
    write_jsonl(root / "partner" / "test-essays" / "data" / "train.jsonl", essays(12))
    outcome = release_one(Registry(root), hub, "test-essays", version="1.1.0")
    assert outcome.plan is not None
    assert {p for p, _ in outcome.plan.change} >= {"data/train-00000.parquet", "README.md"}
    assert outcome.plan.unchanged >= 0
    assert set(hub.tags("archive/test-essays")) == {"v1.0.0", "v1.1.0"}
    assert snapshot(hub.tree("archive/test-essays", "v1.0.0")) == old
    assert datasets.load_dataset(str(hub.tree("archive/test-essays", "v1.1.0")))[
        "train"].num_rows == 12
    assert Registry(root).get("test-essays").version == "1.1.0"
    card = (hub.tree("archive/test-essays", "v1.1.0") / "README.md").read_text()
    assert "**v1.0.0**: 10 records" in card


def _hub_untouched(root: Path, hub: LocalHub, error: type, match: str) -> None:
    before = snapshot(hub.root) if hub.root.exists() else {}
    with pytest.raises(error, match=match):
        release_one(Registry(root), hub, "test-essays")
    after = snapshot(hub.root) if hub.root.exists() else {}
    assert {k: v for k, v in after.items() if not k.endswith(".lock")} == {
        k: v for k, v in before.items() if not k.endswith(".lock")}


def test_schema_error_names_record_and_pointer(root: Path, hub: LocalHub) -> None:
    records = essays(5)
    records[3]["text"] = ""
    submit(root, form(), records)
    _hub_untouched(root, hub, RecordError, "is shorter than 1 character")
    with pytest.raises(RecordError) as info:
        release_one(Registry(root), hub, "test-essays")
    assert info.value.where.record == "essay-0003" and info.value.where.pointer == "/text"
    assert info.value.where.line == 4


def test_malformed_line_publishes_nothing(root: Path, hub: LocalHub) -> None:
    submit(root, form(), essays(10))
    path = root / "partner" / "test-essays" / "data" / "train.jsonl"
    lines = path.read_text().splitlines()
    lines[6] = "{not json"
    path.write_text("\n".join(lines) + "\n")
    _hub_untouched(root, hub, RecordError, r"train.jsonl:7: malformed JSON")


def test_empty_dataset_is_refused(root: Path, hub: LocalHub) -> None:
    submit(root, form(), [])
    _hub_untouched(root, hub, SourceError, "no records")


def test_duplicate_ids_are_refused(root: Path, hub: LocalHub) -> None:
    records = essays(4)
    records[2]["id"] = records[0]["id"]
    submit(root, form(), records)
    _hub_untouched(root, hub, RecordError, "appears twice")


def test_private_pathway_entry_is_refused_before_anything(root: Path, hub: LocalHub) -> None:
    entry = submit(root, form(), essays(3))
    path = entry.directory / "entry.yaml"
    document = yaml.safe_load(path.read_text())
    document["form"]["pathway"] = "private"
    path.write_text(yaml.safe_dump(document))
    _hub_untouched(root, hub, RefusedError, "private-pathway data is never published")
    assert not (root / "build").exists()


def test_unapproved_entry_is_refused(root: Path, hub: LocalHub) -> None:
    submit(root, form(), essays(3), approve=False)
    _hub_untouched(root, hub, RefusedError, "not approved")


def test_verify_names_a_flipped_bit(root: Path, hub: LocalHub, released: Path,
                                    tmp_path: Path) -> None:
    copy = hub.download("archive/test-essays", "v1.0.0", tmp_path / "copy")
    assert verify_folder(copy).records == 10
    shard = copy / "data" / "train-00000.parquet"
    data = bytearray(shard.read_bytes())
    data[len(data) // 2] ^= 0x01
    shard.write_bytes(bytes(data))
    with pytest.raises(VerifyError, match="sha256 is") as info:
        verify_folder(copy)
    assert info.value.where.file == shard


def test_unchanged_inputs_reuse_the_previous_build(root: Path, tmp_path: Path) -> None:
    entry = submit(root, form(), essays(20))
    kwargs = {"repo_id": "archive/test-essays", "url": "https://example.org"}
    out = tmp_path / "out"
    first = build(entry, out, **kwargs)
    stamps = {p: p.stat().st_mtime_ns for p in out.rglob("*") if p.is_file()}
    again = build(entry, out, **kwargs)
    assert again.fingerprint == first.fingerprint
    assert {p: p.stat().st_mtime_ns for p in out.rglob("*") if p.is_file()} == stamps
    entry.card_path.write_text(entry.card_path.read_text().replace("harbour life", "harbours"))
    build(entry, out, **kwargs)
    assert "harbours" in (out / "README.md").read_text()
    shard = out / "data" / "train-00000.parquet"
    shard.write_bytes(shard.read_bytes()[:-10])
    rebuilt = build(entry, out, **kwargs)
    assert verify_folder(out).records == rebuilt.records == 20


def test_growth_changes_only_the_last_shards(root: Path, hub: LocalHub) -> None:
    options = BuildOptions(row_group_bytes=4_000, parquet_shard_bytes=12_000,
                           tar_shard_bytes=40_000)
    submit(root, form(), essays(300))
    release_one(Registry(root), hub, "test-essays", options=options)
    before = hub.files("archive/test-essays", "v1.0.0")
    write_jsonl(root / "partner" / "test-essays" / "data" / "train.jsonl", essays(330))
    outcome = release_one(Registry(root), hub, "test-essays", version="1.1.0", options=options)
    assert outcome.plan is not None
    sent = {p for p, _ in outcome.plan.add + outcome.plan.change}
    for pattern in ("data/train-*.parquet", "webdataset/train-*.tar"):
        shards = sorted(p for p in before if fnmatch(p, pattern))
        assert len(shards) >= 4, shards
        assert not sent & set(shards[:-1]), sent
        last_was_full = pattern.endswith(".tar") and before[shards[-1]].size >= 40_000
        assert (shards[-1] in sent) != last_was_full  # a partly filled last shard grows
        assert any(fnmatch(p, pattern) and p not in before for p in sent)


def test_a_plan_beyond_the_hubs_limits_is_refused_before_sending(
        root: Path, hub: LocalHub, monkeypatch: pytest.MonkeyPatch) -> None:
    import archive.publish

    monkeypatch.setattr(archive.publish, "MAX_FILES_PER_FOLDER", 4)
    submit(root, form(), essays(300))
    options = BuildOptions(row_group_bytes=2_000, parquet_shard_bytes=5_000)
    with pytest.raises(HubError, match=r"folder data would hold more than 4 files"):
        release_one(Registry(root), hub, "test-essays", options=options)
    assert not hub.root.exists() or hub.tags("archive/test-essays") == {}


def test_worker_count_does_not_change_the_bytes(root: Path, tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    records = essays(300)
    records[7]["text"] += " Write to gudrun.jonsdottir@postur.is for more."
    records.append({**records[3], "id": "copy-3"})
    entry = with_policy(root, submit(root, form(), records), {"pii": {"default": "redact"}})
    kwargs = {"repo_id": "archive/test-essays", "url": "https://example.org"}
    one = build(entry, tmp_path / "one", engine=Engine(workers=1), **kwargs)
    two = build(entry, tmp_path / "two", engine=Engine(workers=2), **kwargs)
    assert snapshot(tmp_path / "one") == snapshot(tmp_path / "two")
    monkeypatch.setattr(parallel, "LOCAL_BYTES", 50_000)  # the first batch stays here
    build(entry, tmp_path / "three", engine=Engine(workers=2), **kwargs)
    assert snapshot(tmp_path / "one") == snapshot(tmp_path / "three")
    assert one.records == two.records == 300
    assert one.screening and one.screening["counts"]["records_redacted"] == 1


def with_bad_line(entry: Entry, number: int) -> None:
    """Make line ``number`` of the entry's ``train.jsonl`` malformed JSON."""
    path = entry.data / "train.jsonl"
    lines = path.read_bytes().splitlines(keepends=True)
    lines[number - 1] = b'{"id": "broken", "text": "no closing quote}\n'
    path.write_bytes(b"".join(lines))


@pytest.mark.parametrize("workers", [1, 2])
def test_a_bad_line_parsed_by_a_worker_is_named_as_in_one_process(
        root: Path, tmp_path: Path, workers: int) -> None:
    entry = submit(root, form(), essays(700))
    with_bad_line(entry, 600)  # in the third batch: a worker parses it
    with pytest.raises(RecordError) as caught:
        build(entry, tmp_path / "out", engine=Engine(workers=workers),
              repo_id="archive/test-essays", url="https://example.org")
    assert type(caught.value) is RecordError
    assert str(caught.value).startswith(f"dataset test-essays, {entry.data}/train.jsonl:600: "
                                        "malformed JSON")
    assert caught.value.hint == "each line must be one JSON object"
    assert not (tmp_path / "out").exists()


def test_a_build_leaves_the_callers_garbage_collector_as_it_was(root: Path, tmp_path: Path
                                                                ) -> None:
    import gc

    entry = submit(root, form(), essays(40))
    before = gc.get_threshold()
    build(entry, tmp_path / "out", engine=Engine(workers=2), repo_id="archive/test-essays",
          url="https://example.org")
    assert gc.get_threshold() == before and gc.get_freeze_count() == 0
