"""The concept table: the shipped CSV, matching terms in queries, and errors that name the line."""

from __future__ import annotations

import pytest

from pipeline.analysis import analyze, is_arabic_term
from pipeline.concepts import ConceptTable, default_concepts, parse_concepts, read_concepts
from pipeline.errors import ConceptError

from .conftest import ROOT

TABLE_PATH = ROOT / "pipeline" / "data" / "concepts.csv"
HEADER = "english,arabic,abbreviations\n"


def find(table: ConceptTable, query: str, arabic: bool | None = None):
    """The concepts a query names (its language guessed from its terms unless given)."""
    terms = tuple(analyze(query))
    if arabic is None:
        arabic = any(is_arabic_term(term) for term in terms)
    return table.find(terms, arabic=arabic)


def alternatives(table: ConceptTable, query: str, arabic: bool | None = None) -> set[str]:
    """Every alternative term (as written in the table) the query's concepts add."""
    return {variant.text for match in find(table, query, arabic) for variant in match.alternatives}


@pytest.fixture(scope="module")
def table() -> ConceptTable:
    return default_concepts()


# --- The shipped table -------------------------------------------------------------------------


def test_the_shipped_table_parses_and_agrees_with_the_file(table):
    from_file = read_concepts(TABLE_PATH)
    assert len(table) == len(from_file) > 100
    lines = TABLE_PATH.read_text(encoding="utf-8").splitlines()
    for concept in table.concepts:
        # Each concept remembers its own line: the line holds its first term, and is no comment.
        assert concept.terms[0] in lines[concept.line - 1]
        assert not lines[concept.line - 1].startswith("#")
        assert len(concept.terms) >= 2


def test_kidney_stones_in_english_adds_the_english_synonyms(table):
    matches = find(table, "kidney stones")
    assert [(m.start, m.end) for m in matches] == [(0, 2)]  # one concept covering both words
    found = alternatives(table, "kidney stones")
    assert {"nephrolithiasis", "renal calculi"} <= found
    # Translations are left to cross-language search: no Arabic term for an English query.
    assert not any(is_arabic_term(term) for text in found for term in analyze(text))


def test_a_singular_english_name_matches_the_plural_row(table):
    assert alternatives(table, "kidney stone") == alternatives(table, "kidney stones")


def test_kidney_stones_in_arabic_adds_arabic_synonyms(table):
    found = alternatives(table, "حصى الكلى")
    assert {"حصوات كلوية", "حصى كلوية"} <= found
    assert all(any(is_arabic_term(term) for term in analyze(text)) for text in found)
    assert "nephrolithiasis" not in found


def concept_lines(table: ConceptTable, query: str) -> list[int]:
    """The table lines of the concepts a query names."""
    return [next(c.line for c in table.concepts if match.variant.text in c.terms) for match in find(table, query)]


@pytest.mark.parametrize("spelling", [
    "حَصَى الكُلَى",  # vocalised
    "حصي الكلي",  # ya for alef maqsura
    "حصـــى الكلـــى",  # tatweel
    "حصى ٱلكلى",  # alef wasla
    "حصوه الكلي",  # ha for ta marbuta: another name of the same row
    "حُصُوَات كُلَوِيَّة",  # vocalised plural, another name of the same row
])
def test_arabic_spelling_variants_name_the_same_concept(table, spelling):
    lines = concept_lines(table, "حصى الكلى")
    assert len(lines) == 1
    assert concept_lines(table, spelling) == lines
    assert alternatives(table, spelling) - alternatives(table, "حصى الكلى") <= {"حصى الكلى"}


def test_ct_names_computed_tomography(table):
    assert {"computed tomography", "computerized tomography"} <= alternatives(table, "CT")
    # And the other way round: the spelled-out name adds the abbreviation.
    assert "CT" in alternatives(table, "computed tomography")


def test_an_arabic_name_of_ct_adds_the_abbreviation_but_no_english(table):
    found = alternatives(table, "الأشعة المقطعية")
    assert "CT" in found
    assert "computed tomography" not in found


def test_a_longer_name_holding_the_typed_one_is_not_an_alternative(table):
    # "diabetes mellitus" is a narrower name for "diabetes", not another way to say it.
    assert "diabetes mellitus" not in alternatives(table, "diabetes")
    assert "DM" in alternatives(table, "diabetes")


@pytest.mark.parametrize("query, unrelated", [
    ("الصفير", "اليرقان"),  # wheezing must not bring in jaundice
    ("العين", "الخزعة"),  # the eye must not bring in biopsy
], ids=["wheezing-not-jaundice", "eye-not-biopsy"])
def test_an_arabic_term_does_not_expand_to_an_unrelated_concept(table, query, unrelated):
    """A query naming one concept looks for that concept's synonyms, not another concept's."""
    assert unrelated not in alternatives(table, query)


def test_words_around_a_concept_are_left_alone(table):
    matches = find(table, "severe kidney stones pain")
    assert [(m.start, m.end, m.variant.text) for m in matches][:1] == [(1, 3, "kidney stones")]


# --- Everyday words (the lay column) ------------------------------------------------------------


LAY = ("english,arabic,abbreviations,lay\n"
       "abdomen | abdominal,البطن,,belly | tummy | كرشة\n"
       "high blood pressure | hypertension,ارتفاع ضغط الدم,HBP,الضغط العالي\n")


def test_an_everyday_word_looks_for_the_names_of_its_concept():
    table = parse_concepts(LAY)
    assert alternatives(table, "pain in my belly") == {"abdomen", "abdominal"}
    assert [(m.variant.text, m.variant.lay) for m in find(table, "tummy ache")] == [("tummy", True)]
    # ...in the query's language, with the abbreviations: an Arabic query gets Arabic names.
    assert alternatives(table, "الضغط العالي") == {"ارتفاع ضغط الدم", "HBP"}


def test_a_name_does_not_look_for_the_everyday_words():
    table = parse_concepts(LAY)
    assert alternatives(table, "abdominal pain") == {"abdomen"}
    assert alternatives(table, "hypertension") == {"high blood pressure", "HBP"}


def test_a_table_without_the_lay_column_still_reads():
    table = parse_concepts(HEADER + "headache | cephalalgia,الصداع,\n")
    assert table.concepts[0].lay == ()
    with pytest.raises(ConceptError, match="4 columns, expected 3"):
        parse_concepts(HEADER + "headache,الصداع,,sore head\n")


def test_the_shipped_table_has_everyday_words_in_both_languages(table):
    lay = [term for concept in table.concepts for term in concept.lay]
    assert "belly" in lay and any(is_arabic_term(t) for term in lay for t in analyze(term))


# --- Parsing and errors ------------------------------------------------------------------------


def test_comments_and_blank_lines_are_ignored():
    text = ("# A comment before the header, with, commas\n\n" + HEADER
            + "\n# --- a section comment ---\n   # an indented comment\n,,\n"
            + "headache | cephalalgia,الصداع,\n\n")
    table = parse_concepts(text)
    assert len(table) == 1
    assert table.concepts[0].line == 8
    assert table.concepts[0].english == ("headache", "cephalalgia")
    assert table.concepts[0].arabic == ("الصداع",)


def test_terms_are_split_on_the_separator_and_trimmed():
    table = parse_concepts(HEADER + " computed tomography |  ct scan ,التصوير المقطعي, CT | CAT \n")
    concept = table.concepts[0]
    assert concept.english == ("computed tomography", "ct scan")
    assert concept.arabic == ("التصوير المقطعي",)
    assert concept.abbreviations == ("CT", "CAT")


def test_a_quoted_cell_may_hold_commas():
    table = parse_concepts(HEADER + '"pain, chronic | chronic pain",الألم المزمن,\n')
    assert table.concepts[0].english == ("pain, chronic", "chronic pain")


@pytest.mark.parametrize("text, line, says", [
    ("english,arabic\nkidney,كلية\n", 1, "header"),
    ("# comment\narabic,english,abbreviations\nkidney,كلية,\n", 2, "header"),
    (HEADER + "kidney,كلية,\nkidney stones,حصى الكلى,,extra\n", 3, "columns"),
    (HEADER + "kidney | renal,كلية,\n\n# note\nheadache,,\n", 5, "two terms"),
    (HEADER + "kidney,كلية,\nthe | of,الصداع,\n", 3, "stop words"),
    (HEADER + "kidney,كلية,\nheadache,في,\n", 3, "stop words"),
    # Two rows sharing a term once analysed (العينة "sample" and العين "eye" both give عين).
    (HEADER + "eye,العين,\nbiopsy,الخزعة | العينة,\n", 3, "same words as 'العين' of line 2"),
    (HEADER + "hepatic | liver,كبد,\nliver disease | hepatic,مرض الكبد,\n", 3, "same words"),
])
def test_errors_name_the_file_and_line(text, line, says):
    with pytest.raises(ConceptError) as caught:
        parse_concepts(text, "my-concepts.csv")
    error = caught.value
    assert (error.path, error.line) == ("my-concepts.csv", line)
    assert says in error.message
    assert str(error).startswith(f"my-concepts.csv:{line}: ")
    assert error.hint


def test_read_concepts_accepts_a_byte_order_mark(tmp_path):
    path = tmp_path / "concepts.csv"
    path.write_text(HEADER + "kidney | renal,كلية,\n", encoding="utf-8-sig")
    assert read_concepts(path).concepts[0].english == ("kidney", "renal")


def test_read_concepts_names_a_missing_file(tmp_path):
    with pytest.raises(ConceptError) as caught:
        read_concepts(tmp_path / "missing.csv")
    assert caught.value.path == str(tmp_path / "missing.csv")


def test_a_table_with_only_a_header_finds_nothing():
    table = parse_concepts(HEADER)
    assert len(table) == 0
    assert table.find(("kidney", "stone")) == ()


def test_the_shipped_table_is_read_the_same_with_and_without_its_analysis_cache(tmp_path, monkeypatch):
    """The first read writes the table to the cache folder; the next one uses it without reading
    or analysing the CSV again; a damaged cache file is ignored."""
    import pipeline.concepts as concepts

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))

    def fresh_read():
        concepts.default_concepts.cache_clear()
        concepts._ANALYSED.clear()
        table = concepts.default_concepts()
        return [(c.line, c.terms) for c in table.concepts], table.find(("kidney", "stone"))

    first = fresh_read()
    [cache] = (tmp_path / "medref-pipeline").glob("concepts-*.pickle")
    assert b"kidney stones" in cache.read_bytes()
    with monkeypatch.context() as patch:
        patch.setattr(concepts, "analyze", lambda term: pytest.fail(f"{term!r} analysed again"))
        patch.setattr(concepts, "parse_concepts", lambda *args: pytest.fail("the CSV was read again"))
        assert fresh_read() == first
    cache.write_bytes(b"not a pickle")
    assert fresh_read() == first
    concepts.default_concepts.cache_clear()
