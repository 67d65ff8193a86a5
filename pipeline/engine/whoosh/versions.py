"""What identifies a version of a Whoosh index, and work kept once per version (pipeline.versioned)."""

from __future__ import annotations

import functools
import weakref

from ... import versioned


def version(reader) -> tuple[tuple[str, int], ...]:
    """What identifies a version of an index: its segments (random ids) and their deletions."""
    # A reader reads one version all its life, and a query asks for it a hundred times.
    found = _READ.get(reader)
    if found is None:
        # An index with no segment yet (its first ingest is running) has a reader of no segment.
        found = _READ[reader] = tuple((leaf.segment().segment_id(), leaf.segment().deleted_count())
                                      for leaf, _ in reader.leaf_readers() if leaf.segment() is not None)
    return found


_READ: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


# Work kept per version of the index, for a Whoosh reader.
per_version = functools.partial(versioned.per_version, key=version)
