"""Find where a parsed text starts in its source, for parsers whose tree has no line numbers."""

from __future__ import annotations

import bisect
import re
from array import array

_WORD = re.compile(r"\w{2,}")
_LAST_WORD = re.compile(r".*\b(\w{2,})", re.DOTALL)  # from the end back: a few steps, however long the text
_TOKEN = re.compile(r"\w+")
# How far past the cursor a paragraph's first word is looked for as it is written (the markup
# between two paragraphs is short); past that, only a whole word of the source counts, looked up in
# an index. Scanning on to the end each time would make a page of words the source spells otherwise
# (`&#107;x`) quadratic.
NEARBY = 1024
# How much longer than its text a paragraph's source may be (entities, inline markup), when its last
# word is looked for.
SPREAD = 8


class LineFinder:
    """Map texts met in document order back to source lines by searching forward for their words.

    lxml (through BeautifulSoup) keeps no source positions, so each paragraph's first word is
    looked up after the end of the previous paragraph (found by its last word); a word not
    found keeps the previous line. The work is linear in the source's size, whatever its shape.
    """

    def __init__(self, source: str):
        self._source = source
        self._starts = [0] + [m.end() for m in re.finditer("\n", source)]
        self._cursor = 0
        self._line = 1
        self._tokens: dict[str, array] | None = None  # made once scanning far has cost a source's length
        self._scanned = 0

    def line_of(self, text: str) -> int:
        """Return the line where text most likely starts, moving past it."""
        opening = _WORD.search(text)
        if opening:
            closing = _LAST_WORD.match(text)
            assert closing is not None  # text has a word
            first, last = opening.group(), closing.group(1)
            position = self._find(first, self._cursor, NEARBY)
            if position >= 0:
                self._line = bisect.bisect_right(self._starts, position)
                after = position + len(first) if closing.start(1) > opening.start() else position
                end = self._find(last, after, NEARBY + SPREAD * len(text))
                self._cursor = end + len(last) if end >= 0 else position + len(first)
        return self._line

    def _find(self, word: str, start: int, span: int) -> int:
        """Where word next occurs from start: as written within span, else as a whole word (scanning
        on while the scans have cost less than the source's length in all, then in an index); -1 if not."""
        found = self._source.find(word, start, start + span)
        if found >= 0 or start + span >= len(self._source):
            return found
        if self._scanned < len(self._source):
            found = self._whole_word(word, start + span)
            self._scanned += (found if found >= 0 else len(self._source)) - start
            return found
        if self._tokens is None:
            self._tokens = {}
            for match in _TOKEN.finditer(self._source):
                self._tokens.setdefault(match.group(), array("q")).append(match.start())
        positions = self._tokens.get(word)
        if positions is None:
            return -1
        index = bisect.bisect_left(positions, start)
        return positions[index] if index < len(positions) else -1

    def _whole_word(self, word: str, start: int) -> int:
        """Where word next occurs from start as a whole word, scanning the source; -1 if not."""
        source = self._source
        found = source.find(word, start)
        while found >= 0 and (_word_character(source, found - 1) or _word_character(source, found + len(word))):
            found = source.find(word, found + 1)
        return found


def _word_character(text: str, index: int) -> bool:
    return 0 <= index < len(text) and (text[index].isalnum() or text[index] == "_")
