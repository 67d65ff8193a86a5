"""Reading one version of the Whoosh index: statistics for planning, ranking, and documents."""

from __future__ import annotations

from array import array
from collections import Counter
from collections.abc import Hashable, Iterator, Set

from ...errors import IndexingError
from .. import NAMES_FIELD, TEXT_FIELDS, Query, Scoring, SectionDocument, document_key
from .index import section_document
from .scorer import TermScores, column_numbers
from .versions import per_version, version


class WhooshReader:
    """A reader of one version of the index (engine.Reader), for one thread.

    Scores come from TermScores, which keeps postings per version of the index for every reader of
    it; everything a reader works out once per version (sections, locales) is kept the same way.
    """

    def __init__(self, ix, scoring: Scoring):
        self._ix = ix
        self._scoring = scoring
        self._searcher = _readable(ix.storage.folder, ix.searcher)
        self._reader = self._searcher.reader()
        self.version: Hashable = version(self._reader)
        self._empty = self._searcher.doc_count_all() == 0
        self._scores = TermScores(self._searcher, scoring)

    def __enter__(self) -> WhooshReader:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        """Close the searcher's files."""
        self._searcher.close()

    def is_current(self) -> bool:
        """Whether no commit has made a newer version since this reader was opened."""
        return _readable(self._ix.storage.folder, self._searcher.up_to_date)

    def refresh(self) -> WhooshReader:
        """A reader of the latest version (self when it is current); this one is closed if not."""
        if self.is_current():
            return self
        fresh = WhooshReader(self._ix, self._scoring)
        self.close()
        return fresh

    # --- Statistics ---------------------------------------------------------------------------

    def frequency(self, field: str, term: str) -> int:
        """How many documents hold term in field."""
        return self._scores.frequency(field, term) if not self._empty else 0

    def idf(self, field: str, term: str) -> float:
        """The term's inverse document frequency within the documents of its script."""
        return self._scores.idf(field, term) if not self._empty else 1.0

    def terms(self, field: str, start: str = "", stop: str | None = None) -> Iterator[tuple[str, int]]:
        """The field's terms from start (before stop), sorted, with how many documents hold each."""
        frequencies: Counter[str] = Counter()
        # Segment by segment: Whoosh merges segments' term lists one term at a time in Python.
        for leaf, _ in self._reader.leaf_readers():
            for raw, info in leaf.iter_field(field, start):
                term = raw.decode("utf-8")
                if stop is not None and term >= stop:
                    break
                frequencies[term] += info.doc_frequency()
        return iter(sorted(frequencies.items()))

    def texts(self, field: str, term: str, count: int) -> list[str]:
        """The field's text in at most count documents holding term."""
        if not self.frequency(field, term):
            return []
        docnums = list(self._searcher.postings(field, term).all_ids())[:count]
        return [self._searcher.stored_fields(docnum).get(field) or "" for docnum in docnums]

    # --- Ranking ------------------------------------------------------------------------------

    def top(self, query: Query, count: int) -> tuple[list[tuple[float, int]], int]:
        """The max(count, query.depth) best documents as (score, document number), bonuses added,
        best first; and how many sections matched."""
        if self._empty:
            return [], 0
        top, matched = self._scores.top(query, max(count, query.depth))
        ranked = self._scores.rescore(top, query.bonuses)
        if query.coverage is not None:
            ranked = self._scores.cover(ranked, query.coverage)
        return ranked, self._sections(matched)

    def _sections(self, docnums: Set[int]) -> int:
        """How many sections the documents are versions of (a section counts once in any locale)."""
        groups, shared = _groups(self._reader)
        # Most sections have one document: only those that share theirs are looked up.
        several = shared & docnums
        return len(docnums) - len(several) + len(set(map(groups.__getitem__, several)))

    # --- Documents ----------------------------------------------------------------------------

    def document(self, reference: int) -> SectionDocument:
        """The document a top() reference (a document number) names."""
        return section_document(self._searcher.stored_fields(reference))

    def find(self, article: str, section: str, locale: str) -> SectionDocument | None:
        """A section's document in a locale, or None."""
        if self._empty:
            return None
        number = self._searcher.document_number(key=document_key(article, section, locale))
        return self.document(number) if number is not None else None

    def documents(self, article: str) -> list[SectionDocument]:
        """Every document of an article, in every locale."""
        if self._empty:
            return []
        return [section_document(stored) for stored in self._searcher.documents(article=article)]

    def locales(self) -> tuple[str, ...]:
        """Every locale the index holds documents in, sorted."""
        return _locales(self._reader) if not self._empty else ()

    def prepare(self) -> None:
        """Read what queries need once per version (which segments hold each term, sections, locales)."""
        if self._empty:
            return
        self._scores.read_vocabulary((*TEXT_FIELDS, NAMES_FIELD))
        self._scores.idf("body", "\u0627")  # counts the Arabic-script documents
        _groups(self._reader)
        _locales(self._reader)


def _readable(folder: str, read):
    """read(), with the index gone or damaged on the way reported as an IndexingError."""
    from whoosh.index import EmptyIndexError

    try:
        return read()
    except (OSError, EOFError, EmptyIndexError) as error:
        raise IndexingError(f"cannot read the index at {folder}: {error}", folder,
                            hint="run `pipeline ingest` to rebuild it") from None


@per_version()
def _groups(reader) -> tuple[array, frozenset[int]]:
    """The section of every document of a version of the index (its group column, read whole),
    and the documents whose section has another document (in another locale, or deleted)."""
    groups = array("Q")
    for leaf, _ in reader.leaf_readers():
        groups += column_numbers(leaf, "group")
    counts = Counter(groups)
    return groups, frozenset(docnum for docnum, group in enumerate(groups) if counts[group] > 1)


@per_version()
def _locales(reader) -> tuple[str, ...]:
    """Every locale in a version of the index, sorted."""
    return tuple(sorted(reader.field_terms("locale")))
