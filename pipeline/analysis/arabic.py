"""Arabic: orthographic normalisation, stop words and a light10-style light stemmer.

Light stemming (Larkey, Ballesteros & Connell's light10) with small protection lists, not Whoosh's
ISRI root stemmer: roots merge unrelated words (علامات with علم).
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache

from .chars import AR_MARK_RANGES, DIGITS_TO_ASCII, IGNORABLE_RANGES
from .words import read_words

# --- Stop words --------------------------------------------------------------------------------

# Function words that often carry a conjunction و or ف ("وفي", "فهو") are stop words with it too;
# so are the prepositions and particles of ar-pronoun-hosts with an attached pronoun.
_CONJUNCTION_HOSTS = read_words("ar-conjunction-hosts")
_CONJUNCTION_EXCEPTIONS = frozenset({"فعلي", "فقد"})
_PRONOUN_HOSTS = read_words("ar-pronoun-hosts")
_PRONOUN_SUFFIXES = ("ي", "ني", "ك", "كم", "كن", "كما", "ه", "ها", "هم", "هن", "هما", "نا")
_PRONOUN_EXCEPTIONS = frozenset({"مني", "معي", "كلي", "مثلي", "بي", "لان", "لكن"})

_PRONOUN_FORMS = frozenset(host + suffix for host in _PRONOUN_HOSTS for suffix in _PRONOUN_SUFFIXES
                           if len(host + suffix) > 2 or host in "لب") - _PRONOUN_EXCEPTIONS

AR_STOP_WORDS = read_words("ar-stop") | _PRONOUN_FORMS | (
    frozenset(conj + word for conj in "وف" for word in _CONJUNCTION_HOSTS | _PRONOUN_FORMS)
    - _CONJUNCTION_EXCEPTIONS
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

# Words whose ending looks like a light10 suffix but belongs to the word (see the list's comment).
AR_ROOT_FINAL_WORDS = read_words("ar-root-final")

# Words whose first letters look like a prefix but belong to the word (see the list's comment).
AR_ROOT_INITIAL_WORDS = read_words("ar-root-initial")


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


# --- Normalisation -----------------------------------------------------------------------------


def _arabic_table() -> dict[int, str | None]:
    """Build the str.translate table behind normalize_arabic."""
    table: dict[int, str | None] = {cp: None for lo, hi in AR_MARK_RANGES + IGNORABLE_RANGES
                                    for cp in range(lo, hi + 1)}
    table.update(DIGITS_TO_ASCII)
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


def arabic_term(raw: str) -> str | None:
    """Return the normalised Arabic word, or None for a stop word or a lone letter."""
    word = normalize_arabic(raw)
    if len(word) < 2 or word in AR_STOP_WORDS:
        return None
    return word


@lru_cache(maxsize=100_000)
def arabic_root(term: str) -> str:
    """The root of an analysed Arabic term, by the ISRI stemmer (Taghva et al.): words that light
    stemming keeps apart (نزيف "bleeding", ينزف "bleeds") share one, as do some unrelated ones."""
    return _isri().stem(term)


@lru_cache(maxsize=1)
def _isri():
    # Whoosh ships the reference ISRI stemmer as a module of plain Python (whoosh.lang.isri, ported
    # from NLTK), apart from its index: the one Whoosh module analysis uses. Imported on first use.
    from whoosh.lang.isri import ISRIStemmer

    return ISRIStemmer()
