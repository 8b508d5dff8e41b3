"""Everything a record needs before it is written that depends on nothing but the record.

For a batch of records (or of unparsed lines, which it parses), a :class:`Preparer`
validates each against its schema, screens it (analysis and the policy's judgement:
findings, redactions, stripped media) and serialises what would be published (the
Parquet row and the tar members). It runs in worker processes (:mod:`archive.parallel`);
the build keeps in its own process only what depends on the records before: unique
keys, duplicates, counts, and writing in order, from each record's :class:`Head`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow as pa

from .features import record_batch, text_of, to_row, utf8_text
from .readers import Line
from .records import Head, Record, head
from .schemas import record_error
from .screening import Policy
from .screening.analysis import Analyser, Analysis
from .screening.judge import Judgement, judge
from .shards.webdataset import Sample, sample_bytes
from .streamed import FileSlice


@dataclass
class Prepared:
    """One record, prepared: its schema error, or its screening and serialised forms."""

    problem: tuple[str, str] | None = None  # (JSON pointer, message)
    analysis: Analysis | None = None  # only what the in-order checks need
    judgement: Judgement | None = None  # without the published record
    size: int = 0  # bytes of text and media in the Parquet row, for row-group sizes
    tar: Sample = b""  # the WebDataset sample's tar members


@dataclass
class PreparedBatch:
    """A batch of prepared records, what the in-order checks need of each, and the
    Parquet rows of its valid ones, in order."""

    records: list[Prepared]
    heads: list[Head]
    rows: pa.RecordBatch | None = None


class Preparer:
    """Prepares records of one dataset into rows of ``schema`` (the record type's Arrow
    schema); without a schema it stops after screening."""

    def __init__(self, record_type: str, languages: Sequence[str],
                 policy: dict[str, Any] | None, schema: pa.Schema | None,
                 scratch: Path | None = None) -> None:
        self.record_type, self.schema = record_type, schema
        self.policy = Policy.from_dict(policy)
        self.analyser = Analyser(record_type, languages, self.policy, scratch)

    def __call__(self, units: Sequence[Record | Line]) -> PreparedBatch:
        """Prepare records (unparsed lines are parsed first: a bad one raises its
        :class:`~archive.errors.RecordError`)."""
        records = [u if isinstance(u, Record) else u.record() for u in units]
        out = [Prepared(problem=record_error(self.record_type, r.fields)) for r in records]
        valid = [i for i, p in enumerate(out) if p.problem is None]
        rows = []
        for i, analysis in zip(valid, self.analyser.analyse([records[i] for i in valid]),
                               strict=True):
            judgement = judge(records[i], analysis, self.policy)
            published = judgement.record
            assert published is not None
            analysis.texts, analysis.media = [], {}  # fresh objects: only their summary
            judgement.record = None                    # travels back to the main process
            out[i].analysis, out[i].judgement = analysis, judgement
            if self.schema is not None:
                row, out[i].size, out[i].tar = serialise(published, self.record_type)
                rows.append(row)
            else:  # screening only: stripped copies of streamed media are not kept
                for media in published.media.values():
                    if isinstance(media.data, FileSlice):
                        media.data.discard()
        table = record_batch(rows, self.schema) if self.schema is not None else None
        return PreparedBatch(out, [head(r) for r in records], table)


def serialise(record: Record, record_type: str) -> tuple[dict[str, Any], int, Sample]:
    """What is published of a record: its Parquet row (for :func:`~.features.record_batch`),
    the bytes of text and media in that row (which size row groups) and its tar members;
    the main text is encoded once for both formats."""
    text = utf8_text(record, record_type)
    size = len(text_of(record, record_type)) + sum(
        len(m.data) for m in record.media.values()
        if not isinstance(m.data, FileSlice))  # a streamed file is not in the Parquet row
    return to_row(record, record_type, text), size, sample_bytes(record, record_type, text)
