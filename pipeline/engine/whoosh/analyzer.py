"""The project's text analysis (pipeline.analysis) as a Whoosh analyzer, for the text fields.

The index stores these classes by name in its schema: moving or renaming them needs a new index
version (schema.INDEX_VERSION).
"""

from __future__ import annotations

from whoosh.analysis import Analyzer, Filter, Token, Tokenizer

from ...analysis.chars import MAYBE_SHOUTED, TOKEN_PATTERN
from ...analysis.tokens import shouted_words, token_caps, token_terms


class _Comparable:
    """Compare and hash by class and attributes, as Whoosh's own analysis components do."""

    def __eq__(self, other: object) -> bool:
        return other is not None and self.__class__ is other.__class__ and self.__dict__ == other.__dict__

    def __ne__(self, other: object) -> bool:
        return not self == other

    def __hash__(self) -> int:
        return hash(self.__class__.__name__)


class MultiScriptTokenizer(_Comparable, Tokenizer):
    """Split text into Arabic words (marks and tatweel kept inside), numbers and other words."""

    def __call__(self, value: str, positions: bool = False, chars: bool = False,
                 keeporiginal: bool = False, removestops: bool = True, start_pos: int = 0,
                 start_char: int = 0, tokenize: bool = True, mode: str = "", **kwargs):
        """Yield one token per word of value, with offsets into value."""
        t = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        if not tokenize:
            t.original = t.text = value
            t.boost = 1.0
            t.stopped = False
            if positions:
                t.pos = start_pos
            if chars:
                t.startchar, t.endchar = start_char, start_char + len(value)
            yield t
            return
        matches = list(TOKEN_PATTERN.finditer(value))
        shouted = shouted_words(list(map(token_caps, matches))) if MAYBE_SHOUTED.search(value) else None
        pos = start_pos
        for match in matches:
            text = match.group()
            if keeporiginal:
                t.original = text
            # Lowercase all-caps headings here, where the neighbouring words are still visible, so
            # the filter doesn't mistake their short words for abbreviations.
            t.text = text.lower() if shouted and pos - start_pos in shouted else text
            t.boost = 1.0
            t.stopped = False
            if positions:
                t.pos = pos
            if chars:
                start, end = match.span()
                t.startchar, t.endchar = start_char + start, start_char + end
            pos += 1
            yield t


class MultiScriptNormalizeFilter(_Comparable, Filter):
    """Normalise each token by its script and drop stop words, renumbering positions."""

    def __call__(self, tokens):
        """Yield normalised tokens, each carrying its stem for MultiScriptStemFilter."""
        pos = None
        for t in tokens:
            term, t.stem = token_terms(t.text)
            if term is None:
                if not t.removestops:
                    # Blank text: a stop word must never look like a matched term when highlighting
                    # (كل "all" is a stop word but also the stem of الكلى).
                    t.text, t.stopped = "", True
                    yield t
                continue
            t.text, t.stopped = term, False
            if t.positions:
                pos = t.pos if pos is None else pos + 1
                t.pos = pos
            yield t


class MultiScriptStemFilter(_Comparable, Filter):
    """Stem tokens normalised by MultiScriptNormalizeFilter: Arabic light10, English Porter2."""

    is_morph = True

    def __call__(self, tokens):
        """Yield tokens with their text stemmed."""
        for t in tokens:
            if not t.stopped:
                t.text = t.stem
            yield t


class NameTokenizer(_Comparable, Tokenizer):
    """One token per line of names: the line's analysed words joined by a space (engine.name_key)."""

    def __call__(self, value: str, positions: bool = False, chars: bool = False, removestops: bool = True,
                 start_pos: int = 0, start_char: int = 0, mode: str = "", **kwargs):
        """Yield the term of each name of value."""
        from .. import name_key

        t = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        pos, offset = start_pos, start_char
        for line in value.split("\n"):
            key = name_key(line)
            if key:
                t.text, t.boost, t.stopped = key, 1.0, False
                if positions:
                    t.pos = pos
                if chars:
                    t.startchar, t.endchar = offset, offset + len(line)
                pos += 1
                yield t
            offset += len(line) + 1


def name_analyzer() -> Analyzer:
    """Return the analyzer of the names field: each name one term."""
    return NameTokenizer()


def text_analyzer() -> Analyzer:
    """Return the analyzer for title/heading/body fields, at index and query time."""
    return MultiScriptTokenizer() | MultiScriptNormalizeFilter() | MultiScriptStemFilter()
