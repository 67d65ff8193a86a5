"""What the OpenSearch engine's tests share: documents from the fixtures, and the embedded engine's
ranking of the same documents to compare with."""

from __future__ import annotations

import json
from pathlib import Path

from pipeline.engine import Clause, Proximity, Query, SectionDocument

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


def plan_query(text: str, searcher) -> Query:
    """The engine Query the search plan makes of text (its Whoosh query, taken apart)."""
    from whoosh import query as Q

    from pipeline.search.plan import plan

    planned = plan(text, searcher)

    def clauses(query, factor: float) -> list[Clause]:
        if isinstance(query, Q.Or):
            return [clause for sub in query.subqueries for clause in clauses(sub, factor * query.boost)]
        if isinstance(query, Q.Term):
            return [Clause(query.fieldname, (query.text,), factor * query.boost)]
        if isinstance(query, Q.Phrase):
            return [Clause(query.fieldname, tuple(query.words), factor * query.boost)]
        raise AssertionError(f"unexpected {query!r}")

    bonuses = tuple(Proximity(b.fieldname, b.first, b.second, b.slop, b.weight) for b in planned.bonuses)
    if isinstance(planned.query, Q.And):
        *groups, words = planned.query.subqueries
        return Query(tuple(clauses(words, 1.0)), tuple(tuple(clauses(group, 1.0)) for group in groups), bonuses)
    return Query(tuple(clauses(planned.query, 1.0)), (), bonuses)


class EmbeddedRanking:
    """The embedded engine's ranking of documents, to compare the cluster's with."""

    def __init__(self, documents: list[SectionDocument], folder: Path):
        from whoosh import index as whoosh_index

        from pipeline.engine.whoosh.index import group_number, make_schema
        from pipeline.engine.whoosh.weighting import weighting
        from pipeline.search.plan import RANKING

        folder.mkdir(parents=True, exist_ok=True)
        self.ix = whoosh_index.create_in(str(folder), make_schema(), indexname="compare")
        with self.ix.writer() as writer:
            for d in documents:
                writer.add_document(key=d.key, article=d.article, section=d.section,
                                    group=group_number(d.article, d.section), locale=d.locale, status=d.status,
                                    fallbacks=d.fallbacks, content_hash=d.content_hash, title=d.title,
                                    heading=d.heading, body=d.body, position=d.position, path=d.path, line=d.line)
        self.searcher = self.ix.searcher(weighting=weighting(RANKING))

    def query(self, text: str) -> Query:
        return plan_query(text, self.searcher)

    def top(self, query: Query, count: int) -> list[tuple[float, str]]:
        """(score, key) of the count best documents, bonuses added."""
        from whoosh import query as Q

        from pipeline.engine.whoosh.scorer import TermScores
        from pipeline.search.plan import Proximity as Bonus

        def whoosh(clause: Clause):
            if len(clause.terms) == 1:
                return Q.Term(clause.field, clause.terms[0], boost=clause.weight)
            return Q.Phrase(clause.field, list(clause.terms), boost=clause.weight)

        words = Q.Or([whoosh(clause) for clause in query.should])
        if query.must:
            words = Q.And([Q.Or([whoosh(c) for c in group]) for group in query.must] + [words])
        scorer = TermScores(self.searcher)
        top, _ = scorer.top(words, count)
        ranked = scorer.rescore(top, [Bonus(b.field, b.first, b.second, b.slop, b.weight) for b in query.bonuses])
        return [(score, self.searcher.stored_fields(docnum)["key"]) for score, docnum in ranked]

    def close(self) -> None:
        self.searcher.close()
