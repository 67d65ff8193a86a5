"""The TICO-19 benchmark's mechanics, on a tiny file shaped like the corpus (the corpus is not needed)."""

from __future__ import annotations

from benchmarks.tico19 import failures, main, run

from .conftest import FIXTURES


def test_pages_are_translated_indexed_and_found_in_arabic(tmp_path):
    figures = run(FIXTURES / "tico19", tmp_path, page_size=2, words=3)
    assert (figures["documents"], figures["pages"], figures["sentence pairs"]) == (2, 4, 6)
    assert (tmp_path / "locales/ar/LC_MESSAGES/tico19/handwashing/part-02.po").exists()
    assert figures["filled, not found"] == (6, 0)
    assert figures["ingest, English only"]["sections indexed"] == {"en": 4}
    assert figures["ingest after translating"]["sections indexed"] == {"ar": 4, "en": 4}
    assert figures["ingest, nothing changed"]["unchanged"] == 4
    assert figures["catalog stats ar"]["messages"]["translated_percent"] == 100.0
    arabic = figures["Arabic key words, --lang ar"]
    assert arabic["queries"] == 6 and arabic["hit@10"] == 1.0
    assert arabic["expected page shown as"] == {"ar/translated": 6}
    assert failures(figures) == []


def test_main_prints_the_figures_and_exits_0(tmp_path, capsys):
    assert main([str(FIXTURES / "tico19"), "--work", str(tmp_path), "--page-size", "3"]) == 0
    assert '"hit@1"' in capsys.readouterr().out
