"""Where GNU gettext breaks a long PO string: Unicode line breaking (UAX #14) as GNU libunistring does it.

GNU gettext (msgcat, msgmerge, Poedit and Weblate through them) wraps a string where libunistring's
`u8_width_linebreaks` says, and counts columns with its `uc_width`. To write files byte for byte as
they do, this is the same algorithm over the same data (linebreak_data.py, generated from
libunistring 1.0 by scripts/gnu_linebreaks.py): the pair table of UAX #14 with libunistring's
handling of spaces, combining marks, joiners, Hebrew hyphens and regional indicators.

possible_breaks and width_breaks follow libunistring a character at a time: they are the reference.
line_breaks, which writing a file uses, finds the same breaks a line at a time.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Collection, Iterator
from functools import cache, lru_cache
from typing import NamedTuple

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


def width_breaks(text: str, width: int, start_column: int, prohibited: Collection[int] = (),
                 chances: list[int] | None = None) -> list[bool]:
    """Where to break text so that its lines fit in width columns, the first starting at start_column.

    prohibited: positions where no line may start, whatever possible_breaks says (as the overrides
    libunistring's u8_width_linebreaks takes); chances: possible_breaks(text), if known. A piece of
    text between two break opportunities longer than a line is left whole. The reference for
    line_breaks, which gives the same breaks a line at a time.
    """
    if start_column + len(text) <= width and text.isascii():
        return [False] * len(text)  # fits: ASCII characters take a column at most
    if chances is None:
        chances = possible_breaks(text)
    breaks = [False] * len(text)
    last = None  # where the current piece starts, if a break may go there
    column, piece = start_column, 0
    for i, char in enumerate(text):
        chance = PROHIBITED if i in prohibited else chances[i]
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


def line_breaks(text: str, width: int, start_column: int = 0, prohibited: Collection[int] = ()) -> Iterator[int]:
    """Where lines start when text is wrapped to width columns, its first line starting at
    start_column: the positions width_breaks marks, found a line at a time.

    A line ends at the last break opportunity that fits, so only the opportunities near each line's
    end are looked for, with regular expressions made from the pair table (_FastPath). Text they do
    not cover (line separators, zero-width spaces and joiners, Hebrew letters, regional indicators,
    wide characters) is left to width_breaks.
    """
    fast = _fast_path()
    if text.isascii() and text.isprintable():
        classes, zero = text, []  # what most text is: a column a character
    else:
        # The patterns read each character as a stand-in of its class and width.
        classes = text if text.isascii() else text.translate(fast.stand_ins)
        if fast.outside.search(classes):
            yield from (i for i, brk in enumerate(width_breaks(text, width, start_column, prohibited)) if brk)
            return
        # Characters that take no column (combining marks, controls, soft hyphens): the column of
        # a position is the position less how many of them come before it.
        zero = [match.start() for match in fast.zero_width.finditer(classes)]
    zero_columns = [position - i for i, position in enumerate(zero)]
    start, origin = 0, -start_column  # where the line starts; the column of its column 0 in the text
    while len(text) - len(zero) - origin > width:
        last_column = origin + width
        last_position = last_column + bisect_right(zero_columns, last_column)
        # width_breaks ends a line before the first piece that passes the width: at the last
        # opportunity that fits, or if none does, after the one piece longer than the width.
        found = _last_opportunity(fast, classes, start, last_position, prohibited) or \
            _next_opportunity(fast, classes, start, prohibited)
        if found is None:
            return
        yield found
        start, origin = found, found - bisect_left(zero, found)


def _last_opportunity(fast: _FastPath, classes: str, start: int, end: int, prohibited: Collection[int]) -> int | None:
    """The last break opportunity after start and at or before end."""
    while (match := fast.last_opportunity.match(classes, start, end + 1)) is not None:
        if match.end() not in prohibited:
            return match.end()
        end = match.end() - 1
    return None


def _next_opportunity(fast: _FastPath, classes: str, start: int, prohibited: Collection[int]) -> int | None:
    """The first break opportunity after start."""
    while (match := fast.opportunity.search(classes, start)) is not None:
        if match.end() not in prohibited:
            return match.end()
        start = match.end()
    return None


class _FastPath(NamedTuple):
    """Regular expressions that find break opportunities without a loop over characters.

    Leaving out the classes whose rules look further back (line separators, zero-width spaces and
    joiners, Hebrew letters, regional indicators), whether a line may start at a character depends
    only on its class, the class of the last character before it that is not a space, and whether a
    space comes between: the pair table, which a pattern can read. A combining mark belongs to the
    character before it (at the start or after a space it stands for a letter). Each opportunity is
    the end of a match that starts at that last character. The patterns read stand-ins: for each
    character the first one of its class and width, ASCII for itself, so their sets stay small.
    """

    stand_ins: _StandIns  # for str.translate
    outside: re.Pattern[str]  # a character the patterns do not cover
    zero_width: re.Pattern[str]  # a character that takes no column
    opportunity: re.Pattern[str]  # the next opportunity: the end of a match
    last_opportunity: re.Pattern[str]  # the last opportunity of a span: the end of a match


class _StandIns(dict):
    """Code point -> the first character of the same kind (_kind), for str.translate."""

    def __init__(self, first: dict[tuple[int, int], str]) -> None:
        super().__init__()
        self.first = first

    def __missing__(self, code: int) -> str:
        char = self[code] = self.first[_kind(chr(code))]
        return char


def _kind(char: str) -> tuple[int, int]:
    """A character's class, and whether it takes no column (0), one (1) or two (2)."""
    return break_class(char), max(0, column_width(char))


@cache
def _fast_path() -> _FastPath:
    """The patterns, made on first use."""
    first: dict[tuple[int, int], str] = {}  # kind -> its first character: ASCII where the kind has one
    for start in sorted(set(_CLASS_STARTS) | set(_WIDTH_STARTS)):  # where class or width changes
        first.setdefault(_kind(chr(start)), chr(start))
    alphabet = {char: _kind(char) for char in [chr(code) for code in range(128)] + list(first.values())}

    def chars(classes: Collection[int] = (), widths: Collection[int] = ()) -> str:
        """A set of the stand-ins of these classes or widths."""
        found = {char for char, (cls, width) in alphabet.items() if cls in classes or width in widths}
        return "[" + "".join(re.escape(char) for char in sorted(found)) + "]"

    covered = [cls for cls in range(len(data.CLASSES)) if cls not in (HL, RI)]
    marks = chars({CM})
    # Classes that break alike share an alternative: (those a break may go before directly, those
    # only after a space) -> classes.
    groups: dict[tuple[tuple[int, ...], tuple[int, ...]], list[int]] = {}
    for before in sorted(covered, key=lambda cls: cls != AL):  # letters first: most lines end after one
        direct = tuple(after for after in covered if _PAIR[before][after] == 2)
        spaced = tuple(after for after in covered if _PAIR[before][after] >= 1)
        groups.setdefault((direct, spaced), []).append(before)
    alternatives = []
    for (direct, spaced), befores in groups.items():
        # After a space a combining mark may start a line whatever came before.
        tail = f" +(?={chars({*spaced, CM})})"
        if direct:
            tail = f"(?:{tail}|(?={chars(direct)}))"
        alternatives.append(f"{chars(befores)}{marks}*{tail}")
        if AL in befores:
            # A combining mark at the start or after a space stands for a letter in what follows.
            alternatives.append(f"{marks}(?<![^ ]{marks}){marks}*{tail}")
    opportunity = "|".join(alternatives)
    return _FastPath(
        stand_ins=_StandIns(first),
        outside=re.compile(chars({BK, ZW, ZWJ, HL, RI}, widths={2})),
        zero_width=re.compile(chars(widths={0})),
        opportunity=re.compile(opportunity),
        # The longest prefix, then an opportunity: the engine tries them from the end backwards,
        # so a search costs what lies between the end and the last opportunity.
        last_opportunity=re.compile(f"(?s:.*)(?:{opportunity})"),
    )
