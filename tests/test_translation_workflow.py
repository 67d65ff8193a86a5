"""The translator's workflow end to end, through the command line, on the bundled Arabic seed."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from whoosh import index as whoosh_index

from pipeline.catalogue.pofile import read_catalogue, render
from pipeline.files import write_file
from pipeline.cli import cli
from pipeline.engine.whoosh.index import INDEX_NAME

SEED = Path("sources/interventional-radiologist.txt")
SEED_PO = Path("locales/ar/LC_MESSAGES/interventional-radiologist.po")
SEED_SECTION = "what-does-an-interventional-radiologist-do"
PARAGRAPH = ("Once the radiological intervention is complete, the patients are usually followed up by "
             "ward or clinic doctors. Some interventions may warrant further imaging at a later date, "
             "and this will be arranged by the medical team.")
EDITED = PARAGRAPH.replace("usually followed up", "normally followed up")


def run(*args: str):
    return CliRunner().invoke(cli, list(args))


def ingest(expect: int = 0) -> str:
    result = run("ingest")
    assert result.exit_code == expect, result.output
    return result.output


def search(*args: str) -> dict:
    result = run("search", *args, "--json")
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")


def stored(article: str, locale: str | None = None) -> list[dict]:
    """The stored fields of an article's documents, sorted by key."""
    ix = whoosh_index.open_dir("index", indexname=INDEX_NAME)
    with ix.searcher() as searcher:
        docs = [dict(d) for d in searcher.documents(article=article)]
    return sorted((d for d in docs if locale is None or d["locale"] == locale), key=lambda d: d["key"])


@pytest.fixture
def ingested(seeded):
    assert ingest().startswith("4 added, 0 changed, 0 unchanged, 0 removed, 0 failed; 0 catalogue files written; "
                               "30 sections indexed (ar 15, en 15)")
    return seeded


def test_the_bundled_catalogues_are_in_step_and_clean(seeded, msgfmt):
    files = sorted(Path("locales").rglob("*.po*"))
    before = {path: path.read_bytes() for path in files}
    result = run("catalog", "update", "--check")
    assert result.exit_code == 0, result.output
    assert result.output == "all 8 templates and catalogues are in step with the sources\n"
    result = run("catalog", "check")
    assert result.exit_code == 0
    assert result.output == "0 errors, 0 warnings in 4 catalogues\n"
    ingest()
    assert {path: path.read_bytes() for path in files} == before  # ingest rewrote nothing
    for path in files:
        if path.suffix == ".po":
            msgfmt(path)


def test_unchanged_sources_leave_catalogues_byte_identical_and_skip_indexing(ingested):
    files = sorted(Path("locales").rglob("*.po*"))
    before = {path: (path.read_bytes(), path.stat().st_mtime_ns) for path in files}
    assert ingest().startswith("0 added, 0 changed, 4 unchanged, 0 removed, 0 failed; 0 catalogue files written; "
                               "0 sections indexed in")
    assert {path: (path.read_bytes(), path.stat().st_mtime_ns) for path in files} == before


def test_seed_search_in_arabic_finds_the_arabic_version_of_the_kidney_stones_section(ingested):
    hits = search("حصى الكلى", "--limit", "20")["hits"]
    seed = [h for h in hits if h["article"] == "interventional-radiologist"]
    assert [(h["section"], h["locale"], h["status"]) for h in seed] == [(SEED_SECTION, "ar", "translated")]
    assert seed[0]["heading"] == "ماذا يفعل اختصاصي الأشعة التداخلية؟"
    assert "حصى الكلى" in seed[0]["snippet"]
    assert seed[0]["path"] == "sources/interventional-radiologist.txt" and seed[0]["line"] == 15


def test_lang_ar_shows_arabic_versions_of_english_matches(ingested):
    hits = search("kidney stones", "--lang", "ar")["hits"]
    assert hits and {(h["locale"], h["status"]) for h in hits} == {("ar", "translated")}
    seed = [h for h in hits if h["article"] == "interventional-radiologist"]
    assert seed[0]["section"] == SEED_SECTION
    assert seed[0]["title"] == "من هو اختصاصي الأشعة التداخلية؟"
    # The same query without --lang shows each section in the version that matched: the English one.
    assert {h["status"] for h in search("kidney stones")["hits"]} == {"source"}


def test_edited_paragraph_becomes_fuzzy_and_its_section_partial(ingested, msgfmt):
    edit(SEED, PARAGRAPH, EDITED)
    output = ingest()
    assert output.startswith("0 added, 1 changed, 3 unchanged, 0 removed, 0 failed; 2 catalogue files written; "
                             "4 sections indexed (ar 2, en 2)")
    message = read_catalogue(SEED_PO).get(EDITED)
    assert message.fuzzy and message.previous_id == [PARAGRAPH]
    assert message.string.startswith("بعد اكتمال التدخل الإشعاعي")
    assert f'#| msgid ""\n#| "{PARAGRAPH[:60]}' in SEED_PO.read_text(encoding="utf-8")
    msgfmt(SEED_PO)
    section = [d for d in stored("interventional-radiologist", "ar") if d["section"] == SEED_SECTION][0]
    assert (section["status"], section["fallbacks"]) == ("partial", (3,))
    assert section["body"].split("\n\n")[3] == EDITED  # readers see the new English text, not the stale Arabic
    hit = [h for h in search("normally followed up ward clinic", "--lang", "ar")["hits"]
           if h["section"] == SEED_SECTION][0]
    assert (hit["locale"], hit["status"]) == ("ar", "partial")
    stats = json.loads(run("catalog", "stats", "--json").output)
    assert stats["locales"]["ar"]["articles"]["interventional-radiologist"]["messages"]["fuzzy"] == 1


def test_deleted_paragraph_goes_obsolete_and_returns_translated(ingested, msgfmt):
    original = SEED.read_text(encoding="utf-8")
    translation = read_catalogue(SEED_PO).get(PARAGRAPH).string
    edit(SEED, PARAGRAPH + "\n\n", "")
    ingest()
    catalogue = read_catalogue(SEED_PO)
    assert catalogue.get(PARAGRAPH) is None
    assert [(m.id, m.string) for m in catalogue.obsolete.values()] == [(PARAGRAPH, translation)]
    assert SEED_PO.read_text(encoding="utf-8").count("#~ msgid") == 1
    msgfmt(SEED_PO)
    SEED.write_text(original, encoding="utf-8")
    ingest()
    message = read_catalogue(SEED_PO).get(PARAGRAPH)
    assert message.string == translation and not message.fuzzy
    assert not read_catalogue(SEED_PO).obsolete
    section = [d for d in stored("interventional-radiologist", "ar") if d["section"] == SEED_SECTION][0]
    assert section["status"] == "translated"


def test_edit_then_delete_then_restore_comes_back_fuzzy_and_unpublished(ingested):
    original = SEED.read_text(encoding="utf-8")
    translation = read_catalogue(SEED_PO).get(PARAGRAPH).string
    edit(SEED, PARAGRAPH, EDITED)
    ingest()
    edit(SEED, EDITED + "\n\n", "")
    ingest()
    SEED.write_text(original, encoding="utf-8")
    ingest()
    message = read_catalogue(SEED_PO).get(PARAGRAPH)
    # Unreviewed since the edit (a translator may have changed it): a translator clears the flag.
    assert message.string == translation and message.fuzzy and message.previous_id == [PARAGRAPH]
    section = [d for d in stored("interventional-radiologist", "ar") if d["section"] == SEED_SECTION][0]
    assert (section["status"], section["body"].split("\n\n")[3]) == ("partial", PARAGRAPH)


def test_translator_edit_alone_reindexes_the_article(ingested):
    catalogue = read_catalogue(SEED_PO)
    catalogue.get("What does an Interventional Radiologist do?").string = "ما عمل اختصاصي الأشعة التداخلية؟"
    write_file(SEED_PO, render(catalogue))
    assert ingest().startswith("0 added, 1 changed, 3 unchanged")
    hits = search("عمل اختصاصي", "--lang", "ar")["hits"]
    assert any(h["heading"] == "ما عمل اختصاصي الأشعة التداخلية؟" for h in hits)


def test_broken_po_names_file_and_line_and_everything_else_is_indexed(seeded):
    text = SEED_PO.read_text(encoding="utf-8")
    line = text.splitlines().index('msgstr "من هو اختصاصي الأشعة التداخلية؟"') + 1
    SEED_PO.write_text(text.replace('msgstr "من هو اختصاصي الأشعة التداخلية؟"',
                                    'msgstr "من هو اختصاصي الأشعة التداخلية؟'), encoding="utf-8")
    output = ingest(expect=1)
    assert f"error: {SEED_PO}:{line}: unterminated string: the closing quote is missing" in output
    assert "4 added, 0 changed, 0 unchanged, 0 removed, 1 failed" in output
    assert SEED_PO.read_text(encoding="utf-8").count('الأشعة التداخلية؟\n') == 1  # the file is left as it is
    # Every other article is indexed in both locales; the seed in English (its Arabic is unreadable).
    for article in ("kidney-stones", "bile-duct-blockage", "fluoroscopy"):
        assert {d["locale"] for d in stored(article)} == {"en", "ar"}
    assert {d["locale"] for d in stored("interventional-radiologist")} == {"en"}
    assert "bile-duct-blockage" in {h["article"] for h in search("انسداد القناة الصفراوية", "--lang", "ar")["hits"]}
    # The error is reported again on every run until the file is fixed.
    assert "1 failed" in ingest(expect=1)
    check = run("catalog", "check")
    assert check.exit_code == 1
    assert f"{SEED_PO}:{line}: syntax: unterminated string" in check.output


def test_broken_po_keeps_the_last_good_arabic_documents(ingested):
    SEED_PO.write_text(SEED_PO.read_text(encoding="utf-8") + "\nnot a po line\n", encoding="utf-8")
    edit(SEED, "kidney stones", "renal calculi")
    assert "1 failed" in ingest(expect=1)
    assert {d["locale"] for d in stored("interventional-radiologist")} == {"en", "ar"}
    assert "interventional-radiologist" in {h["article"] for h in search("renal calculi")["hits"]}


def test_new_article_gets_a_template_and_catalogue_and_is_indexed_once(ingested):
    Path("sources/gallstones.txt").write_text(
        "Gallstones\n\nGallstones are hard deposits in the gallbladder.\n", encoding="utf-8")
    assert ingest().startswith("1 added, 0 changed, 4 unchanged, 0 removed, 0 failed; 2 catalogue files written; "
                               "1 sections indexed (en 1)")
    assert Path("locales/templates/gallstones.pot").exists()
    assert read_catalogue(Path("locales/ar/LC_MESSAGES/gallstones.po")).get("Gallstones").string == ""
    assert [d["locale"] for d in stored("gallstones")] == ["en"]
    hit = search("gallbladder deposits", "--lang", "ar")["hits"][0]
    assert (hit["article"], hit["locale"], hit["status"]) == ("gallstones", "en", "fallback")


def test_removed_article_loses_its_template_but_keeps_its_translations(ingested):
    Path("sources/fluoroscopy.md").unlink()
    assert ingest().startswith("0 added, 0 changed, 3 unchanged, 1 removed")
    assert not Path("locales/templates/fluoroscopy.pot").exists()
    assert Path("locales/ar/LC_MESSAGES/fluoroscopy.po").exists()
    assert stored("fluoroscopy") == []


def test_catalog_init_starts_a_locale_and_rejects_unknown_ones(seeded, msgfmt):
    result = run("catalog", "init", "xx-bogus")
    assert result.exit_code == 1
    assert result.output.startswith("Error: unknown locale 'xx-bogus' (use a language code")
    assert not Path("locales/xx-bogus").exists() and not Path("locales/xx_bogus").exists()
    result = run("catalog", "init", "fr")
    assert result.exit_code == 0, result.output
    assert result.output == "fr: 4 catalogues created in locales/fr/LC_MESSAGES\n"
    for path in sorted(Path("locales/fr/LC_MESSAGES").glob("*.po")):
        msgfmt(path)
        # As GNU gettext, Poedit and Weblate write French plurals.
        assert '"Plural-Forms: nplurals=2; plural=(n > 1);\\n"' in path.read_text(encoding="utf-8")
    assert ingest().startswith("4 added")  # nothing is translated into French: no fr documents
    assert not [d for d in stored("kidney-stones") if d["locale"] == "fr"]


def test_catalog_update_check_and_update(seeded):
    edit(SEED, PARAGRAPH, EDITED)
    result = run("catalog", "update", "--check")
    assert result.exit_code == 1
    assert result.output == (f"stale: {SEED_PO} (would be updated)\n"
                             "stale: locales/templates/interventional-radiologist.pot (would be updated)\n"
                             "2 files out of step with the sources; run `pipeline catalog update`\n")
    result = run("catalog", "update")
    assert result.exit_code == 0
    assert result.output.endswith("0 created, 2 updated, 0 removed, 6 unchanged\n")
    assert run("catalog", "update", "--check").exit_code == 0


def test_catalog_compile_leaves_fuzzy_out_unless_asked(ingested, tmp_path):
    from babel.messages.mofile import read_mo

    edit(SEED, PARAGRAPH, EDITED)
    ingest()
    result = run("catalog", "compile")
    assert result.exit_code == 0
    assert result.output == "4 catalogues compiled to .mo (fuzzy translations left out)\n"
    mo = Path("locales/ar/LC_MESSAGES/interventional-radiologist.mo")
    with open(mo, "rb") as f:
        assert read_mo(f).get(EDITED) is None
    run("catalog", "compile", "--use-fuzzy")
    with open(mo, "rb") as f:
        assert read_mo(f).get(EDITED).string.startswith("بعد اكتمال")


def test_ingest_is_idempotent_after_every_kind_of_change(ingested):
    edit(SEED, PARAGRAPH, EDITED)
    ingest()
    assert re.match(r"0 added, 0 changed, 4 unchanged, 0 removed, 0 failed; 0 catalogue files written", ingest())


def test_catalog_init_of_a_started_locale_says_it_is_started(seeded):
    result = run("catalog", "init", "ar")
    assert result.exit_code == 0, result.output
    assert result.output == ("ar: already started (4 catalogues in locales/ar/LC_MESSAGES); "
                             "0 catalogues created for new articles\n")


def test_a_locale_tag_with_a_hyphen_or_an_underscore_is_the_same_locale_in_every_command(seeded):
    assert run("catalog", "init", "ar-EG").output == "ar_EG: 4 catalogues created in locales/ar_EG/LC_MESSAGES\n"
    assert run("catalog", "init", "ar_EG").output.startswith("ar_EG: already started (4 catalogues")
    outputs = {}
    for tag in ("ar-EG", "ar_EG"):
        outputs[tag] = [run("catalog", *command, "--locale", tag).output
                        for command in (["stats", "--json"], ["check"], ["compile"])]
    assert outputs["ar-EG"] == outputs["ar_EG"]
    assert json.loads(outputs["ar-EG"][0])["locales"].keys() == {"ar_EG"}
    assert outputs["ar-EG"][2] == "4 catalogues compiled to .mo (fuzzy translations left out)\n"


def test_a_translation_typed_on_the_msgid_line_is_named_and_nothing_is_merged(seeded):
    heading = "What does an Interventional Radiologist do?"
    text = SEED_PO.read_text(encoding="utf-8")
    line = text.splitlines().index(f'msgid "{heading}"') + 1
    slip = text.replace(f'msgid "{heading}"', 'msgid "ماذا يفعل اختصاصي الأشعة التداخلية؟"')
    SEED_PO.write_text(slip, encoding="utf-8")
    edit(SEED, PARAGRAPH, EDITED)  # the next ingest merges the catalogue
    output = ingest(expect=1)
    assert (f"error: {SEED_PO}:{line}: msgid “ماذا يفعل اختصاصي الأشعة التداخلية؟” is not a text of the "
            "source article: was the translation typed on the msgid line? (put the source text back on "
            "the msgid line and the translation on the msgstr line (`git diff` shows what changed))") in output
    assert SEED_PO.read_text(encoding="utf-8") == slip  # left as the translator saved it
    result = run("catalog", "check")
    assert result.exit_code == 1
    assert f"{SEED_PO}:{line}: msgid: msgid “ماذا يفعل" in result.output


def test_an_edited_msgid_in_the_same_script_is_named_when_the_catalogue_was_in_step(seeded):
    run("catalog", "init", "fr")
    po = Path("locales/fr/LC_MESSAGES/interventional-radiologist.po")
    text = po.read_text(encoding="utf-8")
    slip = text.replace('msgid "What is an Interventional Radiologist?"',
                        'msgid "Qu\'est-ce qu\'un radiologue interventionnel ?"')
    po.write_text(slip, encoding="utf-8")
    edit(SEED, PARAGRAPH, EDITED)
    assert "interventional-radiologist.po:19: msgid “Qu'est-ce qu'un radiologue intervention…” is not a text" in ingest(expect=1)
    assert po.read_text(encoding="utf-8") == slip
