"""Videos and recordings too large to hold stream through a build: checked, stripped and
copied into the tars in pieces, with the same bytes as when held whole; their Parquet row
names the tar member instead of holding the bytes."""

from __future__ import annotations

import io
import os
import tarfile
import tempfile
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from archive import streamed
from archive.build import build
from archive.entries import Entry
from archive.errors import ScreeningError, SourceError
from archive.parallel import Engine
from archive.screening.media import EXTENSION_FAMILY, VIDEO_FAMILIES, check_media
from archive.shards.files import FileLog
from archive.shards.webdataset import WebDatasetShards
from archive.streamed import FileSlice
from archive.verify import verify_folder
from tests.helpers import form, submit, write_tar
from tests.screening import mediafiles as mf
from tests.screening.test_media import rf64_with_artist

CAPTIONS = {"v1": "Waves on a breakwater.", "v2": "A boat leaves the harbour.",
            "v3": "Rain on the quay."}


@pytest.fixture
def small_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every video in these tests counts as too large to hold."""
    monkeypatch.setattr(streamed, "STREAMED_MEDIA_BYTES", 1000)


def _files() -> dict[str, bytes]:
    return {"v1.mp4": mf.video_with_gps("mp4"), "v2.mp4": mf.video("mp4", frames=9),
            "v3.webm": mf.video_with_gps("webm")}


def _dataset(root: Path, files: dict[str, bytes], fmt: str = "jsonl",
             record_type: str = "video") -> Entry:
    text = "transcript" if record_type == "audio" else "caption"
    records = [{"id": name.split(".")[0], record_type: name,
                text: CAPTIONS.get(name.split(".")[0], "The tide came in.")} for name in files]
    document = form("big-videos", record_type=record_type, modalities=[record_type],
                    languages=["en"],
                    size={"records": len(records), "bytes": sum(map(len, files.values()))})
    data = root / "partner" / "big-videos" / "data"
    data.mkdir(parents=True)
    if fmt == "webdataset":  # one plain tar: KEY.txt (the caption), then KEY.mp4
        document["source"] = {"format": "webdataset", "splits": {"train": ["train.tar"]}}
        write_tar(data / "train.tar", [
            (member, content) for name, blob in files.items()
            for member, content in ((f"{name.split('.')[0]}.txt",
                                     CAPTIONS[name.split(".")[0]].encode()), (name, blob))])
    else:
        for name, blob in files.items():
            (data / name).write_bytes(blob)
    return submit(root, document, records)


def _tar_members(out: Path) -> dict[str, bytes]:
    members = {}
    for shard in sorted((out / "webdataset").glob("*.tar")):
        with tarfile.open(shard) as tar:
            for member in tar.getmembers():
                f = tar.extractfile(member)
                assert f is not None
                members[member.name] = f.read()
    return members


def _parquet_media(out: Path, column: str = "video") -> dict[str, dict]:
    rows = pq.read_table(next((out / "data").glob("*.parquet"))).to_pylist()
    return {row["id"]: row[column] for row in rows}


def _build(entry: Entry, out: Path, workers: int = 1) -> None:
    build(entry, out, repo_id="archive/big-videos", url="https://example.org",
          engine=Engine(workers=workers))


def test_large_videos_stream_into_the_tars_with_the_bytes_they_have_when_held(
        root: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    entry = _dataset(root, _files())
    _build(entry, tmp_path / "held")
    monkeypatch.setattr(streamed, "STREAMED_MEDIA_BYTES", 1000)
    _build(entry, tmp_path / "streamed")
    held, streamed_members = _tar_members(tmp_path / "held"), _tar_members(tmp_path / "streamed")
    assert streamed_members == held
    for leak in (mf.OWNER.encode(), "Afmæli".encode(), b"555 1234", b"+64.1466"):
        assert not any(leak in data for data in streamed_members.values())
    assert _parquet_media(tmp_path / "held")["v1"]["bytes"] == held["v1.mp4"]
    assert _parquet_media(tmp_path / "streamed") == {
        "v1": {"bytes": None, "path": "v1.mp4"}, "v2": {"bytes": None, "path": "v2.mp4"},
        "v3": {"bytes": None, "path": "v3.webm"}}
    assert verify_folder(tmp_path / "streamed").splits["train"].records == 3
    card = (tmp_path / "streamed" / "README.md").read_text()
    assert "3 video files over 256 MiB are in the tar shards only" in card
    assert "tar shards only" not in (tmp_path / "held" / "README.md").read_text()
    assert not list(tmp_path.glob("*.streamed"))  # the stripped copies are gone


def test_long_recordings_stream_into_the_tars_with_the_bytes_they_have_when_held(
        root: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    appended = b"Jon Jonsson, kt. 120174-3399; "
    files = {"a1.wav": mf.wav_with_info() + appended,
             "a2.flac": mf.flac_with_tags() + appended * 40,
             "a3.flac": mf.sound("FLAC"),  # nothing to strip: published as it came
             "a4.wav": rf64_with_artist(list_first=False)[0]}
    entry = _dataset(root, files, record_type="audio")
    _build(entry, tmp_path / "held")
    monkeypatch.setattr(streamed, "STREAMED_MEDIA_BYTES", 1000)
    _build(entry, tmp_path / "streamed")
    held, streamed_members = _tar_members(tmp_path / "held"), _tar_members(tmp_path / "streamed")
    assert streamed_members == held and held["a3.flac"] == files["a3.flac"]
    for leak in (b"Jon Jonsson", mf.OWNER.encode(), b"120174", b"555 1234"):
        assert not any(leak in data for data in streamed_members.values())
    assert _parquet_media(tmp_path / "streamed", "audio")["a2"] == {
        "bytes": None, "path": "a2.flac"}
    release = verify_folder(tmp_path / "streamed")
    assert release.splits["train"].records == release.splits["train"].tar_only == 4
    assert "4 audio files over 256 MiB" in (tmp_path / "streamed" / "README.md").read_text()
    assert not list(tmp_path.glob("*.streamed"))


def test_datasets_loads_a_release_with_streamed_files_and_names_their_tar_members(
        small_limit: None, root: Path, tmp_path: Path) -> None:
    import datasets

    files = {"a1.wav": mf.wav_with_info(), "a2.flac": mf.flac_with_tags()}
    _build(_dataset(root, files, record_type="audio"), tmp_path / "out")
    loaded = datasets.load_dataset(str(tmp_path / "out"), split="train")
    assert isinstance(loaded.features["audio"], datasets.Audio)
    rows = loaded.cast_column("audio", datasets.Audio(decode=False))
    assert [(r["id"], r["audio"]) for r in rows] == [
        ("a1", {"bytes": None, "path": "a1.wav"}), ("a2", {"bytes": None, "path": "a2.flac"})]
    members = _tar_members(tmp_path / "out")
    assert members["a2.flac"].startswith(b"fLaC") and mf.OWNER.encode() not in members["a2.flac"]


def test_screening_alone_strips_streamed_files_and_keeps_no_copy(
        small_limit: None, root: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
        ) -> None:
    from archive.entries import Registry
    from archive.pipeline import screen

    monkeypatch.setenv("TMPDIR", str(tmp_path / "tmp"))  # where screening's copies go
    (tmp_path / "tmp").mkdir()
    tempfile.tempdir = None  # read TMPDIR again
    try:
        entry = _dataset(root, _files())
        summary, _ = screen(Registry(root), entry.id)
    finally:
        tempfile.tempdir = None
    assert summary["media"]["checked"] == 3 and summary["media"]["stripped"] == 2
    assert "VIDEO:artist" in summary["media"]["stripped_tags"]
    assert not list((tmp_path / "tmp").iterdir())


def test_two_workers_stream_the_same_bytes_as_one(small_limit: None, root: Path,
                                                  tmp_path: Path) -> None:
    entry = _dataset(root, _files())
    _build(entry, tmp_path / "one")
    _build(entry, tmp_path / "two", workers=2)
    one, two = (tmp_path / "one" / "SHA256SUMS"), (tmp_path / "two" / "SHA256SUMS")
    assert one.read_text() == two.read_text()


def test_a_truncated_large_video_blocks_the_release(small_limit: None, root: Path,
                                                    tmp_path: Path) -> None:
    files = _files()
    files["v2.mp4"] = files["v2.mp4"][:len(files["v2.mp4"]) * 2 // 3]
    entry = _dataset(root, files)
    with pytest.raises(ScreeningError, match="broken_media"):
        _build(entry, tmp_path / "out")
    assert not (tmp_path / "out").exists()


def test_large_videos_in_a_plain_tar_stream_from_their_offsets(
        small_limit: None, root: Path, tmp_path: Path) -> None:
    files = _files()
    _build(_dataset(root, files, fmt="webdataset"), tmp_path / "out")
    members = _tar_members(tmp_path / "out")
    assert members["v2.mp4"] == files["v2.mp4"]  # no tags: published as it came
    assert mf.OWNER.encode() not in members["v1.mp4"]
    assert _parquet_media(tmp_path / "out")["v2"] == {"bytes": None, "path": "v2.mp4"}


def test_a_plain_tar_cut_inside_a_streamed_member_is_a_damaged_tar(
        small_limit: None, root: Path, tmp_path: Path) -> None:
    entry = _dataset(root, _files(), fmt="webdataset")
    tar = entry.data / "train.tar"
    with tarfile.open(tar) as whole:
        member = whole.getmember("v2.mp4")
    tar.write_bytes(tar.read_bytes()[:member.offset_data + member.size // 2])
    with pytest.raises(SourceError, match="damaged tar file"):
        _build(entry, tmp_path / "out")
    assert not (tmp_path / "out").exists()


def test_a_file_slice_reads_like_bytes(tmp_path: Path) -> None:
    path = tmp_path / "f.bin"
    path.write_bytes(b"0123456789abcdef")
    part = FileSlice(path, 4, 8)  # "456789ab"
    assert len(part) == 8 and part[0] == ord("4") and part[-1] == ord("b")
    assert part[2:5] == b"678" and part[:] == b"456789ab" and part[6:100] == b"ab"
    with pytest.raises(IndexError):
        part[8]
    with part.open() as f:
        assert f.read(3) == b"456"
        f.seek(-2, io.SEEK_END)
        assert f.read() == b"ab"
    assert b"".join(part.chunks()) == b"456789ab"


def test_a_large_video_checks_as_it_does_in_memory(tmp_path: Path) -> None:
    good, bad = mf.video("mp4"), mf.video("mp4")[:-400]
    for name, data in (("good.mp4", good), ("bad.mp4", bad)):
        (tmp_path / name).write_bytes(data)
        assert check_media(FileSlice(tmp_path / name, 0, len(data)), "mp4") == \
            check_media(data, "mp4")
    assert check_media(FileSlice(tmp_path / "bad.mp4", 0, len(bad)), "mp4") is not None


@pytest.mark.parametrize("change", ["shrink", "rewrite"])
def test_a_video_that_changes_during_the_build_is_refused(tmp_path: Path, change: str
                                                          ) -> None:
    source = tmp_path / "v.mp4"
    source.write_bytes(b"x" * 5000)
    media = FileSlice.of(source, 0, 5000)
    # after it was checked: cut short, or the same size with other bytes (a later time)
    source.write_bytes(b"x" * 3000 if change == "shrink" else b"y" * 5000)
    os.utime(source, ns=(media.mtime_ns or 0, (media.mtime_ns or 0) + 1_000_000))
    with pytest.raises(SourceError, match="changed during the build") as info, \
            WebDatasetShards(FileLog(tmp_path / "out"), "train", "video") as shards:
        shards.write_sample((b"header", media))
    assert info.value.where.file == source


def test_the_streamed_extensions_are_the_video_families_wav_and_flac() -> None:
    kinds = {*VIDEO_FAMILIES, "wav", "flac"}
    assert {ext for ext, family in EXTENSION_FAMILY.items() if family in kinds} == \
        streamed.STREAMED_EXTENSIONS


def test_a_sample_left_out_removes_its_stripped_copy_and_never_the_partners_file(
        tmp_path: Path) -> None:
    from archive.shards.webdataset import discard

    partner, copy = tmp_path / "partner.mp4", tmp_path / "stripped.mp4"
    partner.write_bytes(b"x" * 2000)
    copy.write_bytes(b"y" * 1500)
    discard((b"header", FileSlice.of(partner, 0, 2000), b"pad"))
    discard((b"header", FileSlice(copy, 0, 1500, scratch=True), b"pad"))
    assert partner.is_file() and not copy.exists()
