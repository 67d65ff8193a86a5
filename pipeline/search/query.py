"""What a reader typed, understood: words and "quoted phrases", analysed like the index.

A query is read as words plus "quoted phrases" (no other syntax: `title:x`, `AND`, `*` are just
text). Greetings and request words ("hello doctor", "please", "السلام عليكم", "افيدوني") are
dropped; the concepts of the concept table the query names are found (concepts.py).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..analysis import analyze, is_arabic_term, normalize_arabic
from ..analysis.tokens import word_spans
from ..analysis.words import read_words
from ..concepts import ConceptTable, Match, default_concepts

_PHRASE = re.compile(r'["“”„«»]([^"“”„«»]+)["“”„«»]')

# Words that address the reader's request to a person rather than name what they ask about, and the
# asker's own verbs (see the lists' comments): dropped from queries only, normalised as the analyzer
# writes words before stemming (lowercase, Arabic normalised).
QUERY_STOP_WORDS = frozenset(normalize_arabic(word).lower()
                             for word in read_words("query-requests") | read_words("query-asker-verbs"))


@dataclass(frozen=True)
class Word:
    """One word of a query that survived stop words.

    text: the word as typed.
    term: its analysed term (what the index holds).
    start, end: where it is in the query text.
    """

    text: str
    term: str
    start: int
    end: int


@dataclass(frozen=True)
class ParsedQuery:
    """What a reader typed, understood.

    text: the query as typed.
    words: its words in order, without stop words and request words (QUERY_STOP_WORDS).
    phrases: analysed terms of each quoted phrase of two or more terms.
    concepts: the concepts of the concept table the query names.
    arabic: whether the query is mostly in Arabic.
    """

    text: str
    words: tuple[Word, ...]
    phrases: tuple[tuple[str, ...], ...] = ()
    concepts: tuple[Match, ...] = ()
    arabic: bool = False

    @property
    def terms(self) -> tuple[str, ...]:
        """The distinct analysed terms of the query, in order (phrases included)."""
        return tuple(dict.fromkeys(word.term for word in self.words))

    @property
    def expansion_terms(self) -> tuple[str, ...]:
        """The analysed terms of the synonyms and abbreviations the query adds."""
        return tuple(dict.fromkeys(term for match in self.concepts for variant in match.alternatives
                                   for term in variant.terms))


def parse_query(text: str, concepts: ConceptTable | None = None) -> ParsedQuery:
    """Read a query as words and "quoted phrases"; no other character has a special meaning."""
    words, requests = [], []
    # Each word as written first, to recognise request words; then its stems.
    for start, end, word in word_spans(text):
        surface = text[start:end]
        found = [Word(surface, term, start, end) for term in analyze(surface)]
        (requests if _is_request_word(word) else words).extend(found)
    # A query made only of request words ("help", "question") is searched as typed.
    words = words or requests
    phrases = tuple(terms for terms in (tuple(analyze(m)) for m in _PHRASE.findall(text)) if len(terms) > 1)
    arabic = sum(is_arabic_term(word.term) for word in words) * 2 > len(words)
    table = default_concepts() if concepts is None else concepts
    matches = table.find(tuple(word.term for word in words), arabic=arabic) if words else ()
    return ParsedQuery(text, tuple(words), phrases, matches, arabic)


def _is_request_word(word: str) -> bool:
    """Whether a normalised word is a request word, also with a conjunction و or ف (وشكرا)."""
    return word in QUERY_STOP_WORDS or (word[:1] in ("و", "ف") and word[1:] in QUERY_STOP_WORDS)
