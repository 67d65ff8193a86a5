"""Text analysis for mixed Arabic/English medical text: tokenising, normalising, stop words, stemming.

One analyzer serves every text field at index and query time. Each token is analysed by its own
script, so a field may mix Arabic and English freely:

- Arabic: orthographic normalisation (`normalize_arabic`), stop words (MSA plus common dialect
  function words), then a light10-style light stemmer (Larkey, Ballesteros & Connell) with small
  protection lists. Not Whoosh's ISRI root stemmer: roots merge unrelated words (علامات with علم).
- Latin: case and accent folding, English stop words, Porter2 stemming (Snowball's, through
  PyStemmer); medical abbreviations (CT, MRI, mRNA, HbA1c, NSAIDs) are lowercased but neither
  stemmed nor stopped.
- Numbers: kept, with Arabic-Indic and Persian digits written as ASCII.

Token offsets always refer to the original text, so highlights mark vocalised Arabic correctly.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from collections.abc import Sequence
from functools import lru_cache

import Stemmer
from whoosh.analysis import Analyzer, Filter, Token, Tokenizer

__all__ = ["analyze", "is_arabic_term", "normalize_arabic", "text_analyzer"]

# --- Character classes -------------------------------------------------------------------------

# Zero-width spaces/joiners, LRM/RLM, bidi embeddings and isolates, BOM: invisible, never split words.
_IGNORABLE_RANGES = ((0x200B, 0x200F), (0x202A, 0x202E), (0x2066, 0x2069), (0xFEFF, 0xFEFF))
# Harakat and other Arabic combining marks, superscript alef, Quranic marks, tatweel,
# and the isolated/medial presentation forms of the harakat.
_AR_MARK_RANGES = ((0x0610, 0x061A), (0x064B, 0x065F), (0x0670, 0x0670), (0x06D6, 0x06ED),
                   (0x0640, 0x0640), (0x08D3, 0x08FF), (0xFE70, 0xFE7F))


def _char_class(ranges: tuple[tuple[int, int], ...]) -> str:
    """Write code point ranges as the inside of a regex character class."""
    return "".join(f"\\U{lo:08x}-\\U{hi:08x}" for lo, hi in ranges)


_IGNORABLE = _char_class(_IGNORABLE_RANGES)
_AR_MARK = _char_class(_AR_MARK_RANGES)
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
_MAYBE_SHOUTED = re.compile(rf"{_CAPS}{_CAPS}*+{_NOT_IN_WORD}++{_CAPS}{_CAPS}*+(?![a-z])")

_IGNORABLE_RE = re.compile(f"[{_IGNORABLE}]")
_AR_LETTER_RE = re.compile(f"[{_AR_LETTER}]")
_DIGIT_RE = re.compile(f"[{_DIGIT}]")
_LATIN_MARK_RE = re.compile(f"[{_LATIN_MARK}]")
_POSSESSIVE_RE = re.compile(r"['\u2019][sS]$")
_APOSTROPHE_RE = re.compile(r"['\u2019]")

_DIGITS_TO_ASCII = {**{0x0660 + i: str(i) for i in range(10)}, **{0x06F0 + i: str(i) for i in range(10)}}

# --- Stop words --------------------------------------------------------------------------------

EN_STOP_WORDS = frozenset("""
a about above after again against all also am an and any are as at be because been before being
below between both but by can could did do does doing done down during each either few for from
further had has have having he her here hers herself him himself his how however i if in into is
it its itself just may me might more most must my myself neither no nor not of off on once only or
other our ours ourselves out over own same shall she should so some such than that the their
theirs them themselves then there these they this those through thus to too under until up upon us
very was we were what when where which while who whom whose why will with within without would yet
you your yours yourself yourselves
dont doesnt didnt isnt arent wasnt werent cant cannot couldnt wont wouldnt shouldnt im ive youre
theyre thats whats theres
""".split())

# Stored normalised (as normalize_arabic writes them: bare alef, ي for ى, ه for ة), because the
# check runs on normalised tokens. Words that are also common medical terms are left out on
# purpose: ام (mother), ذات (as in ذات الرئة), اذن (ear, same spelling as إذن), طب (medicine),
# حاجه (urge), فقد (loss), فعلي (actual).
_AR_STOP_BASE = frozenset("""
في من الي علي عن مع حتي منذ مذ لدي عند بين ضد نحو خلال حول دون بدون عبر تحت فوق امام خلف وراء قبل
بعد اثناء ضمن سوي غير مثل كما لكن بل ثم او اما اذا اذ لو لولا كي لكي حيث بينما عندما كلما لما ان
انه انها انهم انما كان كانت كانوا كنت يكون تكون يكونوا اصبح اصبحت صار صارت ظل مازال لازال لايزال
يزال تزال تم يتم تتم كانه لان لانه لانها
هذا هذه هذان هذين هاتان هاتين هولاء ذلك تلك ذاك ذلكم اوليك هنا هناك هنالك ثمه
الذي التي الذين اللذان اللذين اللتان اللتين اللاتي اللواتي اللايي
انا انت انتم انتن انتما نحن هو هي هم هن هما اياه اياها اياهم اياك
له لها لهم لهن لهما به بها بهم بهما منه منها منهم عنه عنها عنهم فيه فيها فيهم عليه عليها عليهم
اليه اليها اليهم معه معها معهم لديه لديها لديهم عنده عندها عندهم بينهم
هل ما ماذا لماذا متي اين كيف كم اي ايه
لا لم لن ليس ليست ليسوا ليسا لسنا
كل كلا كلتا بعض جميع كافه عده احد احدي نفس معظم اغلب اكثر اقل ذو ذا ذي
قد لقد سوف ايضا فقط جدا الان حاليا هكذا كذلك لذلك لهذا بذلك بهذا ربما الا اليس يا ايها ايتها
نعم بلي حين حينما حينيذ عنديذ بعدما قبلما مما عما فيما بما ممن عمن طالما سواء حسب وفقا مثلا غالبا
احيانا دايما ابدا
ايش شو ليش ليه وش اللي مش مو مب موب مافي ماكو اكو ازاي فين وين امتي مين منو شنو شلون اشلون ده دي
دا دول كده كدا هيك هيدا هيدي هاد هادا هادي هذي هاذا هاذي هادول هدول عشان علشان لانو انو بس يعني
ايوه لسه لسا برضه برضو كمان هلق دلوقتي دلوقت دحين الحين هسه هسا بدي بدك بده عايز عايزه عاوز عاوزه
ابغي زي بتاع بتاعه بتاعت تبع تبعه اوي كتير كثير شويه شي شيء وياه ويا خلاص يلا
كثيرا تقريبا الاحيان لدرجه بان لاكن اكون نكون ماهو ماهي
""".split())

# Function words that often carry a conjunction و or ف ("وفي", "فهو"); their prefixed forms are
# stop words too. هم is not here: وهم (illusion) and فهم (understanding) are content words.
_AR_CONJUNCTION_HOSTS = frozenset("""
في من الي علي عن مع هذا هذه ذلك تلك التي الذي الذين ان انه انها هو هي لا لم لن ما قد كان كانت كل
بعض عند بين لكن اذا لذلك كذلك بعد قبل هل ليس مثل حتي غير
انا انت نحن الان لما عندما كيف ماذا لماذا متي اين اي ايضا احيانا دايما حاليا اني انني اكون
""".split())
_AR_CONJUNCTION_EXCEPTIONS = frozenset({"فعلي", "فقد"})

# Prepositions and particles with an attached pronoun ("عندي" I have, "لي" to me, "انني" that I,
# "معها" with her): function words too, and frequent in patients' questions. Light stemming would
# otherwise turn them into stems that match unrelated words (عندي → عند). Left out: forms spelled
# like content words: مني (semen), معي (intestine), كلي (kidneys), مثلي, and بي (the letter B).
_AR_PRONOUN_HOSTS = frozenset("""
في من الي علي عن عند لدي بين ل ب ان لان لكن حول مع بعد قبل مثل غير دون ضد
""".split())
_AR_PRONOUN_SUFFIXES = ("ي", "ني", "ك", "كم", "كن", "كما", "ه", "ها", "هم", "هن", "هما", "نا")
_AR_PRONOUN_EXCEPTIONS = frozenset({"مني", "معي", "كلي", "مثلي", "بي", "لان", "لكن"})

_AR_PRONOUN_FORMS = frozenset(host + suffix for host in _AR_PRONOUN_HOSTS for suffix in _AR_PRONOUN_SUFFIXES
                              if len(host + suffix) > 2 or host in "لب") - _AR_PRONOUN_EXCEPTIONS

AR_STOP_WORDS = _AR_STOP_BASE | _AR_PRONOUN_FORMS | (
    frozenset(conj + word for conj in "وف" for word in _AR_CONJUNCTION_HOSTS | _AR_PRONOUN_FORMS)
    - _AR_CONJUNCTION_EXCEPTIONS
)

# --- Light stemming ----------------------------------------------------------------------------

# light10 affixes, normalised: ة and ية are the same letters as ه and يه after normalisation.
AR_ARTICLES = ("وال", "بال", "كال", "فال", "لل", "ال")
AR_SUFFIXES = ("ها", "ان", "ات", "ون", "ين", "يه", "ه", "ي")
# Clitics tried (longest first) only when looking a word up in AR_ROOT_INITIAL_WORDS, so that
# بالتهاب and لوريد find التهاب and وريد even though light10 never strips a bare ب or ل.
_AR_PROTECTION_PREFIXES = AR_ARTICLES + ("وب", "ول", "فب", "فل", "و", "ف", "ب", "ل", "ك", "")
# The same by a word's first letter (a word can only start with those starting with it), in order.
_AR_PROTECTION_PREFIXES_BY_LETTER = {
    letter: tuple(prefix for prefix in _AR_PROTECTION_PREFIXES if prefix[:1] in (letter, ""))
    for letter in {prefix[0] for prefix in _AR_PROTECTION_PREFIXES if prefix}}

# Words whose ending looks like a light10 suffix but belongs to the word: suffix stripping stops as
# soon as it reaches one. Without this سرطان→سرط while سرطانات→سرطان, بطين→بط (duck), جنين→جن,
# ثدي→ثد, and حمى (fever) would share حم with حمية (diet). Short words are here when the stripped
# letter is a root letter (ثدي, حمى, وعي); light10's own minimum lengths protect the rest.
AR_ROOT_FINAL_WORDS = frozenset("""
سرطان حيوان بيان دخان ادمان شريان اسنان لسان نسيان هذيان دوران غثيان يرقان انسان
بطين جنين جنون دهون قولون هرمون بالون البومين ثدي حمي وعي معده
""".split())

# Words whose first letters look like a prefix (و, ال, كال, بال) but belong to the word. Without
# this ولادة→لاد but الولادة→ولاد, and التهاب→تهاب but الالتهاب→التهاب. Their light stems are
# computed below (AR_ROOT_INITIAL_STEMS).
AR_ROOT_INITIAL_WORDS = frozenset("""
وريد ولاده وقايه وظيفه وزن وجع ورم وعي وباء وراثه وراثي وحمه وذمه وتر وسواس وصفه وجبه وفاه وعاء
ورك وليد وسيله وحده وضع وقت وسط وجه وجنه وهن وخز والد
التهاب التيام التواء التصاق الياف البومين الفا كالسيوم بالون
""".split())


# Pronoun suffixes light10 leaves on a word ("طبيبك" your doctor, "علاجكم", "اولادنا"). Not ني
# ("me"): too many adjectives end in ن + ي (باطني, جيني, يمني).
AR_PRONOUN_SUFFIXES = ("هما", "كما", "كم", "كن", "هم", "هن", "نا", "ك")
# Before a suffix, ta marbuta is written ت: "حالتي", "معدتك", "ثقتها" are حالة, معدة, ثقة with a
# pronoun. These three-letter words end in a real ت, which stays (بيتي, وقتك, موته).
AR_TA_FINAL_WORDS = frozenset("بيت وقت موت صوت زيت اخت بنت ست سبت نبت كبت تحت صمت ثبت فوت".split())
# The suffixes _strip_pronoun tries, in order, by their last letter (a word can only end with those).
_AR_TRIED_SUFFIXES = AR_PRONOUN_SUFFIXES + ("ها", "ه", "ي")
_AR_TRIED_SUFFIXES_BY_LETTER = {letter: tuple(suffix for suffix in _AR_TRIED_SUFFIXES if suffix[-1] == letter)
                                for letter in {suffix[-1] for suffix in _AR_TRIED_SUFFIXES}}


def _strip_pronoun(word: str) -> str:
    """Strip a pronoun suffix light10 would leave, and give back ta marbuta (as ه) before any suffix."""
    if word[-1:] in ("ي", "ه") and word[:-1] in AR_ROOT_FINAL_WORDS:  # سرطاني: light10's own ending
        return word
    for suffix in _AR_TRIED_SUFFIXES_BY_LETTER.get(word[-1:], ()):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            stem = word[: -len(suffix)]
            if stem.endswith("ات"):  # علاماتي, اعراضها...: the plural goes next
                return stem
            if stem.endswith("ت") and (len(stem) >= 4 or stem not in AR_TA_FINAL_WORDS):
                return stem[:-1] + "ه"
            return stem if suffix in AR_PRONOUN_SUFFIXES else word
    return word


def _strip_suffixes(word: str) -> str:
    """Strip a pronoun suffix, then light10 suffixes, each tried once in order, keeping two letters."""
    if word not in AR_ROOT_FINAL_WORDS:
        word = _strip_pronoun(word)
    for suffix in AR_SUFFIXES:
        if word in AR_ROOT_FINAL_WORDS:
            break
        if word.endswith(suffix) and len(word) >= len(suffix) + 2:
            word = word[: -len(suffix)]
    return word


AR_ROOT_INITIAL_STEMS = frozenset(_strip_suffixes(word) for word in AR_ROOT_INITIAL_WORDS)
# _strip_suffixes keeps a word's first two letters, so a word's stem can only be one of these if
# the word starts as one of them does.
_AR_ROOT_INITIAL_STARTS = frozenset(stem[:2] for stem in AR_ROOT_INITIAL_STEMS)


@lru_cache(maxsize=100_000)
def arabic_light_stem(word: str) -> str:
    """Light-stem a normalised Arabic word (light10 rules plus the protection lists)."""
    for prefix in _AR_PROTECTION_PREFIXES_BY_LETTER.get(word[:1], ("",)):
        rest = word[len(prefix):]
        if word.startswith(prefix) and len(rest) >= 2 and rest[:2] in _AR_ROOT_INITIAL_STARTS:
            stem = _strip_suffixes(rest)
            if stem in AR_ROOT_INITIAL_STEMS:
                return stem
    # light10: a conjunction و if three letters remain, then one article if two letters remain.
    if word.startswith("و") and len(word) >= 4:
        word = word[1:]
    for article in AR_ARTICLES:
        if word.startswith(article) and len(word) - len(article) >= 2:
            word = word[len(article):]
            break
    return _strip_suffixes(word)


@lru_cache(maxsize=100_000)
def english_stem(word: str) -> str:
    """Stem a folded English word with Snowball's English stemmer (Porter2).

    An inflammation ("-itis") is kept whole: Porter2 cuts hepatitis and prostatitis to the stems
    of hepatic and prostate, so a search for the disease would find the organ.
    """
    if word.endswith("itis"):
        return word
    return _english_stemmer().stemWord(word) or word


# Snowball's own C stemmer (PyStemmer): fifty times faster than Whoosh's Python port of Porter2,
# and current, where the port cut organism to organ, internal to intern and lateral to later.
# A stemmer object is not safe to share between threads (the web reader has several).
_STEMMERS = threading.local()


def _english_stemmer() -> Stemmer.Stemmer:
    """This thread's English stemmer (without its own cache: english_stem has one)."""
    stemmer = getattr(_STEMMERS, "english", None)
    if stemmer is None:
        stemmer = _STEMMERS.english = Stemmer.Stemmer("english", 0)
    return stemmer


# --- Normalisation -----------------------------------------------------------------------------


def _arabic_table() -> dict[int, str | None]:
    """Build the str.translate table behind normalize_arabic."""
    table: dict[int, str | None] = {cp: None for lo, hi in _AR_MARK_RANGES + _IGNORABLE_RANGES
                                    for cp in range(lo, hi + 1)}
    table.update(_DIGITS_TO_ASCII)
    table.update({
        ord("آ"): "ا", ord("أ"): "ا", ord("إ"): "ا", ord("ٱ"): "ا", ord("ٲ"): "ا", ord("ٳ"): "ا",
        ord("ى"): "ي", ord("ة"): "ه",
        # Hamza on a seat folds to the seat: ؤ→و, ئ→ي. Stripping the combining hamza (U+0654) already
        # does this to decomposed text, so composed and decomposed spellings agree, and informal
        # spellings that drop the hamza (مسوول, سوال) meet the formal ones.
        ord("ؤ"): "و", ord("ئ"): "ي",
        # Persian keyboard letters often typed in Arabic text.
        ord("ی"): "ي", ord("ک"): "ك", ord("ۀ"): "ه", ord("ە"): "ه",
        ord("\u066b"): ".", ord("\u066c"): None,  # Arabic decimal and thousands separators
    })
    # Presentation forms (ligatures, contextual shapes) become plain letters, normalised in turn.
    # Isolated harakat decompose to a space and the mark: both go. Whole-phrase ligatures (ﷺ, ﷻ)
    # are honorifics, no search term, so they go too.
    for cp in [*range(0xFB50, 0xFE00), *range(0xFE70, 0xFEFF)]:
        decomposed = unicodedata.normalize("NFKC", chr(cp))
        if decomposed != chr(cp):
            phrase = " " in decomposed.strip()
            table[cp] = None if phrase else decomposed.replace(" ", "").translate(table) or None
    return table


_ARABIC_TABLE = _arabic_table()


def normalize_arabic(text: str) -> str:
    """Normalise Arabic spelling: drop marks and tatweel, fold letter variants and digits."""
    return text.translate(_ARABIC_TABLE)


def _arabic_term(raw: str) -> str | None:
    """Return the normalised Arabic word, or None for a stop word or a lone letter."""
    word = normalize_arabic(raw)
    if len(word) < 2 or word in AR_STOP_WORDS:
        return None
    return word


def _number_term(raw: str) -> str:
    """Write a number with ASCII digits and no thousands separators."""
    return normalize_arabic(raw).replace(",", "")


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
    return _LATIN_MARK_RE.sub("", folded).translate(_DIGITS_TO_ASCII)


def _latin_term(raw: str) -> tuple[str | None, bool]:
    """Return (term, stemmable) for a non-Arabic word; term is None for a stop word."""
    word = _APOSTROPHE_RE.sub("", _POSSESSIVE_RE.sub("", _IGNORABLE_RE.sub("", raw)))
    abbreviation = _abbreviation(word)
    if abbreviation is not None:
        return _fold_latin(abbreviation) or None, False
    term = _fold_latin(word)
    if not term or term in EN_STOP_WORDS:
        return None, False
    # Only plain words go to Porter2; B12, C++ and the like are kept as written.
    return term, term.isalpha()


def _classify(raw: str) -> tuple[str | None, str | None]:
    """Return (term, script) for a raw token: script is "ar"/"en" if it should be stemmed."""
    start = _IGNORABLE_RE.sub("", raw)[:1]
    if not start:
        return None, None
    if _AR_LETTER_RE.match(start):
        term = _arabic_term(raw)
        return term, "ar" if term else None
    if _DIGIT_RE.match(start):
        return _number_term(raw), None
    term, stemmable = _latin_term(raw)
    return term, "en" if stemmable else None


# Tokens repeat a lot (a few per cent of a corpus's tokens are distinct), so the per-token work
# (regexes, Unicode folding, abbreviation rules, stemming) is done once per distinct token text.
@lru_cache(maxsize=200_000)
def _token_terms(raw: str) -> tuple[str | None, str | None]:
    """Return (term, stem) for a raw token; both None for a stop word."""
    if raw.isascii() and raw.isalpha() and raw[1:].islower():
        # Most words (kidney, Kidney): nothing to strip or fold, and not an abbreviation.
        term = raw.lower()
        return (None, None) if term in EN_STOP_WORDS else (term, english_stem(term))
    term, script = _classify(raw)
    if script == "ar":
        return term, arabic_light_stem(term)
    if script == "en":
        return term, english_stem(term)
    return term, term


# --- Whoosh components -------------------------------------------------------------------------


class _Comparable:
    """Compare and hash by class and attributes, as Whoosh's own analysis components do."""

    def __eq__(self, other: object) -> bool:
        return other is not None and self.__class__ is other.__class__ and self.__dict__ == other.__dict__

    def __ne__(self, other: object) -> bool:
        return not self == other

    def __hash__(self) -> int:
        return hash(self.__class__.__name__)


@lru_cache(maxsize=200_000)
def _caps_letters(word: str) -> int:
    """Count the letters of a word with no lowercase letter (CT, KIDNEY, B12), 0 for any other word."""
    letters = sum(c.isalpha() for c in word)
    return 0 if any(c.islower() for c in word) else letters


def _shouted(caps: Sequence[int | None]) -> set[int]:
    """Return the indexes of words in shouted all-caps runs (headings), which are not abbreviations.

    caps: for each token, the letters of an all-caps word (_caps_letters), 0 for any other word,
    None for a number.
    """
    # A run is consecutive all-caps words (numbers between them don't break it). It is shouted text
    # with three or more words, or two words one of which has six or more letters: "SIGNS AND
    # SYMPTOMS" and "KIDNEY STONES" are, "CT", "HIV/AIDS" and "MRI SCAN" are not.
    shouted: set[int] = set()
    run: list[int] = []
    longest = 0
    for i, letters in enumerate(caps):
        if letters is None:
            continue
        if letters:
            run.append(i)
            longest = max(longest, letters)
        elif run:
            _close_run(run, longest, shouted)
            run, longest = [], 0
    _close_run(run, longest, shouted)
    return shouted


def _caps(match: re.Match) -> int | None:
    """A token's entry in _shouted's caps."""
    kind = match.lastgroup
    return None if kind == "num" else _caps_letters(match.group()) if kind == "word" else 0


def _close_run(run: list[int], longest: int, shouted: set[int]) -> None:
    """Add a finished run of all-caps words to shouted if it is shouted text."""
    if len(run) >= 3 or (len(run) == 2 and longest >= 6):
        shouted.update(run)


class MultiScriptTokenizer(_Comparable, Tokenizer):
    """Split text into Arabic words (marks and tatweel kept inside), numbers and other words."""

    def __call__(self, value: str, positions: bool = False, chars: bool = False,
                 keeporiginal: bool = False, removestops: bool = True, start_pos: int = 0,
                 start_char: int = 0, tokenize: bool = True, mode: str = "", **kwargs):
        """Yield one token per word of value, with offsets into value."""
        t = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        if not tokenize:
            t.original = t.text = value
            t.boost = 1.0
            t.stopped = False
            if positions:
                t.pos = start_pos
            if chars:
                t.startchar, t.endchar = start_char, start_char + len(value)
            yield t
            return
        matches = list(TOKEN_PATTERN.finditer(value))
        shouted = _shouted(list(map(_caps, matches))) if _MAYBE_SHOUTED.search(value) else None
        pos = start_pos
        for match in matches:
            text = match.group()
            if keeporiginal:
                t.original = text
            # Lowercase all-caps headings here, where the neighbouring words are still visible, so
            # the filter doesn't mistake their short words for abbreviations.
            t.text = text.lower() if shouted and pos - start_pos in shouted else text
            t.boost = 1.0
            t.stopped = False
            if positions:
                t.pos = pos
            if chars:
                start, end = match.span()
                t.startchar, t.endchar = start_char + start, start_char + end
            pos += 1
            yield t


class MultiScriptNormalizeFilter(_Comparable, Filter):
    """Normalise each token by its script and drop stop words, renumbering positions."""

    def __call__(self, tokens):
        """Yield normalised tokens, each carrying its stem for MultiScriptStemFilter."""
        pos = None
        for t in tokens:
            term, t.stem = _token_terms(t.text)
            if term is None:
                if not t.removestops:
                    # Blank text: a stop word must never look like a matched term when highlighting
                    # (كل "all" is a stop word but also the stem of الكلى).
                    t.text, t.stopped = "", True
                    yield t
                continue
            t.text, t.stopped = term, False
            if t.positions:
                pos = t.pos if pos is None else pos + 1
                t.pos = pos
            yield t


class MultiScriptStemFilter(_Comparable, Filter):
    """Stem tokens normalised by MultiScriptNormalizeFilter: Arabic light10, English Porter2."""

    is_morph = True

    def __call__(self, tokens):
        """Yield tokens with their text stemmed."""
        for t in tokens:
            if not t.stopped:
                t.text = t.stem
            yield t


def text_analyzer() -> Analyzer:
    """Return the analyzer for title/heading/body fields, at index and query time."""
    return MultiScriptTokenizer() | MultiScriptNormalizeFilter() | MultiScriptStemFilter()


def analyze(text: str) -> list[str]:
    """Return the terms text_analyzer() yields for text, in order (from term_spans: the same
    rules without a Token stream, in a fraction of the time)."""
    return [term for _, _, term in term_spans(text)]


def term_spans(text: str) -> list[tuple[int, int, str]]:
    """(start, end, term) of each word of text the analyzer keeps, as text_analyzer() reads it.

    For highlighting, where only terms and offsets are wanted: the same tokenizer rules and
    per-token analysis, without a Token stream.
    """
    # No token holds a space, so text is analysed a space-separated piece at a time, and pieces
    # repeat as words do: most cost a lookup in a cache.
    pieces = text.split(" ")
    spans = []
    start = 0
    if not _MAYBE_SHOUTED.search(text):
        for piece in pieces:
            if piece:
                for begin, end, stem in _piece_spans(piece):
                    spans.append((start + begin, start + end, stem))
            start += len(piece) + 1
        return spans
    # Whether a word is shouted (and analysed lowercased) depends on its neighbours.
    tokens = []
    for piece in pieces:
        if piece:
            for begin, end, caps, stem, lowered in _piece_tokens(piece):
                tokens.append((start + begin, start + end, caps, stem, lowered))
        start += len(piece) + 1
    shouted = _shouted([caps for _, _, caps, _, _ in tokens])
    for i, (begin, end, _, stem, lowered) in enumerate(tokens):
        if i in shouted:
            stem = lowered
        if stem is not None:
            spans.append((begin, end, stem))
    return spans


def matching_spans(text: str, terms: frozenset[str]) -> list[tuple[int, int, str]]:
    """The spans of term_spans(text) whose term is one of terms, reading only the pieces of text
    that may hold one: for highlighting a long text, where a few words match.

    A piece of ASCII letters, digits and punctuation (no apostrophe) holds a term only if its
    lowercased text contains the term's key (_key), so only those pieces and the others (accents,
    apostrophes, other scripts) are analysed. Arabic texts, where every piece is of the second
    kind, are analysed whole.
    """
    lowered = text.lower()
    if len(lowered) != len(text):
        return _filtered_spans(text, terms)
    starts = set()
    for key in _keys(terms):
        found = lowered.find(key)
        while found >= 0:
            starts.add(lowered.rfind(" ", 0, found) + 1)
            found = lowered.find(key, found + len(key))
    if not text.isascii() or "'" in text:
        for match in _IRREGULAR_RE.finditer(text):
            if _AR_LETTER_RE.match(match.group()):
                return _filtered_spans(text, terms)
            starts.add(text.rfind(" ", 0, match.start()) + 1)
    spans = []
    shouted = None  # whether text may hold shouted words, looked for when a piece's terms depend on it
    for start in sorted(starts):
        end = text.find(" ", start)
        piece = text[start:end] if end >= 0 else text[start:]
        # A piece with no capitals reads the same shouted or not.
        if not piece.islower() and _depends_on_context(piece, terms):
            if shouted is None:
                shouted = _MAYBE_SHOUTED.search(text) is not None
            if shouted:
                found_spans = _spans_in_context(text, start, start + len(piece), terms)
                if found_spans is None:  # a long run of capitals: cheaper read once whole
                    return _filtered_spans(text, terms)
                spans += found_spans
                continue
        for begin, finish, stem in _piece_spans(piece):
            if stem in terms:
                spans.append((start + begin, start + finish, stem))
    return spans


def _filtered_spans(text: str, terms: frozenset[str]) -> list[tuple[int, int, str]]:
    """matching_spans, from the whole text's term_spans."""
    return [span for span in term_spans(text) if span[2] in terms]


def _depends_on_context(piece: str, terms: frozenset[str]) -> bool:
    """Whether a word of piece has one of terms as its term when shouted and not otherwise, or the
    other way round."""
    return any(caps and stem != lowered and (stem in terms or lowered in terms)
               for _, _, caps, stem, lowered in _piece_tokens(piece))


def _spans_in_context(text: str, start: int, end: int,
                      terms: frozenset[str]) -> list[tuple[int, int, str]] | None:
    """matching_spans of the piece text[start:end] of a text that may hold shouted words: the
    pieces around it are read as far as the first word that is not all caps on each side, which
    ends any shouted run the piece is in. None if that is more than _CONTEXT pieces on a side."""
    tokens = _piece_tokens(text[start:end])
    before: list[int | None] = []
    edge, read = start, 0
    while edge > 0 and 0 not in before:
        read += 1
        if read > _CONTEXT:
            return None
        previous = text.rfind(" ", 0, edge - 1) + 1
        before[:0] = [caps for _, _, caps, _, _ in _piece_tokens(text[previous:edge - 1])]
        edge = previous
    after: list[int | None] = []
    edge, read = end, 0
    while edge < len(text) and 0 not in after:
        read += 1
        if read > _CONTEXT:
            return None
        following = text.find(" ", edge + 1)
        following = len(text) if following < 0 else following
        after += [caps for _, _, caps, _, _ in _piece_tokens(text[edge + 1:following])]
        edge = following
    shouted = _shouted(before + [caps for _, _, caps, _, _ in tokens] + after)
    spans = []
    for i, (begin, finish, _, stem, lowered) in enumerate(tokens, len(before)):
        term = lowered if i in shouted else stem
        if term in terms:
            spans.append((start + begin, start + finish, term))
    return spans


# How far _spans_in_context reads on each side of a piece (shouted headings are a few words).
_CONTEXT = 20

# Characters for which matching_spans analyses a piece whatever else it holds: any but ASCII,
# and the apostrophe (o'clock is oclock).
_IRREGULAR_RE = re.compile(r"[^\x00-\x7f]|'")


def _key(term: str) -> str:
    """What the lowercased text of any ASCII token (without an apostrophe) whose term is term
    contains: the first digit of a number (1,000 is 1000), else the term less the last letters
    Porter2 may have written rather than kept (cries→cri, hoping→hope, possibility→possibl,
    skies→sky, dying→die). Every other rule of _token_terms lowercases or cuts the end."""
    if term[:1].isdigit():
        return term[:1]
    cut = 2 if term.endswith("ie") else 1 if term.endswith(("e", "i", "l", "y")) else 0
    return term[:max(1, len(term) - cut)]


@lru_cache(maxsize=256)
def _keys(terms: frozenset[str]) -> tuple[str, ...]:
    """The keys of the ASCII terms (no other can come from an ASCII piece)."""
    return tuple({_key(term) for term in terms if term.isascii()})


def index_terms(text: str) -> tuple[int, list[str]]:
    """The terms text_analyzer() yields for text, in order, and the position of the first (each
    next one is one position further: stop words are dropped and the rest renumbered).

    For indexing, from term_spans rather than a Token stream: only stop words come before the
    first term, so its position is how many words precede it.
    """
    spans = term_spans(text)
    if not spans:
        return 0, []
    return len(TOKEN_PATTERN.findall(text, 0, spans[0][0])), [term for _, _, term in spans]


# About 300 bytes an entry: the shared corpus has 74,000 distinct pieces (37,000 in texts that may
# hold shouted words), and the caches' bounds keep a larger site's ingest within its memory.
@lru_cache(maxsize=100_000)
def _piece_spans(piece: str) -> tuple[tuple[int, int, str], ...]:
    """term_spans of a text with no space in it and no shouted words."""
    spans = []
    for match in TOKEN_PATTERN.finditer(piece):
        stem = _token_terms(match.group())[1]
        if stem is not None:
            spans.append((match.start(), match.end(), stem))
    return tuple(spans)


@lru_cache(maxsize=50_000)
def _piece_tokens(piece: str) -> tuple[tuple[int, int, int | None, str | None, str | None], ...]:
    """Each token of a text with no space in it: (start, end, its entry in _shouted's caps, its
    stem, and its stem when shouted), a stem None for a stop word."""
    tokens = []
    for match in TOKEN_PATTERN.finditer(piece):
        raw = match.group()
        caps = _caps(match)
        stem = _token_terms(raw)[1]
        tokens.append((match.start(), match.end(), caps, stem, _token_terms(raw.lower())[1] if caps else stem))
    return tuple(tokens)


def is_arabic_term(term: str) -> bool:
    """Tell whether an analysed term is an Arabic word."""
    return bool(term) and _AR_LETTER_RE.match(term) is not None
