"""Read a whole article back from the index, in a reader's locale, falling back to its source text."""

from __future__ import annotations

from dataclasses import dataclass

from ..engine import Engine, Reader, SectionDocument
from ..locale_tags import same_language
from ..model import FALLBACK, SOURCE


@dataclass(frozen=True)
class ShownParagraph:
    """One paragraph as shown to the reader.

    text: the paragraph's text.
    fallback: True when the text is the source's because no translation exists yet.
    """

    text: str
    fallback: bool = False


@dataclass(frozen=True)
class ShownSection:
    """One section as shown to the reader.

    id: the section id (the anchor a hit links to).
    heading: the heading ("" for the lead section).
    locale: the locale the heading is written in (the source's when the section falls back).
    status: `source`, `translated`, `partial` or `fallback`.
    paragraphs: the paragraphs in document order.
    """

    id: str
    heading: str
    locale: str
    status: str
    paragraphs: tuple[ShownParagraph, ...]


@dataclass(frozen=True)
class ShownArticle:
    """An article as a reader of one locale sees it.

    id: the article id.
    locale: the locale asked for.
    source_locale: the locale the article was written in.
    title: the title, translated when a translation exists.
    title_locale: the locale the title is written in.
    sections: every section in document order.
    locales: the locales the index holds (some of) the article in, source first.
    path: the source file.
    aliases: the article's other names, in the title's locale ("Also called").
    """

    id: str
    locale: str
    source_locale: str
    title: str
    title_locale: str
    sections: tuple[ShownSection, ...]
    locales: tuple[str, ...]
    path: str
    aliases: tuple[str, ...] = ()

    @property
    def paragraphs(self) -> int:
        """How many paragraphs the article has."""
        return sum(len(section.paragraphs) for section in self.sections)

    @property
    def translated(self) -> int:
        """How many paragraphs are shown in the asked locale (all of them in the source locale)."""
        return sum(1 for section in self.sections for p in section.paragraphs if not p.fallback)

    @property
    def is_source(self) -> bool:
        """Whether the asked locale is the one the article was written in."""
        return same_language(self.locale, self.source_locale)


def read_article(engine: Engine, article_id: str, locale: str | None = None) -> ShownArticle | None:
    """Read an article's sections for locale (its source locale when None), or None if it is not indexed.

    A section without a document in that locale (or a regional variant of it) is shown in the
    source locale, marked `fallback`; paragraphs listed in a document's `fallbacks` are marked too.
    """
    with engine.reader() as reader:
        return article_from(reader, article_id, locale)


def article_from(reader: Reader, article_id: str, locale: str | None = None) -> ShownArticle | None:
    """Like read_article, with a reader already open (a server keeps one per thread)."""
    documents = reader.documents(article_id)
    if not documents:
        return None
    documents.sort(key=lambda d: (d.position, d.locale))
    by_locale: dict[str, dict[str, SectionDocument]] = {}
    for document in documents:
        by_locale.setdefault(document.locale, {})[document.section] = document
    source_locale = next((d.locale for d in documents if d.status == SOURCE), documents[0].locale)
    locale = locale or source_locale
    shown_locale = _pick_locale(locale, by_locale, source_locale)
    source = by_locale[source_locale]
    chosen = by_locale.get(shown_locale, {})
    sections = tuple(_shown_section(chosen.get(section_id), original)
                     for section_id, original in source.items())
    titled = next((d for d in chosen.values() if d.status != FALLBACK), None)
    title_document = titled or next(iter(source.values()))
    locales = (source_locale,) + tuple(sorted(
        name for name, docs in by_locale.items()
        if name != source_locale and any(d.status != FALLBACK for d in docs.values())))
    return ShownArticle(id=article_id, locale=locale, source_locale=source_locale,
                        title=title_document.title, title_locale=title_document.locale,
                        sections=sections, locales=locales, path=title_document.path,
                        aliases=title_document.other_names)


def _pick_locale(wanted: str, by_locale: dict, source_locale: str) -> str:
    """The indexed locale that best matches wanted: itself, else a regional variant of its language."""
    if wanted in by_locale:
        return wanted
    if same_language(wanted, source_locale):
        return source_locale
    return next((name for name in sorted(by_locale) if same_language(name, wanted)), wanted)


def _shown_section(document: SectionDocument | None, original: SectionDocument) -> ShownSection:
    """A section from its document in the shown locale, or from the source document when there is none."""
    if document is None or document.status == FALLBACK:
        return ShownSection(original.section, original.heading, original.locale, FALLBACK,
                            tuple(ShownParagraph(text, True) for text in _paragraphs(original.body)))
    fallbacks = frozenset(document.fallbacks)
    paragraphs = tuple(ShownParagraph(text, i in fallbacks) for i, text in enumerate(_paragraphs(document.body)))
    return ShownSection(document.section, document.heading, document.locale, document.status, paragraphs)


def _paragraphs(body: str) -> list[str]:
    """A section's paragraphs (the index joins them with blank lines)."""
    return body.split("\n\n") if body else []
