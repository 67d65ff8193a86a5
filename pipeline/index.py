"""The Whoosh index: one document per (article, section, locale), written incrementally."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from whoosh import index as whoosh_index
from whoosh import query as Q
from whoosh.fields import ID, NUMERIC, STORED, TEXT, Schema
from whoosh.index import LockError

from .analysis import text_analyzer
from .errors import IndexingError
from .localize import FALLBACK, LocalizedArticle

log = logging.getLogger(__name__)

# Bump when the schema or analysis changes: an index under an older name is rebuilt from sources.
INDEX_NAME = "sections_v2"


def make_schema() -> Schema:
    """The schema every index of this version is written with."""
    analyzer = text_analyzer()
    return Schema(
        key=ID(unique=True, stored=True),
        article=ID(stored=True),
        section=ID(stored=True),
        # One value per section whatever its locale, to collapse a section's locales into one hit.
        group=ID(sortable=True),
        locale=ID(stored=True),
        # `source`, `translated` or `partial` (localize.py); `fallback` is decided at search time.
        status=ID(stored=True),
        # Indexes of the paragraphs of body (joined by blank lines) that show the source text.
        fallbacks=STORED,
        # Hash of the source and its catalogues (locales.fingerprint): unchanged = skip.
        content_hash=ID(stored=True),
        title=TEXT(analyzer=analyzer, stored=True),
        heading=TEXT(analyzer=analyzer, stored=True),
        body=TEXT(analyzer=analyzer, stored=True),
        position=NUMERIC(stored=True),
        path=STORED,
        line=STORED,
    )


def document_key(article: str, section: str, locale: str) -> str:
    """The index key of one section in one locale: `<article>#<section>@<locale>`."""
    return f"{article}#{section}@{locale}"


def documents(version: LocalizedArticle, state: str) -> Iterator[dict]:
    """The index documents of an article in one locale: one per section with something to show.

    A section none of whose text is translated into the locale gets no document there: it is
    found through its source version. state is the hash stored to skip the article next time.
    """
    article = version.article
    for position, localized in enumerate(version.sections):
        if localized.status == FALLBACK:
            continue
        section = localized.section
        yield {
            "key": document_key(article.id, section.id, version.locale),
            "article": article.id,
            "section": section.id,
            "group": f"{article.id}#{section.id}",
            "locale": version.locale,
            "status": localized.status,
            "fallbacks": localized.fallbacks,
            "content_hash": state,
            "title": version.title,
            "heading": section.heading,
            "body": section.text,
            "position": position,
            "path": article.path,
            "line": section.line,
        }


@dataclass(frozen=True)
class IndexedArticle:
    """What the index knows of an article: enough to skip it when neither source nor catalogues changed.

    content_hash: the state it was indexed from ("" when its documents disagree: index it again).
    """

    id: str
    content_hash: str


def exists(index_dir: Path) -> bool:
    """Whether index_dir holds an index of this version."""
    return index_dir.is_dir() and whoosh_index.exists_in(str(index_dir), indexname=INDEX_NAME)


def open_index(index_dir: Path):
    """Open the index for searching, or explain how to build it."""
    if not exists(index_dir):
        raise IndexingError(f"no index at {index_dir}; run `pipeline ingest` first")
    try:
        return whoosh_index.open_dir(str(index_dir), indexname=INDEX_NAME)
    except (OSError, EOFError, ValueError) as error:
        raise IndexingError(f"cannot open the index at {index_dir}: {error}", index_dir,
                            hint="run `pipeline ingest` to rebuild it") from None


def open_or_create(index_dir: Path):
    """Open the index for writing, creating it (and its folder) when there is none."""
    if exists(index_dir):
        return open_index(index_dir)
    index_dir.mkdir(parents=True, exist_ok=True)
    return whoosh_index.create_in(str(index_dir), make_schema(), indexname=INDEX_NAME)


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


class IndexWriter:
    """Replace and remove articles in one atomic commit: all of them land, or none.

    Use as a context manager; leaving it with an exception (Ctrl-C included) cancels the commit,
    so readers keep seeing the last committed index.
    """

    def __init__(self, ix, timeout: float = 0.0):
        try:
            self._writer = ix.writer(timeout=timeout, delay=0.25)
        except LockError:
            raise IndexingError(f"the index at {ix.storage.folder} is locked by another ingest",
                                ix.storage.folder, hint="wait for it to finish, then run again") from None
        self.sections = 0
        self.by_locale: dict[str, int] = {}
        self._dirty = False

    def __enter__(self) -> "IndexWriter":
        return self

    def __exit__(self, kind, value, traceback) -> None:
        if kind is None and self._dirty:
            self._writer.commit()
        else:
            self._writer.cancel()

    def replace(self, versions: Sequence[LocalizedArticle], state: str, keep_locales: Iterable[str] = ()) -> None:
        """Index an article in every locale given, in place of whatever the index had for it.

        versions: the article in each locale (its source version first).
        state: the hash of its source and catalogues, stored to skip it while they stay unchanged.
        keep_locales: locales whose documents stay as they are (their catalogue could not be read).
        """
        self._dirty = True
        article_id = versions[0].article.id
        keep = sorted(set(keep_locales))
        if keep:
            self._writer.delete_by_query(Q.And([Q.Term("article", article_id),
                                                Q.Not(Q.Or([Q.Term("locale", k) for k in keep]))]))
        else:
            self._writer.delete_by_term("article", article_id)
        for version in versions:
            for document in documents(version, state):
                self._writer.add_document(**document)
                self.sections += 1
                self.by_locale[version.locale] = self.by_locale.get(version.locale, 0) + 1

    def remove(self, article_ids: Iterable[str]) -> None:
        """Remove articles from the index."""
        for article_id in article_ids:
            self._dirty = True
            self._writer.delete_by_term("article", article_id)
