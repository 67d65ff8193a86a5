"""Ingest: bring the index in step with the sources folder, touching only what changed."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from .config import Config
from .errors import PipelineError
from .index import IndexWriter, indexed_articles, open_or_create
from .lock import ingest_lock
from .sources import content_hash, discover, load_article, read_bytes

log = logging.getLogger(__name__)


@dataclass
class IngestReport:
    """What an ingest did.

    added / changed / unchanged / removed: article ids in each state.
    failed: one error per source that could not be ingested (its last good version stays indexed).
    sections: documents written to the index.
    seconds: wall time of the run.
    """

    added: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    failed: list[PipelineError] = field(default_factory=list)
    sections: int = 0
    seconds: float = 0.0


def ingest(config: Config, progress: Callable[[int], None] | None = None,
           total: Callable[[int], None] | None = None,
           on_wait: Callable[[], None] | None = None) -> IngestReport:
    """Index new and changed sources, drop deleted ones, skip unchanged ones by content hash.

    total(n) is called once with the number of sources, progress(1) after each one, and
    on_wait() if another ingest of the same index is running (this one then waits for it).
    """
    with ingest_lock(config.index, on_wait):
        return _ingest(config, progress, total)


def _ingest(config: Config, progress, total) -> IngestReport:
    started = time.perf_counter()
    report = IngestReport()
    sources = discover(config.sources)
    if total:
        total(len(sources))
    ix = open_or_create(config.index)
    known = indexed_articles(ix)
    with IndexWriter(ix) as writer:
        for source in sources:
            previous = known.get(source.article_id)
            try:
                data = read_bytes(source, config.max_bytes)
                if previous and previous.content_hash == content_hash(data):
                    report.unchanged.append(source.article_id)
                else:
                    writer.replace(load_article(source, config.sources, data))
                    (report.changed if previous else report.added).append(source.article_id)
            except PipelineError as error:
                log.debug("failed: %s", error)
                report.failed.append(error)
            if progress:
                progress(1)
        present = {source.article_id for source in sources}
        report.removed = sorted(set(known) - present)
        writer.remove(report.removed)
        report.sections = writer.sections
    report.seconds = time.perf_counter() - started
    log.info("ingest took %.2fs", report.seconds)
    return report
