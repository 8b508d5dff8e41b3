"""Every error the archive raises, in one place.

Each error is an :class:`ArchiveError` and also a standard Python exception type,
and carries the fields a caller needs to say what failed and where: the dataset,
the file, the line or record, the JSON pointer of the failing field, what was
expected, and what to do next. ``str(error)`` is the one line the CLI prints.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class Where:
    """Where a problem is: any subset of dataset, file, line, record and pointer."""

    dataset: str | None = None
    file: str | Path | None = None
    line: int | None = None
    record: str | None = None
    pointer: str | None = None

    def __str__(self) -> str:
        parts = []
        if self.dataset:
            parts.append(f"dataset {self.dataset}")
        if self.file:
            loc = str(self.file)
            if self.line is not None:
                loc += f":{self.line}"
            parts.append(loc)
        elif self.line is not None:
            parts.append(f"line {self.line}")
        if self.record:
            parts.append(f"record {self.record}")
        if self.pointer is not None:
            parts.append(f"at {self.pointer or '/'}")
        return ", ".join(parts)


@dataclass
class ArchiveError(Exception):
    """Base of every archive error: a message, where it happened, and a hint."""

    message: str
    where: Where = field(default_factory=Where)
    hint: str | None = None

    def __post_init__(self) -> None:
        super().__init__(str(self))

    def __reduce__(self) -> tuple[type, tuple[str, Where, str | None]]:
        """Pickled whole (a worker process's error reaches the main process intact)."""
        return type(self), (self.message, self.where, self.hint)

    def __str__(self) -> str:
        where = str(self.where)
        text = f"{where}: {self.message}" if where else self.message
        if self.hint:
            text += f" ({self.hint})"
        return text


class FormError(ArchiveError, ValueError):
    """A partner's submission form is unreadable or breaks the form schema."""


class EntryError(ArchiveError, ValueError):
    """A dataset entry under ``datacards/`` is missing or inconsistent."""


class RecordError(ArchiveError, ValueError):
    """A partner's record is unreadable or breaks its record schema."""


class SourceError(ArchiveError, FileNotFoundError):
    """A partner's data file is missing, empty or of the wrong format."""


class RefusedError(ArchiveError, PermissionError):
    """The archive refuses to do this: not approved, private pathway, closed licence."""


class ScreeningError(ArchiveError, ValueError):
    """Screening held the release back (personal information, languages, media)."""


class CardError(ArchiveError, ValueError):
    """A dataset card is malformed or breaks the card rules."""


class HubError(ArchiveError, RuntimeError):
    """The hub could not be read or written."""


class ReleaseExistsError(HubError):
    """The version is already published; releases are immutable."""


class VerifyError(ArchiveError, ValueError):
    """A release does not match its checksums or recorded counts."""


class StorageError(ArchiveError, OSError):
    """The disk refused a write: full, over a size limit, or read-only."""


class BusyError(ArchiveError, RuntimeError):
    """Another maintainer's run holds the lock on this dataset."""


class SiteError(ArchiveError, RuntimeError):
    """The catalogue site cannot be built."""
