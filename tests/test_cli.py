"""The command line, end to end: ingest the bundled sources, then search them."""

from __future__ import annotations

import json
import re

import pytest
from click.testing import CliRunner

from pipeline.cli import cli

from .conftest import ROOT

SEED_SECTION = "what-does-an-interventional-radiologist-do"


def run(*args: str):
    return CliRunner().invoke(cli, list(args))


@pytest.fixture
def ingested(project):
    result = run("ingest")
    assert result.exit_code == 0, result.output
    return project


def search_json(*args: str) -> dict:
    result = run("search", *args, "--json")
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def test_ingest_reports_one_summary_line(project):
    result = run("ingest")
    assert result.exit_code == 0
    assert re.fullmatch(r"4 added, 0 changed, 0 unchanged, 0 removed, 0 failed; 4 catalogue files written; "
                        r"15 sections indexed \(en 15\) in \d+\.\d\ds\n", result.output)


def test_second_ingest_reports_every_article_unchanged(ingested):
    result = run("ingest")
    assert result.exit_code == 0
    assert result.output.startswith("0 added, 0 changed, 4 unchanged, 0 removed, 0 failed; "
                                    "0 catalogue files written; 0 sections indexed in")


def test_kidney_stones_finds_the_seed_section_first_among_the_seed_sections(ingested):
    result = search_json("kidney stones")
    seed_hits = [hit for hit in result["hits"] if hit["article"] == "interventional-radiologist"]
    assert seed_hits and seed_hits[0]["section"] == SEED_SECTION
    assert seed_hits[0]["heading"] == "What does an Interventional Radiologist do?"
    assert result["hits"][0]["article"] == "kidney-stones"


def test_search_json_has_the_stable_keys(ingested):
    result = search_json("kidney stones")
    assert set(result) >= {"query", "total", "suggestion", "hits"}
    assert result["query"] == "kidney stones"
    assert result["total"] >= len(result["hits"]) > 0
    for rank, hit in enumerate(result["hits"], start=1):
        assert set(hit) >= {"rank", "article", "section", "locale", "title", "heading",
                            "snippet", "score", "path"}
        assert hit["rank"] == rank
        assert isinstance(hit["score"], float)
        for start, end in hit["highlights"]:
            assert hit["snippet"][start:end].lower().startswith(("kidney", "stone"))


def test_fluoroscopy_question_finds_the_seed_paragraph(ingested):
    result = search_json("What is fluoroscopy?")
    seed = [hit["snippet"] for hit in result["hits"] if hit["article"] == "interventional-radiologist"]
    assert any("Fluoroscopy is one of the most common techniques" in snippet for snippet in seed)


def test_text_output_shows_title_heading_locale_and_plain_snippet_in_a_pipe(ingested):
    result = run("search", "kidney stones", "--limit", "3")
    assert result.exit_code == 0
    assert "Kidney Stones" in result.output
    assert "[en]" in result.output
    assert "\x1b[" not in result.output  # no terminal styling in a pipe
    assert result.output.rstrip().endswith("matching sections.")


@pytest.mark.parametrize("query", ["What does an interventional radiologist do?", "kidney (stones",
                                   '"bile duct', "C++", "*", ":", "title:kidney", "AND OR NOT",
                                   "kidney~2", "stone^3", "[a TO z]", "\\", "حصى الكلى"])
def test_awkward_queries_never_crash(ingested, query):
    result = run("search", query, "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["query"] == query


def test_query_syntax_is_not_interpreted(ingested):
    # "title:kidney" must search the words, not the title field only.
    assert search_json("title:kidney")["total"] == search_json("title kidney")["total"]


def test_quoted_phrase_must_match(ingested):
    hits = search_json('"bile duct"')["hits"]
    assert hits and all("bile duct" in (h["snippet"] + h["heading"] + h["title"]).lower() for h in hits)


def test_no_results_exits_zero_and_says_so(ingested):
    result = run("search", "xylophone")
    assert result.exit_code == 0
    assert result.output == "No results for “xylophone”.\n"


def test_search_without_index_is_a_clear_error(tmp_path):
    result = run("search", "kidney stones", "--index", str(tmp_path / "none"))
    assert result.exit_code == 1
    assert result.output == f"Error: no index at {tmp_path / 'none'}; run `pipeline ingest` first\n"


def test_lang_without_translations_shows_the_source_as_fallback(ingested):
    hits = search_json("kidney stones", "--lang", "ar")["hits"]
    assert hits and {(h["locale"], h["status"]) for h in hits} == {("en", "fallback")}
    assert {(h["locale"], h["status"]) for h in search_json("kidney stones", "--lang", "en")["hits"]} == {
        ("en", "source")}


def test_incremental_ingest_adds_changes_and_removes(ingested):
    sources = ingested / "sources"
    (sources / "gallstones.txt").write_text("Gallstones\n\nGallstones are hard deposits in the gallbladder.\n")
    seed = sources / "interventional-radiologist.txt"
    seed.write_text(seed.read_text().replace("kidney stones", "renal calculi"))
    (sources / "fluoroscopy.md").unlink()
    result = run("ingest")
    assert result.exit_code == 0
    assert result.output.startswith("1 added, 1 changed, 2 unchanged, 1 removed, 0 failed")
    assert search_json("gallbladder deposits")["hits"][0]["article"] == "gallstones"
    assert "interventional-radiologist" in {h["article"] for h in search_json("renal calculi")["hits"]}
    assert "interventional-radiologist" not in {h["article"] for h in search_json('"kidney stones"')["hits"]}
    assert "fluoroscopy" not in {h["article"] for h in search_json("fluoroscopy", "--limit", "50")["hits"]}


def test_broken_source_is_named_and_the_others_are_indexed(project):
    (project / "sources" / "broken.md").write_text("---\ntitle: [oops\n---\n\nText.\n")
    result = run("ingest")
    assert result.exit_code == 1
    assert "error: sources/broken.md:2: broken front matter" in result.output
    assert "4 added" in result.output
    assert search_json("kidney stones")["hits"]


def test_every_command_has_help_and_is_in_the_readme():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    commands = [(name, command) for name, command in cli.commands.items()]
    commands += [(f"{name} {sub}", subcommand) for name, command in cli.commands.items()
                 for sub, subcommand in getattr(command, "commands", {}).items()]
    assert any(" " in name for name, _ in commands)  # the catalog subcommands are there
    for name, command in commands:
        assert command.help, f"{name} has no help text"
        assert f"pipeline {name}" in readme, f"`pipeline {name}` is not shown in the README"
