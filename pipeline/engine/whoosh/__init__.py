"""The embedded engine: a Whoosh index in a folder, the default. The only package that imports Whoosh.

index.py writes it (schema, manifest, atomic commits, worker segments), reader.py reads a version
of it, scorer.py and codec.py score from its postings faster than Whoosh's matchers do, and
internals.py names the private parts of Whoosh all of that relies on.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from .. import IndexedArticle, Scoring
from . import index

SCORING = Scoring()


class WhooshEngine:
    """An index in a folder (engine.Engine)."""

    name = "whoosh"
    builds_parts = True

    def __init__(self, folder: Path, scoring: Scoring = SCORING):
        self.folder = Path(folder)
        self.location = str(self.folder)
        self.scoring = scoring

    def exists(self) -> bool:
        """Whether the folder holds a committed index of this version."""
        return index.generation(self.folder) >= 0

    def known_articles(self) -> tuple[dict[str, IndexedArticle], bool]:
        """Every article indexed with its state, and whether the manifest said so."""
        return index.known_articles(self.folder)

    def write_manifest(self, articles: Iterable[IndexedArticle]) -> None:
        """Record what the latest generation holds."""
        index.write_manifest(self.folder, articles)

    def writer(self) -> index.IndexWriter:
        """A writer of the next generation, creating the index when there is none."""
        return index.IndexWriter(index.open_or_create(self.folder))

    def part_builder(self) -> index.SegmentBuilder:
        """A segment for a worker process (the index must exist: writer() makes it)."""
        return index.SegmentBuilder(index.open_index(self.folder))

    def reader(self):
        """A reader of the latest generation; IndexingError when there is no index."""
        from .reader import WhooshReader

        return WhooshReader(index.open_index(self.folder), self.scoring)
