"""Tokenising: a text's words, each analysed by its own script, with offsets into the text.

Every text field is analysed by these rules at index and query time (the Whoosh engine wraps them
as its analyzer), so a field may mix Arabic and English freely: Arabic words are normalised,
stopped and light-stemmed (arabic.py); Latin ones folded, stopped and stemmed with Porter2, with
abbreviations kept (english.py); numbers kept, with Arabic-Indic and Persian digits written as
ASCII. Offsets always refer to the original text, so highlights mark vocalised Arabic correctly.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache

from .arabic import arabic_light_stem, arabic_term, normalize_arabic
from .chars import AR_LETTER_RE, DIGIT_RE, IGNORABLE_RE, MAYBE_SHOUTED, TOKEN_PATTERN
from .english import english_stem, latin_term
from .words import EN_STOP_WORDS


def _number_term(raw: str) -> str:
    """Write a number with ASCII digits and no thousands separators."""
    return normalize_arabic(raw).replace(",", "")


def _classify(raw: str) -> tuple[str | None, str | None]:
    """Return (term, script) for a raw token: script is "ar"/"en" if it should be stemmed."""
    start = IGNORABLE_RE.sub("", raw)[:1]
    if not start:
        return None, None
    if AR_LETTER_RE.match(start):
        term = arabic_term(raw)
        return term, "ar" if term else None
    if DIGIT_RE.match(start):
        return _number_term(raw), None
    term, stemmable = latin_term(raw)
    return term, "en" if stemmable else None


# Tokens repeat a lot (few of a corpus's tokens are distinct), so the per-token work
# (regexes, Unicode folding, abbreviation rules, stemming) is done once per distinct token text.
@lru_cache(maxsize=200_000)
def token_terms(raw: str) -> tuple[str | None, str | None]:
    """Return (term, stem) for a raw token; both None for a stop word."""
    if raw.isascii() and raw.isalpha() and raw[1:].islower():
        # Most words (kidney, Kidney): nothing to strip or fold, and not an abbreviation.
        term = raw.lower()
        return (None, None) if term in EN_STOP_WORDS else (term, english_stem(term))
    term, script = _classify(raw)
    if script == "ar":
        return term, arabic_light_stem(term)
    if script == "en":
        return term, english_stem(term)
    return term, term


@lru_cache(maxsize=200_000)
def _caps_letters(word: str) -> int:
    """Count the letters of a word with no lowercase letter (CT, KIDNEY, B12), 0 for any other word."""
    letters = sum(c.isalpha() for c in word)
    return 0 if any(c.islower() for c in word) else letters


def shouted_words(caps: Sequence[int | None]) -> set[int]:
    """Return the indexes of words in shouted all-caps runs (headings), which are not abbreviations.

    caps: for each token, the letters of an all-caps word (_caps_letters), 0 for any other word,
    None for a number.
    """
    # A run is consecutive all-caps words (numbers between them don't break it). It is shouted text
    # with three or more words, or two words one of which has six or more letters: "SIGNS AND
    # SYMPTOMS" and "KIDNEY STONES" are, "CT", "HIV/AIDS" and "MRI SCAN" are not.
    shouted: set[int] = set()
    run: list[int] = []
    longest = 0
    for i, letters in enumerate(caps):
        if letters is None:
            continue
        if letters:
            run.append(i)
            longest = max(longest, letters)
        elif run:
            _close_run(run, longest, shouted)
            run, longest = [], 0
    _close_run(run, longest, shouted)
    return shouted


def token_caps(match: re.Match) -> int | None:
    """A token's entry in shouted_words's caps."""
    kind = match.lastgroup
    return None if kind == "num" else _caps_letters(match.group()) if kind == "word" else 0


def _close_run(run: list[int], longest: int, shouted: set[int]) -> None:
    """Add a finished run of all-caps words to shouted if it is shouted text."""
    if len(run) >= 3 or (len(run) == 2 and longest >= 6):
        shouted.update(run)


def analyze(text: str) -> list[str]:
    """Return the terms the analyzer yields for text, in order (from term_spans: the same
    rules without a Token stream, in a fraction of the time)."""
    return [term for _, _, term in term_spans(text)]


def term_spans(text: str) -> list[tuple[int, int, str]]:
    """(start, end, term) of each word of text the analyzer keeps, as the analyzer reads it.

    For highlighting, where only terms and offsets are wanted: the same tokenizer rules and
    per-token analysis, without a Token stream.
    """
    # No token holds a space, so text is analysed a space-separated piece at a time, and pieces
    # repeat as words do: most cost a lookup in a cache.
    pieces = text.split(" ")
    spans = []
    start = 0
    if not MAYBE_SHOUTED.search(text):
        for piece in pieces:
            if piece:
                for begin, end, stem in piece_spans(piece):
                    spans.append((start + begin, start + end, stem))
            start += len(piece) + 1
        return spans
    # Whether a word is shouted (and analysed lowercased) depends on its neighbours.
    tokens = []
    for piece in pieces:
        if piece:
            for begin, end, caps, stem, lowered in piece_tokens(piece):
                tokens.append((start + begin, start + end, caps, stem, lowered))
        start += len(piece) + 1
    shouted = shouted_words([caps for _, _, caps, _, _ in tokens])
    for i, (begin, end, _, stem, lowered) in enumerate(tokens):
        if i in shouted:
            stem = lowered
        if stem is not None:
            spans.append((begin, end, stem))
    return spans


def index_terms(text: str) -> tuple[int, list[str]]:
    """The terms the analyzer yields for text, in order, and the position of the first (each
    next one is one position further: stop words are dropped and the rest renumbered).

    For indexing, from term_spans rather than a Token stream: only stop words come before the
    first term, so its position is how many words precede it.
    """
    spans = term_spans(text)
    if not spans:
        return 0, []
    return len(TOKEN_PATTERN.findall(text, 0, spans[0][0])), [term for _, _, term in spans]


# About 300 bytes an entry: the shared corpus has 74,000 distinct pieces (37,000 in texts that may
# hold shouted words), and the caches' bounds keep a larger site's ingest within its memory.
@lru_cache(maxsize=100_000)
def piece_spans(piece: str) -> tuple[tuple[int, int, str], ...]:
    """term_spans of a text with no space in it and no shouted words."""
    spans = []
    for match in TOKEN_PATTERN.finditer(piece):
        stem = token_terms(match.group())[1]
        if stem is not None:
            spans.append((match.start(), match.end(), stem))
    return tuple(spans)


@lru_cache(maxsize=50_000)
def piece_tokens(piece: str) -> tuple[tuple[int, int, int | None, str | None, str | None], ...]:
    """Each token of a text with no space in it: (start, end, its entry in shouted_words's caps, its
    stem, and its stem when shouted), a stem None for a stop word."""
    tokens = []
    for match in TOKEN_PATTERN.finditer(piece):
        raw = match.group()
        caps = token_caps(match)
        stem = token_terms(raw)[1]
        tokens.append((match.start(), match.end(), caps, stem, token_terms(raw.lower())[1] if caps else stem))
    return tuple(tokens)


def word_spans(text: str) -> list[tuple[int, int, str]]:
    """(start, end, word) of each word of text the analyzer keeps, normalised but not stemmed:
    what a query's request words are recognised by."""
    matches = list(TOKEN_PATTERN.finditer(text))
    shouted = shouted_words([token_caps(match) for match in matches]) if MAYBE_SHOUTED.search(text) else ()
    spans = []
    for i, match in enumerate(matches):
        raw = match.group()
        word = token_terms(raw.lower() if i in shouted else raw)[0]
        if word is not None:
            spans.append((match.start(), match.end(), word))
    return spans
