"""HTML articles, parsed by lxml (libxml2's HTML parser): headings start sections, blocks are paragraphs.

The tree is built here from the parser's events, the way BeautifulSoup builds it on top of lxml
(which this module used before, at several times the cost): the same elements, the same text,
comments and processing instructions kept apart, and the text inside `rt`, `rp`, `style`,
`script` and `template` marked as such.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from lxml import etree

from ..model import ParsedDocument, SectionBuilder, collapse
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
# Elements whose text is not the page's main text (ruby annotations, code, templates).
_CONTAINERS = frozenset({"rt", "rp", "style", "script", "template"})

# Kinds of text node.
TEXT, CONTAINED, COMMENT, DOCTYPE, INSTRUCTION = "text", "contained", "comment", "doctype", "instruction"
_READABLE = frozenset({TEXT, CONTAINED})  # what a reader sees


@dataclass
class Text:
    """A run of text in the tree: kind is TEXT, CONTAINED (inside _CONTAINERS), COMMENT, DOCTYPE or INSTRUCTION."""

    value: str
    kind: str


@dataclass
class Element:
    """An element: its name (lower case), attributes and children (elements and Text)."""

    name: str
    attributes: dict[str, str] = field(default_factory=dict)
    children: list = field(default_factory=list)

    def iter(self) -> Iterator[Element | Text]:
        """Every node under this element in document order (not the element itself)."""
        stack = [iter(self.children)]
        while stack:
            node = next(stack[-1], None)
            if node is None:
                stack.pop()
                continue
            yield node
            if isinstance(node, Element):
                stack.append(iter(node.children))

    def find(self, tag: str, attributes: dict[str, str] | None = None) -> Element | None:
        """The first element under this one with that name (and those attribute values)."""
        return next((node for node in self.iter() if isinstance(node, Element) and node.name == tag
                     and all(node.attributes.get(k) == v for k, v in (attributes or {}).items())), None)

    def text(self, separator: str = "") -> str:
        """The main text under this element (no comments, annotations or code), pieces joined by separator."""
        return separator.join(node.value for node in self.iter() if isinstance(node, Text) and node.kind == TEXT)

    def drop(self, names: frozenset[str]) -> None:
        """Remove every element with one of these names from under this one."""
        stack = [self]
        while stack:
            element = stack.pop()
            element.children = [child for child in element.children
                                if not (isinstance(child, Element) and child.name in names)]
            stack.extend(child for child in element.children if isinstance(child, Element))


def parse(text: str, path: str = "<html>") -> ParsedDocument:
    """Split an HTML article into title, author and sections."""
    document = _tree(text)
    html = document.find("html")
    locale = html.attributes.get("lang") if html is not None else None
    author = document.find("meta", {"name": "author"})
    byline = collapse(author.attributes.get("content", "")) if author is not None else ""
    title_tag = document.find("title")
    title = collapse(title_tag.text(" ")) if title_tag is not None else ""
    first_h1 = document.find("h1")
    if not title and first_h1 is not None:
        title = collapse(first_h1.text(" "))

    document.drop(DROPPED)
    lines = LineFinder(text)
    title_line = lines.line_of(title) if title else 0
    walker = _Walker(SectionBuilder(), lines, title)
    walker.walk(document.find("body") or document)
    return ParsedDocument(title=title, byline=byline, sections=walker.builder.build(),
                          locale=locale if isinstance(locale, str) else None, title_line=title_line)


class _TreeBuilder:
    """lxml's parser target: build the tree from start, end, data, comment, doctype and pi events."""

    def __init__(self):
        self.root = Element("[document]")
        self._open = [self.root]
        self._containers = 0  # how many open elements are in _CONTAINERS
        self._pending: list[str] = []

    def start(self, tag, attrib, nsmap=None) -> None:
        self._flush()
        element = Element(str(tag), {str(k): str(v) for k, v in attrib.items()})
        self._open[-1].children.append(element)
        self._open.append(element)
        self._containers += element.name in _CONTAINERS

    def end(self, tag) -> None:
        self._flush()
        name = str(tag)
        # Close up to the most recent open element of that name; none open: ignore the end tag.
        for index in range(len(self._open) - 1, 0, -1):
            if self._open[index].name == name:
                self._containers -= sum(e.name in _CONTAINERS for e in self._open[index:])
                del self._open[index:]
                break

    def data(self, text) -> None:
        self._pending.append(text)

    def comment(self, text) -> None:
        self._flush()
        self._open[-1].children.append(Text(text or "", COMMENT))

    def doctype(self, name, pubid, system) -> None:
        self._flush()
        self._open[-1].children.append(Text(name or "", DOCTYPE))

    def pi(self, target, data=None) -> None:
        self._flush()
        self._open[-1].children.append(Text(f"{target} {data or ''}", INSTRUCTION))

    def close(self) -> Element:
        self._flush()
        return self.root

    def _flush(self) -> None:
        if self._pending:
            self._open[-1].children.append(Text("".join(self._pending), CONTAINED if self._containers else TEXT))
            self._pending = []


def _tree(text: str) -> Element:
    """Parse text into a tree; as BeautifulSoup does, retry as UTF-8 bytes if lxml refuses the string."""
    if text.startswith("\ufeff"):
        text = text[1:]
    for markup, encoding in ((text, None), (text.encode("utf-8"), "utf-8")):
        builder = _TreeBuilder()
        parser = etree.HTMLParser(target=builder, recover=True, encoding=encoding)
        try:
            parser.feed(markup)
            return parser.close()
        except (UnicodeDecodeError, LookupError, etree.ParserError):
            continue
    return Element("[document]")


class _Walker:
    """Turn the element tree into headings and paragraphs, in document order."""

    def __init__(self, builder: SectionBuilder, lines: LineFinder, title: str):
        self.builder = builder
        self.lines = lines
        self.title = title
        self.seen_heading = False

    def walk(self, root: Element) -> None:
        # An explicit stack, not recursion: hostile pages nest thousands of elements deep.
        run: list[str] = []
        stack = [iter(root.children)]
        while stack:
            child = next(stack[-1], None)
            if child is None:
                stack.pop()
                self._paragraph(run)
            elif isinstance(child, Text):
                if child.kind in _READABLE:
                    run.append(child.value)
            elif child.name in HEADINGS:
                self._paragraph(run)
                self._heading(collapse(child.text(" ")), child.name)
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


def _inline_text(element: Element) -> str:
    """The text of an inline element; line breaks and stray blocks inside it separate words."""
    if element.name == "br":
        return " "
    return "".join(
        (node.value if node.kind in _READABLE else "") if isinstance(node, Text)
        else (" " if node.name in BLOCKS or node.name == "br" else "")
        for node in element.iter()
    )
