"""Screening analysis in worker processes, handed back in input order.

The costly per-record work of screening (personal-information detection, language
identification, media decoding and metadata stripping) is an
:class:`~archive.screening.analysis.Analysis` that depends on nothing but the record, so
``N`` processes make them while the main process reads, applies the policy and writes in
order: the bytes of a release do not depend on the number of workers. At most
``2 * N`` batches are in flight, so memory stays bounded.
"""

from __future__ import annotations

import multiprocessing
from collections import deque
from collections.abc import Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from typing import Any

from .records import Record
from .screening import Policy
from .screening.analysis import Analyser, Analysis

_ANALYSER: Analyser | None = None


def _start(record_type: str, languages: Sequence[str], policy: dict[str, Any] | None) -> None:
    global _ANALYSER
    _ANALYSER = Analyser(record_type, languages, Policy.from_dict(policy))


def _analyse(records: list[Record]) -> list[Analysis]:
    assert _ANALYSER is not None, "worker not started"
    return _ANALYSER.analyse(records)


def analysed(batches: Iterator[list[Record]], *, workers: int, record_type: str,
             languages: Sequence[str], policy: dict[str, Any] | None
             ) -> Iterator[tuple[list[Record], list[Analysis] | None]]:
    """Each batch with its analyses made by ``workers`` processes, in order.

    With one worker nothing is started and the analyses are ``None`` (the screener makes
    them itself).
    """
    if workers <= 1:
        for batch in batches:
            yield batch, None
        return
    context = multiprocessing.get_context("spawn")  # no fork of a threaded process
    with ProcessPoolExecutor(workers, mp_context=context, initializer=_start,
                             initargs=(record_type, list(languages), policy)) as pool:
        pending: deque[tuple[list[Record], Future[list[Analysis]]]] = deque()
        for batch in batches:
            pending.append((batch, pool.submit(_analyse, batch)))
            if len(pending) >= 2 * workers:
                done, future = pending.popleft()
                yield done, future.result()
        while pending:
            done, future = pending.popleft()
            yield done, future.result()
