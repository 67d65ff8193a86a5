"""The command line: parse options, call one library function, show its result."""

from __future__ import annotations

import json
import logging
import sys
from pathlib import Path

import click

from .config import Config
from .errors import PipelineError

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
def ingest(sources: Path, locales: Path, index_dir: Path) -> None:
    """Index new and changed articles from the sources folder; drop deleted ones.

    Exits 1 if any source could not be ingested (the others are indexed all the same).
    """
    from .ingest import ingest as run_ingest

    config = Config(sources=sources, locales=locales, index=index_dir)
    with _progress("Ingesting") as (total, advance):
        report = _run(run_ingest, config, progress=advance, total=total)
    for error in report.failed:
        click.echo(f"error: {error}", err=True)
    click.echo(f"{len(report.added)} added, {len(report.changed)} changed, "
               f"{len(report.unchanged)} unchanged, {len(report.removed)} removed, "
               f"{len(report.failed)} failed; {report.sections} sections indexed in {report.seconds:.2f}s")
    if report.failed:
        sys.exit(1)


@cli.command()
@click.argument("query")
@INDEX_OPTION
@click.option("--lang", metavar="LOCALE", help="Only show sections in this locale (e.g. en, ar).")
@click.option("--limit", type=click.IntRange(1, 1000), default=10, show_default=True,
              help="How many hits to show.")
@click.option("--json", "as_json", is_flag=True, help="Print the result as one JSON object.")
def search(query: str, index_dir: Path, lang: str | None, limit: int, as_json: bool) -> None:
    """Search the index for QUERY, typed as you would ask it."""
    from .search import search as run_search

    result = _run(run_search, index_dir, query, lang=lang, limit=limit)
    if as_json:
        click.echo(json.dumps(result.as_json(), ensure_ascii=False, sort_keys=True, indent=2))
        return
    if not result.hits:
        click.echo(f"No results for “{query}”.")
        return
    for hit in result.hits:
        heading = f" › {hit.heading}" if hit.heading else ""
        click.echo(f"{hit.rank}. {click.style((hit.title or hit.article) + heading, bold=True)}  [{hit.locale}]")
        click.echo(f"   {hit.path}:{hit.line}")
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
        out.append(text[last:start])
        out.append(click.style(text[start:end], bold=True))
        last = end
    out.append(text[last:])
    return "".join(out)


def _run(function, *args, **kwargs):
    """Call a library function, turning the pipeline's own errors into a clean exit."""
    try:
        return function(*args, **kwargs)
    except PipelineError as error:
        raise click.ClickException(str(error)) from None


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
