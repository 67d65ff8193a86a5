"""`pipeline catalog check`: each error and warning, the output format and the exit status."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from pipeline.catalogue.checks import SEVERITY, compare
from pipeline.cli import cli

HEADER = """msgid ""
msgstr ""
"Project-Id-Version: medref a\\n"
"PO-Revision-Date: 2025-06-01 12:00+0000\\n"
"Last-Translator: \\n"
"Language-Team: Arabic\\n"
"Language: ar\\n"
"Plural-Forms: nplurals=6; plural=(n==0 ? 0 : n==1 ? 1 : n==2 ? 2 : n%100>=3 && n%100<=10 ? 3 : n%100>=11 ? 4 : 5);\\n"
"MIME-Version: 1.0\\n"
"Content-Type: text/plain; charset=UTF-8\\n"
"Content-Transfer-Encoding: 8bit\\n"
"""


def codes(source: str, translation: str, locale: str = "ar") -> list[str]:
    return [code for code, _ in compare(source, translation, locale)]


@pytest.mark.parametrize("source, translation", [
    ("Take 2.5 mg twice a day.", "تناول ٢٫٥ ملغ مرتين يوميًا."),          # Arabic-Indic digits, Arabic decimal mark
    ("Take 2.5 mg twice a day.", "تناول ۲.۵ ملغ مرتين يوميًا."),           # Persian digits
    ("Stones smaller than 5 mm pass.", "تخرج الحصى الأصغر من 5 مم."),      # ASCII digits
    ("About 1,000 people a year.", "نحو ١٬٠٠٠ شخص سنويًا."),               # thousands separators
    ("Is it safe?", "هل هو آمن؟"),                                          # Arabic question mark
    ("pain; fever;", "ألم؛ حمى؛"),                                          # Arabic semicolon
    ("Common uses include:", "ومن استخداماته الشائعة:"),
    ("See https://example.org/a.", "انظر https://example.org/a."),
    ("Write to help@example.org.", "راسلنا على help@example.org."),
    ("Press <b>Stop</b> now.", "اضغط <b>Stop</b> الآن."),
    ("%(count)d stones found.", "عُثر على %(count)d حصاة."),
    ("Causes", "الأسباب"),
    ("In 14% cases, it is severe.", "في 14٪ من الحالات يكون شديدًا."),    # a percent sign is no placeholder
    ("The R0 was 3.77.", "بلغ رقم التكاثر الأساسي 3.77."),                  # R0 is a name, spelled out
    ("Human ACE2 binds it.", "يرتبط به الإنزيم المحول للأنجيوتنسين 2."),      # a name's digits written apart
    ("The 2009 H1N1 pandemic.", "وباء اتش 1 إن 1 في 2009."),
    ("Vitamin B12 helps.", "يساعد فيتامين ب12."),
    ("Ages 5-17 and 18-64.", "الأعمار 5-17 و18-64."),                       # و prefixed to a number
])
def test_good_translations_have_no_problem(source, translation):
    assert compare(source, translation, "ar") == []


@pytest.mark.parametrize("source, translation, code", [
    ("Take 2.5 mg twice a day.", "تناول ٢٫٠ ملغ مرتين يوميًا.", "numbers"),
    ("Take 25 mg.", "تناول ٢٫٥ ملغ.", "numbers"),
    ("Take 5 mg.", "تناول ملغ.", "numbers"),
    ("Take 5mg.", "تناول ملغ.", "numbers"),
    ("Human ACE2 binds it.", "يرتبط به الإنزيم 3.", "numbers"),
    ("Ages &lt; 5 years.", "الأعمار &gt; 5 أعوام.", "markup"),   # a flipped sign, seen in real data
    ("See https://example.org/a.", "انظر https://example.com/a.", "urls"),
    ("Write to help@example.org.", "راسلنا.", "urls"),
    ("Press <b>Stop</b> now.", "اضغط Stop الآن.", "markup"),
    ("%(count)d stones found.", "عُثر على حصى.", "markup"),
    ("Hello {name}.", "مرحبًا {nom}.", "markup"),
    ("Is it safe?", "هل هو آمن.", "punctuation"),
    ("Causes", "الأسباب.", "punctuation"),
    ("pain;", "ألم", "punctuation"),
    ("Bile duct", "Bile duct", "identical"),
    ("Causes", " الأسباب", "spaces"),
    ("Causes of pain", "أسباب  الألم", "spaces"),
    ("Causes", "الأ\u200bسباب", "invisible"),
    ("Causes", "\u202bالأسباب\u202c", "invisible"),
    ("Causes", "الأسباب\n", "newline"),
])
def test_each_problem_has_its_code(source, translation, code):
    assert code in codes(source, translation)


def test_numbers_message_names_what_is_missing_and_extra():
    assert compare("Take 2.5 mg, then 5 mg.", "تناول ٢ ملغ، ثم ٥ ملغ.", "ar") == [
        ("numbers", "number 2.5 of the source is missing from the translation; "
                    "the translation has 2, not in the source")]


def test_zero_width_non_joiner_is_spelling_in_persian():
    assert "invisible" not in codes("Kidney stone", "سنگ\u200cکلیه", "fa")
    assert "invisible" in codes("Kidney stone", "حصى\u200cالكلى", "ar")


def test_every_code_has_a_severity():
    assert set(SEVERITY.values()) == {"error", "warning"}


def write(project: Path, body: str, header: str = HEADER, name: str = "a") -> Path:
    path = project / "locales" / "ar" / "LC_MESSAGES" / f"{name}.po"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(header + "\n" + body, encoding="utf-8")
    return path


def check(*args: str):
    return CliRunner().invoke(cli, ["catalog", "check", *args])


def test_output_is_file_line_code_message_and_errors_exit_1(project):
    path = write(project, '#: sources/a.txt:3\nmsgid "Take 5 mg."\nmsgstr "تناول ٥٠ ملغ."\n\n'
                          '#, fuzzy\nmsgid "Is it safe?"\nmsgstr "هل هو آمن؟"\n\n'
                          'msgid "Causes"\nmsgstr "الأسباب."\n')
    result = check()
    assert result.exit_code == 1
    rel = Path("locales/ar/LC_MESSAGES/a.po")
    assert result.output == (
        f"{rel}:14: numbers: number 5 of the source is missing from the translation; "
        "the translation has 50, not in the source\n"
        f"{rel}:18: fuzzy: fuzzy translation: review it against the new text and remove the fuzzy flag "
        "(readers see the source until then)\n"
        f"{rel}:21: punctuation: the source ends with no punctuation, the translation with “.”\n"
        "1 errors, 2 warnings in 1 catalogues\n")
    assert path.exists()


def test_warnings_alone_exit_0_and_json_has_severity(project):
    write(project, 'msgid "Causes"\nmsgstr "Causes"\n')
    result = check("--json")
    assert result.exit_code == 0
    report = json.loads(result.output)
    assert report["errors"] == 0 and report["warnings"] == 1
    assert report["problems"] == [{"path": "locales/ar/LC_MESSAGES/a.po", "line": 13, "code": "identical",
                                   "severity": "warning",
                                   "message": "the translation is the same as the source text"}]


def test_header_problems(project):
    header = HEADER.replace('"Language: ar\\n"\n', '"Language: fr\\n"\n').replace(
        "nplurals=6", "nplurals=2").replace('"MIME-Version: 1.0\\n"\n', "")
    write(project, 'msgid "Causes"\nmsgstr "الأسباب"\n', header="# Arabic translations.\n" + header)
    output = check().output
    assert "a.po:2: header: missing header field: MIME-Version" in output
    assert "a.po:2: header: Language is 'fr' but the file is in the ar folder" in output
    assert "a.po:2: plural-count: Plural-Forms gives form 2 for n=2, but nplurals=2 (forms 0 to 1)" in output


def test_wrong_number_of_plural_translations(project):
    write(project, 'msgid "%(n)d stone"\nmsgid_plural "%(n)d stones"\n'
                   'msgstr[0] "%(n)d حصاة"\nmsgstr[1] "%(n)d حصاتان"\n')
    assert "a.po:13: plural-count: 2 plural forms; ar has 6" in check().output


def test_syntax_error_is_reported_with_its_line_and_other_catalogues_are_checked(project):
    write(project, 'msgid "Causes"\nmsgstr "الأسباب\n', name="broken")
    write(project, 'msgid "Causes"\nmsgstr "Causes"\n', name="other")
    result = check()
    assert result.exit_code == 1
    assert "locales/ar/LC_MESSAGES/broken.po:14: syntax: unterminated string: the closing quote is missing" in result.output
    assert "locales/ar/LC_MESSAGES/other.po:13: identical" in result.output


def test_unknown_locale_option_is_a_clear_error(project):
    write(project, 'msgid "Causes"\nmsgstr "الأسباب"\n')
    result = check("--locale", "fr")
    assert result.exit_code == 1
    assert result.output == ("Error: no catalogues for locale 'fr' under locales "
                             "(start it with `pipeline catalog init fr`)\n")


FR_HEADER = HEADER.replace("Language: ar", "Language: fr").replace("Language-Team: Arabic", "Language-Team: French")


@pytest.mark.parametrize("formula", [
    "nplurals=2; plural=(n > 1);",  # GNU gettext's msginit, Poedit
    "nplurals=2; plural=n > 1;",  # Weblate
    "nplurals=2; plural=n>1",
    "nplurals=3; plural=(n == 0 || n == 1) ? 0 : n != 0 && n % 1000000 == 0 ? 1 : 2;",  # Babel's (CLDR)
])
def test_any_formula_that_gives_the_languages_forms_is_accepted(project, formula):
    header = re.sub(r'"Plural-Forms: [^"]*"', f'"Plural-Forms: {formula}\\\\n"', FR_HEADER)
    path = project / "locales" / "fr" / "LC_MESSAGES" / "a.po"
    path.parent.mkdir(parents=True)
    forms = "".join(f'msgstr[{i}] "%(n)d calculs"\n' for i in range(int(formula[9])))
    path.write_text(header + '\nmsgid "%(n)d stone"\nmsgid_plural "%(n)d stones"\n' + forms, encoding="utf-8")
    result = check()
    assert result.output == "0 errors, 0 warnings in 1 catalogues\n", result.output


@pytest.mark.parametrize("formula, code, message", [
    ("nplurals=2; plural=(n != 1);", "plural-count",
     "Plural-Forms does not give fr's plural forms: n=0 and n=1 take different forms, but fr has one form for both"),
    ("nplurals=1; plural=(n > 1);", "plural-count", "Plural-Forms gives form 1 for n=2, but nplurals=1"),
    ("nplurals=2; plural=(n > 1;", "header", "Plural-Forms: a `(` is not closed in the formula"),
    ("nplurals=2; plural=n % 0;", "header", "Plural-Forms: the formula divides by zero for n=0"),
    ("plural=(n > 1);", "header", "Plural-Forms is not `nplurals=N; plural=EXPRESSION;`"),
])
def test_a_formula_that_does_not_give_the_languages_forms_is_an_error(project, formula, code, message):
    header = re.sub(r'"Plural-Forms: [^"]*"', f'"Plural-Forms: {formula}\\\\n"', FR_HEADER)
    path = project / "locales" / "fr" / "LC_MESSAGES" / "a.po"
    path.parent.mkdir(parents=True)
    path.write_text(header + '\nmsgid "Causes"\nmsgstr "Causes"\n', encoding="utf-8")
    result = check()
    assert result.exit_code == 1
    assert f"locales/fr/LC_MESSAGES/a.po:1: {code}: {message}" in result.output


def test_a_folder_with_no_catalogues_is_an_error(project):
    result = check()
    assert result.exit_code == 1
    assert result.output == ("Error: no catalogues under locales (start a locale with `pipeline catalog init "
                             "LOCALE`, or name the files to check)\n")


def test_named_files_are_checked_and_only_them(project):
    write(project, 'msgid "Causes"\nmsgstr "Causes"\n', name="one")
    write(project, 'msgid "Take 5 mg."\nmsgstr "تناول ٥٠ ملغ."\n', name="two")
    elsewhere = project / "review" / "three.po"
    elsewhere.parent.mkdir()
    elsewhere.write_text(HEADER + '\nmsgid "Is it safe?"\nmsgstr "هل هو آمن."\n', encoding="utf-8")
    result = check("locales/ar/LC_MESSAGES/one.po", "review/three.po")
    assert result.exit_code == 0
    assert result.output == ("locales/ar/LC_MESSAGES/one.po:13: identical: the translation is the same as the source text\n"
                             "review/three.po:13: punctuation: the source ends with “?”, the translation with “.”\n"
                             "0 errors, 2 warnings in 2 catalogues\n")


def test_a_locale_is_named_with_a_hyphen_or_an_underscore_alike(project):
    path = project / "locales" / "ar_EG" / "LC_MESSAGES" / "a.po"
    path.parent.mkdir(parents=True)
    path.write_text(HEADER.replace("Language: ar", "Language: ar-EG") + '\nmsgid "Causes"\nmsgstr "Causes"\n',
                    encoding="utf-8")
    for tag in ("ar-EG", "ar_EG"):
        result = check("--locale", tag)
        assert result.output == ("locales/ar_EG/LC_MESSAGES/a.po:13: identical: the translation is the same as "
                                 "the source text\n0 errors, 1 warnings in 1 catalogues\n"), tag
