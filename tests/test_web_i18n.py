"""The page's own words: catalogues in step with the templates, complete, and right in Arabic."""

from __future__ import annotations

import re
import subprocess

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from pipeline.web.i18n import CATALOGUES, DOMAIN, Language, negotiate, translations, ui_locales

from .conftest import require_program

WEB = CATALOGUES.parent
TEMPLATE = CATALOGUES / f"{DOMAIN}.pot"
PLACEHOLDER = re.compile(r"%\((\w+)\)s")


def read(path):
    with path.open("rb") as fileobj:
        return read_po(fileobj)


def test_arabic_is_a_page_language():
    assert ui_locales() == ("en", "ar")


def test_the_template_catalogue_is_in_step_with_the_templates():
    extracted = {message for _, _, message, _, _ in extract_from_dir(
        str(WEB / "templates"), method_map=[("**.html", "jinja2")],
        options_map={"**.html": {"extensions": "jinja2.ext.i18n"}})}
    extracted = {m if isinstance(m, str) else m[0] for m in extracted}
    in_template = {m.id if isinstance(m.id, str) else m.id[0] for m in read(TEMPLATE) if m.id}
    assert extracted == in_template, "run `make messages` and translate what it adds"


@pytest.mark.parametrize("locale", ui_locales()[1:])
def test_every_message_is_translated_with_the_same_placeholders(locale):
    template = read(TEMPLATE)
    catalog = read(CATALOGUES / locale / "LC_MESSAGES" / f"{DOMAIN}.po")
    assert catalog.num_plurals == 6 if locale == "ar" else catalog.num_plurals >= 1
    for message in template:
        if not message.id:
            continue
        translated = catalog.get(message.id)
        assert translated is not None, f"{locale}: {message.id!r} is missing"
        assert not translated.fuzzy, f"{locale}: {message.id!r} is fuzzy"
        strings = translated.string if isinstance(translated.string, tuple) else (translated.string,)
        if message.pluralizable:
            assert len(strings) == catalog.num_plurals
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        wanted = {name for text in ids for name in PLACEHOLDER.findall(text)}
        for string in strings:
            assert string, f"{locale}: {message.id!r} has an empty translation"
            used = set(PLACEHOLDER.findall(string))
            # A plural form may spell its number out ("نتيجتان"), so `num` alone may be left out.
            assert used <= wanted and wanted - used <= {"num"}, f"{locale}: {string!r}"


@pytest.mark.parametrize("locale", ui_locales()[1:])
def test_msgfmt_accepts_the_catalogue(locale):
    msgfmt = require_program("msgfmt", "GNU gettext; `make test` installs it with apt-get")
    po = CATALOGUES / locale / "LC_MESSAGES" / f"{DOMAIN}.po"
    result = subprocess.run([msgfmt, "--check", "-o", "/dev/null", str(po)], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize("n, expected", [
    (0, "0 نتيجة عن «x»"), (1, "نتيجة واحدة عن «x»"), (2, "نتيجتان عن «x»"), (3, "3 نتائج عن «x»"),
    (10, "10 نتائج عن «x»"), (11, "11 نتيجة عن «x»"), (99, "99 نتيجة عن «x»"), (100, "100 نتيجة عن «x»"),
    (103, "103 نتائج عن «x»"), (1234, "1,234 نتيجة عن «x»"),
])
def test_arabic_result_counts_take_all_six_plural_forms(n, expected):
    arabic = Language.of("ar")
    text = translations("ar").ngettext("%(num)s result for “%(query)s”", "%(num)s results for “%(query)s”", n)
    assert text % {"num": arabic.number(n), "query": "x"} == expected


def test_numbers_follow_the_locale():
    assert Language.of("en").number(1234567) == "1,234,567"
    assert Language.of("fr").number(1234567) == "1\u202f234\u202f567"


def test_languages_are_named_in_their_own_words():
    assert (Language.of("en").own_name, Language.of("ar").own_name) == ("English", "العربية")
    assert Language.of("en").name_in("ar") == "الإنجليزية"
    assert (Language.of("ar").direction, Language.of("en").direction) == ("rtl", "ltr")
    assert Language.of("not a locale").direction == "ltr"


@pytest.mark.parametrize("asked, accepted, expected", [
    (None, [], "en"),
    ("ar", ["en"], "ar"),
    ("ar_EG", [], "ar"),
    (None, ["fr-CA", "ar-MA"], "ar"),
    ("fr", ["fr"], "en"),
    (None, ["*"], "en"),
])
def test_negotiation(asked, accepted, expected):
    assert negotiate(asked, accepted, ("en", "ar")) == expected
