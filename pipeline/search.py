"""Search: turn what a reader typed into a best-match query, run it, and shape the hits."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from whoosh import query as Q

from .analysis import analyze, text_analyzer
from .index import open_index
from .snippet import make_snippet

# Where a word is found matters: a title or heading match says more than one in the body.
FIELD_WEIGHTS = {"title": 2.0, "heading": 2.5, "body": 1.0}
_PHRASE = re.compile(r'["“”„«»]([^"“”„«»]+)["“”„«»]')


@dataclass(frozen=True)
class Hit:
    """One section that matched, shown in one locale.

    rank: 1-based position in the results.
    article, section, locale: the index key's parts.
    title, heading: the article title and section heading in that locale.
    snippet: the best-matching part of the section's text; highlights: (start, end) of matches in it.
    score: the ranking score (higher is better; comparable within one query only).
    path, line: where the section is in the sources.
    """

    rank: int
    article: str
    section: str
    locale: str
    title: str
    heading: str
    snippet: str
    highlights: tuple[tuple[int, int], ...]
    score: float
    path: str
    line: int

    def as_json(self) -> dict:
        """The hit as the JSON object `pipeline search --json` prints."""
        return {"rank": self.rank, "article": self.article, "section": self.section,
                "locale": self.locale, "title": self.title, "heading": self.heading,
                "snippet": self.snippet, "highlights": [list(span) for span in self.highlights],
                "score": round(self.score, 4), "path": self.path, "line": self.line}


@dataclass(frozen=True)
class SearchResult:
    """The answer to one query.

    query: the query as typed.
    total: how many sections matched (before the limit).
    suggestion: a corrected query when this one found little, else None.
    hits: the best hits, best first.
    """

    query: str
    total: int
    suggestion: str | None
    hits: tuple[Hit, ...]

    def as_json(self) -> dict:
        """The result as the JSON object `pipeline search --json` prints."""
        return {"query": self.query, "total": self.total, "suggestion": self.suggestion,
                "hits": [hit.as_json() for hit in self.hits]}


@dataclass(frozen=True)
class ParsedQuery:
    """What a reader typed, understood as plain words plus quoted phrases.

    terms: analysed terms of every word, phrases included, without repeats.
    phrases: analysed terms of each quoted phrase of two or more terms.
    """

    terms: tuple[str, ...]
    phrases: tuple[tuple[str, ...], ...]


def parse_query(text: str) -> ParsedQuery:
    """Read a query as words and "quoted phrases"; no other character has a special meaning."""
    phrases = tuple(terms for terms in (tuple(analyze(m)) for m in _PHRASE.findall(text))
                    if len(terms) > 1)
    terms = tuple(dict.fromkeys(analyze(text)))
    return ParsedQuery(terms, phrases)


def build_query(parsed: ParsedQuery) -> Q.Query:
    """Any word may match (best-match ranking); every quoted phrase must match."""
    words = Q.Or([Q.Term(field, term, boost=weight)
                  for term in parsed.terms for field, weight in FIELD_WEIGHTS.items()])
    if not parsed.phrases:
        return words
    required = [Q.Or([Q.Phrase(field, list(phrase), boost=weight)
                      for field, weight in FIELD_WEIGHTS.items()]) for phrase in parsed.phrases]
    return Q.And(required + [words])


def locale_filter(lang: str) -> Q.Query:
    """Match documents in a locale or any of its regional variants (`ar` matches `ar_EG`)."""
    return Q.Or([Q.Term("locale", lang), Q.Prefix("locale", f"{lang}_")])


def search(index_dir: Path, text: str, lang: str | None = None, limit: int = 10) -> SearchResult:
    """Find the sections that best answer text, at most one hit per section."""
    parsed = parse_query(text)
    if not parsed.terms:
        return SearchResult(text, 0, None, ())
    ix = open_index(index_dir)
    analyzer = text_analyzer()
    terms = frozenset(parsed.terms)
    with ix.searcher() as searcher:
        # A section has at most one document per locale, so this many documents hold `limit` sections.
        locales = max(1, sum(1 for _ in searcher.lexicon("locale")))
        results = searcher.search(build_query(parsed), limit=limit * locales,
                                  filter=locale_filter(lang) if lang else None)
        hits: list[Hit] = []
        seen: set[str] = set()
        for hit in results:
            group = f"{hit['article']}#{hit['section']}"
            if group in seen or len(hits) == limit:
                continue
            seen.add(group)
            snippet = make_snippet(hit["body"] or hit["heading"], terms, analyzer)
            hits.append(Hit(rank=len(hits) + 1, article=hit["article"], section=hit["section"],
                            locale=hit["locale"], title=hit["title"], heading=hit["heading"],
                            snippet=snippet.text, highlights=snippet.spans, score=hit.score,
                            path=hit["path"], line=hit["line"]))
        total = _count_sections(searcher, results) if locales > 1 else len(results)
    return SearchResult(text, total, None, tuple(hits))


def _count_sections(searcher, results) -> int:
    """How many distinct sections the matching documents belong to."""
    groups = searcher.reader().column_reader("group")
    return len({groups[docnum] for docnum in results.docs()})
