"""`pipeline catalog check`: what a careful reviewer looks for in a medical translation.

Errors (a reader could be misled or a tool breaks): `syntax`, `header`, `plural-count`, `msgid`,
`numbers`, `urls`, `markup`, `newline`, `units`, `comparison`, `range`, `bom`. Warnings (worth a
look): `punctuation`, `identical`, `spaces`, `invisible`, `fuzzy`, `acronym`, `brackets`, `doubled`,
`latin-punctuation`, `plural-form`, `terminology`, `inconsistent`. Translations are compared with
their msgid, every plural form with its own; untranslated messages are for `catalog stats`. A
fuzzy translation gets the `fuzzy` warning, and its numbers, units, comparisons and ranges are
checked too, as warnings (no reader sees it yet, and its reviewer needs them most).
slips.py holds the medical slips (units ... latin-punctuation), terminology.py the termbase and
consistency checks.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from babel.messages.catalog import Catalog

from ..concepts import ConceptTable, default_concepts
from ..errors import CatalogError
from ..locale_tags import language, normalize_locale
from . import plurals
from .folder import MESSAGES_DIR, CatalogueFile, catalogue_files, read_optional, template_path
from .merge import check_msgids
from .pofile import parse_catalogue, read_catalogue
from .slips import compare_slips
from .terminology import Occurrence, describe_inconsistency, inconsistencies, terminology_problems

ERROR = "error"
WARNING = "warning"

SEVERITY = {
    "syntax": ERROR, "header": ERROR, "plural-count": ERROR, "msgid": ERROR, "numbers": ERROR, "urls": ERROR,
    "markup": ERROR, "newline": ERROR, "punctuation": WARNING, "identical": WARNING, "spaces": WARNING,
    "invisible": WARNING, "fuzzy": WARNING,
    "units": ERROR, "comparison": ERROR, "range": ERROR, "bom": ERROR, "acronym": WARNING,
    "brackets": WARNING, "doubled": WARNING, "latin-punctuation": WARNING, "plural-form": WARNING,
    "terminology": WARNING, "inconsistent": WARNING,
}
# What is checked in a fuzzy translation too (as warnings): what a reviewer must not miss.
FUZZY_CODES = frozenset({"numbers", "units", "comparison", "range"})

# Fields msgfmt --check-header expects, plus Plural-Forms (this pipeline's catalogues always have it).
REQUIRED_HEADERS = ("Project-Id-Version", "PO-Revision-Date", "Last-Translator", "Language-Team",
                    "Language", "Plural-Forms", "MIME-Version", "Content-Type", "Content-Transfer-Encoding")


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a catalogue.

    path, line: where (the line of the message's msgid; of the header's for header problems).
    code: what kind of problem (see SEVERITY); severity: `error` or `warning`.
    message: what is wrong, in words a translator acts on.
    fuzzy: found in a fuzzy translation (then only a warning).
    """

    path: str
    line: int
    code: str
    message: str
    fuzzy: bool = False

    @property
    def severity(self) -> str:
        """`error` or `warning` (always a warning in a fuzzy translation)."""
        return WARNING if self.fuzzy else SEVERITY[self.code]

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.code}: {self.message}"

    def as_json(self) -> dict:
        """The problem as one object of `catalog check --json`."""
        found = {"path": self.path, "line": self.line, "code": self.code,
                 "severity": self.severity, "message": self.message}
        if self.fuzzy:
            found["fuzzy"] = True
        return found


@dataclass
class CheckReport:
    """Every problem found, sorted by file and line, and how many catalogues were read."""

    problems: list[Problem] = field(default_factory=list)
    catalogues: int = 0

    @property
    def errors(self) -> int:
        """How many problems are errors."""
        return sum(1 for p in self.problems if p.severity == ERROR)

    @property
    def warnings(self) -> int:
        """How many problems are warnings."""
        return sum(1 for p in self.problems if p.severity == WARNING)

    def as_json(self) -> dict:
        """The report as `catalog check --json` prints it."""
        return {"catalogues": self.catalogues, "errors": self.errors, "warnings": self.warnings,
                "problems": [p.as_json() for p in self.problems]}


def check(locales_dir: Path, locale: str | None = None, concepts: ConceptTable | None = None,
          paths: tuple[Path, ...] = ()) -> CheckReport:
    """Check every catalogue (of one locale, or of all), or the named files; concepts: the
    termbase (default: the shipped concept table).

    A folder with no catalogue at all is a CatalogError: there is nothing to vouch for.
    """
    items = [named_file(path, locales_dir) for path in paths] if paths else catalogue_files(locales_dir, locale)
    if not items:
        raise CatalogError(f"no catalogues under {locales_dir}",
                           hint="start a locale with `pipeline catalog init LOCALE`, or name the files to check")
    report = CheckReport()
    concepts = default_concepts() if concepts is None else concepts
    reviewed: dict[str, list[Occurrence]] = {}
    for item in items:
        report.catalogues += 1
        try:
            catalogue = read_catalogue(item.path)
        except CatalogError as error:
            report.problems.append(Problem(str(item.path), error.line or 1, "syntax", error.message))
            continue
        if _starts_with_bom(item.path):
            report.problems.append(Problem(str(item.path), 1, "bom", "the file starts with a UTF-8 byte order "
                                           "mark, which msgfmt rejects: save it as UTF-8 without BOM"))
        report.problems += check_catalogue(catalogue, item.locale, str(item.path), concepts,
                                           reviewed.setdefault(item.locale, []))
        report.problems += _check_msgids(catalogue, item, locales_dir)
    for occurrences in reviewed.values():
        for occurrence, other in inconsistencies(occurrences):
            report.problems.append(Problem(occurrence.path, occurrence.line, "inconsistent",
                                           describe_inconsistency(occurrence, other)))
    report.problems.sort(key=lambda p: (p.path, p.line, p.code))
    return report


def check_catalogue(catalogue: Catalog, locale: str, path: str, concepts: ConceptTable | None = None,
                    reviewed: list[Occurrence] | None = None) -> list[Problem]:
    """The problems of one catalogue read from path, whose folder says it is for locale.

    reviewed: a list to which the catalogue's reviewed translations are added (for `inconsistent`).
    """
    problems = _check_header(catalogue, locale, path)
    # The file's own count when its Plural-Forms is right for the locale (reported otherwise).
    nplurals = catalogue.num_plurals if _plural_forms_fit(catalogue, locale) else _expected_plurals(locale)
    single = _single_number_forms(catalogue)
    for message in catalogue:
        if not message.id:
            continue
        line = message.lineno or 1
        forms = getattr(catalogue, "plural_counts", {}).get(line)
        if message.pluralizable and forms is not None and nplurals and forms != nplurals:
            problems.append(Problem(path, line, "plural-count",
                                    f"{forms} plural forms; {locale} has {nplurals}"))
        sources = list(message.id) if isinstance(message.id, (list, tuple)) else [message.id]
        strings = message.string if isinstance(message.string, (list, tuple)) else (message.string,)
        if not any(strings):
            continue
        if message.fuzzy:
            problems.append(Problem(path, line, "fuzzy", "fuzzy translation: review it against the "
                                    "new text and remove the fuzzy flag (readers see the source until then)"))
        plural = len(sources) > 1
        for number, translation in enumerate(strings):
            prefix = f"plural form {number}: " if plural else ""
            if not translation:
                if not message.fuzzy:
                    problems.append(Problem(path, line, "plural-form", f"plural form {number} is empty: "
                                            "readers see the source text for the numbers it serves"))
                continue
            # Form 0 is the singular's where the language has one; the others are the plural's.
            source = sources[0] if not plural or (number == 0 and nplurals and nplurals > 1) else sources[-1]
            found = compare(source, translation, locale, concepts, may_omit_numbers=number in single and plural)
            if message.fuzzy:
                problems += [Problem(path, line, code, "in the fuzzy translation: " + prefix + text, fuzzy=True)
                             for code, text in found if code in FUZZY_CODES]
            else:
                problems += [Problem(path, line, code, prefix + text) for code, text in found]
        if not message.fuzzy and not plural and reviewed is not None:
            reviewed.append(Occurrence(path, line, sources[0], strings[0]))
    return problems


def named_file(path: Path, locales_dir: Path) -> CatalogueFile:
    """A file named on the command line: its locale is its folder's (`<locale>/LC_MESSAGES/x.po`),
    else its header's Language."""
    locale = ""
    if path.parent.name == MESSAGES_DIR:
        locale = normalize_locale(path.parent.parent.name) or ""
    if not locale:
        try:
            language_field = dict((k.lower(), v) for k, v in read_catalogue(path).header_fields).get("language", "")
            locale = normalize_locale(language_field) or ""
        except CatalogError:
            pass  # reported as a syntax problem when the file is checked
    try:
        article = path.resolve().relative_to((locales_dir / locale / MESSAGES_DIR).resolve()).with_suffix("")
    except ValueError:
        article = Path(path.stem)
    return CatalogueFile(locale, article.as_posix(), path)


def _check_msgids(catalogue: Catalog, item: CatalogueFile, locales_dir: Path) -> list[Problem]:
    """A msgid that is not a text of the article's template (a translation typed on the msgid line)."""
    path = template_path(locales_dir, item.article_id)
    try:
        data = read_optional(path)
        template = parse_catalogue(data, path) if data is not None else None
    except CatalogError:
        return []  # the template is remade by the next ingest
    if template is None:
        return []
    known = {m.id[0] if isinstance(m.id, (list, tuple)) else m.id for m in template if m.id}
    try:
        check_msgids(catalogue, known, item.path, in_step=catalogue.creation_date == template.creation_date)
    except CatalogError as error:
        return [Problem(str(item.path), error.line or 1, "msgid", f"{error.message} ({error.hint})")]
    return []


def _starts_with_bom(path: Path) -> bool:
    try:
        with open(path, "rb") as file:
            return file.read(3) == b"\xef\xbb\xbf"
    except OSError:
        return False


def _single_number_forms(catalogue: Catalog) -> set[int]:
    """The plural forms a catalogue uses for one number only (Arabic's for 0, 1 and 2): their
    translation may say the number in words ("قرصان") rather than write it."""
    import gettext

    expression = getattr(catalogue, "plural_expr", None)
    try:
        choose = gettext.c2py(expression) if expression else None
    except (ValueError, SyntaxError):
        return set()
    if choose is None:
        return set()
    served: dict[int, int] = {}
    try:
        for n in range(0, 1001):
            form = choose(n)
            served[form] = served.get(form, 0) + 1
    except ZeroDivisionError:  # a broken formula: reported as a `header` problem
        return set()
    return {form for form, count in served.items() if count == 1}


def compare(source: str, translation: str, locale: str = "", concepts: ConceptTable | None = None,
            may_omit_numbers: bool = False) -> list[tuple[str, str]]:
    """(code, message) for each way a translation departs from its source.

    concepts: the termbase for `terminology` and `acronym` (default: the shipped concept table).
    may_omit_numbers: the translation serves one number only (a plural form) and may say it in words.
    """
    concepts = default_concepts() if concepts is None else concepts
    found = []
    missing, extra = _number_difference(source, translation)
    if may_omit_numbers:
        missing = []
    elif missing and language(locale) == "ar":
        missing = _not_spelled(missing, translation)
    if missing or extra:
        found.append(("numbers", _describe("number", missing, extra)))
    missing, extra = _difference(_addresses(source), _addresses(translation))
    if missing or extra:
        found.append(("urls", _describe("URL or e-mail address", missing, extra)))
    missing, extra = _difference(_markup(source), _markup(translation))
    if may_omit_numbers:
        missing = []
    if missing or extra:
        found.append(("markup", _describe("markup or placeholder", missing, extra)))
    if source.startswith("\n") != translation.startswith("\n") or \
            source.endswith("\n") != translation.endswith("\n"):
        found.append(("newline", "the translation must begin and end with a line break exactly "
                                 "where the source does (msgfmt rejects the file otherwise)"))
    ending, translated_ending = _end_punctuation(source), _end_punctuation(translation)
    if ending != translated_ending:
        found.append(("punctuation", f"the source ends with {_name(ending)}, the translation with "
                                     f"{_name(translated_ending)}"))
    if translation == source and any(c.isalpha() for c in source):
        found.append(("identical", "the translation is the same as the source text"))
    spaces = _space_problem(source, translation)
    if spaces:
        found.append(("spaces", spaces))
    invisible = _invisible(translation, locale) - _invisible(source, locale)
    if invisible:
        names = ", ".join(f"U+{ord(c):04X} {unicodedata.name(c, 'control')}" for c in sorted(invisible))
        found.append(("invisible", f"invisible control characters: {names}"))
    found += compare_slips(source, translation, locale, concepts)
    found += terminology_problems(source, translation, locale, concepts)
    return found


# --- Header -----------------------------------------------------------------------------------


def _check_header(catalogue: Catalog, locale: str, path: str) -> list[Problem]:
    fields = {name.lower(): value.strip() for name, value in getattr(catalogue, "header_fields", [])}
    problems = []

    def problem(code: str, message: str) -> None:
        problems.append(Problem(path, getattr(catalogue, "header_line", 1), code, message))

    missing = [name for name in REQUIRED_HEADERS if name.lower() not in fields]
    if missing:
        problem("header", f"missing header field{'s' if len(missing) > 1 else ''}: {', '.join(missing)}")
    language_field = fields.get("language")
    if language_field and locale and (normalize_locale(language_field) or language_field) != locale:
        problem("header", f"Language is {language_field!r} but the file is in the {locale} folder")
    content_type = fields.get("content-type")
    if content_type is not None:
        charset = re.search(r"charset=([\w.:-]+)", content_type)
        if not charset or charset.group(1).lower().replace("_", "-") not in ("utf-8", "utf8"):
            problem("header", f"Content-Type must declare charset=UTF-8, not {content_type!r}")
    plural_forms = fields.get("plural-forms")
    if plural_forms is not None:
        unreadable = plurals.unreadable(plural_forms)
        wrong = plurals.problem(plural_forms, locale) if locale and not unreadable else None
        if unreadable:
            problem("header", unreadable)
        elif wrong:
            problem("plural-count", f"{wrong} (for {locale}, for example: {plurals.plural_forms(locale)})")
    return problems


def _plural_forms_fit(catalogue: Catalog, locale: str) -> bool:
    fields = {name.lower(): value for name, value in getattr(catalogue, "header_fields", [])}
    value = fields.get("plural-forms")
    return value is not None and (not locale or plurals.problem(value, locale) is None)


def _expected_plurals(locale: str) -> int | None:
    from babel.messages.plurals import get_plural

    try:
        return get_plural(locale).num_plurals
    except (ValueError, LookupError):
        return None


# --- Comparisons ------------------------------------------------------------------------------

# A number: digits of any script (Arabic-Indic ٠-٩ and Persian ۰-۹ included), with decimal or
# thousands separators between digit groups (. , ٫ ٬).
_NUMBER = re.compile(r"\d+(?:[.,\u066b\u066c]\d+)*")
# Digits right after a Latin letter belong to a name (R0, ACE2, H1N1, SpO2): a translation may
# spell the name out ("رقم التكاثر الأساسي" for R0) or write its digits apart ("اتش 1 إن 1").
# Digits after an Arabic letter are a number with a prefix (و5, "and 5"), so they count.
_NAME_DIGITS = re.compile(r"(?<=[A-Za-z])\d+(?:[.,]\d+)*")
# An address's local part is matched from the start of its run of characters only, and never given
# back: tried from every character of a long token, it made `catalog check` quadratic.
_URL = re.compile(r"(?:https?://|www\.)[^\s<>\"'()]+|(?<![\w.+-])[\w.+-]++@[\w-]+(?:\.[\w-]+)+", re.I)
_MARKUP = re.compile(
    r"</?[A-Za-z][^<>]*>"                  # inline HTML tags
    r"|%(?:\([\w]+\))?[-+#0]*\d*(?:\.\d+)?[sdifFeEgGxXcr](?![A-Za-z])"  # printf placeholders, not "50% of"
    r"|\{[\w.]*(?:![rsa])?(?::[^{}]*)?\}"  # {name}, {0}, {} placeholders
    r"|\$\{\w+\}"                          # ${name}
    r"|&[A-Za-z]+;|&#\d+;"                 # HTML entities
    r"|`[^`]+`"                            # inline code
)
_TRAILING_CLOSERS = "\"'”’»)]}"
# Arabic-script punctuation and its Latin equivalent, so "؟" ends a question as "?" does.
_PUNCTUATION = {"؟": "?", "،": ",", "؛": ";", "۔": ".", "…": "...", "。": ".", "！": "!", "？": "?"}
_ENDINGS = ("...", ".", "?", "!", ":", ";", ",")
# Zero-width characters and bidi controls: invisible in most editors, they change how text is
# shown or searched. ZWNJ/ZWJ are part of spelling in Persian and Indic scripts, so allowed there.
_INVISIBLE = frozenset("\u200b\u200c\u200d\u200e\u200f\u202a\u202b\u202c\u202d\u202e"
                       "\u2060\u2066\u2067\u2068\u2069\u061c\ufeff")
_JOINER_LANGUAGES = frozenset({"fa", "ps", "ur", "ckb", "ku", "hi", "mr", "ne", "bn", "sa", "ml",
                               "kn", "te", "ta", "si", "gu", "pa", "or", "as"})


def _number_difference(source: str, translation: str) -> tuple[list[str], list[str]]:
    """Numbers of the source missing from the translation, and numbers the translation adds.

    A number standing alone in the source must be in the translation; a number standing alone in
    the translation must be in the source, alone or inside a name (ACE2 -> "... 2").
    """
    source_all, translation_all = _numbers(source), _numbers(translation)
    source_alone = source_all - _numbers(source, _NAME_DIGITS)
    translation_alone = translation_all - _numbers(translation, _NAME_DIGITS)
    return _difference(source_alone, translation_all)[0], _difference(source_all, translation_alone)[1]


# Numbers Arabic says in words where English writes digits: one and two in particular, which a
# noun says by itself ("قرصًا واحدًا", the dual "مرتين", "لترين"); a few common duals are listed
# rather than any word ending in -ين/-ان, which plurals end in too.
_ARABIC_NUMBER_WORDS = {
    "1": ("واحد", "واحدة", "واحدا", "واحدًا", "واحداً"),
    "2": ("اثنان", "اثنين", "اثنتان", "اثنتين", "مرتين", "مرتان", "يومين", "يومان", "أسبوعين", "أسبوعان",
          "اسبوعين", "شهرين", "شهران", "سنتين", "سنتان", "عامين", "عامان", "ساعتين", "ساعتان", "دقيقتين",
          "قرصين", "قرصان", "حبتين", "حبتان", "جرعتين", "جرعتان", "لترين", "لتران", "كوبين", "ملعقتين",
          "كبسولتين", "طفلين", "جزأين", "نوعين", "نوعان", "ضعفين", "ضعفي"),
    "3": ("ثلاث", "ثلاثة"), "4": ("أربع", "أربعة"), "5": ("خمس", "خمسة"), "6": ("ست", "ستة"),
    "7": ("سبع", "سبعة"), "8": ("ثمان", "ثماني", "ثمانية"), "9": ("تسع", "تسعة"), "10": ("عشر", "عشرة"),
}
_ARABIC_PREFIXES = ("وال", "بال", "فال", "ال", "و", "ب", "ف", "ل")


def _not_spelled(missing: list[str], translation: str) -> list[str]:
    """The missing numbers an Arabic translation does not say in words either."""
    words = set()
    for word in re.findall(r"[\u0600-\u06ff]+", translation):
        words.add(word)
        words.update(word[len(p):] for p in _ARABIC_PREFIXES if word.startswith(p) and len(word) > len(p) + 2)
    spelled = Counter(value for value, forms in _ARABIC_NUMBER_WORDS.items() for form in forms if form in words)
    left = Counter(missing) - spelled
    return sorted(left.elements())


def _numbers(text: str, pattern: re.Pattern = _NUMBER) -> Counter:
    """The numbers of a text, written with ASCII digits, `.` as decimal mark and no grouping."""
    numbers = Counter()
    for match in pattern.finditer(text):
        groups = re.split(r"([.,\u066b\u066c])", "".join(str(unicodedata.decimal(c, c)) for c in match.group()))
        digits, separators = groups[0::2], groups[1::2]
        value = digits[0]
        for separator, group in zip(separators, digits[1:]):
            # 1,000 and ١٬٠٠٠ group thousands; 2.5, 2٫5 and 2,5 mark decimals.
            grouping = separator == "\u066c" or (separator == "," and len(group) == 3)
            value += group if grouping else "." + group
        numbers[value] += 1
    return numbers


def _addresses(text: str) -> Counter:
    return Counter(m.group().rstrip(".,;:!?") for m in _URL.finditer(text))


def _markup(text: str) -> Counter:
    return Counter(m.group() for m in _MARKUP.finditer(text) if not m.group().startswith("`"))


def _difference(source: Counter, translation: Counter) -> tuple[list[str], list[str]]:
    return sorted((source - translation).elements()), sorted((translation - source).elements())


def _describe(what: str, missing: list[str], extra: list[str]) -> str:
    parts = []
    if missing:
        parts.append(f"{what}{'s' if len(missing) > 1 else ''} {', '.join(missing)} of the source "
                     f"{'are' if len(missing) > 1 else 'is'} missing from the translation")
    if extra:
        parts.append(f"the translation has {', '.join(extra)}, not in the source")
    return "; ".join(parts)


def _end_punctuation(text: str) -> str:
    """The punctuation a text ends with (Arabic marks mapped to Latin ones), or ""."""
    text = text.rstrip().rstrip(_TRAILING_CLOSERS).rstrip()
    text = "".join(_PUNCTUATION.get(c, c) for c in text[-3:])
    return next((ending for ending in _ENDINGS if text.endswith(ending)), "")


def _name(ending: str) -> str:
    return f"“{ending}”" if ending else "no punctuation"


def _space_problem(source: str, translation: str) -> str:
    if translation != translation.strip() and source == source.strip():
        return "leading or trailing spaces in the translation"
    if "  " in translation and "  " not in source:
        return "double spaces in the translation"
    return ""


def _invisible(text: str, locale: str) -> set[str]:
    found = {c for c in text if c in _INVISIBLE}
    if locale.split("_")[0] in _JOINER_LANGUAGES:
        found -= {"\u200c", "\u200d"}
    return found

