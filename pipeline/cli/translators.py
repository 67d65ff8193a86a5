"""The translators' commands: catalogues (`pipeline catalog ...`) and the term base."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from ..config import Config
from .options import INDEX_OPTION, JSON_OPTION, LOCALE_OPTION, LOCALES_OPTION, SOURCES_OPTION
from .output import echo, echo_errors, json_text, run, safe


@click.group()
def catalog() -> None:
    """Manage translation catalogues: one PO file per article and locale, under locales/."""


@catalog.command("init")
@click.argument("locale")
@SOURCES_OPTION
@LOCALES_OPTION
def catalog_init(locale: str, sources: Path, locales: Path) -> None:
    """Start translating into LOCALE (e.g. ar, fr, pt_BR): a catalogue for every article."""
    from ..catalogue.folder import init_locale

    config = Config(sources=sources, locales=locales)
    locale, report, started = run(init_locale, config, locale)
    folder = locales / locale / "LC_MESSAGES"
    created = [path for path in report.created if path.is_relative_to(folder)]
    echo_errors(report.errors)
    if started:
        echo(f"{locale}: already started ({started} catalogues in {folder}); "
             f"{len(created)} catalogues created for new articles")
    else:
        echo(f"{locale}: {len(created)} catalogues created in {folder}")
    if report.errors:
        sys.exit(1)


@catalog.command("update")
@click.option("--check", is_flag=True, help="Write nothing; exit 1 listing the files that are out of step.")
@SOURCES_OPTION
@LOCALES_OPTION
def catalog_update(check: bool, sources: Path, locales: Path) -> None:
    """Merge templates and catalogues with the sources (no indexing)."""
    from ..catalogue.folder import update

    report = run(update, Config(sources=sources, locales=locales), check=check)
    echo_errors(report.errors)
    for action, path in report.changes():
        echo(f"stale: {path} (would be {action})" if check else f"{action}: {path}")
    for new, old in report.carried:
        echo(f"{'would carry' if check else 'carried'}: translations of {old} to {new} (renamed or moved article)")
    for path in report.orphans:
        echo(f"orphan: {path} (its article is gone; `pipeline catalog prune` removes it)")
    if not check:
        echo(f"{len(report.created)} created, {len(report.updated)} updated, "
             f"{len(report.removed)} removed, {report.unchanged} unchanged")
    elif report.stale or report.orphans:
        if report.stale:
            echo(f"{len(report.stale)} files out of step with the sources; run `pipeline catalog update`")
        if report.orphans:
            echo(f"{len(report.orphans)} orphan catalogue{'s' if len(report.orphans) > 1 else ''} "
                 "(article gone); remove with `pipeline catalog prune` once no longer needed")
    else:
        echo(f"all {report.unchanged} templates and catalogues are in step with the sources")
    if report.errors or (check and (report.stale or report.orphans)):
        sys.exit(1)


@catalog.command("stats")
@LOCALE_OPTION
@LOCALES_OPTION
@JSON_OPTION
def catalog_stats(locale: str | None, locales: Path, as_json: bool) -> None:
    """Show how much is translated, fuzzy, untranslated and obsolete, per locale and article."""
    from ..catalogue.stats import stats

    report = run(stats, locales, locale)
    echo_errors(report.errors)
    if as_json:
        click.echo(json_text(report.as_json()))
    else:
        echo("\n".join(_stats_table(report)))
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
    from ..catalogue.checks import check
    from ..concepts import read_concepts

    concepts = run(read_concepts, concepts_path) if concepts_path else None
    report = run(check, locales, locale, concepts, files)
    if as_json:
        click.echo(json_text(report.as_json()))
    else:
        for problem in report.problems:
            echo(safe(str(problem)))
        echo(f"{report.errors} errors, {report.warnings} warnings in {report.catalogues} catalogues")
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
    from ..catalogue.demand import section_demand
    from ..catalogue.todo import todo

    demand = section_demand(index_dir, locale.replace("-", "_")) if by_demand else None
    report = run(todo, locales, locale, demand)
    echo_errors(report.errors)
    items = report.items[:limit] if limit else report.items
    if as_json:
        data = report.as_json()
        data["items"] = [item.as_json() for item in items]
        click.echo(json_text(data))
    else:
        for item in items:
            wanted = f", searched {item.demand}×" if item.demand else ""
            kind = "fuzzy (exact memory match)" if item.exact_memory else item.state
            text = item.msgid if len(item.msgid) <= 60 else item.msgid[:59] + "…"
            echo(f"{safe(str(item.path))}:{item.line}: {kind}, {item.words} words{wanted}: “{safe(text)}”")
        totals = report.totals()
        summary = "; ".join(f"{state}: {totals[state][0]} messages, {totals[state][1]} words"
                            for state in ("fuzzy", "untranslated") if state in totals)
        echo(f"{report.locale}: {summary}" if summary else f"{report.locale}: nothing waits")
    if report.errors:
        sys.exit(1)


@catalog.command("compile")
@click.option("--use-fuzzy", is_flag=True, help="Include fuzzy translations (left out by default).")
@LOCALE_OPTION
@LOCALES_OPTION
def catalog_compile(use_fuzzy: bool, locale: str | None, locales: Path) -> None:
    """Write a .mo file beside every catalogue (build output, not committed)."""
    from ..catalogue.folder import compile_catalogues

    report = run(compile_catalogues, Config(locales=locales), use_fuzzy=use_fuzzy, locale=locale)
    echo_errors(report.errors)
    echo(f"{len(report.compiled)} catalogues compiled to .mo "
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
    from ..catalogue.prune import prune

    report = run(prune, Config(sources=sources, locales=locales), locale, orphans=not keep_orphans,
                  obsolete=not keep_obsolete, dry_run=dry_run)
    echo_errors(report.errors)
    verb = "would remove" if dry_run else "removed"
    for path in report.orphans:
        echo(f"{verb}: {safe(str(path))} (orphan catalogue: its article is gone)")
    for path, count in report.obsolete:
        echo(f"{verb}: {count} obsolete entr{'y' if count == 1 else 'ies'} from {safe(str(path))}")
    echo(f"{len(report.orphans)} orphan catalogues and {sum(count for _, count in report.obsolete)} "
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
    from ..catalogue.pretranslate import pretranslate

    report = run(pretranslate, Config(sources=sources, locales=locales), locale, source_lang, dry_run=dry_run)
    echo_errors(report.errors)
    for path, exact, near in report.filled:
        echo(f"{'would fill' if dry_run else 'filled'}: {safe(str(path))} ({exact} exact, {near} near)")
    echo(f"{report.exact} exact and {report.near} near matches {'would be ' if dry_run else ''}offered "
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
    from ..catalogue.memory import import_tmx

    report = run(import_tmx, tmx, locales, source_lang, name)
    languages = ", ".join(f"{lang} {count}" for lang, count in report.languages.items())
    echo(f"{report.pairs} translation pairs ({languages or 'none'}) from {report.units} units "
         f"imported into {safe(str(report.path))}; {report.skipped} units without source or target skipped")


@catalog_memory.command("export")
@click.argument("tmx", type=click.Path(path_type=Path, dir_okay=False))
@LOCALE_OPTION
@click.option("--source-lang", default="en", show_default=True, metavar="LANG", help="The articles' language.")
@click.option("--include-imported", is_flag=True, help="Also export the memories imported as TMX.")
@LOCALES_OPTION
def memory_export(tmx: Path, locale: str | None, source_lang: str, include_imported: bool, locales: Path) -> None:
    """Export the project's reviewed translations as a TMX 1.4 file."""
    from ..catalogue.memory import export_tmx

    report = run(export_tmx, locales, tmx, locale, source_lang, include_imported)
    echo(f"{report.pairs} translations of {report.units} source texts "
         f"({', '.join(report.locales) or 'no locale'}) written to {safe(str(tmx))}")


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
    from ..catalogue.xliff import export_xliff

    report = run(export_xliff, locales, locale, xliff, source_lang, waiting)
    echo(f"{report.units} units ({report.fuzzy} fuzzy, {report.untranslated} untranslated) "
         f"from {report.files} catalogues written to {safe(str(xliff))}")


@catalog_xliff.command("import")
@click.argument("xliff", type=click.Path(path_type=Path, dir_okay=False, exists=True))
@click.option("--dry-run", is_flag=True, help="Check the units and say what would change; write nothing.")
@LOCALES_OPTION
def xliff_import(xliff: Path, dry_run: bool, locales: Path) -> None:
    """Bring an XLIFF file's translations back into the catalogues it was exported from.

    Units whose source changed since the export, or whose catalogue entry changed, are refused
    (listed as file:line) and the others applied. Exit status 1 if a unit was refused.
    """
    from ..catalogue.xliff import import_xliff

    report = run(import_xliff, xliff, locales, dry_run=dry_run)
    echo_errors(report.refused)
    for path in report.written:
        echo(f"{'would update' if dry_run else 'updated'}: {safe(str(path))}")
    echo(f"{report.translated} translated, {report.fuzzy} fuzzy, {report.unchanged} unchanged, "
         f"{len(report.refused)} refused")
    if report.refused:
        sys.exit(1)


def _stats_table(report) -> list[str]:
    """The stats as an aligned table: one row per locale and article, a total per locale and overall."""
    if not report.catalogues:
        return ["no catalogues yet; start a locale with `pipeline catalog init LOCALE`"]
    rows: list[tuple[str, ...]] = [("locale", "article", "messages", "translated", "fuzzy", "untranslated",
                                    "obsolete", "words", "translated", "fuzzy", "untranslated", "obsolete")]

    def row(locale: str, article: str, messages, words) -> tuple[str, ...]:
        cells = [safe(locale), safe(article)]
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


@click.group()
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
    from ..termbase import import_terms

    report = run(import_terms, source, table)
    for reason in report.skipped:
        echo(f"skipped: {safe(reason)}")
    echo(f"{report.read} entries read: {report.added} rows added, {report.merged} rows given new terms, "
         f"{report.unchanged} already in the table, {len(report.skipped)} skipped; "
         f"{safe(str(table))} {'written' if report.written else 'unchanged'}")


@termbase.command("export")
@click.argument("tbx", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--table", type=click.Path(path_type=Path, dir_okay=False, exists=True),
              help="The concept table CSV to export (default: the shipped one).")
def termbase_export(tbx: Path, table: Path | None) -> None:
    """Write the concept table as TBX (TBX-Basic, for CAT tools and Weblate)."""
    from ..concepts import default_concepts
    from ..termbase import export_tbx

    concepts = None if table else default_concepts().concepts
    count = run(export_tbx, table, tbx, concepts)
    echo(f"{count} concepts written to {safe(str(tbx))}")
