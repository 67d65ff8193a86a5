"""The reader's web app: a search page, article pages and a JSON search API over the index.

Everything is rendered on the server with autoescaping templates; the page runs no script, so a
Content-Security-Policy without any script source is sent with every answer. Nothing in a URL is
ever used as a file path: article ids are looked up in the index, and the one stylesheet is held
in memory.
"""

from __future__ import annotations

import hashlib
import json
import logging
import math
import re
import threading
import unicodedata
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path

from flask import Flask, Response, abort, render_template, request, url_for
from jinja2 import pass_context
from markupsafe import Markup, escape
from werkzeug.exceptions import HTTPException
from whoosh.index import EmptyIndexError

from ..engine.whoosh.index import open_index
from ..errors import IndexingError
from ..locale_tags import same_language
from ..search import Hit, SearchResult, open_searcher, prepare, search_with
from ..search.article import ShownArticle, article_from, locales_from
from .i18n import Language, negotiate, translations, ui_locales

log = logging.getLogger(__name__)

PER_PAGE = 10
MAX_PAGES = 20  # deeper than this nobody reads; it also bounds the work one request can ask for
MAX_QUERY = 200  # characters; a longer query is cut (page) or refused (API)
MAX_LIMIT = 1000  # as `pipeline search --limit`
MAX_ARTICLE_ID = 512
HERE = Path(__file__).resolve().parent

SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'none'; style-src 'self'; img-src 'self' data:; "
                               "form-action 'self'; base-uri 'none'; frame-ancestors 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
}
_LOCALE_TAG = re.compile(r"[A-Za-z]{2,3}(?:[_-][A-Za-z0-9]{2,8})*")


class ReaderIndex:
    """The index as the web app reads it: one searcher per server thread, answers cached per generation.

    Every ingest commit makes a new index generation; the cache is keyed by it, so a reader never
    gets an answer from an older index than the one on disk.
    """

    def __init__(self, index_dir: Path, cache_size: int = 1024):
        self.index_dir = index_dir
        self._ix = open_index(index_dir)  # fail at start, not on the first reader's request
        try:
            with open_searcher(self._ix) as searcher:
                prepare(searcher)  # nor make the first reader's query wait for it
        except (OSError, EOFError, EmptyIndexError) as error:
            raise IndexingError(f"cannot read the index at {index_dir}: {error}") from None
        self._local = threading.local()
        self._search = lru_cache(maxsize=cache_size)(self._search_generation)
        self._locales = lru_cache(maxsize=4)(self._locales_generation)
        self._article = lru_cache(maxsize=cache_size)(self._article_generation)

    def generation(self) -> int:
        """The index's current generation; IndexingError when it has gone."""
        generation = self._ix.latest_generation()
        if generation < 0:
            raise IndexingError(f"no index at {self.index_dir}; run `pipeline ingest` first")
        return generation

    def search(self, text: str, lang: str | None, limit: int) -> SearchResult:
        """Search, answering a repeated query from the cache."""
        return self._search(self.generation(), text, lang, limit)

    def locales(self) -> tuple[str, ...]:
        """The locales the index holds documents in."""
        return self._locales(self.generation())

    def article(self, article_id: str, locale: str) -> ShownArticle | None:
        """An article as a reader of locale sees it, or None."""
        return self._article(self.generation(), article_id, locale)

    def _searcher(self):
        """This thread's searcher, moved to the latest generation (opening one costs milliseconds)."""
        searcher = getattr(self._local, "searcher", None)
        try:
            if searcher is None:
                searcher = open_searcher(self._ix)
            elif not searcher.up_to_date():
                searcher = searcher.refresh()
        except (OSError, EOFError, EmptyIndexError) as error:
            raise IndexingError(f"cannot read the index at {self.index_dir}: {error}") from None
        self._local.searcher = searcher
        return searcher

    def _search_generation(self, generation: int, text: str, lang: str | None, limit: int) -> SearchResult:
        return search_with(self._searcher(), text, lang=lang, limit=limit)

    def _locales_generation(self, generation: int) -> tuple[str, ...]:
        return locales_from(self._searcher())

    def _article_generation(self, generation: int, article_id: str, locale: str) -> ShownArticle | None:
        return article_from(self._searcher(), article_id, locale)


@dataclass(frozen=True)
class Query:
    """What the reader typed, made safe to search and show.

    text: the query with control characters removed, at most MAX_QUERY characters.
    cut: True when the typed query was longer and has been shortened.
    """

    text: str
    cut: bool = False

    @classmethod
    def read(cls, typed: str) -> "Query":
        """Clean a typed query: control characters become spaces, the ends are trimmed."""
        text = "".join(" " if unicodedata.category(c) in ("Cc", "Cs") else c for c in typed).strip()
        if len(text) > MAX_QUERY:
            return cls(text[:MAX_QUERY].rstrip(), True)
        return cls(text)


def create_app(index_dir: Path, cache_size: int = 1024) -> Flask:
    """The reader's Flask app over the index at index_dir (raises IndexingError if there is none)."""
    app = Flask(__name__, static_folder=None, template_folder=str(HERE / "templates"))
    app.jinja_options = {"trim_blocks": True, "lstrip_blocks": True}
    app.config.update(MAX_CONTENT_LENGTH=64 * 1024, JSON_AS_ASCII=False)
    index = ReaderIndex(Path(index_dir), cache_size)
    app.extensions["reader_index"] = index
    css = (HERE / "static" / "reader.css").read_bytes()
    css_version = hashlib.sha256(css).hexdigest()[:12]
    _install_gettext(app)

    page_locales = ui_locales()

    def site_locales() -> tuple[str, ...]:
        """The page's languages, then any other language the index holds articles in."""
        return tuple(dict.fromkeys(page_locales + index.locales()))

    def language_of_request() -> Language:
        return Language.of(_negotiated(site_locales()))

    def render(template: str, language: Language, status: int = 200, **context) -> Response:
        response = app.make_response((render_template(
            template, language=language, language_of=Language.of, translations=translations(language.code),
            stylesheet=url_for("stylesheet", v=css_version), **context), status))
        response.headers["Content-Language"] = language.code.replace("_", "-")
        response.vary.add("Accept-Language")
        return response

    @app.get("/")
    def search_page():
        """The search page: a query box, and the hits for ?q= in the reader's language."""
        language = language_of_request()
        query = Query.read(request.args.get("q", ""))
        page = _whole_number(request.args.get("page"), default=1, low=1, high=MAX_PAGES)
        result, hits, pages = None, (), 0
        if query.text:
            result = index.search(query.text, language.code, page * PER_PAGE)
            if not result.hits:
                # Whoosh counts every match when a locale filter matches no document at all.
                result = replace(result, total=0)
            pages = min(MAX_PAGES, math.ceil(result.total / PER_PAGE))
            page = min(page, max(pages, 1))
            hits = tuple(_shown_hit(hit, language)
                         for hit in result.hits[(page - 1) * PER_PAGE:page * PER_PAGE])
        switch = [(other, url_for("search_page", q=query.text or None, lang=other.code))
                  for other in map(Language.of, site_locales())]
        return render("search.html", language, query=query, result=result, hits=hits, page_number=page,
                      pages=pages, switch=switch, page_url=lambda n: url_for(
                          "search_page", q=query.text, lang=language.code, page=n if n > 1 else None))

    @app.get("/articles/<path:article_id>")
    def article_page(article_id: str):
        """One article in the reader's language, its untranslated paragraphs marked."""
        language = language_of_request()
        if len(article_id) > MAX_ARTICLE_ID:
            abort(404)
        article = index.article(article_id, language.code)
        if article is None:
            abort(404)
        switch = [(other, url_for("article_page", article_id=article_id, lang=other.code))
                  for other in map(Language.of, site_locales())]
        versions = [(other, url, _version_status(article, other.code)) for other, url in switch]
        return render("article.html", language, article=article, switch=switch, versions=versions,
                      source=Language.of(article.source_locale), query=Query(""))

    @app.get("/api/search")
    def api_search():
        """Search as JSON, with the schema of `pipeline search --json`."""
        text = request.args.get("q", "")
        lang = request.args.get("lang") or None
        if len(text) > MAX_QUERY:
            return _json_error(400, f"q is longer than {MAX_QUERY} characters")
        if lang is not None and not _LOCALE_TAG.fullmatch(lang):
            return _json_error(400, "lang must be a locale such as en or ar")
        try:
            limit = int(request.args.get("limit", "10"))
        except ValueError:
            return _json_error(400, "limit must be a whole number")
        if not 1 <= limit <= MAX_LIMIT:
            return _json_error(400, f"limit must be between 1 and {MAX_LIMIT}")
        lang = lang.replace("-", "_") if lang else None
        result = index.search(text, lang, limit)
        return Response(json.dumps(result.as_json(), ensure_ascii=False, sort_keys=True),
                        mimetype="application/json")

    @app.get("/static/reader.css")
    def stylesheet():
        """The one stylesheet, served from memory; its URL carries its hash, so it can be cached."""
        response = Response(css, mimetype="text/css")
        response.headers["Cache-Control"] = "public, max-age=31536000, immutable"
        return response

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        if request.path.startswith("/api/"):
            return _json_error(error.code or 500, error.description or error.name)
        return render("error.html", Language.of(_negotiated(page_locales)), error.code or 500,
                      code=error.code or 500, switch=[], query=Query(""))

    @app.errorhandler(IndexingError)
    def index_unavailable(error: IndexingError):
        log.error("index unavailable: %s", error)
        if request.path.startswith("/api/"):
            return _json_error(503, "the index is unavailable; try again shortly")
        return render("error.html", Language.of(_negotiated(page_locales)), 503, code=503, switch=[],
                      query=Query(""))

    @app.after_request
    def secure(response: Response) -> Response:
        response.headers.update(SECURITY_HEADERS)
        return response

    return app


def _install_gettext(app: Flask) -> None:
    """Give templates gettext/ngettext that read the page's translations; catalogue text is escaped."""

    @pass_context
    def gettext(context, message: str) -> Markup:
        return escape(context["translations"].gettext(message))

    @pass_context
    def ngettext(context, singular: str, plural: str, n: int) -> Markup:
        return escape(context["translations"].ngettext(singular, plural, n))

    app.jinja_env.add_extension("jinja2.ext.i18n")
    app.jinja_env.install_gettext_callables(gettext, ngettext, newstyle=True)


@dataclass(frozen=True)
class ShownHit:
    """A hit as the search page shows it.

    hit: the search hit.
    language: the language its text is in.
    parts: the snippet cut into (text, highlighted) pieces.
    url: the article page, at the hit's section, in the reader's language.
    other_language: True when the hit is not shown in the reader's language (not translated yet).
    """

    hit: Hit
    language: Language
    parts: tuple[tuple[str, bool], ...]
    url: str
    other_language: bool


def _shown_hit(hit: Hit, reader: Language) -> ShownHit:
    """Prepare one hit for the page."""
    status = getattr(hit, "status", "source")
    url = url_for("article_page", article_id=hit.article, lang=reader.code, _anchor=hit.section)
    return ShownHit(hit, Language.of(hit.locale), _highlighted(hit.snippet, hit.highlights), url,
                    status == "fallback" or not same_language(hit.locale, reader.code))


def _highlighted(text: str, spans) -> tuple[tuple[str, bool], ...]:
    """Cut text into (piece, highlighted) pairs; spans out of order or out of range are skipped."""
    parts, last = [], 0
    for start, end in spans:
        if start < last or end <= start or end > len(text):
            continue
        parts += [(text[last:start], False), (text[start:end], True)]
        last = end
    parts.append((text[last:], False))
    return tuple((piece, marked) for piece, marked in parts if piece)


def _version_status(article, locale: str) -> str:
    """How complete the article is in locale: `source`, `translated` or `untranslated`."""
    if same_language(locale, article.source_locale):
        return "source"
    return "translated" if any(same_language(locale, name) for name in article.locales) else "untranslated"


def _whole_number(text: str | None, default: int, low: int, high: int) -> int:
    """A whole number from a query string, kept within [low, high]; anything else gives default."""
    if not text or not text.isascii() or not text.isdigit() or len(text) > 9:
        return default
    return max(low, min(high, int(text)))


def _json_error(status: int, message: str) -> Response:
    return Response(json.dumps({"error": message}, ensure_ascii=False, sort_keys=True), status=status,
                    mimetype="application/json")


def _negotiated(available: tuple[str, ...]) -> str:
    """The request's language: ?lang= if available, else the best of Accept-Language, else English."""
    asked = request.args.get("lang", "")
    accepted = [value for value, _ in request.accept_languages]
    return negotiate(asked if _LOCALE_TAG.fullmatch(asked) else None, accepted, available)
