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
from .catalogue.memory import TranslationMemory, load_memory
from .catalogue.localize import documents, localize, source_version
from .config import Config
from .engine import Engine, IndexedArticle, SectionDocument, Writer, open_engine
from .errors import PipelineError
from .files import file_stats, remove_stale_temporaries, settled, stamp
from .lock import ingest_lock
from .parallel import WorkerPool, can_fork, cpu_count, split
from .sources import SourceFile, discover, load_article, read_bytes

log = logging.getLogger(__name__)

# Below this many articles to index, worker processes cost more than they save (forking is
# quick, but each adds a segment to the index).
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
        for folder in (config.locales, config.index):
            for path in remove_stale_temporaries(folder):
                log.info("%s: removed, left by a write that never finished", path)
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
        outcome = _unchanged(source, previous, config, locales) if previous is not None else None
        if outcome is None:
            todo.append(source)
        else:
            outcomes[source.article_id] = outcome
            progress(1)
    present = {source.article_id for source in sources}
    removed = sorted(set(known) - present)

    report = IngestReport(removed=removed)
    if todo or removed or not engine.exists():
        with engine.writer() as writer:
            memory = load_memory(config.locales, present) if todo and locales else None
            _index(engine, writer, todo, known, outcomes, _Run(config, locales, now, progress, memory))
            for article_id in removed:
                writer.delete(article_id)
            report.sections, report.by_locale = writer.sections, dict(sorted(writer.by_locale.items()))
        engine.write_manifest(_indexed(known, outcomes, removed))
    elif not manifest_current or any(outcome.stamp != known[article].stamp for article, outcome in outcomes.items()
                                     if not outcome.errors):
        engine.write_manifest(_indexed(known, outcomes, removed))  # it was missing, or stamps were learnt
    _tell(report, sources, outcomes, known)
    remove_templates(config.locales, orphan_templates(config.locales, present))
    report.seconds = time.perf_counter() - started
    log.info("ingest took %.2fs", report.seconds)
    return report


@dataclass(frozen=True)
class _Run:
    """What every article of a run is indexed with: the settings, the locales with catalogues,
    the time new catalogues are stamped with, progress(1) to call after each article, and the
    translation memory that suggests translations for new messages (None: no catalogues to merge)."""

    config: Config
    locales: list[str]
    now: datetime
    progress: Callable[[int], None]
    memory: TranslationMemory | None = None


def _unchanged(source: SourceFile, previous: IndexedArticle, config: Config,
               locales: list[str]) -> _Outcome | None:
    """What became of an indexed article whose source and catalogues did not change (or could not
    be read); None when it must be indexed again."""
    if source.problem is not None:  # before its stamp, which may be an older file's
        return _Outcome(source.article_id, errors=(source.problem,))
    examined = time.time_ns()
    stats = file_stats(_files_of(source, config, locales))
    current = stamp(stats)
    if current == previous.stamp and len(stats[0]) > 1 and stats[0][1] <= config.max_bytes:
        return _Outcome(source.article_id, state=previous.content_hash, stamp=current)
    try:
        data = read_bytes(source, config.max_bytes)
        state = fingerprint(data, article_files(config.locales, source.article_id, locales), config.locales)
    except PipelineError as error:
        log.debug("failed: %s", error)
        return _Outcome(source.article_id, errors=(error,))
    if state != previous.content_hash:
        return None
    return _Outcome(source.article_id, state=state, stamp=current if settled(stats, examined) else "")


def _index(engine: Engine, writer: Writer, todo: list[SourceFile], known: dict[str, IndexedArticle],
           outcomes: dict[str, _Outcome], run: _Run) -> None:
    """Index the articles of todo through writer, in worker processes when there are many."""
    jobs = min(run.config.jobs or cpu_count(), len(todo))
    if not (engine.builds_parts and jobs > 1 and len(todo) >= PARALLEL_MIN and can_fork()):
        for source in todo:
            outcomes[source.article_id] = _index_article(source, run, writer.replace)
            run.progress(1)
        return
    parts = [todo[r.start:r.stop] for r in split([_size(s) for s in todo], jobs)]
    # The writer was opened first: it made the index the workers' parts join. Leaving the pool
    # stops the workers before the writer's cancel removes the files they share.
    with WorkerPool(parts, _PartWork(engine, run)) as pool:
        for outcome in pool.results(on_arrival=lambda: run.progress(1)):
            outcomes[outcome.article_id] = outcome
            if outcome.indexed and outcome.article_id in known:
                writer.delete(outcome.article_id, outcome.keep_locales)
        for part, by_locale in pool.finals:
            writer.add_parts([part] if part is not None else [], by_locale)


def _tell(report: IngestReport, sources: list[SourceFile], outcomes: dict[str, _Outcome],
          known: dict[str, IndexedArticle]) -> None:
    """Fill the report with what became of every source, in source order."""
    for source in sources:
        outcome = outcomes[source.article_id]
        report.failed += outcome.errors
        report.catalogue_files += outcome.catalogue_files
        if outcome.indexed:
            (report.changed if source.article_id in known else report.added).append(source.article_id)
        elif not outcome.errors:
            report.unchanged.append(source.article_id)


def _index_article(source: SourceFile, run: _Run,
                   write: Callable[[str, list[SectionDocument], Sequence[str]], None]) -> _Outcome:
    """Parse a source, sync its catalogues, localize it and write(article id, documents, keep_locales)."""
    config, locales = run.config, run.locales
    examined = time.time_ns()
    before = file_stats(_files_of(source, config, locales))  # stat, then read: a stamp never runs ahead
    try:
        data = read_bytes(source, config.max_bytes)
        article = load_article(source, config.sources, data)
        synced = sync_article(article, config.locales, locales, run.now, memory=run.memory)
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

    def __init__(self, engine: Engine, run: _Run):
        self.engine, self.run = engine, run

    def __call__(self, part: Sequence[SourceFile], emit: Callable[[int, _Outcome], None]):
        builder = self.engine.part_builder()
        try:
            for number, source in enumerate(part):
                emit(number, _index_article(source, self.run, lambda article, found, keep: builder.add(found)))
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


def _size(source: SourceFile) -> int:
    """A source's size in bytes, to share the work out evenly (0 when it cannot be read)."""
    try:
        return source.path.stat().st_size
    except OSError:
        return 0
