"""The OpenSearch engine against a real cluster: opt-in, run when OPENSEARCH_URL is set.

    OPENSEARCH_URL=http://localhost:9200 .venv/bin/python -m pytest tests/test_opensearch_live.py

(credentials, if the cluster wants them, in OPENSEARCH_USERNAME and OPENSEARCH_PASSWORD; a CA
bundle in OPENSEARCH_CA_CERTS). Every index it makes is named `pipeline-test-<random>-...` and
deleted at the end. The relevance check uses the fixtures' corpus and queries, or the files of
OPENSEARCH_TEST_CORPUS (a folder shaped like ../shared/corpus: medquad-en.jsonl,
arabic-qa-ar.jsonl, queries-dev-en.jsonl, queries-dev-ar.jsonl).
"""

from __future__ import annotations

import json
import os
import uuid
from pathlib import Path

import pytest

pytestmark = pytest.mark.skipif(not os.environ.get("OPENSEARCH_URL"),
                                reason="no cluster: set OPENSEARCH_URL to run the OpenSearch engine against one")

from pipeline.config import ClusterSettings  # noqa: E402
from pipeline.engine import TEXT_FIELDS, IndexedArticle, SectionDocument  # noqa: E402

from .conftest import FIXTURES  # noqa: E402
from .opensearch_support import EmbeddedRanking, bundled_documents, corpus_documents  # noqa: E402
from .test_opensearch_analysis import relative, whoosh_terms  # noqa: E402

CORPUS = Path(os.environ.get("OPENSEARCH_TEST_CORPUS") or FIXTURES / "relevance")


@pytest.fixture(scope="module")
def engine():
    pytest.importorskip("opensearchpy", reason="the opensearch extra is not installed")
    from pipeline.engine.opensearch import OpenSearchEngine

    settings = ClusterSettings.from_environment()
    settings = ClusterSettings(url=settings.url, prefix=f"pipeline-test-{uuid.uuid4().hex[:8]}",
                               shards=settings.shards, replicas=0, ca_certs=settings.ca_certs)
    engine = OpenSearchEngine(settings)
    yield engine
    for name in engine.cluster.call("indices.get", index=f"{settings.prefix}-*", ignore=(404,)) or {}:
        engine.cluster.call("indices.delete", index=name, ignore=(404,))


def corpus() -> list[SectionDocument]:
    if CORPUS == FIXTURES / "relevance":
        return corpus_documents()
    documents = []
    for name in ("medquad-en.jsonl", "arabic-qa-ar.jsonl"):
        with open(CORPUS / name, encoding="utf-8") as lines:
            for line in lines:
                article = json.loads(line)
                for position, section in enumerate(article["sections"]):
                    documents.append(SectionDocument(
                        article["id"], section["id"], article["lang"], "source", (), f"h-{article['id']}",
                        article.get("title", ""), section.get("heading", ""), section["text"], position,
                        f"{article['id']}.html", position + 1))
    return documents


def ingest(engine, documents) -> None:
    articles: dict[str, list] = {}
    for document in documents:
        articles.setdefault(document.article, []).append(document)
    with engine.writer() as writer:
        for article, found in articles.items():
            writer.replace(article, found)
    engine.write_manifest(IndexedArticle(a, found[0].content_hash) for a, found in articles.items())


def test_the_clusters_analyzer_gives_back_the_embedded_engines_terms(engine):
    from pipeline.engine.opensearch.schema import SCRIPTS, index_body, source

    index = f"{engine.settings.prefix}-analyze"
    engine.cluster.call("indices.create", index=index, body=index_body(engine.scoring, 1, 0))
    for document in bundled_documents() + corpus_documents():
        sent = source(document)
        for field in TEXT_FIELDS:
            found = []
            for script in SCRIPTS:
                text = sent.get(f"{field}_{script}")
                if text:
                    tokens = engine.cluster.call("indices.analyze", index=index, body={
                        "field": f"{field}_{script}", "text": text})["tokens"]
                    found += [(token["position"], token["token"]) for token in tokens]
            assert relative(sorted(found)) == relative(whoosh_terms(getattr(document, field))), document.key


def test_ingest_search_and_rank_as_the_embedded_engine(engine, tmp_path):
    documents = corpus()
    ingest(engine, documents)
    assert engine.exists() and engine.known_articles()[1]
    embedded = EmbeddedRanking(documents, tmp_path / "embedded")
    try:
        scores = {}
        for name in ("queries-dev-en.jsonl", "queries-dev-ar.jsonl"):
            with open(CORPUS / name, encoding="utf-8") as lines:
                for line in lines:
                    judged = json.loads(line)
                    query = embedded.query(judged["query"])
                    with engine.reader() as reader:
                        ranked, _ = reader.top(query, 50)
                        cluster = [reader.document(key).article for _, key in ranked]
                    local = [key.split("#")[0] for _, key in embedded.top(query, 50)]
                    for system, articles in (("cluster", cluster), ("embedded", local)):
                        scores.setdefault((judged["source"], system), []).append(
                            reciprocal_rank(articles, set(judged["relevant"])))
        for (source, system), values in scores.items():
            if system == "cluster":
                mrr = sum(values) / len(values)
                embedded_mrr = sum(scores[(source, "embedded")]) / len(values)
                assert abs(mrr - embedded_mrr) <= 0.01, (source, mrr, embedded_mrr)
    finally:
        embedded.close()


def reciprocal_rank(articles: list[str], relevant: set[str], k: int = 10) -> float:
    """1/rank of the first relevant article among the first k distinct ones (0 if none)."""
    seen = list(dict.fromkeys(articles))[:k]
    return next((1 / rank for rank, article in enumerate(seen, 1) if article in relevant), 0.0)
