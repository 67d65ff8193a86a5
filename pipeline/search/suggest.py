"""Did you mean: spelling corrections from the index's own vocabulary, in any script.

A word of the query that the index does not know (after analysis) is compared with the
vocabulary of the body field: terms within a few edits of its stem, or of the word as typed
(more edits for longer words, none for short ones), the most frequent closest one wins. The
vocabulary is read once per version of the index, grouped by first letter and length, and the
distances computed by RapidFuzz (compiled, where Whoosh's automaton walks the vocabulary in Python). The
correction is shown as a word readers write (`kidny stonse` → `kidney stones`, not the stems
`kidney stone`): the most common spelling of the term in an indexed section, the one closest to
what was typed.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from ..analysis import analyze, normalize_arabic, term_spans
from ..engine import TEXT_FIELDS, Reader
from ..versioned import per_version

FIELDS = TEXT_FIELDS
# Corrections come from the body's vocabulary, which holds nearly every word of titles and headings.
VOCABULARY = "body"


@dataclass(frozen=True)
class Correction:
    """A known term for a word the index does not know.

    word: the word as typed.
    term: the analysed term of the correction (a term of the index).
    edits: edit distance between the word's stem (or the word) and the term (a swap counts once).
    frequency: how many sections have the term.
    """

    word: str
    term: str
    edits: int
    frequency: int


def max_edits(word: str) -> int:
    """How many edits a word of this length may be away from a correction."""
    letters = sum(c.isalpha() for c in word)
    return 0 if letters < 4 else 1 if letters < 7 else 2


def edit_distance(a: str, b: str) -> int:
    """Optimal string alignment distance: insertions, deletions, substitutions, transpositions."""
    from rapidfuzz.distance import OSA  # only queries with unknown words need it

    return OSA.distance(a, b)


@per_version(4096)
def correct(reader: Reader, word: str) -> Correction | None:
    """The best known term for a word the index lacks, or None (also for short or known words);
    remembered for the version of the index: readers ask the same words again."""

    def frequency(term: str) -> int:
        """How many documents have term in any text field (an upper bound: one per field)."""
        return max(reader.frequency(field, term) for field in FIELDS)

    folded = _fold(word)
    terms = analyze(word)
    if len(terms) != 1 or frequency(terms[0]) > 0:
        return None
    # The stem is looked up first (the vocabulary is of stems), then, if nothing is near it, the
    # word as typed; each within the edits its own length allows.
    probes = {probe: max_edits(probe) for probe in (terms[0], folded)}
    candidates: dict[str, int] = {}
    for probe, limit in probes.items():
        if limit and not candidates:
            candidates = _near(vocabulary(reader), probe, limit)
    if not candidates:
        return None
    closest = min(candidates.values())
    nearest = [candidate for candidate, edits in candidates.items() if edits == closest]
    term = min(nearest, key=lambda candidate: (-frequency(candidate), candidate))
    return Correction(word, term, candidates[term], frequency(term))


def _near(vocabulary: dict[tuple[str, int], list[str]], word: str, limit: int) -> dict[str, int]:
    """The terms at most limit edits from word that start with its letter (term → edits): the
    first letter is rarely the mistyped one, and requiring it makes the search much cheaper."""
    from rapidfuzz import process
    from rapidfuzz.distance import OSA

    choices = [term for length in range(len(word) - limit, len(word) + limit + 1)
               for term in vocabulary.get((word[0], length), ())]
    return {term: int(distance) for term, distance, _ in
            process.extract(word, choices, scorer=OSA.distance, score_cutoff=limit, limit=None)}


@per_version()
def vocabulary(reader: Reader) -> dict[tuple[str, int], list[str]]:
    """The vocabulary's terms by first letter and length, for one version of the index (read on
    first use, or by search.prepare)."""
    groups: dict[tuple[str, int], list[str]] = {}
    for term, _ in reader.terms(VOCABULARY):
        groups.setdefault((term[0], len(term)), []).append(term)
    return groups


def written(reader: Reader, correction: Correction) -> str:
    """A correction as a reader writes it, with the typed word's capitals (see spelling)."""
    return match_case(spelling(reader, correction.term, _fold(correction.word)), correction.word)


def spelling(reader: Reader, term: str, near: str, documents: int = 3) -> str:
    """How readers write term: its commonest spelling in a few sections, the closest to near."""
    seen: Counter[str] = Counter()
    for field in FIELDS:
        for value in reader.texts(field, term, documents):
            for start, end, found in term_spans(value):
                if found == term:
                    seen[value[start:end]] += 1
        if seen:
            break
    if not seen:
        return term
    folded = Counter()
    for surface, count in seen.items():
        folded[surface.lower()] += count
    return min(folded, key=lambda s: (edit_distance(near, _fold(s)), abs(len(s) - len(near)),
                                      -folded[s], s))


def _fold(word: str) -> str:
    """The word as the vocabulary spells it before stemming: lowercase, Arabic normalised."""
    return normalize_arabic(word).lower()


def match_case(correction: str, typed: str) -> str:
    """Write a correction with the typed word's capitalisation (Kidny → Kidney)."""
    if typed.isupper() and len(typed) > 1:
        return correction.upper()
    if typed[:1].isupper():
        return correction[:1].upper() + correction[1:]
    return correction
