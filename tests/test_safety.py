"""Guards found by review: versions, stale builds, leaked names and paths, strict readers."""

from __future__ import annotations

import json
import subprocess
import sys
import tarfile
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import yaml

from archive.cardcheck import check_entry
from archive.entries import Registry
from archive.errors import EntryError, FormError, HubError, RecordError, SourceError, VerifyError
from archive.hub.hf import HfHub
from archive.hub.local import LocalHub
from archive.pipeline import publish_build, release_one
from archive.readers import read_split
from archive.screening import pii_in_text
from tests.helpers import CARD, essays, form, submit, write_jsonl, write_tar


def cli(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "archive.cli", "--root", str(root), *args],
                          capture_output=True, text=True, check=False, cwd=root)


@pytest.mark.parametrize("version", ["../..", "1.0.0/x", "1.0", "v1.0.0", "01.0.0", ""])
def test_a_bad_version_is_refused_and_nothing_is_touched(root: Path, version: str) -> None:
    submit(root, form(), essays(3))
    before = sorted(p.relative_to(root) for p in root.rglob("*"))
    result = cli(root, "release", "test-essays", "--version", version, "--dry-run")
    assert result.returncode == 1, result.stderr
    assert "is not X.Y.Z" in result.stderr
    assert sorted(p.relative_to(root) for p in root.rglob("*")) == before


def test_build_refuses_a_folder_that_is_not_a_build(root: Path) -> None:
    submit(root, form(), essays(3))
    keep = root / "precious"
    keep.mkdir()
    (keep / "notes.txt").write_text("mine")
    result = cli(root, "build", "test-essays", "--out", str(keep))
    assert result.returncode == 1 and "does not hold a release build" in result.stderr
    assert (keep / "notes.txt").read_text() == "mine"


def test_media_names_and_paths_from_the_partner_are_not_published(root: Path) -> None:
    from tests.screening import mediafiles

    data = root / "partner" / "test-essays" / "data"
    secret = "Jon Jonsson kt 120174-3149"
    (data / secret).mkdir(parents=True)
    (data / secret / "photo.jpg").write_bytes(mediafiles.jpeg_with_gps())
    document = form(record_type="image", modalities=["image"], languages=["en"])
    submit(root, document, [{"id": "i1", "image": f"{secret}/photo.jpg",
                             "caption": "A red boat by a green hill."}])
    hub = LocalHub(root / "hub", org="archive")
    release_one(Registry(root), hub, "test-essays")
    tree = hub.tree("archive/test-essays", "v1.0.0")
    with tarfile.open(tree / "webdataset" / "train-00000.tar") as tar:
        sample = json.loads(tar.extractfile("i1.json").read())
    assert sample["image"] == "i1.jpg"
    row = pq.read_table(tree / "data" / "train-00000.parquet").to_pylist()[0]
    assert row["image"]["path"] == "i1.jpg"
    for path in tree.rglob("*"):
        if path.is_file():
            assert b"Jonsson" not in path.read_bytes(), path
    croissant = (tree / "croissant.json").read_text()
    assert str(root) not in croissant and "file://" not in croissant


def test_personal_information_in_published_form_fields_is_refused(root: Path) -> None:
    description = ("Interviews recorded in 2024. Questions to Jane Roe at jane.roe@partner.is "
                   "or +354 555 1234.")
    with pytest.raises(FormError, match=r"personal information \(email\)") as info:
        submit(root, form(description=description))
    assert info.value.where.pointer == "/description"
    assert "jane.roe@partner.is" not in str(info.value)
    entry = submit(root, form(), essays(3))
    path = entry.directory / "entry.yaml"
    document = yaml.safe_load(path.read_text())
    document["form"]["description"] = description
    path.write_text(yaml.safe_dump(document))
    problems = [p.message for p in check_entry(path, pii_in_text)]
    assert any("form/description: personal information (email)" in m for m in problems)


def test_a_stale_or_foreign_build_is_not_published(root: Path) -> None:
    hub = LocalHub(root / "hub", org="archive")
    submit(root, form(), essays(4))
    submit(root, form("other-essays"), essays(5, prefix="other"))
    assert cli(root, "build", "test-essays").returncode == 0
    with pytest.raises(VerifyError, match="dataset differs"):
        publish_build(Registry(root), hub, "other-essays",
                      root / "build" / "test-essays" / "1.0.0")
    write_jsonl(root / "partner" / "test-essays" / "data" / "train.jsonl", essays(6))
    with pytest.raises(VerifyError, match="fingerprint differs"):
        publish_build(Registry(root), hub, "test-essays")
    broken = essays(6)
    broken[2]["text"] = ""
    write_jsonl(root / "partner" / "test-essays" / "data" / "train.jsonl", broken)
    assert cli(root, "build", "test-essays").returncode == 1
    result = cli(root, "publish", "test-essays")
    assert result.returncode == 1 and "no SHA256SUMS" in result.stderr
    assert hub.tags("archive/test-essays") == {}



def test_strict_webdataset_samples(tmp_path: Path) -> None:
    write_tar(tmp_path / "a.tar", [("s1.json", b'{"caption": "x"}'), ("s1.jpg", b"1"),
                              ("s1.png", b"2")])
    with pytest.raises(RecordError, match=r"members that fit no field: s1\.jpg, s1\.png"):
        list(read_split("d", "image", "webdataset", tmp_path, "train", ["a.tar"]))
    write_tar(tmp_path / "b.tar", [("s1.txt", b"caf\xe9")])
    with pytest.raises(RecordError, match=r"s1\.txt is not UTF-8"):
        list(read_split("d", "text", "webdataset", tmp_path, "train", ["b.tar"]))


def test_damaged_parquet_page_names_the_file(tmp_path: Path) -> None:
    table = pa.table({"text": ["a long enough text " * 50] * 200})
    pq.write_table(table, tmp_path / "t.parquet", compression="none")
    data = bytearray((tmp_path / "t.parquet").read_bytes())
    data[200:4000] = bytes(3800)
    (tmp_path / "t.parquet").write_bytes(bytes(data))
    with pytest.raises(SourceError, match=r"damaged Parquet data|not a readable Parquet"):
        list(read_split("d", "text", "parquet", tmp_path, "train", ["t.parquet"]))


def test_csv_long_fields_and_repeated_columns(tmp_path: Path) -> None:
    (tmp_path / "a.csv").write_text("id,text\na," + "x" * 300_000 + "\n")
    [record] = read_split("d", "text", "csv", tmp_path, "train", ["a.csv"])
    assert len(record.fields["text"]) == 300_000
    (tmp_path / "b.csv").write_text("id,text,text\na,b,c\n")
    with pytest.raises(RecordError, match="repeats the column"):
        list(read_split("d", "text", "csv", tmp_path, "train", ["b.csv"]))


def test_local_errors_are_not_retried_as_network_errors(root: Path, hf_hub: object) -> None:
    waits: list[float] = []
    hub = HfHub("partner-org", sleep=waits.append)

    def missing() -> None:
        raise FileNotFoundError(2, "No such file", "/nope")

    with pytest.raises(FileNotFoundError):
        hub._call("committing", "partner-org/x", missing)
    assert waits == []


def test_an_unreleased_card_edit_does_not_need_a_version(root: Path) -> None:
    submit(root, form(), essays(3))
    hub = LocalHub(root / "hub", org="archive")
    release_one(Registry(root), hub, "test-essays")
    (root / "datacards" / "test-essays" / "card.md").write_text(CARD + "\nMore limits.\n")
    outcome = release_one(Registry(root), hub, "test-essays")
    assert outcome.skipped == "already published; nothing to do"
    with pytest.raises(EntryError, match=r"is not X\.Y\.Z"):
        release_one(Registry(root), hub, "test-essays", version="2")
    with pytest.raises(HubError, match="invalid tag"):
        hub.tag("archive/test-essays", "../x", hub.head("archive/test-essays") or "")


def test_card_only_update_keeps_the_released_form(root: Path) -> None:
    from archive.pipeline import republish_card

    entry = submit(root, form(), essays(3))
    hub = LocalHub(root / "hub", org="archive")
    release_one(Registry(root), hub, "test-essays")
    entry.form["title"] = "Title meant for the next version"
    Registry(root).save(entry)
    (root / "datacards" / "test-essays" / "card.md").write_text(CARD + "\nMore limits.\n")
    republish_card(Registry(root), hub, "test-essays")
    card = hub.read("archive/test-essays", "README.md").decode()
    assert "More limits." in card and "# Test essays" in card
    assert "next version" not in card


def test_a_split_file_linking_outside_the_data_folder_is_refused(tmp_path: Path) -> None:
    outside = write_jsonl(tmp_path / "elsewhere" / "secret.jsonl", essays(2))
    data = tmp_path / "data"
    data.mkdir()
    (data / "train.jsonl").symlink_to(outside)
    with pytest.raises(SourceError, match="leaves the data folder"):
        list(read_split("d", "text", "jsonl", data, "train", ["train.jsonl"]))


def test_names_in_decomposed_unicode_are_still_found(root: Path) -> None:
    import unicodedata

    from archive.records import Origin, Record
    from archive.screening import Policy, Screener

    name = unicodedata.normalize("NFD", "José Álvarez")
    record = Record("c1", "train", {"turns": [
        {"speaker": name, "text": "Good morning, how are the boats today?"},
        {"speaker": "Interviewer", "text": "Quiet, the wind is too strong."}],
        "metadata": {"author": name}}, Origin("train.jsonl", line=1))
    screener = Screener(dataset_id="d", record_type="conversation", declared_languages=["en"],
                        policy=Policy.from_dict({"pii": {"default": "redact"}}))
    out = screener.screen(record)
    assert out is not None
    assert out.fields["turns"][0]["speaker"] == "[NAME]"
    assert out.fields["metadata"]["author"] == "[NAME]"


def test_the_findings_folder_is_private(root: Path) -> None:
    submit(root, form(), essays(3))
    assert cli(root, "screen", "test-essays").returncode == 0
    reports = root / ".archive" / "reports"
    assert reports.stat().st_mode & 0o077 == 0
    assert not list((root / ".archive" / "scratch").glob("*.sqlite"))


def test_a_worker_failure_names_the_records() -> None:
    from concurrent.futures import Future

    from archive.errors import ScreeningError
    from archive.parallel import _result
    from archive.records import Origin, Record

    batch = [Record("a1", "train", {}, Origin("train.jsonl", line=4)),
             Record("a2", "train", {}, Origin("train.jsonl", line=5))]
    future: Future = Future()
    future.set_exception(MemoryError("decoder ran out"))
    with pytest.raises(ScreeningError, match="records a1 to a2: MemoryError") as info:
        _result("ds", batch, future)
    assert info.value.where.line == 4 and "--workers 1" in str(info.value)


def test_a_failure_in_the_main_process_names_the_records_too(
        root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from archive.build import build
    from archive.errors import ScreeningError
    from archive.prepare import Preparer

    entry = submit(root, form(), essays(5))

    def broken(self: Preparer, records: list) -> None:
        raise ValueError("decoder exploded")

    monkeypatch.setattr(Preparer, "__call__", broken)
    # text lines are parsed where they are prepared: the failure names them by line
    with pytest.raises(ScreeningError, match=r"main process on records train\.jsonl:1 to "
                                             r"train\.jsonl:5: ValueError") as info:
        build(entry, root / "out", repo_id="archive/test-essays", url="https://e.org")
    assert info.value.where.line == 1 and not (root / "out").exists()


def test_a_build_for_another_hub_is_not_published(root: Path, hf_hub: object) -> None:
    submit(root, form(), essays(3))
    local = LocalHub(root / "hub", org="partner-org")
    release_one(Registry(root), local, "test-essays", dry_run=True)
    with pytest.raises(VerifyError, match="url differs"):
        publish_build(Registry(root), HfHub("partner-org"), "test-essays")


def test_hidden_files_are_not_published(root: Path) -> None:
    from archive.verify import release_files

    submit(root, form(), essays(3))
    release_one(Registry(root), LocalHub(root / "hub", org="archive"), "test-essays",
                dry_run=True)
    folder = root / "build" / "test-essays" / "1.0.0"
    (folder / ".DS_Store").write_bytes(b"junk")
    assert ".DS_Store" not in release_files(folder)
