"""A query plan: what a reader typed, turned into weighted terms, phrases and bonuses.

A query is read as words plus "quoted phrases" (no other syntax: `title:x`, `AND`, `*` are just
text). Its words are analysed like the index (search.query.parse_query), and the clauses built from
them (build_query) rank sections by best match, in whatever engine holds the index:

- every word may match, in the title, a heading, the body or the article's other names, title
  and heading counting more;
- a concept of the concept table named in the query (concepts.py) also matches its synonyms and
  abbreviations, and an everyday word of the table ("belly") the concept's names, at a lower
  weight than the words typed;
- a phrase that is the title or another name of some article (search.names) also matches the
  article's other names in titles: "lazy eye" finds every article titled Amblyopia;
- words written apart that the index has as one word also match it ("heart burn"), and a word
  the index lacks matches the two words it is made of ("bedwetting");
- a description of symptoms ("runny nose sneezing and sore throat") counts titles less, and its
  best candidates by how much of it they hold (describes_symptoms);
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
and Latin-script terms (engine.Scoring); RANKING says how the plan weighs them. What the plan looks
for besides the words typed is kept (Expansion), so a hit can say how it was found.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache

from ..analysis import analyze, arabic_root, is_arabic_term
from ..analysis.words import read_words
from ..engine import Clause, Coverage, Proximity, Query, Reader
from .names import Named, named
from .query import ParsedQuery, Word, parse_query
from .roots import arabic_roots
from .suggest import FIELDS, Correction, correct, written


@dataclass(frozen=True)
class Ranking:
    """How a query is turned into scores; the defaults were tuned on the development queries.

    fields: weight of a match in each text field (BM25's own parameters, per script, are the
        engine's: engine.Scoring); an article's other names (aliases) count as its title does.
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
    lay: weight of the names of a concept an everyday word of the query stands for ("belly":
        abdomen), relative to the words typed.
    alias: weight, in titles, of the other names of an article the query names (search.names).
    compound: weight of words written apart that the index has as one word, or the other way
        round (heart burn, heartburn).
    symptoms: factor of the title-like fields (TITLE_LIKE) in a query that describes symptoms
        (describes_symptoms; 1 to turn off)...
    symptom_words: ...that is, names at least this many different symptoms (SYMPTOM_TERMS)...
    coverage: ...whose best candidates, in a Latin-script query, are multiplied by the share of
        the query they hold to this power (engine.Coverage; 0 to turn off)...
    coverage_depth: ...this many of them; each word counts by its weight times its idf to the
        power coverage_idf, so a candidate that lacks a rare word of the description ("wheezing")
        loses more than one that lacks a common one ("chest").
    named: weight, relative to the other names' field, of a whole other name typed, in the
        articles that list it (a title typed whole already matches the title)...
    named_idf: ...when it is a word of the body at least this rare (idf), or several words.
    """

    fields: tuple[tuple[str, float], ...] = (("title", 2.0), ("heading", 2.5), ("body", 1.0), ("aliases", 0.75))
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
    lay: float = 0.5
    alias: float = 0.5
    compound: float = 0.8
    symptoms: float = 0.25
    symptom_words: int = 1
    coverage: float = 2.0
    coverage_depth: int = 100
    coverage_idf: float = 0.5
    named: float = 3.0
    named_idf: float = 5.0


RANKING = Ranking()


# What a plan looks for besides the words typed (Expansion.kind).
SYNONYM = "synonym"    # another name of a concept of the concept table
LAY = "lay"            # the names of a concept an everyday word stands for
ALIAS = "alias"        # another name of an article the query names (search.names)
SPELLING = "spelling"  # a correction of a word the index does not know
COMPOUND = "compound"  # words written apart that the index has as one, or the other way round
CLITIC = "clitic"      # an Arabic word the index lacks, with or without a clitic preposition
# The kinds a hit says it was found through (Hit.matched); a clitic variant is the word typed.
SHOWN = (SYNONYM, LAY, ALIAS, SPELLING, COMPOUND)


@dataclass(frozen=True)
class Expansion:
    """Something a plan looks for besides the words typed, and why (shown with a hit it finds).

    kind: SYNONYM, LAY, ALIAS, SPELLING, COMPOUND or CLITIC.
    typed: the reader's words it stands for, as typed; words: their analysed terms.
    text: what is looked for, as written (in the table, the article, or the index).
    terms: its analysed terms (a phrase when more than one).
    weight: the weight of its clauses, relative to a field's weight.
    fields: the text fields it is looked for in.
    """

    kind: str
    typed: str
    text: str
    terms: tuple[str, ...]
    weight: float
    fields: tuple[str, ...]
    words: tuple[str, ...] = ()

    @property
    def explanation(self) -> str:
        """How a hit found through it matched: `nephrolithiasis → kidney stones`."""
        return f"{self.typed} → {self.text}"


def build_query(parsed: ParsedQuery, reader: Reader | None = None, ranking: Ranking = RANKING,
                corrections: dict[str, Correction] | None = None,
                weights: dict[str, float] | None = None,
                names: tuple[Named, ...] = ()) -> tuple[tuple[Clause, ...], tuple[tuple[Clause, ...], ...]]:
    """The clauses of a parsed query: any word may match (should), every quoted phrase must (must).

    With a reader, words are weighted by how rare they are (long questions only), Arabic
    words the index lacks are also matched by their clitic variant, Arabic words match their
    root's other words at a low weight, and corrections (word as typed → its correction, see
    unknown_words) and compounds are matched too. weights: term_weights, when already known.
    names: the articles the query names (search.names.named), whose other names are looked for.
    """
    weights = term_weights(parsed, reader, ranking) if weights is None else weights
    found = expansions(parsed, reader, ranking, corrections or {}, weights, names)
    return _clauses(parsed, reader, ranking, weights, found, describes_symptoms(parsed, names, ranking), names)


def _clauses(parsed: ParsedQuery, reader: Reader | None, ranking: Ranking, weights: dict[str, float],
             found: tuple[Expansion, ...], symptoms: bool = False, names: tuple[Named, ...] = ()
             ) -> tuple[tuple[Clause, ...], tuple[tuple[Clause, ...], ...]]:
    """build_query's clauses from its weights and expansions (symptoms: describes_symptoms), and
    for each name typed that articles list among their other names, the whole name there."""
    fields = _field_weights(ranking, symptoms)
    should: list[Clause] = []
    for term, weight in weights.items():
        should.extend(Clause(name, (term,), boost * weight) for name, boost in fields)
    aliases = dict(fields).get(ALIASES_FIELD, 0.0) * ranking.named
    for name in names:
        # A common word ("drug", listed by Medicines) names too much to count as a title does.
        if len(name.key.split()) == 1 and reader is not None and reader.idf(FAMILY_FIELD, name.key) < ranking.named_idf:
            continue
        weight = aliases * _weight(name.key.split(), weights)
        should.extend(Clause(ALIASES_FIELD, phrase, weight) for phrase in name.listed if weight > 0)
    for expansion in found:
        should.extend(Clause(name, expansion.terms, boost * expansion.weight)
                      for name, boost in fields if name in expansion.fields)
    if ranking.family > 0 and reader is not None:
        for term, weight in weights.items():
            if is_arabic_term(term):
                should.extend(Clause(FAMILY_FIELD, (other,), ranking.family * weight)
                              for other in arabic_family(reader, term, ranking.family_size))
    must = tuple(tuple(Clause(name, phrase, boost) for name, boost in ranking.fields) for phrase in parsed.phrases)
    return tuple(should), must


def expansions(parsed: ParsedQuery, reader: Reader | None, ranking: Ranking,
               corrections: dict[str, Correction], weights: dict[str, float],
               names: tuple[Named, ...] = ()) -> tuple[Expansion, ...]:
    """What the plan looks for besides the words typed: clitic variants and corrections of words
    the index lacks, compounds, and the other names of the concepts and articles the query names."""
    every = tuple(name for name, _ in ranking.fields)
    words = parsed.words
    found: list[Expansion] = []
    seen: set[str] = set()
    for word in words:
        if word.term in seen:
            continue
        seen.add(word.term)
        for kind, term, factor in _variants(word, reader, ranking, corrections):
            # The term as the index has it: how readers write it takes reading sections (suggestion).
            found.append(Expansion(kind, word.text, term, (term,), weights.get(word.term, 1.0) * factor, every,
                                   (word.term,)))
    if reader is not None and ranking.compound > 0:
        found.extend(_compounds(parsed, reader, ranking, weights, every))
    given: dict[tuple[int, int], set[tuple[str, ...]]] = {}
    for match in parsed.concepts:
        kind, factor = (LAY, ranking.lay) if match.variant.lay else (SYNONYM, ranking.synonym)
        if factor > 0:
            typed = _typed(parsed, match.start, match.end)
            given.setdefault((match.start, match.end), set()).update(v.terms for v in match.alternatives)
            weight = factor * _weight(match.variant.terms, weights)
            # A concept's other names are the very names an article lists: looked for among them,
            # they would favour the article that lists them over every other on the subject.
            found.extend(Expansion(kind, typed, variant.text, variant.terms, weight,
                                   tuple(name for name in every if name != ALIASES_FIELD), match.variant.terms)
                         for variant in match.alternatives)
    if ranking.alias > 0:
        for name in names:
            if name.match is None:
                continue
            known = given.get((name.start, name.end), set())
            typed = _typed(parsed, name.start, name.end)
            weight = ranking.alias * _weight(name.match.variant.terms, weights)
            # In the title only: an article's other names, looked for in the text of others, find
            # passing mentions of what is often a broader subject.
            found.extend(Expansion(ALIAS, typed, variant.text, variant.terms, weight, (TITLE_FIELD,),
                                   name.match.variant.terms)
                         for variant in name.match.alternatives if variant.terms not in known)
    return tuple(found)


def _typed(parsed: ParsedQuery, start: int, end: int) -> str:
    """The query's text from its start-th word to its end-th (exclusive), as typed."""
    words = parsed.words
    return parsed.text[words[start].start:words[end - 1].end]


def _compounds(parsed: ParsedQuery, reader: Reader, ranking: Ranking, weights: dict[str, float],
               fields: tuple[str, ...]) -> list[Expansion]:
    """Words written apart that the index has as one word ("heart burn" → heartburn), and a word
    the index lacks that it has as two ("bedwetting" → bed wetting), decided by the index's own
    vocabulary. Hyphenated words are analysed as words written apart."""
    found: list[Expansion] = []
    words = parsed.words
    for first, second in zip(words, words[1:]):
        joined = _joined(parsed.text[first.start:first.end], parsed.text[second.start:second.end])
        if joined and _known(reader, joined[0], ranking) and joined[0] not in (first.term, second.term):
            weight = ranking.compound * max(weights.get(first.term, 1.0), weights.get(second.term, 1.0))
            typed = parsed.text[first.start:second.end]
            found.append(Expansion(COMPOUND, typed, "".join(typed.split()).replace("-", ""), joined, weight, fields,
                                   (first.term, second.term)))
    for word in words:
        if _known(reader, word.term, ranking) or is_arabic_term(word.term):
            continue
        split = _split(word.text, reader, ranking)
        if split:
            weight = ranking.compound * weights.get(word.term, 1.0)
            found.append(Expansion(COMPOUND, word.text, " ".join(split[0]), split[1], weight, fields, (word.term,)))
    return found


@lru_cache(maxsize=65536)
def _joined(first: str, second: str) -> tuple[str, ...]:
    """The terms of two words written together, when both are words of letters ("" otherwise)."""
    if not (first.isalpha() and second.isalpha()) or is_arabic_term(first) or len(first) + len(second) < 6:
        return ()
    terms = tuple(analyze(first + second))
    return terms if len(terms) == 1 else ()


def _split(word: str, reader: Reader, ranking: Ranking) -> tuple[tuple[str, str], tuple[str, ...]] | None:
    """The two words, both known to the index (three letters or more each), that word is made of,
    as written and analysed; the split whose rarer half is the commonest, or None."""
    if not word.isalpha() or len(word) < 6:
        return None
    best, best_frequency = None, 0
    for cut in range(3, len(word) - 2):
        left, right = word[:cut], word[cut:]
        terms = tuple(analyze(f"{left} {right}"))
        if len(terms) != 2:
            continue
        frequency = min(max(reader.frequency(name, term) for name, _ in ranking.fields) for term in terms)
        if frequency > best_frequency:
            best, best_frequency = ((left, right), terms), frequency
    return best


def _field_weights(ranking: Ranking, symptoms: bool) -> tuple[tuple[str, float], ...]:
    """The fields' weights for a query: a description of symptoms counts its title-like fields less.

    A reader who lists what they feel ("runny nose, sneezing and a sore throat") asks what has all
    of it: the article named after one of them (Sore Throat) is no answer for its title alone.
    """
    if not symptoms or ranking.symptoms >= 1:
        return ranking.fields
    return tuple((name, boost * (ranking.symptoms if name in TITLE_LIKE else 1.0)) for name, boost in ranking.fields)


def describes_symptoms(parsed: ParsedQuery, names: tuple[Named, ...] = (), ranking: Ranking = RANKING) -> bool:
    """Whether a query describes symptoms: it names at least Ranking.symptom_words different
    symptoms (SYMPTOM_TERMS), and no article about anything else.

    "What joint pain medications suit type 2 diabetes?" names a symptom, but asks about the
    articles it names (Diabetes Type 2, Medications): their titles are the answer. A single word
    that is no article's title, only some article's other name, does not count: in "numb white
    fingers after being outside in the snow", snow is not the street name of cocaine.
    """
    if any(not SYMPTOM_TERMS.intersection(name.key.split()) and not (name.listed and " " not in name.key)
           for name in names):
        return False
    return len(SYMPTOM_TERMS.intersection(parsed.terms)) >= ranking.symptom_words


def coverage(weights: dict[str, float], found: tuple[Expansion, ...], reader: Reader,
             ranking: Ranking) -> Coverage:
    """How much of a query a candidate holds: each word typed, with what stands for it."""
    groups = {term: {term} for term in weights}
    for expansion in found:
        for word in expansion.words:
            if word in groups:
                groups[word].update(expansion.terms)
    counts = tuple(weight * _idf(reader, term, ranking) ** ranking.coverage_idf for term, weight in weights.items())
    return Coverage(tuple(tuple(sorted(group)) for group in groups.values()), counts,
                    tuple(name for name, _ in ranking.fields if name != ALIASES_FIELD), ranking.coverage)


def _weight(terms, weights: dict[str, float]) -> float:
    """The weight of a phrase of the query: its heaviest word's."""
    return max(weights.get(term, 1.0) for term in terms)


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
        weights[term] *= _idf(reader, term, ranking) ** power
    return weights


def _idf(reader: Reader, term: str, ranking: Ranking) -> float:
    """A term's idf in the field where it is commonest."""
    return min(reader.idf(name, term) for name, _ in ranking.fields)


_CLITICS = "بلكف"


def _variants(word: Word, reader: Reader | None, ranking: Ranking,
              corrections: dict[str, Correction]) -> list[tuple[str, str, float]]:
    """Other index terms to match for a word the index lacks, as (kind, term, weight): a clitic
    variant (kind "clitic", not shown as an expansion of its own) or a correction (SPELLING)."""
    term = word.term
    if reader is None or _known(reader, term, ranking):
        return []
    if is_arabic_term(term) and ranking.clitic > 0:
        forms = [term[1:]] if term[0] in _CLITICS and len(term) >= 4 else []
        forms += [clitic + term for clitic in _CLITICS]
        found = [(CLITIC, form, ranking.clitic) for form in forms if _known(reader, form, ranking)]
        if found:
            return found[:1]
    correction = corrections.get(word.text)
    if correction is not None and ranking.typo > 0:
        return [(SPELLING, correction.term, ranking.typo)]
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
TITLE_FIELD = "title"
ALIASES_FIELD = "aliases"
# The fields that name what a section is about rather than say it.
TITLE_LIKE = frozenset({TITLE_FIELD, "heading", ALIASES_FIELD})
# Words for what a patient feels or notices (pipeline/data/words/symptoms.txt), analysed.
SYMPTOM_TERMS = frozenset(term for word in read_words("symptoms") for term in analyze(word))


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
    highlight: the terms to mark in snippets (the words typed and every expansion's).
    suggestion: a corrected query to offer ("did you mean"), or None.
    expansions: what the plan looks for besides the words typed, and why.
    """

    parsed: ParsedQuery
    query: Query
    highlight: frozenset[str] = field(default_factory=frozenset)
    suggestion: str | None = None
    expansions: tuple[Expansion, ...] = ()


def plan(text: str, reader: Reader, ranking: Ranking = RANKING) -> Plan:
    """Parse text and plan it against a version of the index (its statistics and vocabulary)."""
    parsed = parse_query(text)
    corrections = unknown_words(parsed, reader)
    weights = term_weights(parsed, reader, ranking)
    names = named(parsed.words, reader, parsed.arabic)
    found = expansions(parsed, reader, ranking, corrections, weights, names)
    symptoms = describes_symptoms(parsed, names, ranking)
    should, must = _clauses(parsed, reader, ranking, weights, found, symptoms, names)
    # Arabic questions are left out: on the doctors' answers the factor lowered MRR (the README).
    covered = symptoms and not parsed.arabic and ranking.coverage > 0
    query = Query(should, must, proximities(parsed, weights, ranking),
                  max(ranking.depth, ranking.coverage_depth) if covered else ranking.depth,
                  coverage(weights, found, reader, ranking) if covered else None)
    highlight = frozenset(parsed.terms) | frozenset(term for expansion in found for term in expansion.terms)
    return Plan(parsed, query, highlight, suggestion(parsed, corrections, reader), found)
