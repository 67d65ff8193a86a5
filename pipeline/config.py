"""The run's settings, validated once and passed down."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

DEFAULT_MAX_BYTES = 5 * 1024 * 1024


@dataclass(frozen=True)
class Config:
    """Where the pipeline reads and writes.

    sources: folder of source articles (read only).
    locales: folder of catalogues (`templates/*.pot`, `<locale>/LC_MESSAGES/*.po`).
    index: folder of the Whoosh index.
    max_bytes: source files larger than this are refused.
    jobs: processes that parse, sync catalogues and index at once (0: one per core; 1: no workers).
    engine: the search engine that stores the index (pipeline.engine.ENGINES): `whoosh`, the
        embedded index in the index folder, or `opensearch`, a cluster.
    """

    sources: Path = Path("sources")
    locales: Path = Path("locales")
    index: Path = Path("index")
    max_bytes: int = DEFAULT_MAX_BYTES
    jobs: int = 0
    engine: str = "whoosh"
