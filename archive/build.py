"""Build a release folder from an approved entry: validate, screen, shard, checksum, card.

The build writes into ``OUT.partial`` and renames it to ``OUT`` only when every file is
written and verified, so a failed build leaves nothing that looks like a release.
"""

from __future__ import annotations

import errno
import shutil
import sqlite3
from collections import Counter
from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager, nullcontext
from pathlib import Path
from typing import Any, TypeVar

import pyarrow as pa

from .cache import BuildOptions, cache_key, cached_build, fingerprint
from .card import render
from .croissant import croissant
from .diskio import fsync_tree
from .entries import Entry
from .errors import (
    ArchiveError,
    EntryError,
    RecordError,
    SourceError,
    StorageError,
    Where,
)
from .features import arrow_schema
from .locks import file_lock
from .parallel import ONE_PROCESS, Engine, prepared, unit_bytes
from .prepare import PreparedBatch
from .readers import read_units
from .records import Head, Record
from .release import CARD_FILE, CROISSANT_FILE, RELEASE_FILE, SUMS_FILE, Release, SplitInfo
from .screening import Policy, Screener
from .seen import SeenSet, scratch_file
from .shards.files import FileLog, sha256sums
from .shards.parquet import ParquetShards
from .shards.webdataset import WebDatasetShards, discard, streamed_files

T = TypeVar("T")

BATCH_RECORDS = 256
BATCH_BYTES = 2 * 1024**2
"""A batch (prepared together by one worker process, held in memory at once) ends at
``BATCH_RECORDS`` records or once its media and text reach ``BATCH_BYTES``: many small
pictures or essays go together, a record of ``BATCH_BYTES`` or more (a large video or a
book) alone, so that its text is not copied into one Arrow buffer with others."""

_STORAGE_ERRNOS = {errno.ENOSPC, errno.EFBIG, errno.EDQUOT, errno.EROFS}
"""Write failures that mean the disk is full, over a limit, or read-only."""
_SQLITE_STORAGE = {sqlite3.SQLITE_FULL, sqlite3.SQLITE_IOERR}
"""SQLite's primary result codes for a full disk and a failed write."""


def _count_source(entry: Entry, record: Head, counted: set[str],
                  sizes: Counter[str]) -> None:
    """Count the partner's bytes: each file once, and media read from elsewhere."""
    if record.origin.file not in counted:
        counted.add(record.origin.file)
        sizes[record.origin.file] = (entry.data / record.origin.file).stat().st_size
    if entry.source_format in ("jsonl", "csv", "folder"):
        sizes["media"] += record.media_bytes


def kept(entry: Entry, ready: PreparedBatch, keys: SeenSet, screener: Screener
         ) -> list[bool]:
    """Refuse a prepared batch's first bad record (:func:`check_records`), then apply the
    in-order screening to the rest: whether each record is kept."""
    check_records(entry, ready.heads, keys, [p.problem for p in ready.records])
    analyses = [p.analysis for p in ready.records if p.analysis is not None]
    judgements = [p.judgement for p in ready.records if p.judgement is not None]
    assert len(analyses) == len(judgements) == len(ready.records), "unchecked records"
    return screener.keeps_many(ready.heads, analyses, judgements)


def batches(records: Iterator[T]) -> Iterator[list[T]]:
    """Consecutive lists of records (or lines), as many as are prepared together."""
    batch: list[T] = []
    size = 0
    for record in records:
        weight = unit_bytes(record, streamed=True)
        if batch and weight >= BATCH_BYTES:
            yield batch
            batch, size = [], 0
        batch.append(record)
        size += weight
        if len(batch) >= BATCH_RECORDS or size >= BATCH_BYTES:
            yield batch
            batch, size = [], 0
    if batch:
        yield batch


def check_records(entry: Entry, records: Sequence[Record | Head], keys: SeenSet,
                  problems: Sequence[tuple[str, str] | None]) -> None:
    """Refuse the first record, in order, that does not match its schema (``problems``:
    the JSON pointer and message of each record's first error, if any) or whose key
    appeared before."""
    repeated = keys.add_many([r.key for r in records])
    for index, record in enumerate(records):
        problem = problems[index]
        if not problem and not repeated[index]:
            continue
        where = Where(dataset=entry.id, file=entry.data / record.origin.file,
                      line=record.origin.line, record=record.key)
        if problem:
            where.pointer = problem[0]
            raise RecordError(problem[1], where,
                              hint=f"see schemas/records/{entry.record_type}.schema.json")
        if repeated[index]:
            raise RecordError("a record with this id appears twice", where,
                              hint="ids must be unique across splits")


def _compare(entry: Entry, records: int, source_bytes: int,
             languages: Counter[str]) -> tuple[dict[str, Any], list[str]]:
    declared = {"records": entry.form["size"]["records"], "bytes": entry.form["size"]["bytes"],
                "languages": sorted(entry.languages),
                "modalities": sorted(entry.form["modalities"])}
    found = {"records": records, "bytes": source_bytes, "languages": sorted(languages)}
    differences = []
    if records != declared["records"]:
        differences.append(f"records: declared {declared['records']:,}, found {records:,}")
    if abs(source_bytes - declared["bytes"]) > 0.05 * declared["bytes"]:
        differences.append(f"bytes: declared {declared['bytes']:,}, found {source_bytes:,}")
    undeclared = sorted(set(languages) - set(entry.languages))
    if undeclared:
        differences.append(f"languages found but not declared: {', '.join(undeclared)}")
    missing = sorted(set(entry.languages) - set(languages)) if languages else []
    if missing:
        differences.append(f"languages declared but not found: {', '.join(missing)}")
    return {"declared": declared, "found": found}, differences


def build_lock(entry: Entry, out: Path) -> AbstractContextManager[None]:
    """The lock on a build folder: held while it is written, and while it is published."""
    return file_lock(out.with_name(out.name + ".lock"), dataset=entry.id, what="building")


def build(entry: Entry, out: Path, *, repo_id: str, url: str,
          options: BuildOptions | None = None,
          history: list[dict[str, Any]] | None = None,
          findings: Path | None = None, locked: bool = False,
          engine: Engine = ONE_PROCESS) -> Release:
    """Build the release of ``entry`` into the folder ``out``; return what it holds.

    ``findings`` is where the screening's full list of findings goes (masked excerpts,
    for the maintainer only; never inside the release). ``locked`` says the caller holds
    :func:`build_lock` already (to publish the folder before anyone can rebuild it).
    The ``engine``'s workers prepare the records; the bytes do not depend on it.
    """
    entry.require_releasable()
    with nullcontext() if locked else build_lock(entry, out):
        return _build(entry, out, repo_id=repo_id, url=url, options=options,
                      history=history, findings=findings, engine=engine)


def _build(entry: Entry, out: Path, *, repo_id: str, url: str,
           options: BuildOptions | None, history: list[dict[str, Any]] | None,
           findings: Path | None, engine: Engine) -> Release:
    options = options or BuildOptions()
    if out.exists() and any(out.iterdir()) and not (out / RELEASE_FILE).is_file():
        raise EntryError("the build folder exists and does not hold a release build; "
                         "nothing was touched", Where(dataset=entry.id, file=out),
                         hint="choose a new or empty folder for --out")
    work = out.with_name(out.name + ".partial")
    key_file = out.with_name(out.name + ".key")
    source = fingerprint(entry, options)  # hashes every data file: once per build
    key = cache_key(source, entry, repo_id, url, history or [])
    cached = cached_build(out, key_file, key)
    if cached is not None:
        return cached
    key_file.unlink(missing_ok=True)
    shutil.rmtree(out, ignore_errors=True)  # a failed rebuild leaves no stale release
    shutil.rmtree(work, ignore_errors=True)
    streamed = work.with_name(work.name + ".streamed")  # stripped copies of streamed media
    try:
        work.mkdir(parents=True)
        shutil.rmtree(streamed, ignore_errors=True)  # left by a build that was killed
        streamed.mkdir()
        with scratch_file(work.with_name(work.name + ".scratch.sqlite")) as db:
            release = _build_into(entry, work, db, repo_id, url, options, history or [],
                                  findings, engine, source, streamed)
        fsync_tree(work)
        if out.exists():
            shutil.rmtree(out)
        work.rename(out)
        key_file.write_text(key + "\n", encoding="utf-8")
        return release
    except OSError as exc:
        if isinstance(exc, ArchiveError) or exc.errno not in _STORAGE_ERRNOS:
            raise
        raise StorageError(f"cannot write the build: {exc.strerror or exc}",
                           Where(dataset=entry.id, file=exc.filename or work),
                           hint="free some disk space, then run again") from None
    except sqlite3.OperationalError as exc:
        if (getattr(exc, "sqlite_errorcode", 0) & 0xFF) not in _SQLITE_STORAGE:
            raise
        raise StorageError(f"cannot write the build's scratch database: {exc}",
                           Where(dataset=entry.id, file=work.parent),
                           hint="free some disk space, then run again") from None
    finally:
        shutil.rmtree(work, ignore_errors=True)
        shutil.rmtree(streamed, ignore_errors=True)


def screener_for(entry: Entry, findings: Path | None = None,
                 db: sqlite3.Connection | None = None) -> Screener:
    """The screening stage for a dataset, with the policy from its entry; ``db`` is the
    scratch database its duplicate index lives in."""
    try:
        policy = Policy.from_dict(entry.screening)
    except EntryError as exc:
        exc.where.dataset, exc.where.file = entry.id, entry.directory / "entry.yaml"
        raise
    return Screener(dataset_id=entry.id, record_type=entry.record_type,
                    declared_languages=entry.languages, policy=policy, report_path=findings,
                    db=db)


def _build_into(entry: Entry, work: Path, db: sqlite3.Connection, repo_id: str, url: str,
                options: BuildOptions, history: list[dict[str, Any]], findings: Path | None,
                engine: Engine, source: str, streamed: Path) -> Release:
    log = FileLog(work)
    schema = arrow_schema(entry.record_type)
    screener = screener_for(entry, findings, db)
    keys = SeenSet(db, "record_keys")
    counted: set[str] = set()
    sizes = Counter[str]()
    languages: Counter[str] = Counter()
    splits: dict[str, SplitInfo] = {}
    for split in ("train", "validation", "test"):
        if split not in entry.splits:
            continue
        info = SplitInfo()
        with ParquetShards(log, split, schema, shard_bytes=options.parquet_shard_bytes,
                           row_group_bytes=options.row_group_bytes) as parquet, \
                WebDatasetShards(log, split, entry.record_type,
                                 shard_bytes=options.tar_shard_bytes) as tars:
            units = read_units(entry.id, entry.record_type, entry.source_format,
                               entry.data, split, entry.splits[split])
            for ready in prepared(batches(units), engine=engine,
                                     dataset=entry.id, record_type=entry.record_type,
                                     languages=entry.languages, policy=entry.screening,
                                     scratch=streamed):
                keep_each = kept(entry, ready, keys, screener)
                sizes_kept = []
                for record, each, keep in zip(ready.heads, ready.records, keep_each,
                                              strict=True):
                    _count_source(entry, record, counted, sizes)
                    if not keep:
                        discard(each.tar)
                        continue
                    tars.write_sample(each.tar)
                    info.tar_only += bool(streamed_files(each.tar))
                    sizes_kept.append(each.size)
                    info.records += 1
                    languages[record.language or
                              (entry.languages[0] if len(entry.languages) == 1 else "und")] += 1
                assert ready.rows is not None
                rows = ready.rows if all(keep_each) else ready.rows.filter(pa.array(keep_each))
                parquet.write_rows(rows, sizes_kept)
        info.parquet, info.webdataset = parquet.files, tars.files
        info.bytes = parquet.nbytes
        if info.records:
            splits[split] = info
    if not splits:
        raise SourceError("the dataset has no records", Where(dataset=entry.id, file=entry.data))
    summary = screener.finish().summary()  # finish() writes the findings file
    log.write_json("reports/screening.json", summary)
    records = sum(s.records for s in splits.values())
    comparison, differences = _compare(entry, records, sum(sizes.values()), languages)
    release = Release(
        dataset=entry.id, version=entry.version, repo_id=repo_id,
        record_type=entry.record_type, title=entry.title, license=entry.license,
        languages=entry.languages, modalities=list(entry.form["modalities"]), splits=splits,
        languages_found=dict(sorted(languages.items())), differences=differences,
        declared=comparison["declared"], found=comparison["found"],
        organisation=entry.form["organisation"],
        approval={"at": (entry.approval or {}).get("at", "")}, url=url, form=entry.form,
        fingerprint=source, screening=summary, history=history,
    )
    release.files = log.sorted()
    log.write_json(RELEASE_FILE, release.to_json())
    (work / SUMS_FILE).write_text(sha256sums(log.sorted()), encoding="utf-8")
    log.write_json(CROISSANT_FILE, croissant(release, entry, url=url))
    log.write_text(CARD_FILE, render(release, entry))
    return release
