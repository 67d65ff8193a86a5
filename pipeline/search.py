"""Search: turn what a reader typed into a best-match query, run it, and shape the hits."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from whoosh import query as Q

from .analysis import analyze, text_analyzer
from .index import document_key, open_index
from .localize import FALLBACK, SOURCE
from .snippet import make_snippet

# Where a word is found matters: a title or heading match says more than one in the body.
FIELD_WEIGHTS = {"title": 2.0, "heading": 2.5, "body": 1.0}
_PHRASE = re.compile(r'["“”„«»]([^"“”„«»]+)["“”„«»]')


@dataclass(frozen=True)
class Hit:
    """One section that matched, shown in one locale.

    rank: 1-based position in the results.
    article, section, locale: the index key's parts.
    status: `source` (the original), `translated`, `partial` (some paragraphs show the source
        text) or `fallback` (no version in the reader's locale: shown in its source locale).
    title, heading: the article title and section heading in that locale.
    snippet: the best-matching part of the section's text; highlights: (start, end) of matches in it.
    score: the ranking score (higher is better; comparable within one query only).
    path, line: where the section is in the sources.
    """

    rank: int
    article: str
    section: str
    locale: str
    status: str
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
                "locale": self.locale, "status": self.status, "title": self.title, "heading": self.heading,
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


def search(index_dir: Path, text: str, lang: str | None = None, limit: int = 10) -> SearchResult:
    """Find the sections that best answer text, at most one hit per section.

    Every locale is searched, so a section is found through any of its versions. With lang, each
    hit is shown in that locale when the section has a version there, else in its source locale
    with status `fallback`; without it, in the version that matched best.
    """
    parsed = parse_query(text)
    if not parsed.terms:
        return SearchResult(text, 0, None, ())
    ix = open_index(index_dir)
    analyzer = text_analyzer()
    terms = frozenset(parsed.terms)
    lang = lang.strip().replace("-", "_") if lang else None
    with ix.searcher() as searcher:
        # A section has at most one document per locale, so this many documents hold `limit` sections.
        locales = sorted(searcher.reader().field_terms("locale"))
        results = searcher.search(build_query(parsed), limit=limit * max(1, len(locales)))
        hits: list[Hit] = []
        seen: set[str] = set()
        for hit in results:
            group = f"{hit['article']}#{hit['section']}"
            if group in seen or len(hits) == limit:
                continue
            seen.add(group)
            fields, status = hit.fields(), hit["status"]
            if lang:
                fields, status = _version_for(searcher, fields, lang, locales)
            snippet = make_snippet(fields["body"] or fields["heading"], terms, analyzer)
            hits.append(Hit(rank=len(hits) + 1, article=fields["article"], section=fields["section"],
                            locale=fields["locale"], status=status, title=fields["title"],
                            heading=fields["heading"], snippet=snippet.text, highlights=snippet.spans,
                            score=hit.score, path=fields["path"], line=fields["line"]))
        total = _count_sections(searcher, results) if len(locales) > 1 else len(results)
    return SearchResult(text, total, None, tuple(hits))


def _version_for(searcher, fields: dict, lang: str, locales: list[str]) -> tuple[dict, str]:
    """The version of a section a reader of lang sees, and its status.

    Preference: the exact locale (`ar_EG`), its language (`ar`), another region of it (`ar_SA`),
    else the source version, shown as a fallback. Untranslated text is never labelled as lang.
    locales: every locale in the index, sorted.
    """
    language = lang.split("_")[0]
    wanted = [lang, language] + [locale for locale in locales if locale.split("_")[0] == language]
    for locale in dict.fromkeys(wanted):
        if locale == fields["locale"]:
            return fields, fields["status"]
        number = searcher.document_number(key=document_key(fields["article"], fields["section"], locale))
        if number is not None:
            version = searcher.stored_fields(number)
            return version, version["status"]
    if fields["status"] != SOURCE:
        fields = next(iter(searcher.documents(article=fields["article"], section=fields["section"],
                                              status=SOURCE)), fields)
    return fields, FALLBACK


def _count_sections(searcher, results) -> int:
    """How many distinct sections the matching documents belong to."""
    groups = searcher.reader().column_reader("group")
    return len({groups[docnum] for docnum in results.docs()})
