"""What the commands print: text from sources and catalogues made harmless for a terminal, JSON,
progress, and the library's errors as a clean exit."""

from __future__ import annotations

import json
import logging
import re
import sys
from typing import TYPE_CHECKING

import click

from ..errors import PipelineError
from ..model import strip_controls

if TYPE_CHECKING:
    from click._termui_impl import ProgressBar  # what click.progressbar returns


# Embeddings, overrides and isolates reorder what a terminal shows after them (a file name can be made
# to read as another); the marks (LRM, RLM, ALM) only nudge neutral characters, and Arabic text needs them.
_BIDI_CONTROLS = re.compile("[\u202a-\u202e\u2066-\u2069]")
# What json.dumps(ensure_ascii=False) leaves as it is but a terminal obeys (DEL, C1 controls, bidi
# controls) or cannot be written as UTF-8 (lone surrogates, from file names that are not UTF-8).
_JSON_UNSAFE = re.compile("[\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")
_SURROGATE = re.compile("[\ud800-\udfff]")


def safe(text: str) -> str:
    """Text from sources or catalogues, made harmless for a terminal (no control sequences, one line)."""
    text = _SURROGATE.sub("\ufffd", _BIDI_CONTROLS.sub("", strip_controls(text)))
    return text.replace("\n", " ").replace("\r", " ")


def echo(message: str = "", err: bool = False) -> None:
    """Print a message (on stderr with err) cleaned line by line as safe cleans text."""
    click.echo("\n".join(safe(line) for line in message.split("\n")), err=err)


def echo_errors(errors) -> None:
    """Show each error a run collected, on stderr."""
    for error in errors:
        echo(f"error: {safe(str(error))}", err=True)


def json_text(value) -> str:
    """A value as indented JSON that a terminal shows as it is: what it would obey is written as \\u escapes."""
    text = json.dumps(value, ensure_ascii=False, sort_keys=True, indent=2)
    return _JSON_UNSAFE.sub(lambda match: f"\\u{ord(match.group()):04x}", text)


def highlight(text: str, spans) -> str:
    """Bold the highlighted spans (click drops the styling when output is not a terminal)."""
    out, last = [], 0
    for start, end in spans:
        out.append(safe(text[last:start]))
        out.append(click.style(safe(text[start:end]), bold=True))
        last = end
    out.append(safe(text[last:]))
    return "".join(out)


class TerminalFormatter(logging.Formatter):
    """Log lines cleaned as every other line of output (messages quote file names and file contents)."""

    def format(self, record: logging.LogRecord) -> str:
        return "\n".join(safe(line) for line in super().format(record).split("\n"))


def readable(text: str) -> str:
    """An argument as valid Unicode: bytes that were not UTF-8 become U+FFFD."""
    return text.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


class WarningCounter(logging.Handler):
    """Count the warnings the library logs during a command (for --strict)."""

    def __init__(self):
        super().__init__(logging.WARNING)
        self.count = 0

    def emit(self, record: logging.LogRecord) -> None:
        self.count += 1


def run(function, *args, **kwargs):
    """Call a library function, turning the pipeline's own errors into a clean exit."""
    try:
        return function(*args, **kwargs)
    except PipelineError as error:
        raise click.ClickException(safe(str(error))) from None
    except KeyboardInterrupt:
        echo("\nInterrupted: nothing was committed; the last good index and catalogues are intact.",
             err=True)
        sys.exit(130)


class progress:
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
