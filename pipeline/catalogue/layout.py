"""PO entries written in GNU gettext's layout: what `msgcat` writes by default.

The rules are those of GNU gettext's write-po.c: strings wrapped at 79 columns where Unicode's
line breaking allows (linebreak.py), a string that needs more than one line starting with `""`,
one line per `\\n`, references filled up to 79 columns, the fuzzy flag first, `#|` previous
strings, and obsolete entries under `#~ ` with their comments unprefixed. The tests compare these
functions byte for byte with msgcat's output.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Collection, Iterable, Sequence
from functools import lru_cache

from .linebreak import line_breaks

PAGE_WIDTH = 79

_ESCAPES = {"\a": "a", "\b": "b", "\f": "f", "\n": "n", "\r": "r", "\t": "t", "\v": "v", "\\": "\\", '"': '"'}
_PORTION = re.compile(r"[^\n]*\n|[^\n]+")
_NEEDS_ESCAPE = re.compile(r'[\a\b\f\n\r\t\v\\"]')
_WHITESPACE = re.compile(r"\s")  # what str.isspace() says is a space
# The format flags GNU gettext knows, in the order it writes them (after `fuzzy`).
_FORMATS = ("c", "objc", "sh", "python", "python-brace", "lisp", "elisp", "librep", "scheme",
            "smalltalk", "java", "csharp", "awk", "object-pascal", "ycp", "tcl", "perl",
            "perl-brace", "php", "gcc-internal", "gfc-internal", "qt", "qt-plural", "kde",
            "kde-kuit", "boost", "lua", "javascript")
_FLAG_ORDER = {f"{prefix}{name}-format": i * 3 + j
               for i, name in enumerate(_FORMATS) for j, prefix in enumerate(("", "possible-", "no-"))}
_FLAG_ORDER.update({"wrap": 1 << 19, "no-wrap": 1 << 19})


# Wrapping takes most of a write, and an article's template and catalogues hold the same msgids:
# each is wrapped once.
@lru_cache(maxsize=4096)
def _cached_lines(keyword: str, value: str, prefix: str, width: int, python_format: bool) -> tuple[str, ...]:
    return tuple(_string_lines(keyword, value, prefix, width, python_format))


def string_lines(keyword: str, value: str, prefix: str = "", width: int = PAGE_WIDTH,
                 python_format: bool = False) -> list[str]:
    """A keyword and its quoted string as GNU gettext writes them (lines without their `\\n`).

    prefix: what starts every line (`#~ ` for obsolete entries, `#| ` for previous strings).
    width: the page width (0: no wrapping, as `msgcat --no-wrap`).
    python_format: keep each Python format directive (`%(name)s`) on one line, as msgcat does
        for a message flagged python-format.
    """
    return list(_cached_lines(keyword, value, prefix, width, python_format))


def _string_lines(keyword: str, value: str, prefix: str, width: int, python_format: bool) -> list[str]:
    protected = _python_directives(value) if python_format and "%" in value else ()
    lines: list[str] = []
    first = True
    portions = _PORTION.findall(value) or [""]
    offset = 0
    for number, portion in enumerate(portions):
        text, prohibited = _escaped(portion, offset, protected)
        offset += len(portion)
        after_break = len(prefix) + 1  # a continuation line's text starts after prefix and quote
        limit = (width if width > 0 else 1 << 62) - 1 - after_break
        more = number < len(portions) - 1
        start = len(keyword) + 1 if first else 0  # what comes before the text on its line, past the quote
        # A string that would not fit on the keyword's line starts on the next one.
        if first and text and (more or start > limit
                               or next(line_breaks(text, limit, start, prohibited), None) is not None):
            lines.append(f'{prefix}{keyword} ""')
            first, start = False, 0
        breaks = list(line_breaks(text, limit, start, prohibited)) if text else []
        bounds = [0, *breaks, len(text)]
        pieces = [text[begin:end] for begin, end in zip(bounds, bounds[1:])]
        head = f"{prefix}{keyword} " if first else prefix
        lines.append(f'{head}"{pieces[0]}"')
        lines += [f'{prefix}"{piece}"' for piece in pieces[1:]]
        first = False
    return lines


def comment_lines(marker: str, comments: Iterable[str]) -> list[str]:
    """Comment lines: `#` translator comments (marker ""), `#.` extracted comments (marker ".")."""
    lines = []
    for comment in comments:
        for part in comment.split("\n") if marker == "" else [comment]:
            lines.append(f"#{marker} {part}" if part else f"#{marker}")
    return lines


def reference_lines(locations: Sequence[tuple[str, int | None]], width: int = PAGE_WIDTH) -> list[str]:
    """`#:` lines, filled up to the page width as GNU gettext does."""
    if not locations:
        return []
    lines, line, column = [], "#:", 2
    for filename, number in locations:
        while filename.startswith("./"):
            filename = filename[2:]
        if _WHITESPACE.search(filename):
            # Isolated so that readers do not split the name (as gettext 0.22 and Babel write it).
            filename = f"\u2068{filename}\u2069"
        reference = f"{filename}:{number}" if number is not None else filename
        if column > 2 and column + len(reference) + 1 > width:
            lines.append(line)
            line, column = "#:", 2
        line += " " + reference
        column += len(reference) + 1
    lines.append(line)
    return lines


def flags_line(flags: Iterable[str], translated: bool, obsolete: bool = False) -> list[str]:
    """The `#,` line: fuzzy first (only on a translated entry, as GNU gettext writes it), then the
    format flags in gettext's order, then any other flag; an obsolete entry keeps only fuzzy."""
    flags = set(flags)
    fuzzy = "fuzzy" in flags and translated
    others = [] if obsolete else sorted(flags - {"fuzzy"}, key=_flag_order)
    shown = (["fuzzy"] if fuzzy else []) + others
    return [f"#, {', '.join(shown)}"] if shown else []


def _flag_order(flag: str) -> tuple[int, str]:
    if flag.startswith("range:"):
        return (1 << 18, flag)
    return (_FLAG_ORDER.get(flag, 1 << 20), flag)


def _escaped(portion: str, offset: int, protected: Collection[int]) -> tuple[str, set[int]]:
    """A portion of a string with its escapes written out, and the positions in it where no line
    may start: inside an escape, before the `\\n` that ends a line, inside a protected directive."""
    escapes = [match.start() for match in _NEEDS_ESCAPE.finditer(portion)]
    if not escapes and not protected:
        return portion, set()
    text = _NEEDS_ESCAPE.sub(lambda match: "\\" + _ESCAPES[match.group()], portion)
    prohibited = {position + i + 1 for i, position in enumerate(escapes)}
    # A protected character keeps the line from breaking before it (or before its escape).
    prohibited.update(position - offset + bisect_left(escapes, position - offset)
                      for position in protected if offset <= position < offset + len(portion))
    if portion.endswith("\n"):
        prohibited.add(len(text) - 2)
    return text, prohibited


def _python_directives(value: str) -> set[int]:
    """Positions inside Python format directives (not their `%`), as gettext's format-python.c
    finds them. A directive that does not parse, or that mixes named and unnamed arguments with
    those before it, is not kept whole and ends the search, as it does there."""
    protected: set[int] = set()
    named = unnamed = 0  # arguments of the directives so far
    i, n = 0, len(value)
    while i < n:
        if value[i] != "%":
            i += 1
            continue
        start = i
        i += 1
        name = i < n and value[i] == "("
        if name:
            depth, i = 0, i + 1
            while i < n and not (value[i] == ")" and depth == 0):
                depth += {"(": 1, ")": -1}.get(value[i], 0)
                i += 1
            if i >= n:
                return protected
            i += 1
        while i < n and value[i] in "-+ #0":
            i += 1
        for precision in (False, True):  # a width, then a precision after a `.`
            if precision:
                if not (i < n and value[i] == "."):
                    break
                i += 1
            if i < n and value[i] == "*":  # an unnamed argument
                if named:
                    return protected
                unnamed, i = unnamed + 1, i + 1
            else:
                while i < n and value[i] in "0123456789":
                    i += 1
        if i < n and value[i] in "hlL":
            i += 1
        if i >= n or value[i] not in "%csridouxXeEfgG":
            return protected
        if name:
            if unnamed:
                return protected
            named += 1
        elif value[i] != "%":
            if named:
                return protected
            unnamed += 1
        protected.update(range(start + 1, i + 1))
        i += 1
    return protected
