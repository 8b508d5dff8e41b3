"""Shard writers: the tar bytes are webdataset's, shards roll over where they should."""

from __future__ import annotations

import io
import random
import tarfile
from pathlib import Path

import pytest
import webdataset as wds
from hypothesis import given, settings
from hypothesis import strategies as st

from archive.records import Media, Origin, Record
from archive.shards.files import FileLog
from archive.shards.webdataset import MTIME, WebDatasetShards, sample


def _record(key: str, text: str, media: bytes | None = None, ext: str = "png") -> Record:
    return Record(key=key, split="train", fields={"id": key, "text": text},
                  origin=Origin("train.jsonl", line=1),
                  media={"image": Media(media, ext, f"{key}.{ext}")} if media else {})


def _reference(shards: WebDatasetShards, records: list[Record]) -> bytes:
    """The same samples written by webdataset's own TarWriter."""
    out = io.BytesIO()
    with wds.TarWriter(out, user="archive", group="archive", mode=0o444, encoder=False,
                       mtime=MTIME) as writer:
        for record in records:
            writer.write(sample(record, "text"))
    return out.getvalue()


def _written(tmp_path: Path, records: list[Record], **kwargs: int) -> tuple[
        WebDatasetShards, list[bytes]]:
    shards = WebDatasetShards(FileLog(tmp_path), "train", "text", **kwargs)
    with shards:
        for record in records:
            shards.write(record)
    return shards, [(tmp_path / f.path).read_bytes() for f in shards.files]


KEYS = st.one_of(st.from_regex(r"[A-Za-z0-9_-]{1,128}", fullmatch=True),
                 st.text(min_size=1, max_size=140).filter(lambda k: "\0" not in k))


@settings(max_examples=60, deadline=None)
@given(samples=st.lists(st.tuples(KEYS, st.text(max_size=700), st.binary(max_size=1500)),
                        min_size=1, max_size=5, unique_by=lambda s: s[0]))
def test_tar_bytes_equal_webdatasets_for_any_key_and_size(
        tmp_path_factory: pytest.TempPathFactory,
        samples: list[tuple[str, str, bytes]]) -> None:
    records = [_record(k, t, m) for k, t, m in samples]
    shards, [ours] = _written(tmp_path_factory.mktemp("tar"), records)
    assert ours == _reference(shards, records)


def test_long_and_non_ascii_names_get_pax_headers_that_tarfile_reads(tmp_path: Path) -> None:
    records = [_record("k" * 128, "long"), _record("Þórður_ævi", "íslenska", b"\x89PNG")]
    _, [data] = _written(tmp_path, records)
    with tarfile.open(fileobj=io.BytesIO(data)) as tar:
        members = tar.getmembers()
    assert [m.name for m in members] == [
        "k" * 128 + ".json", "k" * 128 + ".txt",
        "Þórður_ævi.json", "Þórður_ævi.png", "Þórður_ævi.txt"]
    assert {(m.mode, m.uname, m.gname, m.mtime) for m in members} == {
        (0o444, "archive", "archive", 0)}


def test_shards_roll_over_at_the_size_and_each_is_a_whole_tar(tmp_path: Path) -> None:
    records = [_record(f"r{i:03d}", "x" * 3000) for i in range(30)]
    shards, blobs = _written(tmp_path, records, shard_bytes=20_000)
    assert len(blobs) > 2
    assert sum(f.records for f in shards.files) == 30
    keys = []
    for blob in blobs:
        assert len(blob) % tarfile.RECORDSIZE == 0
        samples = list(wds.WebDataset([str(tmp_path / f.path) for f in shards.files
                                       if (tmp_path / f.path).read_bytes() == blob],
                                      shardshuffle=False))
        keys += [s["__key__"] for s in samples]
        assert all(s["txt"] == b"x" * 3000 for s in samples)
    assert keys == [r.key for r in records]


def test_text_is_published_once_and_reads_back_whole(tmp_path: Path) -> None:
    from archive.readers import read_split

    records = [_record(f"r{i}", f"Ritgerð númer {i}. " * 40) for i in range(3)]
    shards, [data] = _written(tmp_path, records)
    with tarfile.open(fileobj=io.BytesIO(data)) as tar:
        json_member = tar.extractfile("r1.json")
        assert json_member is not None and b"Ritger" not in json_member.read()
    path = tmp_path / shards.files[0].path
    again = list(read_split("x", "text", "webdataset", path.parent, "train", [path.name]))
    assert [(r.key, r.fields) for r in again] == [(r.key, r.fields) for r in records]


def test_arrow_batches_give_the_same_row_groups_and_shards_as_rows(tmp_path: Path) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    from archive.features import arrow_schema, to_row
    from archive.shards.parquet import ParquetShards

    records = [_record(f"r{i:03d}", "orð " * (50 + 7 * i)) for i in range(120)]
    rows = [to_row(r, "text") for r in records]
    sizes = [len(r.fields["text"]) for r in records]
    layouts = []
    for name in ("rows", "batches"):
        with ParquetShards(FileLog(tmp_path / name), "train", arrow_schema("text"),
                           row_group_bytes=3_000, shard_bytes=12_000) as shards:
            if name == "rows":
                for row, size in zip(rows, sizes, strict=True):
                    shards.write(row, size)
            else:
                for start in range(0, len(rows), 25):
                    batch = pa.RecordBatch.from_pylist(rows[start:start + 25],
                                                       schema=arrow_schema("text"))
                    shards.write_rows(batch, sizes[start:start + 25])
        files = [pq.ParquetFile(tmp_path / name / f.path) for f in shards.files]
        layouts.append([[f.metadata.row_group(g).num_rows for g in range(f.num_row_groups)]
                        for f in files])
        assert pa.concat_tables([f.read() for f in files]).to_pylist() == rows
    assert layouts[0] == layouts[1] and len(layouts[0]) > 2 and len(layouts[0][0]) > 1


@pytest.mark.parametrize(("record_type", "media_codec"),
                         [("image", "UNCOMPRESSED"), ("video", "UNCOMPRESSED"),
                          ("conversation", "ZSTD")])
def test_media_bytes_skip_compression_dictionary_and_statistics_free_text_statistics(
        tmp_path: Path, record_type: str, media_codec: str) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    from archive.features import arrow_schema
    from archive.shards.parquet import FREE_TEXT, ParquetShards

    schema = arrow_schema(record_type)
    medium = next(f.name for f in schema if pa.types.is_struct(f.type))
    row = {"id": "r1", medium: {"bytes": b"\xff\xd8" + bytes(range(256)) * 40,
                                "path": "r1.bin"}, "language": "is"}
    if record_type == "conversation":
        row["turns"] = [{"speaker": "A", "text": "Góðan dag " * 50}]
    with ParquetShards(FileLog(tmp_path), "train", schema) as shards:
        shards.write(row, 10_000)
    parquet = pq.ParquetFile(tmp_path / shards.files[0].path)
    columns = parquet.metadata.row_group(0)
    chunks = {columns.column(i).path_in_schema: columns.column(i)
              for i in range(columns.num_columns)}
    media = chunks.pop(f"{medium}.bytes")
    assert media.compression == media_codec and not media.is_stats_set
    assert "RLE_DICTIONARY" not in media.encodings
    assert all(c.compression == "ZSTD" for c in chunks.values())
    free = {path for path in chunks if path.split(".")[-1] in FREE_TEXT}
    assert {"id", "language"} <= chunks.keys() - free and "metadata" in free
    assert all(chunks[path].is_stats_set != (path in free) for path in chunks)
    assert parquet.read().to_pylist()[0][medium] == row[medium]


@pytest.mark.parametrize(("record_type", "long_text"),
                         [("text", "text"), ("audio", "transcript"),
                          ("conversation", "turns.list.element.text")])
def test_long_text_gets_no_dictionary_short_columns_do(tmp_path: Path, record_type: str,
                                                       long_text: str) -> None:
    import pyarrow.parquet as pq

    from archive.features import arrow_schema
    from archive.shards.parquet import ParquetShards

    schema = arrow_schema(record_type)
    text = "Sama ritgerðin aftur og aftur. " * 20  # repeated: a dictionary would take it
    row = {"text": {"title": "Ritgerð", "text": text},
           "audio": {"transcript": text, "speaker": "Anna"},
           "conversation": {"title": "Samtal", "turns": [{"speaker": "A", "text": text}]},
           }[record_type]
    with ParquetShards(FileLog(tmp_path), "train", schema) as shards:
        for index in range(100):
            shards.write({"id": f"r{index}", "language": "is", **row}, len(text))
    parquet = pq.ParquetFile(tmp_path / shards.files[0].path)
    columns = parquet.metadata.row_group(0)
    encodings = {columns.column(i).path_in_schema: columns.column(i).encodings
                 for i in range(columns.num_columns)}
    assert "RLE_DICTIONARY" not in encodings[long_text]
    assert "RLE_DICTIONARY" in encodings["language"]
    assert parquet.read().to_pylist()[99]["id"] == "r99"


_JSON = st.recursive(
    st.none() | st.booleans() | st.integers(min_value=-2**80, max_value=2**80)
    | st.floats(allow_nan=False, allow_infinity=False) | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=12)


@given(value=_JSON)
@settings(max_examples=300, deadline=None)
def test_sample_json_is_compact_sorted_and_reads_back_equal(value) -> None:
    import json

    from archive.shards.webdataset import compact_json

    out = compact_json({"value": value, "a": 1})
    assert json.loads(out) == {"value": value, "a": 1}
    if not any(isinstance(v, float) for v in _leaves(value)):  # floats: 1e-07 or 1e-7
        assert out == json.dumps({"a": 1, "value": value}, sort_keys=True,
                                 ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def _leaves(value):
    if isinstance(value, dict):
        for item in value.values():
            yield from _leaves(item)
    elif isinstance(value, list):
        for item in value:
            yield from _leaves(item)
    else:
        yield value


def _writing_threads() -> list[str]:
    import threading

    return [t.name for t in threading.enumerate() if t.name.startswith("archive-shards")]


@pytest.mark.parametrize("failing", ["parquet", "tar"])
def test_a_write_that_fails_in_the_writing_thread_fails_the_writer_and_stops_it(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, failing: str) -> None:
    """Shards are written in a thread beside the build: a full disk there is raised to
    the build, and no thread or open shard is left behind."""
    from archive.features import arrow_schema, to_row
    from archive.shards import files
    from archive.shards.parquet import ParquetShards

    write = files.HashingFile.write

    def full_disk(self: files.HashingFile, data: bytes) -> int:
        if self.path.suffix == f".{failing}" and self.size + len(data) > 1_000_000:
            raise OSError(28, "No space left on device")
        return write(self, data)

    monkeypatch.setattr(files.HashingFile, "write", full_disk)
    rng = random.Random(0)
    records = [_record(f"r{i:04d}", rng.randbytes(3000).hex()) for i in range(800)]
    log = FileLog(tmp_path)
    parquet = ParquetShards(log, "train", arrow_schema("text"), row_group_bytes=100_000)
    tars = WebDatasetShards(log, "train", "text")
    with pytest.raises(OSError, match="No space left"), parquet, tars:
        for record in records:
            parquet.write(to_row(record, "text"), len(record.fields["text"]))
            tars.write(record)
    assert not _writing_threads()
    assert parquet.sink is not None and parquet.sink.closed
    assert tars.stream is not None and tars.stream.closed


def test_an_error_in_the_build_stops_the_writing_threads(tmp_path: Path) -> None:
    records = [_record(f"r{i:04d}", "orð " * 2000) for i in range(600)]  # 7 MB: a block
    shards = WebDatasetShards(FileLog(tmp_path), "train", "text")
    with pytest.raises(ValueError, match="a bad record"), shards:
        for record in records:
            shards.write(record)
        assert _writing_threads()  # a block went to the writing thread
        raise ValueError("a bad record")
    assert not _writing_threads() and shards.stream is not None and shards.stream.closed


def test_a_failed_write_is_raised_by_the_first_hand_over_after_it(tmp_path: Path) -> None:
    """Not only once the queue is full: a full disk is reported before more work is done."""
    import errno
    import threading
    import time

    from archive.shards.files import Background

    ended = threading.Event()

    def fail() -> None:
        try:
            raise OSError(errno.ENOSPC, "No space left on device")
        finally:
            ended.set()

    background = Background(depth=2)
    try:
        background.submit(fail)
        assert ended.wait(5)
        time.sleep(0.05)  # the call has ended
        with pytest.raises(OSError, match="No space left"):
            background.submit(print)
    finally:
        background.abandon()


ROW_TEXT = st.text(st.characters(exclude_categories=("Cs",)), max_size=300)


@settings(max_examples=80, deadline=None)
@given(texts=st.lists(st.tuples(st.none() | ROW_TEXT, st.none() | ROW_TEXT, st.booleans()),
                      min_size=1, max_size=12))
def test_rows_with_encoded_text_make_the_batch_that_from_pylist_makes(
        texts: list[tuple[str | None, str | None, bool]]) -> None:
    """The main text, encoded once for both formats, gives the same Arrow values (nulls,
    empty and non-ASCII texts too) as the text itself would."""
    import pyarrow as pa

    from archive.features import arrow_schema, record_batch

    schema = arrow_schema("text")
    rows = [{"id": f"r{i}", "title": title, "text": text, "language": "is"}
            for i, (title, text, _) in enumerate(texts)]
    encoded = [{**row, "text": row["text"].encode("utf-8")} if encode and row["text"]
               is not None else row for row, (_, _, encode) in zip(rows, texts, strict=True)]
    ours = record_batch(encoded, schema)
    ours.validate(full=True)
    assert ours.equals(pa.RecordBatch.from_pylist(rows, schema=schema))


def test_nested_and_media_columns_make_the_batch_that_from_pylist_makes() -> None:
    import pyarrow as pa

    from archive.features import arrow_schema, record_batch

    schema = arrow_schema("conversation")
    rows = [{"id": "c1", "title": "Á bryggjunni", "language": "is", "metadata": '{"a":1}',
             "turns": [{"speaker": "A", "text": "Góðan dag", "start": 0.0, "end": 1.5}],
             "audio": {"bytes": b"RIFF....WAVE", "path": "c1.wav"}},
            {"id": "c2", "turns": [], "audio": None}]
    assert record_batch(rows, schema).equals(pa.RecordBatch.from_pylist(rows, schema=schema))


def test_a_long_text_is_held_once_for_parquet_and_the_tar(tmp_path: Path) -> None:
    """A book-length text is encoded once: its Arrow value and its tar member are the
    same bytes in memory, not copies (a 200 MB text took three)."""
    import pyarrow as pa

    from archive.features import arrow_schema
    from archive.prepare import Preparer
    from archive.shards.webdataset import LARGE_MEMBER

    text = "Þetta er löng bók. " * (LARGE_MEMBER // 18 + 1)
    record = _record("book", text)
    record.fields["language"] = "is"
    ready = Preparer("text", ["is"], None, arrow_schema("text"))([record])
    assert ready.rows is not None
    value = ready.rows.column("text").buffers()[2]
    [member] = [p for p in ready.records[0].tar if len(p) >= LARGE_MEMBER]
    assert member == text.encode("utf-8") and value.size == len(member)
    assert value.address == pa.py_buffer(member).address


def test_a_record_of_a_batchs_size_is_prepared_alone() -> None:
    from archive.build import BATCH_BYTES, batches

    small = [_record(f"s{i}", "orð " * 100) for i in range(5)]
    large = _record("book", "x" * BATCH_BYTES)
    got = list(batches(iter([*small[:3], large, *small[3:]])))
    assert [[r.key for r in batch] for batch in got] == [
        ["s0", "s1", "s2"], ["book"], ["s3", "s4"]]
