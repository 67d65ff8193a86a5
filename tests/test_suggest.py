"""Did you mean: edit distance, how many edits a word may take, and corrections from the index."""

from __future__ import annotations

import pytest

from pipeline.analysis import analyze
from pipeline.search import search
from pipeline.search.suggest import correct, edit_distance, match_case, max_edits, written

from .indexes import engine
from .search_fixture import build_fixture_index, run, search_json, source_text


@pytest.fixture(scope="module")
def index(tmp_path_factory):
    return build_fixture_index(tmp_path_factory.mktemp("suggest"))


@pytest.fixture(scope="module")
def searcher(index):
    with engine(index).reader() as reader:
        yield reader


# --- Edit distance -----------------------------------------------------------------------------


@pytest.mark.parametrize("a, b, distance", [
    ("", "", 0),
    ("", "abc", 3),
    ("kidney", "kidney", 0),
    ("kidny", "kidney", 1),  # one insertion
    ("kidney", "kidny", 1),  # one deletion
    ("kidnex", "kidney", 1),  # one substitution
    ("kitten", "sitting", 3),  # the textbook example
    ("stonse", "stones", 1),  # an adjacent transposition counts once
    ("ab", "ba", 1),
    ("hedaache", "headache", 1),
    ("الصدلع", "الصداع", 1),
    ("ca", "abc", 3),  # optimal string alignment: a transposed pair is not edited again
])
def test_edit_distance(a, b, distance):
    assert edit_distance(a, b) == distance
    assert edit_distance(b, a) == distance


@pytest.mark.parametrize("word, edits", [
    ("pai", 0), ("ct", 0), ("حصى", 0),
    ("pain", 1), ("kidney", 1), ("الكلى", 1),
    ("stomach", 2), ("headache", 2), ("المستشفى", 2),
])
def test_max_edits_grows_with_length(word, edits):
    assert max_edits(word) == edits


def test_max_edits_counts_letters_not_marks_or_digits():
    assert max_edits("حَصَى") == max_edits("حصى") == 0  # harakat are not letters
    assert max_edits("الكُلَى") == max_edits("الكلى") == 1
    assert max_edits("b12") == 0


@pytest.mark.parametrize("correction, typed, shown", [
    ("kidney", "kidny", "kidney"),
    ("kidney", "Kidny", "Kidney"),
    ("kidney", "KIDNY", "KIDNEY"),
    ("kidney stones", "Kidny", "Kidney stones"),
    ("الصداع", "الصدلع", "الصداع"),  # no case in Arabic: as the index writes it
])
def test_match_case(correction, typed, shown):
    assert match_case(correction, typed) == shown


# --- Corrections from the index ----------------------------------------------------------------


def test_misspelled_query_gets_a_suggestion(index):
    result = search(engine(index), "kidny stonse")
    assert result.suggestion == "kidney stones"


def test_suggestion_keeps_the_typed_capitals_and_the_rest_of_the_query(index):
    assert search(engine(index), "Kidny stonse?").suggestion == "Kidney stones?"


def test_suggestion_is_in_the_json_output(index):
    assert search_json(index, "kidny stonse")["suggestion"] == "kidney stones"
    assert search_json(index, "kidney stones")["suggestion"] is None


def test_misspelled_query_still_finds_the_article(index):
    """A correction is also searched, so a reader with a typo is not left with nothing."""
    hits = search_json(index, "kidny stonse")["hits"]
    assert hits and hits[0]["article"] == "kidney-stones"


def test_arabic_misspelling_gets_an_arabic_suggestion(index):
    assert "المستشفى" in source_text("ar/kidney-stones")
    result = search(engine(index), "المستشقى")  # ف typed as ق
    assert result.suggestion == "المستشفى"
    assert result.hits and result.hits[0].article == "ar/kidney-stones"


def test_arabic_misspelling_in_a_phrase_is_corrected_alone(index):
    assert search(engine(index), "حصى الكلى الصدلع").suggestion == "حصى الكلى الصداع"


@pytest.mark.parametrize("query", ["kidney stones", "Kidney Stones", "حصى الكلى", "الصداع", "CT scan"])
def test_correctly_spelled_query_gets_no_suggestion(index, query):
    result = search(engine(index), query)
    assert result.hits
    assert result.suggestion is None


@pytest.mark.parametrize("word, near", [("pai", "pain"), ("ملع", "ملغ")])
def test_short_words_are_never_corrected(index, searcher, word, near):
    """Under four letters a word is left as typed, even one edit away from a known word."""
    assert edit_distance(word, near) == 1
    assert searcher.frequency("body", analyze(near)[0]) > 0  # the near word is in the index
    assert correct(searcher, word) is None
    assert search(engine(index), word).suggestion is None


def test_a_four_letter_word_is_corrected(searcher):
    """The counterpart of the short-word rule: at four letters one edit is allowed."""
    correction = correct(searcher, "pein")
    assert correction is not None and written(searcher, correction) == "pain" and correction.edits == 1


def test_a_known_word_is_not_corrected(searcher):
    assert correct(searcher, "kidney") is None
    assert correct(searcher, "الكلى") is None


def test_a_word_far_from_every_known_word_is_not_corrected(index, searcher):
    assert correct(searcher, "xylophone") is None
    assert search(engine(index), "xylophone").suggestion is None


def test_correction_reports_the_term_its_spelling_and_edits(searcher):
    correction = correct(searcher, "hedache")
    assert correction is not None
    assert correction.term == analyze("headache")[0]
    assert written(searcher, correction) == "headache"
    assert correction.edits == 1 == edit_distance("hedache", "headache")
    assert correction.frequency >= 1


@pytest.mark.parametrize("typed, meant", [("pian", "pain"), ("wtaer", "water")])
def test_a_transposed_pair_is_one_edit_when_finding_corrections(searcher, typed, meant):
    """Corrections are found within max_edits edits counted as edit_distance counts them."""
    assert edit_distance(typed, meant) == 1 <= max_edits(typed)
    correction = correct(searcher, typed)
    assert correction is not None and written(searcher, correction) == meant


def test_a_correction_is_no_further_from_the_typed_stem_than_its_length_allows(searcher):
    """الادوبة (a misspelt الأدوية, which the index lacks) has the 4-letter stem ادوب: one edit
    at most, as for any 4-letter word, so no correction two edits away (اغلب, "most")."""
    typed = "الادوبة"
    stem = analyze(typed)[0]
    correction = correct(searcher, typed)
    assert correction is None or edit_distance(stem, correction.term) <= max_edits(stem), correction


def test_the_text_output_offers_the_suggestion(index):
    output = run("search", "kidny stonse", "--index", str(index)).output
    assert output.splitlines()[0] == "Did you mean “kidney stones”?"
    assert "Did you mean" not in run("search", "kidney stones", "--index", str(index)).output
