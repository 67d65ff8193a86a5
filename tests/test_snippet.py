"""Snippets: the best window of a section, with matched words marked."""

from __future__ import annotations

from pipeline.analysis import analyze
from pipeline.search.snippet import make_snippet

TEXT = ("These techniques are used in problems of the gallbladder or kidneys. " + "Filler words. " * 20
        + "Radiology can guide removal of gallstones, kidney stones, and more. " + "Tail words. " * 20)


def snippet(text: str, query: str):
    return make_snippet(text, frozenset(analyze(query)))


def test_snippet_prefers_the_tight_cluster_of_terms():
    result = snippet(TEXT, "kidney stones")
    assert "kidney stones" in result.text
    assert result.text.startswith("… ") and result.text.endswith(" …")
    marked = [result.text[start:end] for start, end in result.spans]
    assert "kidney" in marked and "stones" in marked


def test_snippet_without_matches_is_the_start_of_the_text():
    result = snippet(TEXT, "xylophone")
    assert result.spans == ()
    assert result.text.startswith("These techniques")


def test_snippet_marks_vocalised_arabic_in_the_original_text():
    result = snippet("تتكوّن حَصَى الكُلَى في الكلية.", "حصى الكلى")
    assert [result.text[s:e] for s, e in result.spans][:2] == ["حَصَى", "الكُلَى"]


def test_paragraph_breaks_become_spaces_and_offsets_hold():
    result = snippet("First paragraph.\n\nKidney stones here.", "kidney")
    assert "\n" not in result.text
    assert [result.text[s:e] for s, e in result.spans] == ["Kidney"]
