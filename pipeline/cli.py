"""The command line: parse options, call one library function, show its result."""

from __future__ import annotations

import json
import logging
import sys
from pathlib import Path

import click

from .config import DEFAULT_MAX_BYTES, Config
from .errors import PipelineError
from .model import strip_controls

INDEX_OPTION = click.option("--index", "index_dir", type=click.Path(path_type=Path), default="index",
                            show_default=True, help="Folder of the search index.")


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("-v", "--verbose", count=True, help="Say more (repeat for debug output).")
@click.option("-q", "--quiet", is_flag=True, help="Only print errors.")
@click.version_option(package_name="medref-pipeline", prog_name="pipeline")
def cli(verbose: int, quiet: bool) -> None:
    """A multilingual medical reference: ingest articles, search them in any locale."""
    level = logging.ERROR if quiet else (logging.WARNING, logging.INFO, logging.DEBUG)[min(verbose, 2)]
    logging.basicConfig(level=level, format="%(levelname)s: %(message)s", stream=sys.stderr)


@cli.command()
@click.option("--sources", type=click.Path(path_type=Path), default="sources", show_default=True,
              help="Folder of source articles (.txt, .md, .html).")
@click.option("--locales", type=click.Path(path_type=Path), default="locales", show_default=True,
              help="Folder of translation catalogues.")
@INDEX_OPTION
@click.option("--max-bytes", type=click.IntRange(1), default=DEFAULT_MAX_BYTES, show_default=True,
              help="Refuse source files larger than this.")
@click.option("--strict", is_flag=True, help="Exit 1 on warnings too, not only on errors.")
def ingest(sources: Path, locales: Path, index_dir: Path, max_bytes: int, strict: bool) -> None:
    """Index new and changed articles from the sources folder; drop deleted ones.

    Exit status: 0 all went well; 1 a source (or, with --strict, a warning) failed, while every
    good article was still indexed; 130 interrupted, with the last committed index untouched.
    """
    from .ingest import ingest as run_ingest

    config = Config(sources=sources, locales=locales, index=index_dir, max_bytes=max_bytes)
    warnings = _WarningCounter()
    logging.getLogger("pipeline").addHandler(warnings)
    with _progress("Ingesting") as (total, advance):
        report = _run(run_ingest, config, progress=advance, total=total, on_wait=lambda: click.echo(
            f"another ingest is writing {index_dir}; waiting for it to finish…", err=True))
    for error in report.failed:
        click.echo(f"error: {_safe(str(error))}", err=True)
    click.echo(f"{len(report.added)} added, {len(report.changed)} changed, "
               f"{len(report.unchanged)} unchanged, {len(report.removed)} removed, "
               f"{len(report.failed)} failed; {report.sections} sections indexed in {report.seconds:.2f}s")
    if report.failed or (strict and warnings.count):
        sys.exit(1)


# A query may start with "-" ("-5 degrees"): unknown option-like words are part of it.
@cli.command(context_settings={"ignore_unknown_options": True})
@click.argument("query")
@INDEX_OPTION
@click.option("--lang", metavar="LOCALE", help="Only show sections in this locale (e.g. en, ar).")
@click.option("--limit", type=click.IntRange(1, 1000), default=10, show_default=True,
              help="How many hits to show.")
@click.option("--json", "as_json", is_flag=True, help="Print the result as one JSON object.")
def search(query: str, index_dir: Path, lang: str | None, limit: int, as_json: bool) -> None:
    """Search the index for QUERY, typed as you would ask it."""
    from .search import search as run_search

    query = _readable(query)
    result = _run(run_search, index_dir, query, lang=lang, limit=limit)
    if as_json:
        click.echo(json.dumps(result.as_json(), ensure_ascii=False, sort_keys=True, indent=2))
        return
    if not result.hits:
        click.echo(f"No results for “{_safe(query)}”.")
        return
    for hit in result.hits:
        heading = f" › {hit.heading}" if hit.heading else ""
        name = _safe((hit.title or hit.article) + heading)
        click.echo(f"{hit.rank}. {click.style(name, bold=True)}  [{hit.locale}]")
        click.echo(f"   {_safe(hit.path)}:{hit.line}")
        click.echo(f"   {_highlight(hit.snippet, hit.highlights)}")
    click.echo(f"{len(result.hits)} of {result.total} matching sections.")


@cli.command()
@INDEX_OPTION
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on (loopback by default; 0.0.0.0 for every interface).")
@click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True,
              help="Port to listen on (0 picks a free one).")
def serve(index_dir: Path, host: str, port: int) -> None:
    """Serve the reader's web page: search and articles in English and Arabic."""
    from .web import make_server

    server = _run(make_server, index_dir, host=host, port=port)
    for url in server.urls:
        click.echo(f"Serving the reader at {url} (Ctrl-C to stop)")
    server.run()


def _highlight(text: str, spans) -> str:
    """Bold the highlighted spans (click drops the styling when output is not a terminal)."""
    out, last = [], 0
    for start, end in spans:
        out.append(_safe(text[last:start]))
        out.append(click.style(_safe(text[start:end]), bold=True))
        last = end
    out.append(_safe(text[last:]))
    return "".join(out)


def _safe(text: str) -> str:
    """Text from sources or catalogues, made harmless for a terminal (no control sequences)."""
    return strip_controls(text).replace("\n", " ").replace("\r", " ")


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
        click.echo("\nInterrupted: nothing was committed; the last good index and catalogues are intact.",
                   err=True)
        sys.exit(130)


class _progress:
    """A progress bar on stderr when it is a terminal; nothing in pipes."""

    def __init__(self, label: str):
        self.label = label
        self.bar = None

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
