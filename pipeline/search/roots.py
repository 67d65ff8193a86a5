"""Arabic root families: the index's words that share a root (ISRI), read once per version of the index."""

from __future__ import annotations

import sys
from collections import Counter
from functools import lru_cache
from pathlib import Path

from whoosh.lang.isri import ISRIStemmer

from .. import analysis
from ..analysis import is_arabic_term
from ..engine.whoosh.versions import per_version, version
from ..files import cached

FAMILY_FIELD = "body"


@per_version()
def arabic_roots(reader) -> dict[str, tuple[str, ...]]:
    """root -> the Arabic terms of the body field with that root, most frequent first, for one
    version of the index (read on first use, or by search.prepare).

    Reading the terms and finding their roots takes an Arabic search as a new process 0.13 s of
    its 0.45 s, so the families are also kept in the user's cache folder for the version (whose
    segment ids are random) and the code that finds them.
    """
    code = b"".join(Path(module.__file__).read_bytes() for module in (sys.modules[__name__], *_analysis_modules(),
                                                                      sys.modules[ISRIStemmer.__module__]))
    return cached("arabic-roots", repr(version(reader)).encode("utf-8") + code, dict,
                  lambda: _read_arabic_roots(reader))


def _read_arabic_roots(reader) -> dict[str, tuple[str, ...]]:
    """arabic_roots, from the index."""
    frequencies: Counter[str] = Counter()
    # Segment by segment: merging the segments' term lists costs Whoosh a lookup per term in each.
    for leaf, _ in reader.leaf_readers():
        # Arabic letters sort after every Latin one: start at the first and stop past the block.
        for raw, info in leaf.iter_field(FAMILY_FIELD, "\u0621"):
            term = raw.decode("utf-8")
            if term[0] > "\u06ff":
                break
            if is_arabic_term(term):
                frequencies[term] += info.doc_frequency()
    roots: dict[str, list[tuple[int, str]]] = {}
    for term, frequency in frequencies.items():
        roots.setdefault(root(term), []).append((-frequency, term))
    return {root: tuple(term for _, term in sorted(terms)) for root, terms in roots.items()}


_ISRI = ISRIStemmer()


@lru_cache(maxsize=100_000)
def root(term: str) -> str:
    """The ISRI root of an analysed Arabic term."""
    return _ISRI.stem(term)


def _analysis_modules() -> list:
    """The modules whose code decides the terms a family is made of."""
    return [sys.modules[name] for name in sorted(sys.modules) if name.startswith(analysis.__name__)]
