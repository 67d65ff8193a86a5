"""The OpenSearch engine driven through the real client against a stand-in cluster on loopback:
ingest, rebuild, incremental runs, deletions, retries, interruptions and ranking."""

from __future__ import annotations

import dataclasses

import pytest

pytest.importorskip("opensearchpy", reason="the opensearch extra is not installed")

from pipeline.config import ClusterSettings, ConfigError  # noqa: E402
from pipeline.engine import Clause, IndexedArticle, Proximity, Query  # noqa: E402
from pipeline.engine.opensearch import OpenSearchEngine  # noqa: E402
from pipeline.engine.opensearch.cluster import Backoff  # noqa: E402
from pipeline.errors import IndexingError  # noqa: E402

from . import opensearch_spec  # noqa: E402
from .opensearch_fake import FakeCluster  # noqa: E402
from .opensearch_support import EmbeddedRanking, corpus_documents  # noqa: E402

ALIAS = "test-sections"


@pytest.fixture
def cluster():
    fake = FakeCluster().start()
    yield fake
    fake.stop()
    if opensearch_spec.available():  # every request any test made is a valid OpenSearch request
        problems = []
        for request in fake.requests:
            if request.path.endswith("/_bulk"):
                problems += opensearch_spec.bulk_errors(request.path, request.body)
            else:
                problems += opensearch_spec.errors(request.method, request.path, request.body)
        assert problems == []


@pytest.fixture
def pauses():
    return []


@pytest.fixture
def engine(cluster, pauses):
    return make_engine(cluster, pauses)


def make_engine(cluster, pauses=None) -> OpenSearchEngine:
    settings = ClusterSettings(url=cluster.url, prefix="test", replicas=0)
    return OpenSearchEngine(settings, backoff=Backoff(tries=4, sleep=(pauses if pauses is not None else []).append),
                            environ={})


@pytest.fixture(scope="module")
def documents():
    return corpus_documents()


def by_article(documents):
    found = {}
    for document in documents:
        found.setdefault(document.article, []).append(document)
    return found


def ingest(engine, articles: dict, removed=(), kept: dict | None = None) -> None:
    """What an ingest does with the engine: replace the articles given, delete the removed ones,
    then write the manifest."""
    known, _ = engine.known_articles()
    with engine.writer() as writer:
        for article, documents in articles.items():
            writer.replace(article, documents, (kept or {}).get(article, ()))
        for article in removed:
            writer.delete(article)
    states = {a: IndexedArticle(a, k.content_hash, k.stamp) for a, k in known.items()}
    for article, documents in articles.items():
        states[article] = IndexedArticle(article, documents[0].content_hash if documents else "", "stamp")
    for article in removed:
        states.pop(article, None)
    engine.write_manifest(states.values())


def keys_in(cluster, index: str) -> set[str]:
    return set(cluster.indices[index].searchable)


def test_a_first_ingest_builds_a_version_and_points_the_alias_at_it(engine, cluster, documents):
    assert not engine.exists()
    assert engine.known_articles() == ({}, False)
    ingest(engine, by_article(documents))
    version = cluster.alias_target(ALIAS)
    assert version == "test-sections-2-000001"
    assert keys_in(cluster, version) == {d.key for d in documents}
    assert engine.exists()
    known, current = engine.known_articles()
    assert current and set(known) == {d.article for d in documents}
    assert known["tico-0"] == IndexedArticle("tico-0", "hash-tico-0", "stamp")
    # Published versions are read-only, and were refreshed before the alias moved.
    assert cluster.indices[version].write_blocked


def test_an_incremental_run_clones_the_version_and_sends_only_what_changed(engine, cluster, documents):
    articles = by_article(documents)
    ingest(engine, articles)
    first = cluster.alias_target(ALIAS)
    cluster.requests.clear()
    changed = [dataclasses.replace(d, body=d.body + " Updated.", content_hash="new") for d in articles["tico-1"]]
    ingest(engine, {"tico-1": changed}, removed=["tico-2"])
    second = cluster.alias_target(ALIAS)
    assert second == "test-sections-2-000002"
    assert any(r.path == f"/{first}/_clone/{second}" for r in cluster.requests)
    sent = [line for r in cluster.requests if r.path == f"/{second}/_bulk" for line in r.body]
    indexed = [line["index"]["_id"] for line in sent if "index" in line]
    deleted = [line["delete"]["_id"] for line in sent if "delete" in line]
    assert sorted(indexed) == sorted(d.key for d in changed)
    assert sorted(deleted) == sorted(d.key for d in articles["tico-2"])  # re-sent keys are overwritten, not deleted
    held = cluster.indices[second].searchable
    assert set(held) == {d.key for d in documents} - {d.key for d in articles["tico-2"]}
    assert held["tico-1#lead@en"]["body"].endswith(" Updated.")
    # The version readers left stays until the next ingest; the manifest follows the new one.
    assert first in cluster.indices
    known, current = engine.known_articles()
    assert current and "tico-2" not in known and known["tico-1"].content_hash == "new"


def test_kept_locales_survive_a_replacement(engine, cluster, documents):
    articles = by_article(documents)
    ingest(engine, articles)
    english = [d for d in articles["tico-3"] if d.locale == "en"]
    ingest(engine, {"tico-3": english}, kept={"tico-3": ["ar"]})
    held = cluster.indices[cluster.alias_target(ALIAS)].searchable
    assert "tico-3#lead@ar" in held and "tico-3#lead@en" in held


def test_a_run_that_changes_nothing_leaves_the_version_alone(engine, cluster, documents):
    ingest(engine, by_article(documents))
    before = set(cluster.indices)
    with engine.writer():
        pass
    assert set(cluster.indices) == before and cluster.alias_target(ALIAS) == "test-sections-2-000001"


def test_an_interrupted_run_leaves_readers_on_the_last_version_and_the_next_run_clears_up(engine, cluster, documents):
    articles = by_article(documents)
    ingest(engine, articles)
    with engine.reader() as reader:
        total_before = reader.statistics().documents

    call = engine.cluster.call

    def interrupted(action, **arguments):
        if action == "indices.update_aliases":
            raise KeyboardInterrupt  # Ctrl-C just before the alias would move
        return call(action, **arguments)

    engine.cluster.call = interrupted
    with pytest.raises(KeyboardInterrupt):
        with engine.writer() as writer:
            writer.delete("tico-0")
            writer.delete("tico-1")
    engine.cluster.call = call
    assert "test-sections-2-000002" not in cluster.indices  # the unfinished version was deleted
    assert cluster.alias_target(ALIAS) == "test-sections-2-000001"
    with engine.reader() as reader:
        assert reader.statistics().documents == total_before
        assert reader.find("tico-0", "lead", "en") is not None
    # A crash that could not clean up leaves a half-written version; the next run deletes it.
    cluster.indices["test-sections-2-000002"] = cluster.indices["test-sections-2-000001"]
    ingest(engine, {}, removed=["tico-0"])
    assert sorted(n for n in cluster.indices if n.startswith(ALIAS)) == ["test-sections-2-000001",
                                                                         "test-sections-2-000003"]
    assert cluster.alias_target(ALIAS) == "test-sections-2-000003"


def test_a_failure_midway_deletes_the_new_version(engine, cluster, documents):
    articles = by_article(documents)
    ingest(engine, articles)
    cluster.item_status = lambda index, operation, key, attempt: 400 if key == "tico-4#lead@en" else None
    with pytest.raises(IndexingError, match="refused 1 of .* 'tico-4#lead@en', with 400"):
        ingest(engine, {"tico-4": articles["tico-4"]})
    assert cluster.alias_target(ALIAS) == "test-sections-2-000001"
    assert "test-sections-2-000002" not in cluster.indices


def test_busy_items_and_requests_are_sent_again_after_a_pause(engine, cluster, documents, pauses):
    cluster.item_status = lambda index, operation, key, attempt: 429 if key.startswith("tico-") and attempt == 1 else None
    cluster.fail("POST", "*/_refresh", 503)
    cluster.fail("GET", "/_alias/*", 502, times=2)
    ingest(engine, by_article(documents))
    assert keys_in(cluster, cluster.alias_target(ALIAS)) == {d.key for d in documents}
    assert len(pauses) == 4  # the alias twice, the busy items once, the refresh once
    assert pauses[1] > pauses[0] * 0.9  # the pause grows (with jitter) while the cluster stays busy


def test_a_cluster_that_stays_busy_stops_the_run(engine, cluster, documents, pauses):
    cluster.fail("POST", "*/_bulk", 429, times=100)
    with pytest.raises(IndexingError, match="answered 429 to bulk"):
        ingest(engine, by_article(documents))
    assert len(pauses) == 3 and cluster.aliases == {}


def test_another_ingest_that_moved_the_alias_makes_the_commit_fail(engine, cluster, documents):
    ingest(engine, by_article(documents))
    with pytest.raises(IndexingError, match="another ingest moved the alias"):
        with engine.writer() as writer:
            writer.delete("tico-0")
            # A second machine committed a version meanwhile.
            cluster.indices["test-sections-2-000099"] = cluster.indices["test-sections-2-000001"]
            cluster.aliases[ALIAS] = {"test-sections-2-000099"}
    assert cluster.alias_target(ALIAS) == "test-sections-2-000099"
    assert "test-sections-2-000002" not in cluster.indices


def test_a_cluster_too_old_for_the_alias_check_is_refused_before_anything_is_written(engine, cluster):
    cluster.version = "2.11.1"
    with pytest.raises(IndexingError, match="runs OpenSearch 2.11.1; .* 2.12 or later"):
        engine.writer()
    assert cluster.indices == {}


def test_a_manifest_half_written_is_not_trusted(engine, cluster, documents):
    ingest(engine, by_article(documents))
    cluster.fail("PUT", "/test-manifest/_mapping", 400, skip=1)  # the stamp at the end fails
    with pytest.raises(IndexingError):
        engine.write_manifest([])
    # The manifest said it described no version, so the articles are read from the documents.
    cluster.faults.clear()
    known, current = engine.known_articles()
    assert not current and known["tico-0"] == IndexedArticle("tico-0", "hash-tico-0")


def test_an_index_of_another_format_is_rebuilt(engine, cluster, documents):
    ingest(engine, by_article(documents))
    cluster.indices["test-sections-2-000001"].mappings["_meta"]["pipeline"]["format"] = 0
    assert not engine.exists() and engine.known_articles() == ({}, False)
    with pytest.raises(IndexingError, match="written by another version"):
        engine.reader()
    ingest(engine, by_article(documents))
    assert cluster.alias_target(ALIAS) == "test-sections-2-000002"
    assert not any(r.path.endswith("/_clone/test-sections-2-000002") for r in cluster.requests)


def test_credentials_come_from_the_environment_and_are_never_shown(cluster):
    with pytest.raises(ConfigError, match="must not hold credentials") as raised:
        ClusterSettings(url="https://admin:s3cret@localhost:9200")
    assert "s3cret" not in str(raised.value)
    engine = OpenSearchEngine(ClusterSettings(url=cluster.url, prefix="test"),
                              environ={"OPENSEARCH_USERNAME": "reader", "OPENSEARCH_PASSWORD": "s3cret"})
    assert "s3cret" not in repr(engine.settings) and "s3cret" not in engine.cluster.address
    cluster.fail("GET", "/_alias/*", 401)
    with pytest.raises(IndexingError) as raised:
        engine.exists()
    assert "s3cret" not in str(raised.value) and "OPENSEARCH_PASSWORD" in str(raised.value)


def test_tls_is_verified_and_credentials_sent_only_as_a_header():
    from pipeline.engine.opensearch.cluster import Cluster

    cluster = Cluster(ClusterSettings(url="https://search.example.org:9200"),
                      environ={"OPENSEARCH_USERNAME": "pipeline", "OPENSEARCH_PASSWORD": "s3cret"})
    connection = cluster.client.transport.connection_pool.connections[0]
    assert connection.pool.cert_reqs == "CERT_REQUIRED" and connection.pool.ca_certs  # the system's bundle
    assert {k.lower() for k in connection.headers} >= {"authorization"}
    assert cluster.address == "https://search.example.org:9200"


def test_a_missing_cluster_address_says_what_to_set():
    with pytest.raises(IndexingError, match="set OPENSEARCH_URL"):
        OpenSearchEngine(ClusterSettings()).exists()


# Reading and ranking.

QUERIES = ["What are the treatments for Kidney Stones ?", "wheezing and coughing, my airways tighten",
           "What is (are) Cholera ?", "هل الاكتئاب قابل للعلاج؟", "القلق وقلة النوم", "coronavirus symptoms",
           '"kidney stones" treatment', "فيروس كورونا المستجد", "cholera vaccine travel"]


@pytest.fixture
def embedded(documents, tmp_path):
    ranking = EmbeddedRanking(documents, tmp_path / "embedded")
    yield ranking
    ranking.close()


@pytest.mark.parametrize("text", QUERIES)
def test_the_cluster_plans_and_ranks_as_the_embedded_engine(engine, documents, embedded, text):
    from pipeline.search.plan import plan

    ingest(engine, by_article(documents))
    query = embedded.query(text)
    expected = embedded.top(query, 20)
    with engine.reader() as reader:
        assert plan(text, reader).query == query  # the same statistics, vocabulary and corrections
        found, total = reader.top(query, 20)
    assert len(found) == min(30, len(expected))  # query.depth
    assert [key for _, key in found] == [key for _, key in expected]
    assert [score for score, _ in found] == pytest.approx([score for score, _ in expected], rel=1e-9)
    assert total == embedded.total(query)


@pytest.mark.parametrize("text", ["shingles herpes zoster", "zona", "wheezing and coughing at night"])
def test_other_names_and_symptoms_plan_and_rank_as_in_the_embedded_engine(engine, documents, tmp_path, text):
    """Names are looked up, other names indexed and coverage applied alike (herpes zoster and
    zona are other names of Shingles here; the second finds it through them alone; the third
    describes symptoms)."""
    from pipeline.search.plan import plan

    named = [dataclasses.replace(d, aliases="Herpes zoster\nZona") if d.article == "Sample_0000004" else d
             for d in documents]
    ingest(engine, by_article(named))
    embedded = EmbeddedRanking(named, tmp_path / "embedded")
    try:
        query = embedded.query(text)
        expected = embedded.top(query, 20)
        with engine.reader() as reader:
            planned = plan(text, reader)
            assert planned.query == query
            found, _ = reader.top(query, 20)
            if text == "zona":  # found through the other names its name brings
                assert [e.text for e in planned.expansions] == ["Shingles", "Herpes zoster"]
                assert reader.document(found[0][1]).other_names == ("Herpes zoster", "Zona")
    finally:
        embedded.close()
    assert [key for _, key in found] == [key for _, key in expected]
    assert [score for score, _ in found] == pytest.approx([score for score, _ in expected], rel=1e-9)


def test_statistics_count_each_script_apart(engine, documents, embedded):
    ingest(engine, by_article(documents))
    with engine.reader() as reader:
        statistics = reader.statistics()
        assert statistics.documents == len(documents)
        assert statistics.arabic_documents == sum(d.locale == "ar" for d in documents)
        for field, term in [("body", "kidney"), ("body", "علاج"), ("heading", "treatment"), ("title", "stone"),
                            ("body", "no-such-term")]:
            assert reader.frequency(field, term) == embedded.reader.frequency(field, term)
            assert reader.idf(field, term) == embedded.reader.idf(field, term)
        assert reader.frequency("body", "kidney") > 0 and reader.frequency("body", "علاج") > 0
        assert reader.locales() == embedded.reader.locales() == ("ar", "en")


def test_phrases_of_two_scripts_and_bonuses(engine, cluster, documents, embedded):
    ingest(engine, by_article(documents))
    # "... لمدة 20 ثانية ...": an Arabic word, then a number (kept in the Latin-script field).
    phrase = Clause("body", ("لمد", "20"), 1.0)
    query = Query(should=(Clause("body", ("يد",), 1.0), Clause("body", ("20",), 0.5)), must=((phrase,),),
                  bonuses=(Proximity("body", "20", "ثان", 2, 0.3), Proximity("body", "يد", "ماء", 2, 0.3)))
    with engine.reader() as reader:
        found, total = reader.top(query, 10)
    expected = embedded.top(query, 10)
    assert [k for _, k in found] == [k for _, k in expected] == ["tico-0#lead@ar"]
    assert total == 1
    assert [s for s, _ in found] == pytest.approx([s for s, _ in expected], rel=1e-9)
    assert any("span_near" in str(r.body) and "field_masking_span" in str(r.body) for r in cluster.requests)


def test_documents_come_back_whole(engine, documents):
    ingest(engine, by_article(documents))
    with engine.reader() as reader:
        assert reader.find("tico-5", "lead", "ar") == next(d for d in documents if d.key == "tico-5#lead@ar")
        assert reader.find("tico-5", "lead", "fr") is None
        article = [d for d in documents if d.article == "Sample_0000001"]
        assert reader.documents("Sample_0000001") == sorted(article, key=lambda d: (d.position, d.key))
        found, _ = reader.top(Query(should=(Clause("body", ("cholera",), 1.0),)), 5)
        assert reader.document(found[0][1]).article == "Sample_0000003"
        assert reader.texts("body", "cholera", 2)[0].startswith(next(
            d.body for d in documents if d.article == "Sample_0000003")[:20])


def test_the_vocabulary_is_read_in_order_with_frequencies(engine, documents, embedded):
    ingest(engine, by_article(documents))
    import pipeline.engine.opensearch.reader as reader_module

    expected = list(embedded.reader.terms("body"))
    assert len(expected) > 30
    page, reader_module.VOCABULARY_PAGE = reader_module.VOCABULARY_PAGE, 7  # several pages
    try:
        with engine.reader() as reader:
            assert list(reader.terms("body")) == expected
            start = expected[10][0]
            assert list(reader.terms("body", start, expected[20][0])) == expected[10:20]
            assert list(reader.terms("body", start + "\u0000")) == expected[11:]
            assert list(reader.terms("body", "\u0621")) == list(embedded.reader.terms("body", "\u0621"))
    finally:
        reader_module.VOCABULARY_PAGE = page


def test_a_reader_knows_when_a_newer_version_is_published(engine, documents):
    articles = by_article(documents)
    ingest(engine, articles)
    reader = engine.reader()
    assert reader.is_current() and reader.refresh() is reader
    ingest(engine, {}, removed=["tico-0"])
    assert not reader.is_current()
    newer = reader.refresh()
    assert newer.version != reader.version and newer.find("tico-0", "lead", "en") is None
    assert newer.version[2] and newer.version[2] != reader.version[2]  # each commit stamps its version
    assert reader.find("tico-0", "lead", "en") is not None  # the old version stays readable meanwhile


# The commands, with --engine opensearch, against the same sources as the embedded engine.

def test_ingest_search_and_eval_give_what_the_embedded_engine_gives(cluster, tmp_path):
    import json
    import shutil

    from click.testing import CliRunner

    from pipeline.cli import cli

    from .conftest import FIXTURES, LOCALES, SOURCES

    shutil.copytree(SOURCES, tmp_path / "sources")
    shutil.copytree(LOCALES, tmp_path / "locales")
    env = {"OPENSEARCH_URL": cluster.url, "OPENSEARCH_INDEX_PREFIX": "cli", "OPENSEARCH_REPLICAS": "0"}
    runner = CliRunner()
    paths = ["--sources", str(tmp_path / "sources"), "--locales", str(tmp_path / "locales")]
    outputs = {}
    for engine in ("whoosh", "opensearch"):
        index = ["--index", str(tmp_path / "index"), "--engine", engine]
        ingested = runner.invoke(cli, ["ingest", *paths, *index], env=env)
        assert ingested.exit_code == 0, ingested.output
        assert ingested.output.startswith("4 added, 0 changed, 0 unchanged, 0 removed, 0 failed;")
        again = runner.invoke(cli, ["ingest", *paths, *index], env=env)
        assert again.output.startswith("0 added, 0 changed, 4 unchanged, 0 removed, 0 failed; 0 catalogue files")
        found = [runner.invoke(cli, ["search", "--json", *args, *index], env=env)
                 for args in (["kidney stones"], ["حصى الكلى", "--lang", "ar"], ["fluoroscopy xray", "--lang", "ar"],
                              ["kidny stonse"])]
        assert all(result.exit_code == 0 for result in found), [r.output for r in found]
        judged = runner.invoke(cli, ["eval", "--json", str(FIXTURES / "relevance" / "queries-dev-en.jsonl"), *index],
                               env=env)
        outputs[engine] = [json.loads(result.output) for result in found] + [json.loads(judged.output)]
    assert outputs["opensearch"] == outputs["whoosh"]
    assert outputs["opensearch"][0]["hits"][0]["article"] == "kidney-stones"
    assert outputs["opensearch"][3]["suggestion"] == "kidney stones"
    assert cluster.alias_target("cli-sections") == "cli-sections-2-000001"  # the second ingest changed nothing


def test_the_reader_page_serves_from_the_cluster(engine, cluster):
    from pipeline.web import create_app

    from .opensearch_support import bundled_documents

    ingest(engine, by_article(bundled_documents()))
    client = create_app(engine).test_client()
    hits = client.get("/api/search?q=kidney+stones&lang=ar").get_json()["hits"]
    assert hits[0]["article"] == "kidney-stones" and hits[0]["locale"] == "ar"
    page = client.get("/?q=%D8%AD%D8%B5%D9%89+%D8%A7%D9%84%D9%83%D9%84%D9%89")  # حصى الكلى
    assert page.status_code == 200 and "/articles/kidney-stones" in page.get_data(as_text=True)
    assert client.get("/articles/kidney-stones?lang=ar").status_code == 200
    # After an ingest, the next request reads the new version.
    ingest(engine, {}, removed=["kidney-stones"])
    assert client.get("/articles/kidney-stones?lang=ar").status_code == 404
    assert client.get("/api/search?q=kidney+stones").get_json()["hits"][0]["article"] != "kidney-stones"
