"""The model that flows from parsers to catalogues to the index: articles, sections, paragraphs."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

LEAD_SECTION = "lead"

# What a reader is shown of a section in a locale: the status of every version, hit and page.
SOURCE = "source"          # the original text
TRANSLATED = "translated"  # every message of the section is translated
PARTIAL = "partial"        # some are, the others show the source text
FALLBACK = "fallback"      # none is: the section is shown in its source locale


@dataclass(frozen=True)
class Paragraph:
    """One paragraph (or list item, table cell...) of a section.

    text: the paragraph with whitespace collapsed.
    line: 1-based line of the source file where it starts.
    """

    text: str
    line: int


@dataclass(frozen=True)
class Section:
    """A heading and the paragraphs under it.

    id: slug of the heading, unique within the article (`lead` for text before any heading).
    heading: the heading text, whitespace collapsed ("" for the lead section).
    line: source line of the heading (of the first paragraph for the lead section).
    paragraphs: the section's paragraphs in document order.
    """

    id: str
    heading: str
    line: int
    paragraphs: tuple[Paragraph, ...] = ()

    @property
    def text(self) -> str:
        """The section's paragraphs joined by blank lines."""
        return "\n\n".join(p.text for p in self.paragraphs)


@dataclass(frozen=True)
class Article:
    """One source article, as parsed.

    id: path under `sources/` without its suffix, case kept (`kidney/stones`).
    locale: the article's language as a locale code (`en`, `ar`); see sources.py for how it is found.
    title: the article's title ("" when it has none).
    byline: who wrote it ("" when unknown).
    sections: the lead section (if any text precedes the first heading) then one per heading.
    path: the source file, relative to the sources folder's parent (`sources/x.txt`).
    content_hash: SHA-256 of the source file's bytes; unchanged hash = unchanged article.
    title_line: source line of the title (0 when the title was not in the text).
    aliases: other names the article's subject is also called by ("Lazy eye" for Amblyopia), as
        the source declares them (aliases).
    aliases_line: source line where they are declared (0 when unknown).
    """

    id: str
    locale: str
    title: str
    byline: str
    sections: tuple[Section, ...]
    path: str
    content_hash: str
    title_line: int = 0
    aliases: tuple[str, ...] = ()
    aliases_line: int = 0


@dataclass(frozen=True)
class ParsedDocument:
    """What a parser returns: the article's content without its identity.

    locale: the language the document declares (HTML `lang`, front matter), or None.
    title_line: source line of the title (0 when the title was not in the text).
    aliases: the other names it declares for its subject (aliases); aliases_line: where.
    """

    title: str
    byline: str
    sections: tuple[Section, ...]
    locale: str | None = None
    title_line: int = 0
    aliases: tuple[str, ...] = ()
    aliases_line: int = 0


# C0 and C1 control characters (but tab, newline, carriage return) and DEL: never text, and
# in a terminal they are commands (ESC sequences can rewrite the reader's screen).
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_NOT_SLUG = re.compile(r"[^\w]+")


def strip_controls(text: str) -> str:
    """Remove control characters (ESC, NUL, C1 ...), keeping tabs and line breaks."""
    return _CONTROL.sub("", text)


def collapse(text: str) -> str:
    """Collapse runs of whitespace to single spaces, drop control characters, strip the ends."""
    # str.split() splits on exactly the characters \s matches, and is several times faster.
    return " ".join(strip_controls(text).split())


# "Also called: Backache, Lumbago", as health sites print it under a title (MedlinePlus).
ALSO_CALLED = re.compile(r"^\s*(?:also\s+(?:called|known\s+as)|other\s+names?|يعرف\s+(?:ايضا|أيضا|أيضًا|ايضًا)\s+باسم|يسمى\s+(?:ايضا|أيضا|أيضًا|ايضًا))\s*[:：]\s*", re.I)
_ALIAS_SEPARATORS = re.compile(r"\s*[;؛]\s*")
_ALIAS_COMMAS = re.compile(r"\s*[,،]\s*")


def aliases(names, title: str = "") -> tuple[str, ...]:
    """Other names of an article's subject, cleaned: whitespace collapsed, empty ones, repeats and
    the title itself left out, in the order given.

    names: a list of names, or one string of them separated by semicolons, or by commas when it
    has no semicolon (`Backache, Lumbago`; `Periodic fever, aphthous stomatitis; PFAPA`).
    """
    if isinstance(names, str):
        names = _ALIAS_SEPARATORS.split(names) if _ALIAS_SEPARATORS.search(names) else _ALIAS_COMMAS.split(names)
    found: dict[str, str] = {}
    for name in names:
        name = collapse(str(name))
        if name and name.casefold() != title.casefold():
            found.setdefault(name.casefold(), name)
    return tuple(found.values())


def also_called(text: str) -> str | None:
    """The names of an "Also called: ..." line (MedlinePlus writes one under each title), or None."""
    match = ALSO_CALLED.match(text)
    return text[match.end():] if match else None


def take_also_called(sections: tuple[Section, ...]) -> tuple[tuple[Section, ...], str | None, int]:
    """An "Also called: ..." line that opens the article (before any heading) taken out of its
    sections: (the sections without it, its names or None, its line)."""
    if not sections or sections[0].heading or not sections[0].paragraphs:
        return sections, None, 0
    lead = sections[0]
    names = also_called(lead.paragraphs[0].text)
    if names is None:
        return sections, None, 0
    rest = lead.paragraphs[1:]
    kept = ((Section(lead.id, lead.heading, rest[0].line, rest),) if rest else ()) + sections[1:]
    return kept, names, lead.paragraphs[0].line


def slugify(heading: str) -> str:
    """Turn a heading into a URL-safe id, keeping letters of any script."""
    text = unicodedata.normalize("NFKC", heading).lower()
    # Combining marks (Arabic harakat, accents) would make vocalised and plain headings differ.
    text = "".join(c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c))
    text = text.replace("\u0640", "")  # tatweel
    return _NOT_SLUG.sub("-", text).strip("-_")


@dataclass
class SectionBuilder:
    """Collect headings and paragraphs in document order into sections with unique ids."""

    sections: list[Section] = field(default_factory=list)
    _heading: str = ""
    _line: int = 0
    _paragraphs: list[Paragraph] = field(default_factory=list)
    _ids: set[str] = field(default_factory=set)
    _started: bool = False
    # The next number to try for each heading slug: a page of one repeated heading stays linear.
    _next: dict[str, int] = field(default_factory=dict)

    def heading(self, text: str, line: int) -> None:
        """Start a new section."""
        self._flush()
        self._heading, self._line, self._started = collapse(text), line, True

    def paragraph(self, text: str, line: int) -> None:
        """Add a paragraph to the current section (the lead section before any heading)."""
        text = collapse(text)
        if not text:
            return
        if not self._paragraphs and not self._started:
            self._line = line
            self._started = True
        self._paragraphs.append(Paragraph(text, line))

    def build(self) -> tuple[Section, ...]:
        """Return the sections collected so far."""
        self._flush()
        return tuple(self.sections)

    def _flush(self) -> None:
        if not self._started or (not self._heading and not self._paragraphs):
            return
        base = slugify(self._heading) if self._heading else LEAD_SECTION
        base = base or "section"
        section_id, n = base, self._next.get(base, 1)
        if n > 1:
            section_id = f"{base}-{n}"
        while section_id in self._ids:
            n += 1
            section_id = f"{base}-{n}"
        self._ids.add(section_id)
        self._next[base] = n + 1
        self.sections.append(Section(section_id, self._heading, self._line, tuple(self._paragraphs)))
        self._heading, self._paragraphs, self._started = "", [], False
