"""Write pipeline/catalogue/linebreak_data.py: where GNU gettext may break a PO string, as data.

GNU gettext wraps PO strings where GNU libunistring's `u8_width_linebreaks` allows (Unicode's line
breaking algorithm, UAX #14, as libunistring implements it), counting columns with its `uc_width`.
This script asks the installed libunistring (a dependency of GNU gettext) through ctypes:

- the break class of every code point: each code point is set beside one character of every
  class, with and without a space between, and code points that break alike share a class;
- the pair table: whether a break is allowed between two classes directly (D), only after a
  space (I), or never (P);
- the column width of every code point.

Run it where GNU gettext is installed, then review and commit the diff:

    python scripts/gnu_linebreaks.py > pipeline/catalogue/linebreak_data.py

It takes a few minutes (it probes every code point).
"""

from __future__ import annotations

import ctypes
import ctypes.util
import sys

# One character of each class (classes named as in UAX #14); OPW is an East Asian wide opening
# bracket, which libunistring breaks before after letters and digits, unlike other openers.
REPRESENTATIVES = {
    "WJ": "\u2060", "GL": "\u00a0", "B2": "\u2014", "BA": "\u2013", "BB": "\u00b4", "HY": "-",
    "CL": "}", "CP": ")", "EX": "!", "IN": "\u2026", "NS": "\u203c", "OP": "(", "QU": '"',
    "IS": ",", "NU": "0", "PO": "%", "PR": "$", "SY": "/", "AL": "a", "H2": "\uac00",
    "H3": "\uac01", "ID": "\u4e00", "JL": "\u1100", "JV": "\u1160", "JT": "\u11a8", "HL": "\u05d0",
    "RI": "\U0001f1e6", "EB": "\u261d", "EM": "\U0001f3fb", "OPW": "\u3008",
    # Classes the algorithm handles apart from the table.
    "ZWJ": "\u200d", "SP": " ", "ZW": "\u200b", "CM": "\u0300", "BK": "\u2028",
}
TABLE_CLASSES = [name for name in REPRESENTATIVES if name not in ("ZWJ", "SP", "ZW", "CM", "BK")]
POSSIBLE = 2


def load():
    name = ctypes.util.find_library("unistring") or "libunistring.so.2"
    lib = ctypes.CDLL(name)
    lib.u8_possible_linebreaks.argtypes = [ctypes.c_char_p, ctypes.c_size_t, ctypes.c_char_p, ctypes.c_char_p]
    lib.uc_width.argtypes = [ctypes.c_uint32, ctypes.c_char_p]
    lib.uc_width.restype = ctypes.c_int
    return lib


def breaks(lib, text: str) -> bytes:
    """libunistring's break value before each character of text."""
    data = text.encode("utf-8")
    out = ctypes.create_string_buffer(len(data))
    lib.u8_possible_linebreaks(data, len(data), b"UTF-8", out)
    values, offset = bytearray(), 0
    for char in text:
        values.append(out.raw[offset])
        offset += len(char.encode("utf-8"))
    return bytes(values)


def signature(lib, char: str) -> bytes:
    segments = []
    for other in REPRESENTATIVES.values():
        if other != "\u2028":
            segments += [other + char, other + " " + char, char + other, char + " " + other,
                         other + " " + char + other]
    return breaks(lib, "\n".join(segments))


def ranges(values: list) -> list[tuple[int, object]]:
    """(first code point, value) of each run of equal values."""
    runs = [(0, values[0])]
    for code, value in enumerate(values):
        if value != runs[-1][1]:
            runs.append((code, value))
    return runs


def main() -> None:
    lib = load()
    known = {}
    for name, char in REPRESENTATIVES.items():
        known.setdefault(signature(lib, char), name)
    classes = []
    for code in range(0x110000):
        if 0xD800 <= code < 0xE000:
            classes.append("AL")
            continue
        found = known.get(signature(lib, chr(code)))
        if found is None:
            sys.exit(f"U+{code:04X} breaks like no known class: add a representative")
        classes.append(found)
    table = []
    for before in TABLE_CLASSES:
        row = ""
        for after in TABLE_CLASSES:
            a, b = REPRESENTATIVES[before], REPRESENTATIVES[after]
            row += "D" if breaks(lib, a + b)[1] == POSSIBLE else "I" if breaks(lib, a + " " + b)[2] == POSSIBLE else "P"
        table.append(row)
    widths = [lib.uc_width(code, b"UTF-8") for code in range(0x110000)]

    class_runs = ranges(classes)
    width_runs = ranges(widths)
    version = ctypes.c_int.in_dll(lib, "_libunistring_version").value
    print('"""GNU libunistring\'s line break classes, pair table and column widths (generated: do not edit).')
    print()
    print(f"Made by scripts/gnu_linebreaks.py from libunistring {version >> 16}.{version >> 8 & 0xff}, which GNU gettext")
    print("uses; linebreak.py reads it.")
    print('"""')
    print()
    print(f"CLASSES = {' '.join(TABLE_CLASSES)!r}.split()")
    print("# TABLE[i][j]: may a line break between a character of class i and one of class j: D directly,")
    print("# I only after a space, P never.")
    print("TABLE = (")
    for name, row in zip(TABLE_CLASSES, table):
        print(f"    {row!r},  # {name}")
    print(")")
    print("# Runs of equal class: the first code point of each run, in hex, and its class.")
    _print_runs("CLASS_RUNS", [f"{code:x}:{name}" for code, name in class_runs])
    print("# Runs of equal column width (-1: a control character).")
    _print_runs("WIDTH_RUNS", [f"{code:x}:{width}" for code, width in width_runs])


def _print_runs(name: str, items: list[str]) -> None:
    print(f"{name} = (")
    line = ""
    for item in items:
        if len(line) + len(item) + 1 > 90:
            print(f'    "{line}"')
            line = ""
        line += item + " "
    print(f'    "{line}"')
    print(")")


if __name__ == "__main__":
    main()
