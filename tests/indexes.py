"""Small indexes for the reader's tests, built under tmp_path from sources the tests write."""

from __future__ import annotations

import shutil
from pathlib import Path

from pipeline.config import Config
from pipeline.engine import SectionDocument
from pipeline.engine.whoosh import WhooshEngine
from pipeline.ingest import ingest

from .conftest import LOCALES, SOURCES

# Text a hostile editor or translator could put in an article; the page must show it, never run it.
HOSTILE_TITLE = '<img src=x onerror="alert(1)"> Hostile kidney page'
HOSTILE_HEADING = '"><svg onload=alert(2)> Kidney heading'
HOSTILE_BODY = ("Kidney stones <script>alert(document.cookie)</script> and "
                "<a href=\"javascript:alert(4)\">click</a> onerror=alert(5) {{ 7*7 }} %(num)s.")
HOSTILE_SOURCE = f"""{HOSTILE_TITLE}

{HOSTILE_BODY}

{HOSTILE_HEADING}

<iframe srcdoc="<script>alert(6)</script>"></iframe> More about kidney stones here.
"""


def build_index(root: Path, extra: dict[str, str] | None = None, bundled: bool = True,
                translated: bool = False) -> Path:
    """Ingest the bundled sources (when bundled) plus extra {relative path: text} into root/index.

    translated: also copy the bundled catalogues, so the Arabic translations are indexed.
    """
    sources = root / "sources"
    if bundled:
        shutil.copytree(SOURCES, sources)
    if translated:
        shutil.copytree(LOCALES, root / "locales")
    for name, text in (extra or {}).items():
        path = sources / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    report = ingest(Config(sources=sources, locales=root / "locales", index=root / "index"))
    assert not report.failed, report.failed
    return root / "index"


def build_translated_index(root: Path, documents: list[dict]) -> Path:
    """Write documents straight into an index, with their `status` and `fallbacks` as given.

    This is the shape catalogue-aware ingests write; each document needs article, section, locale,
    title, heading, body and position, and may have status and fallbacks.
    """
    folder = root / "index"
    with WhooshEngine(folder).writer() as writer:
        for article in dict.fromkeys(document["article"] for document in documents):
            writer.replace(article, [_document(d) for d in documents if d["article"] == article])
    return folder


def _document(fields: dict) -> SectionDocument:
    return SectionDocument(fields["article"], fields["section"], fields["locale"], fields.get("status", "source"),
                           tuple(fields.get("fallbacks", ())), "x", fields["title"], fields["heading"],
                           fields["body"], fields["position"], f"sources/{fields['article']}.txt", 1)


def engine(index: Path) -> WhooshEngine:
    """The embedded engine of an index folder."""
    return WhooshEngine(index)
