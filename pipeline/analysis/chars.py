"""Character classes of mixed Arabic and Latin text, shared by the tokenizer and the normalisers."""

from __future__ import annotations

import re

# Zero-width spaces/joiners, LRM/RLM, bidi embeddings and isolates, BOM: invisible, never split words.
IGNORABLE_RANGES = ((0x200B, 0x200F), (0x202A, 0x202E), (0x2066, 0x2069), (0xFEFF, 0xFEFF))
# Harakat and other Arabic combining marks, superscript alef, Quranic marks, tatweel,
# and the isolated/medial presentation forms of the harakat.
AR_MARK_RANGES = ((0x0610, 0x061A), (0x064B, 0x065F), (0x0670, 0x0670), (0x06D6, 0x06ED),
                   (0x0640, 0x0640), (0x08D3, 0x08FF), (0xFE70, 0xFE7F))


def _char_class(ranges: tuple[tuple[int, int], ...]) -> str:
    """Write code point ranges as the inside of a regex character class."""
    return "".join(f"\\U{lo:08x}-\\U{hi:08x}" for lo, hi in ranges)


_IGNORABLE = _char_class(IGNORABLE_RANGES)
_AR_MARK = _char_class(AR_MARK_RANGES)
# Arabic letters, including Persian/Urdu additions and presentation-form letters and ligatures.
_AR_LETTER = ("\u0620-\u063f\u0641-\u064a\u066e\u066f\u0671-\u06d3\u06d5\u06ee\u06ef\u06fa-\u06fc"
              "\u06ff\u0750-\u077f\u08a0-\u08c9\ufb50-\ufd3d\ufd50-\ufdc7\ufdf0-\ufdfb\ufe80-\ufefc")
_AR_BLOCKS = "\u0600-\u06ff\u0750-\u077f\u0870-\u08ff\ufb50-\ufdff\ufe70-\ufefe"
_DIGIT = "0-9\u0660-\u0669\u06f0-\u06f9"
# Any letter of another script (Latin, Greek, ...): Python's [^\W\d_] minus the Arabic blocks.
_OTHER_LETTER = rf"[^\W\d_{_AR_BLOCKS}]"
_LATIN_MARK = "\u0300-\u036f"

# Possessive quantifiers (*+) throughout: what follows a repeated part never starts with a character
# the part could have taken, so giving characters back can never help, and not recording the
# backtracking points makes the tokenizer markedly faster.
_AR_WORD = rf"[{_AR_LETTER}](?:[{_IGNORABLE}]*+[{_AR_LETTER}{_AR_MARK}])*+"
# 2.5, ٢٫٥, 1,000 (a comma joins only before exactly three digits, so a list like 1,2 still splits).
_NUMBER_PART = rf"[{_DIGIT}](?:[{_IGNORABLE}]*+[{_DIGIT}])*+"
_NUMBER = rf"{_NUMBER_PART}(?:(?:[.\u066b\u066c]|,(?=[{_DIGIT}]{{3}}(?![{_DIGIT}]))){_NUMBER_PART})*"
# B12, HbA1c, Crohn's, C++, C#: letters then letters/digits, an inner apostrophe, a ++ or # tail.
# (The run of ASCII letters and digits is only a quicker way through most words: those characters
# are all letters or digits, so the words matched are the same.)
_OTHER_PART = (rf"{_OTHER_LETTER}(?:[a-zA-Z0-9]++"
               rf"|[{_IGNORABLE}]*+(?:{_OTHER_LETTER}|[{_LATIN_MARK}{_DIGIT}]))*+")
_OTHER_WORD = rf"{_OTHER_PART}(?:['\u2019]{_OTHER_PART})*(?:\+\+|#)?"

TOKEN_PATTERN = re.compile(rf"(?P<ar>{_AR_WORD})|(?P<num>{_NUMBER})|(?P<word>{_OTHER_WORD})")

# Two all-caps words next to each other, loosely: a letter that is not a-z, then (skipping the rest
# of its word) something that cannot be inside a word, then a word with no a-z. Every shouted run
# (see _shouted) contains this, and ordinary prose mostly does not, so _shouted can skip most texts.
# Possessive quantifiers keep the search linear on long texts.
_CAPS = rf"[^\W\d_a-z{_AR_BLOCKS}]"
_NOT_IN_WORD = rf"[\W\d_{_AR_BLOCKS}]"
MAYBE_SHOUTED = re.compile(rf"{_CAPS}{_CAPS}*+{_NOT_IN_WORD}++{_CAPS}{_CAPS}*+(?![a-z])")

IGNORABLE_RE = re.compile(f"[{_IGNORABLE}]")
AR_LETTER_RE = re.compile(f"[{_AR_LETTER}]")
DIGIT_RE = re.compile(f"[{_DIGIT}]")
LATIN_MARK_RE = re.compile(f"[{_LATIN_MARK}]")
POSSESSIVE_RE = re.compile(r"['\u2019][sS]$")
APOSTROPHE_RE = re.compile(r"['\u2019]")

DIGITS_TO_ASCII = {**{0x0660 + i: str(i) for i in range(10)}, **{0x06F0 + i: str(i) for i in range(10)}}


def is_arabic_term(term: str) -> bool:
    """Tell whether an analysed term is an Arabic word."""
    return bool(term) and AR_LETTER_RE.match(term) is not None
