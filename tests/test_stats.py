"""`pipeline catalog stats`: figures checked against a count made independently with Babel."""

from __future__ import annotations

import json
from pathlib import Path

from babel.messages.pofile import read_po
from click.testing import CliRunner

from pipeline.cli import cli

SEED = Path("sources/interventional-radiologist.txt")
KIDNEY = Path("sources/kidney-stones.html")


def run(*args: str):
    return CliRunner().invoke(cli, list(args))


def babel_count(path: Path) -> dict:
    """Messages and words per state, counted with nothing but Babel's read_po."""
    with open(path, "rb") as f:
        catalog = read_po(f)
    counts = {kind: dict.fromkeys(("translated", "fuzzy", "untranslated", "obsolete"), 0)
              for kind in ("messages", "words")}
    for message in catalog:
        if not message.id:
            continue
        state = "fuzzy" if message.fuzzy else "translated" if message.string else "untranslated"
        counts["messages"][state] += 1
        counts["words"][state] += len(message.id.split())
    for message in catalog.obsolete.values():
        counts["messages"]["obsolete"] += 1
        counts["words"]["obsolete"] += len(message.id.split())
    return counts


def mixed_states(project: Path) -> None:
    """Edit a paragraph (fuzzy), delete one (obsolete), add one (untranslated), then ingest."""
    text = SEED.read_text(encoding="utf-8")
    text = text.replace("usually followed up", "normally followed up")
    text = text.replace("There are various medical disciplines where patients now commonly benefit from "
                        "precision radiological intervention.\n\n", "")
    SEED.write_text(text + "\n\nAsk your doctor which kind of imaging suits you.\n", encoding="utf-8")
    html = KIDNEY.read_text(encoding="utf-8").replace("<h2>Prevention</h2>", "<h2>Prevention</h2><p>Drink water.</p>")
    KIDNEY.write_text(html, encoding="utf-8")
    result = run("ingest")
    assert result.exit_code == 0, result.output


def test_stats_match_an_independent_babel_count(seeded):
    mixed_states(seeded)
    result = run("catalog", "stats", "--json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    total = {kind: dict.fromkeys(("translated", "fuzzy", "untranslated", "obsolete"), 0)
             for kind in ("messages", "words")}
    paths = sorted(Path("locales/ar/LC_MESSAGES").glob("*.po"))
    assert sorted(report["locales"]["ar"]["articles"]) == [p.stem for p in paths]
    for path in paths:
        expected = babel_count(path)
        figures = report["locales"]["ar"]["articles"][path.stem]
        for kind in ("messages", "words"):
            for state, value in expected[kind].items():
                assert figures[kind][state] == value, (path, kind, state)
                total[kind][state] += value
            active = sum(v for s, v in expected[kind].items() if s != "obsolete")
            assert figures[kind]["total"] == active
            assert figures[kind]["translated_percent"] == round(100 * expected[kind]["translated"] / active, 1)
    for kind in ("messages", "words"):
        for state, value in total[kind].items():
            assert report["total"][kind][state] == value
            assert report["locales"]["ar"]["total"][kind][state] == value
    seed = report["locales"]["ar"]["articles"]["interventional-radiologist"]["messages"]
    assert (seed["translated"], seed["fuzzy"], seed["untranslated"], seed["obsolete"]) == (10, 1, 1, 1)


def test_stats_table(seeded, golden_text):
    mixed_states(seeded)
    result = run("catalog", "stats")
    assert result.exit_code == 0
    golden_text("catalog-stats.txt", result.output)


def test_stats_for_one_locale_and_for_none(seeded):
    run("catalog", "init", "fr")
    report = json.loads(run("catalog", "stats", "--locale", "fr", "--json").output)
    assert list(report["locales"]) == ["fr"]
    assert report["total"]["messages"]["untranslated"] == 53
    assert report["total"]["messages"]["translated_percent"] == 0.0
    both = json.loads(run("catalog", "stats", "--json").output)
    assert both["total"]["messages"]["total"] == 106 and both["total"]["messages"]["translated"] == 53


def test_stats_reports_a_broken_catalogue_and_counts_the_others(seeded):
    po = Path("locales/ar/LC_MESSAGES/fluoroscopy.po")
    po.write_text(po.read_text(encoding="utf-8") + "\ngarbage\n", encoding="utf-8")
    result = run("catalog", "stats", "--json")
    assert result.exit_code == 1
    assert "error: locales/ar/LC_MESSAGES/fluoroscopy.po:" in result.output
    assert "not a PO keyword or a quoted string: “garbage”" in result.output
