"""Nothing unreviewed reaches a reader: fuzzy stays fuzzy in every state a file can be in (live or
obsolete, written by us, msgmerge, msgcat or Translate Toolkit), through every path that brings a
translation back. Between steps, files are saved by the real tools."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.catalogue.folder import catalogue_path, template_path, update
from pipeline.catalogue.localize import localize
from pipeline.catalogue.pofile import LEGACY_FUZZY_NOTE, read_catalogue
from pipeline.config import Config
from pipeline.sources import discover, load_article

from .conftest import NOW
from .gettext_tools import msgmerge_update, needs_gettext, resave_with_msgcat

TWO = "Drink 2 litres of water a day."
THREE = "Drink at least 3 litres of water a day."
ARTICLE = "Kidney stones\n\nStones form when the urine is concentrated.\n\n{drink}\n\nSee a doctor about pain.\n"
AR_TWO = "اشرب لترين من الماء يوميًا."
AR_STONES = "تتكون الحصى عندما يكون البول مركزًا."

pytestmark = needs_gettext


@pytest.fixture
def project(tmp_path):
    (tmp_path / "sources").mkdir()
    config = Config(sources=tmp_path / "sources", locales=tmp_path / "locales", index=tmp_path / "index")
    write_source(config, TWO)
    (config.locales / "ar" / "LC_MESSAGES").mkdir(parents=True)
    update(config, NOW)
    po = catalogue_path(config.locales, "ar", "stones")
    text = po.read_text(encoding="utf-8")
    for msgid, msgstr in ((TWO, AR_TWO), ("Stones form when the urine is concentrated.", AR_STONES)):
        text = text.replace(f'msgid "{msgid}"\nmsgstr ""', f'msgid "{msgid}"\nmsgstr "{msgstr}"')
    po.write_text(text, encoding="utf-8")
    return config


def write_source(config: Config, drink: str | None, extra: str = "") -> None:
    text = ARTICLE.format(drink=drink) if drink else ARTICLE.replace("{drink}\n\n", "")
    (config.sources / "stones.txt").write_text(text.replace("pain.", f"pain{extra}."), encoding="utf-8")


def po(config: Config) -> Path:
    return catalogue_path(config.locales, "ar", "stones")


def tool_merge(config: Config, drink: str | None, extra: str = "") -> None:
    """Change the source, and let the translator's tool (msgmerge) merge the new template."""
    saved = po(config).read_bytes()
    write_source(config, drink, extra)
    update(config, NOW)  # the new template (and our merge, which the tool's replaces)
    po(config).write_bytes(saved)
    msgmerge_update(po(config), template_path(config.locales, "stones"))


def shown(config: Config) -> list[str]:
    """What an Arabic reader sees, paragraph by paragraph."""
    article = load_article(discover(config.sources)[0], config.sources)
    localized = localize(article, "ar", read_catalogue(po(config)))
    return [p.text for section in localized.sections for p in section.section.paragraphs]


def test_the_reproduction_an_obsolete_fuzzy_entry_from_msgmerge_is_never_published(project):
    # The source says "at least 3" instead of "2": the translator's msgmerge keeps the old
    # translation as fuzzy; then the paragraph goes, and msgmerge makes it obsolete, still fuzzy.
    tool_merge(project, THREE)
    tool_merge(project, None)
    text = po(project).read_text(encoding="utf-8")
    assert f'#, fuzzy\n#~| msgid "{TWO}"\n#~ msgid "{THREE}"\n#~ msgstr "{AR_TWO}"\n' in text
    # An unrelated edit: the pipeline rewrites the file, and the entry keeps its standard form.
    write_source(project, None, extra=" at once")
    assert update(project, NOW).updated
    text = po(project).read_text(encoding="utf-8")
    assert f'#, fuzzy\n#~| msgid "{TWO}"\n#~ msgid "{THREE}"\n#~ msgstr "{AR_TWO}"\n' in text
    # The paragraph comes back: its unreviewed "2 litres" is not shown for "at least 3".
    write_source(project, THREE, extra=" at once")
    update(project, NOW)
    message = read_catalogue(po(project)).get(THREE)
    assert (message.string, message.fuzzy, message.previous_id) == (AR_TWO, True, [TWO])
    assert AR_TWO not in shown(project) and THREE in shown(project)


@pytest.mark.parametrize("resave", ["msgcat", "msgcat --no-wrap", "translate-toolkit"])
def test_an_obsolete_fuzzy_entry_comes_back_fuzzy_after_any_tool_saved_it(project, resave):
    update(project, NOW)
    write_source(project, THREE)
    update(project, NOW)  # ours: fuzzy, #| the text it was written for
    write_source(project, None)
    update(project, NOW)  # ours: obsolete, fuzzy
    save(po(project), resave)
    assert read_catalogue(po(project)).obsolete[THREE].fuzzy
    write_source(project, THREE)
    update(project, NOW)
    message = read_catalogue(po(project)).get(THREE)
    assert message.fuzzy and message.string == AR_TWO
    assert AR_TWO not in shown(project)


@pytest.mark.parametrize("resave", ["msgcat", "translate-toolkit"])
def test_a_reverted_edit_stays_fuzzy_through_tool_saves(project, resave):
    update(project, NOW)
    write_source(project, THREE)
    update(project, NOW)
    save(po(project), resave)
    write_source(project, TWO)  # the edit is reverted: the text the translation was written for
    update(project, NOW)
    message = read_catalogue(po(project)).get(TWO)
    assert (message.string, message.fuzzy) == (AR_TWO, True)
    assert AR_TWO not in shown(project)


def test_the_text_a_fuzzy_obsolete_translation_was_written_for_brings_it_back_fuzzy(project):
    tool_merge(project, THREE)  # fuzzy THREE, #| TWO (msgmerge's form)
    tool_merge(project, None)  # obsolete, fuzzy
    resave_with_msgcat(po(project))
    write_source(project, TWO)  # the text the translation was written for
    update(project, NOW)
    catalogue = read_catalogue(po(project))
    message = catalogue.get(TWO)
    assert (message.string, message.fuzzy) == (AR_TWO, True)
    assert not catalogue.obsolete  # revived, not kept twice
    assert AR_TWO not in shown(project)


def test_msgmerge_reviving_a_fuzzy_obsolete_entry_then_our_merge_keeps_it_fuzzy(project):
    tool_merge(project, THREE)
    tool_merge(project, None)
    tool_merge(project, THREE)  # msgmerge brings the obsolete entry back itself
    assert read_catalogue(po(project)).get(THREE).fuzzy
    write_source(project, THREE, extra=" at once")
    update(project, NOW)
    assert read_catalogue(po(project)).get(THREE).fuzzy
    assert AR_TWO not in shown(project)


def test_a_reviewed_obsolete_translation_comes_back_reviewed(project):
    update(project, NOW)
    write_source(project, None)
    update(project, NOW)
    resave_with_msgcat(po(project))
    assert not read_catalogue(po(project)).obsolete[TWO].fuzzy
    write_source(project, TWO)
    update(project, NOW)
    message = read_catalogue(po(project)).get(TWO)
    assert (message.string, message.fuzzy) == (AR_TWO, False)
    assert AR_TWO in shown(project)


@pytest.mark.parametrize("form", [
    "#, fuzzy\n#~ msgid \"{msgid}\"\n#~ msgstr \"{msgstr}\"\n",  # gettext's
    "#~ #, fuzzy\n#~ msgid \"{msgid}\"\n#~ msgstr \"{msgstr}\"\n",  # flags under #~, as some tools write them
    "# " + LEGACY_FUZZY_NOTE + "\n#~ msgid \"{msgid}\"\n#~ msgstr \"{msgstr}\"\n",  # older versions of this pipeline
])
def test_every_written_form_of_an_unreviewed_obsolete_entry_is_read_as_fuzzy(project, form):
    update(project, NOW)
    write_source(project, None)
    update(project, NOW)
    text = po(project).read_text(encoding="utf-8")
    reviewed = f'#~ msgid "{TWO}"\n#~ msgstr "{AR_TWO}"\n'
    assert reviewed in text
    po(project).write_text(text.replace(reviewed, form.format(msgid=TWO, msgstr=AR_TWO)), encoding="utf-8")
    write_source(project, None, extra=" at once")  # an unrelated edit rewrites the file
    update(project, NOW)
    assert f'#, fuzzy\n#~ msgid "{TWO}"\n' in po(project).read_text(encoding="utf-8")
    write_source(project, TWO)
    update(project, NOW)
    message = read_catalogue(po(project)).get(TWO)
    assert message.fuzzy and LEGACY_FUZZY_NOTE not in message.user_comments
    assert AR_TWO not in shown(project)


def test_an_obsolete_fuzzy_translation_offered_for_a_similar_paragraph_stays_fuzzy(project):
    tool_merge(project, THREE)
    tool_merge(project, None)
    write_source(project, "Drink at least 3 litres of water every day.")
    update(project, NOW)
    message = read_catalogue(po(project)).get("Drink at least 3 litres of water every day.")
    assert message.fuzzy and message.string == AR_TWO
    assert AR_TWO not in shown(project)


def save(path: Path, tool: str) -> None:
    """Save a catalogue as a translator's tool would, changing nothing in it."""
    if tool == "translate-toolkit":
        from translate.storage import pypo

        store = pypo.pofile.parsefile(str(path))
        for unit in store.units:
            unit.target = unit.target  # touched: written again in the toolkit's own layout
        path.write_bytes(bytes(store))
    else:
        resave_with_msgcat(path, *tool.split()[1:])
