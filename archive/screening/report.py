"""The screening report: counts for the card, findings for the maintainer, and the verdict.

Memory is bounded: findings are kept up to the policy's ``max_findings`` (the
totals count them all) and counts by field use pointers with array indices
generalised (``/turns/*/text``), up to ``MAX_FIELDS`` distinct fields.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path
from typing import Any

from ..diskio import write_atomic
from ..errors import ScreeningError, Where
from ..records import Origin
from .fields import generalise
from .findings import Finding
from .policy import Policy

MAX_FIELDS = 1000
OTHER_FIELDS = "(other fields)"
MAX_TAGS = 500
OTHER_TAGS = "(other tags)"
_TAG_NAME = re.compile(r"^[A-Za-z0-9:_. -]{1,48}$")


class ScreeningReport:
    """What screening found in one dataset, and whether it holds the release."""

    def __init__(self, dataset_id: str, record_type: str, declared_languages: list[str],
                 policy: Policy) -> None:
        self.dataset_id = dataset_id
        self.record_type = record_type
        self.declared_languages = declared_languages
        self.policy = policy
        self.findings: list[Finding] = []
        self.total_findings = 0
        self.by_kind: Counter[str] = Counter()
        self.by_field: Counter[str] = Counter()
        self.by_action: Counter[str] = Counter()
        self.records = Counter({"screened": 0, "returned": 0, "dropped": 0, "redacted": 0})
        self.dropped_by: Counter[str] = Counter()
        self.languages: Counter[str] = Counter()
        self.undetermined = 0
        self.undeclared_by: Counter[str] = Counter()
        self.unsupported_languages: list[str] = []
        self.duplicates = Counter({"exact": 0, "near": 0})
        self.media = Counter({"checked": 0, "broken": 0, "stripped": 0})
        self.stripped_tags: Counter[str] = Counter()
        self.blocking = 0
        self.first_blocking: tuple[Finding, Origin | None] | None = None

    def add(self, finding: Finding, origin: Origin | None = None) -> None:
        """Count a finding and keep it if the list is not full."""
        self.total_findings += 1
        self.by_kind[finding.kind] += 1
        self.by_action[finding.action] += 1
        field = generalise(finding.field) if finding.field else "/"
        if field in self.by_field or len(self.by_field) < MAX_FIELDS:
            self.by_field[field] += 1
        else:
            self.by_field[OTHER_FIELDS] += 1
        if len(self.findings) < self.policy.max_findings:
            self.findings.append(finding)
        if finding.action == "blocked":
            self.blocking += 1
            if self.first_blocking is None:
                self.first_blocking = (finding, origin)

    def count_stripped(self, names: list[str]) -> None:
        """Count the names of metadata stripped from one file (each name once per file).

        A name that does not look like a tag name (tags can be named anything) is
        counted under its format only, so no free text reaches the summary."""
        for name in set(names):
            if not _TAG_NAME.match(name):
                name = name.split(":", 1)[0] + ":(unusual tag name)"
            if name in self.stripped_tags or len(self.stripped_tags) < MAX_TAGS:
                self.stripped_tags[name] += 1
            else:
                self.stripped_tags[OTHER_TAGS] += 1

    @property
    def determined(self) -> int:
        """Records whose language was determined."""
        return sum(self.languages.values())

    @property
    def undeclared(self) -> int:
        """Determined records in a language that was not declared."""
        return sum(self.undeclared_by.values())

    @property
    def undeclared_share(self) -> float:
        """Share of determined records in a language that was not declared."""
        return self.undeclared / self.determined if self.determined else 0.0

    @property
    def language_held(self) -> bool:
        """True when too many records are in undeclared languages (all of them identifiable)."""
        return (not self.unsupported_languages
                and self.undeclared_share > self.policy.max_undeclared_share)

    @property
    def blocked(self) -> bool:
        """True when the release must not be published."""
        return self.blocking > 0 or self.language_held

    def summary(self) -> dict[str, Any]:
        """JSON-safe counts, shares and the policy used; never a found value."""
        determined = self.determined
        return {
            "dataset": self.dataset_id,
            "record_type": self.record_type,
            "blocked": self.blocked,
            "counts": {
                "records_screened": self.records["screened"],
                "records_published": self.records["returned"],
                "records_dropped": self.records["dropped"],
                "records_redacted": self.records["redacted"],
                "findings": self.total_findings,
                "exact_duplicates": self.duplicates["exact"],
                "near_duplicates": self.duplicates["near"],
                "media_checked": self.media["checked"],
                "media_metadata_stripped": self.media["stripped"],
                "undeclared_language_share": round(self.undeclared_share, 4),
            },
            "records": dict(self.records),
            "dropped_by": dict(sorted(self.dropped_by.items())),
            "findings": {
                "total": self.total_findings,
                "kept": len(self.findings),
                "blocking": self.blocking,
                "by_kind": dict(sorted(self.by_kind.items())),
                "by_field": dict(sorted(self.by_field.items())),
                "by_action": dict(sorted(self.by_action.items())),
            },
            "language": {
                "declared": list(self.declared_languages),
                "detected": {code: round(n / determined, 4)
                             for code, n in self.languages.most_common()},
                "determined": determined,
                "undetermined": self.undetermined,
                "undeclared": self.undeclared,
                "undeclared_by_language": dict(self.undeclared_by.most_common()),
                "undeclared_share": round(self.undeclared_share, 4),
                "max_undeclared_share": self.policy.max_undeclared_share,
                "not_detectable": self.unsupported_languages,
                "held": self.language_held,
            },
            "duplicates": {
                "exact": self.duplicates["exact"], "near": self.duplicates["near"],
                "exact_action": self.policy.exact_duplicates,
                "near_action": self.policy.near_duplicates,
                "near_threshold": self.policy.near_threshold,
            },
            "media": {**dict(self.media),
                      "stripped_tags": dict(sorted(self.stripped_tags.items()))},
            "policy": self.policy.to_dict(),
        }

    def write(self, path: str | Path) -> Path:
        """Write the kept findings as JSON Lines (masked excerpts only); return the path."""
        path = Path(path)
        write_atomic(path, "".join(json.dumps(f.to_dict(), ensure_ascii=False, sort_keys=True)
                                   + "\n" for f in self.findings))
        return path

    def error(self, report_path: str | Path | None = None) -> ScreeningError:
        """The error that holds the release, naming the first blocking finding."""
        see = f"the full report is at {report_path}" if report_path else (
            "run the screening with a report path to list every finding")
        if self.first_blocking is not None:
            finding, origin = self.first_blocking
            others = self.blocking - 1
            message = (f"screening held the release: {finding.kind} {finding.excerpt}"
                       + (f" and {others} more blocking finding{'s' * (others > 1)}"
                          if others else ""))
            if self.language_held:
                message += f"; {self._language_message()}"
            file, line = _origin_parts(origin)
            hint = (f"{_advice(finding.kind)}; {see}")
            return ScreeningError(message, Where(dataset=self.dataset_id, file=file, line=line,
                                                 record=finding.record, pointer=finding.field),
                                  hint=hint)
        return ScreeningError(f"screening held the release: {self._language_message()}",
                              Where(dataset=self.dataset_id),
                              hint="declare the languages the data is in, or raise "
                                   f"screening.language.max_undeclared_share; {see}")

    def _language_message(self) -> str:
        listing = ", ".join(f"{c}: {n}" for c, n in self.undeclared_by.most_common(5))
        return (f"{self.undeclared_share:.1%} of records ({self.undeclared} of "
                f"{self.determined}) are in undeclared languages ({listing}), more than "
                f"{self.policy.max_undeclared_share:.0%}")


def _origin_parts(origin: Origin | None) -> tuple[str | None, int | None]:
    if origin is None:
        return None, None
    if origin.member is not None:
        return f"{origin.file}[{origin.member}]", None
    return origin.file, origin.line


def _advice(kind: str) -> str:
    if kind in ("broken_media", "mislabelled_media", "media_metadata"):
        return "replace the file with a sound one, or remove the record"
    if kind in ("exact_duplicate", "near_duplicate"):
        return "remove the duplicates, or set screening.duplicates to drop or report"
    return (f"remove it from the partner's data, or set screening.pii.{kind} to redact or drop "
            "in the entry")

