"""Parquet shards: ``data/SPLIT-NNNNN.parquet``, zstd (not on media already compressed),
bounded row groups and shard sizes."""

from __future__ import annotations

import contextlib
import io
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from ..features import record_batch
from .files import Background, FileEntry, FileLog, HashingFile, ShardWriter

ROW_GROUP_BYTES = 100 * 1024**2
SHARD_BYTES = 500 * 1024**2
ROW_GROUP_ROWS = 100_000


FREE_TEXT = frozenset({"title", "text", "caption", "transcript", "subtitles", "metadata"})
"""Columns (by their last name: ``turns.list.element.text`` too) of free text, which get no
statistics: a minimum and maximum of essays filter nothing, and Arrow copied a long value
several times to make them (a 200 MB text took 1.1 GB more memory to write)."""
LONG_TEXT = frozenset({"text", "transcript", "subtitles"})
"""Free-text columns (by their last name, as :data:`FREE_TEXT`) whose values are long and
almost never repeat, which get no dictionary either: Arrow tried one on every row group
and gave up after a megabyte of values, and it first copied a long value into it (a
200 MB text took 1.4 s to write instead of 0.5)."""


def column_options(schema: pa.Schema) -> dict[str, Any]:
    """ParquetWriter options per column: zstd, dictionaries and statistics, except for
    media bytes (``struct<bytes, path>`` columns), which get none of them: JPEG, PNG and
    video are compressed already, and a dictionary tried on large binary values cost 7
    times the write (audio keeps zstd: WAV's samples do compress); free text gets no
    statistics (:data:`FREE_TEXT`), long text no dictionary (:data:`LONG_TEXT`)."""
    media = {f"{f.name}.bytes" for f in schema
             if pa.types.is_struct(f.type) and f.type.get_field_index("bytes") >= 0}
    empty = io.BytesIO()
    pq.write_table(schema.empty_table(), empty)  # the Parquet column paths, nested ones too
    paths = [c.path for c in pq.read_metadata(io.BytesIO(empty.getvalue())).schema]
    others = [path for path in paths if path not in media]
    compression = {path: "zstd" for path in others}
    compression.update({path: "zstd" if path.startswith("audio.") else "none"
                        for path in media})
    return {"compression": compression,
            "use_dictionary": [p for p in others if p.split(".")[-1] not in LONG_TEXT],
            "write_statistics": [p for p in others if p.split(".")[-1] not in FREE_TEXT]}


class ParquetShards(ShardWriter):
    """Writes one split's rows as Parquet shards that roll over at ``shard_bytes``.

    Boundaries depend only on the sequence of rows (their estimated size), so the
    same input always gives the same shards. A row group is encoded, compressed, hashed
    and written in a :class:`~.files.Background` thread while the next one fills (so
    two row groups at most are held).
    """

    def __init__(self, log: FileLog, split: str, schema: pa.Schema, *,
                 shard_bytes: int = SHARD_BYTES, row_group_bytes: int = ROW_GROUP_BYTES,
                 folder: str = "data") -> None:
        self.log, self.split, self.schema = log, split, schema
        self.shard_bytes, self.row_group_bytes = shard_bytes, row_group_bytes
        self.folder = folder
        self.batches: list[pa.RecordBatch] = []
        self.row_count = 0
        self.buffered = 0
        self.writer: pq.ParquetWriter | None = None
        self.sink: HashingFile | None = None
        self.shard_written = 0
        self.shard_rows = 0
        self.index = 0
        self.files: list[FileEntry] = []
        self.nbytes = 0
        """Uncompressed Arrow bytes written, the Hub's ``num_bytes`` of the split."""
        self.background = Background(depth=1)

    def abort(self) -> None:
        self.background.abandon()
        if self.writer is not None:  # its error would hide the build's: the shard is dropped
            with contextlib.suppress(Exception):
                self.writer.close()
        if self.sink is not None:  # pyarrow leaves a Python file open
            self.sink.close()

    def write(self, row: dict[str, Any], size: int) -> None:
        """Add one row (a dict, :func:`~archive.features.to_row`) whose payload is about
        ``size`` bytes."""
        self.write_rows(record_batch([row], self.schema), [size])

    def write_rows(self, rows: pa.RecordBatch, sizes: list[int]) -> None:
        """Add rows in Arrow, each ``sizes[i]`` bytes: row groups and shards end at the
        same rows however the rows are batched."""
        start = 0
        for index, size in enumerate(sizes):
            self.buffered += size
            self.row_count += 1
            if self.buffered >= self.row_group_bytes or self.row_count >= ROW_GROUP_ROWS:
                self.batches.append(rows.slice(start, index + 1 - start))
                start = index + 1
                self._flush_row_group()
        if start < len(sizes):
            self.batches.append(rows.slice(start))

    def _flush_row_group(self) -> None:
        if not self.batches:
            return
        if self.writer is None:
            path = self.log.root / self.folder / f"{self.split}-{self.index:05d}.parquet"
            path.parent.mkdir(parents=True, exist_ok=True)
            self.sink = HashingFile(path)
            self.writer = pq.ParquetWriter(self.sink, self.schema, write_page_index=True,
                                           **column_options(self.schema))
        table = pa.Table.from_batches(self.batches, schema=self.schema)
        self.background.submit(self.writer.write_table, table, row_group_size=table.num_rows)
        self.nbytes += table.nbytes
        self.shard_written += self.buffered
        self.shard_rows += table.num_rows
        self.batches, self.buffered, self.row_count = [], 0, 0
        if self.shard_written >= self.shard_bytes:
            self._close_shard()

    def _close_shard(self) -> None:
        if self.writer is None or self.sink is None:
            return
        self.background.wait()
        self.writer.close()
        self.files.append(self.log.add_hashed(self.sink, records=self.shard_rows))
        self.writer, self.sink = None, None
        self.shard_written = self.shard_rows = 0
        self.index += 1

    def close(self) -> list[FileEntry]:
        """Flush what is buffered and close the last shard; return every shard written."""
        self._flush_row_group()
        self._close_shard()
        self.background.close()
        return self.files
