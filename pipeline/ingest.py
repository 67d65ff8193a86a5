"""Ingest: bring catalogues and index in step with the sources folder, touching only what changed.

An article whose source and catalogues hash as they did when it was indexed is skipped before it
is parsed; the index's manifest says what that was, so a run with nothing to do opens neither
the index nor a parser. The articles left are parsed, their catalogues synced, localized and
indexed, in one process or, when there are many, in one worker process per core, each writing
its own segment of the index while this process deletes their old documents and commits it all.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from .catalogue.folder import (article_files, catalogue_locales, catalogue_path, fingerprint,
                               orphan_templates, remove_templates, sync_article, template_path, utc_now)
from .catalogue.localize import documents, localize, source_version
from .config import Config
from .engine import Engine, IndexedArticle, SectionDocument, open_engine
from .errors import PipelineError
from .files import file_stats, settled, stamp
from .lock import ingest_lock
from .parallel import WorkerPool, can_fork, cpu_count, split
from .sources import SourceFile, discover, load_article, read_bytes

log = logging.getLogger(__name__)

# Below this many articles to index, worker processes cost more than they save (they fork in
# milliseconds, but each adds a segment to the index).
PARALLEL_MIN = 100


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


@dataclass(frozen=True)
class _Outcome:
    """What became of one source.

    indexed: its documents were replaced (but those in keep_locales) by ones made from `state`.
    state, stamp: the hash of its source and catalogues, and their stamp ("" if not to be trusted).
    errors: what could not be read (the source itself when not indexed, else catalogues).
    """

    article_id: str
    indexed: bool = False
    state: str = ""
    stamp: str = ""
    keep_locales: tuple[str, ...] = ()
    catalogue_files: int = 0
    errors: tuple[PipelineError, ...] = ()


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
        return _ingest(config, progress or (lambda n: None), total, now or utc_now())


def _ingest(config: Config, progress: Callable[[int], None], total, now: datetime) -> IngestReport:
    started = time.perf_counter()
    sources = discover(config.sources)
    locales = catalogue_locales(config.locales)
    if total:
        total(len(sources))
    engine = open_engine(config)
    known, manifest_current = engine.known_articles()
    outcomes: dict[str, _Outcome] = {}
    todo: list[SourceFile] = []
    for source in sources:
        previous = known.get(source.article_id)
        if previous is None:
            todo.append(source)  # new: nothing to compare with
            continue
        examined = time.time_ns()
        stats = file_stats(_files_of(source, config, locales))
        current = stamp(stats)
        if current == previous.stamp and len(stats[0]) > 1 and stats[0][1] <= config.max_bytes:
            outcomes[source.article_id] = _Outcome(source.article_id, state=previous.content_hash, stamp=current)
            progress(1)
            continue
        try:
            data = read_bytes(source, config.max_bytes)
            state = fingerprint(data, article_files(config.locales, source.article_id, locales), config.locales)
        except PipelineError as error:
            log.debug("failed: %s", error)
            outcomes[source.article_id] = _Outcome(source.article_id, errors=(error,))
            progress(1)
            continue
        if state == previous.content_hash:
            outcomes[source.article_id] = _Outcome(source.article_id, state=state,
                                                   stamp=current if settled(stats, examined) else "")
            progress(1)
        else:
            todo.append(source)
    present = {source.article_id for source in sources}
    removed = sorted(set(known) - present)

    report = IngestReport(removed=removed)
    if todo or removed or not engine.exists():
        jobs = min(config.jobs or cpu_count(), len(todo))
        parallel = engine.builds_parts and jobs > 1 and len(todo) >= PARALLEL_MIN and can_fork()
        # The writer first: it makes the index the workers' parts join. Leaving the pool stops the
        # workers before the writer's cancel removes the files they share.
        with engine.writer() as writer:
            if parallel:
                parts = [todo[r.start:r.stop] for r in split([_size(s) for s in todo], jobs)]
                with WorkerPool(parts, _PartWork(engine, config, locales, now)) as pool:
                    for outcome in pool.results(on_arrival=lambda: progress(1)):
                        outcomes[outcome.article_id] = outcome
                        if outcome.indexed and outcome.article_id in known:
                            writer.delete(outcome.article_id, outcome.keep_locales)
                    for part, by_locale in pool.finals:
                        writer.add_parts([part] if part is not None else [], by_locale)
            else:
                for source in todo:
                    outcomes[source.article_id] = _index_article(source, config, locales, now, writer.replace)
                    progress(1)
            for article_id in removed:
                writer.delete(article_id)
            _count(report, writer)
        engine.write_manifest(_indexed(known, outcomes, removed))
    elif not manifest_current or any(outcome.stamp != known[article].stamp for article, outcome in outcomes.items()
                                     if not outcome.errors):
        engine.write_manifest(_indexed(known, outcomes, removed))  # it was missing, or stamps were learnt

    for source in sources:
        outcome = outcomes[source.article_id]
        report.failed += outcome.errors
        report.catalogue_files += outcome.catalogue_files
        if outcome.indexed:
            (report.changed if source.article_id in known else report.added).append(source.article_id)
        elif not outcome.errors:
            report.unchanged.append(source.article_id)
    remove_templates(config.locales, orphan_templates(config.locales, present))
    report.seconds = time.perf_counter() - started
    log.info("ingest took %.2fs", report.seconds)
    return report


def _index_article(source: SourceFile, config: Config, locales: list[str], now: datetime,
                   write: Callable[[str, list[SectionDocument], Sequence[str]], None]) -> _Outcome:
    """Parse a source, sync its catalogues, localize it and write(article id, documents, keep_locales)."""
    examined = time.time_ns()
    before = file_stats(_files_of(source, config, locales))  # stat, then read: a stamp never runs ahead
    try:
        data = read_bytes(source, config.max_bytes)
        article = load_article(source, config.sources, data)
        synced = sync_article(article, config.locales, locales, now)
        versions = [source_version(article)]
        versions += [localize(article, locale, catalogue) for locale, catalogue in synced.catalogues]
        # After a catalogue error the stored state matches nothing: the next run tries again.
        state = "" if synced.errors else fingerprint(data, dict(synced.files), config.locales)
        write(article.id, [document for version in versions for document in documents(version, state)],
              synced.broken)
    except PipelineError as error:
        log.debug("failed: %s", error)
        return _Outcome(source.article_id, errors=(error,))
    # Files this run wrote are stamped as written; the others as they were before being read.
    written = {str(path) for path in (*synced.created, *synced.updated)}
    after = {stats[0]: stats for stats in file_stats(sorted(written))}
    read = [stats for stats in before if stats[0] not in written]
    trusted = not synced.errors and settled(read, examined)
    return _Outcome(source.article_id, True, state, stamp([after.get(s[0], s) for s in before]) if trusted else "",
                    tuple(synced.broken), len(synced.created) + len(synced.updated), tuple(synced.errors))


class _PartWork:
    """What a worker process does with its part of the sources: index them into a part of its own."""

    def __init__(self, engine: Engine, config: Config, locales: list[str], now: datetime):
        self.engine, self.config, self.locales, self.now = engine, config, locales, now

    def __call__(self, part: Sequence[SourceFile], emit: Callable[[int, _Outcome], None]):
        builder = self.engine.part_builder()
        try:
            for number, source in enumerate(part):
                emit(number, _index_article(source, self.config, self.locales, self.now,
                                            lambda article, found, keep: builder.add(found)))
            return builder.finish(), builder.by_locale
        except BaseException:
            builder.abandon()
            raise


def _indexed(known: dict[str, IndexedArticle], outcomes: dict[str, _Outcome],
             removed: list[str]) -> list[IndexedArticle]:
    """What the index holds after this run, sorted by article id."""
    articles = dict(known)
    for article, outcome in outcomes.items():
        if outcome.indexed or outcome.state:
            articles[article] = IndexedArticle(article, outcome.state, outcome.stamp)
    for article in removed:
        articles.pop(article, None)
    return [articles[article] for article in sorted(articles)]


def _files_of(source: SourceFile, config: Config, locales: list[str]) -> list:
    """The files an article's state depends on: its source, its template and its catalogues."""
    return [source.path, template_path(config.locales, source.article_id),
            *(catalogue_path(config.locales, locale, source.article_id) for locale in locales)]


def _count(report: IngestReport, writer) -> None:
    report.sections = writer.sections
    report.by_locale = dict(sorted(writer.by_locale.items()))


def _size(source: SourceFile) -> int:
    """A source's size in bytes, to share the work out evenly (0 when it cannot be read)."""
    try:
        return source.path.stat().st_size
    except OSError:
        return 0
