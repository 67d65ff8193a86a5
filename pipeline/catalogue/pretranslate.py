"""`pipeline catalog pretranslate`: offer the memory's translations for messages already waiting.

A merge fills only the messages it adds (so that a translation made in one article does not
make every other catalogue out of step); this fills, when a lead asks for it, every
untranslated message of a locale from the memory, as fuzzy suggestions (as Poedit's
"Pre-translate" does), with the same `memory:` comments.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ..config import Config
from ..errors import CatalogError
from ..files import FileChangedError, write_file
from ..locale_tags import parse_locale
from ..sources import discover
from .folder import catalogue_files
from .fuzzy import MemoryView
from .fuzzy import pretranslate as fill
from .memory import load_memory
from .pofile import content, parse_catalogue, read_regular_file, render


@dataclass
class PretranslateReport:
    """Per catalogue written: (path, exact matches, near matches); errors for unreadable ones."""

    filled: list[tuple[Path, int, int]] = field(default_factory=list)
    errors: list[CatalogError] = field(default_factory=list)

    @property
    def exact(self) -> int:
        return sum(exact for _, exact, _ in self.filled)

    @property
    def near(self) -> int:
        return sum(near for _, _, near in self.filled)


def pretranslate(config: Config, locale: str, source_language: str = "en", dry_run: bool = False) -> PretranslateReport:
    """Fill every untranslated message of locale's catalogues from the memory, as fuzzy."""
    locale = parse_locale(locale)
    report = PretranslateReport()
    files = catalogue_files(config.locales, locale)
    article_ids = {source.article_id for source in discover(config.sources)}
    memory = load_memory(config.locales, article_ids)
    view = MemoryView(memory, locale, source_language)
    for item in files:
        if item.article_id not in article_ids:
            continue  # an orphan: nobody reads it
        try:
            data = read_regular_file(item.path)  # not through a link, nor from a FIFO
            catalogue = parse_catalogue(data, item.path)
        except CatalogError as error:
            report.errors.append(error)
            continue
        before = content(catalogue)
        done = fill(catalogue, view)
        if content(catalogue) != before:
            report.filled.append((item.path, done.exact, done.near))
            if not dry_run:
                try:  # never over a save the translator made meanwhile
                    write_file(item.path, render(catalogue), expected=data)
                except FileChangedError as error:
                    report.errors.append(CatalogError(error.message, error.path))
    return report
