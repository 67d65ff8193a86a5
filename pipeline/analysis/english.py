"""English and other Latin-script words: folding, abbreviations, Porter2 stemming."""

from __future__ import annotations

import threading
import unicodedata
from functools import lru_cache

import Stemmer

from .chars import APOSTROPHE_RE, DIGITS_TO_ASCII, IGNORABLE_RE, LATIN_MARK_RE, POSSESSIVE_RE
from .words import EN_STOP_WORDS


@lru_cache(maxsize=100_000)
def english_stem(word: str) -> str:
    """Stem a folded English word with Snowball's English stemmer (Porter2).

    An inflammation ("-itis") is kept whole: Porter2 cuts hepatitis and prostatitis to the stems
    of hepatic and prostate, so a search for the disease would find the organ.
    """
    if word.endswith("itis"):
        return word
    return _english_stemmer().stemWord(word) or word


# Snowball's own C stemmer (PyStemmer): much faster than Whoosh's Python port of Porter2,
# and current, where the port cut organism to organ, internal to intern and lateral to later.
# A stemmer object is not safe to share between threads (the web reader has several).
_STEMMERS = threading.local()


def _english_stemmer() -> Stemmer.Stemmer:
    """This thread's English stemmer (without its own cache: english_stem has one)."""
    stemmer = getattr(_STEMMERS, "english", None)
    if stemmer is None:
        stemmer = _STEMMERS.english = Stemmer.Stemmer("english", 0)
    return stemmer


def _abbreviation(word: str) -> str | None:
    """Return the abbreviation word stands for (CT, MRI, mRNA, HbA1c, NSAIDs→NSAID), else None."""
    letters = [c for c in word if c.isalpha()]
    if 2 <= len(letters) <= 5 and not any(c.islower() for c in letters):
        return word
    # Plural of an all-caps abbreviation: NSAIDs, UTIs, CTs.
    if word.endswith("s") and 2 <= len(letters) - 1 <= 5 and not any(c.islower() for c in word[:-1]):
        return word[:-1]
    # A capital after the first letter marks lab and unit notation: mRNA, HbA1c, IgE, pH, SpO2.
    if any(c.isupper() for c in word[1:]) and any(c.islower() for c in word):
        return word
    return None


def _fold_latin(word: str) -> str:
    """Case-fold, drop accents and compatibility forms (Ménière→meniere, ﬁ→fi), ASCII digits."""
    folded = unicodedata.normalize("NFKD", word.casefold())
    return LATIN_MARK_RE.sub("", folded).translate(DIGITS_TO_ASCII)


def latin_term(raw: str) -> tuple[str | None, bool]:
    """Return (term, stemmable) for a non-Arabic word; term is None for a stop word."""
    word = APOSTROPHE_RE.sub("", POSSESSIVE_RE.sub("", IGNORABLE_RE.sub("", raw)))
    abbreviation = _abbreviation(word)
    if abbreviation is not None:
        return _fold_latin(abbreviation) or None, False
    term = _fold_latin(word)
    if not term or term in EN_STOP_WORDS:
        return None, False
    # Only plain words go to Porter2; B12, C++ and the like are kept as written.
    return term, term.isalpha()
