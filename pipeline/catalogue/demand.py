"""What readers looked for and could not read in their language: counts for `catalog todo --by-demand`.

When a reader searches in a locale (`pipeline search --lang ar`, the web reader in Arabic) and
one of the best hits is shown untranslated (status `fallback` or `partial`), its section gains
one count for that locale. Only these aggregate counts are kept: no query text, no time, no
address, nothing about the reader. They live in one JSON file beside the index
(`<index>/demand.json`), written atomically under a lock, so that concurrent searches (the web
reader's threads, several processes) lose no count.
"""

from __future__ import annotations

import fcntl
import json
import logging
import os
import threading
from collections.abc import Iterable
from contextlib import contextmanager
from pathlib import Path

from ..files import write_file
from ..model import FALLBACK, PARTIAL

log = logging.getLogger(__name__)

DEMAND_FILE = "demand.json"
VERSION = 1
# The hits a reader is taken to have looked at: the first screen.
TOP = 3
_UNREAD = frozenset({FALLBACK, PARTIAL})
_thread_lock = threading.Lock()


def demand_path(index_dir: Path) -> Path:
    """Where the counts of an index live."""
    return index_dir / DEMAND_FILE


def record_demand(hits: Iterable, locale: str | None, index_dir: Path, top: int = TOP) -> int:
    """Count, for locale, the sections among the top hits a reader was shown untranslated.

    hits: the search's hits, best first (anything with `article`, `section` and `status`).
    locale: the locale the reader asked for (None: no locale asked for, nothing counted).
    Returns how many sections were counted. A failure to write is logged, never raised: a search
    must not fail for its statistics.
    """
    counts = DemandCounts(index_dir)
    counted = counts.record(hits, locale, top)
    counts.flush()
    return counted


class DemandCounts:
    """Counts kept in memory and added to the index's demand file when batch of them are waiting,
    and when flushed (a server records every search, and rewrites the file once a batch)."""

    def __init__(self, index_dir: Path, batch: int = 1):
        self.path = demand_path(index_dir)
        self.batch = batch
        self._waiting: dict[str, dict[str, int]] = {}
        self._count = 0
        self._lock = threading.Lock()

    def record(self, hits: Iterable, locale: str | None, top: int = TOP) -> int:
        """Count the sections among the top hits shown untranslated in locale (see record_demand)."""
        if not locale:
            return 0
        keys = [f"{hit.article}#{hit.section}" for hit in list(hits)[:top] if hit.status in _UNREAD]
        if not keys:
            return 0
        with self._lock:
            by_section = self._waiting.setdefault(locale, {})
            for key in keys:
                by_section[key] = by_section.get(key, 0) + 1
            self._count += len(keys)
            full = self._count >= self.batch
        if full:
            self.flush()
        return len(keys)

    def flush(self) -> None:
        """Add the waiting counts to the file (a failure to write is logged, and the counts dropped)."""
        with self._lock:
            waiting, self._waiting, self._count = self._waiting, {}, 0
        if not waiting:
            return
        try:
            with _locked(self.path):
                counts = read_demand(self.path)
                for locale, sections in waiting.items():
                    by_section = counts.setdefault(locale, {})
                    for key, count in sections.items():
                        by_section[key] = by_section.get(key, 0) + count
                data = {"version": VERSION, "locales": counts}
                write_file(self.path, (json.dumps(data, ensure_ascii=False, sort_keys=True, indent=1) + "\n")
                           .encode("utf-8"), durable=False)
        except OSError as error:
            log.warning("%s: demand counts not written: %s", self.path, error.strerror or error)


def read_demand(path: Path) -> dict[str, dict[str, int]]:
    """locale -> `article#section` -> count, from a demand file ({} when there is none or it is damaged)."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    locales = data.get("locales") if isinstance(data, dict) else None
    if not isinstance(locales, dict):
        return {}
    return {locale: {key: count for key, count in sections.items() if isinstance(count, int) and count > 0}
            for locale, sections in locales.items() if isinstance(sections, dict)}


def section_demand(index_dir: Path, locale: str) -> dict[tuple[str, str], int]:
    """(article, section) -> how many searches in locale showed it untranslated among the best hits."""
    counts = read_demand(demand_path(index_dir)).get(locale, {})
    found = {}
    for key, count in counts.items():
        article, _, section = key.rpartition("#")
        found[(article, section)] = count
    return found


@contextmanager
def _locked(path: Path):
    """Hold the demand file's lock (a lock file beside it), across threads and processes."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with _thread_lock:
        descriptor = os.open(path.with_name(f".{path.name}.lock"), os.O_CREAT | os.O_WRONLY | os.O_CLOEXEC, 0o644)
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX)
            yield
        finally:
            os.close(descriptor)
