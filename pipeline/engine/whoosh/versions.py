"""Work done once per version of the index, whichever searcher asks.

Every ingest commit makes a new version; the web reader opens one searcher per thread on it.
What is computed from a version (its vocabulary, its Arabic root families, spelling
corrections) is the same for all of them, so it is kept per version rather than per reader,
and each thread reads with its own reader (Whoosh's readers are not shared between threads).
"""

from __future__ import annotations

import functools
import threading
import weakref
from collections import OrderedDict

# How many versions each cache keeps (the newest; a server moves to a new one after an ingest).
VERSIONS = 4


def version(reader) -> tuple[tuple[str, int], ...]:
    """What identifies a version of an index: its segments (random ids) and their deletions."""
    # A reader reads one version all its life, and a query asks for it a hundred times.
    found = _READ.get(reader)
    if found is None:
        found = _READ[reader] = tuple((leaf.segment().segment_id(), leaf.segment().deleted_count())
                                      for leaf, _ in reader.leaf_readers())
    return found


_READ: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def per_version(size: int = 1):
    """Remember function(reader, *args) per version of reader's index and args: at most size
    entries per version, the most recently used kept."""

    def decorate(function):
        caches: OrderedDict[tuple, OrderedDict] = OrderedDict()
        lock = threading.Lock()

        @functools.wraps(function)
        def remembered(reader, *args):
            key = version(reader)
            with lock:
                cache = caches.pop(key, None) or OrderedDict()
                caches[key] = cache
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
