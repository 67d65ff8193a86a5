"""HTML articles, parsed by BeautifulSoup with lxml: headings start sections, blocks are paragraphs."""

from __future__ import annotations

import warnings

from bs4 import BeautifulSoup, MarkupResemblesLocatorWarning, NavigableString, Tag
from bs4.element import Comment, Declaration, Doctype, ProcessingInstruction

from ..model import ParsedDocument, SectionBuilder, aliases, collapse, take_also_called
from .lines import LineFinder

HEADINGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
# Page furniture and code, never article text.
DROPPED = frozenset({"script", "style", "nav", "header", "footer", "aside", "form", "noscript",
                     "template", "iframe", "object", "embed", "svg", "math", "canvas", "button",
                     "select", "textarea", "head"})
# Elements that end a run of inline text; any other element is inline.
BLOCKS = frozenset({"html", "body", "main", "article", "section", "div", "p", "blockquote", "pre",
                    "ul", "ol", "li", "dl", "dt", "dd", "table", "thead", "tbody", "tfoot", "tr",
                    "td", "th", "caption", "figure", "figcaption", "address", "details", "summary",
                    "hr", "center", "fieldset", "legend"}) | HEADINGS
_NOT_TEXT = (Comment, Declaration, Doctype, ProcessingInstruction)
_SURVEYED = frozenset({"html", "title", "h1"})


def parse(text: str, path: str = "<html>") -> ParsedDocument:
    """Split an HTML article into title, author and sections."""
    with warnings.catch_warnings():
        # A short article that looks like a file name or URL is still an article.
        warnings.simplefilter("ignore", MarkupResemblesLocatorWarning)
        soup = BeautifulSoup(text, "lxml")
    first, dropped = _survey(soup)
    html = first.get("html")
    locale = html.get("lang") if html is not None else None
    author = first.get("author")
    byline = collapse(author.get("content", "")) if author is not None else ""
    keywords_tag = first.get("keywords")
    content = keywords_tag.get("content", "") if keywords_tag is not None else ""
    keywords = content if isinstance(content, str) else ""
    title_tag = first.get("title")
    title = collapse(title_tag.get_text(" ")) if title_tag else ""
    first_h1 = first.get("h1")
    if not title and first_h1:
        title = collapse(first_h1.get_text(" "))

    for tag in dropped:
        tag.decompose()
    lines = LineFinder(text)
    title_line = lines.line_of(title) if title else 0
    walker = _Walker(SectionBuilder(), lines, title)
    walker.walk(soup.body or soup)
    sections, called, called_line = take_also_called(walker.builder.build())
    names = aliases(keywords, title) + aliases(called or "", title)
    aliases_line = called_line or (LineFinder(text).line_of(keywords) if keywords else 0)
    return ParsedDocument(title=title, byline=byline, sections=sections,
                          locale=locale if isinstance(locale, str) else None, title_line=title_line,
                          aliases=aliases(names, title), aliases_line=aliases_line if names else 0)


def _survey(soup: BeautifulSoup) -> tuple[dict[str, Tag], list[Tag]]:
    """The first `html`, `title`, `h1`, author and keywords `meta` elements, and every element to drop.

    One pass over the tree: each of BeautifulSoup's find() calls walks it again (the whole of it
    when the element is missing), matching elements several times slower.
    """
    first: dict[str, Tag] = {}
    dropped: list[Tag] = []
    for node in soup.descendants:
        if not isinstance(node, Tag):
            continue
        name = node.name
        if name in _SURVEYED and name not in first:
            first[name] = node
        elif name == "meta":
            meta = node.get("name")
            if meta in ("author", "keywords") and isinstance(meta, str) and meta not in first:
                first[meta] = node
        if name in DROPPED:
            dropped.append(node)
    return first, dropped


class _Walker:
    """Turn the element tree into headings and paragraphs, in document order."""

    def __init__(self, builder: SectionBuilder, lines: LineFinder, title: str):
        self.builder = builder
        self.lines = lines
        self.title = title
        self.seen_heading = False

    def walk(self, root: Tag) -> None:
        # An explicit stack, not recursion: hostile pages nest thousands of elements deep.
        run: list[str] = []
        stack = [iter(root.children)]
        while stack:
            child = next(stack[-1], None)
            if child is None:
                stack.pop()
                self._paragraph(run)
            elif isinstance(child, NavigableString):
                if not isinstance(child, _NOT_TEXT):
                    run.append(str(child))
            elif child.name in HEADINGS:
                self._paragraph(run)
                self._heading(collapse(child.get_text(" ")), child.name)
            elif child.name in BLOCKS:
                self._paragraph(run)
                stack.append(iter(child.children))
            else:
                run.append(_inline_text(child))

    def _heading(self, text: str, name: str) -> None:
        # The h1 that repeats the page title is the title, not a section.
        if name == "h1" and not self.seen_heading and text == self.title:
            self.seen_heading = True
            self.lines.line_of(text)
            return
        self.seen_heading = True
        if text:
            self.builder.heading(text, self.lines.line_of(text))

    def _paragraph(self, run: list[str]) -> None:
        text = collapse("".join(run))
        run.clear()
        if text:
            self.builder.paragraph(text, self.lines.line_of(text))


def _inline_text(element: Tag) -> str:
    """The text of an inline element; line breaks and stray blocks inside it separate words."""
    if element.name == "br":
        return " "
    return "".join(
        " " if isinstance(node, Tag) else str(node)
        for node in element.descendants
        if (isinstance(node, NavigableString) and not isinstance(node, _NOT_TEXT))
        or (isinstance(node, Tag) and (node.name in BLOCKS or node.name == "br"))
    )
