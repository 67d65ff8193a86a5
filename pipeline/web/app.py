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
import sys
import threading
import unicodedata
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, fields, is_dataclass
from functools import lru_cache
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from flask import Blueprint, Flask, Response, abort, current_app, render_template, request, url_for
from jinja2 import pass_context
from markupsafe import Markup, escape
from werkzeug.exceptions import HTTPException

from ..catalogue.demand import DemandCounts
from ..engine import Engine, Reader
from ..errors import IndexingError
from ..locale_tags import same_language, underscored
from ..search import Hit, SearchResult, prepare, search_with
from ..search.article import ShownArticle, article_from
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
    """The index as the web app reads it: one reader per server thread, answers cached per version.

    Every ingest commit makes a new version of the index; the caches are keyed by it, so a reader
    never gets an answer from an older index than the latest.
    """

    def __init__(self, engine: Engine, cache_size: int = 1024, cache_bytes: int = 64 * 1024 * 1024):
        self.engine = engine
        try:
            with engine.reader() as reader:  # fail at start, not on the first reader's request
                prepare(reader)  # nor make the first reader's query wait for it
        except (OSError, EOFError) as error:
            raise IndexingError(f"cannot read the index at {engine.location}: {error}",
                                hint="run `pipeline ingest` to rebuild it") from None
        self._local = threading.local()
        # Answers (a search's hits, a whole article) are bounded in bytes as well as in number: a
        # thousand long answers would otherwise hold gigabytes.
        self.answers = AnswerCache(cache_size, cache_bytes)
        self._search = self.answers.keeping(self._search_version)
        self._locales = lru_cache(maxsize=4)(self._locales_version)
        self._article = self.answers.keeping(self._article_version)

    def search(self, text: str, lang: str | None, limit: int) -> SearchResult:
        """Search, answering a repeated query from the cache."""
        return self._search(self._reader().version, text, lang, limit)

    def locales(self) -> tuple[str, ...]:
        """The locales the index holds documents in."""
        return self._locales(self._reader().version)

    def article(self, article_id: str, locale: str) -> ShownArticle | None:
        """An article as a reader of locale sees it, or None."""
        return self._article(self._reader().version, article_id, locale)

    def _reader(self) -> Reader:
        """This thread's reader, moved to the latest version (kept: opening one reads the index's table of contents)."""
        reader = getattr(self._local, "reader", None)
        reader = self.engine.reader() if reader is None else reader.refresh()
        self._local.reader = reader
        return reader

    def _search_version(self, version, text: str, lang: str | None, limit: int) -> SearchResult:
        return search_with(self._reader(), text, lang=lang, limit=limit)

    def _locales_version(self, version) -> tuple[str, ...]:
        return self._reader().locales()

    def _article_version(self, version, article_id: str, locale: str) -> ShownArticle | None:
        return article_from(self._reader(), article_id, locale)


class AnswerCache:
    """Answers kept for repeated requests: at most max_items of them, taking at most max_bytes (as
    sys.getsizeof counts them), the least recently used dropped first. Safe for the server's threads."""

    def __init__(self, max_items: int, max_bytes: int):
        self.max_items, self.max_bytes = max_items, max_bytes
        self.bytes = 0
        self._entries: OrderedDict[tuple, tuple[object, int]] = OrderedDict()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._entries)

    def keeping(self, make: Callable) -> Callable:
        """make, with its answers kept here (keyed by make and its arguments)."""
        def cached(*args):
            key = (make.__name__, *args)
            with self._lock:
                entry = self._entries.get(key)
                if entry is not None:
                    self._entries.move_to_end(key)
                    return entry[0]
            value = make(*args)
            self._keep(key, value)
            return value

        return cached

    def _keep(self, key: tuple, value: object) -> None:
        size = size_of(value)
        if size > self.max_bytes:
            return  # one answer larger than the whole cache is made again when asked again
        with self._lock:
            if key in self._entries:
                return
            self._entries[key] = (value, size)
            self.bytes += size
            while self.bytes > self.max_bytes or len(self._entries) > self.max_items:
                _, (_, dropped) = self._entries.popitem(last=False)
                self.bytes -= dropped


def size_of(value: object) -> int:
    """The bytes an answer takes: sys.getsizeof of it and of everything it holds (strings shared by
    several answers are counted in each)."""
    size, todo = 0, [value]
    while todo:
        item = todo.pop()
        size += sys.getsizeof(item)
        if isinstance(item, (tuple, list, set, frozenset)):
            todo.extend(item)
        elif isinstance(item, dict):
            todo.extend(item.keys())
            todo.extend(item.values())
        elif is_dataclass(item) and not isinstance(item, type):
            todo.extend(getattr(item, field.name) for field in fields(item))
    return size


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


reader = Blueprint("reader", __name__)


def create_app(engine: Engine, cache_size: int = 1024, demand: DemandCounts | None = None,
               cache_bytes: int = 64 * 1024 * 1024) -> Flask:
    """The reader's Flask app over an engine's index (raises IndexingError if there is none).

    demand: where to count the sections readers were shown untranslated (`catalog todo --by-demand`).
    cache_size, cache_bytes: how many answers are kept for repeated requests, and in how many bytes.
    """
    app = Flask(__name__, static_folder=None, template_folder=str(HERE / "templates"))
    app.jinja_options = {"trim_blocks": True, "lstrip_blocks": True}
    app.config.update(MAX_CONTENT_LENGTH=64 * 1024, JSON_AS_ASCII=False)
    app.extensions["reader_index"] = ReaderIndex(engine, cache_size, cache_bytes)
    app.extensions["reader_demand"] = demand
    css = (HERE / "static" / "reader.css").read_bytes()
    app.extensions["reader_css"] = (css, hashlib.sha256(css).hexdigest()[:12])
    _install_gettext(app)
    app.register_blueprint(reader)
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(IndexingError, _index_unavailable)
    app.after_request(_secure)
    return app


def _index() -> ReaderIndex:
    return current_app.extensions["reader_index"]


def _site_locales() -> tuple[str, ...]:
    """The page's languages, then any other language the index holds articles in."""
    return tuple(dict.fromkeys(ui_locales() + _index().locales()))


def _language_of_request() -> Language:
    return Language.of(_negotiated(_site_locales()))


def _render(template: str, language: Language, status: int = 200, **context) -> Response:
    response = current_app.make_response((render_template(
        template, language=language, language_of=Language.of, translations=translations(language.code),
        stylesheet=url_for("reader.stylesheet", v=current_app.extensions["reader_css"][1]), **context), status))
    response.headers["Content-Language"] = language.code.replace("_", "-")
    response.vary.add("Accept-Language")
    return response


@reader.get("/")
def search_page():
    """The search page: a query box, and the hits for ?q= in the reader's language."""
    language = _language_of_request()
    query = Query.read(request.args.get("q", ""))
    page = _whole_number(request.args.get("page"), default=1, low=1, high=MAX_PAGES)
    result, hits, pages = None, (), 0
    if query.text:
        result = _index().search(query.text, language.code, page * PER_PAGE)
        if page == 1:
            _count_demand(result, language.code)
        pages = min(MAX_PAGES, math.ceil(result.total / PER_PAGE))
        page = min(page, max(pages, 1))
        hits = tuple(_shown_hit(hit, language) for hit in result.hits[(page - 1) * PER_PAGE:page * PER_PAGE])
    switch = [(other, url_for("reader.search_page", q=query.text or None, lang=other.code))
              for other in map(Language.of, _site_locales())]
    return _render("search.html", language, query=query, result=result, hits=hits, page_number=page,
                   pages=pages, switch=switch, page_url=lambda n: url_for(
                       "reader.search_page", q=query.text, lang=language.code, page=n if n > 1 else None))


@reader.get("/articles/<path:article_id>")
def article_page(article_id: str):
    """One article in the reader's language, its untranslated paragraphs marked."""
    language = _language_of_request()
    if len(article_id) > MAX_ARTICLE_ID:
        abort(404)
    article = _index().article(article_id, language.code)
    if article is None:
        abort(404)
    switch = [(other, url_for("reader.article_page", article_id=article_id, lang=other.code))
              for other in map(Language.of, _site_locales())]
    versions = [(other, url, _version_status(article, other.code)) for other, url in switch]
    return _render("article.html", language, article=article, switch=switch, versions=versions,
                   source=Language.of(article.source_locale), query=Query(""))


@reader.get("/api/search")
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
    result = _index().search(text, underscored(lang) if lang else None, limit)
    _count_demand(result, underscored(lang) if lang else None)
    return Response(json.dumps(result.as_json(), ensure_ascii=False, sort_keys=True),
                    mimetype="application/json")


@reader.get("/static/reader.css")
def stylesheet():
    """The one stylesheet, served from memory; its URL carries its hash, so it can be cached."""
    response = Response(current_app.extensions["reader_css"][0], mimetype="text/css")
    response.headers["Cache-Control"] = "public, max-age=31536000, immutable"
    return response


def _count_demand(result: SearchResult, locale: str | None) -> None:
    """Count what a search showed untranslated in the reader's locale, when the app counts demand."""
    demand = current_app.extensions["reader_demand"]
    if demand is not None:
        demand.record(result.hits, locale)


def _http_error(error: HTTPException):
    if request.path.startswith("/api/"):
        return _json_error(error.code or 500, error.description or error.name)
    return _render("error.html", Language.of(_negotiated(ui_locales())), error.code or 500,
                   code=error.code or 500, switch=[], query=Query(""))


def _index_unavailable(error: IndexingError):
    log.error("index unavailable: %s", error)
    if request.path.startswith("/api/"):
        return _json_error(503, "the index is unavailable; try again shortly")
    return _render("error.html", Language.of(_negotiated(ui_locales())), 503, code=503, switch=[],
                   query=Query(""))


def _secure(response: Response) -> Response:
    response.headers.update(SECURITY_HEADERS)
    location = response.headers.get("Location")
    if location:
        response.headers["Location"] = _relative(location)
    return response


def _relative(location: str) -> str:
    """A redirect's target as a path on this site: Werkzeug builds it from the Host header, which
    the client chose (behind a proxy, not the site's own name)."""
    parts = urlsplit(location)
    path = "/" + parts.path.lstrip("/")  # never `//host`, which a browser reads as another site
    return urlunsplit(("", "", path, parts.query, parts.fragment))


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
    url = url_for("reader.article_page", article_id=hit.article, lang=reader.code, _anchor=hit.section)
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
