"""Work done once per version of an index, whichever reader asks.

Every ingest commit makes a new version; the web reader reads it with one reader per thread.
What is computed from a version (its vocabulary, its Arabic root families, spelling corrections,
the postings a query scored) is the same for all of them, so it is kept per version rather than
per reader. Every such cache belongs to its version's entry here, keyed by what identifies the
version (engine.Reader.version), never by a reader: nothing kept holds a reader, so an old
version's files are closed once its readers are, and its caches go together when it is among
the oldest.
"""

from __future__ import annotations

import functools
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable

# How many versions are kept (the newest; a server moves to a new one after an ingest).
VERSIONS = 4

# version -> {cache's function -> its entries (args -> value), the most recently used last}
_versions: OrderedDict[Hashable, dict[Callable, OrderedDict]] = OrderedDict()
_lock = threading.Lock()


def _version_of(reader) -> Hashable:
    return reader.version


def per_version(size: int = 1, key: Callable[[object], Hashable] = _version_of):
    """Remember function(reader, *args) per version of reader's index (key(reader)) and args: at
    most size entries per version, the most recently used kept."""

    def decorate(function):
        @functools.wraps(function)
        def remembered(reader, *args):
            cache = _cache(key(reader), remembered)
            with _lock:
                if args in cache:
                    cache.move_to_end(args)
                    return cache[args]
            value = function(reader, *args)  # outside the lock: two threads may both compute it
            with _lock:
                cache[args] = value
                while len(cache) > size:
                    cache.popitem(last=False)
            return value

        return remembered

    return decorate


def _cache(version: Hashable, function: Callable) -> OrderedDict:
    """function's entries for a version, the version marked as the most recently used."""
    with _lock:
        caches = _versions.pop(version, None) or {}
        _versions[version] = caches
        while len(_versions) > VERSIONS:
            _versions.popitem(last=False)
        return caches.setdefault(function, OrderedDict())
