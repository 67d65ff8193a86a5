"""What the OpenSearch engine's tests share: documents from the fixtures, and the embedded engine's
ranking of the same documents to compare with."""

from __future__ import annotations

import json
from pathlib import Path

from pipeline.engine import Query, SectionDocument

from .conftest import FIXTURES


def corpus_documents() -> list[SectionDocument]:
    """Every section of the relevance and TICO-19 fixtures as a document (English and Arabic)."""
    documents = []
    for name in ("medquad-en.jsonl", "arabic-qa-ar.jsonl"):
        for line in (FIXTURES / "relevance" / name).read_text(encoding="utf-8").splitlines():
            article = json.loads(line)
            for position, section in enumerate(article["sections"]):
                documents.append(SectionDocument(
                    article=article["id"], section=section["id"], locale=article["lang"], status="source",
                    fallbacks=(), content_hash=f"hash-{article['id']}", title=article["title"],
                    heading=section["heading"], body=section["text"], position=position,
                    path=f"sources/{article['id']}.md", line=position + 1))
    for number, line in enumerate((FIXTURES / "tico19" / "parallel-tico19-en-ar.jsonl").read_text(
            encoding="utf-8").splitlines()):
        pair = json.loads(line)
        for locale, status in (("en", "source"), ("ar", "translated")):
            documents.append(SectionDocument(
                article=f"tico-{number}", section="lead", locale=locale, status=status, fallbacks=(),
                content_hash=f"hash-tico-{number}", title="", heading="", body=pair[locale], position=0,
                path=f"sources/tico-{number}.txt", line=1))
    return documents


def bundled_documents() -> list[SectionDocument]:
    """The repository's own articles (sources/), in English and in their Arabic translations."""
    from pipeline.catalogue.folder import catalogue_path
    from pipeline.catalogue.localize import localize, source_version
    from pipeline.catalogue.pofile import read_catalogue
    from pipeline.model import FALLBACK
    from pipeline.sources import discover, load_article

    root = Path(__file__).resolve().parents[1]
    documents = []
    for found in discover(root / "sources"):
        article = load_article(found, root / "sources")
        versions = [source_version(article)]
        path = catalogue_path(root / "locales", "ar", article.id)
        if path.exists():
            versions.append(localize(article, "ar", read_catalogue(path)))
        for version in versions:
            for position, localized in enumerate(version.sections):
                if localized.status == FALLBACK:
                    continue
                section = localized.section
                documents.append(SectionDocument(
                    article.id, section.id, version.locale, localized.status, tuple(localized.fallbacks),
                    "bundled", version.title, section.heading, section.text, position, article.path, section.line))
    return documents


class EmbeddedRanking:
    """The embedded engine holding the same documents, to compare the cluster's plans and ranking with."""

    def __init__(self, documents: list[SectionDocument], folder: Path):
        from pipeline.engine.whoosh import WhooshEngine

        self.engine = WhooshEngine(folder)
        with self.engine.writer() as writer:
            for article in dict.fromkeys(d.article for d in documents):
                writer.replace(article, [d for d in documents if d.article == article])
        self.reader = self.engine.reader()

    def query(self, text: str) -> Query:
        """The plan of text against the embedded index."""
        from pipeline.search.plan import plan

        return plan(text, self.reader).query

    def top(self, query: Query, count: int) -> list[tuple[float, str]]:
        """(score, key) of the max(count, query.depth) best documents, bonuses added."""
        ranked, _ = self.reader.top(query, count)
        return [(score, self.reader.document(reference).key) for score, reference in ranked]

    def total(self, query: Query) -> int:
        return self.reader.top(query, 1)[1]

    def close(self) -> None:
        self.reader.close()
