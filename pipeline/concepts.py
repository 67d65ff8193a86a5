"""Medical concepts: terms that name the same thing, in English and Arabic, and their abbreviations.

The table is a plain CSV file that editors extend (`pipeline/data/concepts.csv`): one concept per
row, columns `english`, `arabic` and `abbreviations`, several terms in one column separated by
` | `, comment lines starting with `#`. Terms are matched after analysis, so a row written as
"kidney stones" also matches "kidney stone", and "حصى الكلى" matches "حَصَى الكُلَى" and "حصي الكلي".

The table is also the project's termbase (termbase.py reads and writes it as TBX; `catalog check`
tells a translator when a translation uses none of a concept's terms). Optional columns, after
the three above and in any order:

- `preferred`: the term a translator should use, per language: `en: kidney stones | ar: حصى الكلى`
  (each one of the row's terms in that language);
- `definition`: what the concept is, for translators (free text);
- `lay`: everyday words for the concept, in either language ("belly" for the abdomen, "الضغط
  العالي" for high blood pressure).

At query time a concept named in the query adds its other terms (same script) and its
abbreviations as alternatives; see search/plan.py. A reader who types one of its everyday words
is looking for its names, but a query naming the concept does not look for the everyday words
(they are vaguer than its names, and a medical article rarely uses them).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path

from . import analysis
from .analysis import analyze, is_arabic_term
from .errors import ConceptError
from .files import cached

COLUMNS = ("english", "arabic", "abbreviations")
OPTIONAL_COLUMNS = ("preferred", "definition", "lay")
SEPARATOR = "|"
# The language of each terms column (`preferred` names languages by these codes).
LANGUAGE_COLUMNS = {"en": "english", "ar": "arabic"}


@dataclass(frozen=True)
class Concept:
    """One row of the concept table.

    line: the row's line in its file (for messages).
    english, arabic, abbreviations: the terms as written, in file order.
    preferred: (language, term) for each language whose preferred term the row names.
    definition: what the concept is, for translators ("" when the row gives none).
    lay: everyday words for it, in either language.
    """

    line: int
    english: tuple[str, ...]
    arabic: tuple[str, ...]
    abbreviations: tuple[str, ...]
    preferred: tuple[tuple[str, str], ...] = ()
    definition: str = ""
    lay: tuple[str, ...] = ()

    @property
    def terms(self) -> tuple[str, ...]:
        """Every term of the concept, as written."""
        return self.english + self.arabic + self.abbreviations + self.lay

    def terms_in(self, language: str) -> tuple[str, ...]:
        """The concept's terms in a language (`en`, `ar`; () for a language the table has no column for)."""
        column = LANGUAGE_COLUMNS.get(language)
        return getattr(self, column) if column else ()

    def preferred_term(self, language: str) -> str | None:
        """The term to use in a language: the one the row prefers, else its first; None when it has none."""
        named = dict(self.preferred).get(language)
        terms = self.terms_in(language)
        return named or (terms[0] if terms else None)


@dataclass(frozen=True)
class Variant:
    """One way of naming a concept, analysed.

    text: the term as written in the table.
    terms: its analysed terms (the index's vocabulary), in order.
    abbreviation: whether it is an abbreviation (used in text of any language).
    lay: whether it is an everyday word for the concept (Concept.lay).
    """

    text: str
    terms: tuple[str, ...]
    abbreviation: bool = False
    lay: bool = False

    @property
    def arabic(self) -> bool:
        """Whether the variant is written in Arabic."""
        return any(is_arabic_term(term) for term in self.terms)


@dataclass(frozen=True)
class Match:
    """A concept named in a query.

    start, end: the query terms it covers (`terms[start:end]`).
    variant: the variant found in the query.
    alternatives: the concept's other variants a search should also look for.
    """

    start: int
    end: int
    variant: Variant
    alternatives: tuple[Variant, ...]


class ConceptTable:
    """The concepts of one table file, indexed by their analysed terms for matching in queries."""

    def __init__(self, concepts: Iterable[Concept]):
        self.concepts = tuple(concepts)
        self._variants: dict[tuple[str, ...], list[tuple[Variant, int]]] = {}
        self._by_concept: list[tuple[Variant, ...]] = []
        for number, concept in enumerate(self.concepts):
            variants: dict[tuple[str, ...], Variant] = {}
            for text in concept.english + concept.arabic:
                variants.setdefault(_words(text), Variant(text, _words(text)))
            for text in concept.abbreviations:
                variants.setdefault(_words(text), Variant(text, _words(text), True))
            for text in concept.lay:
                variants.setdefault(_words(text), Variant(text, _words(text), lay=True))
            self._by_concept.append(tuple(variants.values()))
            for key, variant in variants.items():
                self._variants.setdefault(key, []).append((variant, number))
        self._longest = max((len(key) for key in self._variants), default=0)

    def __len__(self) -> int:
        return len(self.concepts)

    def find(self, terms: tuple[str, ...], arabic: bool = False) -> tuple[Match, ...]:
        """Find the concepts named in a query's analysed terms, longest names first, left to right.

        arabic: whether the query is in Arabic; alternatives are the concept's terms in the query's
        language plus its abbreviations (translations are left to cross-language search).
        """
        matches: list[Match] = []
        start = 0
        while start < len(terms):
            for end in range(min(len(terms), start + self._longest), start, -1):
                found = self._variants.get(terms[start:end])
                if found:
                    for variant, number in found:
                        # A longer name holding every term of the one typed ("diabetes mellitus"
                        # for "diabetes") is a narrower name, not another way to say it: skipped.
                        # Everyday words are looked for by no query.
                        others = tuple(other for other in self._by_concept[number]
                                       if not set(variant.terms) <= set(other.terms) and not other.lay
                                       and (other.abbreviation or other.arabic == arabic))
                        matches.append(Match(start, end, variant, others))
                    start = end
                    break
            else:
                start += 1
        return tuple(matches)


# Analysed words of table terms, remembered: a table repeats words across its rows.
_ANALYSED: dict[str, tuple[str, ...]] = {}


def _words(term: str) -> tuple[str, ...]:
    """A term's analysed words (a term is needed when checked and again when indexed)."""
    words = _ANALYSED.get(term)
    if words is None:
        words = _ANALYSED[term] = tuple(analyze(term))
    return words


def parse_concepts(text: str, path: str = "<concepts>") -> ConceptTable:
    """Read a concept table from CSV text; errors name the file and line."""
    rows = csv.reader(io.StringIO(text))
    header: list[str] | None = None
    concepts: list[Concept] = []
    owners: dict[tuple[str, ...], tuple[int, str]] = {}  # analysed words -> the first (line, term)
    for row in rows:
        line = rows.line_num
        if not row or not "".join(row).strip() or row[0].lstrip().startswith("#"):
            continue
        cells = [cell.strip() for cell in row]
        if header is None:
            header = [cell.lower() for cell in cells]
            extra = header[len(COLUMNS):]
            if tuple(header[:len(COLUMNS)]) != COLUMNS or not set(extra) <= set(OPTIONAL_COLUMNS) \
                    or len(set(extra)) != len(extra):
                raise ConceptError(f"the header must be {','.join(COLUMNS)} (then, if wanted, "
                                   f"{' and '.join(OPTIONAL_COLUMNS)}), not {','.join(cells)}",
                                   path, line, hint="keep the first row as it is")
            continue
        if len(cells) > len(header):
            raise ConceptError(f"{len(cells)} columns, expected {len(header)}", path, line,
                               hint=f"separate terms in one column with {SEPARATOR!r}, not commas")
        cells += [""] * (len(header) - len(cells))
        named = dict(zip(header, cells))
        columns = [tuple(term.strip() for term in named[name].split(SEPARATOR) if term.strip()) for name in COLUMNS]
        preferred = _preferred(named.get("preferred", ""), columns, path, line)
        lay = tuple(term.strip() for term in named.get("lay", "").split(SEPARATOR) if term.strip())
        concept = Concept(line, *columns, preferred=preferred, definition=named.get("definition", ""), lay=lay)
        if len(concept.terms) < 2:
            raise ConceptError("a concept needs at least two terms", path, line,
                               hint="add a synonym, a translation or an abbreviation")
        for term in concept.terms:
            words = _words(term)
            if not words:
                raise ConceptError(f"{term!r} has no searchable word (only stop words)", path, line,
                                   hint="write the term with its content words")
            other = owners.setdefault(words, (line, term))
            if other[0] != line:
                raise ConceptError(f"{term!r} is searched as the same words as {other[1]!r} of line "
                                   f"{other[0]}, so a query for either would also look for both rows' terms",
                                   path, line, hint="keep the term in one row, or write the two apart")
        concepts.append(concept)
    return ConceptTable(concepts)


def _preferred(cell: str, columns: list[tuple[str, ...]], path: str, line: int) -> tuple[tuple[str, str], ...]:
    """The `preferred` cell (`en: term | ar: term`) read and checked against the row's terms."""
    found = []
    for part in (p.strip() for p in cell.split(SEPARATOR)):
        if not part:
            continue
        language, _, term = part.partition(":")
        language, term = language.strip().lower(), term.strip()
        column = LANGUAGE_COLUMNS.get(language)
        if column is None or not term:
            raise ConceptError(f"preferred term {part!r} is not `LANGUAGE: term` with LANGUAGE one of "
                               f"{', '.join(LANGUAGE_COLUMNS)}", path, line,
                               hint="write it as `en: kidney stones | ar: حصى الكلى`")
        if term not in columns[COLUMNS.index(column)]:
            raise ConceptError(f"preferred term {term!r} is not one of the row's {column} terms", path, line,
                               hint=f"add it to the {column} column too")
        found.append((language, term))
    return tuple(found)


def read_concepts(path: Path) -> ConceptTable:
    """Read a concept table file."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as error:
        raise ConceptError(f"cannot read the concept table: {error}", path,
                           hint="check that the file exists and is UTF-8") from None
    return parse_concepts(text, str(path))


@lru_cache(maxsize=1)
def default_concepts() -> ConceptTable:
    """The concept table shipped with the package (`pipeline/data/concepts.csv`).

    Reading and analysing its thousands of terms takes longer than the rest of a one-off search,
    so the table, once read, is kept in the user's cache folder (pickled, trusted as Python's own
    bytecode cache is), under a name that changes with the table and with the code that reads
    it; a missing, damaged or unwritable cache only costs that time.
    """
    text = resources.files("pipeline").joinpath("data", "concepts.csv").read_text(encoding="utf-8-sig")
    code = Path(analysis.__file__).read_bytes() + Path(__file__).read_bytes()  # what reads the table
    return cached("concepts", text.encode("utf-8") + code, ConceptTable,
                  lambda: parse_concepts(text, "pipeline/data/concepts.csv"))
