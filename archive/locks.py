"""Advisory file locks, so two maintainers never build or publish the same dataset at once."""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from .errors import BusyError, Where


@contextmanager
def file_lock(path: Path, *, dataset: str, what: str) -> Iterator[None]:
    """Hold an exclusive lock on ``path``; fail at once, clearly, if someone else holds it.

    The lock file records the holder's process id, for the message.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 32, 0).decode("ascii", "replace").strip() or "?"
            raise BusyError(f"another run is {what} this dataset (process {holder})",
                            Where(dataset=dataset, file=path),
                            hint="wait for it to finish, then run again") from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        try:
            yield
        finally:
            os.ftruncate(fd, 0)
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)
