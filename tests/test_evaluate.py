"""Relevance evaluation: the metrics by hand, judgement files, and `pipeline eval` against `pipeline search`."""

from __future__ import annotations

import json
import math

import pytest

from pipeline.errors import QueryError
from pipeline.search.evaluate import (Judgement, distinct_articles, evaluate, first_relevant, ndcg, parse_judgements,
                               read_judgements, recall, reciprocal_rank)

from .search_fixture import build_fixture_index, run, search_json, source_text

REL = frozenset


# --- Metrics on hand-computed examples ---------------------------------------------------------


def test_reciprocal_rank_is_one_over_the_first_relevant_rank():
    ranking = ["a", "b", "c", "d"]
    assert reciprocal_rank(ranking, REL({"a"}), 10) == 1.0
    assert reciprocal_rank(ranking, REL({"c"}), 10) == pytest.approx(1 / 3)
    assert reciprocal_rank(ranking, REL({"d", "b"}), 10) == 0.5  # the first relevant one counts
    assert reciprocal_rank(ranking, REL({"x"}), 10) == 0.0
    assert reciprocal_rank([], REL({"a"}), 10) == 0.0


def test_reciprocal_rank_stops_at_k():
    assert reciprocal_rank(["a", "b", "c"], REL({"c"}), 3) == pytest.approx(1 / 3)
    assert reciprocal_rank(["a", "b", "c"], REL({"c"}), 2) == 0.0
    assert first_relevant(["a", "b", "c"], REL({"c"}), 2) is None
    assert first_relevant(["a", "b", "c"], REL({"b", "c"}), 2) == 2


def test_ndcg_with_binary_gains():
    # Relevant at ranks 2 and 3: DCG = 1/log2(3) + 1/log2(4); ideal: ranks 1 and 2 = 1 + 1/log2(3).
    dcg = 1 / math.log2(3) + 1 / 2
    ideal = 1 + 1 / math.log2(3)
    assert ndcg(["a", "b", "c"], REL({"b", "c"}), 3) == pytest.approx(dcg / ideal)
    assert ndcg(["a", "b", "c"], REL({"b", "c"}), 3) == pytest.approx(0.693426, abs=1e-6)
    # At k=2 only rank 2 counts; the ideal still has two relevant articles on top.
    assert ndcg(["a", "b", "c"], REL({"b", "c"}), 2) == pytest.approx((1 / math.log2(3)) / ideal)
    assert ndcg(["a", "b"], REL({"a", "b"}), 10) == pytest.approx(1.0)
    assert ndcg(["b", "a"], REL({"a"}), 10) == pytest.approx(1 / math.log2(3))
    assert ndcg(["x", "y"], REL({"a"}), 10) == 0.0


def test_ndcg_ideal_is_capped_at_k():
    # Four relevant articles but k=2: a perfect top 2 scores 1, one relevant article on top less.
    assert ndcg(["a", "b"], REL({"a", "b", "c", "d"}), 2) == pytest.approx(1.0)
    assert ndcg(["a", "x"], REL({"a", "b", "c", "d"}), 2) == pytest.approx(1 / (1 + 1 / math.log2(3)))


def test_recall_is_the_share_of_relevant_articles_in_the_top_k():
    assert recall(["a", "b", "c"], REL({"a", "c"}), 3) == 1.0
    assert recall(["a", "b", "c"], REL({"a", "c"}), 2) == 0.5
    assert recall(["a", "b", "c"], REL({"a", "c", "d", "e"}), 3) == 0.5
    assert recall(["x"], REL({"a"}), 3) == 0.0


def test_articles_count_at_their_first_hit():
    assert distinct_articles(["a", "a", "b", "a", "c", "b"]) == ["a", "b", "c"]


def test_evaluate_ranks_distinct_articles_and_averages_queries_not_sources():
    judgements = [Judgement("one", "q1", REL({"b"}), "small"),
                  Judgement("two", "q2", REL({"b"}), "big"),
                  Judgement("three", "q3", REL({"x"}), "big"),
                  Judgement("four", "q4", REL({"x"}), "big")]
    # Sections of article a come first: b is the second *article*, not the third hit.
    result = evaluate(judgements, lambda text, k: ["a", "a", "b", "c"], k=10)
    assert [o.rank for o in result.outcomes] == [2, 2, None, None]
    assert [o.articles for o in result.outcomes][0] == ("a", "b", "c")
    assert dict(result.sources)["small"].mrr == 0.5
    assert dict(result.sources)["big"].mrr == pytest.approx(0.5 / 3)
    assert [name for name, _ in result.sources] == ["big", "small"]
    # The overall figure is the mean over the four queries (0.25), not over the two sources (1/3).
    assert result.overall.mrr == pytest.approx(0.25)
    assert result.overall.queries == 4


def test_worst_lists_imperfect_queries_worst_first():
    judgements = [Judgement("perfect", "p", REL({"a"})), Judgement("second", "s", REL({"b"})),
                  Judgement("missed", "m", REL({"z"})), Judgement("third", "t", REL({"c"}))]
    result = evaluate(judgements, lambda text, k: ["a", "b", "c"], k=10)
    assert [o.judgement.id for o in result.worst()] == ["missed", "third", "second"]
    assert [o.judgement.id for o in result.worst(1)] == ["missed"]


def test_k_below_one_is_an_error():
    with pytest.raises(QueryError):
        evaluate([Judgement("a", "q", REL({"a"}))], lambda text, k: ["a"], k=0)


# --- Judgement files ---------------------------------------------------------------------------


def test_parse_judgements_reads_ids_sources_and_defaults():
    lines = ['{"id": "k1", "query": "kidney stones", "relevant": ["kidney-stones"], "source": "web"}',
             "",
             '{"query": "headache", "relevant": ["headache", "migraine"], "note": "ignored"}']
    first, second = parse_judgements(lines)
    assert first == Judgement("k1", "kidney stones", REL({"kidney-stones"}), "web")
    assert second == Judgement("line-3", "headache", REL({"headache", "migraine"}), "-")


@pytest.mark.parametrize("bad, says", [
    ("{not json", "not JSON"),
    ('["kidney stones"]', "query"),
    ('{"relevant": ["kidney-stones"]}', "query"),
    ('{"query": "  ", "relevant": ["kidney-stones"]}', "query"),
    ('{"query": "kidney stones"}', "relevant"),
    ('{"query": "kidney stones", "relevant": []}', "relevant"),
    ('{"query": "kidney stones", "relevant": "kidney-stones"}', "relevant"),
    ('{"query": "kidney stones", "relevant": [3]}', "relevant"),
])
def test_parse_judgements_errors_name_the_line(bad, says):
    lines = ['{"query": "headache", "relevant": ["headache"]}', "", bad]
    with pytest.raises(QueryError) as caught:
        parse_judgements(lines, "judged.jsonl")
    assert (caught.value.path, caught.value.line) == ("judged.jsonl", 3)
    assert says in caught.value.message
    assert str(caught.value).startswith("judged.jsonl:3: ")


def test_a_file_without_queries_is_an_error(tmp_path):
    path = tmp_path / "empty.jsonl"
    path.write_text("\n\n", encoding="utf-8")
    with pytest.raises(QueryError) as caught:
        read_judgements(path)
    assert caught.value.path == str(path)


# --- `pipeline eval` on a real index -----------------------------------------------------------

K = 2
JUDGED = [
    {"id": "en-kidney", "query": "kidney stones", "relevant": ["kidney-stones"], "source": "en"},
    {"id": "en-pain", "query": "pain", "relevant": ["headache"], "source": "en"},
    {"id": "en-scan", "query": "scan", "relevant": ["kidney-stones", "imaging"], "source": "en"},
    # imaging.md never mentions water: this one is missed whatever the ranking.
    {"id": "en-water", "query": "water", "relevant": ["imaging"], "source": "en"},
    {"id": "ar-water", "query": "الماء", "relevant": ["ar/headache"], "source": "ar"},
    {"id": "ar-pain", "query": "ألم", "relevant": ["ar/kidney-stones"], "source": "ar"},
    {"query": "headache treatment", "relevant": ["headache", "ar/headache"]},
]


@pytest.fixture(scope="module")
def judged(tmp_path_factory):
    """The fixture index and a judgement file for it."""
    root = tmp_path_factory.mktemp("eval")
    index = build_fixture_index(root)
    queries = root / "queries.jsonl"
    queries.write_text("".join(json.dumps(j, ensure_ascii=False) + "\n" for j in JUDGED), encoding="utf-8")
    return index, queries


def independent_ranking(index, query: str) -> list[str]:
    """Articles in order of their first hit in `pipeline search --json`, as deep as the index goes."""
    hits = search_json(index, query, "--limit", "100")["hits"]
    assert len(hits) < 100  # every matching section was seen
    return list(dict.fromkeys(hit["article"] for hit in hits))


def test_eval_agrees_with_an_independent_computation_from_search(judged):
    index, queries = judged
    result = run("eval", str(queries), "--index", str(index), "--k", str(K), "--json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)

    reciprocal: dict[str, float] = {}
    by_source: dict[str, list[float]] = {}
    for number, judgement in enumerate(JUDGED, start=1):
        ranking = independent_ranking(index, judgement["query"])[:K]
        rank = next((r for r, article in enumerate(ranking, start=1) if article in judgement["relevant"]), None)
        rr = 1 / rank if rank else 0.0
        reciprocal[judgement.get("id", f"line-{number}")] = rr
        by_source.setdefault(judgement.get("source", "-"), []).append(rr)

    # The test has teeth: some query is found and the water query is missed.
    assert reciprocal["en-water"] == 0.0 and "water" not in source_text("imaging").lower()
    assert max(reciprocal.values()) == 1.0

    assert {q["id"]: q["reciprocal_rank"] for q in report["queries"]} == {
        name: round(rr, 4) for name, rr in reciprocal.items()}
    assert set(report["sources"]) == set(by_source) == {"en", "ar", "-"}
    for source, values in by_source.items():
        assert report["sources"][source]["queries"] == len(values)
        assert report["sources"][source]["mrr"] == pytest.approx(sum(values) / len(values), abs=5e-5)
    assert report["overall"]["queries"] == len(JUDGED)
    assert report["overall"]["mrr"] == pytest.approx(sum(reciprocal.values()) / len(JUDGED), abs=5e-5)
    assert report["k"] == K


def test_eval_recall_and_ndcg_agree_with_search(judged):
    index, queries = judged
    report = json.loads(run("eval", str(queries), "--index", str(index), "--k", str(K), "--json").output)
    for outcome, judgement in zip(report["queries"], JUDGED):
        ranking = independent_ranking(index, judgement["query"])[:K]
        relevant = set(judgement["relevant"])
        assert outcome["articles"] == ranking
        found = [r for r, article in enumerate(ranking, start=1) if article in relevant]
        ideal = sum(1 / math.log2(r + 1) for r in range(1, min(K, len(relevant)) + 1))
        assert outcome["recall"] == pytest.approx(len(found) / len(relevant), abs=5e-5)
        assert outcome["ndcg"] == pytest.approx(sum(1 / math.log2(r + 1) for r in found) / ideal, abs=5e-5)


def test_eval_text_lists_every_source_and_all(judged):
    index, queries = judged
    text = run("eval", str(queries), "--index", str(index), "--k", str(K)).output
    report = json.loads(run("eval", str(queries), "--index", str(index), "--k", str(K), "--json").output)
    rows = {line.split()[0]: line.split()[1:] for line in text.splitlines() if line and not line.startswith(" ")}
    assert rows["source"] == ["queries", f"MRR@{K}", f"nDCG@{K}", f"Recall@{K}"]
    for source, scores in [*report["sources"].items(), ("all", report["overall"])]:
        assert rows[source] == [str(scores["queries"]), f"{scores['mrr']:.4f}", f"{scores['ndcg']:.4f}",
                                f"{scores['recall']:.4f}"]
    # The worst-served queries follow, the missed water query among them, with "-" for its rank.
    assert "Worst-served queries" in text
    assert any(line.split()[:2] == ["-", "en-water"] for line in text.splitlines())


def test_eval_worst_zero_lists_no_queries(judged):
    index, queries = judged
    text = run("eval", str(queries), "--index", str(index), "--worst", "0").output
    assert "Worst-served" not in text
    assert text.splitlines()[-1].split()[0] == "all"


def test_eval_names_the_bad_line_of_a_query_file(judged, tmp_path):
    index, _ = judged
    queries = tmp_path / "bad.jsonl"
    queries.write_text('{"query": "headache", "relevant": ["headache"]}\n{"query": "pain", "relevant": []}\n',
                       encoding="utf-8")
    result = run("eval", str(queries), "--index", str(index))
    assert result.exit_code == 1
    assert f"{queries}:2:" in result.output
