"""`pipeline catalog prune`: remove, deliberately, what no merge ever removes.

A merge never deletes a translation: a removed paragraph's translation stays as an obsolete
entry (`#~`) and comes back with its text, and a deleted or renamed article's catalogue stays as
an orphan. Once a lead has decided they are not needed (git keeps them), this removes orphan
catalogues (with their .mo) and the obsolete entries of the others.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path

from ..config import Config
from ..errors import CatalogError
from ..files import FileChangedError, write_file
from ..sources import discover
from .folder import catalogue_files, orphan_catalogues
from .pofile import content, parse_catalogue, read_regular_file, render

log = logging.getLogger(__name__)


@dataclass
class PruneReport:
    """What prune removed (or, with dry_run, would remove).

    orphans: orphan catalogues (and .mo files beside them). obsolete: (catalogue, entries removed).
    errors: catalogues that could not be read (left as they are).
    """

    orphans: list[Path] = field(default_factory=list)
    obsolete: list[tuple[Path, int]] = field(default_factory=list)
    errors: list[CatalogError] = field(default_factory=list)


def prune(config: Config, locale: str | None = None, orphans: bool = True, obsolete: bool = True,
          dry_run: bool = False) -> PruneReport:
    """Remove orphan catalogues and obsolete entries (of one locale, or of all)."""
    report = PruneReport()
    article_ids = {source.article_id for source in discover(config.sources)}
    gone = {item.path for item in orphan_catalogues(config.locales, article_ids, locale)}
    if orphans:
        report.orphans = sorted(gone)
        if not dry_run:
            for path in report.orphans:
                path.unlink(missing_ok=True)
                path.with_suffix(".mo").unlink(missing_ok=True)
                log.info("%s: removed (its article is gone)", path)
    if obsolete:
        for item in catalogue_files(config.locales, locale):
            if item.path in gone and orphans:
                continue
            try:
                data = read_regular_file(item.path)  # not through a link, nor from a FIFO
                catalogue = parse_catalogue(data, item.path)
            except CatalogError as error:
                report.errors.append(error)
                continue
            if not catalogue.obsolete:
                continue
            report.obsolete.append((item.path, len(catalogue.obsolete)))
            if dry_run:
                continue
            before = content(catalogue)
            catalogue.obsolete.clear()
            if content(catalogue) != before:
                try:  # never over a save the translator made meanwhile
                    write_file(item.path, render(catalogue), expected=data)
                except FileChangedError as error:
                    report.errors.append(CatalogError(error.message, error.path))
                    continue
                log.info("%s: %d obsolete entries removed", item.path, report.obsolete[-1][1])
    return report
