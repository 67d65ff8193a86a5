"""Ingest: bring catalogues and index in step with the sources folder, touching only what changed."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from .config import Config
from .errors import PipelineError
from .index import IndexWriter, indexed_articles, open_or_create
from .locales import (article_files, catalogue_locales, fingerprint, orphan_templates,
                      remove_templates, sync_article, utc_now)
from .localize import localize, source_version
from .lock import ingest_lock
from .sources import discover, load_article, read_bytes

log = logging.getLogger(__name__)


@dataclass
class IngestReport:
    """What an ingest did.

    added / changed / unchanged / removed: article ids in each state (changed: its source or
        one of its catalogues changed).
    failed: one error per source or catalogue that could not be read (the last good version of
        what it feeds stays indexed; everything else is indexed all the same).
    catalogue_files: templates and catalogues written (created or merged).
    sections: documents written to the index; by_locale: the same, per locale.
    seconds: wall time of the run.
    """

    added: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    failed: list[PipelineError] = field(default_factory=list)
    catalogue_files: int = 0
    sections: int = 0
    by_locale: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0


def ingest(config: Config, progress: Callable[[int], None] | None = None,
           total: Callable[[int], None] | None = None,
           on_wait: Callable[[], None] | None = None, now: datetime | None = None) -> IngestReport:
    """Sync templates and catalogues with the sources, then index every article in every locale.

    An article is skipped when neither its source nor any of its catalogues changed since it was
    indexed. total(n) is called once with the number of sources, progress(1) after each one,
    on_wait() if another ingest of the same index is running (this one then waits for it).
    now stamps new templates and catalogues (default: the current time).
    """
    with ingest_lock(config.index, on_wait):
        return _ingest(config, progress, total, now)


def _ingest(config: Config, progress, total, now: datetime | None) -> IngestReport:
    started = time.perf_counter()
    now = now or utc_now()
    report = IngestReport()
    sources = discover(config.sources)
    locales = catalogue_locales(config.locales)
    if total:
        total(len(sources))
    ix = open_or_create(config.index)
    known = indexed_articles(ix)
    with IndexWriter(ix) as writer:
        for source in sources:
            previous = known.get(source.article_id)
            try:
                data = read_bytes(source, config.max_bytes)
                state = fingerprint(data, article_files(config.locales, source.article_id, locales))
                if previous and previous.content_hash == state:
                    report.unchanged.append(source.article_id)
                else:
                    article = load_article(source, config.sources, data)
                    synced = sync_article(article, config.locales, locales, now)
                    report.catalogue_files += len(synced.created) + len(synced.updated)
                    report.failed += synced.errors
                    versions = [source_version(article)]
                    versions += [localize(article, locale, catalogue) for locale, catalogue in synced.catalogues]
                    # After a catalogue error the stored state matches nothing: the next run tries again.
                    state = "" if synced.errors else fingerprint(data, dict(synced.files))
                    writer.replace(versions, state, keep_locales=synced.broken)
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
        report.by_locale = dict(sorted(writer.by_locale.items()))
    remove_templates(config.locales, orphan_templates(config.locales, present))
    report.seconds = time.perf_counter() - started
    log.info("ingest took %.2fs", report.seconds)
    return report
