"""Search: turn what a reader typed into a best-match query, run it, and shape the hits."""

from __future__ import annotations

import gc
from array import array
from collections import Counter
from collections.abc import Set
from dataclasses import dataclass
from pathlib import Path

from ..engine.whoosh.index import document_key, open_index
from ..engine.whoosh.scorer import column_numbers, term_scores
from ..engine.whoosh.versions import per_version
from ..engine.whoosh.weighting import arabic_documents, weighting
from ..model import FALLBACK, SOURCE
from .plan import RANKING, plan
from .roots import arabic_roots
from .snippet import make_snippet
from .suggest import vocabulary


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


def search(index_dir: Path, text: str, lang: str | None = None, limit: int = 10) -> SearchResult:
    """Search the index in index_dir once (see search_with); to run many queries, keep a searcher."""
    with open_searcher(open_index(index_dir)) as searcher:
        return search_with(searcher, text, lang, limit)


def open_searcher(ix):
    """A Whoosh searcher for ix that ranks as search_with expects; reusable for many queries."""
    return ix.searcher(weighting=weighting(RANKING))


def prepare(searcher) -> None:
    """Read what queries need once per version of the index (the vocabulary for spelling
    corrections, which segments hold each term, the Arabic root families, each document's section
    and the locales), so that no reader's query waits for it: 0.3 s for the shared corpus.

    For a process that goes on to serve queries: what it holds by then (these tables, the loaded
    modules) is frozen out of the garbage collector's full collections, which would otherwise walk
    it all again every few hundred queries (a 20 ms pause at the shared corpus).
    """
    reader = searcher.reader()
    vocabulary(reader)
    term_scores(searcher).read_vocabulary([name for name, _ in RANKING.fields])
    arabic_roots(reader)
    arabic_documents(reader)
    _groups(reader)
    _locales(reader)
    gc.collect()  # garbage first: frozen, it would never be freed
    gc.freeze()


def search_with(searcher, text: str, lang: str | None = None, limit: int = 10) -> SearchResult:
    """Find the sections that best answer text, at most one hit per section.

    Every locale is searched, so a section is found through any of its versions. With lang, each
    hit is shown in that locale when the section has a version there, else in its source locale
    with status `fallback`; without it, in the version that matched best.
    searcher: from open_searcher (its weighting is part of the ranking).
    """
    planned = plan(text, searcher)
    if not planned.parsed.terms:
        return SearchResult(text, 0, None, ())
    lang = lang.strip().replace("-", "_") if lang else None
    # A section has at most one document per locale, so this many documents hold `limit` sections.
    locales = _locales(searcher.reader())
    depth = limit * max(1, len(locales))
    scorer = term_scores(searcher)
    top, matched = scorer.top(planned.query, max(depth, RESCORE_DEPTH))
    total = _sections(searcher.reader(), matched)
    ranked = scorer.rescore(top, planned.bonuses)
    hits: list[Hit] = []
    seen: set[str] = set()
    for score, docnum in ranked:
        fields = searcher.stored_fields(docnum)
        group = f"{fields['article']}#{fields['section']}"
        if group in seen:
            continue
        seen.add(group)
        status = fields["status"]
        if lang:
            fields, status = _version_for(searcher, fields, lang, locales)
        snippet = make_snippet(fields["body"] or fields["heading"], planned.highlight)
        hits.append(Hit(rank=len(hits) + 1, article=fields["article"], section=fields["section"],
                        locale=fields["locale"], status=status, title=fields["title"],
                        heading=fields["heading"], snippet=snippet.text, highlights=snippet.spans,
                        score=score, path=fields["path"], line=fields["line"]))
        if len(hits) == limit:
            break
    return SearchResult(text, total, planned.suggestion, tuple(hits))


# How many of the best documents the proximity bonuses may reorder (against 50, 30 changes the
# first ten hits of 3 of 229 sampled dev queries, at ranks 8 to 10, and saves 2 ms a query).
RESCORE_DEPTH = 30


def _sections(reader, docnums: Set[int]) -> int:
    """How many sections the documents are versions of (a section counts once in any locale)."""
    groups, shared = _groups(reader)
    # Most sections have one document: only those that share theirs are looked up.
    several = shared & docnums
    return len(docnums) - len(several) + len(set(map(groups.__getitem__, several)))


@per_version()
def _groups(reader) -> tuple[array, frozenset[int]]:
    """The section of every document of a version of the index (its group column, read whole),
    and the documents whose section has another document (in another locale, or deleted)."""
    groups = array("Q")
    for leaf, _ in reader.leaf_readers():
        groups += column_numbers(leaf, "group")
    counts = Counter(groups)
    return groups, frozenset(docnum for docnum, group in enumerate(groups) if counts[group] > 1)


@per_version()
def _locales(reader) -> list[str]:
    """Every locale in a version of the index, sorted."""
    return sorted(reader.field_terms("locale"))


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
