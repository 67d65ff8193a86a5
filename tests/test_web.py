"""The reader's web app through Flask's test client: routes, escaping, negotiation, JSON, paging."""

from __future__ import annotations

import contextlib
import gc
import json
import re
import shutil
import signal
import socket
import subprocess
import sys
import tracemalloc
import urllib.parse
import urllib.request
from html.parser import HTMLParser
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipeline.cli import cli
from pipeline.errors import IndexingError
from pipeline.search import Hit, SearchResult
from pipeline.web import create_app
from pipeline.web import app as web_app

from .indexes import HOSTILE_BODY, HOSTILE_HEADING, HOSTILE_SOURCE, HOSTILE_TITLE, build_index, engine, \
    build_translated_index

SEED = "interventional-radiologist"
SEED_SECTION = "what-does-an-interventional-radiologist-do"
ARABIC_ARTICLE = """السكري

السكري مرض مزمن يرتفع فيه مستوى السكر في الدم.

الأعراض

العطش الشديد وكثرة التبول من أعراض السكري.
"""


@pytest.fixture(scope="module")
def index(tmp_path_factory):
    """The bundled sources, a hostile article, an article in a sub-folder, and an Arabic article."""
    root = tmp_path_factory.mktemp("web")
    return build_index(root, {"hostile.txt": HOSTILE_SOURCE,
                              "digestive/gallstones.txt": "Gallstones\n\nGallstones are hard deposits.\n",
                              "ar/diabetes.txt": ARABIC_ARTICLE})


@pytest.fixture(scope="module")
def client(index):
    return create_app(engine(index)).test_client()


class Page(HTMLParser):
    """A parsed page: every start tag with its attributes, and the text."""

    def __init__(self, html: str):
        super().__init__()
        self.tags: list[tuple[str, dict]] = []
        self.text: list[str] = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data):
        self.text.append(data)

    def find(self, tag: str, **attrs) -> list[dict]:
        return [a for t, a in self.tags if t == tag and all(a.get(k) == v for k, v in attrs.items())]

    def html_attrs(self) -> dict:
        return self.find("html")[0]


def get(client, url: str, status: int = 200, query_string=None, **headers):
    response = client.get(url, headers=headers, query_string=query_string)
    assert response.status_code == status, (url, response.status_code)
    return response


def page(client, url: str, status: int = 200, **headers) -> Page:
    return Page(get(client, url, status, **headers).get_data(as_text=True))


def assert_no_active_content(parsed: Page) -> None:
    """No script element, no event handler attribute, no javascript: URL: nothing can run."""
    assert not parsed.find("script")
    for tag, attrs in parsed.tags:
        assert tag not in ("iframe", "svg", "img", "object", "embed"), tag
        assert not [name for name in attrs if name.startswith("on")], (tag, attrs)
        assert not any((value or "").strip().lower().startswith("javascript:") for value in attrs.values())


# Status codes and headers

@pytest.mark.parametrize("url", ["/", "/?q=kidney+stones", f"/articles/{SEED}", f"/articles/{SEED}?lang=ar",
                                 "/articles/digestive/gallstones", "/articles/ar/diabetes",
                                 "/api/search?q=kidney", "/static/reader.css"])
def test_pages_answer(client, url):
    get(client, url)


@pytest.mark.parametrize("url", ["/nope", "/articles/nope", "/articles/../pyproject.toml", "/static/../cli.py",
                                 "/static/app.py", "/articles/" + "x" * 600, "/articles/digestive"])
def test_unknown_pages_are_404_pages(client, url):
    response = get(client, url, 404)
    assert "Page not found" in response.get_data(as_text=True)
    assert response.mimetype == "text/html"


def test_only_get_is_answered(client):
    response = client.post("/?q=kidney")
    assert response.status_code == 405
    assert response.mimetype == "text/html"


def test_every_answer_carries_a_csp_without_script(client):
    for url in ["/", "/?q=kidney", f"/articles/{SEED}", "/api/search?q=kidney", "/nope"]:
        headers = client.get(url).headers
        policy = dict(part.strip().split(" ", 1) for part in headers["Content-Security-Policy"].split(";"))
        assert policy["default-src"] == "'none'"
        assert "script-src" not in policy and "unsafe" not in headers["Content-Security-Policy"]
        assert policy["style-src"] == "'self'"
        assert headers["X-Content-Type-Options"] == "nosniff"


def test_the_page_links_one_stylesheet_and_no_script(client):
    parsed = page(client, "/?q=kidney")
    sheets = parsed.find("link", rel="stylesheet")
    assert len(sheets) == 1 and sheets[0]["href"].startswith("/static/reader.css?v=")
    assert not parsed.find("script") and not parsed.find("style")
    css = get(client, sheets[0]["href"])
    assert css.mimetype == "text/css" and "immutable" in css.headers["Cache-Control"]


# Escaping of hostile content

def test_hostile_article_is_shown_as_text_in_search_results(client):
    response = get(client, "/?q=hostile+kidney")
    parsed = Page(response.get_data(as_text=True))
    assert_no_active_content(parsed)
    text = "".join(parsed.text)
    assert HOSTILE_TITLE in text and HOSTILE_HEADING in text
    assert "&lt;script&gt;alert(document.cookie)&lt;/script&gt;" in response.get_data(as_text=True)


def test_hostile_article_is_shown_as_text_on_its_page(client):
    for lang in ("en", "ar"):
        parsed = page(client, f"/articles/hostile?lang={lang}")
        assert_no_active_content(parsed)
        text = "".join(parsed.text)
        assert HOSTILE_BODY in text and HOSTILE_HEADING in text
        assert "{{ 7*7 }}" in text and "49" not in text  # not evaluated as a template


def test_hostile_query_is_escaped_everywhere(client):
    query = '"><script>alert(1)</script><img src=x onerror=alert(2)> %(num)s {{7*7}}'
    response = get(client, "/", query_string={"q": query})
    parsed = Page(response.get_data(as_text=True))
    assert_no_active_content(parsed)
    assert parsed.find("input", name="q")[0]["value"] == query
    assert "{{7*7}}" in "".join(parsed.text)


def test_hostile_json_is_still_json(client):
    hits = client.get("/api/search?q=hostile+kidney").get_json()["hits"]
    assert HOSTILE_TITLE in {hit["title"] for hit in hits}


def test_catalogue_text_is_escaped_too(client, monkeypatch):
    class Hostile:
        def gettext(self, message):
            return "<b onclick=alert(1)>x</b>"

        def ngettext(self, singular, plural, n):
            return "<i onclick=alert(1)>%(num)s</i>"

    monkeypatch.setattr(web_app, "translations", lambda locale: Hostile())
    body = get(client, "/?q=kidney").get_data(as_text=True)
    assert "<b onclick" not in body and "&lt;b onclick=alert(1)&gt;x&lt;/b&gt;" in body
    assert_no_active_content(Page(body))


# Odd queries

@pytest.mark.parametrize("query", ["", " ", "*", ":", "title:kidney", 'kidney (stones "bile', "AND OR NOT",
                                   "C++", "\\", "%", "%s%s%s", "\x00kidney", "\u202ekidney", "🩺 kidney",
                                   "حصى الكلى", "kidney" * 2000, "a " * 5000, "\ufffd", "🩺" * 300])
def test_odd_queries_get_a_normal_page(client, query):
    response = client.get("/", query_string={"q": query})
    assert response.status_code == 200
    parsed = Page(response.get_data(as_text=True))
    value = parsed.find("input", name="q")[0]["value"]
    assert len(value) <= web_app.MAX_QUERY and "\x00" not in value


def test_a_long_query_is_cut_and_says_so(client):
    parsed = page(client, "/?q=" + "kidney+" * 100)
    assert "Your search was cut to its first" in "".join(parsed.text)


@pytest.mark.parametrize("args", ["page=abc", "page=-1", "page=0", "page=99999999999999", "page=%00",
                                  "lang=../../etc/passwd", "lang=%3Cscript%3E", "lang=", "lang=zz",
                                  "q=kidney&q=stones", "q=%FF%FE", "q=%ED%A0%80"])
def test_odd_parameters_get_a_normal_page(client, args):
    get(client, "/?q=kidney&" + args)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.text(max_size=300))
def test_any_text_gets_a_normal_page(client, text):
    response = client.get("/", query_string={"q": text})
    assert response.status_code == 200
    assert_no_active_content(Page(response.get_data(as_text=True)))


def test_a_missing_index_is_a_clear_error(tmp_path):
    with pytest.raises(IndexingError, match="no index at"):
        create_app(engine(tmp_path / "none"))
    result = CliRunner().invoke(cli, ["serve", "--index", str(tmp_path / "none")])
    assert result.exit_code == 1
    assert result.output == f"Error: no index at {tmp_path / 'none'}; run `pipeline ingest` first\n"


def test_an_index_unreadable_when_the_server_prepares_it_is_a_clear_error(tmp_path, monkeypatch):
    index = build_index(tmp_path, {"a.txt": "Aspirin\n\nAspirin eases pain.\n"}, bundled=False)

    def unreadable(reader):
        raise OSError("a segment file has gone")

    monkeypatch.setattr(web_app, "prepare", unreadable)
    with pytest.raises(IndexingError, match="cannot read the index at .*: a segment file has gone"):
        create_app(engine(index))


def test_an_index_removed_while_serving_gives_503_not_500(tmp_path):
    index = build_index(tmp_path, {"a.txt": "Aspirin\n\nAspirin eases pain.\n"}, bundled=False)
    client = create_app(engine(index)).test_client()
    get(client, "/?q=aspirin")
    shutil.rmtree(index)
    response = get(client, "/?q=pain", 503)
    assert "The reference is being updated" in response.get_data(as_text=True)
    assert get(client, "/api/search?q=pain", 503).get_json() == {
        "error": "the index is unavailable; try again shortly"}


# Language negotiation

@pytest.mark.parametrize("url, accept, lang, direction", [
    ("/", None, "en", "ltr"),
    ("/", "ar", "ar", "rtl"),
    ("/", "ar-EG,ar;q=0.9,en;q=0.8", "ar", "rtl"),
    ("/", "fr-CA,fr;q=0.9,ar;q=0.5", "ar", "rtl"),
    ("/", "de-DE,de;q=0.9", "en", "ltr"),
    ("/", "*", "en", "ltr"),
    ("/", "en;q=garbage,,;;", "en", "ltr"),
    ("/?lang=en", "ar", "en", "ltr"),
    ("/?lang=ar", "en", "ar", "rtl"),
    ("/?lang=ar-SA", None, "ar", "rtl"),
    ("/?lang=xx", "ar", "ar", "rtl"),
    (f"/articles/{SEED}?lang=ar", None, "ar", "rtl"),
    (f"/articles/{SEED}", "ar", "ar", "rtl"),
    ("/nope", "ar", "ar", "rtl"),
])
def test_language_from_lang_or_accept_language(client, url, accept, lang, direction):
    headers = {"Accept-Language": accept} if accept else {}
    response = client.get(url, headers=headers)
    attrs = Page(response.get_data(as_text=True)).html_attrs()
    assert (attrs["lang"], attrs["dir"]) == (lang, direction)
    assert response.headers["Content-Language"] == lang
    assert "Accept-Language" in response.headers["Vary"]


def test_the_switcher_names_each_language_in_itself(client):
    parsed = page(client, "/?q=kidney&lang=ar")
    links = {a["hreflang"]: a for a in parsed.find("a") if "hreflang" in a}
    assert links["en"]["href"] == "/?q=kidney&lang=en" and links["ar"]["href"] == "/?q=kidney&lang=ar"
    assert links["ar"].get("aria-current") == "true" and links["ar"]["dir"] == "rtl"
    body = get(client, "/?q=kidney&lang=ar").get_data(as_text=True)
    assert ">English</a>" in body and ">العربية</a>" in body


def test_the_page_words_are_arabic_in_arabic(client):
    text = "".join(page(client, "/?lang=ar").text)
    assert "المرجع الطبي" in text and "ابحث في المواضيع الصحية" in text
    assert "Medical reference" not in text


# Search results

def test_search_results_show_title_section_and_highlights_like_the_cli(client):
    parsed = page(client, "/?q=kidney+stones")
    response = get(client, "/?q=kidney+stones").get_data(as_text=True)
    assert "results for “kidney stones”" in response
    seed = [a for a in parsed.find("a") if a.get("href", "").startswith(f"/articles/{SEED}")]
    assert seed[0]["href"] == f"/articles/{SEED}?lang=en#{SEED_SECTION}"
    assert "What is an Interventional Radiologist?<span class=\"crumb\" aria-hidden=\"true\"> › </span>" \
           '<span class="visually-hidden">: </span>What does an Interventional Radiologist do?' in response
    assert "<mark>kidney</mark> <mark>stones</mark>" in response


def test_no_results_says_so(client):
    text = "".join(page(client, "/?q=xylophone").text)
    assert "No results for “xylophone”." in text


def test_a_locale_without_translations_shows_source_sections_marked(tmp_path):
    client = create_app(engine(build_index(tmp_path, bundled=True))).test_client()  # no Arabic catalogues
    text = "".join(page(client, "/?q=kidney+stones&lang=ar").text)
    assert "لم يُترجم إلى العربية بعد" in text
    assert "لا توجد نتائج" not in text


def test_arabic_results_in_arabic(client):
    body = get(client, "/?q=%D8%A7%D9%84%D8%B3%D9%83%D8%B1%D9%8A&lang=ar").get_data(as_text=True)
    assert "/articles/ar/diabetes?lang=ar#" in body
    assert '<p class="snippet" lang="ar" dir="rtl">' in body


def test_a_hit_not_in_the_readers_language_says_so(client, monkeypatch):
    hit = Hit(rank=1, article=SEED, section=SEED_SECTION, locale="en", title="T", heading="H",
                    snippet="kidney stones", highlights=((0, 6),), score=1.0, path="p", line=1,
                    status="fallback")
    index = client.application.extensions["reader_index"]
    monkeypatch.setattr(index, "search", lambda text, lang, limit: SearchResult(text, 1, None, (hit,)))
    body = get(client, "/?q=kidney&lang=ar").get_data(as_text=True)
    assert "لم يُترجم إلى العربية بعد" in body
    assert "معروض باللغة الإنجليزية." in body
    assert f'href="/articles/{SEED}?lang=ar#{SEED_SECTION}"' in body
    body = get(client, "/?q=kidney&lang=en").get_data(as_text=True)
    assert "Not translated into English yet" in body  # the status says so, whatever the locales


def test_did_you_mean_is_a_link(client, monkeypatch):
    index = client.application.extensions["reader_index"]
    monkeypatch.setattr(index, "search", lambda text, lang, limit: SearchResult(text, 0, "kidney", ()))
    parsed = page(client, "/?q=kidny")
    assert "Did you mean" in "".join(parsed.text)
    assert parsed.find("a", href="/?q=kidney&lang=en")


@pytest.fixture(scope="module")
def many(tmp_path_factory):
    """25 English articles about aspirin, 11 Arabic ones about الأسبرين and 3 about الصداع."""
    extra = {f"aspirin-{n:02}.txt": f"Aspirin note {n}\n\nAspirin eases pain, note {n}.\n" for n in range(25)}
    extra |= {f"ar/aspirin-{n:02}.txt": f"الأسبرين {n}\n\nالأسبرين دواء يخفف الألم.\n" for n in range(11)}
    extra |= {f"ar/headache-{n}.txt": f"الصداع {n}\n\nالصداع ألم في الرأس.\n" for n in range(3)}
    return create_app(engine(build_index(tmp_path_factory.mktemp("many"), extra, bundled=False))).test_client()


def test_paging(many):
    first = page(many, "/?q=aspirin")
    assert len(first.find("li", **{"class": "hit"})) == 10
    assert first.find("a", rel="next")[0]["href"] == "/?q=aspirin&lang=en&page=2"
    assert not first.find("a", rel="prev")
    third = page(many, "/?q=aspirin&page=3")
    assert len(third.find("li", **{"class": "hit"})) == 5
    assert third.find("a", rel="prev")[0]["href"] == "/?q=aspirin&lang=en&page=2"
    assert "Page 3 of 3" in "".join(third.text)
    beyond = page(many, "/?q=aspirin&page=9")  # past the end: the last page
    assert "Page 3 of 3" in "".join(beyond.text)


def test_paging_shows_each_hit_once(many):
    seen = []
    for n in (1, 2, 3):
        seen += [a["href"] for a in page(many, f"/?q=aspirin&page={n}").find("a")
                 if a.get("href", "").startswith("/articles/")]
    assert len(seen) == len(set(seen)) == 25


@pytest.mark.parametrize("query, count", [("الأسبرين", "11 نتيجة عن «الأسبرين»"),
                                          ("الصداع", "3 نتائج عن «الصداع»")])
def test_arabic_result_counts_use_arabic_plural_forms(many, query, count):
    text = "".join(Page(many.get("/", query_string={"q": query, "lang": "ar"}).get_data(as_text=True)).text)
    assert count in text


# The JSON API

def test_api_has_the_cli_json_schema(client, index):
    api = get(client, "/api/search?q=kidney+stones&limit=5").get_json()
    cli_json = json.loads(CliRunner().invoke(cli, ["search", "kidney stones", "--limit", "5", "--json",
                                                   "--index", str(index)]).output)
    assert api == cli_json
    assert set(api) == {"query", "total", "suggestion", "hits"}


def test_api_lang_filters_like_the_cli(client, index):
    api = get(client, "/api/search?q=%D8%A7%D9%84%D8%B3%D9%83%D8%B1%D9%8A&lang=ar").get_json()
    cli_json = json.loads(CliRunner().invoke(cli, ["search", "السكري", "--lang", "ar", "--json",
                                                   "--index", str(index)]).output)
    assert api == cli_json and api["hits"]


def test_api_keeps_unicode_and_markup_as_data(client):
    response = get(client, "/api/search?q=hostile")
    assert response.mimetype == "application/json"
    assert "<script>" in response.get_data(as_text=True)  # JSON is data; the CSP and nosniff guard it


@pytest.mark.parametrize("args, message", [
    ("q=kidney&limit=0", "limit must be between 1 and 1000"),
    ("q=kidney&limit=1001", "limit must be between 1 and 1000"),
    ("q=kidney&limit=ten", "limit must be a whole number"),
    ("q=kidney&lang=<x>", "lang must be a locale such as en or ar"),
    ("q=" + "k" * 201, "q is longer than 200 characters"),
])
def test_api_refuses_bad_parameters_with_400(client, args, message):
    assert get(client, "/api/search?" + args, 400).get_json() == {"error": message}


def test_api_unknown_route_is_json_404(client):
    assert get(client, "/api/nope", 404).mimetype == "application/json"


def test_api_empty_query_is_an_empty_result(client):
    assert get(client, "/api/search").get_json() == {"query": "", "total": 0, "suggestion": None, "hits": []}


# The article page

def test_article_page_has_sections_with_anchors_in_order(client):
    parsed = page(client, f"/articles/{SEED}")
    ids = [a["id"] for a in parsed.find("section")]
    assert ids[:2] == ["lead", SEED_SECTION]
    assert parsed.html_attrs() == {"lang": "en", "dir": "ltr"}
    assert not parsed.find("p", **{"class": "untranslated"})
    assert not parsed.find("p", **{"class": "progress"})


def test_article_in_arabic_marks_every_untranslated_section(client):
    response = get(client, f"/articles/{SEED}?lang=ar")
    parsed = Page(response.get_data(as_text=True))
    assert parsed.html_attrs() == {"lang": "ar", "dir": "rtl"}
    sections = parsed.find("section")
    assert sections and all(s["class"] == "section untranslated" and s["lang"] == "en" and s["dir"] == "ltr"
                            for s in sections)
    text = "".join(parsed.text)
    assert "لم تُترجم هذه المقالة إلى العربية بعد، وهي معروضة بلغتها الأصلية (الإنجليزية)." in text
    versions = {a["hreflang"]: a["href"] for a in parsed.find("a") if "hreflang" in a}
    assert versions == {"en": f"/articles/{SEED}?lang=en", "ar": f"/articles/{SEED}?lang=ar"}


def test_article_ids_with_slashes(client):
    parsed = page(client, "/articles/digestive/gallstones")
    assert "Gallstones are hard deposits." in "".join(parsed.text)


def test_an_arabic_article_in_arabic_is_not_marked(client):
    parsed = page(client, "/articles/ar/diabetes?lang=ar")
    assert parsed.html_attrs()["dir"] == "rtl"
    assert not parsed.find("p", **{"class": "progress"})
    assert all(s["lang"] == "ar" for s in parsed.find("section"))


@pytest.fixture
def translated(tmp_path):
    """The seed in English, with an Arabic translation: one section whole, one partly, one not at all."""
    base = {"article": SEED, "title": "What is an Interventional Radiologist?"}
    docs = [
        {**base, "section": "lead", "locale": "en", "heading": "", "body": "Lead one.\n\nLead two.", "position": 0},
        {**base, "section": SEED_SECTION, "locale": "en", "heading": "What does an Interventional Radiologist do?",
         "body": "Do one.\n\nDo two.\n\nDo three.", "position": 1},
        {**base, "section": "outcomes", "locale": "en", "heading": "Outcomes", "body": "Good outcomes.",
         "position": 2},
        {**base, "section": "lead", "locale": "ar", "title": "ما هو أخصائي الأشعة التداخلية؟", "heading": "",
         "body": "مقدمة أولى.\n\nمقدمة ثانية.", "position": 0, "status": "translated", "fallbacks": ()},
        {**base, "section": SEED_SECTION, "locale": "ar", "title": "ما هو أخصائي الأشعة التداخلية؟",
         "heading": "ماذا يفعل أخصائي الأشعة التداخلية؟", "body": "الأولى.\n\nDo two.\n\nالثالثة.",
         "position": 1, "status": "partial", "fallbacks": (1,)},
    ]
    docs = [{"status": "source", "fallbacks": (), **d} for d in docs]
    return create_app(engine(build_translated_index(tmp_path, docs))).test_client()


def test_a_partial_translation_marks_its_untranslated_paragraphs(translated):
    response = get(translated, f"/articles/{SEED}?lang=ar")
    body = response.get_data(as_text=True)
    parsed = Page(body)
    assert "".join(parsed.text).count("ما هو أخصائي الأشعة التداخلية؟") >= 1
    sections = {s["id"]: s for s in parsed.find("section")}
    assert sections["lead"] == {"id": "lead", "class": "section", "lang": "ar", "dir": "rtl"}
    assert sections[SEED_SECTION]["lang"] == "ar"
    assert sections["outcomes"]["class"] == "section untranslated" and sections["outcomes"]["lang"] == "en"
    untranslated = parsed.find("p", **{"class": "untranslated"})
    assert untranslated == [{"class": "untranslated", "lang": "en", "dir": "ltr"}]
    assert "لم يُترجم بعد</span> Do two.</p>" in body
    assert "تُرجمت 4 من أصل 6 فقرات إلى العربية" in "".join(parsed.text)
    assert '<h2 id="_toc">في هذه الصفحة</h2>' in body


def test_a_whole_translation_says_where_it_comes_from(tmp_path):
    docs = [{"article": "a", "section": "lead", "locale": "en", "title": "A", "heading": "", "body": "One.",
             "position": 0, "status": "source"},
            {"article": "a", "section": "lead", "locale": "ar", "title": "أ", "heading": "", "body": "واحد.",
             "position": 0, "status": "translated", "fallbacks": ()}]
    client = create_app(engine(build_translated_index(tmp_path, docs))).test_client()
    text = "".join(page(client, "/articles/a?lang=ar").text)
    assert "مترجمة عن الإنجليزية." in text
    assert "(لم تُترجم بعد)" not in text


# The server

@pytest.mark.slow
def test_pipeline_serve_answers_on_loopback_and_stops_on_ctrl_c(index):
    pipeline = Path(sys.executable).with_name("pipeline")
    process = subprocess.Popen([str(pipeline), "serve", "--index", str(index), "--port", "0"],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        line = process.stdout.readline()
        assert re.fullmatch(r"Serving the reader at http://127\.0\.0\.1:\d+/ \(Ctrl-C to stop\)\n", line)
        url = line.split()[4]
        with urllib.request.urlopen(url + "?q=kidney+stones", timeout=10) as response:
            assert response.status == 200 and response.headers["Server"] == "medref"
            assert "What does an Interventional Radiologist do?" in response.read().decode()
        with urllib.request.urlopen(url + "api/search?q=kidney", timeout=10) as response:
            assert json.loads(response.read())["hits"]
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=10) == 0
    finally:
        process.kill()


def test_the_server_freezes_what_it_prepared_out_of_full_collections(tmp_path):
    """A full collection walked the prepared tables again every few hundred queries."""
    from pipeline.search.suggest import vocabulary
    from pipeline.web import make_server

    index = engine(build_index(tmp_path, {"a.txt": "Aspirin\n\nAspirin eases pain.\n"}, bundled=False))
    gc.unfreeze()
    server = make_server(index, port=0)
    try:
        with index.reader() as reader:
            prepared = vocabulary(reader)  # what the server's start read, kept for the version
        assert gc.is_tracked(prepared) and gc.get_freeze_count() > 0
        assert not any(held is prepared for held in gc.get_objects())  # frozen ones are not listed
    finally:
        server.close()
        gc.unfreeze()


def test_searches_count_what_readers_were_shown_untranslated(tmp_path):
    """The web reader counts, for `catalog todo --by-demand`, the sections a search in a locale
    showed untranslated among its best hits: on a search's first page and in the API, no text kept."""
    from pipeline.catalogue.demand import DemandCounts, demand_path, section_demand

    index = build_index(tmp_path, bundled=True)  # no Arabic catalogues: every hit falls back in Arabic
    demand = DemandCounts(tmp_path / "counts", batch=1)
    client = create_app(engine(index), demand=demand).test_client()
    get(client, "/?q=kidney+stones&lang=ar")
    first = section_demand(tmp_path / "counts", "ar")
    assert first and set(first.values()) == {1} and len(first) <= 3
    get(client, "/?q=kidney+stones&lang=ar&page=2")  # the same readers, further down: not counted again
    get(client, "/api/search?q=kidney+stones&lang=ar")
    assert section_demand(tmp_path / "counts", "ar") == {key: 2 for key in first}
    get(client, "/?q=kidney+stones&lang=en")  # shown in its own language: nothing to translate
    assert section_demand(tmp_path / "counts", "en") == {}
    assert "kidney" not in demand_path(tmp_path / "counts").read_text(encoding="utf-8").replace("kidney-stones", "")


# The server under pressure: real sockets against a live server

_SERVE = """
import sys
from pathlib import Path
from pipeline.config import Config
from pipeline.engine import open_engine
from pipeline.web import make_server
server = make_server(open_engine(Config(index=Path(sys.argv[1]))), port=0, idle_timeout=int(sys.argv[2]))
print(server.urls[0], flush=True)
server.run()
"""


@contextlib.contextmanager
def serving(index: Path, idle_timeout: int):
    """A reader server in its own process; yields its (host, port) and stops it with Ctrl-C."""
    process = subprocess.Popen([sys.executable, "-c", _SERVE, str(index), str(idle_timeout)],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        url = urllib.parse.urlsplit(process.stdout.readline().strip())
        assert url.port, process.communicate()
        yield url.hostname, url.port
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=60) == 0
    finally:
        process.kill()
        process.wait()


def ask(address: tuple[str, int], request: bytes) -> bytes:
    """Send a raw request on a new connection and read the whole answer (the server closes it)."""
    with socket.create_connection(address, timeout=120) as connection:  # the timeout only guards a hang
        connection.sendall(request)
        answer = b""
        while chunk := connection.recv(65536):
            answer += chunk
    return answer


def still_open(connection: socket.socket) -> bool:
    connection.setblocking(False)
    try:
        return connection.recv(1) != b""
    except BlockingIOError:
        return True


@pytest.mark.slow
def test_idle_connections_do_not_lock_readers_out(index):
    with serving(index, idle_timeout=3600) as address:
        idle = [socket.create_connection(address) for _ in range(150)]  # waitress's default limit: 100
        try:
            answer = ask(address, b"GET /api/search?q=kidney HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            assert answer.startswith(b"HTTP/1.1 200 OK")
            assert json.loads(answer.split(b"\r\n\r\n", 1)[1])["hits"]
            assert all(still_open(connection) for connection in idle)  # answered while they were all held
        finally:
            for connection in idle:
                connection.close()


@pytest.mark.slow
def test_an_idle_connection_is_closed(index):
    with serving(index, idle_timeout=1) as address:
        with socket.create_connection(address, timeout=120) as connection:  # the timeout only guards a hang
            assert connection.recv(1) == b""  # closed by the server, having sent nothing


@pytest.mark.parametrize("request_bytes, status", [
    (b"GET / HTTP/1.1\r\nHost: x\r\nContent-Length: many\r\n\r\n", b"400"),
    (b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\n", b"413"),
    # Exactly the limit, and no end of the headers: the server has read it all when it answers.
    (b"GET / HTTP/1.1\r\nHost: x\r\nX-Long: ".ljust(64 * 1024, b"a"), b"431"),
])
@pytest.mark.slow
def test_the_servers_own_error_answers_carry_the_security_headers(index, request_bytes, status):
    with serving(index, idle_timeout=3600) as address:
        answer = ask(address, request_bytes)
    head = answer.split(b"\r\n\r\n", 1)[0].decode("latin-1")
    assert re.match(rf"HTTP/1\.[01] {status.decode()} ", head)
    headers = dict(line.split(": ", 1) for line in head.split("\r\n")[1:])
    for name, value in web_app.SECURITY_HEADERS.items():
        assert headers.get(name) == value, name


def test_redirects_stay_on_the_site_whatever_the_host_header(client):
    response = client.get(f"/articles//{SEED}?lang=ar", headers={"Host": "evil.example"})
    assert response.status_code == 308
    assert response.headers["Location"] == f"/articles/{SEED}?lang=ar"


@pytest.mark.slow
def test_the_answer_cache_is_bounded_in_bytes(tmp_path):
    words = "kidney stones form when minerals crystallise in the urine and block the flow".split()
    docs = [{"article": f"a{n}", "section": "lead", "locale": "en", "title": f"Article {n}", "heading": "",
             "body": " ".join(words[(n + i) % len(words)] for i in range(100)) + f" w{n}", "position": 0,
             "status": "source"} for n in range(200)]
    bound = 1024 * 1024
    app = create_app(engine(build_translated_index(tmp_path, docs)), cache_bytes=bound)
    client = app.test_client()
    assert len(get(client, "/api/search?q=kidney+w0&limit=1000").json["hits"]) == 200
    gc.collect()
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        for n in range(1, 40):  # each a new question with 200 hits: some 10 MB of answers in all
            assert len(get(client, f"/api/search?q=kidney+w{n}&limit=1000").json["hits"]) == 200
        gc.collect()
        grown = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
    cache = app.extensions["reader_index"].answers
    assert grown < 3 * bound
    assert 0 < cache.bytes <= bound and len(cache) < 39
