"""The exact score of a document for a query, as every engine of the project scores it.

The cluster ranks candidates with statistics it can only approximate (a field's length rounded to
Lucene's one-byte norm, lengths and averages per script field and per shard); the best of them
are scored again here, from their text analysed by pipeline.analysis (the terms they were indexed
with) and the index's statistics counted over the whole index: BM25F with idf ln(N / (df + 1)) + 1,
N the documents of the term's script, B and K1 by script (B by field for title and heading), the
field's length rounded as the embedded engine stores it, and the average length over every
document. A phrase scores the sum of its words' scores; a proximity bonus adds its weight times
its two words' scores where the second follows the first within its slop.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

from ...analysis import index_terms, is_arabic_term
from .. import (
    ARABIC_SCRIPT_LOCALES,
    TEXT_FIELDS,
    Clause,
    Coverage,
    Proximity,
    Query,
    Scoring,
    SectionDocument,
    field_text,
)

# The embedded engine stores a field's length in one byte, as the smallest of these at least as
# long (Whoosh's whoosh.util.numeric length_to_byte, whose table is made by this formula): its
# BM25 uses that rounded length.
LENGTHS = tuple(int(round((pow(1.033, n) - 1) * 27)) for n in range(256))


def stored_length(length: int) -> int:
    """A field's length as the embedded engine's BM25 sees it."""
    from bisect import bisect_left

    return LENGTHS[min(bisect_left(LENGTHS, length), 255)]


@dataclass(frozen=True)
class Statistics:
    """What a version of the index knows of all its documents.

    documents: how many there are; arabic_documents: how many in Arabic-script locales.
    lengths: the sum of each text field's length (in terms) over every document.
    """

    documents: int
    arabic_documents: int
    lengths: tuple[tuple[str, int], ...]

    def average_length(self, field: str) -> float:
        return (dict(self.lengths).get(field, 0) / self.documents if self.documents else 0.0) or 1.0

    def idf(self, term: str, frequency: int) -> float:
        """A term's idf, among the documents of its script."""
        total = self.arabic_documents if is_arabic_term(term) else self.documents
        return math.log(max(total, frequency + 1) / (frequency + 1)) + 1


def is_arabic_script_locale(locale: str) -> bool:
    return locale.split("_")[0] in ARABIC_SCRIPT_LOCALES


class FieldText:
    """A text field of a document, analysed: each term's positions, and the field's length."""

    __slots__ = ("positions", "length")

    def __init__(self, text: str):
        _, terms = index_terms(text)
        self.length = len(terms)
        self.positions: dict[str, list[int]] = {}
        for position, term in enumerate(terms):
            self.positions.setdefault(term, []).append(position)

    def frequency(self, term: str) -> int:
        return len(self.positions.get(term, ()))

    def has_phrase(self, words: tuple[str, ...]) -> bool:
        """Whether the words are in the field one right after the other."""
        starts = self.positions.get(words[0], ())
        following = [frozenset(self.positions.get(word, ())) for word in words[1:]]
        return any(all(start + i in found for i, found in enumerate(following, 1)) for start in starts)

    def follows(self, first: str, second: str, slop: int) -> bool:
        """Whether second is at most slop positions after first."""
        after = frozenset(self.positions.get(second, ()))
        return any(start + step in after for start in self.positions.get(first, ())
                   for step in range(1, slop + 1))


class Scorer:
    """Scores documents for queries with a version's statistics and document frequencies.

    frequency(field, term): how many documents hold term in field.
    """

    def __init__(self, statistics: Statistics, scoring: Scoring, frequency):
        self.statistics = statistics
        self.scoring = scoring
        self._frequency = frequency
        self._field_b = dict(scoring.field_b)
        self._idf: dict[tuple[str, str], float] = {}

    def idf(self, field: str, term: str) -> float:
        key = (field, term)
        found = self._idf.get(key)
        if found is None:
            found = self._idf[key] = self.statistics.idf(term, self._frequency(field, term))
        return found

    def term(self, field: str, term: str, text: FieldText) -> float:
        """BM25 of a term in a document's field (0 when the field lacks it)."""
        frequency = text.frequency(term)
        if not frequency:
            return 0.0
        b, k1 = self.scoring.arabic if is_arabic_term(term) else self.scoring.latin
        b = self._field_b.get(field, b)
        norm = k1 * ((1 - b) + b * stored_length(text.length) / self.statistics.average_length(field))
        return self.idf(field, term) * ((frequency * (k1 + 1)) / (frequency + norm))

    def clause(self, clause: Clause, fields: dict[str, FieldText]) -> float | None:
        """A clause's weighted score in a document, or None when it does not match."""
        text = fields[clause.field]
        if len(clause.terms) == 1:
            if not text.frequency(clause.terms[0]):
                return None
        elif not text.has_phrase(clause.terms):
            return None
        return clause.weight * sum(self.term(clause.field, term, text) for term in clause.terms)

    def document(self, query: Query, fields: dict[str, FieldText]) -> float | None:
        """A document's score for query (bonuses aside), or None when it does not match.

        It matches when some clause of should does (if it has any), and every group of must has a
        clause that does.
        """
        total, matched = 0.0, False
        for clause in query.should:
            score = self.clause(clause, fields)
            if score is not None:
                total += score
                matched = True
        if query.should and not matched:
            return None
        for group in query.must:
            scores = [score for score in (self.clause(clause, fields) for clause in group) if score is not None]
            if not scores:
                return None
            total += sum(scores)
        return total

    def bonus(self, bonuses: Iterable[Proximity], fields: dict[str, FieldText]) -> float:
        """The proximity bonuses a document gains."""
        total = 0.0
        for bonus in bonuses:
            text = fields[bonus.field]
            if text.frequency(bonus.first) and text.frequency(bonus.second) \
                    and text.follows(bonus.first, bonus.second, bonus.slop):
                total += bonus.weight * (self.term(bonus.field, bonus.first, text)
                                         + self.term(bonus.field, bonus.second, text))
        return total


    @staticmethod
    def coverage(coverage: Coverage, fields: dict[str, FieldText]) -> float:
        """The factor a document's score gets for the share of the query it holds (engine.Coverage)."""
        held = sum(weight for group, weight in zip(coverage.groups, coverage.weights)
                   if any(fields[field].frequency(term) for term in group for field in coverage.fields))
        return (held / (sum(coverage.weights) or 1.0)) ** coverage.power


def analysed(document: SectionDocument) -> dict[str, FieldText]:
    """A document's text fields, analysed as they are indexed (engine.field_text)."""
    return {field: FieldText(field_text(document, field)) for field in TEXT_FIELDS}
