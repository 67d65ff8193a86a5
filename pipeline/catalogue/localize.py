"""Localized articles: an article as a reader of one locale sees it, built from its catalogue.

A message is used in a locale when its translation exists and is not fuzzy; anywhere else the
source text stands in, marked as a fallback, so untranslated text is never passed off as a
translation.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..engine import SectionDocument
from ..model import FALLBACK, PARTIAL, SOURCE, TRANSLATED, Article, Paragraph, Section, collapse

if TYPE_CHECKING:
    from babel.messages.catalog import Catalog

@dataclass(frozen=True)
class LocalizedSection:
    """A section in one locale.

    section: the section with its heading and paragraphs in that locale where a translation is
        used, the source text elsewhere; ids and source lines stay the source's.
    status: `source`, `translated`, `partial` or `fallback` (model.py says what each means).
    fallbacks: indexes of the paragraphs that show the source text.
    heading_fallback: whether the heading shows the source text.
    """

    section: Section
    status: str
    fallbacks: tuple[int, ...] = ()
    heading_fallback: bool = False


@dataclass(frozen=True)
class LocalizedArticle:
    """An article in one locale.

    article: the source article (its identity, path and source text).
    locale: the locale of this version.
    title: the title in that locale (the source title when it is not translated).
    title_fallback: whether the title shows the source text.
    sections: every section of the article, in order, in that locale.
    aliases: the article's other names in that locale (each the source's when not translated).
    """

    article: Article
    locale: str
    title: str
    sections: tuple[LocalizedSection, ...]
    title_fallback: bool = False
    aliases: tuple[str, ...] = ()


def source_version(article: Article) -> LocalizedArticle:
    """The article in its own locale: every section with status `source`."""
    return LocalizedArticle(article, article.locale, article.title,
                            tuple(LocalizedSection(section, SOURCE) for section in article.sections),
                            aliases=article.aliases)


def localize(article: Article, locale: str, catalogue: Catalog) -> LocalizedArticle:
    """The article in a locale, from its catalogue: translations that exist and are not fuzzy."""
    # Imported here: search needs this module's statuses, not Babel (slow to import).
    from .messages import ALIASES, TITLE, source_messages

    translated: dict[tuple[str, int | None], str] = {}
    names = list(article.aliases)
    for message in source_messages(article):
        text = _translation(catalogue, message.msgid, message.context)
        if text is not None:
            if message.section == ALIASES and message.paragraph is not None:
                names[message.paragraph] = text
            else:
                translated[(message.section, message.paragraph)] = text
    sections = []
    for section in article.sections:
        heading = translated.get((section.id, None)) if section.heading else None
        paragraphs, fallbacks = [], []
        for index, paragraph in enumerate(section.paragraphs):
            text = translated.get((section.id, index))
            if text is None:
                fallbacks.append(index)
            paragraphs.append(Paragraph(text if text is not None else paragraph.text, paragraph.line))
        messages = len(section.paragraphs) + (1 if section.heading else 0)
        done = len(section.paragraphs) - len(fallbacks) + (1 if heading is not None else 0)
        status = TRANSLATED if done == messages else PARTIAL if done else FALLBACK
        shown = Section(section.id, heading if heading is not None else section.heading,
                        section.line, tuple(paragraphs))
        sections.append(LocalizedSection(shown, status, tuple(fallbacks),
                                         bool(section.heading) and heading is None))
    title = translated.get((TITLE, None))
    return LocalizedArticle(article, locale, title if title is not None else article.title,
                            tuple(sections), bool(article.title) and title is None, tuple(dict.fromkeys(names)))


def documents(version: LocalizedArticle, state: str) -> Iterator[SectionDocument]:
    """The documents of an article in one locale: one per section with something to show.

    A section none of whose text is translated into the locale gets no document there: it is
    found through its source version. state is the hash stored to skip the article next time.
    """
    article = version.article
    for position, localized in enumerate(version.sections):
        if localized.status != FALLBACK:
            section = localized.section
            yield SectionDocument(article.id, section.id, version.locale, localized.status, localized.fallbacks,
                                  state, version.title, section.heading, section.text, position, article.path,
                                  section.line, "\n".join(version.aliases))


def _translation(catalogue: Catalog, msgid: str, context: str | None) -> str | None:
    """The translation a reader may see: present, not fuzzy, a single string; else None."""
    message = catalogue.get(msgid, context)
    if message is None or message.fuzzy or not isinstance(message.string, str):
        return None
    # Collapsed like every message, so a stray line break cannot split a paragraph in the index.
    return collapse(message.string) or None
