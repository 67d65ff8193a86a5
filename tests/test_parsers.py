"""Parsers: golden sections for each bundled article, and the rules each format follows."""

from __future__ import annotations

import dataclasses
import sys
from pathlib import Path

import pytest

from pipeline import model
from pipeline.catalogue.messages import source_messages
from pipeline.errors import SourceError
from pipeline.model import Article, Paragraph, Section
from pipeline.parsers import PARSERS, html, markdown, text

from .conftest import SOURCES


def as_json(document) -> dict:
    return dataclasses.asdict(document)


@pytest.mark.parametrize("name", ["interventional-radiologist.txt", "kidney-stones.html",
                                  "fluoroscopy.md", "bile-duct-blockage.md"])
def test_bundled_article_sections_match_golden(name, golden):
    path = SOURCES / name
    document = PARSERS[path.suffix](path.read_text(encoding="utf-8"), f"sources/{name}")
    golden(f"parse-{path.stem}", as_json(document))


def test_seed_article_has_title_byline_lead_and_question_heading():
    document = text.parse((SOURCES / "interventional-radiologist.txt").read_text(encoding="utf-8"))
    assert document.title == "What is an Interventional Radiologist?"
    assert document.byline == "ArabiaMD Team"  # "By , ArabiaMD Team": the name is missing
    assert [s.id for s in document.sections] == ["lead", "what-does-an-interventional-radiologist-do"]
    assert document.sections[1].heading == "What does an Interventional Radiologist do?"
    assert document.sections[1].line == 15
    assert [p.line for p in document.sections[1].paragraphs] == [17, 19, 21, 23, 25]
    assert "kidney stones" in document.sections[1].text


def test_text_headings_are_short_unpunctuated_lines_or_questions_before_a_paragraph():
    source = ("Title\n\nIntro paragraph.\n\nCauses\n\nStones form when urine is concentrated.\n\n"
              "Is it serious?\n\nUsually not.\n\nA closing line\n")
    document = text.parse(source)
    assert [(s.id, s.heading) for s in document.sections] == [
        ("lead", ""), ("causes", "Causes"), ("is-it-serious", "Is it serious?"),
    ]
    # The last short line has nothing after it, so it is a paragraph, not a heading.
    assert document.sections[-1].paragraphs[-1].text == "A closing line"


def test_text_list_items_are_paragraphs_even_when_short():
    document = text.parse("Title\n\nSigns\n- fever\n- dark urine\n")
    assert [p.text for p in document.sections[0].paragraphs] == ["Signs", "fever", "dark urine"]


def test_text_without_byline_and_with_arabic_question_heading():
    document = text.parse("حصى الكلى\n\nما هي حصى الكلى؟\n\nقطع صلبة تتكون في الكلية.\n")
    assert document.byline == ""
    assert document.sections[0].heading == "ما هي حصى الكلى؟"
    assert document.sections[0].id == "ما-هي-حصى-الكلى"


def test_duplicate_headings_get_unique_ids():
    document = text.parse("T\n\nCauses\n\nOne.\n\nCauses\n\nTwo.\n\n&&&\n\nThree.\n")
    assert [s.id for s in document.sections] == ["causes", "causes-2", "section"]


def test_html_drops_page_furniture_and_keeps_blocks():
    source = """<html lang="ar-EG"><head><title>T</title><meta name="author" content="Dr. A">
    <style>p {}</style></head><body><header>Site</header><nav>Menu</nav>
    <p>Lead <b>bold</b> text.<br>Second line.</p><!-- a comment -->
    <h2>Part</h2><ul><li>One<ul><li>Nested</li></ul></li></ul>
    <table><tr><td>Cell</td></tr></table><dl><dd>Definition</dd></dl>
    <blockquote>Quote</blockquote><div>Loose text</div><script>alert(1)</script>
    <form>Search</form><aside>Ads</aside><footer>Foot</footer></body></html>"""
    document = html.parse(source)
    assert document.locale == "ar-EG"
    assert document.byline == "Dr. A"
    assert document.title == "T"
    lead, part = document.sections
    assert [p.text for p in lead.paragraphs] == ["Lead bold text. Second line."]
    assert [p.text for p in part.paragraphs] == ["One", "Nested", "Cell", "Definition", "Quote", "Loose text"]
    assert lead.paragraphs[0].line == 3


def test_html_title_falls_back_to_first_h1_which_is_not_a_section():
    document = html.parse("<h1>Gallstones</h1><p>Hard deposits.</p><h2>Causes</h2><p>Bile.</p>")
    assert document.title == "Gallstones"
    assert [s.heading for s in document.sections] == ["", "Causes"]


def test_markdown_front_matter_atx_and_setext_headings():
    source = "---\ntitle: Stones\nlang: ar\nauthor: [A, B]\n---\n\nLead.\n\n## Atx\n\nText.\n\nSetext\n------\n\n* item\n"
    document = markdown.parse(source)
    assert (document.title, document.locale, document.byline) == ("Stones", "ar", "A, B")
    assert [(s.heading, s.line) for s in document.sections] == [("", 7), ("Atx", 9), ("Setext", 13)]
    assert [p.text for p in document.sections[2].paragraphs] == ["item"]


def test_markdown_broken_front_matter_names_file_and_line():
    with pytest.raises(SourceError) as caught:
        markdown.parse("---\ntitle: [unclosed\nlang: en\n---\n\nText.\n", "sources/x.md")
    assert caught.value.path == "sources/x.md"
    assert caught.value.line == 3
    assert "front matter" in str(caught.value)


# --- Other names ("Also called") ---------------------------------------------------------------


def test_markdown_front_matter_aliases_as_a_list_or_a_line():
    listed = markdown.parse("---\ntitle: Amblyopia\naliases:\n  - Lazy eye\n  - amblyopia\n---\n\nText.\n")
    assert (listed.aliases, listed.aliases_line) == (("Lazy eye",), 3)  # the title is no other name
    line = markdown.parse("---\ntitle: Back Pain\naliases: Backache, Lumbago\n---\n\nText.\n")
    assert line.aliases == ("Backache", "Lumbago")


def test_markdown_aliases_that_are_no_names_name_the_line():
    with pytest.raises(SourceError) as caught:
        markdown.parse("---\ntitle: X\naliases:\n  name: y\n---\n\nText.\n", "sources/x.md")
    assert (caught.value.path, caught.value.line) == ("sources/x.md", 3)


def test_html_keywords_and_also_called_line_are_other_names_not_text():
    page = (
        '<html><head><title>Back Pain</title><meta name="keywords" content="Backache, Lumbago"></head>\n'
        "<body><h1>Back Pain</h1>\n<p>Also called: Lumbago; Low back pain, chronic</p>\n"
        "<p>Back pain is common.</p></body></html>")
    document = html.parse(page)
    assert document.aliases == ("Backache", "Lumbago", "Low back pain, chronic")
    assert [p.text for s in document.sections for p in s.paragraphs] == ["Back pain is common."]
    assert document.aliases_line == 3
    assert html.parse(page.replace("Also called:", "Also seen:")).aliases == ("Backache", "Lumbago")


def test_text_also_called_line_under_the_title_is_no_heading():
    document = text.parse("Hypoglycemia\n\nAlso called: Low blood sugar\n\nHypoglycemia means low blood sugar.\n")
    assert (document.aliases, document.aliases_line) == (("Low blood sugar",), 3)
    assert [(s.id, s.heading) for s in document.sections] == [("lead", "")]
    # Further down, such a line is text like any other.
    later = text.parse("Title\n\nFirst paragraph.\n\nAlso called: x, y\n\nMore text.\n")
    assert later.aliases == ()


@pytest.mark.parametrize("names, expected", [
    ("Backache, Lumbago", ("Backache", "Lumbago")),
    ("Periodic fever, aphthous stomatitis; PFAPA", ("Periodic fever, aphthous stomatitis", "PFAPA")),
    ("Periodic fever, aphthous stomatitis;", ("Periodic fever, aphthous stomatitis",)),
    (["Lazy  eye", "lazy eye", "", "Title"], ("Lazy eye",)),
])
def test_names_are_split_on_semicolons_else_commas(names, expected):
    assert model.aliases(names, title="title") == expected


# A "billion laughs": 313 bytes that YAML expands to millions of strings.
ALIAS_BOMB = "---\ntitle: x\n" + "".join(
    f"{name}: &{name} [{', '.join([f'*{previous}'] * 9 if previous else ['lol'] * 9)}]\n"
    for previous, name in zip([None, "a", "b", "c", "d", "e", "f", "g"], "abcdefgh")) + "---\n\nText.\n"


def test_markdown_front_matter_aliases_are_refused_before_they_expand():
    with pytest.raises(SourceError, match="alias") as caught:
        markdown.parse(ALIAS_BOMB, "sources/bomb.md")
    assert (caught.value.path, caught.value.line) == ("sources/bomb.md", 4)


@pytest.mark.parametrize("front, key, line", [
    ("title: x\nmenu:\n  main: 1\n", "menu", 3),
    ("title: x\ntags: [[nested]]\n", "tags", 3),
    ("author:\n  name: A\n", "author", 2),
])
def test_markdown_front_matter_is_a_flat_mapping_of_texts_and_lists_of_texts(front, key, line):
    with pytest.raises(SourceError, match=f"front matter key '{key}' is not a text or a list of texts") as caught:
        markdown.parse(f"---\n{front}---\n\nText.\n", "sources/x.md")
    assert caught.value.line == line


def test_markdown_front_matter_values_are_texts_as_written():
    source = ("---\ntitle: 2024\nlang: no\ndate: 2024-05-01\naliases:\n  - renal calculi\n  - nephrolithiasis\n"
              "---\n\nText.\n")
    document = markdown.parse(source)
    assert (document.title, document.locale) == ("2024", "no")  # not the number 2024, nor False


def test_markdown_front_matter_is_bounded():
    with pytest.raises(SourceError, match="front matter is .* over the limit"):
        markdown.parse("---\n" + "title: x\n" + "# note\n" * 20_000 + "---\n\nText.\n", "sources/x.md")


# Work that grows faster than the article (a loop over what came before, for each paragraph) makes
# a 5 MB article take hours. The measure here is the number of lines of the pipeline's own code
# run, or of characters its searches scan: the same on any machine, however loaded.

def lines_run(function, *args) -> int:
    """How many lines of the pipeline package's code function(*args) runs."""
    package = str(Path(html.__file__).resolve().parent.parent)
    count = 0

    def line(frame, event, arg):
        nonlocal count
        count += event == "line"
        return line

    def call(frame, event, arg):
        return line if frame.f_code.co_filename.startswith(package) else None

    previous = sys.gettrace()
    sys.settrace(call)
    try:
        function(*args)
    finally:
        sys.settrace(previous)
    return count


def grows_linearly(work, make, size: int) -> bool:
    """Whether work(make(2 * size)) is at most a little more than twice work(make(size))."""
    return work(make(2 * size)) <= 2.2 * work(make(size))


@pytest.mark.parametrize("suffix, page", [
    (".html", lambda n: "<html><body>" + "<h2>Causes</h2><p>Back to top.</p>" * n + "</body></html>"),
    (".md", lambda n: "# T\n\n" + "## Causes\n\nBack to top.\n\n" * n),
    (".txt", lambda n: "T\n\n" + "Causes\n\nBack to top.\n\n" * n),
])
def test_parsing_many_repeated_headings_is_linear(suffix, page):
    assert grows_linearly(lambda text: lines_run(PARSERS[suffix], text, "sources/x"), page, 400)


def _article(paragraphs: list[str]) -> Article:
    return Article("x", "en", "Title", "", (Section("lead", "", 1, tuple(
        Paragraph(text, number) for number, text in enumerate(paragraphs, start=2))),), "sources/x.txt", "0")


def test_messages_of_many_repeated_paragraphs_are_linear():
    assert grows_linearly(lambda article: lines_run(source_messages, article),
                          lambda n: _article(["Back to top."] * n), 400)
    messages = source_messages(_article(["Back to top."] * 3 + ["Other."]))
    assert [m.context for m in messages] == [None, "lead", "lead:2", "lead:3", None]


class _ScanCounter(str):
    """Source text that counts the characters its find() calls scan: up to the match, or to the end."""

    scanned = 0

    def find(self, sub, start=0, end=None):
        end = len(self) if end is None else min(end, len(self))
        found = str.find(self, sub, start, end)
        _ScanCounter.scanned += max(0, (found + len(sub) if found >= 0 else end) - start)
        return found


@pytest.mark.parametrize("paragraph", ["<p>&#107;x{n}</p>", "<p>Back to top.</p>", "<p>w{n}</p>"])
def test_finding_the_lines_of_html_paragraphs_is_linear(paragraph):
    def scanned(text: str) -> int:
        _ScanCounter.scanned = 0
        html.parse(_ScanCounter(text), "sources/x.html")
        return _ScanCounter.scanned

    assert grows_linearly(scanned, lambda n: "<html><body>\n" + "\n".join(
        paragraph.format(n=i) for i in range(n)) + "\n</body></html>", 2000)


def test_lines_of_html_paragraphs_whose_words_are_far_or_spelt_otherwise():
    page = ("<html><body>\n<p>First kidney paragraph.</p>\n<script>" + "x = 1;\n" * 2000 + "</script>\n"
            "<p>Second paragraph, far below.</p>\n<p>&#84;hird paragraph.</p>\n<p>Fourth one.</p>\n</body></html>")
    lines = [p.line for p in html.parse(page).sections[0].paragraphs]
    # "Third" is not in the source (an entity spells its T): it keeps the line before.
    assert lines == [2, 2004, 2004, 2006]


def test_a_far_paragraph_is_found_by_its_first_word_whole_not_inside_another_word():
    page = ("<html><body>\n<p>First kidney paragraph.</p>\n<script>" + "x = 1;\n" * 500 + "Secondary = 2;\n"
            + "x = 1;\n" * 1500 + "</script>\n<p>Second paragraph, far below.</p>\n</body></html>")
    assert [p.line for p in html.parse(page).sections[0].paragraphs] == [2, 2005]
