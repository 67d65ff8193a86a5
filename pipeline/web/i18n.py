"""The page's own words in the reader's language: gettext catalogues read with Babel, and negotiation."""

from __future__ import annotations

import io
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from babel.core import negotiate_locale
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal
from babel.support import NullTranslations, Translations

from ..locale_tags import babel_locale, underscored

# The page is written in English; other locales have a catalogue under locales/<locale>/LC_MESSAGES/.
SOURCE_LOCALE = "en"
DOMAIN = "messages"
CATALOGUES = Path(__file__).resolve().parent / "locales"


def ui_locales(catalogues: Path = CATALOGUES) -> tuple[str, ...]:
    """The locales the page's words are available in: English, then every catalogue's locale."""
    found = sorted(po.parent.parent.name for po in catalogues.glob(f"*/LC_MESSAGES/{DOMAIN}.po"))
    return (SOURCE_LOCALE,) + tuple(name for name in found if name != SOURCE_LOCALE)


@lru_cache(maxsize=None)
def translations(locale: str, catalogues: Path = CATALOGUES) -> NullTranslations:
    """The page's translations for locale, compiled in memory from its PO file (English: none)."""
    po = catalogues / locale / "LC_MESSAGES" / f"{DOMAIN}.po"
    if locale == SOURCE_LOCALE or not po.is_file():
        return NullTranslations()
    with po.open("rb") as fileobj:
        catalog = read_po(fileobj, locale=locale, domain=DOMAIN)
    compiled = io.BytesIO()
    write_mo(compiled, catalog)  # fuzzy entries are left out, as msgfmt does
    compiled.seek(0)
    return Translations(compiled, domain=DOMAIN)


def negotiate(asked: str | None, accepted: list[str], available: tuple[str, ...]) -> str:
    """The locale to show: the one asked for if available, else the browser's best, else English."""
    for preferred in ([asked] if asked else []), accepted:
        tags = [underscored(tag) for tag in preferred if tag and tag != "*"]
        found = negotiate_locale(tags, list(available)) if tags else None
        if found:
            return found
    return SOURCE_LOCALE


@dataclass(frozen=True)
class Language:
    """How one locale writes: what to call it, which way it runs, how it writes numbers.

    code: the locale as the index and URLs spell it (`en`, `ar`).
    own_name: its name in its own language ("العربية").
    direction: `ltr` or `rtl`.
    """

    code: str
    own_name: str
    direction: str

    @property
    def tag(self) -> str:
        """The locale as HTML's `lang` attribute spells it (`ar-EG`)."""
        return self.code.replace("_", "-")

    @classmethod
    @lru_cache(maxsize=256)
    def of(cls, code: str) -> "Language":
        """Describe a locale; one Babel does not know is shown by its code, left to right."""
        locale = babel_locale(code)
        if locale is None:
            return cls(code, code, "ltr")
        return cls(code, _capitalized(locale.get_display_name(locale) or code), locale.text_direction)

    def name_in(self, other: str) -> str:
        """This language's name in another locale's words ("الإنجليزية" for English in Arabic)."""
        locale, reader = babel_locale(self.code), babel_locale(other)
        if locale is None or reader is None:
            return self.own_name
        return _capitalized(locale.get_display_name(reader) or self.code)

    def number(self, value: int) -> str:
        """A whole number written the way this locale writes it."""
        return format_decimal(value, locale=babel_locale(self.code) or SOURCE_LOCALE)


def _capitalized(name: str) -> str:
    """A language name as a menu shows it ("Français", not "français")."""
    return name[:1].upper() + name[1:]
