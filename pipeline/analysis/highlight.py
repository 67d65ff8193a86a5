"""Highlighting: the spans of a text that hold given terms, reading as little of it as possible."""

from __future__ import annotations

import re
from functools import lru_cache

from .chars import AR_LETTER_RE, MAYBE_SHOUTED
from .tokens import piece_spans, piece_tokens, shouted_words, term_spans


def matching_spans(text: str, terms: frozenset[str]) -> list[tuple[int, int, str]]:
    """The spans of term_spans(text) whose term is one of terms, reading only the pieces of text
    that may hold one: for highlighting a long text, where a few words match.

    A piece of ASCII letters, digits and punctuation (no apostrophe) holds a term only if its
    lowercased text contains the term's key (_key), so only those pieces and the others (accents,
    apostrophes, other scripts) are analysed. Arabic texts, where every piece is of the second
    kind, are analysed whole.
    """
    lowered = text.lower()
    if len(lowered) != len(text):
        return _filtered_spans(text, terms)
    starts = set()
    for key in _keys(terms):
        found = lowered.find(key)
        while found >= 0:
            starts.add(lowered.rfind(" ", 0, found) + 1)
            found = lowered.find(key, found + len(key))
    if not text.isascii() or "'" in text:
        for match in _IRREGULAR_RE.finditer(text):
            if AR_LETTER_RE.match(match.group()):
                return _filtered_spans(text, terms)
            starts.add(text.rfind(" ", 0, match.start()) + 1)
    spans = []
    shouted = None  # whether text may hold shouted words, looked for when a piece's terms depend on it
    for start in sorted(starts):
        end = text.find(" ", start)
        piece = text[start:end] if end >= 0 else text[start:]
        # A piece with no capitals reads the same shouted or not.
        if not piece.islower() and _depends_on_context(piece, terms):
            if shouted is None:
                shouted = MAYBE_SHOUTED.search(text) is not None
            if shouted:
                found_spans = _spans_in_context(text, start, start + len(piece), terms)
                if found_spans is None:  # a long run of capitals: cheaper read once whole
                    return _filtered_spans(text, terms)
                spans += found_spans
                continue
        for begin, finish, stem in piece_spans(piece):
            if stem in terms:
                spans.append((start + begin, start + finish, stem))
    return spans


def _filtered_spans(text: str, terms: frozenset[str]) -> list[tuple[int, int, str]]:
    """matching_spans, from the whole text's term_spans."""
    return [span for span in term_spans(text) if span[2] in terms]


def _depends_on_context(piece: str, terms: frozenset[str]) -> bool:
    """Whether a word of piece has one of terms as its term when shouted and not otherwise, or the
    other way round."""
    return any(caps and stem != lowered and (stem in terms or lowered in terms)
               for _, _, caps, stem, lowered in piece_tokens(piece))


def _spans_in_context(text: str, start: int, end: int,
                      terms: frozenset[str]) -> list[tuple[int, int, str]] | None:
    """matching_spans of the piece text[start:end] of a text that may hold shouted words: the
    pieces around it are read as far as the first word that is not all caps on each side, which
    ends any shouted run the piece is in. None if that is more than _CONTEXT pieces on a side."""
    tokens = piece_tokens(text[start:end])
    before: list[int | None] = []
    edge, read = start, 0
    while edge > 0 and 0 not in before:
        read += 1
        if read > _CONTEXT:
            return None
        previous = text.rfind(" ", 0, edge - 1) + 1
        before[:0] = [caps for _, _, caps, _, _ in piece_tokens(text[previous:edge - 1])]
        edge = previous
    after: list[int | None] = []
    edge, read = end, 0
    while edge < len(text) and 0 not in after:
        read += 1
        if read > _CONTEXT:
            return None
        following = text.find(" ", edge + 1)
        following = len(text) if following < 0 else following
        after += [caps for _, _, caps, _, _ in piece_tokens(text[edge + 1:following])]
        edge = following
    shouted = shouted_words(before + [caps for _, _, caps, _, _ in tokens] + after)
    spans = []
    for i, (begin, finish, _, stem, lowered) in enumerate(tokens, len(before)):
        term = lowered if i in shouted else stem
        if term in terms:
            spans.append((start + begin, start + finish, term))
    return spans


# How far _spans_in_context reads on each side of a piece (shouted headings are a few words).
_CONTEXT = 20

# Characters for which matching_spans analyses a piece whatever else it holds: any but ASCII,
# and the apostrophe (o'clock is oclock).
_IRREGULAR_RE = re.compile(r"[^\x00-\x7f]|'")


def _key(term: str) -> str:
    """What the lowercased text of any ASCII token (without an apostrophe) whose term is term
    contains: the first digit of a number (1,000 is 1000), else the term less the last letters
    Porter2 may have written rather than kept (cries→cri, hoping→hope, possibility→possibl,
    skies→sky, dying→die). Every other rule of token_terms lowercases or cuts the end."""
    if term[:1].isdigit():
        return term[:1]
    cut = 2 if term.endswith("ie") else 1 if term.endswith(("e", "i", "l", "y")) else 0
    return term[:max(1, len(term) - cut)]


@lru_cache(maxsize=256)
def _keys(terms: frozenset[str]) -> tuple[str, ...]:
    """The keys of the ASCII terms (no other can come from an ASCII piece)."""
    return tuple({_key(term) for term in terms if term.isascii()})
