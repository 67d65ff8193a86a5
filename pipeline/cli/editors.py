"""The editors' commands: bring catalogues and index in step with the sources, export the documents."""

from __future__ import annotations

import logging
import sys
from pathlib import Path

import click

from ..config import DEFAULT_MAX_BYTES, Config
from ..engine import EXPORTS
from .options import ENGINE_OPTION, INDEX_OPTION, LOCALES_OPTION, SOURCES_OPTION, cluster_settings
from .output import WarningCounter, echo, echo_errors, progress, run, safe


@click.command()
@SOURCES_OPTION
@LOCALES_OPTION
@INDEX_OPTION
@ENGINE_OPTION
@click.option("--max-bytes", type=click.IntRange(1), default=DEFAULT_MAX_BYTES, show_default=True,
              help="Refuse source files larger than this.")
@click.option("--strict", is_flag=True, help="Exit 1 on warnings too, not only on errors.")
@click.option("--jobs", type=click.IntRange(0), default=0, show_default=True,
              help="Processes that parse and index at once (0: one per core; 1: this process only).")
def ingest(sources: Path, locales: Path, index_dir: Path, engine: str, max_bytes: int, strict: bool, jobs: int) -> None:
    """Bring catalogues and index in step with the sources, in every locale.

    New and changed articles get their template and catalogues updated, then are indexed in their
    own locale and in every locale they have translations for; deleted ones are dropped.

    Exit status: 0 all went well; 1 a source or catalogue could not be read (or, with --strict,
    something was warned about), while everything else was still indexed; 130 interrupted, with
    the last committed index and every catalogue whole.
    """
    from ..ingest import ingest as run_ingest

    config = run(lambda: Config(sources=sources, locales=locales, index=index_dir, max_bytes=max_bytes, jobs=jobs,
                                 engine=engine, cluster=cluster_settings(engine)))
    warnings = WarningCounter()
    logging.getLogger("pipeline").addHandler(warnings)
    with progress("Ingesting") as (total, advance):
        report = run(run_ingest, config, progress=advance, total=total, on_wait=lambda: echo(
            f"another ingest is writing {safe(str(index_dir))}; waiting for it to finish…", err=True))
    echo_errors(report.failed)
    per_locale = safe(", ".join(f"{locale} {n}" for locale, n in report.by_locale.items()))
    echo(f"{len(report.added)} added, {len(report.changed)} changed, "
         f"{len(report.unchanged)} unchanged, {len(report.removed)} removed, "
         f"{len(report.failed)} failed; {report.catalogue_files} catalogue files written; "
         f"{report.sections} sections indexed{f' ({per_locale})' if per_locale else ''} "
         f"in {report.seconds:.2f}s")
    if report.failed or (strict and warnings.count):
        sys.exit(1)


@click.command()
@click.argument("out_dir", type=click.Path(path_type=Path, file_okay=False))
@click.option("--format", "format_", type=click.Choice(sorted(EXPORTS)), default="opensearch", show_default=True,
              help="What to write: `opensearch`, the index settings and mappings and bulk NDJSON.")
@SOURCES_OPTION
@LOCALES_OPTION
def export(out_dir: Path, format_: str, sources: Path, locales: Path) -> None:
    """Write the documents an ingest would index into OUT_DIR, for loading a search cluster with its
    own tools (no cluster needed; index name prefix, shards and replicas from OPENSEARCH_* variables).
    """
    from ..config import ClusterSettings
    from ..export import export as run_export

    config = run(lambda: Config(sources=sources, locales=locales, cluster=ClusterSettings.from_environment()))
    result = run(run_export, config, out_dir, format_)
    echo_errors(result.failed)
    report = result.report
    per_locale = ", ".join(f"{locale} {n}" for locale, n in report.by_locale)
    echo(f"{report.sections} sections{f' ({per_locale})' if per_locale else ''} written for the index "
         f"{report.index} (alias {report.alias}): " + ", ".join(safe(str(path)) for path in report.files))
    if result.failed:
        sys.exit(1)
