"""Localized articles, their index documents, and search across locales with statuses."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from click.testing import CliRunner
from whoosh import index as whoosh_index

from pipeline.cli import cli
from pipeline.catalogue.localize import documents, localize, source_version
from pipeline.engine.whoosh.index import INDEX_NAME
from pipeline.sources import SourceFile, load_article

from .test_catalog import translate

TEXT = "Kidney stones\n\nHard deposits in the kidney.\n\nCauses\n\nConcentrated urine.\n\nToo little water.\n"


def article():
    return load_article(SourceFile("stones", Path("/x/stones.txt")), Path("/x"), data=TEXT.encode())


def catalogue(strings: dict[str, str], fuzzy: tuple[str, ...] = ()) -> Catalog:
    catalog = Catalog(locale="ar")
    for msgid, msgstr in strings.items():
        catalog.add(msgid, msgstr, flags=["fuzzy"] if msgid in fuzzy else [])
    return catalog


def test_source_version_is_all_source():
    version = source_version(article())
    assert [(s.section.id, s.status) for s in version.sections] == [("lead", "source"), ("causes", "source")]


def test_statuses_translated_partial_and_fallback():
    version = localize(article(), "ar", catalogue({
        "Kidney stones": "حصى الكلى", "Hard deposits in the kidney.": "ترسبات صلبة في الكلية.",
        "Causes": "الأسباب", "Concentrated urine.": "بول مركز.", "Too little water.": "قلة الماء."},
        fuzzy=("Too little water.",)))
    lead, causes = version.sections
    assert version.title == "حصى الكلى" and not version.title_fallback
    assert (lead.status, lead.fallbacks, lead.section.text) == ("translated", (), "ترسبات صلبة في الكلية.")
    # A fuzzy translation is never shown: the paragraph falls back to the source text.
    assert (causes.status, causes.fallbacks) == ("partial", (1,))
    assert causes.section.heading == "الأسباب"
    assert causes.section.text == "بول مركز.\n\nToo little water."


def test_untranslated_section_gets_no_document_in_the_locale():
    version = localize(article(), "ar", catalogue({"Hard deposits in the kidney.": "ترسبات صلبة في الكلية."}))
    assert version.title == "Kidney stones" and version.title_fallback
    assert [s.status for s in version.sections] == ["translated", "fallback"]
    docs = list(documents(version, "state"))
    assert [(d.key, d.status, d.fallbacks, d.title) for d in docs] == [
        ("stones#lead@ar", "translated", (), "Kidney stones")]


def test_documents_carry_status_and_fallbacks():
    version = localize(article(), "ar", catalogue({"Causes": "الأسباب", "Too little water.": "قلة الماء."}))
    doc = [d for d in documents(version, "h") if d.section == "causes"][0]
    assert (doc.status, doc.fallbacks, doc.heading) == ("partial", (0,), "الأسباب")
    assert doc.body.split("\n\n") == ["Concentrated urine.", "قلة الماء."]
    assert doc.path == "x/stones.txt" and doc.line == 5


def test_other_names_are_translated_like_the_title():
    named = load_article(SourceFile("stones", Path("/x/stones.txt")), Path("/x"),
                         data=TEXT.replace("Kidney stones\n", "Kidney stones\n\nAlso called: Renal calculi; Nephrolithiasis\n", 1).encode())
    assert source_version(named).aliases == ("Renal calculi", "Nephrolithiasis")
    version = localize(named, "ar", catalogue({"Nephrolithiasis": "تحصي الكلية", "Renal calculi": "حصيات"},
                                              fuzzy=("Renal calculi",)))
    # An untranslated (or fuzzy) name stands in the source language, as an untranslated title does.
    assert version.aliases == ("Renal calculi", "تحصي الكلية")
    assert list(documents(version, "h")) == []  # nothing else is translated
    doc = next(documents(source_version(named), "h"))
    assert doc.other_names == ("Renal calculi", "Nephrolithiasis")
    assert doc.names == "Kidney stones\nRenal calculi\nNephrolithiasis"


# --- Search -----------------------------------------------------------------------------------


def run(*args: str):
    return CliRunner().invoke(cli, list(args))


def search(*args: str) -> dict:
    result = run("search", *args, "--json")
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


@pytest.fixture
def partly_translated(project):
    """Arabic for the kidney-stones lead and treatment only; nothing for the other articles."""
    assert run("catalog", "init", "ar").exit_code == 0
    po = Path("locales/ar/LC_MESSAGES/kidney-stones.po")
    translate(po, {
        "Kidney Stones": "حصى الكلى",
        "A kidney stone is a hard piece of material that forms inside the kidney when minerals and salts "
        "in the urine become concentrated and stick together.":
            "حصاة الكلية قطعة صلبة من مادة تتكوّن داخل الكلية عندما تتركّز المعادن والأملاح في البول.",
        "Treatment": "العلاج",
        "Most stones smaller than 5 mm pass on their own within a few weeks with plenty of water and pain "
        "relief.": "تخرج معظم الحصوات الأصغر من ٥ مم من تلقاء نفسها.",
    })
    result = run("ingest")
    assert result.exit_code == 0, result.output
    return project


def test_search_json_hits_carry_a_status(partly_translated):
    for hit in search("kidney stones", "--limit", "50")["hits"]:
        assert hit["status"] in ("source", "translated", "partial")


def test_lang_ar_shows_arabic_where_it_exists_and_the_source_elsewhere(partly_translated):
    hits = search("kidney stones", "--lang", "ar", "--limit", "50")["hits"]
    shown = {(h["article"], h["section"]): (h["locale"], h["status"]) for h in hits}
    assert shown[("kidney-stones", "lead")] == ("ar", "translated")
    assert shown[("kidney-stones", "treatment")] == ("ar", "partial")  # one of two paragraphs
    assert shown[("kidney-stones", "symptoms")] == ("en", "fallback")
    assert shown[("interventional-radiologist", "what-does-an-interventional-radiologist-do")] == (
        "en", "fallback")
    # Untranslated text is never presented as Arabic.
    assert all(h["status"] in ("translated", "partial") for h in hits if h["locale"] == "ar")
    assert all(h["status"] == "fallback" for h in hits if h["locale"] != "ar")


def test_arabic_query_finds_sections_through_their_arabic_version(partly_translated):
    hits = search("حصى الكلى")["hits"]
    assert hits[0]["article"] == "kidney-stones" and hits[0]["locale"] == "ar"
    # With --lang en the same sections are shown in English.
    hits = search("حصى الكلى", "--lang", "en")["hits"]
    assert hits and {(h["locale"], h["status"]) for h in hits} == {("en", "source")}


def test_regional_locale_falls_back_to_its_language(partly_translated):
    hit = search("kidney stones", "--lang", "ar-EG")["hits"][0]
    assert hit["locale"] == "ar" and hit["status"] in ("translated", "partial")


def test_articles_without_arabic_are_indexed_once(partly_translated):
    ix = whoosh_index.open_dir("index", indexname=INDEX_NAME)
    with ix.searcher() as searcher:
        keys = sorted(d["key"] for d in searcher.all_stored_fields())
    assert [k for k in keys if k.endswith("@ar")] == ["kidney-stones#lead@ar", "kidney-stones#treatment@ar"]
    assert sum(1 for k in keys if k.startswith("fluoroscopy#")) == 4  # English only


def test_text_output_labels_translations_and_fallbacks(partly_translated):
    output = run("search", "kidney stones", "--lang", "ar", "--limit", "50").output
    assert "حصى الكلى  [ar, translated]" in output
    assert "[en, fallback]" in output
