"""One ingest at a time: an advisory lock that dies with its process, so it is never stale."""

from __future__ import annotations

import fcntl
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from .errors import IndexingError

LOCK_NAME = ".ingest.lock"

# Descriptors of the locks this process holds. A forked worker closes its copies at once: flock()
# locks belong to the open file, so a copy left open in a worker would keep the lock held.
_held: set[int] = set()


@contextmanager
def ingest_lock(index_dir: Path, on_wait: Callable[[], None] | None = None) -> Iterator[None]:
    """Hold the ingest lock of index_dir; if another ingest holds it, call on_wait() and wait.

    flock() locks are released by the kernel when their process ends, even by `kill -9`, so a
    crashed ingest never blocks the next one.
    """
    try:
        index_dir.mkdir(parents=True, exist_ok=True)
        descriptor = os.open(index_dir / LOCK_NAME, os.O_CREAT | os.O_WRONLY | os.O_CLOEXEC, 0o644)
    except OSError as error:
        raise IndexingError(f"cannot write the index folder: {error.strerror}", index_dir,
                            hint="check its permissions, or pass --index DIR") from None
    _held.add(descriptor)
    try:
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            if on_wait:
                on_wait()
            fcntl.flock(descriptor, fcntl.LOCK_EX)
        yield
    finally:
        _held.discard(descriptor)
        os.close(descriptor)  # closing releases the lock


def _close_in_child() -> None:
    """In a forked child: close the copies of the held locks' descriptors (the parent keeps the locks)."""
    for descriptor in _held:
        try:
            os.close(descriptor)
        except OSError:
            pass
    _held.clear()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_close_in_child)
