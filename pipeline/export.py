"""Export: the documents an ingest would index, written as files another engine's tools can load.

Nothing is written but the export: catalogues are merged with their sources in memory (as
`catalog update --check` does), so the documents are those the next ingest would index. A source
or catalogue that cannot be read is reported and left out, as ingest does.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from .catalogue.folder import catalogue_locales, fingerprint, sync_article, utc_now
from .catalogue.localize import documents, localize, source_version
from .config import Config
from .engine import EXPORTS, SectionDocument
from .errors import PipelineError
from .sources import discover, load_article, read_bytes

FORMATS = tuple(EXPORTS)


@dataclass
class ExportResult:
    """What an export did: the engine's report (what it wrote), and the errors of what was left out."""

    report: object = None
    failed: list[PipelineError] = field(default_factory=list)


def export(config: Config, out_dir: Path, format: str = "opensearch", now: datetime | None = None) -> ExportResult:
    """Write the documents of every article in every locale to out_dir in format."""
    if format not in FORMATS:
        raise PipelineError(f"unknown export format {format!r}", hint=f"use one of: {', '.join(FORMATS)}")
    result = ExportResult()
    found = list(_documents(config, now or utc_now(), result.failed))
    result.report = EXPORTS[format](config, found, out_dir)
    return result


def _documents(config: Config, now: datetime, failed: list[PipelineError]) -> Iterator[SectionDocument]:
    """Every article's documents in every locale, as an ingest would make them now."""
    locales = catalogue_locales(config.locales)
    for source in discover(config.sources):
        try:
            data = read_bytes(source, config.max_bytes)
            article = load_article(source, config.sources, data)
            synced = sync_article(article, config.locales, locales, now, write=False)
        except PipelineError as error:
            failed.append(error)
            continue
        failed.extend(synced.errors)
        state = "" if synced.errors else fingerprint(data, dict(synced.files), config.locales)
        yield from documents(source_version(article), state)
        for locale, catalogue in synced.catalogues:
            yield from documents(localize(article, locale, catalogue), state)

