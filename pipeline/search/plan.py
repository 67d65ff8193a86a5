"""A query plan: what a reader typed, turned into weighted terms, phrases and bonuses.

A query is read as words plus "quoted phrases" (no other syntax: `title:x`, `AND`, `*` are just
text). Its words are analysed like the index (search.query.parse_query), and the clauses built from
them (build_query) rank sections by best match, in whatever engine holds the index:

- every word may match, in the title, a heading or the body, title and heading counting more;
- a concept of the concept table named in the query (concepts.py) also matches its synonyms and
  abbreviations, at a lower weight than the words typed;
- adjacent words found next to each other in a section add a proximity bonus (Proximity);
- long questions ("I have had a headache for two weeks and ...") weight their rarer words up, and
  greetings and request words ("hello doctor", "please", "السلام عليكم", "افيدوني") are dropped;
- a longer word the index does not know also matches its spelling correction (suggest.py);
- an Arabic word the index does not know is also looked up without, or with, a clitic
  preposition (لعلاج → علاج), when that form is in the index;
- an Arabic word also matches, at a low weight, the index's words of the same root (نزيف
  "bleeding" and ينزف "bleeds", علاج and يعالج), which light stemming keeps apart;
- every quoted phrase must appear.

Each clause is scored by the engine with BM25F, with separate parameters and statistics for Arabic
and Latin-script terms (engine.Scoring); RANKING says how the plan weighs them.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from ..analysis import arabic_root, is_arabic_term
from ..engine import Clause, Proximity, Query, Reader
from .query import ParsedQuery, Word, parse_query
from .roots import arabic_roots
from .suggest import FIELDS, Correction, correct, written


@dataclass(frozen=True)
class Ranking:
    """How a query is turned into scores; the defaults were tuned on the development queries.

    fields: weight of a match in each text field (BM25's own parameters, per script, are the
        engine's: engine.Scoring).
    synonym: weight of a concept's other terms relative to the words typed.
    proximity: weight of two adjacent query words found next to each other (0 to turn off)...
    arabic_proximity: ...for two Arabic words, whose order is freer (verb or subject first,
        attached pronouns and prepositions).
    proximity_slop: how many positions apart they may be.
    long_query: from this many distinct words on, a query is a long question...
    focus: ...whose words are weighted by idf ** (focus * (1 - long_query / words)) in addition,
        so the more words, the more the rare ones count.
    typo: weight of a spelling correction of a word the index lacks (0 to turn off).
    clitic: weight of the clitic variant of an Arabic word the index lacks (0 to turn off).
    repeats: a word typed n times weighs n ** repeats (0: once is enough).
    family: weight, in the body, of the index's Arabic terms that share an Arabic word's root
        (0 to turn off)...
    family_size: ...the most frequent of them, at most this many.
    depth: how many of the best documents the proximity bonuses may reorder: the bonuses read
        positions, so they are a second phase over the best candidates, whose cost does not grow
        with the index; deeper changes few first pages.
    foreign: weight of a word not in the query's main script (a Latin drug name in an Arabic
        question), which would otherwise pull in sections in the other language.
    """

    fields: tuple[tuple[str, float], ...] = (("title", 2.0), ("heading", 2.5), ("body", 1.0))
    synonym: float = 0.5
    proximity: float = 0.3
    arabic_proximity: float = 0.25
    proximity_slop: int = 2
    long_query: int = 1
    focus: float = 0.5
    typo: float = 0.8
    clitic: float = 1.0
    foreign: float = 1.0
    repeats: float = 0.0
    family: float = 0.2
    family_size: int = 50
    depth: int = 30


RANKING = Ranking()


def build_query(parsed: ParsedQuery, reader: Reader | None = None, ranking: Ranking = RANKING,
                corrections: dict[str, Correction] | None = None,
                weights: dict[str, float] | None = None) -> tuple[tuple[Clause, ...], tuple[tuple[Clause, ...], ...]]:
    """The clauses of a parsed query: any word may match (should), every quoted phrase must (must).

    With a reader, words are weighted by how rare they are (long questions only), Arabic
    words the index lacks are also matched by their clitic variant, Arabic words match their
    root's other words at a low weight, and corrections (word as typed → its correction, see
    unknown_words) are matched too. weights: term_weights, when already known.
    """
    fields = ranking.fields
    weights = term_weights(parsed, reader, ranking) if weights is None else weights
    variants: dict[str, list[tuple[str, float]]] = {}
    for word in parsed.words:
        if word.term not in variants:
            variants[word.term] = _variants(word, reader, ranking, corrections or {})
    should: list[Clause] = []
    for term, weight in weights.items():
        should.extend(Clause(name, (term,), boost * weight) for name, boost in fields)
        for variant, factor in variants.get(term, ()):
            should.extend(Clause(name, (variant,), boost * weight * factor) for name, boost in fields)
    if ranking.family > 0 and reader is not None:
        for term, weight in weights.items():
            if is_arabic_term(term):
                should.extend(Clause(FAMILY_FIELD, (other,), ranking.family * weight)
                              for other in arabic_family(reader, term, ranking.family_size))
    if ranking.synonym > 0:
        for match in parsed.concepts:
            weight = ranking.synonym * max(weights.get(t, 1.0) for t in match.variant.terms)
            should.extend(Clause(name, variant.terms, boost * weight)
                          for variant in match.alternatives for name, boost in fields)
    must = tuple(tuple(Clause(name, phrase, boost) for name, boost in fields) for phrase in parsed.phrases)
    return tuple(should), must


def proximities(parsed: ParsedQuery, weights: dict[str, float],
                ranking: Ranking = RANKING) -> tuple[Proximity, ...]:
    """The proximity bonuses of a query: one per pair of adjacent words and text field.

    They only add to the score of sections the words already match, so search adds them to the
    best candidates alone (Ranking.depth), a second ranking phase as Lucene's
    rescorers are, rather than matching them over the whole index. weights: term_weights.
    """
    terms = [word.term for word in parsed.words]
    bonuses = []
    for first, second in dict.fromkeys(zip(terms, terms[1:])):
        arabic = is_arabic_term(first) and is_arabic_term(second)
        weight = ((ranking.arabic_proximity if arabic else ranking.proximity)
                  * min(weights[first], weights[second]))
        if first != second and weight > 0:
            bonuses += [Proximity(name, first, second, ranking.proximity_slop, boost * weight)
                        for name, boost in ranking.fields]
    return tuple(bonuses)


def term_weights(parsed: ParsedQuery, reader: Reader | None, ranking: Ranking) -> dict[str, float]:
    """A weight per distinct term: 1, or for a long question its idf to a power growing with length."""
    terms = parsed.terms
    counts = Counter(word.term for word in parsed.words)
    weights = {term: (1.0 if is_arabic_term(term) == parsed.arabic else ranking.foreign)
               * counts[term] ** ranking.repeats for term in terms}
    if reader is None or ranking.focus <= 0 or len(terms) < ranking.long_query:
        return weights
    power = ranking.focus * (1 - ranking.long_query / len(terms))
    for term in terms:
        idf = min(reader.idf(name, term) for name, _ in ranking.fields)
        weights[term] *= idf ** power
    return weights


_CLITICS = "بلكف"


def _variants(word: Word, reader: Reader | None, ranking: Ranking,
              corrections: dict[str, Correction]) -> list[tuple[str, float]]:
    """Other index terms to match for a word the index lacks: a clitic variant or a correction."""
    term = word.term
    if reader is None or _known(reader, term, ranking):
        return []
    if is_arabic_term(term) and ranking.clitic > 0:
        forms = [term[1:]] if term[0] in _CLITICS and len(term) >= 4 else []
        forms += [clitic + term for clitic in _CLITICS]
        found = [(form, ranking.clitic) for form in forms if _known(reader, form, ranking)]
        if found:
            return found[:1]
    correction = corrections.get(word.text)
    if correction is not None and ranking.typo > 0:
        return [(correction.term, ranking.typo)]
    return []


def arabic_family(reader: Reader, term: str, size: int) -> list[str]:
    """The index's most frequent Arabic terms with the same root as term (ISRI), at most size.

    Light stemming keeps apart words a reader means alike (نزيف "bleeding", ينزف "bleeds"); the
    root joins them, and also words that only share letters (ورم "tumour" and تورم "swelling"),
    which is why a family only adds to the score at a low weight.
    """
    family = arabic_roots(reader).get(arabic_root(term), ())
    return [other for other in family if other != term][:size]


FAMILY_FIELD = "body"


def _known(reader: Reader, term: str, ranking: Ranking) -> bool:
    """Whether any text field of the index has term."""
    return any(reader.frequency(name, term) for name, _ in ranking.fields)


def unknown_words(parsed: ParsedQuery, reader: Reader) -> dict[str, Correction]:
    """Spelling corrections for the words of a query the index does not know (word as typed → correction)."""
    found: dict[str, Correction] = {}
    # A word the index knows needs none: asked of the frequencies the query's scoring reads anyway.
    frequency = reader.frequency
    for word in parsed.words:
        if word.text not in found and not any(frequency(name, word.term) for name in FIELDS):
            correction = correct(reader, word.text)
            if correction is not None:
                found[word.text] = correction
    return found


def suggestion(parsed: ParsedQuery, corrections: dict[str, Correction], reader: Reader) -> str | None:
    """The query as typed with its unknown words corrected, when it finds little, else None.

    A query finds little when words of it are unknown to the index: any word of a short query
    (up to SHORT_QUERY words), at least half the words of a longer one.
    """
    unknown = [word for word in parsed.words if word.text in corrections]
    if not unknown or (len(parsed.words) > SHORT_QUERY and len(unknown) * 2 < len(parsed.words)):
        return None
    text, out, last = parsed.text, [], 0
    for word in unknown:
        out += [text[last:word.start], written(reader, corrections[word.text])]
        last = word.end
    return "".join(out) + text[last:]


SHORT_QUERY = 6


@dataclass(frozen=True)
class Plan:
    """A query ready to run.

    parsed: the query understood.
    query: what the engine runs: the clauses that find and first rank the sections, and the
        proximity bonuses for the best candidates.
    highlight: the terms to mark in snippets (the words and their synonyms).
    suggestion: a corrected query to offer ("did you mean"), or None.
    """

    parsed: ParsedQuery
    query: Query
    highlight: frozenset[str] = field(default_factory=frozenset)
    suggestion: str | None = None


def plan(text: str, reader: Reader, ranking: Ranking = RANKING) -> Plan:
    """Parse text and plan it against a version of the index (its statistics and vocabulary)."""
    parsed = parse_query(text)
    corrections = unknown_words(parsed, reader)
    weights = term_weights(parsed, reader, ranking)
    should, must = build_query(parsed, reader, ranking, corrections, weights)
    query = Query(should, must, proximities(parsed, weights, ranking), ranking.depth)
    highlight = frozenset(parsed.terms) | frozenset(parsed.expansion_terms)
    return Plan(parsed, query, highlight, suggestion(parsed, corrections, reader))
