"""Medical slips a translation can make while its numbers stay right, for `catalog check`.

- `units`: a unit changed (mg for mcg, ml for l, °C for °F, per day for per week);
- `comparison`: a comparison turned round (`<` for `>`, "less than" for "more than", "at least"
  for "at most"); in right-to-left text `<` is shown mirrored, so it is easy to "correct";
- `range`: a range reversed (5-10 written 10-5);
- `acronym`: an acronym of the source the termbase knows (CT, MRI), neither kept nor named by a
  term of its concept;
- `brackets`: brackets that do not pair up (when the source's do);
- `doubled`: a word written twice in a row ("في في");
- `latin-punctuation`: a Latin `?` `,` `;` inside Arabic-script text (؟ ، ؛ are Arabic's).

Units and comparisons are read in English and Arabic, and as symbols in any language. Each
check looks for a contradiction, not an absence: a translation that spells a unit a way the
lists do not know is not reported, one that names another unit of the same kind is. Tested
both ways in tests/test_slips.py (each slip caught; correct tricky Arabic left alone).
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from functools import lru_cache

from ..locale_tags import language

ERROR_CODES = ("units", "comparison", "range")
WARNING_CODES = ("acronym", "brackets", "doubled", "latin-punctuation")

# Arabic letters (any Arabic-script letter), for boundaries in the patterns below.
_AR = "\u0600-\u06ff\u0750-\u077f\u08a0-\u08ff"
# An Arabic word may carry a conjunction or preposition and the article in front: و ب ل ف ك ال.
_AR_PREFIX = r"(?:[وفبلك]?(?:ال)?)"


def _ar(words: str) -> str:
    """An alternation of Arabic words, with their prefixes, as whole words."""
    return rf"(?<![{_AR}]){_AR_PREFIX}(?:{words})(?![{_AR}])"


# "في الأسبوع الماضي" is "in the past week", not "per week".
_NOT_A_GIVEN_ONE = r"(?!\s+(?:الماضي|الماضية|السابق|السابقة|القادم|القادمة|المقبل|المقبلة|التالي|التالية|الأول|الأولى|الأخير|الأخيرة|نفسه|نفسها|ذاته|ذاتها))"
# (kind, unit, pattern). Symbols need a number before them; words do not.
_NUMBER_BEFORE = r"(?<=[\d\u0660-\u0669\u06f0-\u06f9])\s?"
_UNIT_PATTERNS: list[tuple[str, str, str]] = [
    ("mass", "mcg", _NUMBER_BEFORE + r"(?:mcg|µg|μg|ug)\b|\bmicrograms?\b|" + _ar("ميكروغرام|ميكروجرام|مكغ|ميكروغرامات|ميكروجرامات")),
    ("mass", "mg", _NUMBER_BEFORE + r"mg\b|\bmilligrams?\b|\bmilligrammes?\b|"
     + _ar("ملغ|مغ|ملجم|مجم|ملغم|مليغرام|ملليغرام|ميليغرام|ملليجرام|مليجرام|ميليجرام|مليغرامات|ملليغرامات|ملليجرامات|مليجرامات")),
    ("mass", "g", _NUMBER_BEFORE + r"g\b|\bgrams?\b|\bgrammes?\b|" + _ar("غرام|جرام|غم|جم|غرامات|جرامات")
     + rf"|{_NUMBER_BEFORE}غ(?![{_AR}])"),
    ("mass", "kg", _NUMBER_BEFORE + r"kg\b|\bkilograms?\b|\bkilos?\b|" + _ar("كيلوغرام|كيلوجرام|كغ|كجم|كلغ|كيلوغرامات|كيلوجرامات|كيلو")),
    ("volume", "ml", _NUMBER_BEFORE + r"(?:ml|mL|cc)\b|\bmillilit(?:re|er)s?\b|"
     + _ar("مليلتر|ملليلتر|ميليلتر|ملليلترات|مليلترات|ميليلترات|ملل|سم3|سنتيمتر مكعب") + rf"|{_NUMBER_BEFORE}مل(?![{_AR}])"),
    ("volume", "l", _NUMBER_BEFORE + r"[lL]\b|\blit(?:re|er)s?\b|" + _ar("لتر|لترات|ليتر|ليترات")),
    ("temperature", "°C", r"°\s?C\b|\bdegrees? (?:Celsius|centigrade)\b|\bCelsius\b|°\s?م|" + _ar("مئوية|سلسيوس|سيلسيوس")),
    ("temperature", "°F", r"°\s?F\b|\bdegrees? Fahrenheit\b|\bFahrenheit\b|°\s?ف|" + _ar("فهرنهايت|فهرنهيت|فارنهايت")),
    ("frequency", "per hour", r"\b(?:per|an|each|every) hour\b|\bhourly\b|/\s?h(?:ou)?r?\b|"
     + _ar("كل ساعة|في الساعة|بالساعة") + _NOT_A_GIVEN_ONE),
    ("frequency", "per day", r"\b(?:per|a|each|every) day\b|\bdaily\b|/\s?day\b|"
     + _ar("يوميًا|يومياً|يوميا|يومي|يومية|في اليوم|كل يوم") + _NOT_A_GIVEN_ONE),
    ("frequency", "per week", r"\b(?:per|a|each|every) week\b|\bweekly\b|/\s?week\b|"
     + _ar("أسبوعيًا|أسبوعياً|أسبوعيا|اسبوعيا|أسبوعي|أسبوعية|في الأسبوع|كل أسبوع|في الاسبوع|كل اسبوع")
     + _NOT_A_GIVEN_ONE),
    ("frequency", "per month", r"\b(?:per|a|each|every) month\b|\bmonthly\b|"
     + _ar("شهريًا|شهرياً|شهريا|شهري|شهرية|في الشهر|كل شهر") + _NOT_A_GIVEN_ONE),
]

# Comparisons: the direction a text states. Longer phrases first (negations before their verbs).
_COMPARISONS: list[tuple[str, str]] = [
    ("at least", r"\bat least\b|\bno (?:less|fewer) than\b|\bnot less than\b|\bminimum of\b|"
     + _ar("على الأقل|لا يقل عن|لا تقل عن|لا يقل عن|بحد أدنى|كحد أدنى|حد أدنى")),
    ("at most", r"\bat most\b|\bno (?:more|greater) than\b|\bnot more than\b|\bmaximum of\b|\bup to\b|"
     + _ar("على الأكثر|لا يزيد على|لا يزيد عن|لا تزيد على|لا تزيد عن|بحد أقصى|كحد أقصى|حد أقصى|لا يتجاوز|لا تتجاوز")),
    ("less than", r"\b(?:less|fewer|lower|smaller|shorter) than\b|" + _ar("أقل من|أدنى من|أصغر من|أقصر من|أخفض من")),
    ("more than", r"\b(?:more|greater|higher|larger|bigger|longer) than\b|"
     + _ar("أكثر من|أكبر من|أعلى من|أطول من|يزيد على|يزيد عن|تزيد على|تزيد عن|يتجاوز|تتجاوز")),
]
_OPPOSITE = {"at least": "at most", "at most": "at least", "less than": "more than", "more than": "less than",
             "<": ">", ">": "<", "≤": "≥", "≥": "≤"}
# Comparison signs, not arrows (->, <-, =>, <=>) nor HTML tags.
_SIGN = re.compile(r"(?<![-=<])(<=|>=|≤|≥|⩽|⩾|<|>)(?![-=>])")
_TAG = re.compile(r"</?[A-Za-z][^<>]*>")

_DIGITS = r"[\d\u0660-\u0669\u06f0-\u06f9]+(?:[.,\u066b][\d\u0660-\u0669\u06f0-\u06f9]+)?"
_RANGE = re.compile(rf"(?<![\w.,\u066b/-])({_DIGITS})\s*(?:-|–|—|\bto\b|إلى|الى|حتى)\s*({_DIGITS})(?![\w\u066b]|[.,]\d)")
_BETWEEN = re.compile(rf"\bbetween\s+({_DIGITS})\s+and\s+({_DIGITS})|بين\s+({_DIGITS})\s*و\s*({_DIGITS})")

_ACRONYM = re.compile(r"\b[A-Z][A-Z0-9]*[A-Z][A-Z0-9]*\b")
_ROMAN = re.compile(r"^[IVXLCDM]+$")
_BRACKETS = {"(": ")", "[": "]", "{": "}", "«": "»", "‹": "›", "﴾": "﴿"}
_CLOSERS = {closer: opener for opener, closer in _BRACKETS.items()}
_WORD = re.compile(r"[^\W\d_]+(?:[\u064b-\u065f\u0670]*[^\W\d_]*)*")
# Doubled on purpose: Arabic reduplication ("step by step", "little by little", "one by one") and
# English "had had", "that that".
_REDUPLICATED = frozenset({"خطوة", "رويدا", "رويدًا", "رويداً", "قليلا", "قليلًا", "قليلاً", "شيئا", "شيئًا",
                           "واحدا", "واحدًا", "واحداً", "حرفا", "حرفيًا", "جنبا", "جنبًا", "يدا", "يدًا",
                           "had", "that", "is", "do", "bye", "very"})
# The names of Latin letters as Arabic writes them.
_LETTER_NAMES = frozenset({"إي", "اي", "بي", "سي", "دي", "إف", "اف", "جي", "إتش", "اتش", "آي", "جاي", "كي",
                           "إل", "ال", "إم", "ام", "إن", "ان", "أو", "او", "كيو", "آر", "ار", "إس", "اس",
                           "تي", "يو", "في", "دبليو", "إكس", "اكس", "واي", "زد", "زي", "أيه", "ايه"})
_ARABIC_SCRIPT_LANGUAGES = frozenset({"ar", "fa", "ur", "ps", "ckb", "sd", "ug", "ku"})
_LATIN_MARKS = {"?": "؟", ",": "،", ";": "؛"}


def compare_slips(source: str, translation: str, locale: str = "", concepts=None) -> list[tuple[str, str]]:
    """(code, message) for each medical slip of a translation against its source."""
    found = []
    for check in (_units, _comparison, _range, _acronym, _brackets, _doubled):
        problem = check(source, translation, concepts, locale) if check is _acronym else check(source, translation)
        if problem:
            found.append(problem)
    if language(locale) in _ARABIC_SCRIPT_LANGUAGES:
        problem = _latin_punctuation(translation)
        if problem:
            found.append(problem)
    return found


# --- Units ------------------------------------------------------------------------------------


@lru_cache(maxsize=1)
def _unit_regexes() -> list[tuple[str, str, re.Pattern]]:
    return [(kind, unit, re.compile(pattern)) for kind, unit, pattern in _UNIT_PATTERNS]


def units_of(text: str) -> dict[str, set[str]]:
    """kind -> the units of that kind a text names."""
    found: dict[str, set[str]] = {}
    taken: list[tuple[int, int]] = []
    for kind, unit, pattern in _unit_regexes():
        for match in pattern.finditer(text):
            if any(start < match.end() and match.start() < end for start, end in taken):
                continue  # part of a longer unit found first (mcg before g, ml before l)
            taken.append(match.span())
            found.setdefault(kind, set()).add(unit)
    return found


def _units(source: str, translation: str) -> tuple[str, str] | None:
    source_units, translation_units = units_of(source), units_of(translation)
    changes = []
    for kind, units in sorted(translation_units.items()):
        expected = source_units.get(kind)
        extra = units - expected if expected else set()
        if extra:
            changes.append(f"{', '.join(sorted(expected))} in the source, {', '.join(sorted(extra))} in the translation")
    if changes:
        return "units", "a unit changed: " + "; ".join(changes)
    return None


# --- Comparisons ------------------------------------------------------------------------------


@lru_cache(maxsize=1)
def _comparison_regexes() -> list[tuple[str, re.Pattern]]:
    return [(name, re.compile(pattern, re.IGNORECASE)) for name, pattern in _COMPARISONS]


def comparisons_of(text: str) -> Counter:
    """How many times a text states each direction (signs and words)."""
    found: Counter = Counter()
    taken: list[tuple[int, int]] = []
    for name, pattern in _comparison_regexes():
        for match in pattern.finditer(text):
            if any(start < match.end() and match.start() < end for start, end in taken):
                continue
            taken.append(match.span())
            found[name] += 1
    for match in _SIGN.finditer(_TAG.sub(" ", text)):
        sign = {"<=": "≤", ">=": "≥", "⩽": "≤", "⩾": "≥"}.get(match.group(1), match.group(1))
        found[sign] += 1
    return found


def _comparison(source: str, translation: str) -> tuple[str, str] | None:
    source_found, translation_found = comparisons_of(source), comparisons_of(translation)
    flipped = [(name, _OPPOSITE[name]) for name in source_found
               if translation_found[_OPPOSITE[name]] > source_found[_OPPOSITE[name]]
               and translation_found[name] < source_found[name]]
    if not flipped:
        return None
    described = "; ".join(f"the source says “{a}”, the translation “{b}”" for a, b in sorted(flipped))
    return "comparison", f"a comparison is turned round: {described}"


# --- Ranges -----------------------------------------------------------------------------------


def _value(text: str) -> float | None:
    text = "".join(str(unicodedata.decimal(c, c)) for c in text).replace("\u066b", ".").replace(",", ".")
    try:
        return float(text)
    except ValueError:
        return None


def ranges_of(text: str) -> list[tuple[float, float]]:
    """The (from, to) of each numeric range a text states."""
    found = []
    for match in _RANGE.finditer(text):
        low, high = _value(match.group(1)), _value(match.group(2))
        if low is not None and high is not None and low != high:
            found.append((low, high))
    for match in _BETWEEN.finditer(text):
        groups = [g for g in match.groups() if g]
        low, high = _value(groups[0]), _value(groups[1])
        if low is not None and high is not None and low != high:
            found.append((low, high))
    return found


def _range(source: str, translation: str) -> tuple[str, str] | None:
    source_ranges, translation_ranges = set(ranges_of(source)), set(ranges_of(translation))
    reversed_ = sorted((a, b) for a, b in source_ranges if (b, a) in translation_ranges and (a, b) not in translation_ranges)
    if not reversed_:
        return None
    described = ", ".join(f"{_number(a)}–{_number(b)} is written {_number(b)}–{_number(a)}" for a, b in reversed_)
    return "range", f"a range is reversed: {described} (write ranges from the first number to the second, as the source does)"


def _number(value: float) -> str:
    return str(int(value)) if value == int(value) else str(value)


# --- Acronyms ---------------------------------------------------------------------------------


def acronyms_of(text: str) -> list[str]:
    """The acronyms of a text (CT, MRI, COVID), unless it is written in capitals throughout."""
    letters = [c for c in text if c.isalpha()]
    if letters and sum(c.isupper() for c in letters) * 2 > len(letters):
        return []
    found = set()
    matches = list(_ACRONYM.finditer(text))
    for number, match in enumerate(matches):
        if _ROMAN.match(match.group()):
            continue
        # Part of a name of several capitalised words ("SNOMED CT"): the name goes as a whole.
        neighbours = [m for m in matches[max(0, number - 1):number + 2] if m is not match]
        if any(text[min(m.end(), match.end()):max(m.start(), match.start())].strip() == "" for m in neighbours):
            continue
        found.add(match.group())
    return sorted(found)


def _acronym(source: str, translation: str, concepts, locale: str = "") -> tuple[str, str] | None:
    """An acronym the termbase knows (CT, MRI), neither kept nor named by a term of its concept.

    Acronyms the table does not know are left alone: a translation may spell them out or write
    them in its own script (WHO, كوفيد), and nothing tells which.
    """
    if concepts is None:
        return None
    from .terminology import abbreviations, concept_terms_in

    known = abbreviations(concepts)
    missing = [a for a in acronyms_of(source) if a in known
               and not re.search(rf"(?<![A-Za-z]){re.escape(a)}(?![A-Za-z])", translation)
               and not concept_terms_in(a, translation, concepts, locale)]
    if not missing:
        return None
    return "acronym", (f"acronym{'s' if len(missing) > 1 else ''} {', '.join(missing)} of the source "
                       f"{'are' if len(missing) > 1 else 'is'} neither kept nor named in the translation")


# --- Brackets, doubled words, punctuation ------------------------------------------------------


def _balanced(text: str) -> bool:
    stack = []
    for char in text:
        if char in _BRACKETS:
            stack.append(char)
        elif char in _CLOSERS:
            if not stack or stack.pop() != _CLOSERS[char]:
                return False
    return not stack


def _brackets(source: str, translation: str) -> tuple[str, str] | None:
    if _balanced(translation) or not _balanced(source):
        return None
    return "brackets", "brackets do not pair up in the translation (each opening one needs its closing one, in that order)"


def _doubled_words(text: str) -> set[str]:
    words = [(m.group(), m.start(), m.end()) for m in _WORD.finditer(text)]
    doubled = set()
    for number, ((first, _, end), (second, start, _)) in enumerate(zip(words, words[1:])):
        if first.casefold() != second.casefold() or text[end:start].strip():
            continue
        # Initials ("حسين أ أ") and acronyms spelt out letter by letter ("سي سي أوه في" for CCoV,
        # "آر آر تي-بي سي آر" for RRT-PCR) repeat letters' names; "في" is also "in", so it counts
        # as a letter only inside a run of three or more short words.
        if len(first) == 1 or (first in _LETTER_NAMES and (first != "في" or _short_run(words, number) >= 3)):
            continue
        doubled.add(first.casefold())
    return doubled - _REDUPLICATED


def _short_run(words: list[tuple[str, int, int]], number: int) -> int:
    """How many words of two letters or fewer follow each other around words[number]."""
    start = number
    while start > 0 and len(words[start - 1][0]) <= 2:
        start -= 1
    end = number
    while end + 1 < len(words) and len(words[end + 1][0]) <= 2:
        end += 1
    return end - start + 1


def _doubled(source: str, translation: str) -> tuple[str, str] | None:
    doubled = _doubled_words(translation) - _doubled_words(source)
    if not doubled:
        return None
    return "doubled", f"word written twice in a row: {', '.join(sorted(doubled))}"


def _latin_punctuation(translation: str) -> tuple[str, str] | None:
    """A Latin ? , ; next to Arabic letters (not between digits or inside Latin text)."""
    marks = set()
    for match in re.finditer(r"[?,;]", translation):
        before = translation[:match.start()].rstrip()[-1:]
        after = translation[match.end():].lstrip()[:1]
        if before.isdigit() and after.isdigit():
            continue
        if _is_arabic_letter(before) or (not before or not before.isascii()) and _is_arabic_letter(after):
            marks.add(match.group())
    if not marks:
        return None
    names = ", ".join(f"“{mark}” (write “{_LATIN_MARKS[mark]}”)" for mark in sorted(marks))
    return "latin-punctuation", f"Latin punctuation in Arabic text: {names}"


def _is_arabic_letter(char: str) -> bool:
    return bool(char) and "\u0600" <= char <= "\u06ff" and char.isalpha()
