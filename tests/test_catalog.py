"""Catalogues: messages of an article, templates, strict reading, and merges that lose nothing."""

from __future__ import annotations

from io import BytesIO
from pathlib import Path

import pytest
from babel.messages import catalog as babel_catalog
from babel.messages.pofile import read_po

from pipeline.catalogue.folder import template_path
from pipeline.catalogue.merge import merge, new_catalogue
from pipeline.catalogue.messages import build_template, source_messages
from pipeline.catalogue.pofile import parse_catalogue, read_catalogue, render
from pipeline.files import write_file
from pipeline.config import Config
from pipeline.errors import CatalogError
from pipeline.catalogue.folder import catalogue_locales, init_locale, update
from pipeline.sources import SourceFile, load_article

from .conftest import NOW, SOURCES
from .gettext_tools import needs_gettext

ARTICLE = """Kidney stones

Kidney stones are hard deposits that form inside the kidneys.

Causes

Stones form when the urine is concentrated.

Drinking 2 litres of water a day helps to prevent them.

Treatment

Most stones smaller than 5 mm pass on their own.
"""
AR = {
    "Kidney stones": "حصى الكلى",
    "Kidney stones are hard deposits that form inside the kidneys.": "حصى الكلى ترسبات صلبة تتكون داخل الكليتين.",
    "Causes": "الأسباب",
    "Stones form when the urine is concentrated.": "تتكون الحصى عندما يكون البول مركزًا.",
    "Drinking 2 litres of water a day helps to prevent them.": "يساعد شرب ٢ لتر من الماء يوميًا على الوقاية منها.",
    "Treatment": "العلاج",
    "Most stones smaller than 5 mm pass on their own.": "تخرج معظم الحصى الأصغر من ٥ مم من تلقاء نفسها.",
}


@pytest.fixture
def tree(tmp_path):
    """A project with one article and an Arabic catalogue translated in full."""
    (tmp_path / "sources").mkdir()
    (tmp_path / "sources" / "stones.txt").write_text(ARTICLE, encoding="utf-8")
    config = Config(sources=tmp_path / "sources", locales=tmp_path / "locales", index=tmp_path / "index")
    init_locale(config, "ar", NOW)
    translate(config.locales / "ar" / "LC_MESSAGES" / "stones.po", AR)
    return config


def translate(path: Path, strings: dict[str, str]) -> None:
    """Fill translations as a translator would, through Babel."""
    catalogue = read_catalogue(path)
    for message in catalogue:
        if message.id in strings:
            message.string = strings[message.id]
    write_file(path, render(catalogue))


def edit_source(config: Config, old: str, new: str) -> None:
    path = config.sources / "stones.txt"
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")


def po(config: Config) -> Path:
    return config.locales / "ar" / "LC_MESSAGES" / "stones.po"


def article(text: str, name: str = "a.txt", tmp: Path | None = None):
    folder = tmp or Path("/nonexistent")
    return load_article(SourceFile(Path(name).stem, folder / name), folder, data=text.encode("utf-8"))


# --- Messages and templates -------------------------------------------------------------------


def test_messages_are_title_then_headings_and_paragraphs_in_order_with_lines_and_sections():
    messages = source_messages(article(ARTICLE))
    assert [(m.msgid[:20], m.section, m.paragraph, m.line, m.context) for m in messages] == [
        ("Kidney stones", "title", None, 1, None),
        ("Kidney stones are ha", "lead", 0, 3, None),
        ("Causes", "causes", None, 5, None),
        ("Stones form when the", "causes", 0, 7, None),
        ("Drinking 2 litres of", "causes", 1, 9, None),
        ("Treatment", "treatment", None, 11, None),
        ("Most stones smaller ", "treatment", 0, 13, None),
    ]


def test_other_names_follow_the_title_as_messages_of_their_own():
    text = ARTICLE.replace("\n", "\n\nAlso called: Renal calculi; Kidney stones; Nephrolithiasis\n", 1)
    messages = source_messages(article(text))
    # The title's own name is no other name; the names keep the line that declares them.
    assert [(m.msgid, m.section, m.paragraph, m.line) for m in messages[:4]] == [
        ("Kidney stones", "title", None, 1), ("Renal calculi", "also called", 0, 3),
        ("Nephrolithiasis", "also called", 1, 3), ("Kidney stones are hard deposits that form inside the kidneys.",
                                                  "lead", 0, 5)]
    template = build_template(article(text), NOW)
    assert template.get("Nephrolithiasis").auto_comments == ["also called"]


def test_msgctxt_only_for_text_repeated_in_the_article():
    text = "T\n\nSigns\n\n- fever\n- fever\n- itching\n\nLater\n\n- fever\n"
    messages = [(m.msgid, m.context) for m in source_messages(article(text))]
    assert messages == [("T", None), ("Signs", None), ("fever", "signs"), ("fever", "signs:2"),
                        ("itching", None), ("Later", None), ("fever", "later")]


def test_seed_template_matches_golden(golden_text):
    seed = load_article(SourceFile("interventional-radiologist", SOURCES / "interventional-radiologist.txt"),
                        SOURCES)
    golden_text("interventional-radiologist.pot", render(build_template(seed, NOW)).decode("utf-8"))


def test_new_catalogue_has_complete_headers_and_arabic_plural_forms(tree, msgfmt):
    catalogue = read_catalogue(po(tree))
    headers = dict(catalogue.header_fields)
    assert headers["Language"] == "ar"
    assert headers["Plural-Forms"].startswith("nplurals=6; plural=(n == 0 ? 0 : n == 1 ? 1 : n == 2 ? 2")
    assert headers["Content-Type"] == "text/plain; charset=utf-8"
    assert headers["Language-Team"] == "Arabic"
    assert not catalogue.fuzzy
    msgfmt(po(tree))


def test_every_message_has_its_location_and_section(tree):
    catalogue = read_catalogue(po(tree))
    message = catalogue.get("Stones form when the urine is concentrated.")
    assert message.locations == [("sources/stones.txt", 7)]
    assert message.auto_comments == ["causes"]


def test_unknown_locale_is_a_clear_error(tree):
    with pytest.raises(CatalogError, match=r"unknown locale 'xx-bogus'"):
        init_locale(tree, "xx-bogus", NOW)
    assert catalogue_locales(tree.locales) == ["ar"]


# --- Strict reading ---------------------------------------------------------------------------

GOOD = b'msgid ""\nmsgstr ""\n"Language: ar\\n"\n"Content-Type: text/plain; charset=UTF-8\\n"\n\n' \
       b'#: a.txt:1\nmsgid "Take 2 tablets"\nmsgstr "\xd8\xae\xd8\xb0 2 \xd9\x82\xd8\xb1\xd8\xb5"\n'


@pytest.mark.parametrize("broken, line, message", [
    (GOOD.replace(b'msgstr "\xd8\xae', b'msgstr "\xd8\xae').replace(b'\xd8\xb5"\n', b'\xd8\xb5\n'), 8,
     "unterminated string"),
    (GOOD.replace(b'msgstr "\xd8\xae', b'msgstr \xd8\xae').replace(b'\xd8\xb5"\n', b'\xd8\xb5\n'), 8,
     "text outside quotes"),
    (GOOD.replace(b"#: a.txt:1", b"oops, a stray line"), 6, "not a PO keyword"),
    (GOOD.replace(b'msgid "Take 2 tablets"\n', b'msgid "Take 2 tablets"\nmsgid "again"\n'), 7,
     "msgid “Take 2 tablets” has no msgstr"),
    (GOOD + b'\nmsgid "Take 2 tablets"\nmsgstr "x"\n', 10, "defined twice (first on line 7)"),
    (GOOD.replace(b'"Take 2 tablets"', b'"Take \\q tablets"'), 7, "unknown escape sequence \\q"),
    (GOOD.replace(b"\xd8\xae\xd8\xb0", b"\xff\xfe"), 8, "not valid UTF-8"),
    (GOOD.replace(b'msgstr "\xd8', b'#msgstr "\xd8'), 7, "has no msgstr"),
])
def test_broken_po_is_an_error_naming_the_line(broken, line, message):
    with pytest.raises(CatalogError) as caught:
        parse_catalogue(broken, "locales/ar/LC_MESSAGES/a.po")
    assert caught.value.path == "locales/ar/LC_MESSAGES/a.po"
    assert caught.value.line == line
    assert message in caught.value.message


def test_previous_msgid_and_tool_headers_survive_reading_and_writing():
    text = ('msgid ""\nmsgstr ""\n"Language: ar\\n"\n"Content-Type: text/plain; charset=UTF-8\\n"\n'
            '"Last-Translator: Amal <amal@example.org>\\n"\n"X-Generator: Poedit 3.4.2\\n"\n\n'
            '# checked with Dr. Haddad\n#, fuzzy\n#| msgid "Take 2 tablets"\nmsgid "Take 3 tablets"\n'
            'msgstr "خذ 2 قرص"\n\n#, fuzzy\n#~| msgid "old"\n#~ msgid "gone"\n#~ msgstr "ذهب"\n')
    catalogue = parse_catalogue(text.encode("utf-8"), "a.po")
    message = catalogue.get("Take 3 tablets")
    assert message.previous_id == ["Take 2 tablets"]
    assert message.user_comments == ["checked with Dr. Haddad"]
    written = render(catalogue).decode("utf-8")
    assert '#| msgid "Take 2 tablets"' in written
    assert "X-Generator: Poedit 3.4.2" in written
    assert "Last-Translator: Amal <amal@example.org>" in written
    assert "# | msgid" not in written


# --- Merging ----------------------------------------------------------------------------------


def test_unchanged_article_leaves_every_file_byte_for_byte(tree):
    files = sorted(tree.locales.rglob("*.po*"))
    before = {path: (path.read_bytes(), path.stat().st_mtime_ns) for path in files}
    report = update(tree)  # a later date: nothing may be rewritten for it
    assert report.stale == []
    assert {path: (path.read_bytes(), path.stat().st_mtime_ns) for path in files} == before


def test_a_po_saved_by_another_tool_is_not_rewritten_when_nothing_changed(tree):
    # Another tool's layout: different wrapping, and header fields Babel does not write itself.
    catalogue = read_catalogue(po(tree))
    catalogue.extra_headers = [("X-Generator", "Poedit 3.4.2")]
    out = BytesIO()
    from babel.messages.pofile import write_po
    write_po(out, catalogue, width=0)
    po(tree).write_bytes(out.getvalue())
    report = update(tree)
    assert report.stale == []
    assert po(tree).read_bytes() == out.getvalue()


def test_edited_paragraph_keeps_its_translation_as_fuzzy_with_previous_msgid(tree, msgfmt, golden_text):
    edit_source(tree, "5 mm pass", "5 mm usually pass")
    report = update(tree, NOW)
    assert report.updated == [template_path(tree.locales, "stones"), po(tree)]
    message = read_catalogue(po(tree)).get("Most stones smaller than 5 mm usually pass on their own.")
    assert message.fuzzy
    assert message.string == AR["Most stones smaller than 5 mm pass on their own."]
    assert message.previous_id == ["Most stones smaller than 5 mm pass on their own."]
    text = po(tree).read_text(encoding="utf-8")
    assert '#| msgid "Most stones smaller than 5 mm pass on their own."' in text
    msgfmt(po(tree))
    golden_text("stones-edited.ar.po", text)


def test_babels_all_pairs_fuzzy_matching_never_runs(tree, monkeypatch):
    def no_difflib(*args):
        raise AssertionError("Babel's fuzzy matching ran")

    template = read_catalogue(template_path(tree.locales, "stones"))
    monkeypatch.setattr(babel_catalog, "get_close_matches", no_difflib)
    catalogue = new_catalogue(template, "fr", NOW)
    assert [m.id for m in catalogue if m.id] == [m.id for m in template if m.id]
    edited = read_catalogue(template_path(tree.locales, "stones"))
    edited.add("A paragraph the catalogue lacks.")
    merge(catalogue, edited)
    assert catalogue.get("A paragraph the catalogue lacks.") is not None
    first = next(m.id for m in template if m.id)
    catalogue.get(first).string = "traduit"
    edited.delete(first)
    edited.add(first.rstrip("s"))
    merge(catalogue, edited)  # a candidate now: fuzzy.py matches it, not Babel
    suggested = catalogue.get(first.rstrip("s"))
    assert suggested.fuzzy and suggested.string == "traduit" and suggested.previous_id == [first]


def test_fuzzy_message_keeps_previous_msgid_across_later_merges(tree):
    edit_source(tree, "5 mm pass", "5 mm usually pass")
    update(tree, NOW)
    edit_source(tree, "Kidney stones are hard", "Kidney stones are very hard")  # another change
    update(tree, NOW)
    message = read_catalogue(po(tree)).get("Most stones smaller than 5 mm usually pass on their own.")
    assert message.fuzzy and message.previous_id == ["Most stones smaller than 5 mm pass on their own."]


def test_removed_paragraph_goes_obsolete_and_comes_back_translated(tree, msgfmt):
    removed = "\n\nDrinking 2 litres of water a day helps to prevent them."
    edit_source(tree, removed, "")
    update(tree, NOW)
    catalogue = read_catalogue(po(tree))
    assert catalogue.get("Drinking 2 litres of water a day helps to prevent them.") is None
    assert [m.string for m in catalogue.obsolete.values()] == [AR[removed.strip()]]
    assert "#~ msgid" in po(tree).read_text(encoding="utf-8")
    msgfmt(po(tree))
    edit_source(tree, "concentrated.", "concentrated." + removed)
    update(tree, NOW)
    catalogue = read_catalogue(po(tree))
    message = catalogue.get(removed.strip())
    assert message.string == AR[removed.strip()] and not message.fuzzy
    assert not catalogue.obsolete


def test_edit_then_delete_then_restore_the_original_brings_the_translation_back_fuzzy(tree):
    original = "Most stones smaller than 5 mm pass on their own."
    edited = "Most stones smaller than 5 mm usually pass on their own."
    edit_source(tree, "5 mm pass", "5 mm usually pass")
    update(tree, NOW)
    edit_source(tree, "\n\nTreatment\n\n" + edited, "")
    update(tree, NOW)
    catalogue = read_catalogue(po(tree))
    # The unreviewed translation is kept in the standard form: fuzzy, with the msgid it was written for.
    gone = catalogue.obsolete[edited]
    assert (gone.string, gone.fuzzy, gone.previous_id) == (AR[original], True, [original])
    assert f'#, fuzzy\n#~| msgid "{original}"\n#~ msgid "{edited}"\n' in po(tree).read_text(encoding="utf-8")
    (tree.sources / "stones.txt").write_text(ARTICLE, encoding="utf-8")
    update(tree, NOW)
    catalogue = read_catalogue(po(tree))
    message = catalogue.get(original)
    # It may have been edited while it was fuzzy: only a translator can say it is reviewed again.
    assert (message.string, message.fuzzy, message.previous_id) == (AR[original], True, [original])
    assert not catalogue.obsolete


def test_reverted_edit_brings_the_translation_back_fuzzy(tree):
    original = "Most stones smaller than 5 mm pass on their own."
    edit_source(tree, "5 mm pass", "5 mm usually pass")
    update(tree, NOW)
    (tree.sources / "stones.txt").write_text(ARTICLE, encoding="utf-8")
    update(tree, NOW)
    catalogue = read_catalogue(po(tree))
    message = catalogue.get(original)
    assert (message.string, message.fuzzy, message.previous_id) == (AR[original], True, [original])
    assert not catalogue.obsolete


def test_unreviewed_translation_never_comes_back_as_reviewed(tree):
    # A fuzzy translation the translator marked without a previous msgid, then the paragraph goes.
    catalogue = read_catalogue(po(tree))
    catalogue.get("Treatment").flags.add("fuzzy")
    write_file(po(tree), render(catalogue))
    edit_source(tree, "Treatment\n\n", "")
    update(tree, NOW)
    assert '#, fuzzy\n#~ msgid "Treatment"\n#~ msgstr "العلاج"\n' in po(tree).read_text(encoding="utf-8")
    obsolete = read_catalogue(po(tree)).obsolete
    assert [(m.fuzzy, m.user_comments) for m in obsolete.values()] == [(True, [])]
    (tree.sources / "stones.txt").write_text(ARTICLE, encoding="utf-8")
    update(tree, NOW)
    message = read_catalogue(po(tree)).get("Treatment")
    assert message.string == AR["Treatment"] and message.fuzzy and not message.user_comments


def test_obsolete_translation_is_a_fuzzy_candidate_for_a_similar_new_paragraph(tree):
    edit_source(tree, "\n\nMost stones smaller than 5 mm pass on their own.", "")
    update(tree, NOW)
    edit_source(tree, "Treatment\n", "Treatment\n\nMost stones smaller than 4 mm pass on their own.\n")
    update(tree, NOW)
    message = read_catalogue(po(tree)).get("Most stones smaller than 4 mm pass on their own.")
    assert message.fuzzy and message.string == AR["Most stones smaller than 5 mm pass on their own."]
    assert message.previous_id == ["Most stones smaller than 5 mm pass on their own."]


def test_translator_headers_survive_a_merge(tree):
    text = po(tree).read_text(encoding="utf-8").replace(
        '"Last-Translator: \\n"', '"Last-Translator: Amal <amal@example.org>\\n"\n"X-Generator: Poedit 3.4.2\\n"')
    po(tree).write_text(text, encoding="utf-8")
    edit_source(tree, "5 mm pass", "5 mm usually pass")
    update(tree, NOW)
    headers = dict(read_catalogue(po(tree)).header_fields)
    assert headers["Last-Translator"] == "Amal <amal@example.org>"
    assert headers["X-Generator"] == "Poedit 3.4.2"


def test_update_check_lists_stale_files_and_writes_nothing(tree):
    edit_source(tree, "5 mm pass", "5 mm usually pass")
    before = po(tree).read_bytes()
    report = update(tree, NOW, check=True)
    assert report.stale == [po(tree), template_path(tree.locales, "stones")]
    assert po(tree).read_bytes() == before


def test_babel_reads_what_is_written(tree):
    # The files are ordinary PO files: Babel's own read_po (as pybabel uses it) reads them the same.
    ours = read_catalogue(po(tree))
    theirs = read_po(BytesIO(po(tree).read_bytes()))
    assert [(m.id, m.string) for m in ours] == [(m.id, m.string) for m in theirs]


def test_a_header_date_babel_cannot_read_is_a_catalogue_error_at_the_header():
    data = b'msgid ""\nmsgstr ""\n"POT-Creation-Date: 2"\n"Language: ar\\n"\n'
    with pytest.raises(CatalogError) as caught:
        parse_catalogue(data, "locales/ar/LC_MESSAGES/x.po")
    assert str(caught.value).startswith("locales/ar/LC_MESSAGES/x.po:1: a header field cannot be read")


def test_a_catalogue_that_missed_a_merge_is_not_taken_for_a_typed_over_msgid(tree):
    from datetime import timedelta

    good = po(tree).read_text(encoding="utf-8")
    po(tree).write_text(good + "\nnot a PO line\n", encoding="utf-8")  # broken: not merged
    edit_source(tree, "5 mm pass", "5 mm usually pass")
    assert update(tree, NOW + timedelta(hours=1)).errors
    po(tree).write_text(good, encoding="utf-8")  # fixed: an older text than the template's
    report = update(tree, NOW + timedelta(hours=2))
    assert report.errors == [] and report.updated == [po(tree)]
    message = read_catalogue(po(tree)).get("Most stones smaller than 5 mm usually pass on their own.")
    assert message.fuzzy and message.string == AR["Most stones smaller than 5 mm pass on their own."]


@needs_gettext
def test_a_changed_msgctxt_is_written_as_previous_msgctxt_as_msgmerge_does(tmp_path):
    from babel.messages.catalog import Catalog, Message

    from .gettext_tools import msgmerge_update

    catalogue = new_catalogue(Catalog(), "ar", NOW)
    catalogue["fever"] = Message("fever", "حمى", context="signs", locations=[("sources/a.txt", 5)])
    template = Catalog()
    template.add("fever", context="signs:2", locations=[("sources/a.txt", 5)])
    ours = tmp_path / "ours.po"
    ours.write_bytes(render(catalogue))
    theirs = tmp_path / "theirs.po"
    theirs.write_bytes(render(catalogue))
    pot = tmp_path / "a.pot"
    pot.write_bytes(render(template))
    merge(catalogue, template)
    ours.write_bytes(render(catalogue))
    msgmerge_update(theirs, pot)
    entry = ('#: sources/a.txt:5\n#, fuzzy\n#| msgctxt "signs"\n#| msgid "fever"\nmsgctxt "signs:2"\n'
             'msgid "fever"\nmsgstr "حمى"\n')
    assert entry in ours.read_text(encoding="utf-8")
    assert entry in theirs.read_text(encoding="utf-8")
    again = read_catalogue(ours)  # read back: the previous msgctxt is kept through later merges
    merge(again, template)
    assert entry in render(again).decode("utf-8")


@pytest.mark.parametrize("slip, line_of", [
    ('msgid "Causes"\n"الأسباب"\nmsgstr ""', 'msgid "Causes"'),  # typed on a line of its own under msgid
    ('msgid "Causesالأسباب"\nmsgstr ""', 'msgid "Causesالأسباب"'),  # typed inside msgid's quotes
])
def test_a_translation_typed_on_the_msgid_lines_is_refused_with_its_line(tree, slip, line_of):
    text = po(tree).read_text(encoding="utf-8").replace('msgid "Causes"\nmsgstr "الأسباب"', slip)
    po(tree).write_text(text, encoding="utf-8")
    edit_source(tree, "5 mm pass", "5 mm usually pass")
    report = update(tree, NOW)
    line = text.splitlines().index(line_of) + 1
    assert [(e.path, e.line) for e in report.errors] == [(str(po(tree)), line)]
    assert "was the translation typed on the msgid line?" in report.errors[0].message
    assert po(tree).read_text(encoding="utf-8") == text  # not merged: nothing went obsolete
    slip_free = text.replace(slip, 'msgid "Causes"\nmsgstr "الأسباب"')
    with pytest.raises(CatalogError, match="text after the closing quote"):  # and on msgid's own line
        parse_catalogue(slip_free.replace('msgid "Causes"', 'msgid "Causes" "الأسباب"').encode(), "a.po")


def test_a_suggestion_made_in_one_locale_never_reaches_another(tree):
    init_locale(tree, "fr", NOW)
    edit_source(tree, "5 mm pass", "5 mm usually pass")
    update(tree, NOW)
    arabic = read_catalogue(po(tree)).get("Most stones smaller than 5 mm usually pass on their own.")
    french = read_catalogue(tree.locales / "fr" / "LC_MESSAGES" / "stones.po").get(
        "Most stones smaller than 5 mm usually pass on their own.")
    assert arabic.fuzzy and arabic.string == AR["Most stones smaller than 5 mm pass on their own."]
    assert french.string == "" and not french.fuzzy  # nothing was translated into French
    template = read_catalogue(template_path(tree.locales, "stones"))
    assert all(not m.string for m in template if m.id)
