"""Records prepared in worker processes, handed back in input order.

The costly per-record work (parsing text lines, validation, personal-information
detection, language identification, media decoding and metadata stripping,
serialisation) depends on nothing but the record (:mod:`archive.prepare`), so ``N - 1``
processes do it while the main process reads, checks what depends on earlier records
(from each record's :class:`~archive.records.Head`) and writes, in order; when
every worker process is busy, the main process prepares the next batch itself, so
``N`` workers keep ``N`` cores busy without a third process contending for two cores.
The bytes of a release do not depend on the number of workers. At most
``2 * IN_FLIGHT * N`` batches are held, so memory stays bounded.
"""

from __future__ import annotations

import contextlib
import gc
import multiprocessing
import os
import sys
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from .errors import ArchiveError, ScreeningError, Where
from .features import arrow_schema
from .prepare import PreparedBatch, Preparer
from .readers import Line
from .records import Record
from .streamed import FileSlice

_PREPARER: Preparer | None = None


@dataclass(frozen=True)
class Engine:
    """Where records are prepared: ``local`` processes, or Ray (:mod:`archive.rayengine`)
    on a local instance or the cluster at ``address``. The bytes are the same for all."""

    workers: int = 1
    kind: Literal["local", "ray"] = "local"
    address: str | None = None
    progress: Callable[[int], None] | None = field(default=None, compare=False)
    """Told the number of records of each batch once it is prepared and used (the
    command line's progress bar)."""


IN_FLIGHT = 4
"""Batches waiting for or in each worker process."""

PIPE_BYTES = 1 << 20
"""Pipes to and from workers hold this much (Linux's default 64 KiB made a batch cross in
dozens of pieces, each waiting for the main process to hand its lock to the thread that
moves it)."""

SWITCH_SECONDS = 0.0001
"""While workers run, the main process's threads take turns this often (Python's default
5 ms left workers waiting for the threads that send and receive their batches)."""

LOCAL_BYTES = 64 * 1024**2
"""A batch of this many bytes (a huge record) is prepared in the main process: sent to a
worker, it and its results would be copied twice more (pickled, then unpickled)."""

ONE_PROCESS = Engine()
"""Prepare records in the calling process."""


Unit = Record | Line
"""What a batch holds: records, or lines a worker parses into records."""


def unit_bytes(unit: Unit, *, streamed: bool = False) -> int:
    """About how many bytes of memory a record (or a line) brings into a batch; a media
    file that streams (:mod:`archive.streamed`) brings none, or its size with
    ``streamed`` (a batch of them is then one file: their stripped copies wait on disk)."""
    if isinstance(unit, Line):
        return unit.size
    return (sum(len(m.data) for m in unit.media.values()
                if streamed or not isinstance(m.data, FileSlice))
            + sum(len(v) for v in unit.fields.values() if isinstance(v, str)))


def batch_error(dataset: str, batch: Sequence[Unit], exc: BaseException, where: str
                ) -> ScreeningError:
    """The error for a batch whose preparation failed (``where``: in which process)."""
    first, last = batch[0], batch[-1]
    return ScreeningError(
        f"screening failed in {where} on records {_name(first)} to {_name(last)}: "
        f"{type(exc).__name__}: {exc}",
        Where(dataset=dataset, file=first.origin.file, line=first.origin.line,
              record=first.key if isinstance(first, Record) else None),
        hint=None if where == HERE else "run with --workers 1 to screen in one process")


def _name(unit: Unit) -> str:
    return unit.key if isinstance(unit, Record) else str(unit.origin)  # not parsed yet


HERE = "the main process"


def _here(preparer: Preparer, dataset: str, batch: list[Unit]) -> PreparedBatch:
    """``preparer(batch)`` in this process, a failure named like a worker's."""
    try:
        return preparer(batch)
    except ArchiveError:
        raise
    except Exception as exc:
        raise batch_error(dataset, batch, exc, HERE) from exc


GC_THRESHOLD = 50_000
"""Allocations between collections of the youngest objects while records stream.
Python's default (700) made garbage collection 5% of a build: records allocate many
short-lived objects, and each pass also walked objects alive since the start."""


def collect_less() -> None:
    """For the rest of this process: collect garbage every :data:`GC_THRESHOLD`
    allocations, and never walk again the objects alive now (models, schemas)."""
    gc.freeze()
    gc.set_threshold(GC_THRESHOLD, *gc.get_threshold()[1:])


@contextlib.contextmanager
def fewer_collections() -> Iterator[None]:
    """:func:`collect_less` while the block runs (objects frozen by the caller before
    stay frozen; only then are none frozen here)."""
    before, frozen = gc.get_threshold(), gc.get_freeze_count()
    gc.set_threshold(GC_THRESHOLD, *before[1:])
    if not frozen:
        gc.freeze()
    try:
        yield
    finally:
        gc.set_threshold(*before)
        if not frozen:
            gc.unfreeze()


def _start(parent: int, *args: Any) -> None:
    global _PREPARER
    threading.Thread(target=_exit_with, args=(parent,), daemon=True).start()
    _PREPARER = Preparer(*args)
    collect_less()  # a worker process does nothing else


def _exit_with(parent: int) -> None:
    """A worker whose parent died (killed, say) exits instead of waiting forever."""
    while os.getppid() == parent:
        time.sleep(1.0)
    os._exit(1)


def _prepare(records: list[Unit]) -> PreparedBatch:
    assert _PREPARER is not None, "worker not started"
    return _PREPARER(records)


def prepared(batches: Iterator[list[Unit]], *, engine: Engine, dataset: str,
             record_type: str, languages: Sequence[str], policy: dict[str, Any] | None,
             serialise: bool = True, scratch: Path | None = None
             ) -> Iterator[PreparedBatch]:
    """Each batch's records prepared by the engine's workers, in order.

    With one local worker nothing is started: the batches are prepared here. A failure in
    a worker process is a :class:`ScreeningError` naming the records; on any error the
    batches not yet started are cancelled. Stripped copies of streamed media go into the
    folder ``scratch`` (:mod:`archive.streamed`).
    """
    args = (record_type, list(languages), policy,
            arrow_schema(record_type) if serialise else None, scratch)
    with fewer_collections():
        for ready in _prepared(batches, engine, dataset, args):
            yield ready
            if engine.progress is not None:
                engine.progress(len(ready.heads))


def _prepared(batches: Iterator[list[Unit]], engine: Engine, dataset: str,
              args: tuple[Any, ...]) -> Iterator[PreparedBatch]:
    if engine.kind == "ray":
        from .rayengine import ray_prepared

        yield from ray_prepared(batches, engine, dataset, args)
        return
    preparer = Preparer(*args)
    if engine.workers <= 1:
        for batch in batches:
            yield _here(preparer, dataset, batch)
        return
    helpers = engine.workers - 1  # this process is the last worker
    context = multiprocessing.get_context("spawn")  # no fork of a threaded process
    pool = ProcessPoolExecutor(helpers, mp_context=context, initializer=_start,
                               initargs=(os.getpid(), *args))
    _widen_pipes(pool)
    switch = sys.getswitchinterval()
    sys.setswitchinterval(SWITCH_SECONDS)
    try:
        pending: deque[tuple[list[Unit], Future[PreparedBatch] | PreparedBatch]] = deque()
        for batch in batches:
            while pending and _ready(pending[0][1]):
                yield _take(dataset, *pending.popleft())
            if (sum(not _ready(p) for _, p in pending) < IN_FLIGHT * helpers
                    and sum(map(unit_bytes, batch)) < LOCAL_BYTES):
                pending.append((batch, pool.submit(_prepare, batch)))
            else:  # every worker process is busy, or the batch is huge: prepare it here
                pending.append((batch, _here(preparer, dataset, batch)))
            if len(pending) >= 2 * IN_FLIGHT * engine.workers:
                yield _take(dataset, *pending.popleft())
        while pending:
            yield _take(dataset, *pending.popleft())
    except BaseException:
        pool.shutdown(wait=False, cancel_futures=True)
        raise
    finally:
        sys.setswitchinterval(switch)
    pool.shutdown(wait=True)


def _widen_pipes(pool: ProcessPoolExecutor) -> None:
    """Give the pool's pipes :data:`PIPE_BYTES` where the platform allows (Linux); a
    speed-up only, so anything else leaves them as they are."""
    try:
        import fcntl
    except ImportError:  # not a POSIX system
        return
    size = getattr(fcntl, "F_SETPIPE_SZ", None)
    queues = (getattr(pool, "_call_queue", None), getattr(pool, "_result_queue", None))
    for connection in (getattr(q, "_reader", None) for q in queues):
        if size is not None and connection is not None:
            with contextlib.suppress(OSError):
                fcntl.fcntl(connection.fileno(), size, PIPE_BYTES)


def _ready(prepared: Future[PreparedBatch] | PreparedBatch) -> bool:
    return not isinstance(prepared, Future) or prepared.done()


def _take(dataset: str, batch: list[Unit],
          prepared: Future[PreparedBatch] | PreparedBatch) -> PreparedBatch:
    if isinstance(prepared, Future):
        return _result(dataset, batch, prepared)
    return prepared


def _result(dataset: str, batch: list[Unit], future: Future[PreparedBatch]
            ) -> PreparedBatch:
    try:
        return future.result()
    except ArchiveError:  # a bad record, named by the worker
        raise
    except Exception as exc:
        raise batch_error(dataset, batch, exc, "a worker process") from exc
