"""The pathological-shapes benchmark, on articles of a few kilobytes: it runs, and writes what it says."""

from __future__ import annotations

import io
import json

import pytest

from benchmarks.pathological import FORMATS, SHAPES, STEPS, normal_units, run, write_article
from pipeline.parsers import PARSERS

from .conftest import SOURCES


@pytest.mark.slow
def test_every_shape_in_every_format_gets_every_step_timed(tmp_path):
    out = io.StringIO()
    rows = run(tmp_path / "work", SOURCES / "kidney-stones.html", [0.004], list(SHAPES), list(FORMATS),
               budget=300, out=out)
    assert [(row["shape"], row["format"]) for row in rows] == [(s, f) for s in SHAPES for f in FORMATS]
    for row in rows:
        assert row["mb"] <= 0.004 and not row["over_budget"], row
        assert all(row["steps"][step] >= 0 for step in STEPS), row
    text = out.getvalue()
    assert "baseline, read + parse of a normal HTML article" in text
    assert text.count("\nentity    txt ") == 2  # seconds per MB, then times the baseline
    json.dumps(rows)


def test_the_shapes_are_what_they_say(tmp_path):
    normal = normal_units(SOURCES / "kidney-stones.html")
    documents = {}
    for shape in SHAPES:
        for form, suffix in (("html", ".html"), ("md", ".md"), ("txt", ".txt")):
            path = tmp_path / f"{shape}{suffix}"
            write_article(path, shape, form, 20_000, normal)
            assert 19_000 < path.stat().st_size <= 20_000
            text = path.read_text(encoding="utf-8")
            documents[shape, form] = (text, PARSERS[suffix](text, str(path)))
    for form in ("html", "md", "txt"):
        paragraphs = {key: [p.text for s in doc.sections for p in s.paragraphs]
                      for key, (_, doc) in documents.items() if key[1] == form}
        assert set(paragraphs["repeated", form]) == {"Back to top."} and len(paragraphs["repeated", form]) > 900
        assert len(set(paragraphs["tiny", form])) > 1000 or len(documents["tiny", form][1].sections) > 1000
        assert len(paragraphs["huge", form]) == 1
        assert len(documents["headings", form][1].sections) > 500
        assert {s.heading for s in documents["headings", form][1].sections} == {"Causes"}
    assert documents["entity", "html"][0].count("<p>&#107;x") > 400
    assert documents["entity", "md"][0].count("\n&#107;x") > 400
    assert all(p.text.startswith("kx") for s in documents["entity", "html"][1].sections for p in s.paragraphs)
