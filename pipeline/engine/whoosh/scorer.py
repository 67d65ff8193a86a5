"""Best-match scoring over postings kept in memory, for the many-word questions readers ask.

Whoosh scores a query document by document through a tree of matchers, in Python; a reader's
question makes dozens of clauses (each word in three fields, corrections, synonyms, root
families), and walking them was most of a search's time. Here a term's postings are read once
per version of the index, a block at a time, and scored with BM25 (engine.Scoring) into
two arrays (document numbers, scores). A query is then one addition per posting (fewer with
MaxScore: TermScores.top), and the terms later queries share (the common words of a language)
are not read again. A phrase is read the same way, from its words' postings and positions.

Scores are the ones Whoosh gives for the same query with the same BM25F; the tests compare the two.
"""

from __future__ import annotations

import heapq
import math
import sys
import threading
from array import array
from bisect import bisect_left
from collections.abc import Sequence, Set
from itertools import accumulate, compress, repeat
from operator import ge, mul

from whoosh.util.numeric import byte_to_length

from ...analysis import is_arabic_term
from .. import ARABIC_SCRIPT_LOCALES, Clause, Query, Scoring
from .codec import SegmentPostings, length_bytes
from .internals import column_bytes, per_document
from .versions import per_version

# Scores summed in another order may differ in the last bits: bounds are compared with room to spare.
_MARGIN = 1 + 1e-9

# How many postings a version of the index keeps (8 bytes each, 16 once scored); the least
# recently used terms go first. The shared corpus's questions touch about 2,700 postings each.
POSTINGS_BUDGET = 3_000_000


class KeptPostings:
    """Scored postings and term statistics of one version of the index, shared by its searchers
    (the web reader has one per thread) and safe to use from several threads."""

    def __init__(self, budget: int = POSTINGS_BUDGET):
        self.budget = budget
        self.count = 0  # postings kept
        # (field, term) or (field, phrase's words) -> postings, the most recently used last
        self.terms: dict[tuple[str, str | tuple[str, ...]], tuple[array, Sequence[float], float]] = {}
        # (field, term) -> TermScores._entries; filled without the lock: whoever writes an entry
        # first, the value is the same.
        self.entries: dict[tuple[str, str], tuple[tuple[int, tuple[int, int] | None], ...]] = {}
        self.frequencies: dict[tuple[str, str], int] = {}  # (field, term) -> documents holding it
        # (field, B, K1) -> BM25's length part for each document
        self.norms: dict[tuple[str, float, float], array] = {}
        # (field, term) -> idf; and how many documents are in an Arabic-script locale (TermScores)
        self.idfs: dict[tuple[str, str], float] = {}
        self.arabic_documents: int | None = None
        # field -> term -> the segments holding it (bit i for the i-th), for the fields whose
        # vocabulary was read (TermScores.read_vocabulary); a term of another field is looked up
        # in every segment.
        self.holders: dict[str, dict[str, int]] = {}
        self._lock = threading.Lock()

    def get(self, key: tuple) -> tuple[array, Sequence[float], float] | None:
        """A term's or phrase's kept postings (document numbers, scores, the highest score), or None."""
        with self._lock:
            postings = self.terms.pop(key, None)
            if postings is not None:
                self.terms[key] = postings
            return postings

    def keep(self, key: tuple, postings: tuple[array, Sequence[float], float]) -> None:
        """Keep a term's or phrase's postings, forgetting the least recently used terms past the budget."""
        with self._lock:
            if key in self.terms:
                return
            self.terms[key] = postings
            self.count += len(postings[0])
            while self.count > self.budget and len(self.terms) > 1:
                self.count -= len(self.terms.pop(next(iter(self.terms)))[0])


class TermScores:
    """Scores queries with a searcher from postings read on first use and kept.

    searcher: a Whoosh searcher of the index.
    scoring: BM25's parameters and statistics per script (engine.Scoring).
    kept: where postings are kept; by default, shared by every searcher of the same version of
    the index with equal scoring.
    """

    def __init__(self, searcher, scoring: Scoring, kept: KeptPostings | None = None):
        self._searcher = searcher
        self._scoring = scoring
        self._field_b = dict(scoring.field_b)
        self._kept = _shared(searcher.reader(), scoring) if kept is None else kept
        self._segment_postings: list[SegmentPostings] | None = None

    def idf(self, fieldname: str, text: str) -> float:
        """A term's inverse document frequency within the documents of its script.

        An Arabic term's counts only the documents in Arabic-script locales: an English section can
        never hold it, so counting those would make common Arabic words look rare.
        """
        key = (fieldname, text)
        idf = self._kept.idfs.get(key)
        if idf is None:
            frequency = self.frequency(fieldname, text)
            total = self._arabic_documents() if is_arabic_term(text) else self._searcher.doc_count_all()
            idf = self._kept.idfs[key] = math.log(max(total, frequency + 1) / (frequency + 1)) + 1
        return idf

    def _arabic_documents(self) -> int:
        """How many documents of the version are in an Arabic-script locale."""
        if self._kept.arabic_documents is None:
            reader = self._searcher.reader()
            self._kept.arabic_documents = sum(
                reader.doc_frequency("locale", locale) for locale in reader.field_terms("locale")
                if locale.split("_")[0] in ARABIC_SCRIPT_LOCALES)
        return self._kept.arabic_documents

    def _parameters(self, fieldname: str, text: str) -> tuple[float, float, float, float]:
        """(idf, average field length, B, K1) of a term: B and K1 by its script, B by field too."""
        b, k1 = self._scoring.arabic if is_arabic_term(text) else self._scoring.latin
        return (self.idf(fieldname, text), self._searcher.avg_field_length(fieldname) or 1,
                self._field_b.get(fieldname, b), k1)

    def term(self, fieldname: str, text: str) -> tuple[array, Sequence[float]]:
        """The document numbers holding a term in a field, and the term's score in each."""
        return self._postings((fieldname, text))[:2]

    def phrase(self, fieldname: str, words: tuple[str, ...]) -> tuple[array, Sequence[float]]:
        """The document numbers holding the words one after another in a field, and the phrase's
        score in each: the sum of the words' scores there, as Whoosh's Phrase scores it."""
        return self._postings((fieldname, words))[:2]

    def _postings(self, key: tuple) -> tuple[array, Sequence[float], float]:
        """A term's or phrase's kept postings and their highest score (at most), read on first use."""
        postings = self._kept.get(key)
        if postings is None:
            fieldname, text = key
            if isinstance(text, str):
                postings = self._read(fieldname, text)
            else:
                docnums, scores = self._read_phrase(fieldname, text)
                postings = (docnums, scores, max(scores, default=0.0))
            self._kept.keep(key, postings)
        return postings

    def _read_phrase(self, fieldname: str, words: tuple[str, ...]) -> tuple[array, array]:
        """A phrase's postings: the documents holding every word (from the words' kept postings),
        then the positions of the words in those documents alone."""
        distinct = list(dict.fromkeys(words))
        each = [self.term(fieldname, word)[0] for word in distinct]
        common = sorted(set(each[0]).intersection(*each[1:]))
        docnums, scores = array("i"), array("d")
        if not common:
            return docnums, scores
        positions: dict[str, dict[int, frozenset[int]]] = {word: {} for word in distinct}
        held = {}
        for word in distinct:
            self._positions(fieldname, word, common, positions[word])
            held[word] = self._among(fieldname, word, common)
        after = list(enumerate(words[1:], 1))
        for docnum in common:
            if any(all(start + i in positions[word][docnum] for i, word in after)
                   for start in positions[words[0]][docnum]):
                docnums.append(docnum)
                scores.append(sum(held[word][docnum] for word in words))
        return docnums, scores

    def frequency(self, fieldname: str, text: str) -> int:
        """How many documents have a term in a field."""
        found = self._kept.frequencies.get((fieldname, text))
        if found is None:
            found = self._kept.frequencies[(fieldname, text)] = sum(
                frequency for frequency, _ in self._entries(fieldname, text))
        return found

    def _entries(self, fieldname: str, text: str) -> tuple[tuple[int, tuple[int, int] | None], ...]:
        """How many documents of each segment have a term in a field, and where the term's entry
        is in the segment's term table (remembered: each is a lookup in the term table)."""
        key = (fieldname, text)
        found = self._kept.entries.get(key)
        if found is None:
            holders = self._kept.holders.get(fieldname)
            held = -1 if holders is None else holders.get(text, 0)  # -1: every bit set
            term = self._searcher.schema[fieldname].to_bytes(text)
            entries = []
            for bit, segment in enumerate(self._segments()):
                entry = segment.find(fieldname, term) if held >> bit & 1 else None
                entries.append((segment.doc_frequency(entry), entry) if entry else (0, None))
            found = self._kept.entries[key] = tuple(entries)
        return found

    def read_vocabulary(self, fieldnames: Sequence[str]) -> None:
        """Note which segments hold each term of the fields, so that a term is then only looked up
        where it is: most lookups are for terms a segment lacks (a word in the title field, a
        spelling variant), and a dictionary answers those far sooner than a term table."""
        for fieldname in fieldnames:
            if fieldname not in self._kept.holders:
                holders: dict[str, int] = {}
                for bit, segment in enumerate(self._segments()):
                    for term in segment.terms(fieldname):
                        holders[term] = holders.get(term, 0) | 1 << bit
                self._kept.holders[fieldname] = holders

    def _segments(self) -> list[SegmentPostings]:
        """The searcher's segments, to read terms from."""
        if self._segment_postings is None:
            self._segment_postings = [SegmentPostings(leaf.reader())
                                      for leaf, _ in self._searcher.leaf_searchers()]
        return self._segment_postings

    def scores(self, query: Query) -> dict[int, float]:
        """Every document the query matches (document number → score)."""
        found: dict[int, float] = {}
        for clause in query.should:
            _add_postings(self._clause_postings(clause), found, clause.weight)
        if not query.must:
            return found
        parts = []
        for group in query.must:
            part: dict[int, float] = {}
            for clause in group:
                _add_postings(self._clause_postings(clause), part, clause.weight)
            parts.append(part)
        common = set(parts[0]).intersection(*parts[1:])
        if query.should:
            common &= found.keys()
        return {docnum: found.get(docnum, 0.0) + sum(part[docnum] for part in parts) for docnum in common}

    def top(self, query: Query, count: int) -> tuple[list[tuple[float, int]], Set[int]]:
        """The count best documents for query, best(self.scores(query), count), and every document
        the query matches.

        A query that only sums clauses (no must groups) is scored by MaxScore (Turtle and Flood,
        1995): the clauses that can add most are summed first; once the others together cannot
        lift a document past the count-th best score so far, they are only looked up for the
        documents still in reach. The common words of a question, in thousands of documents each,
        are then rarely summed in full.
        """
        if query.must or len(query.should) < 2 or any(clause.weight <= 0 for clause in query.should):
            found = self.scores(query)
            return best(found, count), found.keys()
        clauses = []
        for clause in query.should:
            docnums, scores, highest = self._postings(_key(clause))
            clauses.append((docnums, scores, highest * clause.weight, clause.weight))
        clauses.sort(key=lambda clause: clause[2], reverse=True)
        matched = set().union(*(docnums for docnums, _, _, _ in clauses))
        found = {}
        least = 0.0  # the count-th best score so far: the best can only be higher
        checked = float("inf")  # what the clauses left could add when least was taken
        # What the clauses from each one on can add at most.
        lefts = list(accumulate(bound for _, _, bound, _ in reversed(clauses)))[::-1]
        for done, (docnums, scores, _, factor) in enumerate(clauses):
            left = lefts[done]
            if len(found) >= count and left <= checked / 2:
                least, checked = heapq.nlargest(count, found.values())[-1], left
            if left * _MARGIN < least:  # no document outside found can reach the best
                return best(self._finish(found, clauses[done:], left, least), count), matched
            _add_postings((docnums, scores), found, factor)
        return best(found, count), matched

    @staticmethod
    def _finish(found: dict[int, float], rest: list, left: float, least: float) -> dict[int, float]:
        """The full scores of the documents of found that the rest of the clauses (adding at most
        left) can lift to least or above."""
        reach = least - left * _MARGIN
        candidates = sorted(compress(found, map(ge, found.values(), repeat(reach))))
        if len(candidates) * len(rest) > sum(len(docnums) for docnums, _, _, _ in rest):
            for docnums, scores, _, factor in rest:  # looking up costs more than adding
                _add_postings((docnums, scores), found, factor)
            return found
        final = {docnum: found[docnum] for docnum in candidates}
        # What the clauses after each one can add at most.
        lefts = list(accumulate((bound for _, _, bound, _ in reversed(rest[1:])), initial=0.0))[::-1]
        for (docnums, scores, _, factor), left in zip(rest, lefts):
            i, size = 0, len(docnums)
            for docnum in candidates:
                i = bisect_left(docnums, docnum, i)
                if i < size and docnums[i] == docnum:
                    final[docnum] += scores[i] * factor
            # Documents the clauses left can no longer lift to least are not among the best.
            reach = least - left * _MARGIN
            candidates = [docnum for docnum in candidates if final[docnum] >= reach]
        return {docnum: final[docnum] for docnum in candidates}

    def _clause_postings(self, clause: Clause) -> tuple[array, Sequence[float]]:
        """A clause's documents and their scores."""
        return self._postings(_key(clause))[:2]

    def rescore(self, top: list[tuple[float, int]], bonuses) -> list[tuple[float, int]]:
        """Add proximity bonuses (engine.Proximity) to (score, docnum) candidates, best first.

        Positions are read for the candidates alone, so the cost does not grow with the index.
        """
        scores = {docnum: score for score, docnum in top}
        candidates = sorted(scores)
        held: dict[tuple[str, str], dict[int, float]] = {}  # (field, word) -> its score in candidates
        positions: dict[tuple[str, str], dict[int, frozenset[int]]] = {}
        for bonus in bonuses:
            for key in ((bonus.field, bonus.first), (bonus.field, bonus.second)):
                if key not in held:  # a word is in two pairs
                    held[key] = self._among(*key, candidates)
            first, second = held[bonus.field, bonus.first], held[bonus.field, bonus.second]
            both = [docnum for docnum in first if docnum in second]
            if not both:
                continue
            starts = positions.setdefault((bonus.field, bonus.first), {})
            ends = positions.setdefault((bonus.field, bonus.second), {})
            for word, found in ((bonus.first, starts), (bonus.second, ends)):
                self._positions(bonus.field, word, [d for d in both if d not in found], found)
            steps = range(1, bonus.slop + 1)
            for docnum in both:
                after = ends[docnum]
                if any(start + step in after for start in starts[docnum] for step in steps):
                    scores[docnum] += bonus.weight * (first[docnum] + second[docnum])
        return sorted(((score, docnum) for docnum, score in scores.items()), key=_best_first)

    def cover(self, top: list[tuple[float, int]], coverage) -> list[tuple[float, int]]:
        """Multiply (score, docnum) candidates by how much of the query each holds (engine.Coverage),
        best first. Terms are looked up among the candidates alone, in postings already kept."""
        candidates = sorted(docnum for _, docnum in top)
        held = {docnum: 0.0 for docnum in candidates}
        for group, weight in zip(coverage.groups, coverage.weights):
            holders: set[int] = set()
            for term in group:
                for fieldname in coverage.fields:
                    holders.update(self._among(fieldname, term, candidates))
            for docnum in holders:
                held[docnum] += weight
        total = sum(coverage.weights) or 1.0
        scored = [(score * (held[docnum] / total) ** coverage.power, docnum) for score, docnum in top]
        return sorted(scored, key=_best_first)

    def _among(self, fieldname: str, text: str, candidates: list[int]) -> dict[int, float]:
        """The term's score in each of the (sorted) candidates that hold it."""
        docnums, scores = self.term(fieldname, text)
        found = {}
        i, size = 0, len(docnums)
        for docnum in candidates:  # each is found at or after the previous one
            i = bisect_left(docnums, docnum, i)
            if i == size:
                break
            if docnums[i] == docnum:
                found[docnum] = scores[i]
        return found

    def _positions(self, fieldname: str, text: str, docnums: list[int],
                   found: dict[int, frozenset[int]]) -> None:
        """Read where a term is in the field of each of docnums (sorted, all holding it) into found."""
        segments = zip(self._segments(), self._entries(fieldname, text), self._searcher.leaf_searchers())
        for segment, (_, entry), (leaf, offset) in segments:
            end = offset + leaf.doc_count_all()
            local = [docnum - offset for docnum in docnums if offset <= docnum < end]
            if local:
                for docnum, positions in segment.positions(fieldname, entry, local):
                    found[docnum + offset] = frozenset(positions)

    def _read(self, fieldname: str, text: str) -> tuple[array, Scores, float]:
        """A term's postings over every segment, their BM25 scores, and the highest score (at most)."""
        docnums, weights = array("i"), array("f")
        searcher = self._searcher
        entries = self._entries(fieldname, text)
        if not any(frequency for frequency, _ in entries):  # no statistics or lengths to read
            return docnums, Scores(docnums, weights, array("d"), 0.0, 0.0), 0.0
        idf, avgfl, b, k1 = self._parameters(fieldname, text)
        norms = self._norms(fieldname, b, k1, avgfl)
        k1_plus_1 = k1 + 1
        highest = 0.0
        for segment, (_, entry), (_, offset) in zip(self._segments(), entries, searcher.leaf_searchers()):
            if entry is None:
                continue
            for ids, block_weights, weight, length in segment.blocks(fieldname, entry):
                docnums.extend([docnum + offset for docnum in ids] if offset else ids)
                weights.extend(block_weights)
                # No posting of the block has a higher frequency or a shorter field.
                norm = k1 * ((1 - b) + b * length / avgfl)
                highest = max(highest, idf * ((weight * k1_plus_1) / (weight + norm)))
        scores = Scores(docnums, weights, norms, idf, k1_plus_1)
        if len(docnums) <= SCORED_AT_ONCE:
            highest = max(scores, default=0.0)
        return docnums, scores, highest

    def _norms(self, fieldname: str, b: float, k1: float, avgfl: float) -> array:
        """BM25's length part for every document of the version, in a field (kept)."""
        key = (fieldname, b, k1)
        norms = self._kept.norms.get(key)
        if norms is None:
            # A length is one of 256 values: the part is worked out for each.
            part = [k1 * ((1 - b) + b * length / avgfl) for length in _LENGTHS]
            norms = array("d")
            for leaf, _ in self._searcher.leaf_searchers():
                # Read whole: a call per document (doc_field_length) was half a term's first read.
                norms.extend(map(part.__getitem__, length_bytes(per_document(leaf.reader()), fieldname)))
            self._kept.norms[key] = norms
        return norms


# Terms with at most this many postings are scored when read, for their exact highest score;
# longer ones (the common words) when a query first adds them up in full, and often never.
SCORED_AT_ONCE = 1024


class Scores(Sequence):
    """A term's score in each of its postings (scoring.bm25 written out: a call per posting would
    cost more than reading it), worked out for all of them when first iterated: a query often only
    looks up a common word's score in the few documents still in reach (TermScores.top)."""

    __slots__ = ("_docnums", "_weights", "_norms", "_idf", "_k1_plus_1", "_all")

    def __init__(self, docnums: array, weights: array, norms: array, idf: float, k1_plus_1: float):
        self._docnums, self._weights, self._norms = docnums, weights, norms
        self._idf, self._k1_plus_1 = idf, k1_plus_1
        self._all: array | None = None  # set once, to the same value whichever thread does it

    def __len__(self) -> int:
        return len(self._weights)

    def __getitem__(self, i: int) -> float:
        if self._all is not None:
            return self._all[i]
        weight = self._weights[i]
        return self._idf * ((weight * self._k1_plus_1) / (weight + self._norms[self._docnums[i]]))

    def __iter__(self):
        if self._all is None:
            idf, k1_plus_1, norms = self._idf, self._k1_plus_1, self._norms
            self._all = array("d", [idf * ((weight * k1_plus_1) / (weight + norms[docnum]))
                                    for docnum, weight in zip(self._docnums, self._weights)])
        return iter(self._all)


def _key(clause: Clause) -> tuple[str, str | tuple[str, ...]]:
    """What a clause's postings are kept under: (field, term) or (field, a phrase's terms)."""
    return (clause.field, clause.terms[0] if len(clause.terms) == 1 else clause.terms)


def _add_postings(postings: tuple[array, Sequence[float]], found: dict[int, float],
                  factor: float) -> None:
    """Add factor times each posting's score to found."""
    docnums, scores = postings
    if not found:  # the first clause: no sums to make
        found.update(zip(docnums, map(mul, scores, repeat(factor))))
        return
    get = found.get
    for docnum, score in zip(docnums, scores):
        found[docnum] = get(docnum, 0.0) + score * factor


def best(found: dict[int, float], count: int) -> list[tuple[float, int]]:
    """The count best of found (document number → score) as (score, docnum), best first, equal
    scores in index order."""
    if len(found) > count:
        least = heapq.nlargest(count, found.values())[-1]
        found = {docnum: score for docnum, score in found.items() if score >= least}
    return sorted(((score, docnum) for docnum, score in found.items()), key=_best_first)[:count]


def _best_first(item: tuple[float, int]) -> tuple[float, int]:
    score, docnum = item
    return -score, docnum


_LENGTHS = [byte_to_length(byte) for byte in range(256)]


def column_numbers(reader, fieldname: str) -> array:
    """The value of a field's column of 64-bit numbers (NumericColumn("Q")) in every document of
    a segment, read at once rather than one document's value at a time."""
    column = reader.column_reader(fieldname, translate=False)
    count = reader.doc_count_all()
    numbers = array("Q", column_bytes(column, 8))
    if sys.byteorder == "little":  # Whoosh writes them big-endian
        numbers.byteswap()
    return numbers + array("Q", bytes(8 * (count - len(numbers))))


@per_version(size=4)
def _shared(reader, scoring: Scoring) -> KeptPostings:
    """The kept postings of a version of the index (reader's) scored with scoring."""
    return KeptPostings()
