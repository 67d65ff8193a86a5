"""Find where a parsed text starts in its source, for parsers whose tree has no line numbers."""

from __future__ import annotations

import bisect
import re

_WORD = re.compile(r"\w{2,}")


class LineFinder:
    """Map texts met in document order back to source lines by searching forward for their words.

    lxml (through BeautifulSoup) keeps no source positions, so each paragraph's first word is
    looked up after the end of the previous paragraph (found by its last word); a word not
    found keeps the previous line.
    """

    def __init__(self, source: str):
        self._source = source
        self._starts = [0] + [m.end() for m in re.finditer("\n", source)]
        self._cursor = 0
        self._line = 1

    def line_of(self, text: str) -> int:
        """Return the line where text most likely starts, moving past it."""
        words = _WORD.findall(text)
        if words:
            position = self._source.find(words[0], self._cursor)
            if position >= 0:
                self._line = bisect.bisect_right(self._starts, position)
                end = self._source.find(words[-1], position + len(words[0]) if len(words) > 1 else position)
                self._cursor = end + len(words[-1]) if end >= 0 else position + len(words[0])
        return self._line
