"""Query understanding, end to end: spelling variants, request words, phrases, synonyms, languages.

Every test compares what searches find, never scores, so they hold however the ranking is tuned.
"""

from __future__ import annotations

import pytest
from whoosh.reading import SegmentReader

from pipeline.analysis import analyze, is_arabic_term
from pipeline.config import Config
from pipeline.engine import SectionDocument
from pipeline.engine.whoosh.index import fields, open_index
from pipeline.ingest import ingest
from pipeline.search import prepare, search_with
from pipeline.search.plan import plan
from pipeline.search.query import parse_query

from .indexes import build_translated_index, engine
from .search_fixture import build_fixture_index, run, search_json, sections, source_text
from .whoosh_oracle import whoosh_query

SEED_SECTION = "what-does-an-interventional-radiologist-do"


@pytest.fixture(scope="module")
def index(tmp_path_factory):
    return build_fixture_index(tmp_path_factory.mktemp("query"))


def articles(index, query: str, *args: str) -> list[str]:
    return [article for article, _ in sections(index, query, *args)]


def assert_same_hits(index, queries: list[str]) -> list[tuple[str, str]]:
    """Every query finds the same sections in the same order, and finds some."""
    expected = sections(index, queries[0])
    assert expected, f"{queries[0]!r} finds nothing"
    for query in queries[1:]:
        assert sections(index, query) == expected, query
    return expected


# --- Spelling variants of the same Arabic words ------------------------------------------------


@pytest.mark.parametrize("variants", [
    pytest.param(["حصى الكلى", "حَصَى الكُلَى", "حَصًى الْكُلَىٰ"], id="vocalised"),
    pytest.param(["الأعراض", "الاعراض", "الإعراض", "الآعراض", "ٱلأعراض"], id="alef-variants"),
    pytest.param(["آلام الرأس", "الام الراس", "ألام الرأس"], id="alef-madda"),
    pytest.param(["الكلية المستشفى", "الكليه المستشفي", "الكلية المستشفي"], id="ta-marbuta-and-ya"),
    pytest.param(["حصى الكلى", "حصي الكلي"], id="alef-maqsura"),
    pytest.param(["الصداع", "الصـــداع", "الـصـداع"], id="tatweel"),
    pytest.param(["حصى الكلى", "حصى\u200c الكلى", "\u200fحصى الكلى"], id="invisible-marks"),
])
def test_arabic_spelling_variants_find_the_same_sections(index, variants):
    assert_same_hits(index, variants)


@pytest.mark.parametrize("variants", [
    pytest.param(["٥ ملغ", "5 ملغ", "۵ ملغ"], id="integer"),
    pytest.param(["٢٫٥ ملغ", "2.5 ملغ", "۲٫۵ ملغ"], id="decimal"),
])
def test_arabic_indic_persian_and_ascii_digits_find_the_same_sections(index, variants):
    assert_same_hits(index, variants)


@pytest.mark.parametrize("digits, article", [
    (["٥", "5", "۵"], "ar/kidney-stones"),  # the text writes ٥ ملغ
    (["٢٫٥", "2.5", "۲٫۵"], "ar/headache"),  # the text writes ٢٫٥ ملغ
])
def test_a_number_alone_finds_the_section_that_has_it(index, digits, article):
    hits = assert_same_hits(index, digits)
    assert hits == [(article, "العلاج")]


def test_english_case_does_not_matter(index):
    assert_same_hits(index, ["kidney stones", "Kidney Stones", "KIDNEY STONES"])


def test_an_arabic_word_with_a_clitic_the_index_lacks_finds_the_bare_word(index):
    # لعلاج ("for treating") is not in the fixture text; علاج is, in the headings العلاج.
    assert "لعلاج" not in analyze(source_text("ar/headache") + source_text("ar/kidney-stones"))
    assert set(sections(index, "لعلاج الصداع")) == set(sections(index, "علاج الصداع"))
    assert ("ar/kidney-stones", "العلاج") in sections(index, "لعلاج")


# --- Request words -----------------------------------------------------------------------------


@pytest.mark.parametrize("query, plain", [
    ("السلام عليكم دكتور حصى الكلى", "حصى الكلى"),
    ("السلام عليكم يا دكتور، عندي حصى الكلى، أفيدوني وشكرا", "حصى الكلى"),
    ("دُكْتُور حصى الكلى", "حصى الكلى"),  # vocalised request word
    ("إفيدوني عن الصداع جزاكم الله خيرا", "الصداع"),
    ("hello doctor, kidney stones please", "kidney stones"),
    ("Hi Dr, thanks: headache treatment?", "headache treatment"),
])
def test_request_words_are_dropped(index, query, plain):
    assert parse_query(query).terms == parse_query(plain).terms
    hits = sections(index, query)
    assert hits and hits == sections(index, plain)
    assert hits[0] == sections(index, plain)[0]


def test_request_words_do_not_pull_in_sections_that_only_share_them(index):
    # headache.md says "See a doctor"; asking a doctor about kidney stones must not find it.
    assert "doctor" in source_text("headache")
    assert "headache" not in articles(index, "hello doctor, kidney stones please")


@pytest.mark.parametrize("query, section", [
    ("doctor", ("headache", "treatment")),  # "See a doctor if the pain is sudden"
    ("الطبيب", ("ar/kidney-stones", "العلاج")),  # "يصف الطبيب مسكنا"
])
def test_a_query_of_only_request_words_still_searches(index, query, section):
    assert parse_query(query).terms
    assert section in sections(index, query)


# --- Phrases -----------------------------------------------------------------------------------


def test_a_quoted_phrase_is_required(index):
    loose = articles(index, "headache kidney stones")
    assert "headache" in loose and "kidney-stones" in loose
    strict = articles(index, 'headache "kidney stones"')
    assert strict and set(strict) == {"kidney-stones"}


def test_a_quoted_phrase_must_appear_in_that_order(index):
    assert sections(index, "stones kidney")
    assert sections(index, '"stones kidney"') == []


def test_typographic_quotes_mark_phrases_too(index):
    assert sections(index, "headache “kidney stones”") == sections(index, 'headache "kidney stones"')
    assert sections(index, "headache «kidney stones»") == sections(index, 'headache "kidney stones"')


def test_an_arabic_quoted_phrase_is_required(index):
    assert "ar/headache" in articles(index, "الماء حصى الكلى")
    strict = articles(index, 'الماء "حصى الكلى"')
    assert strict and set(strict) == {"ar/kidney-stones"}


# --- Concepts ----------------------------------------------------------------------------------


@pytest.mark.parametrize("synonym", ["nephrolithiasis", "renal calculi", "Nephrolithiasis treatment"])
def test_a_synonym_finds_an_article_that_never_uses_it(index, synonym):
    text = source_text("kidney-stones").lower()
    assert not any(word in text for word in ("nephrolithiasis", "renal", "calculi"))
    assert articles(index, synonym)[0] == "kidney-stones"


def test_a_spelled_out_name_finds_its_abbreviation(index):
    # kidney-stones.md only says "CT scan"; imaging.md spells computed tomography out.
    assert "tomography" not in source_text("kidney-stones").lower()
    found = sections(index, "computed tomography")
    assert ("kidney-stones", "treatment") in found and "imaging" in {article for article, _ in found}


def test_an_abbreviation_finds_its_spelled_out_name(index):
    assert " CT" not in source_text("imaging")
    assert "imaging" in articles(index, "CT")


def test_an_unknown_word_finds_nothing(index):
    result = search_json(index, "xylophone")
    assert result["hits"] == [] and result["total"] == 0


# --- Cross-language on the bundled project -----------------------------------------------------


def test_english_query_shows_the_arabic_seed_section_with_lang_ar(seeded):
    """The bundled sources with their Arabic catalogues: an English query, shown in Arabic."""
    result = run("ingest")
    assert result.exit_code == 0, result.output
    hits = search_json("index", "kidney stones", "--lang", "ar")["hits"]
    seed = [hit for hit in hits if hit["article"] == "interventional-radiologist"]
    assert seed, [hit["article"] for hit in hits]
    assert (seed[0]["section"], seed[0]["locale"]) == (SEED_SECTION, "ar")
    assert is_arabic_term(analyze(seed[0]["heading"])[0]) and seed[0]["status"] == "translated"
    # Without --lang the English version, the one that matched, is shown.
    english = [hit for hit in search_json("index", "kidney stones")["hits"]
               if hit["article"] == "interventional-radiologist"]
    assert english and english[0]["locale"] == "en"


@pytest.mark.parametrize("query", ["kidney stones", "What are the symptoms of a headache?", "حصى الكلى",
                                   '"kidney stones" pain', "kidny stonse"])
def test_total_counts_every_matching_section_once(index, query):
    """`total` is the number of distinct sections the query matches, counted independently here
    by running the same Whoosh query for every matching document (no top-k pruning)."""
    with engine(index).reader() as reader, open_index(index).searcher() as searcher:
        expected = {(fields["article"], fields["section"]) for fields in
                    map(searcher.stored_fields, searcher.docs_for_query(whoosh_query(plan(query, reader).query)))}
        assert search_with(reader, query, limit=1).total == len(expected) > 0


def test_a_section_found_in_several_locales_or_reindexed_counts_once(tmp_path):
    base = {"article": "stones", "title": "Kidney stones", "position": 0, "status": "source"}
    index = build_translated_index(tmp_path, [
        {**base, "section": "a", "locale": "en", "heading": "A", "body": "Kidney pain."},
        {**base, "section": "a", "locale": "ar", "heading": "أ", "body": "ألم kidney."},
        {**base, "section": "b", "locale": "en", "heading": "B", "body": "Kidney diet."},
        {**base, "section": "c", "locale": "en", "heading": "C", "body": "Kidney tests."},
    ])
    with open_index(index).writer() as writer:  # section c again: its first document is deleted, not gone
        writer.delete_by_term("key", "stones#c@en")
        writer.add_document(**fields(SectionDocument("stones", "c", "en", "source", (), "x", "Kidney stones", "C",
                                                     "Kidney tests again.", 0, "sources/stones.txt", 1)))
    with engine(index).reader() as reader, open_index(index).searcher() as searcher:
        assert searcher.reader().doc_count() == 4 < searcher.reader().doc_count_all()
        assert search_with(reader, "kidney").total == 3
        assert search_with(reader, "pain").total == 1
        assert search_with(reader, "tests").total == 1


def test_a_prepared_searcher_reads_no_term_list_for_any_query(tmp_path, monkeypatch):
    """prepare reads the vocabulary, root families and columns, which queries otherwise read
    the first time they need them (a server's first readers waited for it)."""
    index = build_fixture_index(tmp_path)
    with engine(index).reader() as reader:
        prepare(reader)

        def refuse(*args, **kwargs):
            raise AssertionError("a term list was read after prepare")

        monkeypatch.setattr(SegmentReader, "lexicon", refuse)
        monkeypatch.setattr(SegmentReader, "iter_field", refuse)
        assert search_with(reader, "kidny stonse").suggestion == "kidney stones"
        assert search_with(reader, "ألم الكلى").hits


def test_arabic_root_families_are_kept_for_the_next_process(tmp_path, monkeypatch):
    """A new process's Arabic search read every Arabic term of the index for its root family; the
    families of a version are kept in the cache folder, and another version's are not used."""
    from pipeline.search import roots as query
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    index = build_fixture_index(tmp_path)
    with engine(index).reader() as reader:
        read = query.arabic_roots.__wrapped__(reader)  # as a new process does
        assert any(len(family) > 1 for family in read.values())
        assert read == query._read_arabic_roots(reader)

        def refuse(reader):
            raise AssertionError("the families were read again")

        monkeypatch.setattr(query, "_read_arabic_roots", refuse)
        assert query.arabic_roots.__wrapped__(reader) == read
    with engine(index).writer() as writer:  # another version: a deletion
        writer.delete("headache")
    monkeypatch.setattr(query, "_read_arabic_roots", lambda reader: {"another": ("version",)})
    with engine(index).reader() as reader:
        assert query.arabic_roots.__wrapped__(reader) == {"another": ("version",)}


def test_an_arabic_word_finds_other_words_of_its_root_below_itself(tmp_path):
    """نزيف (bleeding) finds a section that only says ينزف (bleeds), after one that says نزيف."""
    sources = tmp_path / "sources"
    sources.mkdir()
    (sources / "wound.md").write_text("---\nlang: ar\n---\n# الجروح\n\nينزف الجرح كثيرا عند الاطفال.\n",
                                      encoding="utf-8")
    (sources / "nose.md").write_text("---\nlang: ar\n---\n# الانف\n\nنزيف الانف شائع في الشتاء.\n",
                                     encoding="utf-8")
    (sources / "head.md").write_text("---\nlang: ar\n---\n# الصداع\n\nالصداع النصفي شائع.\n", encoding="utf-8")
    assert not ingest(Config(sources=sources, locales=tmp_path / "locales", index=tmp_path / "index")).failed
    assert articles(tmp_path / "index", "نزيف") == ["nose", "wound"]
