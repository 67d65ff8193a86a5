"""The command line: parse options, call one library function, show its result."""

from __future__ import annotations

import json
import logging
import re
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from .config import DEFAULT_MAX_BYTES, Config
from .engine import ENGINES, EXPORTS, open_engine
from .errors import PipelineError
from .model import strip_controls

if TYPE_CHECKING:
    from click._termui_impl import ProgressBar  # what click.progressbar returns

INDEX_OPTION = click.option("--index", "index_dir", type=click.Path(path_type=Path), default="index",
                            show_default=True, help="Folder of the search index.")
SOURCES_OPTION = click.option("--sources", type=click.Path(path_type=Path), default="sources",
                              show_default=True, help="Folder of source articles (.txt, .md, .html).")
LOCALES_OPTION = click.option("--locales", type=click.Path(path_type=Path), default="locales",
                              show_default=True, help="Folder of translation catalogues.")
ENGINE_OPTION = click.option("--engine", type=click.Choice(sorted(ENGINES)), default="whoosh", show_default=True,
                             envvar="PIPELINE_ENGINE",
                             help="Search engine holding the index: the embedded one, or a cluster.")
LOCALE_OPTION = click.option("--locale", metavar="LOCALE", help="Only this locale (default: every locale).")
JSON_OPTION = click.option("--json", "as_json", is_flag=True, help="Print the result as one JSON object.")


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("-v", "--verbose", count=True, help="Say more (repeat for debug output).")
@click.option("-q", "--quiet", is_flag=True, help="Only print errors.")
@click.version_option(package_name="medref-pipeline", prog_name="pipeline")
def cli(verbose: int, quiet: bool) -> None:
    """A multilingual medical reference: ingest articles, search them in any locale."""
    level = logging.ERROR if quiet else (logging.WARNING, logging.INFO, logging.DEBUG)[min(verbose, 2)]
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(_TerminalFormatter("%(levelname)s: %(message)s"))
    logging.basicConfig(level=level, handlers=[handler])


@cli.command()
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
    from .ingest import ingest as run_ingest

    config = _run(lambda: Config(sources=sources, locales=locales, index=index_dir, max_bytes=max_bytes, jobs=jobs,
                                 engine=engine, cluster=_cluster(engine)))
    warnings = _WarningCounter()
    logging.getLogger("pipeline").addHandler(warnings)
    with _progress("Ingesting") as (total, advance):
        report = _run(run_ingest, config, progress=advance, total=total, on_wait=lambda: _echo(
            f"another ingest is writing {_safe(str(index_dir))}; waiting for it to finish…", err=True))
    _echo_errors(report.failed)
    per_locale = _safe(", ".join(f"{locale} {n}" for locale, n in report.by_locale.items()))
    _echo(f"{len(report.added)} added, {len(report.changed)} changed, "
               f"{len(report.unchanged)} unchanged, {len(report.removed)} removed, "
               f"{len(report.failed)} failed; {report.catalogue_files} catalogue files written; "
               f"{report.sections} sections indexed{f' ({per_locale})' if per_locale else ''} "
               f"in {report.seconds:.2f}s")
    if report.failed or (strict and warnings.count):
        sys.exit(1)


# A query may start with "-" ("-5 degrees"): unknown option-like words are part of it.
@cli.command(context_settings={"ignore_unknown_options": True})
@click.argument("query")
@INDEX_OPTION
@ENGINE_OPTION
@click.option("--lang", metavar="LOCALE",
              help="Show sections in this locale (e.g. en, ar); untranslated ones in their source locale.")
@click.option("--limit", type=click.IntRange(1, 1000), default=10, show_default=True,
              help="How many hits to show.")
@JSON_OPTION
def search(query: str, index_dir: Path, engine: str, lang: str | None, limit: int, as_json: bool) -> None:
    """Search the index for QUERY, typed as you would ask it."""
    from .catalogue.demand import record_demand
    from .locale_tags import underscored
    from .search import search as run_search

    query = _readable(query)
    result = _run(lambda: run_search(_engine(index_dir, engine), query, lang=lang, limit=limit))
    record_demand(result.hits, underscored(lang) if lang else None, index_dir)  # for `catalog todo --by-demand`
    if as_json:
        click.echo(_json(result.as_json()))
        return
    if result.suggestion:
        _echo(f"Did you mean “{_safe(result.suggestion)}”?")
    if not result.hits:
        _echo(f"No results for “{_safe(query)}”.")
        return
    for hit in result.hits:
        heading = f" › {hit.heading}" if hit.heading else ""
        label = hit.locale if hit.status == "source" else f"{hit.locale}, {hit.status}"
        name = _safe((hit.title or hit.article) + heading)
        click.echo(f"{hit.rank}. {click.style(name, bold=True)}  [{label}]")
        _echo(f"   {_safe(hit.path)}:{hit.line}")
        click.echo(f"   {_highlight(hit.snippet, hit.highlights)}")
        if hit.matched:
            _echo(f"   found through: {', '.join(hit.matched)}")
    _echo(f"{len(result.hits)} of {result.total} matching sections.")


@cli.group()
def catalog() -> None:
    """Manage translation catalogues: one PO file per article and locale, under locales/."""


@catalog.command("init")
@click.argument("locale")
@SOURCES_OPTION
@LOCALES_OPTION
def catalog_init(locale: str, sources: Path, locales: Path) -> None:
    """Start translating into LOCALE (e.g. ar, fr, pt_BR): a catalogue for every article."""
    from .catalogue.folder import init_locale

    config = Config(sources=sources, locales=locales)
    locale, report, started = _run(init_locale, config, locale)
    folder = locales / locale / "LC_MESSAGES"
    created = [path for path in report.created if path.is_relative_to(folder)]
    _echo_errors(report.errors)
    if started:
        _echo(f"{locale}: already started ({started} catalogues in {folder}); "
                   f"{len(created)} catalogues created for new articles")
    else:
        _echo(f"{locale}: {len(created)} catalogues created in {folder}")
    if report.errors:
        sys.exit(1)


@catalog.command("update")
@click.option("--check", is_flag=True, help="Write nothing; exit 1 listing the files that are out of step.")
@SOURCES_OPTION
@LOCALES_OPTION
def catalog_update(check: bool, sources: Path, locales: Path) -> None:
    """Merge templates and catalogues with the sources (no indexing)."""
    from .catalogue.folder import update

    report = _run(update, Config(sources=sources, locales=locales), check=check)
    _echo_errors(report.errors)
    for action, path in report.changes():
        _echo(f"stale: {path} (would be {action})" if check else f"{action}: {path}")
    for new, old in report.carried:
        _echo(f"{'would carry' if check else 'carried'}: translations of {old} to {new} (renamed or moved article)")
    for path in report.orphans:
        _echo(f"orphan: {path} (its article is gone; `pipeline catalog prune` removes it)")
    if not check:
        _echo(f"{len(report.created)} created, {len(report.updated)} updated, "
                   f"{len(report.removed)} removed, {report.unchanged} unchanged")
    elif report.stale or report.orphans:
        if report.stale:
            _echo(f"{len(report.stale)} files out of step with the sources; run `pipeline catalog update`")
        if report.orphans:
            _echo(f"{len(report.orphans)} orphan catalogue{'s' if len(report.orphans) > 1 else ''} "
                       "(article gone); remove with `pipeline catalog prune` once no longer needed")
    else:
        _echo(f"all {report.unchanged} templates and catalogues are in step with the sources")
    if report.errors or (check and (report.stale or report.orphans)):
        sys.exit(1)


@catalog.command("stats")
@LOCALE_OPTION
@LOCALES_OPTION
@JSON_OPTION
def catalog_stats(locale: str | None, locales: Path, as_json: bool) -> None:
    """Show how much is translated, fuzzy, untranslated and obsolete, per locale and article."""
    from .catalogue.stats import stats

    report = _run(stats, locales, locale)
    _echo_errors(report.errors)
    if as_json:
        click.echo(_json(report.as_json()))
    else:
        _echo("\n".join(_stats_table(report)))
    if report.errors:
        sys.exit(1)


@catalog.command("check")
@click.argument("files", nargs=-1, type=click.Path(path_type=Path, dir_okay=False))
@LOCALE_OPTION
@LOCALES_OPTION
@click.option("--concepts", "concepts_path", type=click.Path(path_type=Path, dir_okay=False, exists=True),
              help="The termbase (a concept table CSV) for terminology checks (default: the shipped one).")
@JSON_OPTION
def catalog_check(files: tuple[Path, ...], locale: str | None, locales: Path, concepts_path: Path | None,
                  as_json: bool) -> None:
    """Check translations: numbers, units, comparisons, ranges, URLs, markup, headers (errors);
    terminology, consistency, acronyms, punctuation... (warnings).

    Checks FILES if named, else every catalogue under --locales. Prints `file:line: code:
    message` for every problem and exits 1 if any is an error (or if there is nothing to check).
    """
    from .catalogue.checks import check
    from .concepts import read_concepts

    concepts = _run(read_concepts, concepts_path) if concepts_path else None
    report = _run(check, locales, locale, concepts, files)
    if as_json:
        click.echo(_json(report.as_json()))
    else:
        for problem in report.problems:
            _echo(_safe(str(problem)))
        _echo(f"{report.errors} errors, {report.warnings} warnings in {report.catalogues} catalogues")
    if report.errors:
        sys.exit(1)


@catalog.command("todo")
@click.option("--locale", required=True, metavar="LOCALE", help="The locale to list.")
@click.option("--by-demand", is_flag=True,
              help="Put first the sections readers searched for and were shown untranslated.")
@INDEX_OPTION
@click.option("--limit", type=click.IntRange(0), default=0, help="Show only the first N messages (0: all).")
@LOCALES_OPTION
@JSON_OPTION
def catalog_todo(locale: str, by_demand: bool, index_dir: Path, limit: int, locales: Path, as_json: bool) -> None:
    """List what waits for a translator in LOCALE, in the order to do it: `file:line` and words.

    Fuzzy first (a review is quicker than a translation), then untranslated; catalogues closest
    to done first. With --by-demand, the sections readers looked for come first (counted by
    `pipeline search --lang` and the web reader, beside the index).
    """
    from .catalogue.demand import section_demand
    from .catalogue.todo import todo

    demand = section_demand(index_dir, locale.replace("-", "_")) if by_demand else None
    report = _run(todo, locales, locale, demand)
    _echo_errors(report.errors)
    items = report.items[:limit] if limit else report.items
    if as_json:
        data = report.as_json()
        data["items"] = [item.as_json() for item in items]
        click.echo(_json(data))
    else:
        for item in items:
            wanted = f", searched {item.demand}×" if item.demand else ""
            kind = "fuzzy (exact memory match)" if item.exact_memory else item.state
            text = item.msgid if len(item.msgid) <= 60 else item.msgid[:59] + "…"
            _echo(f"{_safe(str(item.path))}:{item.line}: {kind}, {item.words} words{wanted}: “{_safe(text)}”")
        totals = report.totals()
        summary = "; ".join(f"{state}: {totals[state][0]} messages, {totals[state][1]} words"
                            for state in ("fuzzy", "untranslated") if state in totals)
        _echo(f"{report.locale}: {summary}" if summary else f"{report.locale}: nothing waits")
    if report.errors:
        sys.exit(1)


@catalog.command("compile")
@click.option("--use-fuzzy", is_flag=True, help="Include fuzzy translations (left out by default).")
@LOCALE_OPTION
@LOCALES_OPTION
def catalog_compile(use_fuzzy: bool, locale: str | None, locales: Path) -> None:
    """Write a .mo file beside every catalogue (build output, not committed)."""
    from .catalogue.folder import compile_catalogues

    report = _run(compile_catalogues, Config(locales=locales), use_fuzzy=use_fuzzy, locale=locale)
    _echo_errors(report.errors)
    _echo(f"{len(report.compiled)} catalogues compiled to .mo "
               f"(fuzzy translations {'included' if use_fuzzy else 'left out'})")
    if report.errors:
        sys.exit(1)


@catalog.command("prune")
@LOCALE_OPTION
@click.option("--keep-obsolete", is_flag=True, help="Keep obsolete entries; remove orphan catalogues only.")
@click.option("--keep-orphans", is_flag=True, help="Keep orphan catalogues; remove obsolete entries only.")
@click.option("--dry-run", is_flag=True, help="Only list what would be removed.")
@SOURCES_OPTION
@LOCALES_OPTION
def catalog_prune(locale: str | None, keep_obsolete: bool, keep_orphans: bool, dry_run: bool,
                  sources: Path, locales: Path) -> None:
    """Remove orphan catalogues (their article is gone) and obsolete entries (#~), deliberately.

    Merges never remove a translation; this does, once you have decided (git keeps the old files).
    """
    from .catalogue.prune import prune

    report = _run(prune, Config(sources=sources, locales=locales), locale, orphans=not keep_orphans,
                  obsolete=not keep_obsolete, dry_run=dry_run)
    _echo_errors(report.errors)
    verb = "would remove" if dry_run else "removed"
    for path in report.orphans:
        _echo(f"{verb}: {_safe(str(path))} (orphan catalogue: its article is gone)")
    for path, count in report.obsolete:
        _echo(f"{verb}: {count} obsolete entr{'y' if count == 1 else 'ies'} from {_safe(str(path))}")
    _echo(f"{len(report.orphans)} orphan catalogues and {sum(count for _, count in report.obsolete)} "
               f"obsolete entries {'would be removed' if dry_run else 'removed'}")
    if report.errors:
        sys.exit(1)


@catalog.command("pretranslate")
@click.option("--locale", required=True, metavar="LOCALE", help="The locale to fill.")
@click.option("--source-lang", default="en", show_default=True, metavar="LANG",
              help="The language of the articles (which imported memories apply).")
@click.option("--dry-run", is_flag=True, help="Only say what would be filled.")
@SOURCES_OPTION
@LOCALES_OPTION
def catalog_pretranslate(locale: str, source_lang: str, dry_run: bool, sources: Path, locales: Path) -> None:
    """Fill every untranslated message of LOCALE from the translation memory, as fuzzy.

    Merges already fill the messages they add; this also fills those that were waiting. Every
    suggestion stays fuzzy, with a `# memory: ...` comment saying where it came from.
    """
    from .catalogue.pretranslate import pretranslate

    report = _run(pretranslate, Config(sources=sources, locales=locales), locale, source_lang, dry_run=dry_run)
    _echo_errors(report.errors)
    for path, exact, near in report.filled:
        _echo(f"{'would fill' if dry_run else 'filled'}: {_safe(str(path))} ({exact} exact, {near} near)")
    _echo(f"{report.exact} exact and {report.near} near matches {'would be ' if dry_run else ''}offered "
               f"as fuzzy in {len(report.filled)} catalogues")
    if report.errors:
        sys.exit(1)


@catalog.group("memory")
def catalog_memory() -> None:
    """The translation memory: every reviewed translation, plus TMX files imported into locales/memory/."""


@catalog_memory.command("import")
@click.argument("tmx", type=click.Path(path_type=Path, dir_okay=False, exists=True))
@click.option("--name", help="Name it is kept under in locales/memory/ (default: the file's name).")
@click.option("--source-lang", default="", metavar="LANG",
              help="The source language, when the file's header does not name one.")
@LOCALES_OPTION
def memory_import(tmx: Path, name: str | None, source_lang: str, locales: Path) -> None:
    """Import a TMX file into the memory (as locales/memory/NAME.tmx; again: replaced)."""
    from .catalogue.memory import import_tmx

    report = _run(import_tmx, tmx, locales, source_lang, name)
    languages = ", ".join(f"{lang} {count}" for lang, count in report.languages.items())
    _echo(f"{report.pairs} translation pairs ({languages or 'none'}) from {report.units} units "
               f"imported into {_safe(str(report.path))}; {report.skipped} units without source or target skipped")


@catalog_memory.command("export")
@click.argument("tmx", type=click.Path(path_type=Path, dir_okay=False))
@LOCALE_OPTION
@click.option("--source-lang", default="en", show_default=True, metavar="LANG", help="The articles' language.")
@click.option("--include-imported", is_flag=True, help="Also export the memories imported as TMX.")
@LOCALES_OPTION
def memory_export(tmx: Path, locale: str | None, source_lang: str, include_imported: bool, locales: Path) -> None:
    """Export the project's reviewed translations as a TMX 1.4 file."""
    from .catalogue.memory import export_tmx

    report = _run(export_tmx, locales, tmx, locale, source_lang, include_imported)
    _echo(f"{report.pairs} translations of {report.units} source texts "
               f"({', '.join(report.locales) or 'no locale'}) written to {_safe(str(tmx))}")


@catalog.group("xliff")
def catalog_xliff() -> None:
    """Exchange a locale's catalogues with CAT tools (OmegaT, Trados, memoQ) as XLIFF 1.2."""


@catalog_xliff.command("export")
@click.argument("xliff", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--locale", required=True, metavar="LOCALE", help="The locale to export.")
@click.option("--source-lang", default="en", show_default=True, metavar="LANG", help="The articles' language.")
@click.option("--waiting", is_flag=True, help="Only fuzzy and untranslated messages.")
@LOCALES_OPTION
def xliff_export(xliff: Path, locale: str, source_lang: str, waiting: bool, locales: Path) -> None:
    """Write LOCALE's catalogues as one XLIFF 1.2 file (msgctxt, source lines, notes, fuzzy state kept)."""
    from .catalogue.xliff import export_xliff

    report = _run(export_xliff, locales, locale, xliff, source_lang, waiting)
    _echo(f"{report.units} units ({report.fuzzy} fuzzy, {report.untranslated} untranslated) "
               f"from {report.files} catalogues written to {_safe(str(xliff))}")


@catalog_xliff.command("import")
@click.argument("xliff", type=click.Path(path_type=Path, dir_okay=False, exists=True))
@click.option("--dry-run", is_flag=True, help="Check the units and say what would change; write nothing.")
@LOCALES_OPTION
def xliff_import(xliff: Path, dry_run: bool, locales: Path) -> None:
    """Bring an XLIFF file's translations back into the catalogues it was exported from.

    Units whose source changed since the export, or whose catalogue entry changed, are refused
    (listed as file:line) and the others applied. Exit status 1 if a unit was refused.
    """
    from .catalogue.xliff import import_xliff

    report = _run(import_xliff, xliff, locales, dry_run=dry_run)
    _echo_errors(report.refused)
    for path in report.written:
        _echo(f"{'would update' if dry_run else 'updated'}: {_safe(str(path))}")
    _echo(f"{report.translated} translated, {report.fuzzy} fuzzy, {report.unchanged} unchanged, "
               f"{len(report.refused)} refused")
    if report.refused:
        sys.exit(1)

def _engine(index_dir: Path, name: str):
    """The engine of the command's --engine and --index (a cluster's settings from the environment)."""
    return open_engine(Config(index=index_dir, engine=name, cluster=_cluster(name)))


def _cluster(engine: str):
    """The cluster settings of the OPENSEARCH_* variables, read for the engine that uses them only."""
    from .config import ClusterSettings

    return ClusterSettings.from_environment() if engine == "opensearch" else ClusterSettings()


def _echo_errors(errors) -> None:
    """Show each error a run collected, on stderr."""
    for error in errors:
        _echo(f"error: {_safe(str(error))}", err=True)


def _stats_table(report) -> list[str]:
    """The stats as an aligned table: one row per locale and article, a total per locale and overall."""
    if not report.catalogues:
        return ["no catalogues yet; start a locale with `pipeline catalog init LOCALE`"]
    rows: list[tuple[str, ...]] = [("locale", "article", "messages", "translated", "fuzzy", "untranslated",
                                    "obsolete", "words", "translated", "fuzzy", "untranslated", "obsolete")]

    def row(locale: str, article: str, messages, words) -> tuple[str, ...]:
        cells = [_safe(locale), _safe(article)]
        for counts in (messages, words):
            cells.append(str(counts.total))
            cells += [f"{getattr(counts, state)} ({counts.percent(state):.1f}%)"
                      for state in ("translated", "fuzzy", "untranslated")]
            cells.append(str(counts.obsolete))
        return tuple(cells)

    totals = report.locales()
    for locale, (messages, words) in totals.items():
        rows += [row(locale, item.article, item.messages, item.words)
                 for item in report.current() if item.locale == locale]
        rows.append(row(locale, "(all articles)", messages, words))
    if len(totals) != 1:
        rows.append(row("total", "", *report.total()))
    # Orphans (article gone) apart, after the totals they are not part of.
    rows += [row(item.locale, f"{item.article} (orphan: article gone)", item.messages, item.words)
             for item in report.orphans()]
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    # Locale and article left-aligned, figures right-aligned.
    return ["  ".join(cell.ljust(width) if i < 2 else cell.rjust(width)
                      for i, (cell, width) in enumerate(zip(line, widths))).rstrip() for line in rows]


@cli.group()
def termbase() -> None:
    """The concept table as a termbase: TBX in and out, glossaries merged in."""


@termbase.command("import")
@click.argument("source", type=click.Path(path_type=Path, dir_okay=False, exists=True))
@click.option("--table", type=click.Path(path_type=Path, dir_okay=False, exists=True), required=True,
              help="The concept table CSV to merge into (e.g. pipeline/data/concepts.csv or a project copy).")
def termbase_import(source: Path, table: Path) -> None:
    """Merge a TBX file or a JSON Lines glossary (`en`, `ar` per line) into a concept table.

    A concept the table has gains the terms it lacks; a new one becomes a row at the end. Entries
    whose terms are split between rows, or only share a stem with a row's term, are skipped and listed.
    """
    from .termbase import import_terms

    report = _run(import_terms, source, table)
    for reason in report.skipped:
        _echo(f"skipped: {_safe(reason)}")
    _echo(f"{report.read} entries read: {report.added} rows added, {report.merged} rows given new terms, "
               f"{report.unchanged} already in the table, {len(report.skipped)} skipped; "
               f"{_safe(str(table))} {'written' if report.written else 'unchanged'}")


@termbase.command("export")
@click.argument("tbx", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--table", type=click.Path(path_type=Path, dir_okay=False, exists=True),
              help="The concept table CSV to export (default: the shipped one).")
def termbase_export(tbx: Path, table: Path | None) -> None:
    """Write the concept table as TBX (TBX-Basic, for CAT tools and Weblate)."""
    from .concepts import default_concepts
    from .termbase import export_tbx

    concepts = None if table else default_concepts().concepts
    count = _run(export_tbx, table, tbx, concepts)
    _echo(f"{count} concepts written to {_safe(str(tbx))}")


@cli.command()
@INDEX_OPTION
@ENGINE_OPTION
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on (loopback by default; 0.0.0.0 for every interface).")
@click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True,
              help="Port to listen on (0 picks a free one).")
def serve(index_dir: Path, engine: str, host: str, port: int) -> None:
    """Serve the reader's web page: search and articles in English and Arabic."""
    from .web import make_server

    server = _run(lambda: make_server(_engine(index_dir, engine), host=host, port=port, demand_dir=index_dir))
    for url in server.urls:
        _echo(f"Serving the reader at {_safe(url)} (Ctrl-C to stop)")
    server.run()


@cli.command()
@click.argument("out_dir", type=click.Path(path_type=Path, file_okay=False))
@click.option("--format", "format_", type=click.Choice(sorted(EXPORTS)), default="opensearch", show_default=True,
              help="What to write: `opensearch`, the index settings and mappings and bulk NDJSON.")
@SOURCES_OPTION
@LOCALES_OPTION
def export(out_dir: Path, format_: str, sources: Path, locales: Path) -> None:
    """Write the documents an ingest would index into OUT_DIR, for loading a search cluster with its
    own tools (no cluster needed; index name prefix, shards and replicas from OPENSEARCH_* variables).
    """
    from .config import ClusterSettings
    from .export import export as run_export

    config = _run(lambda: Config(sources=sources, locales=locales, cluster=ClusterSettings.from_environment()))
    result = _run(run_export, config, out_dir, format_)
    _echo_errors(result.failed)
    report = result.report
    per_locale = ", ".join(f"{locale} {n}" for locale, n in report.by_locale)
    _echo(f"{report.sections} sections{f' ({per_locale})' if per_locale else ''} written for the index "
               f"{report.index} (alias {report.alias}): " + ", ".join(_safe(str(path)) for path in report.files))
    if result.failed:
        sys.exit(1)


@cli.command("eval")
@click.argument("queries", type=click.Path(path_type=Path, dir_okay=False))
@INDEX_OPTION
@ENGINE_OPTION
@click.option("--k", type=click.IntRange(1, 1000), default=10, show_default=True,
              help="Cut-off rank: score the top K articles.")
@click.option("--worst", type=click.IntRange(0, 1000), default=10, show_default=True,
              help="How many of the worst-served queries to list.")
@JSON_OPTION
def evaluate(queries: Path, index_dir: Path, engine: str, k: int, worst: int, as_json: bool) -> None:
    """Measure search quality on judged QUERIES (JSON Lines): MRR, nDCG and recall at K, per source."""
    from .search.evaluate import evaluate_index

    result = _run(lambda: evaluate_index(queries, _engine(index_dir, engine), k))
    if as_json:
        click.echo(_json(result.as_json(worst)))
        return
    for line in _evaluation_lines(result, worst):
        _echo(_safe(line))


def _evaluation_lines(result, worst: int) -> list[str]:
    """The evaluation as a table of scores and a list of the worst-served queries."""
    k = result.k
    lines = [f"{'source':<30} {'queries':>7} {f'MRR@{k}':>8} {f'nDCG@{k}':>8} {f'Recall@{k}':>10}"]
    for source, scores in [*result.sources, ("all", result.overall)]:
        lines.append(f"{source:<30} {scores.queries:>7} {scores.mrr:>8.4f} {scores.ndcg:>8.4f} {scores.recall:>10.4f}")
    if worst:
        lines.append(f"Worst-served queries (rank of the first relevant article; - if not in the top {k}):")
        for outcome in result.worst(worst):
            query = " ".join(outcome.judgement.query.split())
            query = query if len(query) <= 70 else query[:69] + "…"
            lines.append(f"  {outcome.rank or '-':>3}  {outcome.judgement.id}  {query}")
    return lines


def _highlight(text: str, spans) -> str:
    """Bold the highlighted spans (click drops the styling when output is not a terminal)."""
    out, last = [], 0
    for start, end in spans:
        out.append(_safe(text[last:start]))
        out.append(click.style(_safe(text[start:end]), bold=True))
        last = end
    out.append(_safe(text[last:]))
    return "".join(out)


# Embeddings, overrides and isolates reorder what a terminal shows after them (a file name can be made
# to read as another); the marks (LRM, RLM, ALM) only nudge neutral characters, and Arabic text needs them.
_BIDI_CONTROLS = re.compile("[\u202a-\u202e\u2066-\u2069]")
# What json.dumps(ensure_ascii=False) leaves as it is but a terminal obeys (DEL, C1 controls, bidi
# controls) or cannot be written as UTF-8 (lone surrogates, from file names that are not UTF-8).
_JSON_UNSAFE = re.compile("[\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")
_SURROGATE = re.compile("[\ud800-\udfff]")


def _safe(text: str) -> str:
    """Text from sources or catalogues, made harmless for a terminal (no control sequences, one line)."""
    text = _SURROGATE.sub("\ufffd", _BIDI_CONTROLS.sub("", strip_controls(text)))
    return text.replace("\n", " ").replace("\r", " ")


def _echo(message: str = "", err: bool = False) -> None:
    """Print a message (on stderr with err) cleaned line by line as _safe cleans text."""
    click.echo("\n".join(_safe(line) for line in message.split("\n")), err=err)


def _json(value) -> str:
    """A value as indented JSON that a terminal shows as it is: what it would obey is written as \\u escapes."""
    text = json.dumps(value, ensure_ascii=False, sort_keys=True, indent=2)
    return _JSON_UNSAFE.sub(lambda match: f"\\u{ord(match.group()):04x}", text)


class _TerminalFormatter(logging.Formatter):
    """Log lines cleaned as every other line of output (messages quote file names and file contents)."""

    def format(self, record: logging.LogRecord) -> str:
        return "\n".join(_safe(line) for line in super().format(record).split("\n"))


def _readable(text: str) -> str:
    """An argument as valid Unicode: bytes that were not UTF-8 become U+FFFD."""
    return text.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


class _WarningCounter(logging.Handler):
    """Count the warnings the library logs during a command (for --strict)."""

    def __init__(self):
        super().__init__(logging.WARNING)
        self.count = 0

    def emit(self, record: logging.LogRecord) -> None:
        self.count += 1


def _run(function, *args, **kwargs):
    """Call a library function, turning the pipeline's own errors into a clean exit."""
    try:
        return function(*args, **kwargs)
    except PipelineError as error:
        raise click.ClickException(_safe(str(error))) from None
    except KeyboardInterrupt:
        _echo("\nInterrupted: nothing was committed; the last good index and catalogues are intact.",
                   err=True)
        sys.exit(130)


class _progress:
    """A progress bar on stderr when it is a terminal; nothing in pipes."""

    def __init__(self, label: str):
        self.label = label
        self.bar: ProgressBar[int] | None = None

    def __enter__(self):
        return self._total, self._advance

    def __exit__(self, *exc) -> None:
        if self.bar is not None:
            self.bar.__exit__(*exc)

    def _total(self, count: int) -> None:
        if sys.stderr.isatty():
            self.bar = click.progressbar(length=count, label=self.label, file=sys.stderr)
            self.bar.__enter__()

    def _advance(self, step: int) -> None:
        if self.bar is not None:
            self.bar.update(step)


def main() -> None:
    """Run the command line."""
    cli(prog_name="pipeline")
