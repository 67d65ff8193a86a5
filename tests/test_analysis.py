"""Tests for pipeline.analysis: normalisation, stop words, stemming, offsets, Whoosh integration."""

from __future__ import annotations

import pickle
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from whoosh import query as Q
from whoosh.analysis import StandardAnalyzer
from whoosh.fields import ID, TEXT, Schema
from whoosh.filedb.filestore import RamStorage
from whoosh.qparser import QueryParser

from pipeline.analysis import (AR_STOP_WORDS, TOKEN_PATTERN, analyze, chars, highlight, normalize_arabic,
                               term_spans)
from pipeline.analysis import tokens as token_rules
from pipeline.analysis.english import english_stem
from pipeline.engine.whoosh.analyzer import text_analyzer

FATHA, DAMMA, KASRA, SHADDA, SUKUN, TANWIN = "\u064e", "\u064f", "\u0650", "\u0651", "\u0652", "\u064b"


def tokens(text: str, **kwargs) -> list[tuple[str, int, int, int]]:
    """Return (term, pos, startchar, endchar) of every token the analyzer yields for text."""
    return [(t.text, t.pos, t.startchar, t.endchar)
            for t in text_analyzer()(text, positions=True, chars=True, **kwargs)]


# --- Arabic equivalences ---------------------------------------------------------------------

@pytest.mark.parametrize("variants", [
    ("حَصَى الكُلَى", "حصى الكلى", "حصي الكلي", "حصـــى الكلـــى"),
    ("الأشعة", "الاشعه", "الإشعة", "الأَشِعَّة"),
    ("٥٠٠ ملغ", "500 ملغ", "۵۰۰ ملغ"),
    ("آلام", "ألام", "الام"),
    ("مُسْتَشْفَى", "مستشفي", "المستشفى"),
    ("هٰذا المرض", "هذا المرض"),
])
def test_spelling_variants_give_the_same_terms(variants):
    first = analyze(variants[0])
    assert first, variants[0]
    for variant in variants[1:]:
        assert analyze(variant) == first, variant


@pytest.mark.parametrize("group", [
    ("الكلى", "كلى", "والكلى", "بالكلى", "للكلى", "فالكلى"),
    ("حصوات", "حصوة", "الحصوة", "والحصوات"),
])
def test_prefixed_and_inflected_forms_meet(group):
    terms = {tuple(analyze(word)) for word in group}
    assert len(terms) == 1 and len(terms.pop()) == 1, terms


@pytest.mark.parametrize("group", [
    # Initial letters that look like a prefix but belong to the word.
    ("التهاب", "الالتهاب", "والتهاب", "بالتهاب", "التهابات"),
    ("ولادة", "الولادة", "والولادة"),
    ("وريد", "الوريد", "وريدي"),
    ("كالسيوم", "الكالسيوم"),
    # Final letters that look like a suffix but belong to the word.
    ("سرطان", "السرطان", "سرطانات", "سرطاني"),
    ("بطين", "البطين", "البطينين"),
])
def test_protected_words_keep_their_letters_and_meet(group):
    terms = {tuple(analyze(word)) for word in group}
    assert len(terms) == 1, terms


def test_fever_and_diet_stay_apart():
    assert analyze("الحمى") != analyze("الحمية")


def test_light_stemming_does_not_merge_roots_like_isri():
    assert analyze("علامات") == analyze("علامة")
    assert analyze("علامات") != analyze("علم")


def test_arabic_stop_words_are_dropped():
    stops = ("في من على الى إلى عن مع هذا هذه ذلك التي الذي ان أن إن او أو و ثم كان كانت هل ما "
             "ماذا لا لم لن قد كل بعض عند بين ايش شو ليش وش اللي مش مو كيف لماذا يا انا انت هو هي "
             "نحن هم وفي ومن فهو إلى أيضاً هؤلاء")
    assert analyze(stops) == []


def test_arabic_stop_words_dropped_inside_a_sentence():
    assert analyze("ألم في الكلى") == analyze("ألم الكلى")
    assert len(analyze("ألم في الكلى")) == 2


def test_content_words_spelled_like_function_words_are_kept():
    # أذن (ear) normalises like إذن (then); فهم (understanding) looks like ف + هم.
    assert analyze("أذن") and analyze("فهم") and analyze("الأم")


def test_stop_list_is_stored_normalised():
    assert all(normalize_arabic(word) == word for word in AR_STOP_WORDS)


# --- normalize_arabic ------------------------------------------------------------------------

@pytest.mark.parametrize("raw, expected", [
    ("حَصَى", "حصي"),
    ("مـــرض", "مرض"),
    ("أإآٱا", "ااااا"),
    ("مستشفى", "مستشفي"),
    ("الكلية", "الكليه"),
    ("مسؤول", "مسوول"),
    ("رئة", "ريه"),
    ("هٰذا", "هذا"),
    ("٠١٢٣٤٥٦٧٨٩ ۰۱۲۳۴۵۶۷۸۹", "0123456789 0123456789"),
    ("ﺍﻟﻜﻠﻰ", "الكلي"),
    ("ح\u200cص\u200fى", "حصي"),
    ("Kidney stones, 2.5 mg", "Kidney stones, 2.5 mg"),
])
def test_normalize_arabic(raw, expected):
    assert normalize_arabic(raw) == expected


def test_normalize_arabic_treats_decomposed_hamza_like_composed():
    composed = "أؤئآ"
    decomposed = "\u0627\u0654\u0648\u0654\u064a\u0654\u0627\u0653"
    assert normalize_arabic(composed) == normalize_arabic(decomposed) == "اويا"


# --- English, abbreviations, numbers ---------------------------------------------------------

def test_english_plurals_meet_and_stop_words_drop():
    assert analyze("stones") == analyze("stone") == ["stone"]
    assert analyze("kidneys") == analyze("kidney")
    assert analyze("the stones of the kidney") == analyze("kidney stones")[::-1]


def test_abbreviations_are_lowercased_not_stemmed():
    assert analyze("MRI") == ["mri"]
    assert analyze("CT") == ["ct"]
    assert analyze("AIDS") == ["aids"]
    assert analyze("aids") == ["aid"]
    assert analyze("mRNA HbA1c pH") == ["mrna", "hba1c", "ph"]
    assert analyze("NSAIDs") == analyze("NSAID") == ["nsaid"]


def test_all_caps_abbreviations_are_never_stop_words():
    assert analyze("US") == ["us"]
    assert analyze("us") == []
    assert analyze("It is") == []


def test_all_caps_headings_are_ordinary_words():
    assert analyze("SIGNS AND SYMPTOMS") == analyze("Signs and symptoms") == ["sign", "symptom"]
    assert analyze("KIDNEY STONES") == analyze("kidney stones")
    assert analyze("HIV/AIDS") == ["hiv", "aids"]


def test_numbers_are_kept_with_ascii_digits():
    assert analyze("2.5 mg") == ["2.5", "mg"]
    assert analyze("٢٫٥ ملغ") == ["2.5", "ملغ"]
    assert analyze("500mg") == ["500", "mg"]
    assert analyze("1,000 units") == analyze("1000 units")
    assert analyze("stages 1,2") == ["stage", "1", "2"]


def test_special_latin_tokens():
    assert analyze("C++") == ["c++"]
    assert analyze("vitamin B12") == ["vitamin", "b12"]
    assert analyze("Crohn's disease") == analyze("Crohn disease")
    assert analyze("Ménière’s") == analyze("Meniere")


def test_mixed_script_sentence():
    text = "صورة CT للكلى showed kidney stones بحجم ٥ ملم"
    assert analyze(text) == (analyze("صورة") + ["ct"] + analyze("الكلى") + ["show", "kidney", "stone"]
                             + analyze("بحجم") + ["5"] + analyze("ملم"))
    assert all(term for term in analyze(text))


# --- Tokens, offsets, positions --------------------------------------------------------------

def test_vocalised_words_are_single_tokens_with_original_offsets():
    text = "يُعَدُّ حَصَى الكُلَى مِنَ الأمراض"
    toks = tokens(text)
    assert [text[s:e] for _, _, s, e in toks] == ["يُعَدُّ", "حَصَى", "الكُلَى", "الأمراض"]
    # Positions are renumbered over the stop word مِنَ, as Whoosh's StopFilter does.
    assert [pos for _, pos, _, _ in toks] == [0, 1, 2, 3]


def test_invisible_format_characters_neither_split_nor_pollute():
    text = "ح\u200cصى \u200fالكلى\u200e ki\u200bdney"
    toks = tokens(text)
    assert [term for term, *_ in toks] == analyze("حصى الكلى kidney")
    assert [text[s:e] for _, _, s, e in toks] == ["ح\u200cصى", "الكلى", "ki\u200bdney"]


def test_stopped_tokens_are_marked_and_never_match_a_term():
    # Whoosh reuses one Token object, so read each token as it is yielded.
    stopped = [(t.stopped, t.text) for t in text_analyzer()("كل الكلى", chars=True, removestops=False)]
    assert stopped[0] == (True, "")
    assert stopped[1] == (False, analyze("الكلى")[0])


def test_untokenized_value_is_one_token():
    toks = [(t.text, t.startchar, t.endchar) for t in text_analyzer()("الكُلَى", tokenize=False, chars=True)]
    assert toks == [(analyze("الكلى")[0], 0, 7)]


# --- Whoosh integration ----------------------------------------------------------------------

@pytest.fixture
def index():
    """An in-memory index of three small documents."""
    schema = Schema(id=ID(stored=True), body=TEXT(stored=True, analyzer=text_analyzer()))
    ix = RamStorage().create_index(schema)
    with ix.writer() as writer:
        writer.add_document(id="ar", body="يُعَدُّ حَصَى الكُلَى مِن كل الأمراض الشَّائِعَة.")
        writer.add_document(id="en", body="Kidney stones are common; a CT scan shows them.")
        writer.add_document(id="mix", body="أظهر التصوير المقطعي CT حصوات في الكلية اليسرى.")
    return ix


def marked(highlights: str) -> list[str]:
    """Return the words Whoosh's HTML formatter marked in a highlights string."""
    return re.findall(r"<b class=\"match[^\"]*\">(.*?)</b>", highlights)


def test_highlights_mark_original_vocalised_word(index):
    with index.searcher() as searcher:
        hits = searcher.search(Q.Term("body", analyze("حصى")[0]))
        assert [hit["id"] for hit in hits] == ["ar"]
        assert marked(hits[0].highlights("body")) == ["حَصَى"]


def test_highlights_skip_a_stop_word_spelled_like_a_stem(index):
    # كل ("all") is a stop word and also the stem of الكلى ("the kidneys").
    with index.searcher() as searcher:
        hits = searcher.search(Q.Term("body", analyze("الكلى")[0]))
        hit = next(hit for hit in hits if hit["id"] == "ar")
        assert marked(hit.highlights("body")) == ["الكُلَى"]


@pytest.mark.parametrize("query, ids", [
    ("حصى الكلى", {"ar"}),  # the parser ANDs words; mix has حصوات, not حصى
    ("حَصَى", {"ar"}),
    ("kidney stone", {"en"}),
    ("CT", {"en", "mix"}),
    ("حصوة", {"mix"}),
])
def test_query_parser_finds_documents(index, query, ids):
    with index.searcher() as searcher:
        parsed = QueryParser("body", index.schema).parse(query)
        assert {hit["id"] for hit in searcher.search(parsed)} == ids


def test_phrase_query_matches_over_a_stop_word(index):
    with index.searcher() as searcher:
        phrase = Q.Phrase("body", analyze("حصوات الكلية"))
        assert [hit["id"] for hit in searcher.search(phrase)] == ["mix"]


def test_schema_with_analyzer_survives_pickle():
    schema = Schema(body=TEXT(stored=True, analyzer=text_analyzer()))
    restored = pickle.loads(pickle.dumps(schema))
    assert restored == schema
    assert restored["body"].analyzer == text_analyzer()
    text = "حَصَى الكُلَى and MRI"
    assert [t.text for t in restored["body"].analyzer(text)] == analyze(text)


def test_index_reopens_with_an_equal_analyzer():
    storage = RamStorage()
    storage.create_index(Schema(body=TEXT(analyzer=text_analyzer())))
    assert storage.open_index().schema["body"].analyzer == text_analyzer()


def test_analyzer_equality():
    assert text_analyzer() == text_analyzer()
    assert hash(text_analyzer()[0]) == hash(text_analyzer()[0])
    assert text_analyzer() != StandardAnalyzer()


# --- Properties ------------------------------------------------------------------------------

_INTERESTING = list("حصىالكلةأإآؤئءـ") + [FATHA, DAMMA, KASRA, SHADDA, SUKUN, TANWIN, "\u0670", "\u06d6"] \
    + list("٠١٢٣٤٥٦٧٨٩۰۹0123456789.,٫٬+#'’ -") + ["\u200c", "\u200d", "\u200f", "\u202b", "\u2067", "\ufeff"] \
    + list("aZCTMRIsé") + ["\u0301", "ﻻ", "ﷺ", "ﹰ", "İ", "ß", "ǅ", "²", "½"]
_TEXT = st.text(alphabet=st.one_of(st.sampled_from(_INTERESTING), st.characters()), max_size=60)


@settings(max_examples=400, deadline=None)
@given(_TEXT)
def test_analyze_never_raises_and_offsets_cover_text(text):
    assert isinstance(analyze(text), list)
    last_pos = -1
    for term, pos, start, end in tokens(text):
        assert term
        assert 0 <= start < end <= len(text)
        assert text[start:end].strip()
        assert pos > last_pos
        last_pos = pos


@settings(max_examples=200, deadline=None)
@given(_TEXT)
def test_highlight_mode_never_raises(text):
    for t in text_analyzer()(text, positions=True, chars=True, removestops=False, mode="index"):
        assert text[t.startchar:t.endchar]


# The tokenizer's word pattern as first written, without the quick path through ASCII runs.
_PLAIN_PART = (rf"{chars._OTHER_LETTER}(?:[{chars._IGNORABLE}]*+"
               rf"(?:{chars._OTHER_LETTER}|[{chars._LATIN_MARK}{chars._DIGIT}]))*+")
_PLAIN_TOKENS = re.compile(rf"{chars._AR_WORD}|{chars._NUMBER}|"
                           rf"{_PLAIN_PART}(?:['\u2019]{_PLAIN_PART})*(?:\+\+|#)?")


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet=st.one_of(st.sampled_from(_INTERESTING), st.sampled_from("ab9Z_ "),
                                  st.characters()), max_size=60))
def test_tokens_are_the_plain_patterns(text):
    assert [m.span() for m in TOKEN_PATTERN.finditer(text)] == [m.span() for m in _PLAIN_TOKENS.finditer(text)]


@settings(max_examples=500, deadline=None)
@given(st.from_regex(r"[A-Za-z]{1,14}", fullmatch=True) | st.sampled_from(["The", "And", "Kidney", "a", "I", "Is"]))
def test_plain_words_are_analysed_as_any_word(raw):
    term, script = token_rules._classify(raw)
    stem = english_stem(term) if script == "en" else term
    assert token_rules.token_terms(raw) == (term, stem)


@settings(max_examples=300, deadline=None)
@given(_TEXT)
def test_term_spans_are_the_analyzers_terms_and_offsets(text):
    expected = [(t.startchar, t.endchar, t.text) for t in text_analyzer()(text, chars=True)]
    assert term_spans(text) == expected
    assert analyze(text) == [t.text for t in text_analyzer()(text)]


@settings(max_examples=300, deadline=None)
@given(_TEXT)
def test_indexed_terms_and_positions_are_the_analyzers(text):
    from whoosh.formats import Positions

    from pipeline.engine.whoosh.codec import ArrayPositions
    indexed = ArrayPositions(field_boost=2.0)
    expected = list(Positions.word_values(indexed, text, text_analyzer(), mode="index"))
    assert list(indexed.word_values(text, text_analyzer(), mode="index")) == expected


@pytest.mark.parametrize("text", [
    "KIDNEY STONES: what CT and MRI show", "حصى الكُلَى في كل الكلى", "HIV/AIDS 5 mg; B12 and COVID-19",
])
def test_term_spans_on_headings_abbreviations_and_stop_words(text):
    assert term_spans(text) == [(t.startchar, t.endchar, t.text) for t in text_analyzer()(text, chars=True)]
    assert analyze(text) == [t.text for t in text_analyzer()(text)]


@settings(max_examples=300, deadline=None)
@given(_TEXT)
def test_normalize_arabic_is_idempotent(text):
    once = normalize_arabic(text)
    assert normalize_arabic(once) == once


_ARABIC_LETTERS = "ابتثجحخدذرزسشصضطظعغفقكلمنهويىةأإآؤئ"
_MARKS = [FATHA, DAMMA, KASRA, SHADDA, SUKUN, TANWIN, "\u0670", "\u0640"]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(_ARABIC_LETTERS), st.lists(st.sampled_from(_MARKS), max_size=2)),
                min_size=1, max_size=12))
def test_vocalisation_never_changes_terms(letters):
    plain = "".join(letter for letter, _ in letters)
    vocalised = "".join(letter + "".join(marks) for letter, marks in letters)
    assert analyze(vocalised) == analyze(plain)


_WORDISH = st.text(alphabet=st.sampled_from(list("ABCDEFKMRISTab1²'’+#_") + ["É", "é", "\u0301", "\u200c", "ح", "\u06e5", "५", "٣"]),
                   min_size=1, max_size=7)


@settings(max_examples=400, deadline=None)
@given(st.lists(st.tuples(_WORDISH, st.sampled_from([" ", "/", "-", ". ", "", " 12 ", "\n"])), max_size=8))
def test_shouted_precheck_never_skips_a_shouted_run(parts):
    # The tokenizer only looks for shouted runs in texts the quick check lets through.
    text = "".join(word + sep for word, sep in parts)
    if token_rules.shouted_words(list(map(token_rules.token_caps, TOKEN_PATTERN.finditer(text)))):
        assert chars.MAYBE_SHOUTED.search(text), text


# --- Matching spans (highlighting) ------------------------------------------------------------

# Words whose stem Porter2 writes rather than cuts (its exceptions, y→i, an added e, -bility), with
# shouted runs, abbreviations, numbers, apostrophes, accents and Arabic around them.
_MATCHING_WORDS = ["dying", "Lying", "tying", "skies", "cries", "hoping", "possibility", "relational",
                   "generalization", "happily", "ugly", "early", "only", "luxuriating", "fluency",
                   "kidney", "stones", "KIDNEY", "STONES", "AND", "SIGNS", "OF", "CT", "MRI", "NSAIDs",
                   "HbA1c", "B12", "1,000", "2.5", "10,000,000", "Crohn's", "o'clock", "don't",
                   "Ménière's", "naïve", "ﬁbrosis", "(kidney,", "stones.", "HIV/AIDS", "C++",
                   "حصى", "الكلى", "CAUSES:", "hepatitis", "-", "", "Stone", "ulcerative", "UC"]


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(_MATCHING_WORDS) | _WORDISH, max_size=40), st.data())
def test_matching_spans_are_the_term_spans_of_the_terms(words, data):
    text = " ".join(words)
    # Plus terms some words have only when not shouted (AND is the abbreviation "and" on its own).
    every = sorted({term for _, _, term in term_spans(text)} | {"kidney", "stone", "ct", "1000", "and", "of"})
    terms = frozenset(data.draw(st.lists(st.sampled_from(every), max_size=6)))
    assert highlight.matching_spans(text, terms) == [span for span in term_spans(text) if span[2] in terms]


@pytest.mark.parametrize("text, terms, marked", [
    ("Dying cells; the skies", {"die", "sky"}, ["Dying", "skies"]),
    ("KIDNEY STONES AND CT: a CT scan shows kidney stones", {"kidney", "ct"}, ["KIDNEY", "CT", "CT", "kidney"]),
    ("Costs 10,000,000 dollars or 1,000", {"1000"}, ["1,000"]),
    ("Ménière's disease and o'clock", {"menier", "oclock"}, ["Ménière's", "o'clock"]),
    # A shouted run read from pieces further away: the first AND is a stop word, the last is not.
    ("see CT 5 MRI AND scans, AND alone", {"and"}, ["AND"]),
    ("signs: SIGNS AND SYMPTOMS", {"and", "sign"}, ["signs", "SIGNS"]),
])
def test_matching_spans_find_words_whose_stem_is_not_their_start(text, terms, marked):
    spans = highlight.matching_spans(text, frozenset(terms))
    assert [text[start:end] for start, end, _ in spans] == marked


def test_a_long_shouted_text_is_matched_whole():
    text = " ".join(["SIGNS", "AND", "SYMPTOMS"] * 30) + " of AND"
    terms = frozenset({"and", "sign"})
    assert highlight.matching_spans(text, terms) == [span for span in term_spans(text) if span[2] in terms]
    # Each SIGNS, and the last AND alone (an abbreviation; shouted, it is a stop word).
    assert len(highlight.matching_spans(text, terms)) == 31


@pytest.mark.slow
@settings(max_examples=1000, deadline=None)
@given(st.from_regex(r"[a-z]{1,10}(ing|ingly|ed|edly|ies|ied|ility|ilities|ization|ational|fulness|iveness|"
                     r"ivity|ly|ment|ness|y|ily|iness|ation|ator|alism|ical|ency|ancy|ize|s|es|e|ying)?",
                     fullmatch=True))
def test_a_words_key_is_where_it_starts(word):
    stem = token_rules.token_terms(word)[1]
    assert stem is None or word.startswith(highlight._key(stem))
