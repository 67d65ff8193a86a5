"""`pipeline catalog todo`: what waits, in an order a lead can act on; and the demand readers show."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from click.testing import CliRunner

from pipeline.catalogue.demand import demand_path, record_demand, section_demand
from pipeline.cli import cli

SEED = Path("sources/interventional-radiologist.txt")
KIDNEY = Path("sources/kidney-stones.html")
AR = Path("locales/ar/LC_MESSAGES")


def run(*args: str, expect: int = 0) -> str:
    result = CliRunner().invoke(cli, list(args))
    assert result.exit_code == expect, result.output
    return result.output


def waiting_work(project: Path) -> None:
    """A fuzzy paragraph and an untranslated one in the seed; two untranslated in kidney stones."""
    text = SEED.read_text(encoding="utf-8").replace("usually followed up", "normally followed up")
    SEED.write_text(text + "\n\nAsk your doctor which kind of imaging suits you.\n", encoding="utf-8")
    html = KIDNEY.read_text(encoding="utf-8").replace(
        "<h2>Prevention</h2>", "<h2>Prevention</h2><p>Drink water through the day.</p><p>Walk daily.</p>")
    KIDNEY.write_text(html, encoding="utf-8")
    run("catalog", "update")


def test_todo_lists_fuzzy_first_then_untranslated_closest_to_done_first(seeded):
    waiting_work(seeded)
    lines = run("catalog", "todo", "--locale", "ar").splitlines()
    seed, kidney = AR / "interventional-radiologist.po", AR / "kidney-stones.po"
    assert lines[0].startswith(f"{seed}:") and ": fuzzy, 36 words: “Once the radiological intervention" in lines[0]
    # Untranslated: the seed waits for 9 words, kidney stones for 7: kidney stones first.
    assert [line.split(": ")[1] for line in lines[1:4]] == ["untranslated, 5 words", "untranslated, 2 words",
                                                             "untranslated, 9 words"]
    assert lines[1].startswith(f"{kidney}:") and lines[3].startswith(f"{seed}:")
    assert lines[-1] == "ar: fuzzy: 1 messages, 36 words; untranslated: 3 messages, 16 words"
    # file:line points at the msgid.
    path, line = lines[3].split(":")[:2]
    assert Path(path).read_text(encoding="utf-8").splitlines()[int(line) - 1].startswith("msgid")


def test_todo_json_and_limit(seeded):
    waiting_work(seeded)
    report = json.loads(run("catalog", "todo", "--locale", "ar", "--json", "--limit", "2"))
    assert [item["state"] for item in report["items"]] == ["fuzzy", "untranslated"]
    assert report["totals"] == {"fuzzy": {"messages": 1, "words": 36}, "untranslated": {"messages": 3, "words": 16}}


def test_nothing_waits_in_the_bundled_catalogues(seeded):
    assert run("catalog", "todo", "--locale", "ar") == "ar: nothing waits\n"


@dataclass(frozen=True)
class FakeHit:
    article: str
    section: str
    status: str


def test_demand_counts_only_what_readers_were_shown_untranslated_among_the_best_hits(tmp_path):
    hits = [FakeHit("a", "s1", "fallback"), FakeHit("a", "s2", "translated"), FakeHit("b", "lead", "partial"),
            FakeHit("c", "lead", "fallback")]  # the fourth is past the first screen
    assert record_demand(hits, "ar", tmp_path) == 2
    assert record_demand(hits, "ar", tmp_path) == 2
    assert record_demand(hits, None, tmp_path) == 0  # no locale asked for: nothing to learn
    assert record_demand([FakeHit("a", "s1", "source")], "en", tmp_path) == 0
    assert section_demand(tmp_path, "ar") == {("a", "s1"): 2, ("b", "lead"): 2}
    data = json.loads(demand_path(tmp_path).read_text(encoding="utf-8"))
    assert data == {"version": 1, "locales": {"ar": {"a#s1": 2, "b#lead": 2}}}  # counts, nothing else


def test_a_damaged_demand_file_counts_from_zero(tmp_path):
    demand_path(tmp_path).write_text("{not json", encoding="utf-8")
    assert section_demand(tmp_path, "ar") == {}
    assert record_demand([FakeHit("a", "s", "fallback")], "ar", tmp_path) == 1
    assert section_demand(tmp_path, "ar") == {("a", "s"): 1}


def test_by_demand_puts_the_sections_readers_looked_for_first(seeded):
    waiting_work(seeded)
    record_demand([FakeHit("interventional-radiologist", "what-does-an-interventional-radiologist-do",
                           "partial")], "ar", Path("index"))
    record_demand([FakeHit("kidney-stones", "prevention", "fallback")], "ar", Path("index"))
    record_demand([FakeHit("kidney-stones", "prevention", "fallback")], "ar", Path("index"))
    lines = run("catalog", "todo", "--locale", "ar", "--by-demand").splitlines()
    # The most wanted section first (even before a fuzzy message), then the next, then the rest.
    assert [line.split(": ", 2)[1] for line in lines[:4]] == [
        "untranslated, 5 words, searched 2×", "untranslated, 2 words, searched 2×",
        "fuzzy, 36 words, searched 1×", "untranslated, 9 words, searched 1×"]
    plain = run("catalog", "todo", "--locale", "ar").splitlines()
    assert len(lines) == len(plain) and plain[0].split(": ", 2)[1] == "fuzzy, 36 words"


def test_a_search_in_arabic_counts_the_sections_shown_untranslated(seeded):
    waiting_work(seeded)
    run("ingest")
    run("search", "drink water through the day", "--lang", "ar")
    run("search", "drink water through the day")  # no locale asked for: nothing counted
    assert section_demand(Path("index"), "ar") == {("kidney-stones", "prevention"): 1}
    assert "drink" not in demand_path(Path("index")).read_text(encoding="utf-8")  # no query text kept
    lines = run("catalog", "todo", "--locale", "ar", "--by-demand").splitlines()
    assert lines[0].endswith("untranslated, 5 words, searched 1×: “Drink water through the day.”")
