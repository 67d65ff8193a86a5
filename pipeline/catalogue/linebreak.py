"""Where GNU gettext breaks a long PO string: Unicode line breaking (UAX #14) as GNU libunistring does it.

GNU gettext (msgcat, msgmerge, Poedit and Weblate through them) wraps a string where libunistring's
`u8_width_linebreaks` says, and counts columns with its `uc_width`. To write files byte for byte as
they do, this is the same algorithm over the same data (linebreak_data.py, generated from
libunistring 1.0 by scripts/gnu_linebreaks.py): the pair table of UAX #14 with libunistring's
handling of spaces, combining marks, joiners, Hebrew hyphens and regional indicators.
"""

from __future__ import annotations

from bisect import bisect_right
from functools import lru_cache

from . import linebreak_data as data

PROHIBITED, POSSIBLE, MANDATORY = 0, 1, 2

_INDEX = {name: i for i, name in enumerate(data.CLASSES)}
# Classes handled apart from the pair table, numbered after it.
BK, SP, ZW, CM, ZWJ = range(len(data.CLASSES), len(data.CLASSES) + 5)
_SPECIAL = {"BK": BK, "SP": SP, "ZW": ZW, "CM": CM, "ZWJ": ZWJ}
AL, HL, HY, BA, RI = (_INDEX[name] for name in ("AL", "HL", "HY", "BA", "RI"))
# _PAIR[a][b]: a break between classes a and b: 2 always, 1 only after a space, 0 never.
_PAIR = tuple(tuple({"D": 2, "I": 1, "P": 0}[v] for v in row) for row in data.TABLE)


def _runs(text: str, value) -> tuple[list[int], list]:
    starts, values = [], []
    for item in text.split():
        code, _, name = item.partition(":")
        starts.append(int(code, 16))
        values.append(value(name))
    return starts, values


_CLASS_STARTS, _CLASS_VALUES = _runs(data.CLASS_RUNS, lambda name: _SPECIAL.get(name, _INDEX.get(name)))
_WIDTH_STARTS, _WIDTH_VALUES = _runs(data.WIDTH_RUNS, int)


@lru_cache(maxsize=8192)
def break_class(char: str) -> int:
    """The line break class of a character (an index into data.CLASSES, or BK, SP, ZW, CM, ZWJ)."""
    return _CLASS_VALUES[bisect_right(_CLASS_STARTS, ord(char)) - 1]


@lru_cache(maxsize=8192)
def column_width(char: str) -> int:
    """Columns a character takes (0 for combining marks, 2 for wide ones, -1 for control characters)."""
    return _WIDTH_VALUES[bisect_right(_WIDTH_STARTS, ord(char)) - 1]


def possible_breaks(text: str) -> list[int]:
    """For each character: may a line break before it (POSSIBLE), must it after it (MANDATORY: the
    character is a line separator), or neither (PROHIBITED). libunistring's u8_possible_linebreaks."""
    result = [PROHIBITED] * len(text)
    last = BK  # the class of the last character that was not a space (BK: start of a line)
    space = False  # a space since that character
    previous = BK  # the class of the character just before
    hebrew_hyphen = False  # the previous character is a hyphen right after a Hebrew letter
    regional = 0  # regional indicators right before
    ascii_classes, pair = _ASCII_CLASSES, _PAIR
    for i, char in enumerate(text):
        code = ord(char)
        cls = ascii_classes[code] if code < 128 else break_class(char)
        before, previous = previous, cls
        after_hebrew_hyphen, hebrew_hyphen = hebrew_hyphen, before == HL and cls in (HY, BA)
        if cls == RI or regional:
            regional_before, regional = regional, regional + 1 if cls == RI else 0
        if cls < BK:  # a class of the pair table
            if last >= BK or before == ZWJ or after_hebrew_hyphen:
                if last == ZW and before != ZWJ and not after_hebrew_hyphen:
                    result[i] = POSSIBLE
            elif last == RI and cls == RI:
                result[i] = POSSIBLE if space or regional_before % 2 == 0 else PROHIBITED
            else:
                allowed = pair[last][cls]
                if allowed == 2 or (allowed == 1 and space):
                    result[i] = POSSIBLE
            last, space = cls, False
        elif cls == SP:
            space = True
        elif cls == BK:
            result[i] = MANDATORY
            last, space = BK, False
        elif cls == ZW:
            last, space = ZW, False
        else:  # CM, ZWJ
            # A combining mark belongs to the character before it; at the start of a line, after
            # a space or after a zero-width space it stands for a letter.
            if last == BK:
                last, space = AL, False
            elif last == ZW or space:
                result[i] = POSSIBLE
                last, space = AL, False
    return result


def width_breaks(text: str, width: int, start_column: int, overrides: list[int | None],
                 chances: list[int] | None = None) -> list[bool]:
    """Where to break text so that its lines fit in width columns, the first starting at start_column.

    overrides: for each character, None or a value that replaces possible_breaks' (as
    libunistring's u8_width_linebreaks takes them); chances: possible_breaks(text), if known. A
    piece of text between two break opportunities longer than a line is left whole.
    """
    if start_column + len(text) <= width and text.isascii():
        return [False] * len(text)  # fits: ASCII characters take a column at most
    if chances is None:
        chances = possible_breaks(text)
    breaks = [False] * len(text)
    last = None  # where the current piece starts, if a break may go there
    column, piece = start_column, 0
    for i, char in enumerate(text):
        chance = chances[i] if overrides[i] is None else overrides[i]
        if chance != PROHIBITED:
            if last is not None and column + piece > width:
                breaks[last] = True
                column = 0
            if chance == MANDATORY:
                last, column, piece = None, 0, 0
                continue
            last, column, piece = i, column + piece, 0
        columns = 1 if " " <= char < "\x7f" else column_width(char)
        if columns > 0:
            piece += columns
    if last is not None and column + piece > width:
        breaks[last] = True
    return breaks


_ASCII_CLASSES = [break_class(chr(code)) for code in range(128)]
