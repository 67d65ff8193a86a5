"""Files on disk: atomic writes, stamps that tell without reading them that files did not change,
and a cache of what takes a one-off command too long to work out.

A write goes to a temporary file renamed over the target: a crash, Ctrl-C or `kill -9` leaves the
old file or the new one, never a torn one, and at worst a temporary file, which the next run
removes (remove_stale_temporaries).
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import pickle
import re
import stat
import tempfile
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import TypeVar

from .errors import PipelineError

T = TypeVar("T")

# write_file's `expected` when the file on disk is not compared before it is replaced.
UNCHECKED = object()


class FileChangedError(PipelineError):
    """A file changed on disk (someone saved it) between being read and being replaced."""


def write_file(path: Path, data: bytes, durable: bool | None = None, expected: bytes | None | object = UNCHECKED) -> None:
    """Write data atomically: to a temporary file beside path, then rename it over path.

    durable: flush the data to disk before the rename, so that even a power cut leaves the old
    file or the new one (default: when path exists, since the old file may hold a translator's
    work; a file created from the sources alone is simply made again if a power cut empties it).
    expected: the bytes path held when it was read (None: it did not exist). Right before the
    rename, path is compared with them, and a FileChangedError is raised instead of replacing a
    file someone saved in the meantime (or that became a link).
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    exists = path.exists()
    mode = path.stat().st_mode & 0o777 if exists else _default_mode()
    descriptor, temporary = _temporary_beside(path)
    try:
        # Closed only after the rename: its lock tells remove_stale_temporaries it is being written.
        with os.fdopen(descriptor, "wb") as out:
            out.write(data)
            out.flush()
            if exists if durable is None else durable:
                os.fsync(out.fileno())
            os.fchmod(out.fileno(), mode)
            if expected is not UNCHECKED:
                still_as_read(path, expected)
            os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def still_as_read(path: Path, expected: bytes | None) -> None:
    """Raise FileChangedError unless path holds exactly expected (None: does not exist), as a
    regular file (a link or a FIFO put in its place is never replaced)."""
    try:
        descriptor = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOFOLLOW", 0))
    except FileNotFoundError:
        if expected is None:
            return
        raise FileChangedError("was removed while it was being updated", path) from None
    except OSError as error:
        raise FileChangedError(f"changed while it was being updated ({error.strerror})", path) from None
    status = os.fstat(descriptor)
    if not stat.S_ISREG(status.st_mode):
        os.close(descriptor)
        raise FileChangedError("is no longer a regular file", path)
    with os.fdopen(descriptor, "rb") as file:
        same = expected is not None and status.st_size == len(expected) and file.read() == expected
    if not same:
        raise FileChangedError("was saved by someone else while it was being updated", path)


# The names of write_file's temporary files: `.<name>.<eight random characters>.tmp` (mkstemp's).
_TEMPORARY = re.compile(r"\..+\.[a-z0-9_]{8}\.tmp")


def _temporary_beside(path: Path) -> tuple[int, str]:
    """A new temporary file beside path, open and locked (flock) for as long as it is being written."""
    while True:
        descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
        fcntl.flock(descriptor, fcntl.LOCK_EX)
        if os.fstat(descriptor).st_nlink:
            return descriptor, temporary
        os.close(descriptor)  # removed as stale between its making and its locking: make another


def remove_stale_temporaries(folder: Path) -> list[Path]:
    """Remove the temporary files of writes that never finished (`kill -9`, a power cut) under folder.

    A file another process is still writing is locked, and left alone.
    """
    removed = []
    for root, _, names in os.walk(folder):
        for name in names:
            if name.endswith(".tmp") and _TEMPORARY.fullmatch(name) and _remove_unlocked(os.path.join(root, name)):
                removed.append(Path(root, name))
    return sorted(removed)


def _remove_unlocked(path: str) -> bool:
    """Remove a regular file nobody holds a lock on; whether it was removed."""
    try:
        descriptor = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
    except OSError:
        return False
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        held = os.fstat(descriptor)
        named = os.lstat(path)
        if not stat.S_ISREG(held.st_mode) or (held.st_ino, held.st_dev) != (named.st_ino, named.st_dev):
            return False
        os.unlink(path)  # while locked: a writer that locks it after this sees it gone
        return True
    except OSError:  # BlockingIOError: it is being written
        return False
    finally:
        os.close(descriptor)


def cached(name: str, key: bytes, kind: type[T], make: Callable[[], T], keep: int = 8) -> T:
    """make(), kept pickled in the user's cache folder under name and a digest of key (trusted as
    Python's own bytecode cache is), and read from there while key is the same.

    A missing, damaged or unwritable cache only costs make's time. Of the files of one name, the
    keep most recently written stay.
    """
    folder = cache_folder()
    path = folder / f"{name}-{hashlib.sha256(key).hexdigest()[:16]}.pickle"
    try:
        value = pickle.loads(path.read_bytes())
        if isinstance(value, kind):
            return value
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError, IndexError, TypeError,
            ValueError):
        pass
    value = make()
    try:
        write_file(path, pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL))
        written = sorted(folder.glob(f"{name}-*.pickle"), key=lambda older: older.stat().st_mtime_ns, reverse=True)
        for older in written[keep:]:
            older.unlink(missing_ok=True)
    except OSError:
        pass
    return value


def cache_folder() -> Path:
    """The user's cache folder for this program (`$XDG_CACHE_HOME/medref-pipeline`)."""
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "medref-pipeline"


def _default_mode() -> int:
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


# A file whose times are this close to the moment it was examined may still change within its file
# system's timestamp granularity (two seconds on FAT) without its times showing it.
SETTLE_NS = 2_000_000_000

Stats = tuple  # (path, size, mtime_ns, ctime_ns, inode), or (path,) for a missing file


def file_stats(paths: Iterable[Path]) -> list[Stats]:
    """The size, modification and change times and inode of each file, or that it is missing."""
    stats = []
    for path in paths:
        try:
            st = os.stat(path)
        except FileNotFoundError:
            stats.append((str(path),))
        else:
            stats.append((str(path), st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino))
    return stats


def stamp(stats: Sequence[Stats]) -> str:
    """A short digest of file_stats: equal stamps mean the files were not touched, with no need to read them."""
    return hashlib.blake2b(repr(list(stats)).encode("utf-8", "surrogateescape"), digest_size=16).hexdigest()


def settled(stats: Sequence[Stats], examined_ns: int) -> bool:
    """Whether every file was last touched well before examined_ns (the time.time_ns() before file_stats).

    Only then may a stamp stand in for the files' contents: a file changed just before it was
    examined could change again within the same clock tick, leaving the same stamp.
    """
    return all(len(s) == 1 or max(s[2], s[3]) < examined_ns - SETTLE_NS for s in stats)
