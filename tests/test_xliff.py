"""XLIFF 1.2 out to CAT tools and back: what is kept, what a translator's tool may change, and what
is refused (a unit for text that changed, a catalogue entry changed since the export)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from lxml import etree

from pipeline.catalogue.pofile import read_catalogue, render
from pipeline.catalogue.xliff import NS, export_xliff, unit_id
from pipeline.cli import cli
from pipeline.files import write_file

from .conftest import ROOT

SCHEMA_DIR = ROOT.parent / "shared" / "xliff"
AR = Path("locales/ar/LC_MESSAGES")
X = f"{{{NS}}}"
SEED_PO = AR / "interventional-radiologist.po"


@pytest.fixture
def waiting(seeded):
    """The seed article with a fuzzy message (a paragraph edited) and an untranslated one (added)."""
    source = Path("sources/interventional-radiologist.txt")
    text = source.read_text(encoding="utf-8").replace("usually followed up", "normally followed up")
    source.write_text(text + "\n\nAsk your doctor which kind of imaging suits you.\n", encoding="utf-8")
    run("catalog", "update")
    return seeded


def targets(tree) -> int:
    """How many units of an exported file have a target."""
    return sum(1 for unit in tree.iter(f"{X}trans-unit") if unit.find(f"{X}target") is not None)


def run(*args: str, expect: int = 0) -> str:
    result = CliRunner().invoke(cli, list(args))
    assert result.exit_code == expect, result.output
    return result.output


def export(path: Path, *options: str) -> etree._ElementTree:
    run("catalog", "xliff", "export", str(path), "--locale", "ar", *options)
    return etree.parse(str(path))


def unit_for(tree, msgid: str):
    return next(u for u in tree.iter(f"{X}trans-unit") if u.find(f"{X}source").text == msgid)


def save(tree, path: Path) -> None:
    path.write_bytes(etree.tostring(tree, xml_declaration=True, encoding="UTF-8"))


@pytest.mark.skipif(not SCHEMA_DIR.is_dir(), reason="../shared/xliff (the OASIS XLIFF 1.2 schema) is not beside this clone")
def test_export_validates_against_the_oasis_schema(waiting, tmp_path):
    xsd = (SCHEMA_DIR / "xliff-core-1.2-strict.xsd").read_bytes().replace(
        b'schemaLocation="http://www.w3.org/2001/xml.xsd"', b'schemaLocation="xml.xsd"')
    schema = etree.XMLSchema(etree.fromstring(xsd, base_url=str(SCHEMA_DIR.resolve() / "x.xsd")))
    tree = export(tmp_path / "ar.xlf")
    assert schema.validate(tree), schema.error_log
    # A plural message, a msgctxt and a fuzzy one with its previous msgid validate too.
    catalogue = read_catalogue(SEED_PO)
    catalogue.add(("%d stone", "%d stones"), ("حصاة", "حصاة", "حصاتان", "%d حصوات", "%d حصاة", "%d حصاة"),
                  context="count")
    write_file(SEED_PO, render(catalogue))
    assert schema.validate(export(tmp_path / "plural.xlf")), schema.error_log


def test_export_keeps_msgctxt_source_line_notes_and_fuzzy_state(waiting, tmp_path):
    catalogue = read_catalogue(SEED_PO)
    fuzzy = next(m for m in catalogue if m.id and m.fuzzy)
    tree = export(tmp_path / "ar.xlf")
    unit = unit_for(tree, fuzzy.id)
    assert unit.get("approved") == "no" and unit.find(f"{X}target").get("state") == "needs-review-translation"
    assert unit.find(f"{X}alt-trans/{X}source").text == fuzzy.previous_id[0]
    contexts = {c.get("context-type"): c.text for c in unit.iter(f"{X}context")}
    assert contexts == {"sourcefile": "sources/interventional-radiologist.txt", "linenumber": str(fuzzy.locations[0][1])}
    assert [n.text for n in unit.findall(f"{X}note")] == fuzzy.auto_comments + fuzzy.user_comments
    untranslated = next(m for m in catalogue if m.id and not m.string)
    assert unit_for(tree, untranslated.id).find(f"{X}target") is None
    catalogue.add("Back to top", "العودة إلى الأعلى", context="footer")
    write_file(SEED_PO, render(catalogue))
    tree = export(tmp_path / "ctx.xlf")
    unit = unit_for(tree, "Back to top")
    assert {c.get("context-type"): c.text for c in unit.iter(f"{X}context")}["x-po-msgctxt"] == "footer"


def test_waiting_only_exports_fuzzy_and_untranslated(waiting, tmp_path):
    output = run("catalog", "xliff", "export", str(tmp_path / "w.xlf"), "--locale", "ar", "--waiting")
    assert output == f"2 units (1 fuzzy, 1 untranslated) from 1 catalogues written to {tmp_path / 'w.xlf'}\n"


def test_round_trip_applies_confirmed_units_and_keeps_the_others_unreviewed(waiting, tmp_path, msgfmt):
    path = tmp_path / "ar.xlf"
    tree = export(path)
    catalogue = read_catalogue(SEED_PO)
    fuzzy = next(m for m in catalogue if m.id and m.fuzzy)
    untranslated = next(m for m in catalogue if m.id and not m.string)
    # The translator confirms the fuzzy unit and translates the untranslated one in the CAT tool.
    unit = unit_for(tree, fuzzy.id)
    unit.set("approved", "yes")
    unit.find(f"{X}target").set("state", "translated")
    unit = unit_for(tree, untranslated.id)
    target = etree.SubElement(unit, f"{X}target", state="translated")
    target.text = "نص مترجم"
    unit.remove(target)
    unit.insert(1, target)
    save(tree, path)
    assert run("catalog", "xliff", "import", str(path)) == (
        f"updated: {SEED_PO}\n2 translated, 0 fuzzy, {targets(tree) - 2} unchanged, 0 refused\n")
    after = read_catalogue(SEED_PO)
    assert not after.get(fuzzy.id).fuzzy and after.get(fuzzy.id).string == fuzzy.string
    assert not after.get(fuzzy.id).previous_id
    assert after.get(untranslated.id).string == "نص مترجم" and not after.get(untranslated.id).fuzzy
    msgfmt(SEED_PO)
    # Imported again: nothing changes.
    before = SEED_PO.read_bytes()
    tree = export(path)
    assert run("catalog", "xliff", "import", str(path)) == f"0 translated, 0 fuzzy, {targets(tree)} unchanged, 0 refused\n"
    assert SEED_PO.read_bytes() == before


def test_an_untouched_fuzzy_unit_and_a_tool_filled_match_stay_fuzzy(waiting, tmp_path):
    path = tmp_path / "ar.xlf"
    tree = export(path)
    catalogue = read_catalogue(SEED_PO)
    untranslated = next(m for m in catalogue if m.id and not m.string)
    unit = unit_for(tree, untranslated.id)
    target = etree.Element(f"{X}target", {"state": "translated", "state-qualifier": "leveraged-tm"})
    target.text = "ترجمة من ذاكرة الأداة"
    unit.insert(1, target)
    save(tree, path)
    run("catalog", "xliff", "import", str(path))
    after = read_catalogue(SEED_PO)
    assert after.get(untranslated.id).fuzzy and after.get(untranslated.id).string == "ترجمة من ذاكرة الأداة"
    fuzzy = next(m for m in catalogue if m.id and m.fuzzy)
    assert after.get(fuzzy.id).fuzzy


def test_a_tool_that_keeps_no_state_works_as_poedit(waiting, tmp_path):
    path = tmp_path / "ar.xlf"
    tree = export(path)
    catalogue = read_catalogue(SEED_PO)
    fuzzy = next(m for m in catalogue if m.id and m.fuzzy)
    for unit in tree.iter(f"{X}trans-unit"):
        unit.attrib.pop("approved", None)
        if unit.find(f"{X}target") is not None:
            unit.find(f"{X}target").attrib.pop("state", None)
    save(tree, path)
    run("catalog", "xliff", "import", str(path))
    assert read_catalogue(SEED_PO).get(fuzzy.id).fuzzy  # untouched: still fuzzy
    unit_for(tree, fuzzy.id).find(f"{X}target").text = "ترجمة راجعها المترجم"
    save(tree, path)
    run("catalog", "xliff", "import", str(path))
    edited = read_catalogue(SEED_PO).get(fuzzy.id)
    assert not edited.fuzzy and edited.string == "ترجمة راجعها المترجم"  # edited: the translator's review


def test_a_unit_whose_source_changed_is_refused_and_the_others_applied(waiting, tmp_path):
    path = tmp_path / "ar.xlf"
    tree = export(path)
    catalogue = read_catalogue(SEED_PO)
    untranslated = next(m for m in catalogue if m.id and not m.string)
    title = next(m for m in catalogue if m.id)
    unit = unit_for(tree, untranslated.id)
    target = etree.Element(f"{X}target", state="translated")
    target.text = "ترجمة"
    unit.insert(1, target)
    unit = unit_for(tree, title.id)
    unit.find(f"{X}target").text = "عنوان جديد"
    save(tree, path)
    # Meanwhile the editor changes the untranslated paragraph's text.
    source = Path("sources/interventional-radiologist.txt")
    text = source.read_text(encoding="utf-8")
    source.write_text(text.replace(untranslated.id[:40], untranslated.id[:40].upper(), 1), encoding="utf-8")
    run("catalog", "update")
    result = CliRunner().invoke(cli, ["catalog", "xliff", "import", str(path)])
    assert result.exit_code == 1
    line = unit_for(tree, untranslated.id).sourceline
    assert re.search(rf"error: {re.escape(str(path))}:\d+: unit {unit_id(untranslated)}: its source no longer "
                     rf"matches any message of {re.escape(str(SEED_PO))} .*\(the article changed since the export: "
                     r"export again and translate the new text\)", result.output), result.output
    assert line
    assert result.output.endswith(f"1 translated, 0 fuzzy, {targets(tree) - 2} unchanged, 1 refused\n")
    assert read_catalogue(SEED_PO).get(title.id).string == "عنوان جديد"


def test_a_unit_whose_catalogue_entry_changed_since_the_export_is_refused(waiting, tmp_path):
    path = tmp_path / "ar.xlf"
    tree = export(path)
    catalogue = read_catalogue(SEED_PO)
    title = next(m for m in catalogue if m.id)
    unit_for(tree, title.id).find(f"{X}target").text = "عنوان من أداة الترجمة"
    save(tree, path)
    catalogue.get(title.id).string = "عنوان صححه مترجم آخر"
    write_file(SEED_PO, render(catalogue))
    result = CliRunner().invoke(cli, ["catalog", "xliff", "import", str(path)])
    assert result.exit_code == 1
    assert "changed since the export (export again, or copy this translation into the catalogue by hand)" in result.output
    assert read_catalogue(SEED_PO).get(title.id).string == "عنوان صححه مترجم آخر"  # the translator's work stays


def test_a_file_for_another_project_is_refused_whole(waiting, tmp_path):
    path = tmp_path / "ar.xlf"
    tree = export(path)
    next(tree.iter(f"{X}file")).set("original", "../../etc/passwd")
    save(tree, path)
    result = CliRunner().invoke(cli, ["catalog", "xliff", "import", str(path)])
    assert result.exit_code == 1
    assert "<file original='../../etc/passwd'> is not a catalogue under locales" in result.output


def test_export_is_deterministic(waiting, tmp_path):
    export_xliff(Path("locales"), "ar", tmp_path / "a.xlf")
    export_xliff(Path("locales"), "ar", tmp_path / "b.xlf")
    assert (tmp_path / "a.xlf").read_bytes() == (tmp_path / "b.xlf").read_bytes()
