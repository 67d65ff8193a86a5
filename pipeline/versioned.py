"""Work done once per version of an index, whichever reader asks.

Every ingest commit makes a new version; the web reader reads it with one reader per thread.
What is computed from a version (its vocabulary, its Arabic root families, spelling corrections)
is the same for all of them, so it is kept per version rather than per reader, keyed by what
identifies the version (engine.Reader.version), never by a reader: a cache holds no reader, so an
old version's files are closed once its readers are.
"""

from __future__ import annotations

import functools
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable

# How many versions each cache keeps (the newest; a server moves to a new one after an ingest).
VERSIONS = 4


def _version_of(reader) -> Hashable:
    return reader.version


def per_version(size: int = 1, key: Callable[[object], Hashable] = _version_of):
    """Remember function(reader, *args) per version of reader's index (key(reader)) and args: at
    most size entries per version, the most recently used kept."""

    def decorate(function):
        caches: OrderedDict[tuple, OrderedDict] = OrderedDict()
        lock = threading.Lock()

        @functools.wraps(function)
        def remembered(reader, *args):
            found = key(reader)
            with lock:
                cache = caches.pop(found, None) or OrderedDict()
                caches[found] = cache
                while len(caches) > VERSIONS:
                    caches.popitem(last=False)
                if args in cache:
                    cache.move_to_end(args)
                    return cache[args]
            value = function(reader, *args)  # outside the lock: two threads may both compute it
            with lock:
                cache[args] = value
                while len(cache) > size:
                    cache.popitem(last=False)
            return value

        return remembered

    return decorate
