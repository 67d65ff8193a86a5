"""Locale tags, in one place: `ar`, `ar-EG` and `ar_EG` name the same locale in every command.

The project writes locales as Babel does (`pt_BR`); a reader or translator may type BCP 47 tags
(`pt-BR`). Babel is imported only by the functions that check a tag against its locale data.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .errors import CatalogError

if TYPE_CHECKING:
    from babel import Locale

# Longer than any real tag: a longer string is never parsed.
_MAX_TAG = 35


def underscored(tag: str) -> str:
    """A tag written as the project writes locales, without checking it (`ar-EG ` -> `ar_EG`)."""
    return tag.strip().replace("-", "_")


def language(tag: str) -> str:
    """The language of a tag, lowercase (`ar_EG` -> `ar`)."""
    return underscored(tag).split("_")[0].lower()


def same_language(a: str, b: str) -> bool:
    """Whether two locales are the same language (`ar` and `ar_EG` are)."""
    return language(a) == language(b)


def babel_locale(tag: str | None) -> Locale | None:
    """Babel's locale for a tag (`ar`, `ar-EG`, `ar_EG`), or None when Babel does not know it."""
    from babel import Locale, UnknownLocaleError

    if not tag or not tag.strip() or len(tag) > _MAX_TAG:
        return None
    try:
        return Locale.parse(underscored(tag))
    except (ValueError, TypeError, UnknownLocaleError):
        return None


def normalize_locale(tag: str) -> str | None:
    """Babel's id for a tag (`en-US` -> `en_US`), or None when Babel does not know it."""
    locale = babel_locale(tag)
    return str(locale) if locale is not None else None


def parse_locale(tag: str) -> str:
    """Babel's id for a tag a user typed; an unknown tag is a CatalogError that says what to type."""
    locale = normalize_locale(tag)
    if locale is None:
        raise CatalogError(f"unknown locale {tag!r}",
                           hint="use a language code from the CLDR, such as ar, fr or pt_BR")
    return locale
