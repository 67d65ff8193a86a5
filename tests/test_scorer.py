"""Tests for pipeline.engine.whoosh.scorer: scores from kept postings are the scores Whoosh gives."""

from __future__ import annotations

import dataclasses

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from whoosh import collectors
from whoosh import query as Q
from whoosh.codec.whoosh3 import W3PerDocReader
from whoosh.fields import ID, TEXT, Schema
from whoosh.filedb.filestore import RamStorage
from whoosh.util.numeric import byte_to_length

from pipeline.engine import Clause, Proximity, Query, group_number
from pipeline.engine.whoosh import SCORING, WhooshEngine, scorer
from pipeline.engine.whoosh.analyzer import text_analyzer
from pipeline.engine.whoosh.codec import ArrayPerDocReader, SegmentPostings, length_bytes
from pipeline.engine.whoosh.index import open_index
from pipeline.engine.whoosh.scorer import KeptPostings, TermScores, best, column_numbers
from pipeline.search.plan import RANKING, plan, proximities
from pipeline.search.query import parse_query

from .search_fixture import build_fixture_index
from .whoosh_oracle import weighting, whoosh_query

QUERIES = [
    "kidney stones",
    "What are the treatments for kidney stones and how is a CT scan used?",
    "I have had a headache for two weeks, what can I take?",
    'the "kidney stones" diet',
    "renal calculi",  # synonyms: a concept's other names, some of them phrases
    "حصى الكلى",
    "السلام عليكم دكتور عندي صداع شديد من أسبوع ماذا أفعل",
    "kidny stonse",  # corrections
]


def whoosh_scores(searcher, query) -> dict[int, float]:
    """Every match of query (an engine Query, or Whoosh's own) with Whoosh's own score, through its collector."""
    top = collectors.TopCollector(limit=searcher.doc_count_all() + 1, usequality=False, replace=0)
    searcher.search_with_collector(whoosh_query(query) if isinstance(query, Query) else query, top)
    return {docnum: score for score, docnum in top.results().top_n}


def _scores(searcher, kept: KeptPostings | None = None) -> TermScores:
    return TermScores(searcher, SCORING, kept)


def _words(*clauses: tuple[str, float]) -> Query:
    """Words of the body field, each with its weight."""
    return Query(tuple(Clause("body", (word,), weight) for word, weight in clauses))


@pytest.fixture(scope="module")
def index(tmp_path_factory):
    return build_fixture_index(tmp_path_factory.mktemp("scorer"))


@pytest.fixture(scope="module")
def searcher(index):
    """A Whoosh searcher scoring with Whoosh's own BM25F, per script as the engine does."""
    with open_index(index).searcher(weighting=weighting(SCORING)) as searcher:
        yield searcher


@pytest.fixture(scope="module")
def reader(index):
    with WhooshEngine(index).reader() as reader:
        yield reader


@pytest.mark.parametrize("text", QUERIES)
def test_scores_are_whooshs_for_every_match(searcher, reader, text):
    query = plan(text, reader).query
    expected = whoosh_scores(searcher, query)
    found = _scores(searcher).scores(query)
    assert expected, text
    assert found.keys() == expected.keys()
    assert all(found[docnum] == pytest.approx(score, rel=1e-9) for docnum, score in expected.items())


def test_a_small_budget_forgets_terms_and_still_scores_the_same(searcher, reader):
    kept = KeptPostings(budget=5)
    scores = _scores(searcher, kept)
    query = plan(QUERIES[1], reader).query
    first = scores.scores(query)
    assert kept.count <= 5 or len(kept.terms) == 1
    assert scores.scores(query) == first == pytest.approx(whoosh_scores(searcher, query))


def test_searchers_of_one_index_version_share_their_postings(tmp_path):
    index = build_fixture_index(tmp_path)
    ix = open_index(index)
    with ix.searcher() as one, ix.searcher() as other:
        assert one is not other
        postings = _scores(one).term("body", "kidney")
        assert len(postings[0]) > 0
        assert all(shared is kept for shared, kept in zip(_scores(other).term("body", "kidney"), postings))
    with WhooshEngine(index).writer() as writer:
        writer.delete("kidney-stones")
    with ix.searcher() as newer:
        assert len(_scores(newer).term("body", "kidney")[0]) < len(postings[0])


@pytest.mark.parametrize("text", QUERIES)
@pytest.mark.parametrize("count", [1, 3, 10, 30])
def test_top_is_the_best_of_every_score(searcher, reader, text, count):
    query = plan(text, reader).query
    scores = _scores(searcher)
    found = scores.scores(query)
    top, matched = scores.top(query, count)
    _assert_same_ranking(top, best(found, count))
    assert set(matched) == found.keys()


@pytest.mark.parametrize("text", QUERIES)
def test_top_is_the_best_of_every_score_with_bounds_from_block_headers(searcher, reader, text, monkeypatch):
    monkeypatch.setattr(scorer, "SCORED_AT_ONCE", 0)  # every term scored when first added up
    query = plan(text, reader).query
    top, matched = _scores(searcher, KeptPostings()).top(query, 10)
    found = _scores(searcher, KeptPostings()).scores(query)
    _assert_same_ranking(top, best(found, 10))
    assert set(matched) == found.keys()


@pytest.mark.parametrize("scored_at_once", [scorer.SCORED_AT_ONCE, 0])
def test_a_terms_scores_looked_up_or_worked_out_at_once_are_the_same(searcher, scored_at_once, monkeypatch):
    monkeypatch.setattr(scorer, "SCORED_AT_ONCE", scored_at_once)
    scores = _scores(searcher, KeptPostings())
    for field, text in [("body", "kidney"), ("body", "stone"), ("title", "headach"), ("body", "صداع")]:
        docnums, looked_up, highest = scores._postings((field, text))
        one_by_one = [looked_up[i] for i in range(len(docnums))]
        assert one_by_one and one_by_one == list(looked_up)  # bit for bit
        assert highest == max(one_by_one) if scored_at_once else highest >= max(one_by_one)


def _assert_same_ranking(found: list[tuple[float, int]], expected: list[tuple[float, int]]) -> None:
    assert [docnum for _, docnum in found] == [docnum for _, docnum in expected]
    assert [score for score, _ in found] == pytest.approx([score for score, _ in expected], rel=1e-9)


def _words_index(bodies: list[str]):
    ix = RamStorage().create_index(Schema(id=ID(stored=True), body=TEXT(analyzer=text_analyzer())))
    with ix.writer() as writer:
        for number, body in enumerate(bodies):
            writer.add_document(id=str(number), body=body)
    return ix


def test_top_stops_summing_words_that_cannot_change_the_best(monkeypatch):
    # "fever" and "report" are in every document and add little; "malaria" is in three and adds much.
    bodies = [f"fever report {number}" for number in range(300)] + ["malaria fever"] * 3
    finish, finished = TermScores._finish, []

    def spy(*args):
        finished.append(args)
        return finish(*args)

    monkeypatch.setattr(TermScores, "_finish", staticmethod(spy))
    query = _words(("malaria", 2.0), ("fever", 1.0), ("report", 1.0))
    with _words_index(bodies).searcher() as searcher:
        scores = _scores(searcher)
        top, matched = scores.top(query, 2)
        assert finished  # the common words were looked up, not summed
        _assert_same_ranking(top, best(scores.scores(query), 2))
        assert len(matched) == 303


@settings(max_examples=60, deadline=None)
@given(st.lists(st.lists(st.sampled_from("alpha beta gamma delta omega sigma kappa zeta".split()),
                         min_size=1, max_size=8), min_size=1, max_size=40),
       st.lists(st.tuples(st.sampled_from("alpha beta gamma delta omega sigma kappa zeta".split()),
                          st.floats(0.1, 4.0)), min_size=2, max_size=6),
       st.integers(1, 6))
def test_top_is_the_best_of_every_score_for_any_words(bodies, terms, count):
    query = _words(*terms)
    with _words_index([" ".join(words) for words in bodies]).searcher() as searcher:
        found = _scores(searcher, KeptPostings()).scores(query)
        for scored_at_once in (scorer.SCORED_AT_ONCE, 0):
            with pytest.MonkeyPatch.context() as patch:
                patch.setattr(scorer, "SCORED_AT_ONCE", scored_at_once)
                # Postings kept apart: Hypothesis seeds `random`, so every example's segment has the same id.
                top, matched = _scores(searcher, KeptPostings()).top(query, count)
            _assert_same_ranking(top, best(found, count))
            assert set(matched) == found.keys()


def test_proximity_bonus_is_whooshs_phrase_score_for_the_candidates(searcher, reader):
    query = plan("kidney stones", reader).query
    found = _scores(searcher).scores(query)
    top = sorted(((score, docnum) for docnum, score in found.items()), reverse=True)[:20]
    bonuses = [Proximity(field, "kidney", "stone", 2, weight) for field, weight in RANKING.fields]
    ranked = dict((docnum, score) for score, docnum in _scores(searcher).rescore(top, bonuses))
    near = False
    for score, docnum in top:
        phrases = [Q.Phrase(b.field, ["kidney", "stone"], slop=2, boost=b.weight) for b in bonuses]
        bonus = sum(whoosh_scores(searcher, phrase).get(docnum, 0.0) for phrase in phrases)
        near = near or bonus > 0
        assert ranked[docnum] == pytest.approx(score + bonus, rel=1e-9)
    assert near


def test_proximity_needs_the_words_in_order_and_near():
    storage = RamStorage()
    ix = storage.create_index(Schema(id=ID(stored=True), body=TEXT(analyzer=text_analyzer())))
    with ix.writer() as writer:
        for body in ["kidney stone", "stone kidney", "kidney big bad stone", "kidney big stone"]:
            writer.add_document(id=body, body=body)
    with ix.searcher() as searcher:
        top = [(1.0, docnum) for docnum in range(4)]
        ranked = _scores(searcher).rescore(top, [Proximity("body", "kidney", "stone", 2, 1.0)])
        boosted = {docnum for score, docnum in ranked if score > 1.0}
    assert boosted == {0, 3}  # adjacent, or one word between; not reversed, not two words apart


@pytest.mark.parametrize("words", [["kidney", "stone"], ["chronic", "kidney", "diseas"], ["bye", "bye"],
                                   ["stone", "kidney"], ["kidney", "absent"]])
def test_phrases_are_whooshs_words_in_order_and_adjacent(words):
    storage = RamStorage()
    ix = storage.create_index(Schema(id=ID(stored=True), body=TEXT(analyzer=text_analyzer())))
    with ix.writer() as writer:
        for body in ["kidney stone", "stone kidney", "kidney big stone", "kidney kidney stone stone",
                     "chronic kidney disease and kidney stones", "chronic disease of the kidney",
                     "bye bye", "bye now, bye"]:
            writer.add_document(id=body, body=body)
    query = Query((Clause("body", tuple(words), 1.5),))
    with ix.searcher(weighting=weighting(SCORING)) as searcher:
        expected = whoosh_scores(searcher, query)
        found = _scores(searcher).scores(query)
        assert found == pytest.approx(expected, rel=1e-9)
        matched = {searcher.stored_fields(docnum)["id"] for docnum in found}
    assert matched == {
        "kidney stone": {"kidney stone", "kidney kidney stone stone", "chronic kidney disease and kidney stones"},
        "chronic kidney diseas": {"chronic kidney disease and kidney stones"},
        "bye bye": {"bye bye"},
        "stone kidney": {"stone kidney"},
        "kidney absent": set(),
    }[" ".join(words)]


def _two_segments():
    """An index in RAM of four short bodies in two segments."""
    ix = RamStorage().create_index(Schema(id=ID(stored=True, unique=True), body=TEXT(analyzer=text_analyzer())))
    for batch in (["kidney stones hurt", "kidney pain"], ["stones in the kidney", "bladder stones"]):
        with ix.writer() as writer:  # one segment per batch
            for body in batch:
                writer.add_document(id=body, body=body)
    return ix


def test_deleted_documents_and_several_segments():
    ix = _two_segments()
    with ix.writer(mergetype=lambda writer, segments: segments) as writer:
        writer.delete_by_term("id", "kidney pain")
    query = _words(("kidney", 1.0), ("stone", 2.0))
    with ix.searcher(weighting=weighting(SCORING)) as searcher:
        assert len(searcher.leaf_searchers()) == 2
        expected = whoosh_scores(searcher, query)
        found = _scores(searcher).scores(query)
        assert len(found) == 3
        assert found == pytest.approx(expected)
        assert all(searcher.stored_fields(docnum)["id"] != "kidney pain" for docnum in found)


def test_terms_are_looked_up_only_in_the_segments_holding_them(monkeypatch):
    ix = _two_segments()
    looked_up = []
    find = SegmentPostings.find
    monkeypatch.setattr(SegmentPostings, "find", lambda self, *key: looked_up.append(key) or find(self, *key))
    with ix.searcher(weighting=weighting(SCORING)) as searcher:
        scores = _scores(searcher, KeptPostings())
        scores.read_vocabulary(["body"])
        for term, segments in (("kidney", 2), ("bladder", 1), ("hurt", 1), ("absent", 0)):
            looked_up.clear()
            assert scores.frequency("body", term) == searcher.doc_frequency("body", term)
            assert len(looked_up) == segments
        query = _words(("bladder", 1.0), ("stone", 1.0))
        assert scores.scores(query) == pytest.approx(whoosh_scores(searcher, query))


@pytest.mark.parametrize("count", [1, 3, 4, 10])
def test_best_keeps_the_top_scores_with_ties_in_index_order(count):
    found = {7: 1.0, 2: 3.0, 9: 3.0, 4: 0.5, 5: 3.0, 1: 1.0}
    expected = sorted(((score, docnum) for docnum, score in found.items()),
                      key=lambda item: (-item[0], item[1]))
    assert best(found, count) == expected[:count]
    assert best(found, 2) == [(3.0, 2), (3.0, 5)]


def test_adjacent_arabic_words_get_their_own_proximity_weight():
    ranking = dataclasses.replace(RANKING, proximity=0.3, arabic_proximity=0.1)
    english, arabic = parse_query("kidney stones"), parse_query("حصى الكلى")
    weights = {term: 1.0 for term in english.terms + arabic.terms}

    def per_field_weights(parsed):
        fields = dict(ranking.fields)
        return [bonus.weight / fields[bonus.field] for bonus in proximities(parsed, weights, ranking)]

    assert per_field_weights(english) == pytest.approx([0.3] * len(ranking.fields))
    assert per_field_weights(arabic) == pytest.approx([0.1] * len(ranking.fields))
    assert proximities(arabic, weights, dataclasses.replace(ranking, arabic_proximity=0)) == ()


def test_column_numbers_are_whooshs_column_values(searcher):
    for leaf, _ in searcher.reader().leaf_readers():
        column = leaf.column_reader("group")
        values = column_numbers(leaf, "group")
        assert list(values) == [column[docnum] for docnum in range(leaf.doc_count_all())]
        assert list(values) == [group_number(fields["article"], fields["section"])
                                for fields in leaf.all_stored_fields()]


def test_length_bytes_are_whooshs_for_every_document(searcher):
    for leaf, _ in searcher.reader().leaf_readers():
        perdoc = leaf._perdoc
        assert isinstance(perdoc, ArrayPerDocReader)
        for field in ("title", "heading", "body"):
            lengths = [byte_to_length(byte) for byte in length_bytes(perdoc, field)]
            assert len(lengths) == leaf.doc_count_all()
            whooshs = [W3PerDocReader.doc_field_length(perdoc, docnum, field) or 0
                       for docnum in range(leaf.doc_count_all())]
            assert lengths == whooshs
            assert lengths == [leaf.doc_field_length(docnum, field) for docnum in range(len(lengths))]
            assert any(lengths)
