"""Readers' own words: other names ("Also called"), everyday words, split and joined words, symptoms
described rather than named, and hits that say how they were found. A small index built under
tmp_path from articles written here; tests compare what is found, never scores."""

from __future__ import annotations

import dataclasses

import pytest

from pipeline.engine import NAMES_FIELD, Clause, Coverage, Query, SectionDocument, field_text
from pipeline.search import search_with
from pipeline.search.plan import (ALIAS, COMPOUND, LAY, RANKING, SPELLING, SYMPTOM_TERMS, describes_symptoms,
                                  plan)
from pipeline.search.names import named
from pipeline.search.query import parse_query
from pipeline.web import create_app

from .indexes import build_index, engine

ARTICLES = {
    "amblyopia.md": "---\ntitle: Amblyopia\naliases: [Lazy eye]\n---\n\n"
                    "Amblyopia is poor vision in an eye that did not develop normally in childhood.\n",
    "genetics/amblyopia.html": "<html><head><title>Amblyopia</title></head><body>"
                               "<p>Amblyopia runs in some families; treatment early in childhood works best.</p>"
                               "</body></html>",
    "gerd.md": "---\ntitle: GERD\naliases: [Heartburn, Acid reflux]\n---\n\nStomach acid flows back.\n",
    "heartburn.txt": "Heartburn\n\nAlso called: Acid indigestion\n\n"
                     "Heartburn is a painful burning feeling in the chest, just behind the breastbone.\n",
    "enuresis.md": "# Enuresis in children\n\nBed wetting is common in young children and usually stops.\n",
    "sore-throat.md": "# Sore Throat\n\nA sore throat is pain or irritation in the throat. A sore throat "
                      "often hurts more when you swallow, and a sore throat may come with a cold.\n",
    "common-cold.md": "# Common Cold\n\nSneezing, a runny nose, a sore throat and coughing are the signs "
                      "of the common cold, which goes away within a week or two.\n",
    "abdominal-pain.md": "# Abdominal Pain\n\nPain in the abdomen can come from the stomach, the appendix "
                         "or the intestines.\n",
    "kidney-stones.md": "# Kidney Stones\n\nA kidney stone is a hard piece of material that forms in a kidney.\n",
    "cocaine.md": "---\ntitle: Cocaine\naliases: [Snow, Coke]\n---\n\nCocaine is a strong stimulant drug.\n",
    "raynaud.md": "# Raynaud's Phenomenon\n\nIn the cold, the fingers turn white, then blue, and feel numb.\n",
}


@pytest.fixture(scope="module")
def index(tmp_path_factory):
    return build_index(tmp_path_factory.mktemp("words"), ARTICLES, bundled=False)


@pytest.fixture(scope="module")
def reader(index):
    with engine(index).reader() as reader:
        yield reader


def hits(reader, query: str):
    """(article, matched) of each hit, best first."""
    return [(hit.article, hit.matched) for hit in search_with(reader, query, limit=20).hits]


# --- Other names -------------------------------------------------------------------------------


def test_an_article_is_found_through_its_other_name_which_its_hit_shows(reader):
    result = search_with(reader, "lazy eye", limit=5)
    first = result.hits[0]
    assert (first.article, first.aliases) == ("amblyopia", ("Lazy eye",))
    assert result.as_json()["hits"][0]["aliases"] == ["Lazy eye"]


def test_an_other_name_finds_the_articles_that_use_another_name(reader):
    """Title and other names are one concept: an article that never says "lazy eye" is found by
    its title, and its hit says how."""
    found = dict(hits(reader, "lazy eye"))
    assert found["genetics/amblyopia"] == ("lazy eye → Amblyopia",)
    assert [e.kind for e in plan("lazy eye", reader).expansions] == [ALIAS]


def test_a_whole_other_name_counts_in_the_articles_that_list_it_unless_it_is_a_title(reader):
    from pipeline.search.names import listed_as

    assert listed_as(reader, "lazi eye") == (("lazi", "eye"),)
    assert ("aliases", ("lazi", "eye")) in [(c.field, c.terms) for c in plan("lazy eye", reader).query.should]
    # Heartburn is an article of its own: GERD, which lists it, is not what the name names.
    assert listed_as(reader, "heartburn") == ()
    assert listed_as(reader, "acid reflux") == (("acid", "reflux"),)
    assert hits(reader, "acid reflux")[0][0] == "gerd"


def test_other_names_are_indexed_for_what_they_add_to_the_title():
    document = SectionDocument("a", "lead", "en", "source", (), "", "Sleep Apnea", "", "", 0, "", 0,
                               "Sleep-disordered breathing\nOSA")
    assert field_text(document, "aliases") == "disordered breathing\nOSA"
    assert field_text(document, "title") == "Sleep Apnea"


def test_every_name_of_an_article_is_one_term_of_the_names_field(reader):
    assert reader.frequency(NAMES_FIELD, "lazi eye") == 1
    assert reader.frequency(NAMES_FIELD, "amblyopia") == 2  # two articles have that title
    assert reader.frequency(NAMES_FIELD, "lazi") == 0
    assert reader.texts(NAMES_FIELD, "lazi eye", 5) == ["Amblyopia\nLazy eye"]


# --- Everyday words, split and joined words, spelling --------------------------------------------


def test_an_everyday_word_finds_the_medical_name_and_marks_it(reader):
    result = search_with(reader, "pain in my belly", limit=3)
    first = result.hits[0]
    assert first.article == "abdominal-pain"
    assert "belly → abdomen" in first.matched
    assert "abdomen" in [first.snippet[start:end] for start, end in first.highlights]
    assert [e.kind for e in plan("pain in my belly", reader).expansions if e.kind == LAY]


@pytest.mark.parametrize("query, article, how", [
    ("heart burn", "heartburn", "heart burn → heartburn"),
    ("heart-burn", "heartburn", "heart-burn → heartburn"),
    ("bedwetting", "enuresis", "bedwetting → bed wetting"),
])
def test_words_written_apart_or_together_find_each_other(reader, query, article, how):
    found = dict(hits(reader, query))
    assert how in found[article]
    assert COMPOUND in {e.kind for e in plan(query, reader).expansions}


def test_a_corrected_word_is_marked_in_the_snippet_and_said(reader):
    first = search_with(reader, "kidny stones", limit=1).hits[0]
    assert first.article == "kidney-stones"
    assert first.matched == ("kidny → kidney",)
    assert [first.snippet[start:end] for start, end in first.highlights][:2] == ["kidney", "stone"]
    assert [e.kind for e in plan("kidny stones", reader).expansions] == [SPELLING]


def test_words_typed_alone_say_nothing_of_how(reader):
    assert all(hit.matched == () for hit in search_with(reader, "kidney stones").hits)


# --- Symptoms in everyday words ----------------------------------------------------------------


def test_a_query_that_lists_symptoms_describes_them(reader):
    def describes(text):
        parsed = parse_query(text)
        return describes_symptoms(parsed, named(parsed.words, reader, parsed.arabic))

    assert describes("runny nose sneezing and sore throat")
    assert describes("ألم في البطن وحرارة")
    assert not describes("kidney stones treatment")
    # A symptom in a question about an article's subject is no description of symptoms.
    assert not describes("does amblyopia cause pain")
    assert {"sneez", "fever", "cough"} <= SYMPTOM_TERMS
    # A word that is only some article's other name is not its subject: snow is not cocaine here.
    assert describes("numb white fingers after being outside in the snow")
    assert [article for article, _ in hits(reader, "numb white fingers in the snow")][0] == "raynaud"


def test_the_article_with_every_symptom_beats_the_one_named_after_one_of_them(reader):
    query = "runny nose sneezing and sore throat"
    assert [article for article, _ in hits(reader, query)][:2] == ["common-cold", "sore-throat"]
    # Without the symptoms' ranking, the title wins.
    plain = dataclasses.replace(RANKING, symptoms=1.0, coverage=0.0)
    ranked, _ = reader.top(plan(query, reader, plain).query, 10)
    assert reader.document(ranked[0][1]).article == "sore-throat"
    covered = plan(query, reader).query
    assert covered.coverage is not None and covered.depth == RANKING.coverage_depth


def test_a_rare_word_of_a_description_counts_more_in_its_coverage_than_a_common_one(reader):
    def counts(ranking):
        covered = plan("runny nose sneezing and sore throat", reader, ranking).query.coverage
        assert covered is not None
        return {group: weight for group, weight in zip(covered.groups, covered.weights)}

    flat, default = counts(dataclasses.replace(RANKING, coverage_idf=0.0)), counts(RANKING)
    sneezing, throat = (next(group for group in flat if term in group) for term in ("sneez", "throat"))
    # Sneezing is in one article, a sore throat in two: lacking it costs a candidate more.
    assert default[sneezing] / default[throat] > flat[sneezing] / flat[throat]


def test_coverage_multiplies_each_candidate_by_the_share_of_the_query_it_holds(reader):
    words = (("sneez",), ("throat",))
    query = Query((Clause("body", ("throat",), 1.0),))
    plain, _ = reader.top(query, 10)
    half = dataclasses.replace(query, coverage=Coverage(words, (1.0, 1.0), ("body",), 1.0))
    covered, _ = reader.top(half, 10)
    scores = {reader.document(ref).article: score for score, ref in plain}
    for score, ref in covered:
        article = reader.document(ref).article
        expected = scores[article] * (1.0 if article == "common-cold" else 0.5)
        assert score == pytest.approx(expected)


# --- The page -----------------------------------------------------------------------------------


def test_the_article_page_shows_the_other_names_and_hits_say_how_they_were_found(index):
    client = create_app(engine(index)).test_client()
    page = client.get("/articles/amblyopia").get_data(as_text=True)
    assert "Also called:" in page and "Lazy eye" in page
    results = client.get("/?q=lazy+eye").get_data(as_text=True)
    assert "Found through:" in results and "lazy eye → Amblyopia" in results
    arabic = client.get("/articles/amblyopia?lang=ar").get_data(as_text=True)
    assert "يُعرف أيضًا باسم:" in arabic
