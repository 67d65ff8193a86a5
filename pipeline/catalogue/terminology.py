"""`catalog check`'s termbase and consistency checks.

- `terminology`: the source names a concept of the concept table (the termbase, concepts.py)
  and the translation uses none of the concept's terms in its language, nor its abbreviation.
  The source is matched through the analysers, then held to the words as written up to
  inflection (so "depending" does not name "dependence"); an Arabic translation is matched
  through its clitics and endings (و ب ال, ة ات ين ية, tanween), so "وحمّى" uses "الحمى" and
  "حصاة مرارية" uses "حصى المرارة". A concept with no term in the translation's language is
  not checked.
- `inconsistent`: the same source text translated differently in two places of a locale (both
  named), once the translations are compared without marks, tatweel and letter variants.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from functools import lru_cache

from ..analysis import analyze, is_arabic_term, normalize_arabic, term_spans
from ..concepts import LANGUAGE_COLUMNS, Concept, ConceptTable
from ..locale_tags import language

_LANGUAGE_NAMES = {"en": "English", "ar": "Arabic"}


@dataclass(frozen=True)
class _Index:
    """A table's terms analysed: per language, analysed words -> concepts; per concept, its
    analysed terms per language and its abbreviations."""

    names: dict[str, dict[tuple[str, ...], tuple[int, ...]]]
    longest: int
    terms: tuple[dict[str, tuple[tuple[str, ...], ...]], ...]


@lru_cache(maxsize=4)
def _index(table: ConceptTable) -> _Index:
    names: dict[str, dict[tuple[str, ...], list[int]]] = {lang: defaultdict(list) for lang in LANGUAGE_COLUMNS}
    terms = []
    longest = 0
    for number, concept in enumerate(table.concepts):
        analysed: dict[str, tuple[tuple[str, ...], ...]] = {}
        for lang in LANGUAGE_COLUMNS:
            analysed[lang] = tuple(words for words in (tuple(analyze(t)) for t in concept.terms_in(lang)) if words)
        analysed["abbreviations"] = tuple(words for words in (tuple(analyze(t)) for t in concept.abbreviations)
                                          if words)
        for lang in LANGUAGE_COLUMNS:
            # Abbreviations are left to the `acronym` check (slips.py).
            for term in concept.terms_in(lang):
                words = tuple(analyze(term))
                # A name that loses words to analysis ("passing out" -> "pass") would be found in
                # texts that do not name the concept at all: it names nothing in a source.
                if not words or len(words) < len(term.split()):
                    continue
                if number not in names[lang][words]:
                    names[lang][words].append(number)
                longest = max(longest, len(words))
        terms.append(analysed)
    frozen = {lang: {words: tuple(found) for words, found in by.items()} for lang, by in names.items()}
    return _Index(frozen, longest, tuple(terms))


def text_language(text: str) -> str:
    """`ar` when most of a text's words are Arabic, else `en`."""
    terms = analyze(text)
    return "ar" if terms and sum(is_arabic_term(t) for t in terms) * 2 > len(terms) else "en"


def concepts_named(text: str, table: ConceptTable, lang: str) -> list[tuple[Concept, str]]:
    """The concepts a text names in a language, longest names first, left to right, with the words found.

    Analysis finds the candidates; the words as written must then be the name's up to
    inflection ("stones" for "stone"), not another word of the same stem ("depending" does not
    name "dependence", nor "radiological" "radiology").
    """
    index = _index(table)
    names = index.names.get(lang, {})
    spans = term_spans(text)
    terms = tuple(term for _, _, term in spans)
    found: list[tuple[Concept, str]] = []
    seen: set[int] = set()
    start = 0
    while start < len(terms):
        for end in range(min(len(terms), start + index.longest), start, -1):
            numbers = [n for n in names.get(terms[start:end], ()) if n not in seen]
            written = [text[a:b] for a, b, _ in spans[start:end]]
            numbers = [n for n in numbers if _written_as(written, table.concepts[n].terms_in(lang))]
            if numbers:
                for number in numbers:
                    seen.add(number)
                    found.append((table.concepts[number], " ".join(written)))
                start = end
                break
        else:
            start += 1
    return found


def _written_as(written: list[str], names: tuple[str, ...]) -> bool:
    """Whether words as written are one of the names, up to inflection."""
    for name in names:
        words = [word for word in _WORDS.findall(name) if analyze(word)]
        if len(words) == len(written) and all(same_word(a, b) for a, b in zip(words, written)):
            return True
    return False


def same_word(a: str, b: str, verbs: bool = False) -> bool:
    """Two spellings of one word: up to case and a noun's inflection (with verbs, a verb's too)
    in English, clitics and endings in Arabic."""
    if is_arabic_term(normalize_arabic(a)):
        return bool(arabic_forms(a) & arabic_forms(b))
    return _english_base(a, verbs) == _english_base(b, verbs)


def _english_base(word: str, verbs: bool = False) -> str:
    """An English word without its inflection (-s, -es, -ies, 's; with verbs also -ing, -ed and a
    final -e), not its derivation: "stones" and "stone" meet ("sneezing" and "sneeze" with
    verbs), "depending" and "dependence" do not, nor "tests" and "testes"."""
    word = word.casefold().strip("'’.,;:()[]")
    for suffix in ("'s", "’s"):
        if word.endswith(suffix):
            word = word[: -len(suffix)]
    if word.endswith("ies") and len(word) > 4:
        word = word[:-3] + "y"
    elif word.endswith(("ches", "shes", "xes", "sses")):
        word = word[:-2]
    elif word.endswith("s") and not word.endswith(("ss", "us", "is")) and len(word) > 3:
        word = word[:-1]
    if not verbs:
        return word
    for suffix in ("ing", "ed"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            word = word[: -len(suffix)]
            break
    return word[:-1] if word.endswith("e") and len(word) > 3 else word


_AR_PREFIXES = ("وبال", "وال", "فال", "بال", "كال", "لل", "ال", "و", "ف", "ب", "ل", "ك")
_AR_SUFFIXES = ("يات", "ات", "ان", "ين", "ون", "يه", "ية", "ه", "ة", "ي", "ا", "ء")


@lru_cache(maxsize=65536)
def arabic_forms(word: str) -> frozenset[str]:
    """An Arabic word and the stems it may have once clitics (و ب ال ...) and one or two endings
    (ة ات ين ية, the alif of tanween) are taken off: looser than the search's light stemmer, which
    reads "ألمًا" as "ما" and "حصاة" and "حصى" apart."""
    word = normalize_arabic(word.strip("،؛؟.,:;!()«»\"'"))
    forms = {word}
    for prefix in _AR_PREFIXES:
        if word.startswith(prefix) and len(word) - len(prefix) >= 2:
            forms.add(word[len(prefix):])
    for _ in range(2):
        for form in list(forms):
            for suffix in _AR_SUFFIXES:
                if form.endswith(suffix) and len(form) - len(suffix) >= 2:
                    forms.add(form[: -len(suffix)])
    return frozenset(forms)


def _arabic_word_in(word: str, translation_forms: list[frozenset[str]]) -> bool:
    """Whether a word of a term is in the translation: a shared form, or one form a prefix of
    another one or two letters longer (الدم, الدموية)."""
    mine = arabic_forms(word)
    for forms in translation_forms:
        if mine & forms:
            return True
        for a in mine:
            for b in forms:
                short, long = (a, b) if len(a) <= len(b) else (b, a)
                if len(short) >= 2 and long.startswith(short) and len(long) - len(short) <= (1 if len(short) < 3 else 2):
                    return True
    return False


def _uses(concept: Concept, target: str, translation: str, translation_terms: set[str],
          translation_forms: list[frozenset[str]], strict: bool = False) -> bool:
    """Whether the translation uses one of the concept's terms, or (unless strict) a content word
    of one: a translation that keeps "الصدر" of "ألم الصدر" as "آلام الصدر" has the term, inflected."""
    if any(re.search(rf"(?<![A-Za-z]){re.escape(a)}(?![A-Za-z])", translation) for a in concept.abbreviations):
        return True
    found = all if strict else any
    for term in concept.terms_in(target):
        words = [word for word in _WORDS.findall(term) if analyze(word)]
        if not words:
            continue
        if target == "ar":
            if found(_arabic_word_in(word, translation_forms) for word in words):
                return True
        elif found(term in translation_terms for term in analyze(term)):
            return True
    return False


# Words as the terminology check reads them: letters and digits, split at hyphens ("كوفيد-19").
_WORDS = re.compile(r"[^\W_]+")


def terminology_problems(source: str, translation: str, locale: str, table: ConceptTable) -> list[tuple[str, str]]:
    """(`terminology`, message) for each concept the source names whose terms the translation lacks."""
    target = language(locale)
    source_language = text_language(source)
    if target not in LANGUAGE_COLUMNS or target == source_language:
        return []
    named = concepts_named(source, table, source_language)
    if not named:
        return []
    translation_terms = set(analyze(translation))
    translation_forms = [arabic_forms(word) for word in _WORDS.findall(translation)] if target == "ar" else []
    problems = []
    for concept, words in named:
        wanted = concept.terms_in(target)
        if not wanted or _uses(concept, target, translation, translation_terms, translation_forms):
            continue
        shown = ", ".join(f"“{term}”" for term in wanted[:4]) + (", …" if len(wanted) > 4 else "")
        preferred = concept.preferred_term(target)
        problems.append(("terminology", f"the source names “{words}” (concept table, line {concept.line}) but "
                                        f"the translation uses none of its {_LANGUAGE_NAMES[target]} terms "
                                        f"({shown}); preferred: “{preferred}”"))
    return problems


def abbreviations(table: ConceptTable) -> dict[str, tuple[int, ...]]:
    """Each abbreviation of the table (as written) -> the concepts it stands for."""
    return _abbreviations(table)


@lru_cache(maxsize=4)
def _abbreviations(table: ConceptTable) -> dict[str, tuple[int, ...]]:
    found: dict[str, list[int]] = defaultdict(list)
    for number, concept in enumerate(table.concepts):
        for abbreviation in concept.abbreviations:
            found[abbreviation].append(number)
    return {abbreviation: tuple(numbers) for abbreviation, numbers in found.items()}


def concept_terms_in(acronym: str, translation: str, table: ConceptTable, locale: str = "") -> bool:
    """Whether the translation names, by one of its terms, a concept the acronym stands for."""
    target = language(locale) if language(locale) in LANGUAGE_COLUMNS else text_language(translation)
    translation_terms = set(analyze(translation))
    translation_forms = [arabic_forms(word) for word in _WORDS.findall(translation)] if target == "ar" else []
    return any(_uses(table.concepts[number], target, translation, translation_terms, translation_forms, strict=True)
               for number in _abbreviations(table).get(acronym, ()))


# --- Consistency ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Occurrence:
    """A reviewed translation of a source text: where it is and what it says."""

    path: str
    line: int
    source: str
    translation: str


def _comparable(translation: str) -> str:
    text = normalize_arabic(translation).casefold()
    return " ".join(text.strip(" .،,؛;:!؟?").split())


def inconsistencies(occurrences: list[Occurrence]) -> list[tuple[Occurrence, Occurrence]]:
    """(occurrence, another) for each translation that differs from how the same source text is
    translated elsewhere: the one most places use (or, in a tie, the first) is the reference."""
    by_source: dict[str, list[Occurrence]] = defaultdict(list)
    for occurrence in occurrences:
        by_source[occurrence.source].append(occurrence)
    found = []
    for source, group in by_source.items():
        variants: dict[str, list[Occurrence]] = defaultdict(list)
        for occurrence in sorted(group, key=lambda o: (o.path, o.line)):
            variants[_comparable(occurrence.translation)].append(occurrence)
        if len(variants) < 2:
            continue
        reference = max(variants.values(), key=len)  # the first of the most used, in file order
        for places in variants.values():
            if places is reference:
                continue
            for occurrence in places:
                found.append((occurrence, reference[0]))
        # The reference is named too: at its first place, naming the first other translation.
        other = next(places for places in variants.values() if places is not reference)
        found.append((reference[0], other[0]))
    return sorted(found, key=lambda pair: (pair[0].path, pair[0].line))


def describe_inconsistency(occurrence: Occurrence, other: Occurrence) -> str:
    """The message of an `inconsistent` warning."""
    return (f"“{_shorten(occurrence.source)}” is translated differently at {other.path}:{other.line} "
            f"(“{_shorten(other.translation)}”)")


def _shorten(text: str, width: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"

