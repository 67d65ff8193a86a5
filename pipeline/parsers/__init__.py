"""Parsers: pure functions from a source's text to a ParsedDocument, chosen by file suffix."""

from __future__ import annotations

from collections.abc import Callable

from ..model import ParsedDocument
from . import html, markdown, text

Parser = Callable[[str, str], ParsedDocument]

PARSERS: dict[str, Parser] = {
    ".txt": text.parse,
    ".md": markdown.parse,
    ".markdown": markdown.parse,
    ".html": html.parse,
    ".htm": html.parse,
}
