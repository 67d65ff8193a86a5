"""Parsers: pure functions from a source's text to a ParsedDocument, chosen by file suffix."""

from __future__ import annotations

from collections.abc import Callable
from importlib import import_module

from ..model import ParsedDocument

Parser = Callable[[str, str], ParsedDocument]


def _on_first_use(module: str) -> Parser:
    """The parse function of a module of this package, imported when it is first called.

    BeautifulSoup, lxml, markdown-it and PyYAML are slow to import: commands
    that parse nothing (search, an ingest where nothing changed) never pay for them.
    """
    def parse(text: str, path: str) -> ParsedDocument:
        return import_module(f".{module}", __name__).parse(text, path)

    parse.__name__ = parse.__qualname__ = f"{module}.parse"
    parse.__doc__ = f"Parse with pipeline.parsers.{module} (imported on first use)."
    return parse


PARSERS: dict[str, Parser] = {
    ".txt": _on_first_use("text"),
    ".md": _on_first_use("markdown"),
    ".markdown": _on_first_use("markdown"),
    ".html": _on_first_use("html"),
    ".htm": _on_first_use("html"),
}
