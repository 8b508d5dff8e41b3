"""The Ray engine: the same preparation of records on Ray actors, locally or on a cluster.

``archive build ID --engine ray`` starts a local Ray instance with ``--workers`` CPUs;
``--address auto`` (or ``ray://HEAD:10001``) joins a running cluster and uses every CPU
it has. Each actor holds one :class:`~archive.prepare.Preparer` (models loaded once)
and prepares whole batches: validation, screening and serialisation, the costly part
of a build. The driver reads the partner's files, checks what depends on the records
before (unique keys, duplicates) and writes the shards in order, so a Ray build has
the same bytes as a local one; at most two batches per actor are in flight.

Ray Core actors are used rather than Ray Data's readers: those are lenient where the
archive must be strict (NaN accepted, integers turned into floats beside a float, errors
without the file's name or line) and would not keep the record order that makes the bytes
reproducible.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator
from typing import Any

from .errors import ArchiveError
from .parallel import Engine, Unit, batch_error, collect_less
from .prepare import PreparedBatch, Preparer


class PreparerActor:
    """A Ray actor around one :class:`~archive.prepare.Preparer`."""

    def __init__(self, *args: Any) -> None:
        self.preparer = Preparer(*args)
        collect_less()

    def prepare(self, records: list[Unit]) -> PreparedBatch:
        return self.preparer(records)


def _ray() -> Any:
    try:
        import ray
    except ImportError:
        raise ArchiveError("the Ray engine needs Ray, which is not installed",
                           hint="pip install 'dataset-archive[ray]'") from None
    return ray


def ray_prepared(batches: Iterator[list[Unit]], engine: Engine, dataset: str,
                 args: tuple[Any, ...]) -> Iterator[PreparedBatch]:
    """Each batch's records prepared by Ray actors, in order."""
    ray = _ray()
    started = not ray.is_initialized()
    if started:
        ray.init(address=engine.address, include_dashboard=False, log_to_driver=False,
                 num_cpus=None if engine.address else max(1, engine.workers))
    try:
        cpus = int(ray.available_resources().get("CPU", 1)) if engine.address else 0
        count = max(1, cpus or engine.workers)
        actor = ray.remote(num_cpus=1)(PreparerActor)
        actors = [actor.remote(*args) for _ in range(count)]
        pending: deque[tuple[list[Unit], Any]] = deque()
        try:
            for number, batch in enumerate(batches):
                pending.append((batch, actors[number % count].prepare.remote(batch)))
                if len(pending) >= 2 * count:
                    yield _result(ray, dataset, *pending.popleft())
            while pending:
                yield _result(ray, dataset, *pending.popleft())
        finally:
            for each in actors:
                ray.kill(each)
    finally:
        if started:
            ray.shutdown()


def _result(ray: Any, dataset: str, batch: list[Unit], ref: Any
            ) -> PreparedBatch:
    try:
        return ray.get(ref)
    except ray.exceptions.RayError as exc:
        if isinstance(getattr(exc, "cause", None), ArchiveError):  # a bad record
            raise exc.cause from None
        raise batch_error(dataset, batch, exc, "a Ray worker") from exc
