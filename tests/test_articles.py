"""Reading a whole article back from the index, in a locale, with the fallback to its source text."""

from __future__ import annotations

import pytest

from pipeline.locale_tags import same_language
from pipeline.model import FALLBACK, PARTIAL, SOURCE, TRANSLATED
from pipeline.search.article import read_article
from pipeline.errors import IndexingError

from .indexes import build_index, build_translated_index, engine

SEED = "interventional-radiologist"
SEED_SECTION = "what-does-an-interventional-radiologist-do"


@pytest.fixture(scope="module")
def index(tmp_path_factory):
    return engine(build_index(tmp_path_factory.mktemp("articles")))


def test_an_article_in_its_own_locale_has_every_section_in_order(index):
    article = read_article(index, SEED)
    assert (article.id, article.locale, article.source_locale) == (SEED, "en", "en")
    assert article.title == "What is an Interventional Radiologist?"
    assert [s.id for s in article.sections][:2] == ["lead", SEED_SECTION]
    assert all(s.status == SOURCE and s.locale == "en" for s in article.sections)
    assert article.sections[1].heading == "What does an Interventional Radiologist do?"
    assert article.sections[1].paragraphs[0].text.startswith("There are various medical disciplines")
    assert article.is_source and article.translated == article.paragraphs > 5
    assert article.locales == ("en",)
    assert article.path == "sources/interventional-radiologist.txt"


def test_a_locale_without_translation_falls_back_to_the_source(index):
    article = read_article(index, SEED, "ar")
    assert (article.locale, article.source_locale, article.title_locale) == ("ar", "en", "en")
    assert all(s.status == FALLBACK and s.locale == "en" for s in article.sections)
    assert all(p.fallback for s in article.sections for p in s.paragraphs)
    assert article.translated == 0 and not article.is_source


def test_an_unknown_article_is_none(index):
    assert read_article(index, "no/such/article") is None
    assert read_article(index, "") is None


def test_indexed_locales(index):
    with index.reader() as reader:
        assert reader.locales() == ("en",)


def test_no_index_is_an_error(tmp_path):
    with pytest.raises(IndexingError):
        read_article(engine(tmp_path / "none"), SEED)


@pytest.fixture(scope="module")
def translated(tmp_path_factory):
    base = {"article": "a", "title": "Title"}
    return engine(build_translated_index(tmp_path_factory.mktemp("translated"), [
        {**base, "section": "lead", "locale": "en", "heading": "", "body": "One.\n\nTwo.", "position": 0,
         "status": SOURCE},
        {**base, "section": "b", "locale": "en", "heading": "B", "body": "Three.", "position": 1, "status": SOURCE},
        {**base, "section": "c", "locale": "en", "heading": "C", "body": "Four.", "position": 2, "status": SOURCE},
        {**base, "section": "lead", "locale": "ar_EG", "title": "عنوان", "heading": "", "body": "واحد.\n\nTwo.",
         "position": 0, "status": PARTIAL, "fallbacks": (1,)},
        {**base, "section": "b", "locale": "ar_EG", "title": "عنوان", "heading": "ب", "body": "ثلاثة.",
         "position": 1, "status": TRANSLATED, "fallbacks": ()},
        {**base, "section": "c", "locale": "ar_EG", "title": "عنوان", "heading": "C", "body": "Four.",
         "position": 2, "status": FALLBACK, "fallbacks": (0,)},
    ]))


def test_a_partial_translation(translated):
    article = read_article(translated, "a", "ar")  # a regional variant stands in for its language
    assert (article.title, article.title_locale, article.source_locale) == ("عنوان", "ar_EG", "en")
    lead, b, c = article.sections
    assert (lead.status, lead.locale, [(p.text, p.fallback) for p in lead.paragraphs]) == (
        PARTIAL, "ar_EG", [("واحد.", False), ("Two.", True)])
    assert (b.status, b.heading, b.paragraphs[0].fallback) == (TRANSLATED, "ب", False)
    assert (c.status, c.locale, c.heading, c.paragraphs[0].fallback) == (FALLBACK, "en", "C", True)
    assert (article.translated, article.paragraphs) == (2, 4)
    assert article.locales == ("en", "ar_EG")


def test_the_source_of_a_translated_article(translated):
    article = read_article(translated, "a", "en")
    assert article.is_source and article.title == "Title"
    assert [s.status for s in article.sections] == [SOURCE] * 3


def test_same_language():
    assert same_language("ar", "ar_EG") and same_language("ar-SA", "ar_EG") and same_language("EN", "en")
    assert not same_language("en", "ar")
