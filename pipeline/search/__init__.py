"""Search: turn what a reader typed into a best-match query, run it, and shape the hits."""

from __future__ import annotations

from dataclasses import dataclass

from ..analysis import matching_spans
from ..engine import Engine, Reader, SectionDocument
from ..locale_tags import language, same_language, underscored
from ..model import FALLBACK, SOURCE
from .names import name_starts
from .plan import SHOWN, Expansion, plan
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
    aliases: the article's other names in that locale ("Also called").
    matched: how the section was found besides the words typed, when it was: a synonym, an
        everyday word's medical name, another name of the article, a spelling correction or a
        compound, each as `typed → found` (`nephrolithiasis → kidney stones`).
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
    aliases: tuple[str, ...] = ()
    matched: tuple[str, ...] = ()

    def as_json(self) -> dict:
        """The hit as the JSON object `pipeline search --json` prints."""
        return {"rank": self.rank, "article": self.article, "section": self.section,
                "locale": self.locale, "status": self.status, "title": self.title, "heading": self.heading,
                "aliases": list(self.aliases), "matched": list(self.matched),
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


def search(engine: Engine, text: str, lang: str | None = None, limit: int = 10) -> SearchResult:
    """Search an engine's index once (see search_with); to run many queries, keep a reader."""
    with engine.reader() as reader:
        return search_with(reader, text, lang, limit)


def prepare(reader: Reader) -> None:
    """Read what queries need once per version of the index (the vocabulary for spelling
    corrections, the Arabic root families, the articles' names, and what the engine reads for
    every query), so that no reader's query waits for it."""
    reader.prepare()
    vocabulary(reader)
    arabic_roots(reader)
    name_starts(reader)


def search_with(reader: Reader, text: str, lang: str | None = None, limit: int = 10) -> SearchResult:
    """Find the sections that best answer text, at most one hit per section.

    Every locale is searched, so a section is found through any of its versions. With lang, each
    hit is shown in that locale when the section has a version there, else in its source locale
    with status `fallback`; without it, in the version that matched best.
    """
    planned = plan(text, reader)
    if not planned.parsed.terms:
        return SearchResult(text, 0, None, ())
    lang = underscored(lang) if lang else None
    # A section has at most one document per locale, so this many documents hold `limit` sections.
    locales = reader.locales()
    ranked, total = reader.top(planned.query, limit * max(1, len(locales)))
    shown = tuple(expansion for expansion in planned.expansions if expansion.kind in SHOWN)
    hits: list[Hit] = []
    seen: set[tuple[str, str]] = set()
    for score, reference in ranked:
        document = reader.document(reference)
        if (document.article, document.section) in seen:
            continue
        seen.add((document.article, document.section))
        status = document.status
        if lang:
            document, status = _version_for(reader, document, lang, locales)
        snippet = make_snippet(document.body or document.heading, planned.highlight)
        hits.append(Hit(rank=len(hits) + 1, article=document.article, section=document.section,
                        locale=document.locale, status=status, title=document.title, heading=document.heading,
                        snippet=snippet.text, highlights=snippet.spans, score=score, path=document.path,
                        line=document.line, aliases=document.other_names,
                        matched=matched(document, snippet.terms, shown)))
        if len(hits) == limit:
            break
    return SearchResult(text, total, planned.suggestion, tuple(hits))


def matched(document: SectionDocument, found: frozenset[str], expansions: tuple[Expansion, ...]) -> tuple[str, ...]:
    """How a section shown was found besides the words typed: the expansions whose terms it holds
    (found: the terms its snippet's text holds; its title, heading and other names are read too)."""
    if not expansions:
        return ()
    wanted = frozenset(term for expansion in expansions for term in expansion.terms)
    names = "\n".join((document.title, document.heading, *document.other_names))
    found = found | {term for _, _, term in matching_spans(names, wanted)}
    return tuple(dict.fromkeys(expansion.explanation for expansion in expansions
                               if found.issuperset(expansion.terms)))


def _version_for(reader: Reader, document: SectionDocument, lang: str,
                 locales: tuple[str, ...]) -> tuple[SectionDocument, str]:
    """The version of a section a reader of lang sees, and its status.

    Preference: the exact locale (`ar_EG`), its language (`ar`), another region of it (`ar_SA`),
    else the source version, shown as a fallback. Untranslated text is never labelled as lang.
    locales: every locale in the index, sorted.
    """
    wanted = [lang, language(lang)] + [locale for locale in locales if same_language(locale, lang)]
    for locale in dict.fromkeys(wanted):
        if locale == document.locale:
            return document, document.status
        version = reader.find(document.article, document.section, locale)
        if version is not None:
            return version, version.status
    if document.status != SOURCE:
        document = next((version for version in reader.documents(document.article)
                         if version.section == document.section and version.status == SOURCE), document)
    return document, FALLBACK
