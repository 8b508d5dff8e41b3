"""The screening stage: records in, screened records out, a verdict at the end.

``Screener.screen`` handles one record at a time and keeps no record: only
counts, a capped list of findings, 16-byte digests and MinHash signatures. It
never raises for what it finds unless the policy says ``fail_fast``; the verdict
comes from ``finish``, which the pipeline calls before it publishes anything.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from pathlib import Path

from ..records import Head, Record
from .analysis import Analyser, Analysis
from .duplicates import DuplicateIndex
from .findings import Finding
from .judge import Judgement, judge
from .policy import PAST, Policy
from .report import ScreeningReport
from .spans import Span


class Screener:
    """Screen one dataset's records against a policy.

    >>> screener = Screener(dataset_id="demo", record_type="text",
    ...                     declared_languages=["en"], policy=Policy.from_dict(None))
    """

    def __init__(self, *, dataset_id: str, record_type: str,
                 declared_languages: Sequence[str] = (), policy: Policy | None = None,
                 report_path: str | Path | None = None,
                 db: sqlite3.Connection | None = None) -> None:
        self.dataset_id = dataset_id
        self.record_type = record_type
        self.policy = policy or Policy()
        self.report_path = report_path
        self.report = ScreeningReport(dataset_id, record_type, list(declared_languages),
                                      self.policy)
        self.analyser = Analyser(record_type, declared_languages, self.policy)
        self.languages = self.analyser.languages
        self.report.unsupported_languages = self.languages.unsupported
        self.duplicates = DuplicateIndex(near_threshold=self.policy.near_threshold, db=db)

    def _add(self, record: Record | Head, field: str, kind: str, excerpt: str, action: str,
             span: Span | None = None) -> None:
        finding = Finding(record.key, field, kind, span.start if span else None,
                          span.end if span else None, excerpt, action, str(record.origin))
        self.report.add(finding, record.origin)
        if action == "blocked" and self.policy.fail_fast:
            raise self._error()

    def _error(self) -> Exception:
        if self.report_path:
            self.report.write(self.report_path)
        return self.report.error(self.report_path)

    def screen_many(self, records: list[Record],
                    analyses: list[Analysis] | None = None) -> list[Record | None]:
        """:meth:`screen` for a batch of records, in order. ``analyses`` are the records'
        :class:`Analysis`, if made elsewhere (in worker processes); else they are made here,
        for the whole batch at once."""
        analyses = analyses if analyses is not None else self.analyser.analyse(records)
        return [self.screen(r, a) for r, a in zip(records, analyses, strict=True)]

    def screen(self, record: Record, analysis: Analysis | None = None) -> Record | None:
        """The record as it may be published (redacted, media stripped), or ``None`` when
        the policy drops it."""
        analysis = analysis or self.analyser.analyse([record])[0]
        judgement = judge(record, analysis, self.policy)
        return judgement.record if self.keeps(record, analysis, judgement) else None

    def keeps(self, record: Record, analysis: Analysis, judgement: Judgement) -> bool:
        """Count what screening found in ``record`` (its analysis and judgement, made on
        its own, maybe in a worker process), check it against the records before it, and
        say whether it is published."""
        return self.keeps_many([record], [analysis], [judgement])[0]

    def keeps_many(self, records: Sequence[Record | Head], analyses: Sequence[Analysis],
                   judgements: Sequence[Judgement]) -> list[bool]:
        """:meth:`keeps` for a batch, in order; the duplicate indexes are asked once."""
        exact = self.duplicates.seen_exact_many([a.digest for a in analyses])
        near = self.duplicates.near_many(
            [r.key for r in records],
            [a.minhash if not e and j.drop_kind is None else None
             for a, j, e in zip(analyses, judgements, exact, strict=True)])
        return [self._keeps(*each) for each in zip(records, analyses, judgements, exact, near,
                                                   strict=True)]

    def _keeps(self, record: Record | Head, analysis: Analysis, judgement: Judgement, exact: bool,
               near: tuple[str, float] | None) -> bool:
        report = self.report
        report.records["screened"] += 1
        if exact:
            report.duplicates["exact"] += 1
            action = self.policy.exact_duplicates
            self._add(record, "", "exact_duplicate", "same content as an earlier record",
                      PAST[action])
            if action == "drop":
                return self._drop("exact_duplicate")
        report.media["checked"] += judgement.media_checked
        report.media["broken"] += judgement.media_broken
        for removed in judgement.stripped:
            report.media["stripped"] += 1
            report.count_stripped(removed)
        for field, kind, excerpt, action, span in judgement.findings:
            self._add(record, field, kind, excerpt, action, span)
        drop_kind = judgement.drop_kind
        if near is not None:
            report.duplicates["near"] += 1
            action = self.policy.near_duplicates
            self._add(record, "", "near_duplicate",
                      f"similar to record {near[0]} (Jaccard {near[1]:.2f})", PAST[action])
            if action == "drop":
                drop_kind = "near_duplicate"
        if drop_kind is not None:
            return self._drop(drop_kind)
        self._count_language(analysis.language)
        report.records["returned"] += 1
        report.records["redacted"] += judgement.redacted
        return True

    def _drop(self, kind: str) -> bool:
        self.report.records["dropped"] += 1
        self.report.dropped_by[kind] += 1
        return False

    def _count_language(self, known: tuple[str | None, bool]) -> None:
        code, declared = known
        if code is None:
            self.report.undetermined += 1
            return
        self.report.languages[code] += 1
        if not declared:
            self.report.undeclared_by[code] += 1

    def finish(self) -> ScreeningReport:
        """The report; raises :class:`~archive.errors.ScreeningError` when the release is
        held. Writes the findings to ``report_path`` first, if one was given."""
        if self.report_path:
            self.report.write(self.report_path)
        if self.report.blocked:
            raise self.report.error(self.report_path)
        return self.report
