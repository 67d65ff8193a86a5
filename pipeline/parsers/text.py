"""Plain-text articles: a title line, an optional "By ..." line, paragraphs and short headings."""

from __future__ import annotations

import re

from ..model import ParsedDocument, SectionBuilder, aliases, also_called, collapse

_BYLINE = re.compile(r"^\s*(?:by|بقلم)(?=[\s,:]|$)[\s,:]*", re.I)
_BULLET = re.compile(r"^\s*(?:[-*•·]|\d{1,3}[.)])\s+")
_END_PUNCTUATION = tuple(".!?:;,…\"'”’)؟،؛")
_QUESTION = ("?", "؟")
MAX_HEADING_WORDS = 10
MAX_QUESTION_WORDS = 20


def parse(text: str, path: str = "<text>") -> ParsedDocument:
    """Split a plain-text article into title, byline and sections."""
    blocks = list(_blocks(text))
    if not blocks:
        return ParsedDocument(title="", byline="", sections=())
    first_line, first = blocks[0]
    title, title_line = collapse(first[0]), first_line
    rest = [(first_line + 1, first[1:])] if len(first) > 1 else []
    blocks = rest + blocks[1:]
    byline = ""
    if blocks and _BYLINE.match(blocks[0][1][0]):
        line, lines = blocks[0]
        byline = collapse(_BYLINE.sub("", lines[0], count=1)).strip(" ,;:")
        blocks = ([(line + 1, lines[1:])] if len(lines) > 1 else []) + blocks[1:]

    paragraphs = [item for line, lines in blocks for item in _paragraphs(line, lines)]
    # "Also called: ..." right under the title names the subject's other names; it is no heading.
    called, called_line = None, 0
    if paragraphs and not paragraphs[0][2] and also_called(paragraphs[0][1]) is not None:
        called, called_line = also_called(paragraphs[0][1]), paragraphs[0][0]
        paragraphs = paragraphs[1:]
    builder = SectionBuilder()
    for index, (line, paragraph, listed) in enumerate(paragraphs):
        following = paragraphs[index + 1][1] if index + 1 < len(paragraphs) else None
        if not listed and _is_heading(paragraph, following):
            builder.heading(paragraph, line)
        else:
            builder.paragraph(paragraph, line)
    names = aliases(called or "", title)
    return ParsedDocument(title=title, byline=byline, sections=builder.build(), title_line=title_line,
                          aliases=names, aliases_line=called_line if names else 0)


def _blocks(text: str):
    """Yield (first line number, lines) for each run of non-blank lines."""
    start, lines = 0, []
    for number, line in enumerate(text.splitlines(), start=1):
        if line.strip():
            if not lines:
                start = number
            lines.append(line)
        elif lines:
            yield start, lines
            lines = []
    if lines:
        yield start, lines


def _paragraphs(start: int, lines: list[str]):
    """Yield (line, text, is list item) for a block: the whole block, or one per list item."""
    if not any(_BULLET.match(line) for line in lines):
        yield start, collapse(" ".join(lines)), False
        return
    item_line, item = start, []
    for offset, line in enumerate(lines):
        if _BULLET.match(line) and item:
            yield item_line, collapse(" ".join(item)), True
            item_line, item = start + offset, []
        item.append(_BULLET.sub("", line, count=1))
    yield item_line, collapse(" ".join(item)), True


def _is_heading(paragraph: str, following: str | None) -> bool:
    """A short line without final punctuation, or a question followed by a paragraph."""
    if following is None:
        return False
    words = len(paragraph.split())
    if paragraph.endswith(_QUESTION):
        return words <= MAX_QUESTION_WORDS and not _is_heading(following, "")
    return words <= MAX_HEADING_WORDS and not paragraph.endswith(_END_PUNCTUATION)
