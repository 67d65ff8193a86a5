"""A small bilingual index for the search tests, built once per test module from tests/fixtures/search."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from click.testing import CliRunner

from pipeline.cli import cli
from pipeline.config import Config
from pipeline.ingest import ingest

from .conftest import FIXTURES

SEARCH_SOURCES = FIXTURES / "search" / "sources"


def build_fixture_index(root: Path) -> Path:
    """Ingest the fixture articles (tests/fixtures/search/sources) into root/index."""
    shutil.copytree(SEARCH_SOURCES, root / "sources")
    report = ingest(Config(sources=root / "sources", locales=root / "locales", index=root / "index"))
    assert not report.failed, report.failed
    return root / "index"


def run(*args: str):
    """Run the command line in-process."""
    return CliRunner().invoke(cli, list(args))


def search_json(index: Path, query: str, *args: str) -> dict:
    """`pipeline search QUERY --index INDEX --json [args]`, parsed."""
    result = run("search", query, "--index", str(index), "--json", *args)
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def sections(index: Path, query: str, *args: str) -> list[tuple[str, str]]:
    """The (article, section) of every hit, best first."""
    return [(hit["article"], hit["section"]) for hit in search_json(index, query, "--limit", "50", *args)["hits"]]


def source_text(article: str) -> str:
    """The text of a fixture article, e.g. `kidney-stones` or `ar/headache`."""
    return (SEARCH_SOURCES / f"{article}.md").read_text(encoding="utf-8")
