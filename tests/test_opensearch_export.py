"""`pipeline export --format opensearch`: files another tool loads into a cluster, with no cluster."""

from __future__ import annotations

import json
import shutil
import urllib.request
from pathlib import Path

import pytest
from click.testing import CliRunner

from pipeline.cli import cli
from pipeline.config import ClusterSettings
from pipeline.engine import Scoring
from pipeline.engine.opensearch.schema import index_body, source

from . import opensearch_spec as spec
from .opensearch_support import bundled_documents

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def project(tmp_path):
    for name in ("sources", "locales"):
        shutil.copytree(ROOT / name, tmp_path / name)
    return tmp_path


def run_export(project: Path, *extra: str, env: dict | None = None):
    return CliRunner().invoke(cli, ["export", "--sources", str(project / "sources"), "--locales",
                                    str(project / "locales"), *extra, str(project / "out")], env=env or {})


def read_bulk(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_export_writes_settings_bulk_and_alias_files(project):
    before = sorted((p.relative_to(project), p.read_bytes()) for p in (project / "locales").rglob("*") if p.is_file())
    result = run_export(project)
    assert result.exit_code == 0, result.output
    out = project / "out"
    assert result.output == ("30 sections (ar 15, en 15) written for the index medref-pipeline-sections-2-000001 "
                             f"(alias medref-pipeline-sections): {out / 'index.json'}, {out / 'sections.ndjson'}, "
                             f"{out / 'aliases.json'}\n")
    body = index_body(Scoring(), 1, 1)
    body["settings"]["index"]["refresh_interval"] = "1s"
    written = json.loads((out / "index.json").read_text())
    stamp = written["mappings"]["_meta"]["pipeline"].pop("stamp")
    assert written == body
    assert run_export(project).exit_code == 0  # the same sections, the same files
    assert json.loads((out / "index.json").read_text())["mappings"]["_meta"]["pipeline"]["stamp"] == stamp
    lines = read_bulk(out / "sections.ndjson")
    expected = sorted(bundled_documents(), key=lambda d: d.key)
    assert [line["index"]["_id"] for line in lines[::2]] == [d.key for d in expected]
    # The same documents the engine sends (the bundled catalogues are in step: the same states too).
    assert [{**line, "content_hash": ""} for line in lines[1::2]] == \
           [{**source(d), "content_hash": ""} for d in expected]
    assert len({line["content_hash"] for line in lines[1::2]}) == 4  # one state per article
    assert json.loads((out / "aliases.json").read_text()) == {"actions": [{"add": {
        "index": "medref-pipeline-sections-2-000001", "alias": "medref-pipeline-sections"}}]}
    after = sorted((p.relative_to(project), p.read_bytes()) for p in (project / "locales").rglob("*") if p.is_file())
    assert after == before  # nothing but the export was written


def test_export_takes_its_names_and_shards_from_the_environment(project):
    result = run_export(project, env={"OPENSEARCH_INDEX_PREFIX": "site-a", "OPENSEARCH_SHARDS": "3"})
    assert result.exit_code == 0, result.output
    assert "for the index site-a-sections-2-000001 (alias site-a-sections)" in result.output
    settings = json.loads((project / "out" / "index.json").read_text())["settings"]["index"]
    assert settings["number_of_shards"] == 3
    bad = run_export(project, env={"OPENSEARCH_INDEX_PREFIX": "Site_A"})
    assert bad.exit_code == 1
    assert bad.output.startswith("Error: index prefix 'Site_A' is not a valid OpenSearch index name")


def test_an_unknown_format_is_refused(project):
    result = run_export(project, "--format", "solr")
    assert result.exit_code == 2 and "'solr' is not 'opensearch'" in result.output


@pytest.mark.skipif(not spec.available(), reason=spec.MISSING)
def test_the_exported_files_are_valid_requests(project):
    assert run_export(project).exit_code == 0
    out = project / "out"
    assert spec.errors("PUT", "/medref-pipeline-sections-2-000001", json.loads((out / "index.json").read_text())) == []
    assert spec.bulk_errors("/_bulk", read_bulk(out / "sections.ndjson")) == []
    assert spec.errors("POST", "/_aliases", json.loads((out / "aliases.json").read_text())) == []


def test_a_cluster_loaded_from_the_export_is_read_and_updated_by_the_engine(project):
    pytest.importorskip("opensearchpy", reason="the opensearch extra is not installed")
    from pipeline.engine import Clause, IndexedArticle, Query
    from pipeline.engine.opensearch import OpenSearchEngine

    from .opensearch_fake import FakeCluster

    assert run_export(project).exit_code == 0
    out = project / "out"
    cluster = FakeCluster().start()
    try:
        def send(method: str, path: str, data: bytes, kind: str = "application/json") -> None:
            request = urllib.request.Request(cluster.url + path, data=data, method=method,
                                             headers={"Content-Type": kind})
            with urllib.request.urlopen(request) as answer:
                assert answer.status == 200

        # As a team's own tools would load it.
        send("PUT", "/medref-pipeline-sections-2-000001", (out / "index.json").read_bytes())
        send("POST", "/_bulk", (out / "sections.ndjson").read_bytes(), "application/x-ndjson")
        send("POST", "/_aliases", (out / "aliases.json").read_bytes())
        send("POST", "/medref-pipeline-sections-2-000001/_refresh", b"")
        engine = OpenSearchEngine(ClusterSettings(url=cluster.url, replicas=0), environ={})
        assert engine.exists()
        known, current = engine.known_articles()
        assert not current and sorted(known) == ["bile-duct-blockage", "fluoroscopy",
                                                 "interventional-radiologist", "kidney-stones"]
        with engine.reader() as reader:
            found, total = reader.top(Query(should=(Clause("body", ("kidney",), 1.0),)), 5)
            assert found and reader.document(found[0][1]).article == "kidney-stones"
        with engine.writer() as writer:
            writer.delete("fluoroscopy")
        engine.write_manifest([IndexedArticle(a, k.content_hash) for a, k in known.items() if a != "fluoroscopy"])
        assert cluster.alias_target("medref-pipeline-sections") == "medref-pipeline-sections-2-000002"
        assert engine.known_articles()[1]
    finally:
        cluster.stop()
