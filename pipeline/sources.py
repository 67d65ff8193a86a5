"""Read source files: find them, decode their bytes, pick a parser by suffix, give them an identity."""

from __future__ import annotations

import codecs
import hashlib
import logging
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from .config import DEFAULT_MAX_BYTES
from .errors import SourceError
from .locale_tags import normalize_locale
from .model import Article
from .parsers import PARSERS

log = logging.getLogger(__name__)

_ARABIC_LETTER = re.compile(r"[\u0621-\u064A\u0671-\u06D3\u06FA-\u06FF]")
_LATIN_LETTER = re.compile(r"[A-Za-z\u00C0-\u024F]")
_LOCALE_DIR = re.compile(r"^[a-z]{2,3}([_-][A-Za-z]{2,4})?$")
_DECLARED_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([\w.:-]+)""", re.I)
_LEGACY_ARABIC = ("windows-1256", "iso-8859-6")
# The definite article is the most frequent letter pair in Arabic: a wrong legacy code page
# turns it into another pair, so counting it tells the two code pages apart.
_DEFINITE_ARTICLE = re.compile(r"(?:^|\s)ال")
# Latin text (é, è in café) decoded with an Arabic code page puts Arabic letters inside Latin words.
_MIXED_WORD = re.compile(r"[A-Za-z][\u0600-\u06FF]|[\u0600-\u06FF][A-Za-z]")


@dataclass(frozen=True)
class SourceFile:
    """A file under the sources folder that has a parser.

    article_id: path under the sources folder without its suffix, with `/` separators.
    path: the file itself.
    """

    article_id: str
    path: Path


def discover(sources_dir: Path) -> list[SourceFile]:
    """List the source files under sources_dir that a parser can read, sorted by article id.

    Symbolic links are not followed, so nothing outside the folder is read. Two files that
    would give the same article id (`a.md` and `a.html`) are an error naming both.
    """
    if not sources_dir.is_dir():
        raise SourceError("no sources folder", sources_dir,
                          hint="create it and put articles (.txt, .md, .html) in it, or pass --sources")
    found: dict[str, SourceFile] = {}
    for parts in sorted(_visible_files(str(sources_dir))):
        name = parts[-1]
        dot = name.rfind(".")
        if not 0 < dot < len(name) - 1 or name[dot:].lower() not in PARSERS:
            continue
        article_id = "/".join((*parts[:-1], name[:dot]))
        path = sources_dir.joinpath(*parts)
        if article_id in found:
            raise SourceError(f"two sources for article {article_id!r}: {found[article_id].path.name} "
                              f"and {path.name}", path, hint="rename or remove one of them")
        found[article_id] = SourceFile(article_id, path)
    return [found[key] for key in sorted(found)]


def _visible_files(folder: str, parts: tuple[str, ...] = ()) -> Iterator[tuple[str, ...]]:
    """The path parts (under the first folder) of every regular file not hidden nor behind a link."""
    try:
        entries = list(os.scandir(folder))
    except OSError:
        if not parts:
            raise
        return  # an unreadable subfolder is skipped, as Path.rglob does
    for entry in entries:
        if entry.name.startswith("."):
            continue
        if entry.is_dir(follow_symlinks=False):
            yield from _visible_files(entry.path, (*parts, entry.name))
        elif entry.is_file(follow_symlinks=False):
            yield (*parts, entry.name)


def content_hash(data: bytes) -> str:
    """The SHA-256 of a source file's bytes, in hex."""
    return hashlib.sha256(data).hexdigest()


def read_bytes(source: SourceFile, max_bytes: int = DEFAULT_MAX_BYTES) -> bytes:
    """Read a source file's bytes, refusing files larger than max_bytes."""
    try:
        size = source.path.stat().st_size
        if size > max_bytes:
            raise SourceError(f"file is {size:,} bytes, over the limit of {max_bytes:,}", source.path,
                              hint="split the article, or raise the limit with --max-bytes")
        return source.path.read_bytes()
    except OSError as error:
        raise SourceError(f"cannot read file: {error.strerror}", source.path,
                          hint="check that it exists and is readable") from None


def decode(data: bytes, path: Path | str) -> str:
    """Decode a source file: UTF-8 (with or without BOM), UTF-16 with BOM, or legacy Arabic.

    Never guesses silently: bytes that are none of these are an error naming the file.
    """
    if data.startswith(codecs.BOM_UTF8):
        return _strict(data[3:], "utf-8", path)
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return _strict(data, "utf-16", path)
    if b"\x00" in data:
        raise SourceError("binary file (contains NUL bytes)", path,
                          hint="only text, Markdown and HTML articles can be ingested")
    declared = _DECLARED_CHARSET.search(data[:4096])
    if declared:
        name = declared.group(1).decode("ascii", "replace")
        try:
            codecs.lookup(name)
        except LookupError:
            log.warning("%s: unknown charset %r declared; detecting the encoding instead", path, name)
        else:
            return _strict(data, name, path)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as utf8_error:
        text = _legacy_arabic(data)
        if text is None:
            line = data.count(b"\n", 0, utf8_error.start) + 1
            raise SourceError(f"not valid UTF-8 (byte {utf8_error.start}) and not Arabic windows-1256 "
                              "or ISO-8859-6", path, line, hint="re-save the file as UTF-8") from None
        return text


def _strict(data: bytes, encoding: str, path: Path | str) -> str:
    try:
        return data.decode(encoding).removeprefix("\ufeff")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        raise SourceError(f"not valid {encoding} (byte {error.start})", path, line,
                          hint="re-save the file as UTF-8") from None


def _legacy_arabic(data: bytes) -> str | None:
    """Decode Arabic text in a legacy code page, or None when it is not plausibly Arabic."""
    best, best_score = None, 0
    for encoding in _LEGACY_ARABIC:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        high = [c for c in text if ord(c) > 127 and not c.isspace()]
        arabic = sum(1 for c in high if _ARABIC_LETTER.match(c))
        if arabic < 2 or arabic / len(high) < 0.9 or _MIXED_WORD.search(text):
            continue
        score = len(_DEFINITE_ARTICLE.findall(text))
        if best is None or score > best_score:
            best, best_score = text, score
    return best


def detect_locale(declared: str | None, article_id: str, text: str, path: Path | str) -> str:
    """Pick an article's locale: its own metadata, else a locale-named folder, else its script."""
    if declared:
        locale = normalize_locale(declared)
        if locale:
            return locale
        log.warning("%s: unknown language %r declared; guessing from the folder or the text", path, declared)
    for folder in article_id.split("/")[:-1]:
        if _LOCALE_DIR.match(folder):
            locale = normalize_locale(folder)
            if locale:
                return locale
    arabic = len(_ARABIC_LETTER.findall(text))
    latin = len(_LATIN_LETTER.findall(text))
    return "ar" if arabic > latin else "en"


def load_article(source: SourceFile, sources_dir: Path, data: bytes | None = None,
                 max_bytes: int = DEFAULT_MAX_BYTES) -> Article:
    """Read, decode and parse one source file into an Article."""
    if data is None:
        data = read_bytes(source, max_bytes)
    display = _display_path(source.path, sources_dir)
    text = decode(data, display)
    parse = PARSERS[source.path.suffix.lower()]
    document = parse(text, display)
    if not document.sections:
        raise SourceError("no text found", display,
                          hint="check that the file has paragraphs outside scripts and navigation")
    locale = detect_locale(document.locale, source.article_id, text, display)
    return Article(id=source.article_id, locale=locale, title=document.title,
                   byline=document.byline, sections=document.sections,
                   path=display, content_hash=content_hash(data), title_line=document.title_line,
                   aliases=document.aliases, aliases_line=document.aliases_line)


def _display_path(path: Path, sources_dir: Path) -> str:
    """The path shown in messages and `#:` references: `sources/<file>`."""
    return (Path(sources_dir.name) / path.relative_to(sources_dir)).as_posix()
