"""The relevance benchmark's mechanics, on tiny files shaped like the corpus (the corpus is not needed)."""

from __future__ import annotations

import json

import pytest

from benchmarks.relevance import (FTS5, PROJECT, WHOOSH, alias_judgements, article_ranker, fts5_match, main,
                                  read_queries, run, table_lines)

from benchmarks.corpus import article_html
from pipeline.parsers import html

from .conftest import FIXTURES

CORPUS = FIXTURES / "relevance"
SOURCES = ["medquad-question", "liveqa2017-consumer-question", "mentalqa", "aramed"]


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    return run(CORPUS, tmp_path_factory.mktemp("relevance"))


def test_every_system_ranks_the_right_article_first(runs):
    assert [r.name for r in runs] == [PROJECT, WHOOSH, FTS5]
    for system in runs:
        outcomes = system.evaluation.outcomes
        assert len(outcomes) == 6
        assert [(o.judgement.id, o.rank) for o in outcomes] == [(o.judgement.id, 1) for o in outcomes], system.name
        assert system.evaluation.overall.mrr == 1.0
        assert system.index_seconds > 0 and system.query_seconds > 0


def test_baselines_rank_articles_not_sections(runs):
    for system in runs[1:]:
        kidney = next(o for o in system.evaluation.outcomes if o.judgement.id == "en-sample-2")
        # Both sections of the kidney stones article match; it is listed once.
        assert kidney.articles.count("Sample_0000001") == 1
        assert kidney.articles[0] == "Sample_0000001"


def test_the_table_has_every_query_source_and_ratios(runs):
    lines = table_lines(runs)
    mrr_rows = {line.split(" | ")[0].lstrip("| "): line for line in lines[2:7]}
    assert list(mrr_rows) == [*SOURCES, "all"]
    assert mrr_rows["all"] == "| all | 6 | 1.000 | 1.000 | 1.000 | 1.00 | 1.00 |"
    assert mrr_rows["aramed"].startswith("| aramed | 1 |")
    assert any(line.startswith(f"| {FTS5} |") for line in lines)


def test_fts5_queries_quote_every_word():
    assert fts5_match('What is (are) "Kidney-Stones" ? AND* NOT') == \
        '"What" OR "is" OR "are" OR "Kidney" OR "Stones" OR "AND" OR "NOT"'
    assert fts5_match("هل الاكتئاب قابل للعلاج؟") == '"هل" OR "الاكتئاب" OR "قابل" OR "للعلاج"'
    assert fts5_match("?!") == ""


def test_articles_are_ranked_by_their_best_section_as_deep_as_needed():
    sections = ["a1", "a2", "a3", "b1", "a4", "c1", "d1"]
    asked = []

    def search(text, limit):
        asked.append(limit)
        return sections[:limit]

    rank = article_ranker(search, {key: key[0] for key in sections})
    assert rank("query", 2) == ["a", "b", "c"]  # 2 sections show one article, 6 show three
    assert asked == [2, 6]
    assert rank("query", 5) == ["a", "b", "c", "d"]  # every section seen: fewer than k articles


def test_main_prints_json_figures(tmp_path, capsys):
    assert main([str(CORPUS), "--work", str(tmp_path), "--json"]) == 0
    figures = json.loads(capsys.readouterr().out)
    assert figures["split"] == "dev" and figures["k"] == 10
    assert list(figures["systems"]) == [PROJECT, WHOOSH, FTS5]
    assert set(figures["systems"][WHOOSH]["sources"]) == set(SOURCES)
    assert figures["systems"][PROJECT]["overall"] == {"queries": 6, "mrr": 1.0, "ndcg": 1.0, "recall": 1.0}


def test_alias_queries_come_from_the_corpus_synonyms_split_like_the_others(tmp_path):
    records = [{"id": f"A_{n}", "title": f"Condition {n}", "synonyms": [f"other name {n}", f"Condition {n}"],
                "sections": [{"id": f"A_{n}_Sec1", "heading": "", "text": "text"}]} for n in range(20)]
    records.append({"id": "B_0", "title": "Condition 0", "sections": [{"id": "B_0_Sec1", "heading": "", "text": "t"}]})
    (tmp_path / "medquad-en.jsonl").write_text("\n".join(json.dumps(r) for r in records) + "\n", encoding="utf-8")
    dev, test = alias_judgements(tmp_path, "dev"), alias_judgements(tmp_path, "test")
    assert (len(dev), len(test)) == (14, 6)
    assert {j.query for j in dev}.isdisjoint({j.query for j in test})
    # A name that is the title is no query; the articles with the same title answer the other names.
    assert {j.query for j in dev + test} == {f"other name {n}" for n in range(20)}
    zero = next(j for j in dev + test if j.query == "other name 0")
    assert zero.relevant == {"A_0", "B_0"} and zero.source == "medquad-alias"
    assert alias_judgements(tmp_path, "dev") == dev  # the same split every time


def test_a_split_without_symptom_queries_runs_the_others(tmp_path):
    for name in ("medquad-en.jsonl", "arabic-qa-ar.jsonl", "queries-dev-en.jsonl", "queries-dev-ar.jsonl"):
        (tmp_path / name).write_text((CORPUS / name).read_text(encoding="utf-8"), encoding="utf-8")
    (tmp_path / "queries-dev-symptoms-en.jsonl").write_text(
        '{"id": "s1", "query": "kidney stones", "relevant": ["Sample_0000001"], "source": "symptoms-en"}\n',
        encoding="utf-8")
    assert [j.source for j in read_queries(tmp_path, "dev")].count("symptoms-en") == 1
    assert not any(j.source == "symptoms-en" for j in read_queries(CORPUS, "dev"))


@pytest.mark.parametrize("synonyms", [["Backache", "Lumbago"], ["Periodic fever, aphthous stomatitis"]])
def test_the_corpus_pages_keep_medquads_synonyms_as_other_names(synonyms):
    record = {"id": "X", "title": "Title", "synonyms": synonyms,
              "sections": [{"id": "X_Sec1", "heading": "What is it?", "text": "Text."}]}
    document = html.parse(article_html(record))
    assert document.aliases == tuple(synonyms)
    assert [p.text for s in document.sections for p in s.paragraphs] == ["Text."]
