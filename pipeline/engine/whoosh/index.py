"""The Whoosh index: one document per (article, section, locale), written incrementally.

Beside the index lies a manifest of what it holds (each article and the state of its source and
catalogues), so that an ingest with nothing to do reads one small file instead of every stored
document. Whoosh is imported only by the functions that use it: a run that changes nothing never
needs it.
"""

from __future__ import annotations

import json
import logging
import os
import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from ...errors import IndexingError
from ...files import write_file
from .. import IndexedArticle, SectionDocument, field_text

if TYPE_CHECKING:
    from whoosh.fields import Schema

log = logging.getLogger(__name__)

# Bump when the schema, analysis or storage changes: an index under an older name is rebuilt
# from sources, and its files removed.
INDEX_VERSION = 8
INDEX_NAME = f"sections_v{INDEX_VERSION}"
# {"index": INDEX_NAME, "generation": N, "articles": {article id: state}}: the articles of
# generation N of the index, written after its commit.
MANIFEST_NAME = f"{INDEX_NAME}.articles.json"
# How Whoosh names the table of contents of each generation (whoosh.index.TOC._pattern).
_TOC_FILE = re.compile(rf"_{re.escape(INDEX_NAME)}_([0-9]+)\.toc")
# Memory for postings in each writer before Whoosh sorts them to a temporary run on disk (MB):
# fewer runs mean less merging at commit, within the ingest's memory budget.
POOL_MB = 192


def make_schema() -> Schema:
    """The schema every index of this version is written with."""
    from whoosh.columns import NumericColumn
    from whoosh.fields import COLUMN, ID, NUMERIC, STORED, TEXT, Schema

    from .analyzer import name_analyzer, text_analyzer
    from .codec import ArrayPositions

    words = text_analyzer()

    def text(analyzer=None) -> TEXT:
        field = TEXT(analyzer=analyzer or words, stored=True)
        field.format = ArrayPositions(field_boost=field.format.field_boost)
        return field

    return Schema(
        key=ID(unique=True, stored=True),
        article=ID(stored=True),
        section=ID(stored=True),
        # One number per section whatever its locale (group_number), to count sections, not documents.
        group=COLUMN(NumericColumn("Q")),
        locale=ID(stored=True),
        # `source`, `translated` or `partial` (model.py); `fallback` is decided at search time.
        status=ID(stored=True),
        # Indexes of the paragraphs of body (joined by blank lines) that show the source text.
        fallbacks=STORED,
        # Hash of the source and its catalogues (catalogue.folder.fingerprint): unchanged = skip.
        content_hash=ID(stored=True),
        title=text(),
        heading=text(),
        body=text(),
        # The article's other names, one a line (SectionDocument.aliases).
        aliases=text(),
        # The title and the other names, each one term (engine.NAMES_FIELD).
        names=text(name_analyzer()),
        position=NUMERIC(stored=True),
        path=STORED,
        line=STORED,
    )


def fields(document: SectionDocument) -> dict:
    """A document's fields as this index stores them."""
    return {"key": document.key, "article": document.article, "section": document.section,
            "group": document.group, "locale": document.locale, "status": document.status,
            "fallbacks": document.fallbacks, "content_hash": document.content_hash, "title": document.title,
            "heading": document.heading, "body": document.body, "aliases": field_text(document, "aliases"),
            "names": document.names,
            "position": document.position, "path": document.path, "line": document.line}


def section_document(stored: dict) -> SectionDocument:
    """A document from the fields this index stores of it."""
    return SectionDocument(stored["article"], stored["section"], stored["locale"], stored["status"],
                           tuple(stored.get("fallbacks") or ()), stored["content_hash"], stored["title"],
                           stored["heading"], stored["body"], stored["position"], stored["path"], stored["line"],
                           stored.get("names", "").partition("\n")[2])


def exists(index_dir: Path) -> bool:
    """Whether index_dir holds an index of this version."""
    from whoosh import index as whoosh_index

    return index_dir.is_dir() and whoosh_index.exists_in(str(index_dir), indexname=INDEX_NAME)


def open_index(index_dir: Path):
    """Open the index for searching, or explain how to build it."""
    if not exists(index_dir):
        raise IndexingError(f"no index at {index_dir}; run `pipeline ingest` first")
    from whoosh import index as whoosh_index

    try:
        return whoosh_index.open_dir(str(index_dir), indexname=INDEX_NAME)
    except (OSError, EOFError, ValueError) as error:
        raise IndexingError(f"cannot open the index at {index_dir}: {error}", index_dir,
                            hint="run `pipeline ingest` to rebuild it") from None


def open_or_create(index_dir: Path):
    """Open the index for writing, creating it (and its folder) when there is none."""
    if generation(index_dir) >= 0:
        return open_index(index_dir)
    from whoosh import index as whoosh_index

    index_dir.mkdir(parents=True, exist_ok=True)
    # A manifest left from an index that is gone would describe documents this one does not have.
    (index_dir / MANIFEST_NAME).unlink(missing_ok=True)
    _remove_older_indexes(index_dir)
    return whoosh_index.create_in(str(index_dir), make_schema(), indexname=INDEX_NAME)


# Whoosh's files of an index named sections_vN (tables of contents `_sections_vN_<generation>.toc`,
# segments `sections_vN_<id>.seg`, the lock) and its manifest `sections_vN.articles.json`.
_INDEX_FILE = re.compile(r"_?sections_v([0-9]+)[._]")


def _remove_older_indexes(index_dir: Path) -> None:
    """Remove the files of indexes written by older versions of this program (replaced by a
    rebuild): an upgrade would otherwise leave a dead copy of the index beside the new one."""
    older = [path for path in index_dir.iterdir() if path.is_file()
             and (match := _INDEX_FILE.match(path.name)) and int(match.group(1)) < INDEX_VERSION]
    for path in older:
        path.unlink(missing_ok=True)
    if older:
        log.info("removed %d files of an older index in %s; rebuilding it from the sources",
                 len(older), index_dir)


def indexed_articles(ix) -> dict[str, IndexedArticle]:
    """Every article in the index with the state (source and catalogues hash) it was indexed from."""
    found: dict[str, IndexedArticle] = {}
    with ix.searcher() as searcher:
        for fields in searcher.all_stored_fields():
            article, state = fields["article"], fields["content_hash"]
            known = found.setdefault(article, IndexedArticle(article, state))
            if known.content_hash != state:
                found[article] = IndexedArticle(article, "")
    return found


def generation(index_dir: Path) -> int:
    """The latest committed generation of the index in index_dir (-1 when there is none)."""
    try:
        names = os.listdir(index_dir)
    except OSError:
        return -1
    return max((int(m.group(1)) for m in map(_TOC_FILE.fullmatch, names) if m), default=-1)


def known_articles(index_dir: Path) -> tuple[dict[str, IndexedArticle], bool]:
    """Every article in the index with the state it was indexed from, and whether the manifest said so.

    Read from the manifest when it describes the latest generation; else (no manifest yet, or a
    crash between a commit and its manifest) from the index's stored documents. No index: ({}, False).
    """
    current = generation(index_dir)
    if current < 0:
        return {}, False
    manifest = _read_manifest(index_dir)
    if manifest is not None and manifest.get("generation") == current:
        return {article: IndexedArticle(article, *entry) for article, entry in manifest["articles"].items()}, True
    if not exists(index_dir):
        return {}, False
    log.debug("%s: no manifest of generation %d; reading the index", index_dir, current)
    return indexed_articles(open_index(index_dir)), False


def write_manifest(index_dir: Path, articles: Iterable[IndexedArticle]) -> None:
    """Record that the latest generation of the index holds these articles, in these states.

    Call it after the commit, holding the ingest lock; a manifest that is not written (a crash in
    between) only costs the next ingest a read of the index.
    """
    entries = {article.id: [article.content_hash, article.stamp] for article in articles}
    manifest = {"index": INDEX_NAME, "generation": generation(index_dir), "articles": entries}
    data = json.dumps(manifest, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")
    write_file(index_dir / MANIFEST_NAME, data)


def _read_manifest(index_dir: Path) -> dict | None:
    """The manifest as written by write_manifest, or None when it is missing or unreadable."""
    try:
        manifest = json.loads((index_dir / MANIFEST_NAME).read_bytes())
    except (OSError, ValueError):
        return None
    if not isinstance(manifest, dict) or manifest.get("index") != INDEX_NAME \
            or not isinstance(manifest.get("articles"), dict):
        return None
    if not all(isinstance(entry, list) and len(entry) == 2 and all(isinstance(x, str) for x in entry)
               for entry in manifest["articles"].values()):
        return None
    return manifest


class IndexWriter:
    """Replace and remove articles in one atomic commit: all of them land, or none.

    Use as a context manager; leaving it with an exception (Ctrl-C included) cancels the commit,
    so readers keep seeing the last committed index. Segments built by worker processes
    (SegmentBuilder) join the commit through add_parts.
    """

    def __init__(self, ix, timeout: float = 0.0):
        from whoosh.index import LockError

        try:
            self._writer = ix.writer(timeout=timeout, delay=0.25, **_writing())
        except LockError:
            raise IndexingError(f"the index at {ix.storage.folder} is locked by another ingest",
                                ix.storage.folder, hint="wait for it to finish, then run again") from None
        self.sections = 0
        self.by_locale: dict[str, int] = {}
        self._segments: list = []
        self._dirty = False

    def __enter__(self) -> "IndexWriter":
        return self

    def __exit__(self, kind, value, traceback) -> None:
        if kind is not None or not self._dirty:
            self._writer.cancel()
        elif self._segments:
            from .internals import commit_with_segments

            commit_with_segments(self._writer, self._segments, merge_policy)
        else:
            self._writer.commit(mergetype=merge_policy)

    def replace(self, article: str, documents: Iterable[SectionDocument], keep_locales: Iterable[str] = ()) -> None:
        """Index an article's documents in place of whatever the index had for it.

        keep_locales: locales whose documents stay as they are (their catalogue could not be read).
        """
        self.delete(article, keep_locales)
        _add(self._writer, documents, self)

    def delete(self, article_id: str, keep_locales: Iterable[str] = ()) -> None:
        """Delete an article's documents, but those in keep_locales, from the committed segments."""
        from whoosh import query as Q

        self._dirty = True
        keep = sorted(set(keep_locales))
        if keep:
            self._writer.delete_by_query(Q.And([Q.Term("article", article_id),
                                                Q.Not(Q.Or([Q.Term("locale", k) for k in keep]))]))
        else:
            self._writer.delete_by_term("article", article_id)

    def remove(self, article_ids: Iterable[str]) -> None:
        """Remove articles from the index."""
        for article_id in article_ids:
            self.delete(article_id)

    def add_parts(self, segments: Iterable, sections: Mapping[str, int]) -> None:
        """Add segments that SegmentBuilders finished (in this order), holding sections per locale."""
        for segment in segments:
            self._dirty = True
            self._segments.append(segment)
        for locale, count in sections.items():
            self.sections += count
            self.by_locale[locale] = self.by_locale.get(locale, 0) + count


class SegmentBuilder:
    """Documents written by a worker process into a new segment of the index, outside any commit.

    The worker process that makes one does not lock the index (the main process holds the lock
    and commits the segment with IndexWriter.add_parts, as Whoosh's own multiprocessing writer
    does): finish() returns the segment, or None when nothing was added.
    """

    def __init__(self, ix):
        from whoosh.writing import SegmentWriter

        self._writer = SegmentWriter(ix, _lk=False, **_writing())
        self.sections = 0
        self.by_locale: dict[str, int] = {}

    def add(self, documents: Iterable[SectionDocument]) -> None:
        """Add an article's documents."""
        _add(self._writer, documents, self)

    def finish(self):
        """Write the segment's files and return the segment (None if it has no documents)."""
        from .internals import added, finish_segment

        if not added(self._writer):
            self.abandon()
            return None
        return finish_segment(self._writer)

    def abandon(self) -> None:
        """Close the segment's files without making it part of the index (the next commit deletes them)."""
        # Not cancel(): it would delete the temporary folder the other writers share.
        from .internals import close_segment

        close_segment(self._writer)


def _writing() -> dict:
    """How every writer of the index writes a segment: its postings pool, and postings stored as
    arrays (codec.py)."""
    from .codec import ArrayCodec

    return {"limitmb": POOL_MB, "codec": ArrayCodec()}


def _add(writer, documents: Iterable[SectionDocument], counts) -> None:
    """Add documents to a Whoosh writer; count them in counts."""
    for document in documents:
        writer.add_document(**fields(document))
        counts.sections += 1
        counts.by_locale[document.locale] = counts.by_locale.get(document.locale, 0) + 1


def merge_policy(writer, segments: list) -> list:
    """Whoosh's MERGE_SMALL, after folding in segments whose documents are mostly deleted.

    Re-ingests delete documents from old segments; a segment left mostly dead would slow every
    search, so its live documents are copied into the new segment.
    """
    from whoosh.reading import SegmentReader
    from whoosh.writing import MERGE_SMALL

    kept = []
    for segment in segments:
        if segment.deleted_count() * 2 > segment.doc_count_all():
            if segment.deleted_count() < segment.doc_count_all():
                with SegmentReader(writer.storage, writer.schema, segment) as reader:
                    writer.add_reader(reader)
        else:
            kept.append(segment)
    return MERGE_SMALL(writer, kept)
