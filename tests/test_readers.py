"""Readers stream records from every partner format and name the line of each problem."""

from __future__ import annotations

import csv
import json
import tarfile
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import given
from hypothesis import strategies as st

from archive.errors import RecordError, SourceError
from archive.readers import Line, parse_json_line, read_split, read_units
from archive.records import safe_key
from tests.helpers import essays, write_jsonl, write_tar


def _read(root: Path, fmt: str, names: list[str], record_type: str = "text") -> list:
    return list(read_split("ds", record_type, fmt, root, "train", names))


def test_jsonl_streams_records_with_keys_and_lines(tmp_path: Path) -> None:
    write_jsonl(tmp_path / "train.jsonl", essays(3))
    records = _read(tmp_path, "jsonl", ["train.jsonl"])
    assert [r.key for r in records] == ["essay-0000", "essay-0001", "essay-0002"]
    assert [r.origin.line for r in records] == [1, 2, 3]
    assert records[1].fields["language"] == "is"


def test_malformed_json_on_line_7_is_named(tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "train.jsonl", essays(10))
    lines = path.read_text().splitlines()
    lines[6] = lines[6][:-5]
    path.write_text("\n".join(lines) + "\n")
    with pytest.raises(RecordError, match="malformed JSON") as info:
        _read(tmp_path, "jsonl", ["train.jsonl"])
    assert info.value.where.line == 7
    assert str(info.value).startswith(f"dataset ds, {path}:7: malformed JSON")


@pytest.mark.parametrize(("raw", "message"), [
    (b'{"text": NaN}', "NaN is not valid JSON"),
    (b'{"text": "a", "text": "b"}', "duplicate key 'text'"),
    (b'{"text": "\xff"}', "not UTF-8"),
    (b'[1, 2]', "expected a JSON object"),
    (b'{"text": "a"' + b"\x00", "malformed JSON"),
    (b"[" * 10_000 + b"]" * 10_000, "nested too deeply|malformed JSON|expected a JSON object"),
])
def test_hostile_json_lines_are_refused(tmp_path: Path, raw: bytes, message: str) -> None:
    (tmp_path / "train.jsonl").write_bytes(b'{"text": "ok"}\n' + raw + b"\n")
    with pytest.raises(RecordError, match=message) as info:
        _read(tmp_path, "jsonl", ["train.jsonl"])
    assert info.value.where.line == 2


@pytest.mark.parametrize("units", [False, True])
def test_bom_and_blank_lines_and_missing_final_newline_are_fine(tmp_path: Path,
                                                                units: bool) -> None:
    (tmp_path / "train.jsonl").write_bytes(
        b'\xef\xbb\xbf\n{"text": "a"}\n\n \t\r\n\x0b\x0c\n{"text": "b"}')
    read = (read_units("ds", "text", "jsonl", tmp_path, "train", ["train.jsonl"]) if units
            else read_split("ds", "text", "jsonl", tmp_path, "train", ["train.jsonl"]))
    records = [u.record() if isinstance(u, Line) else u for u in read]
    assert [(r.fields["text"], r.origin.line) for r in records] == [("a", 2), ("b", 6)]


def test_a_long_line_is_held_twice_at_most_while_parsed(tmp_path: Path) -> None:
    """Its bytes, the text they decode to and the values parsed from that are not all
    alive at once (a 200 MB line took 600 MB more), and the line lets go of its bytes."""
    import tracemalloc

    text = "A long essay about the sea. " * 400_000  # 11 MB
    write_jsonl(tmp_path / "train.jsonl", [{"id": "long", "text": text, "language": "en"}])
    tracemalloc.start()
    try:
        line = next(read_units("ds", "text", "jsonl", tmp_path, "train", ["train.jsonl"]))
        assert isinstance(line, Line) and line.size > 11_000_000
        tracemalloc.reset_peak()
        record = line.record()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert record.fields["text"] == text and line.raw == b"" and line.size > 11_000_000
    assert peak < 2.3 * line.size  # the bytes, then the text; the text, then its values
    with pytest.raises(RuntimeError, match=r"line 1 of train\.jsonl parsed twice"):
        line.record()


def test_missing_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(SourceError, match="does not exist") as info:
        _read(tmp_path, "jsonl", ["gone.jsonl"])
    assert str(info.value.where.file).endswith("gone.jsonl")


def test_csv_rows_and_ragged_rows(tmp_path: Path) -> None:
    with open(tmp_path / "train.csv", "w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(["id", "text", "language"])
        writer.writerow(["a", "line one\nline two, with a comma", "en"])
        writer.writerow(["b", "Góðan dag", "is"])
    records = _read(tmp_path, "csv", ["train.csv"])
    assert records[0].fields["text"] == "line one\nline two, with a comma"
    assert records[1].fields == {"id": "b", "text": "Góðan dag", "language": "is"}
    (tmp_path / "bad.csv").write_text("id,text\na,b,c\n")
    with pytest.raises(RecordError, match="fields"):
        _read(tmp_path, "csv", ["bad.csv"])


def test_parquet_with_media_struct(tmp_path: Path) -> None:
    table = pa.table({"id": ["x1"], "caption": ["a red house"],
                      "image": [{"bytes": b"\xff\xd8jpeg", "path": "x1.jpg"}]})
    pq.write_table(table, tmp_path / "train.parquet")
    [record] = _read(tmp_path, "parquet", ["train.parquet"], "image")
    assert record.media["image"].data == b"\xff\xd8jpeg" and record.media["image"].ext == "jpg"
    assert record.fields["image"] == "x1.jpg"



def test_webdataset_tar_groups_members_by_key(tmp_path: Path) -> None:
    write_tar(tmp_path / "train.tar", [
        ("s1.json", json.dumps({"caption": "sea"}).encode()), ("s1.jpg", b"img1"),
        ("s2.json", json.dumps({"caption": "hill"}).encode()), ("s2.png", b"img2"),
    ])
    records = _read(tmp_path, "webdataset", ["train.tar"], "image")
    assert [(r.key, r.fields["caption"], r.media["image"].ext) for r in records] == [
        ("s1", "sea", "jpg"), ("s2", "hill", "png")]


@pytest.mark.parametrize(("members", "message"), [
    ([("../evil.json", b"{}")], "unsafe path"),
    ([("/abs.json", b"{}")], "unsafe path"),
    ([("a.json", b"{}"), ("b.json", b"{}"), ("a.jpg", b"x")], "appears twice"),
    ([("a.json", b"{}"), ("a.json", b"{}")], "duplicate member"),
])
def test_hostile_tars_are_refused(tmp_path: Path, members: list, message: str) -> None:
    write_tar(tmp_path / "train.tar", members)
    with pytest.raises(RecordError, match=message):
        _read(tmp_path, "webdataset", ["train.tar"], "image")


@pytest.mark.parametrize("member", ["s2.txt", "s2.json"])
def test_a_tar_text_member_is_held_to_a_json_lines_limit(tmp_path: Path, member: str,
                                                          monkeypatch: pytest.MonkeyPatch
                                                          ) -> None:
    from archive import readers

    monkeypatch.setattr(readers, "MAX_LINE_BYTES", 64)  # 256 MiB: too large to write here
    long = json.dumps({"id": "s2", "text": "a long essay " * 10}).encode()
    write_tar(tmp_path / "train.tar", [("s1.txt", b"short"), ("s2.txt", b"short"),
                                       (member, long)])
    with pytest.raises(RecordError, match=rf"'{member}' holds {len(long)} bytes; a text or "
                                          "JSON member is at most 64"):
        _read(tmp_path, "webdataset", ["train.tar"], "text")


def test_tar_symlink_member_is_refused(tmp_path: Path) -> None:
    with tarfile.open(tmp_path / "train.tar", "w") as tar:
        info = tarfile.TarInfo("a.jpg")
        info.type, info.linkname = tarfile.SYMTYPE, "/etc/passwd"
        tar.addfile(info)
    with pytest.raises(RecordError, match="not a regular file"):
        _read(tmp_path, "webdataset", ["train.tar"], "image")


def test_folder_with_metadata_reads_media(tmp_path: Path) -> None:
    (tmp_path / "train").mkdir()
    (tmp_path / "train" / "a.jpg").write_bytes(b"jpegbytes")
    write_jsonl(tmp_path / "train" / "metadata.jsonl",
                [{"file_name": "a.jpg", "caption": "a boat"}])
    [record] = _read(tmp_path, "folder", ["train/metadata.jsonl"], "image")
    assert record.fields == {"image": "a.jpg", "caption": "a boat"}
    assert record.media["image"].data == b"jpegbytes"


@pytest.mark.parametrize("name", ["../outside.jpg", "/etc/passwd.jpg", "link.jpg",
                                  "out/outside.jpg", "in/../../outside.jpg"])
def test_media_outside_the_data_folder_is_refused(tmp_path: Path, name: str) -> None:
    data = tmp_path / "data"
    (data / "train" / "in").mkdir(parents=True)
    (tmp_path / "outside.jpg").write_bytes(b"secret")
    (data / "train" / "link.jpg").symlink_to(tmp_path / "outside.jpg")
    (data / "train" / "out").symlink_to(tmp_path, target_is_directory=True)
    write_jsonl(data / "train" / "metadata.jsonl", [{"file_name": name, "caption": "x"}])
    with pytest.raises(RecordError, match="leaves the data folder"):
        _read(data, "folder", ["train/metadata.jsonl"], "image")


def test_media_links_inside_the_data_folder_are_followed(tmp_path: Path) -> None:
    data = tmp_path / "data"
    (data / "train" / "pictures").mkdir(parents=True)
    (data / "train" / "pictures" / "a.jpg").write_bytes(b"jpeg a")
    (data / "train" / "b.jpg").symlink_to(data / "train" / "pictures" / "a.jpg")
    (data / "train" / "same").symlink_to(data / "train" / "pictures", target_is_directory=True)
    write_jsonl(data / "train" / "metadata.jsonl", [
        {"file_name": name, "caption": "x"} for name in ("b.jpg", "same/a.jpg", "pictures/a.jpg")])
    records = _read(data, "folder", ["train/metadata.jsonl"], "image")
    assert [r.media["image"].data for r in records] == [b"jpeg a"] * 3


@pytest.mark.parametrize("name", ["gone.jpg", "dangling.jpg", "pictures", "pictures/.",
                                  "nowhere/a.jpg"])
def test_media_that_is_no_file_is_named(tmp_path: Path, name: str) -> None:
    data = tmp_path / "data"
    (data / "train" / "pictures").mkdir(parents=True)
    (data / "train" / "dangling.jpg").symlink_to(data / "train" / "gone.jpg")
    write_jsonl(data / "train" / "metadata.jsonl", [{"file_name": name, "caption": "x"}])
    with pytest.raises(SourceError, match=f"media file '{name}' does not exist"):
        _read(data, "folder", ["train/metadata.jsonl"], "image")


@given(st.text())
def test_safe_key_is_a_valid_webdataset_key(text: str) -> None:
    key = safe_key(text)
    assert key and "." not in key and "/" not in key and len(key) <= 128


@given(st.dictionaries(st.text(), st.one_of(st.integers(), st.text(), st.booleans())))
def test_json_lines_round_trip(document: dict) -> None:
    assert parse_json_line(json.dumps(document).encode()) == document
