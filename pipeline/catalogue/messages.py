"""An article's messages (its title, headings and paragraphs) and its template (POT)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime

from babel.messages.catalog import Catalog

from ..model import Article
from .pofile import GNU_HEADER_ORDER, HeaderKeepingCatalog

# The `#.` comment (and, when needed, msgctxt) of the article title, which belongs to no section.
TITLE = "title"
# ...and of each of the article's other names (Article.aliases). A slug never holds a space, so no
# section can have this id.
ALIASES = "also called"
PROJECT = "medref"


@dataclass(frozen=True)
class SourceMessage:
    """One translatable unit of an article: its title, one of its other names, a heading or a paragraph.

    msgid: the text, whitespace collapsed.
    context: the msgctxt, only for text that occurs more than once in the article (else None).
    section: the id of the section it belongs to (`title` for the article title, `also called`
        for its other names).
    paragraph: its index among the section's paragraphs (among the other names for those);
        None for the title and headings.
    line: its line in the source file.
    """

    msgid: str
    context: str | None
    section: str
    paragraph: int | None
    line: int


def source_messages(article: Article) -> tuple[SourceMessage, ...]:
    """The article's messages in document order: title, other names, then each heading and its
    paragraphs."""
    units: list[tuple[str, str, int | None, int]] = []
    if article.title:
        units.append((article.title, TITLE, None, article.title_line))
    units.extend((name, ALIASES, i, article.aliases_line) for i, name in enumerate(article.aliases))
    for section in article.sections:
        if section.heading:
            units.append((section.heading, section.id, None, section.line))
        units.extend((p.text, section.id, i, p.line) for i, p in enumerate(section.paragraphs))
    repeated = {text for text, count in Counter(text for text, *_ in units).items() if count > 1}
    used: set[tuple[str, str | None]] = set()
    # The next number to try for a text in a section: twenty thousand "Back to top." stay linear.
    next_number: dict[tuple[str, str], int] = {}
    messages = []
    for text, section_id, paragraph, line in units:
        context = None
        if text in repeated:
            # The section id says where the text is; a number tells repeats within one section apart.
            n = next_number.get((text, section_id), 1)
            context = section_id if n == 1 else f"{section_id}:{n}"
            while (text, context) in used:
                n += 1
                context = f"{section_id}:{n}"
            next_number[(text, section_id)] = n + 1
        used.add((text, context))
        messages.append(SourceMessage(text, context, section_id, paragraph, line))
    return tuple(messages)


def build_template(article: Article, creation_date: datetime) -> Catalog:
    """The template (POT) of an article: its messages, with `#:` locations and `#.` sections."""
    template = HeaderKeepingCatalog(
        project=PROJECT, version=article.id, creation_date=creation_date,
        # Short fixed lines: Babel re-wraps long header comment lines on every write.
        header_comment=("# Translation template of one article (see Project-Id-Version): its title,\n"
                        "# headings and paragraphs in document order. Made by `pipeline ingest`\n"
                        "# from the source article: edit the source, not this file.\n#"))
    template.msgid_bugs_address = ""  # Babel's constructor turns "" into a placeholder address
    fields = {name.lower(): (name, value) for name, value in template.mime_headers}
    template.mime_headers = [fields[key] for key in GNU_HEADER_ORDER if key in fields]
    for message in source_messages(article):
        added = template.add(message.msgid, locations=[(article.path, message.line)],
                             auto_comments=[message.section], context=message.context)
        # Babel flags any text that looks like a Python format string ("in 5% of cases") as one;
        # an article's text is not, and msgfmt would then check its translations as such.
        added.flags.discard("python-format")
    return template
