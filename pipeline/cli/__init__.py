"""The command line: parse options, call one library function, show its result.

One module per kind of user (editors, translators, readers); options.py holds the options they
share, output.py what every command prints through.
"""

from __future__ import annotations

import logging
import sys

import click

from .editors import export, ingest
from .output import TerminalFormatter
from .readers import evaluate, search, serve
from .translators import catalog, termbase


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("-v", "--verbose", count=True, help="Say more (repeat for debug output).")
@click.option("-q", "--quiet", is_flag=True, help="Only print errors.")
@click.version_option(package_name="medref-pipeline", prog_name="pipeline")
def cli(verbose: int, quiet: bool) -> None:
    """A multilingual medical reference: ingest articles, search them in any locale."""
    level = logging.ERROR if quiet else (logging.WARNING, logging.INFO, logging.DEBUG)[min(verbose, 2)]
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(TerminalFormatter("%(levelname)s: %(message)s"))
    logging.basicConfig(level=level, handlers=[handler])


for command in (ingest, export, search, serve, evaluate, catalog, termbase):
    cli.add_command(command)


def main() -> None:
    """Run the command line."""
    cli(prog_name="pipeline")
