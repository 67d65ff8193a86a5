"""An index with no documents (a first ingest still running, a rebuild, an empty or all-broken
sources folder) answers "no results", never a traceback or a 500."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from pipeline.cli import cli
from pipeline.config import Config
from pipeline.engine.whoosh import WhooshEngine
from pipeline.ingest import ingest
from pipeline.search import search
from pipeline.web import create_app


def _run(*args: str):
    return CliRunner().invoke(cli, list(args))


@pytest.fixture(params=["empty sources", "broken sources", "first ingest running"])
def empty_index(request, tmp_path):
    """An index folder whose index holds no document, in each way a reader can meet one."""
    sources, index = tmp_path / "sources", tmp_path / "index"
    sources.mkdir()
    if request.param == "first ingest running":
        writer = WhooshEngine(index).writer()  # creates the index; commits nothing until it is left
        yield index
        writer.__exit__(KeyboardInterrupt, KeyboardInterrupt(), None)
        return
    if request.param == "broken sources":
        (sources / "broken.html").write_bytes(b"<html><meta charset='no-such-codec'><p>x</p></html>\xff")
        (sources / "empty.md").write_text("", encoding="utf-8")
    ingest(Config(sources=sources, locales=tmp_path / "locales", index=index))
    yield index


def test_search_finds_nothing_and_says_so(empty_index):
    result = _run("search", "kidney stones", "--index", str(empty_index))
    assert (result.exit_code, result.output) == (0, "No results for “kidney stones”.\n")
    result = _run("search", "حصى الكلى", "--index", str(empty_index), "--json", "--lang", "ar")
    assert result.exit_code == 0
    assert json.loads(result.output) == {"query": "حصى الكلى", "total": 0, "suggestion": None, "hits": []}
    assert search(WhooshEngine(empty_index), "kidny stonse").hits == ()


def test_eval_scores_zero(empty_index, tmp_path):
    queries = tmp_path / "queries.jsonl"
    queries.write_text(json.dumps({"id": "q1", "query": "kidney stones", "relevant": ["a"], "source": "s"}) + "\n",
                       encoding="utf-8")
    result = _run("eval", str(queries), "--index", str(empty_index), "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["overall"]["mrr"] == 0.0


def test_the_reader_pages_answer_with_no_results(empty_index):
    client = create_app(WhooshEngine(empty_index)).test_client()
    page = client.get("/?q=kidney+stones")
    assert page.status_code == 200
    assert client.get("/api/search?q=kidney").get_json()["total"] == 0
    assert client.get("/articles/kidney-stones").status_code == 404
