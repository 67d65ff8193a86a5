"""Articles a query names: the concept table's part that the index teaches.

An article's title and its other names ("Also called": Amblyopia, Lazy eye) are one concept. The
index holds every article's names, each as one term (engine.NAMES_FIELD), so a phrase of a query
is known to name an article by one lookup; the other names of the articles so named are then
looked for too, as the concept table's synonyms are. A query for "Lou Gehrig's disease" thus finds
the articles titled "Amyotrophic lateral sclerosis" that never say it, because one article says
both.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..analysis import analyze, is_arabic_term
from ..concepts import Match, Variant
from ..engine import NAMES_FIELD, Reader, name_key
from ..versioned import per_version
from .query import Word

# The longest name looked up, in words: longer phrases of a question are rarely a whole name.
LONGEST_NAME = 6
# How many documents (sections) of the articles so named are read for their other names, and how
# many names each article brings at most: a name shared by many articles ("Diabetes") has the same
# few other names in each.
ARTICLES_READ = 30
OTHER_NAMES = 8
SHORT = 4


@dataclass(frozen=True)
class Named:
    """A phrase of a query that is the name of some article.

    start, end: the query terms it covers (`terms[start:end]`).
    key: the name's term in NAMES_FIELD.
    match: the concept it names, with the articles' other names as alternatives (None when
        they have none).
    listed: how the articles that list it among their other names (not as their title) hold it
        in their other names' field: its terms less their titles' (engine.field_text).
    """

    start: int
    end: int
    key: str
    match: Match | None
    listed: tuple[tuple[str, ...], ...] = ()


def named(words: tuple[Word, ...], reader: Reader, arabic: bool = False) -> tuple[Named, ...]:
    """The phrases of a query's words that name articles, longest first, left to right.

    arabic: whether the query is in Arabic; other names are taken in the query's script only (an
    abbreviation in Latin letters, "ALS", counts for both), as the concept table does.
    """
    terms = tuple(word.term for word in words)
    known, longest = name_keys(reader), name_starts(reader)
    found: list[Named] = []
    start = 0
    while start < len(terms):
        # Most words start no name: one lookup tells, and how long a name they may start.
        for end in range(min(len(terms), start + longest.get(terms[start], 0)), start, -1):
            key = " ".join(terms[start:end])
            # A short word is a name only as typed in capitals: the stem of "ache" is the
            # abbreviation ACH (achondroplasia).
            if end - start == 1 and len(key) < SHORT and not words[start].text.isupper():
                continue
            if key in known:
                others = tuple(variant for variant in other_names(reader, key)
                               if variant.abbreviation or variant.arabic == arabic)
                typed = Variant(key, terms[start:end])
                found.append(Named(start, end, key, Match(start, end, typed, others) if others else None,
                                   listed_as(reader, key)))
                start = end
                break
        else:
            start += 1
    return tuple(found)


@per_version()
def name_keys(reader: Reader) -> frozenset[str]:
    """Every name of the index's articles (the terms of NAMES_FIELD), for one version of it: a
    question's phrases are looked up here, a set lookup each."""
    return frozenset(term for term, _ in reader.terms(NAMES_FIELD))


@per_version()
def name_starts(reader: Reader) -> dict[str, int]:
    """The first word of every name, with the most words a name it starts has (at most
    LONGEST_NAME), for one version of the index."""
    starts: dict[str, int] = {}
    for key in name_keys(reader):
        words = key.split()
        starts[words[0]] = min(LONGEST_NAME, max(starts.get(words[0], 0), len(words)))
    return starts


@per_version(4096)
def names_of(reader: Reader, key: str) -> tuple[str, ...]:
    """The names (title first, one a line) of the articles named key, each article once."""
    return tuple(dict.fromkeys(reader.texts(NAMES_FIELD, key, ARTICLES_READ)))


@per_version(4096)
def other_names(reader: Reader, key: str) -> tuple[Variant, ...]:
    """The other names of the articles named key, as concept variants.

    When key is the title of some article, only those articles speak for it: another article that
    lists it among its other names is often about something broader (GERD is "also called"
    heartburn, a symptom of it). A narrower name, holding every word of key, is none either:
    "diabetes type 2" is not another way to say "diabetes".
    """
    words = set(key.split())
    variants: dict[str, Variant] = {}
    texts = names_of(reader, key)
    titled = [text for text in texts if name_key(text.split("\n", 1)[0]) == key]
    for text in titled or texts:
        kept = 0
        for name in text.split("\n"):
            terms = tuple(analyze(name))
            other = " ".join(terms)
            if terms and other != key and not words <= set(terms) and kept < OTHER_NAMES:
                kept += 1
                variants.setdefault(other, Variant(name, terms, _abbreviation(name, terms)))
    return tuple(variants.values())


@per_version(4096)
def listed_as(reader: Reader, key: str) -> tuple[tuple[str, ...], ...]:
    """The phrases the articles that list key among their other names hold it as in their other
    names' field: key's terms less those of each one's title. None when key is some article's
    title: that article is the one so named (Macular Degeneration lists "age-related macular
    degeneration", the title of a narrower article)."""
    found: dict[tuple[str, ...], None] = {}
    texts = names_of(reader, key)
    if any(name_key(text.partition("\n")[0]) == key for text in texts):
        return ()
    for text in texts:
        title, _, others = text.partition("\n")
        if key in map(name_key, others.split("\n")):
            left = set(analyze(title))
            phrase = tuple(term for term in key.split() if term not in left)
            if phrase:
                found.setdefault(phrase)
    return tuple(found)


def _abbreviation(name: str, terms: tuple[str, ...]) -> bool:
    """Whether a name is an abbreviation (ALS, MI): one word in capitals, usable in either script."""
    return len(terms) == 1 and not is_arabic_term(terms[0]) and name.isupper() and len(name) <= 6
