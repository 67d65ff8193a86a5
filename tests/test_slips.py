"""`catalog check` against medical slips: each one caught, and correct tricky Arabic left alone."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from pipeline.catalogue.checks import SEVERITY, compare
from pipeline.cli import cli

from .test_checks import write


def codes(source: str, translation: str) -> list[str]:
    return [code for code, _ in compare(source, translation, "ar")]


# Realistic slips, each with the code that must catch it.
SLIPS = [
    ("Take 500 mg twice a day.", "تناول 500 غرام مرتين يوميًا.", "units"),                # mg -> g
    ("Give 50 mcg once a day.", "أعطِ 50 ملغ مرة واحدة يوميًا.", "units"),                # mcg -> mg
    ("Drink 2 litres of water a day.", "اشرب 2 مل من الماء يوميًا.", "units"),              # l -> ml
    ("Give 5 ml of syrup.", "أعطِ 5 لترات من الشراب.", "units"),                             # ml -> l
    ("A temperature above 38 °C is a fever.", "درجة الحرارة فوق 38 °F حمى.", "units"),     # °C -> °F
    ("Call if it stays above 38 degrees Celsius.", "اتصل إذا بقيت فوق 38 درجة فهرنهايت.", "units"),
    ("Take one tablet per day.", "تناول قرصًا واحدًا أسبوعيًا.", "units"),                  # day -> week
    ("Apply the cream 3 times a week.", "ضع الكريم 3 مرات يوميًا.", "units"),              # week -> day
    ("Levels < 5 mmol/L are low.", "المستويات > 5 ملمول/لتر منخفضة.", "comparison"),
    ("Children: ≤ 5 ml a dose.", "الأطفال: ≥ 5 مل للجرعة.", "comparison"),
    ("Drink at least 3 litres a day.", "اشرب 3 لترات على الأكثر يوميًا.", "comparison"),
    ("Stones less than 5 mm usually pass.", "تخرج عادةً الحصى الأكبر من 5 مم.", "comparison"),
    ("Recovery takes 2-4 weeks.", "يستغرق التعافي 4-2 أسابيع.", "range"),
    ("Take between 10 and 20 mg.", "تناول بين 20 و10 ملغ.", "range"),
    ("Ages 5–17.", "الأعمار 17–5.", "range"),
    ("A CT scan shows the stone.", "يُظهر التصوير الحصاة.", "acronym"),
    ("An MRI may be needed.", "قد يلزم إجراء تصوير.", "acronym"),
    ("yellow skin (jaundice)", "اصفرار الجلد (اليرقان", "brackets"),
    ("yellow skin (jaundice)", "اصفرار الجلد )اليرقان(", "brackets"),
    ("pain in the back", "ألم في في الظهر", "doubled"),
    ("As shown in the figure.", "كما هو موضح في الشكل الشكل 1.", "doubled"),
    ("Is it safe?", "هل هو آمن?", "latin-punctuation"),
    ("fever, chills and pain", "حمى, قشعريرة وألم", "latin-punctuation"),
    ("fever; chills", "حمى; قشعريرة", "latin-punctuation"),
]


@pytest.mark.parametrize("source, translation, code", SLIPS)
def test_each_slip_is_caught(source, translation, code):
    assert code in codes(source, translation)


# Correct translations a careless checker would flag: Arabic says units, numbers, comparisons
# and ranges its own way.
TRICKY = [
    ("Take 500 mg twice a day.", "تناول 500 ملغ مرتين في اليوم."),
    ("Take 500 mg twice a day.", "تناول ٥٠٠ مليغرام مرتين يوميًا."),
    ("Take 500 mg twice a day.", "تناول 500 mg مرتين يوميًا."),
    ("Drink 2 litres a day.", "اشرب لترين يوميًا."),                         # the dual says the 2
    ("Take 1 tablet.", "تناول قرصًا واحدًا."),
    ("Recovery takes 2 to 4 weeks.", "يستغرق التعافي من أسبوعين إلى 4 أسابيع."),
    ("Body temperature is 37 °C.", "درجة حرارة الجسم 37 درجة مئوية."),
    ("A fever is 38 °C or more.", "الحمى 38 °م أو أكثر."),
    ("Values ≥ 7% confirm diabetes.", "تؤكد القيم ≥ 7% الإصابة بالسكري."),
    ("Ages 5-17.", "الأعمار من 5 إلى 17."),
    ("Ages 5-17.", "الأعمار 5-17."),
    ("Drink at least 3 litres.", "اشرب 3 لترات على الأقل."),
    ("No more than 2 g of salt.", "لا يزيد على 2 غ من الملح."),
    ("Stones less than 5 mm pass.", "تخرج الحصى الأصغر من 5 مم."),
    ("Stones less than 5 mm pass.", "تخرج الحصى التي يقل قطرها عن 5 مم."),
    ("A CT scan shows the stone.", "يُظهر التصوير المقطعي المحوسب الحصاة."),
    ("A CT scan shows the stone.", "يُظهر التصوير المقطعي (CT) الحصاة."),
    ("An MRI scan may be needed.", "قد يلزم التصوير بالرنين المغناطيسي."),
    ("Go step by step.", "تقدّم خطوة خطوة."),
    ("It uses RRT-PCR.", "يستخدم تفاعل (آر آر تي-بي سي آر)."),
    ("Canine CoV (CCoV).", "فيروس كورونا الكلبي (سي سي أوه في)."),
    ("Hussain A A, et al.", "حسين أ أ، وآخرون."),
    ("About 1,000 people a year.", "نحو 1,000 شخص سنويًا."),
    ("CT, MRI and ultrasound", "CT وMRI والموجات فوق الصوتية"),
    ("yellow skin (jaundice)", "اصفرار الجلد (اليرقان)"),
    ("It was tested in the prior week.", "خضع للاختبار في الأسبوع الماضي."),
    ("The SNOMED CT codes.", "رموز المسميات النظامية للمصطلحات الطبية."),
    ("It spreads from person to person.", "ينتقل من شخص إلى شخص."),
]


@pytest.mark.parametrize("source, translation", TRICKY)
def test_correct_tricky_arabic_raises_nothing(source, translation):
    assert compare(source, translation, "ar") == []


def test_new_codes_have_severities():
    for code in ("units", "comparison", "range", "bom"):
        assert SEVERITY[code] == "error"
    for code in ("acronym", "brackets", "doubled", "latin-punctuation", "plural-form", "terminology",
                 "inconsistent"):
        assert SEVERITY[code] == "warning"


def test_unit_message_names_both_units():
    assert ("units", "a unit changed: mg in the source, g in the translation") in compare(
        "Take 500 mg.", "تناول 500 غرام.", "ar")


def test_latin_punctuation_is_only_checked_in_arabic_script_locales():
    assert "latin-punctuation" not in [code for code, _ in compare("fever, chills", "fièvre, frissons", "fr")]


def check(*args: str):
    return CliRunner().invoke(cli, ["catalog", "check", *args])


def test_a_byte_order_mark_is_an_error(project):
    path = write(project, 'msgid "Causes"\nmsgstr "الأسباب"\n')
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    result = check("--json")
    assert result.exit_code == 1
    problems = json.loads(result.output)["problems"]
    assert [(p["line"], p["code"], p["severity"]) for p in problems] == [(1, "bom", "error")]


def test_numbers_and_units_of_fuzzy_translations_are_warnings(project):
    write(project, '#, fuzzy\nmsgid "Take 5 mg."\nmsgstr "تناول 50 غرام."\n')
    result = check("--json")
    assert result.exit_code == 0  # warnings only: no reader sees a fuzzy translation
    problems = json.loads(result.output)["problems"]
    assert {(p["code"], p["severity"], p.get("fuzzy")) for p in problems} == {
        ("fuzzy", "warning", None), ("numbers", "warning", True), ("units", "warning", True)}
    assert all(p["message"].startswith("in the fuzzy translation: ") for p in problems if p.get("fuzzy"))


PLURAL = ('msgid "%d tablet"\nmsgid_plural "%d tablets"\n'
          'msgstr[0] "لا أقراص"\nmsgstr[1] "قرص واحد"\nmsgstr[2] "قرصان"\n'
          'msgstr[3] "%d أقراص"\nmsgstr[4] "{four}"\nmsgstr[5] "%d قرص"\n')


def test_every_plural_form_is_checked(project):
    write(project, PLURAL.format(four="%d قرصًا"))
    result = check()
    assert result.exit_code == 0, result.output  # forms 0-2 serve one number each: no %d needed
    write(project, PLURAL.format(four="قرصًا"))
    result = check()
    assert result.exit_code == 1
    assert "a.po:13: markup: plural form 4: markup or placeholder %d of the source is missing" in result.output


def test_an_empty_plural_form_is_named(project):
    write(project, PLURAL.format(four=""))
    result = check()
    assert "a.po:13: plural-form: plural form 4 is empty" in result.output


def test_inconsistent_translations_name_both_places(project):
    write(project, 'msgid "Causes"\nmsgstr "الأسباب"\n', name="a")
    write(project, 'msgid "Causes"\nmsgstr "الأسباب"\n', name="b")
    write(project, 'msgid "Causes"\nmsgstr "المسببات"\n', name="c")
    write(project, 'msgid "Causes"\nmsgstr "الأَسباب."\n', name="d")  # marks and a full stop: the same
    result = check()
    folder = Path("locales/ar/LC_MESSAGES")
    lines = [line for line in result.output.splitlines() if ": inconsistent: " in line]
    assert lines == [
        f"{folder / 'a.po'}:13: inconsistent: “Causes” is translated differently at {folder / 'c.po'}:13 (“المسببات”)",
        f"{folder / 'c.po'}:13: inconsistent: “Causes” is translated differently at {folder / 'a.po'}:13 (“الأسباب”)",
    ]


def test_terminology_warns_when_no_term_of_the_concept_is_used(project):
    write(project, 'msgid "Kidney stones can hurt."\nmsgstr "قد تكون الحجارة مؤلمة."\n', name="a")
    write(project, 'msgid "Kidney stones hurt."\nmsgstr "حصوات الكلى مؤلمة."\n', name="b")
    write(project, 'msgid "About kidney stones."\nmsgstr "عن حصى الكُلى."\n', name="c")
    write(project, 'msgid "Its kidney stone."\nmsgstr "وبحصاة الكلية."\n', name="d")  # clitics, singular
    result = check()
    lines = [line for line in result.output.splitlines() if ": terminology: " in line]
    assert len(lines) == 1 and "a.po:13: terminology: the source names “Kidney stones”" in lines[0]
    assert "preferred: “حصى الكلى”" in lines[0]


def test_terminology_uses_the_table_given(project, tmp_path):
    table = tmp_path / "terms.csv"
    table.write_text("english,arabic,abbreviations,preferred\nhand washing,غسل اليدين | غسيل اليدين,,"
                     "ar: غسل اليدين\n", encoding="utf-8")
    write(project, 'msgid "Hand washing helps."\nmsgstr "النظافة تساعد."\n')
    result = check("--concepts", str(table))
    assert "terminology: the source names “Hand washing”" in result.output
    assert "preferred: “غسل اليدين”" in result.output
