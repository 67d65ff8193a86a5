"""Arabic root families: the index's words that share a root (ISRI), read once per version of the index."""

from __future__ import annotations

import sys
from pathlib import Path

from .. import analysis
from ..analysis import arabic_root, is_arabic_term
from ..engine import Reader
from ..files import cached
from ..versioned import per_version

FAMILY_FIELD = "body"


@per_version()
def arabic_roots(reader: Reader) -> dict[str, tuple[str, ...]]:
    """root -> the Arabic terms of the body field with that root, most frequent first, for one
    version of the index (read on first use, or by search.prepare).

    Reading the terms and finding their roots is a large part of an Arabic search as a new
    process, so the families are also kept in the user's cache folder for the version and the
    code that finds them.
    """
    code = b"".join(Path(module.__file__).read_bytes() for module in (sys.modules[__name__], *_analysis_modules()))
    return cached("arabic-roots", repr(reader.version).encode("utf-8") + code, dict,
                  lambda: _read_arabic_roots(reader))


def _read_arabic_roots(reader: Reader) -> dict[str, tuple[str, ...]]:
    """arabic_roots, from the index."""
    roots: dict[str, list[tuple[int, str]]] = {}
    # Arabic letters sort after every Latin one: from the first to past the block.
    for term, frequency in reader.terms(FAMILY_FIELD, "\u0621", "\u0700"):
        if is_arabic_term(term):
            roots.setdefault(arabic_root(term), []).append((-frequency, term))
    return {root: tuple(term for _, term in sorted(terms)) for root, terms in roots.items()}


def _analysis_modules() -> list:
    """The modules whose code decides the terms a family is made of."""
    return [sys.modules[name] for name in sorted(sys.modules) if name.startswith(analysis.__name__)]
