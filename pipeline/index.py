"""The Whoosh index: one document per (article, section, locale), written incrementally."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from whoosh import index as whoosh_index
from whoosh.fields import ID, NUMERIC, STORED, TEXT, Schema
from whoosh.index import LockError

from .analysis import text_analyzer
from .errors import IndexingError
from .model import Article

log = logging.getLogger(__name__)

# Bump when the schema or analysis changes: an index under an older name is rebuilt from sources.
INDEX_NAME = "sections_v1"


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


def documents(article: Article) -> Iterator[dict]:
    """The index documents of an article: one per section."""
    for position, section in enumerate(article.sections):
        yield {
            "key": document_key(article.id, section.id, article.locale),
            "article": article.id,
            "section": section.id,
            "group": f"{article.id}#{section.id}",
            "locale": article.locale,
            "content_hash": article.content_hash,
            "title": article.title,
            "heading": section.heading,
            "body": section.text,
            "position": position,
            "path": article.path,
            "line": section.line,
        }


@dataclass(frozen=True)
class IndexedArticle:
    """What the index knows of an article: enough to skip it when its source is unchanged."""

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
    """Every article in the index with the content hash it was indexed from."""
    found: dict[str, IndexedArticle] = {}
    with ix.searcher() as searcher:
        for fields in searcher.all_stored_fields():
            found.setdefault(fields["article"], IndexedArticle(fields["article"], fields["content_hash"]))
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
        self._dirty = False

    def __enter__(self) -> "IndexWriter":
        return self

    def __exit__(self, kind, value, traceback) -> None:
        if kind is None and self._dirty:
            self._writer.commit()
        else:
            self._writer.cancel()

    def replace(self, article: Article) -> None:
        """Index an article's sections in place of whatever the index had for it."""
        self._dirty = True
        self._writer.delete_by_term("article", article.id)
        for document in documents(article):
            self._writer.add_document(**document)
            self.sections += 1

    def remove(self, article_ids: Iterable[str]) -> None:
        """Remove articles from the index."""
        for article_id in article_ids:
            self._dirty = True
            self._writer.delete_by_term("article", article_id)
