"""The concept table as a termbase: preferred terms and definitions, TBX out and in, glossaries merged."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from pipeline.cli import cli
from pipeline.concepts import default_concepts, parse_concepts, read_concepts
from pipeline.errors import ConceptError
from pipeline.search.query import parse_query
from pipeline.termbase import import_terms, read_entries

from .conftest import ROOT

TABLE = ROOT / "pipeline" / "data" / "concepts.csv"
GLOSSARY = ROOT.parent / "shared" / "corpus" / "glossary-tico19-covid-en-ar.jsonl"
HEADER = "english,arabic,abbreviations"


def run(*args: str, expect: int = 0) -> str:
    result = CliRunner().invoke(cli, list(args))
    assert result.exit_code == expect, result.output
    return result.output


def test_a_table_of_the_three_first_columns_still_reads():
    table = parse_concepts(f"{HEADER}\nkidney stones,حصى الكلى,\n")
    concept = table.concepts[0]
    assert concept.preferred == () and concept.definition == ""
    assert concept.preferred_term("ar") == "حصى الكلى" and concept.preferred_term("fr") is None


def test_preferred_terms_and_a_definition_are_read_and_checked():
    table = parse_concepts(f"{HEADER},preferred,definition\n"
                           "kidney stones | renal calculi,حصى الكلى | حصوات الكلى,,ar: حصوات الكلى,Hard deposits.\n")
    concept = table.concepts[0]
    assert concept.preferred_term("ar") == "حصوات الكلى" and concept.preferred_term("en") == "kidney stones"
    assert concept.definition == "Hard deposits."
    with pytest.raises(ConceptError) as caught:
        parse_concepts(f"{HEADER},preferred\nkidney stones,حصى الكلى,,ar: حصاة\n", "t.csv")
    assert str(caught.value).startswith("t.csv:2: preferred term 'حصاة' is not one of the row's arabic terms")
    with pytest.raises(ConceptError):
        parse_concepts(f"{HEADER},colour\nkidney stones,حصى الكلى,\n")


def test_search_reads_a_table_with_the_new_columns():
    table = parse_concepts(f"{HEADER},preferred\nkidney stones | nephrolithiasis,حصى الكلى,,ar: حصى الكلى\n")
    parsed = parse_query("kidney stones", table)
    assert {variant.text for match in parsed.concepts for variant in match.alternatives} == {"nephrolithiasis"}


def test_the_shipped_table_goes_out_as_tbx_and_back_unchanged(tmp_path):
    out = tmp_path / "terms.tbx"
    assert run("termbase", "export", str(out)) == f"{len(default_concepts())} concepts written to {out}\n"
    text = out.read_text(encoding="utf-8")
    assert '<martif type="TBX-Basic"' in text and "preferredTerm-admn-sts" in text and ">abbreviation<" in text
    copy = tmp_path / "concepts.csv"
    copy.write_bytes(TABLE.read_bytes())
    output = run("termbase", "import", str(out), "--table", str(copy))
    assert output.endswith(f"0 rows added, 0 rows given new terms, {len(default_concepts())} already in the table, "
                           f"0 skipped; {copy} unchanged\n")
    assert copy.read_bytes() == TABLE.read_bytes()


TBX_2019 = """<?xml version="1.0" encoding="UTF-8"?>
<tbx type="TBX-Basic" style="dca" xml:lang="en" xmlns="urn:iso:std:iso:30042:ed-2">
 <tbxHeader><fileDesc><sourceDesc><p>x</p></sourceDesc></fileDesc></tbxHeader>
 <text><body>
  <conceptEntry id="1">
   <descrip type="definition">Washing the hands with soap and water.</descrip>
   <langSec xml:lang="en"><termSec><term>hand washing</term>
     <termNote type="administrativeStatus">preferredTerm-admn-sts</termNote></termSec>
     <termSec><term>handwashing</term></termSec></langSec>
   <langSec xml:lang="ar-SA"><termSec><term>غسيل اليدين</term></termSec>
     <termSec><term>غسل اليدين</term><termNote type="administrativeStatus">preferredTerm-admn-sts</termNote></termSec></langSec>
   <langSec xml:lang="fr"><termSec><term>lavage des mains</term></termSec></langSec>
  </conceptEntry>
 </body></text>
</tbx>
"""

TBX_MIN = """<?xml version="1.0" encoding="UTF-8"?>
<TBX dialect="TBX-Min"><header><languages source="en" target="ar"/></header><body>
 <entry id="e1"><langGroup xml:lang="en"><termGroup><term>face mask</term><termStatus>preferred</termStatus></termGroup></langGroup>
 <langGroup xml:lang="ar"><termGroup><term>كمامة</term><termStatus>preferred</termStatus></termGroup></langGroup></entry>
</body></TBX>
"""


@pytest.mark.parametrize("text", [TBX_2019, TBX_MIN])
def test_tbx_2019_and_tbx_min_are_read(tmp_path, text):
    path = tmp_path / "in.tbx"
    path.write_text(text, encoding="utf-8")
    entries = read_entries(path)
    assert len(entries) == 1 and set(entries[0].terms) == {"en", "ar"}  # French: no column for it
    table = tmp_path / "t.csv"
    table.write_text(f"{HEADER}\nkidney,كلية,\n", encoding="utf-8")
    report = import_terms(path, table)
    assert report.added == 1
    concept = read_concepts(table).concepts[-1]
    if text is TBX_2019:
        assert concept.english == ("hand washing", "handwashing")
        assert concept.preferred_term("ar") == "غسل اليدين" and concept.definition.startswith("Washing")


def test_a_glossary_merges_into_the_rows_it_shares_terms_with(tmp_path):
    table = tmp_path / "t.csv"
    table.write_text(f"# A comment stays.\n{HEADER}\nfever,الحمى,\ncontagious,معدٍ,\n", encoding="utf-8")
    glossary = tmp_path / "g.jsonl"
    records = [
        {"en": "fever", "ar": "ارتفاع درجة الحرارة", "direction": "en>ar"},       # a new Arabic synonym
        {"en": "social distancing", "ar": "التباعد الاجتماعي", "direction": "en>ar"},  # a new concept
        {"en": "contagiousness", "ar": "قابلية انتقال العدوى", "direction": "en>ar"},  # only a stem in common
        {"en": "acute respiratory distress syndrome", "ar": "متلازمة الضائقة التنفسية الحادة (ARDS)",
         "direction": "en>ar", "description": "A lung injury."},
    ]
    glossary.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in records) + "\n", encoding="utf-8")
    output = run("termbase", "import", str(glossary), "--table", str(table))
    assert ("skipped: g.jsonl:3: 'contagiousness' is searched as a term of the row at line 4 but is another word"
            in output)
    assert output.endswith(f"4 entries read: 2 rows added, 1 rows given new terms, 0 already in the table, "
                           f"1 skipped; {table} written\n")
    lines = table.read_text(encoding="utf-8").splitlines()
    # The table's own preferred term (its first) stays: a COVID glossary does not decide how
    # "fever" is said everywhere.
    assert lines[:4] == ["# A comment stays.", f"{HEADER},definition",
                         "fever,الحمى | ارتفاع درجة الحرارة,", "contagious,معدٍ,"]
    assert lines[5] == "# --- Imported from g.jsonl ---"
    concepts = read_concepts(table).concepts
    ards = concepts[-1]
    assert ards.arabic == ("متلازمة الضائقة التنفسية الحادة",) and ards.abbreviations == ("ARDS",)
    assert ards.definition == "A lung injury."


def test_a_row_given_new_terms_keeps_its_everyday_words(tmp_path):
    table = tmp_path / "t.csv"
    table.write_text(f"{HEADER},lay\nfever,الحمى,,feverish | سخونية\n", encoding="utf-8")
    glossary = tmp_path / "g.jsonl"
    glossary.write_text(json.dumps({"en": "fever", "ar": "ارتفاع درجة الحرارة"}, ensure_ascii=False) + "\n",
                        encoding="utf-8")
    run("termbase", "import", str(glossary), "--table", str(table))
    assert table.read_text(encoding="utf-8").splitlines()[1] == \
        "fever,الحمى | ارتفاع درجة الحرارة,,feverish | سخونية"
    assert read_concepts(table).concepts[0].lay == ("feverish", "سخونية")


@pytest.mark.skipif(not GLOSSARY.exists(), reason="../shared/corpus (the COVID-19 glossary) is not beside this clone")
def test_the_covid_glossary_imports_into_a_copy_of_the_table(tmp_path):
    copy = tmp_path / "concepts.csv"
    copy.write_bytes(TABLE.read_bytes())
    report = import_terms(GLOSSARY, copy)
    assert report.read == 692 and report.added > 400 and report.merged > 50
    table = read_concepts(copy)
    assert len(table) == len(default_concepts()) + report.added
    assert any(c.preferred_term("ar") == "التباعد الاجتماعي" for c in table.concepts)
