"""The engine boundary: what the domain hands an engine, and what it asks of one.

The domain (sources, catalogues, localized sections, the query plan) knows no engine. It hands an
engine documents, one per section and locale (SectionDocument), and asks it for the best documents
for a plan of weighted terms (Query). An engine stores and scores them: the embedded Whoosh index
(`whoosh/`, the default), or an OpenSearch cluster (`opensearch/`). Every engine scores alike:
BM25F over the text fields, with statistics and parameters per script (Scoring), a plan's clauses
summed, its proximity bonuses added to the best candidates, and its coverage factor applied to them.

    engine = open_engine(config)
    with engine.writer() as writer:                  # all or nothing
        writer.replace(article_id, documents, keep_locales)
    with engine.reader() as reader:                  # one version of the index
        ranked, total = reader.top(query, 30)
        reader.document(ranked[0][1])
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Hashable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, NamedTuple, Protocol

from ..errors import IndexingError

if TYPE_CHECKING:
    from pathlib import Path

    from ..config import Config

# The text fields every engine indexes and scores, analysed by pipeline.analysis. `aliases` holds
# the article's other names ("Lazy eye" for Amblyopia), one a line, in every section's document:
# each section is found through them as through its title.
TEXT_FIELDS = ("title", "heading", "body", "aliases")
# Every name of a section's article, its title and its other names, each one term: the name's
# analysed words joined by a space (name_key: "kidney stone"). A plan looks a query's phrases up
# there to learn that it names an article (whose every section is then found as by its title), and
# reads the other names of articles so named (Reader.texts gives them, one a line) to look for
# those too: an article's title and aliases are one concept, whatever other articles call it.
NAMES_FIELD = "names"


@dataclass(frozen=True)
class SectionDocument:
    """One section of an article in one locale, as every engine stores it.

    article, section, locale: its identity (key: `<article>#<section>@<locale>`).
    status: `source`, `translated` or `partial` (model.py); a section with nothing translated
        into a locale has no document there.
    fallbacks: indexes of the paragraphs of body that show the source text.
    content_hash: the state of the article's source and catalogues it was made from.
    title, heading, body: the text fields (body: paragraphs joined by blank lines).
    position: the section's place in its article; path, line: where it is in the sources.
    aliases: the article's other names in that locale, one a line ("" when it has none).
    """

    article: str
    section: str
    locale: str
    status: str
    fallbacks: tuple[int, ...]
    content_hash: str
    title: str
    heading: str
    body: str
    position: int
    path: str
    line: int
    aliases: str = ""

    @property
    def other_names(self) -> tuple[str, ...]:
        """The article's other names (aliases), in order."""
        return tuple(name for name in self.aliases.split("\n") if name)

    @property
    def names(self) -> str:
        """The article's title (first, even when empty) and other names, one a line: the text of
        NAMES_FIELD."""
        return "\n".join((self.title, *self.other_names))

    @property
    def key(self) -> str:
        """`<article>#<section>@<locale>`."""
        return document_key(self.article, self.section, self.locale)

    @property
    def group(self) -> int:
        """The number of its section, the same in every locale (group_number)."""
        return group_number(self.article, self.section)


def field_text(document: SectionDocument, field: str) -> str:
    """The text an engine analyses for a text field of a document.

    The other names are indexed for what they add to the title: a word of the title is left out
    of them ("Sleep-disordered breathing" of Sleep Apnea is indexed as "disordered breathing"), so
    a word the title already holds is not counted for the article a second time, in a field of its
    own, ahead of every other article with that title.
    """
    if field != "aliases":
        return getattr(document, field)
    from ..analysis import term_spans

    title = {term for _, _, term in term_spans(document.title)}
    return "\n".join(" ".join(name[start:end] for start, end, term in term_spans(name) if term not in title)
                     for name in document.other_names)


def name_key(name: str) -> str:
    """The term a name is indexed as in NAMES_FIELD: its analysed words joined by a space."""
    from ..analysis import analyze

    return " ".join(analyze(name))


def document_key(article: str, section: str, locale: str) -> str:
    """The index key of one section in one locale: `<article>#<section>@<locale>`."""
    return f"{article}#{section}@{locale}"


def group_number(article: str, section: str) -> int:
    """The number of a section in every locale: 64 bits of a hash of its ids (two of a hundred
    thousand sections share one with a chance of 3 in 10 billion)."""
    digest = hashlib.blake2b(f"{article}#{section}".encode("utf-8"), digest_size=8).digest()
    return int.from_bytes(digest, "big")


@dataclass(frozen=True)
class IndexedArticle:
    """What an engine holds of an article: enough to skip it when neither source nor catalogues changed.

    content_hash: the state it was indexed from ("" when its documents disagree: index it again).
    stamp: the stamp (files.stamp) of its source and catalogues when they had that state; ""
        when unknown (their contents must then be hashed to know whether they changed).
    """

    id: str
    content_hash: str
    stamp: str = ""


# Clauses and bonuses are named tuples rather than dataclasses: a reader's question makes hundreds
# of them (each word in each field, root families, synonyms), and a tuple is made several times faster.
class Clause(NamedTuple):
    """Documents holding a term, or a phrase, in a field, scored by BM25F times weight.

    terms: one analysed term, or the analysed terms of a phrase in order (each right after the
    other; the phrase scores the sum of its terms' scores).
    """

    field: str
    terms: tuple[str, ...]
    weight: float


class Proximity(NamedTuple):
    """A bonus for two query words near each other in a field of a section.

    A candidate with `second` at most `slop` positions after `first` in `field` gains `weight`
    times the two words' scores there.
    """

    field: str
    first: str
    second: str
    slop: int
    weight: float


class Coverage(NamedTuple):
    """How much of a query the best candidates hold, as a factor of their scores.

    A candidate's score, bonuses added, is multiplied by (the weight of the groups it holds / the
    weight of every group) ** power. A group is held when any of its terms is in any of fields
    (a word typed and the terms that stand for it: its synonyms, its corrections).
    """

    groups: tuple[tuple[str, ...], ...]
    weights: tuple[float, ...]
    fields: tuple[str, ...]
    power: float


@dataclass(frozen=True)
class Query:
    """What an engine runs: the plan's clauses, in engine terms.

    should: clauses any of which may match; a document scores the sum of those it matches.
    must: groups of clauses (a quoted phrase in any field) each of which must match at least once;
        their scores add to the document's.
    bonuses: proximity bonuses, added to the best candidates only (a second ranking phase).
    depth: how many of the best candidates the bonuses (and coverage) may reorder.
    coverage: a factor for how much of the query each of those candidates holds, or None.
    """

    should: tuple[Clause, ...]
    must: tuple[tuple[Clause, ...], ...] = ()
    bonuses: tuple[Proximity, ...] = ()
    depth: int = 30
    coverage: Coverage | None = None


@dataclass(frozen=True)
class Scoring:
    """How every engine scores a term: BM25 with parameters and statistics per script.

    An Arabic term's idf counts only the documents in Arabic-script locales (ARABIC_SCRIPT_LOCALES);
    B and K1 depend on the term's script; field_b sets B for a field whatever the script.
    """

    latin: tuple[float, float] = (0.75, 1.2)
    arabic: tuple[float, float] = (1.0, 5.0)
    field_b: tuple[tuple[str, float], ...] = (("title", 1.0), ("heading", 1.0), ("aliases", 1.0), ("names", 0.0))


# Locales written in Arabic script: their documents are the collection an Arabic term's rarity is
# measured against.
ARABIC_SCRIPT_LOCALES = ("ar", "fa", "ur", "ps", "ckb", "sd", "ug")


class Reader(Protocol):
    """One version of the index, read by one thread. A context manager; close() when done."""

    version: Hashable  # equal for readers of the same version of the same index

    def __enter__(self) -> Reader: ...
    def __exit__(self, *exc) -> None: ...
    def close(self) -> None: ...
    def is_current(self) -> bool:
        """Whether no commit has made a newer version since this reader was opened."""
    def refresh(self) -> Reader:
        """A reader of the latest version (self when it is current)."""

    # Statistics, for planning a query.
    def frequency(self, field: str, term: str) -> int:
        """How many documents hold term in field."""
    def idf(self, field: str, term: str) -> float:
        """The term's inverse document frequency as the engine's BM25 uses it (per script)."""
    def terms(self, field: str, start: str = "", stop: str | None = None) -> Iterator[tuple[str, int]]:
        """The field's terms from start (before stop), sorted, with how many documents hold each."""
    def texts(self, field: str, term: str, count: int) -> list[str]:
        """The field's text in at most count documents holding term (how readers write it)."""

    # Ranking.
    def top(self, query: Query, count: int) -> tuple[list[tuple[float, Hashable]], int]:
        """The max(count, query.depth) best documents for query as (score, reference), best first
        (equal scores in index order), with bonuses added and coverage applied; and how many
        sections (not documents) matched."""

    # Documents.
    def document(self, reference: Hashable) -> SectionDocument:
        """The document a top() reference names."""
    def find(self, article: str, section: str, locale: str) -> SectionDocument | None:
        """A section's document in a locale, or None."""
    def documents(self, article: str) -> list[SectionDocument]:
        """Every document of an article, in every locale."""
    def locales(self) -> tuple[str, ...]:
        """Every locale the index holds documents in, sorted."""
    def prepare(self) -> None:
        """Read what every query of this version needs, before the first one asks."""


class Writer(Protocol):
    """Changes to the index that land together at the end of a `with` block, or not at all.

    sections, by_locale: documents written, in all and per locale.
    """

    sections: int
    by_locale: dict[str, int]

    def __enter__(self) -> Writer: ...
    def __exit__(self, kind, value, traceback) -> None: ...
    def replace(self, article: str, documents: Iterable[SectionDocument], keep_locales: Iterable[str] = ()) -> None:
        """Index an article's documents in place of what the index had for it (but those in
        keep_locales, whose catalogue could not be read: they stay as they are)."""
    def delete(self, article: str, keep_locales: Iterable[str] = ()) -> None:
        """Delete an article's documents, but those in keep_locales."""
    def add_parts(self, parts: Sequence, sections: Mapping[str, int]) -> None:
        """Add parts that PartBuilders finished (in worker processes), holding sections per locale."""


class PartBuilder(Protocol):
    """Documents written by a worker process outside any commit; a Writer adds the finished part."""

    sections: int
    by_locale: dict[str, int]

    def add(self, documents: Iterable[SectionDocument]) -> None: ...
    def finish(self): ...
    def abandon(self) -> None: ...


class Engine(Protocol):
    """Where the documents are stored and scored.

    name: the engine's name (ENGINES).
    location: where its index is, for messages (a folder, or a cluster's address and index).
    builds_parts: whether worker processes may build parts of the next version (part_builder);
        else an ingest writes every document through the writer, in one process.
    """

    name: str
    location: str
    builds_parts: bool

    def exists(self) -> bool:
        """Whether there is an index (of this version of the pipeline) to read."""
    def known_articles(self) -> tuple[dict[str, IndexedArticle], bool]:
        """Every article indexed, with its state; and whether that came from a manifest that is
        current (no need to write it again)."""
    def write_manifest(self, articles: Iterable[IndexedArticle]) -> None:
        """Record what the latest version holds (after a commit, holding the ingest lock)."""
    def writer(self) -> Writer:
        """A writer of the next version (creating the index if there is none)."""
    def part_builder(self) -> PartBuilder:
        """A builder for a worker process, once writer() has made the index (builds_parts only)."""
    def reader(self) -> Reader:
        """A reader of the latest version; IndexingError when there is no index."""


def _whoosh(config: Config) -> Engine:
    from .whoosh import WhooshEngine

    return WhooshEngine(config.index)


def _opensearch(config: Config) -> Engine:
    from .opensearch import OpenSearchEngine

    return OpenSearchEngine.from_config(config)


# Each engine is imported only when it is used.
ENGINES: dict[str, Callable[[Config], Engine]] = {"whoosh": _whoosh, "opensearch": _opensearch}


def _opensearch_files(config: Config, documents: Iterable[SectionDocument], out_dir: Path):
    from .opensearch.export import export

    return export(documents, out_dir, config.cluster)


# What `pipeline export --format NAME` writes: files an engine's own tools load, with no engine
# running (name -> what writes them and returns a report of what it wrote).
EXPORTS: dict[str, Callable[[Config, Iterable[SectionDocument], Path], object]] = {"opensearch": _opensearch_files}


def open_engine(config: Config) -> Engine:
    """The engine config names (config.engine), for config's index."""
    try:
        make = ENGINES[config.engine]
    except KeyError:
        raise IndexingError(f"unknown search engine {config.engine!r}",
                            hint=f"use one of: {', '.join(sorted(ENGINES))}") from None
    return make(config)
