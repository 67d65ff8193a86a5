"""One ingest at a time: an advisory lock that dies with its process, so it is never stale."""

from __future__ import annotations

import fcntl
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from .errors import IndexingError

LOCK_NAME = ".ingest.lock"


@contextmanager
def ingest_lock(index_dir: Path, on_wait: Callable[[], None] | None = None) -> Iterator[None]:
    """Hold the ingest lock of index_dir; if another ingest holds it, call on_wait() and wait.

    flock() locks are released by the kernel when their process ends, even by `kill -9`, so a
    crashed ingest never blocks the next one.
    """
    try:
        index_dir.mkdir(parents=True, exist_ok=True)
        descriptor = os.open(index_dir / LOCK_NAME, os.O_CREAT | os.O_WRONLY, 0o644)
    except OSError as error:
        raise IndexingError(f"cannot write the index folder: {error.strerror}", index_dir,
                            hint="check its permissions, or pass --index DIR") from None
    try:
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            if on_wait:
                on_wait()
            fcntl.flock(descriptor, fcntl.LOCK_EX)
        yield
    finally:
        os.close(descriptor)  # closing releases the lock
