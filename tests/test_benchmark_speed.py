"""The speed benchmark's site and baseline, on a tiny corpus shaped like the shared one."""

from __future__ import annotations

import json
import shutil

from benchmarks.speed import build_site, load_queries, sections_of
from pipeline.config import Config
from pipeline.ingest import ingest

from .conftest import FIXTURES, NOW

ARTICLES = {
    "medquad-en.jsonl": {"id": "GHR_1", "lang": "en", "title": "Kidney stones",
                         "sections": [{"id": "GHR_1_Sec1", "heading": "What are kidney stones?",
                                       "text": "Hard deposits.\n\n- in the kidney\n- in the ureter"},
                                      {"id": "GHR_1_Sec2", "heading": "Treatment", "text": "Water."}]},
    "arabic-qa-ar.jsonl": {"id": "aramed-1", "lang": "ar", "title": "",
                           "sections": [{"id": "aramed-1_Sec1", "heading": "", "text": "حصى الكلى شائعة."}]},
}


def test_the_baseline_indexes_exactly_the_documents_the_ingest_writes(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for name, record in ARTICLES.items():
        (corpus / name).write_text(json.dumps(record, ensure_ascii=False) + "\n", encoding="utf-8")
    shutil.copy(FIXTURES / "tico19" / "parallel-tico19-en-ar.jsonl", corpus)
    for copies in (1, 2):
        site = tmp_path / f"site-{copies}"
        pages = build_site(corpus, tmp_path / "work", site, copies)
        assert (site / "locales" / "ar" / "LC_MESSAGES" / "tico19").is_dir()
        assert not (site / "locales" / "templates").exists()  # the ingest makes them
        report = ingest(Config(sources=site / "sources", locales=site / "locales", index=site / "index"), now=NOW)
        assert not report.failed
        rows = sections_of(corpus, copies, pages)
        assert report.sections == len(rows)
        assert report.by_locale["ar"] == copies + sum(1 for key, *_ in rows if key.endswith("@ar"))


def test_the_queries_timed_are_never_the_ones_answered_before(tmp_path):
    for language, count in (("en", 30), ("ar", 20)):
        with open(tmp_path / f"queries-dev-{language}.jsonl", "w", encoding="utf-8") as lines:
            for number in range(count):
                lines.write(json.dumps({"query": f"{language} question {number}"}) + "\n")
    timed, others = load_queries(tmp_path, 10)
    assert len(timed) == 10 and len(others) == 10
    assert not set(timed) & set(others)
    assert any(query.startswith("ar") for query in timed) and any(query.startswith("en") for query in timed)
