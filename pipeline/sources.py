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
_CONTROL_IN_NAME = re.compile(r"[\x00-\x1f\x7f-\x9f]")
# Characters no text article holds (C0 and C1 controls but tab, line breaks and form feed): a
# declared charset that decodes the bytes into them is the wrong one.
_NOT_TEXT = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f-\x9f]")
# Codecs Python knows but no web page is written in: they rewrite backslashes or host names.
_NOT_PAGE_CHARSETS = frozenset({"unicode-escape", "raw-unicode-escape", "idna", "punycode", "undefined"})
# As the WHATWG Encoding Standard (and so every browser) reads these labels.
_WEB_CHARSETS = {"iso8859-1": "cp1252", "ascii": "cp1252"}
# Bytes every ASCII-compatible charset reads as ASCII: a declaration readable in the page's bytes
# is itself written in one, so a charset that reads them otherwise (UTF-16, EBCDIC) cannot be the page's.
_ASCII_PROBE = bytes(range(0x20, 0x7F)).replace(b"\\", b"") + b"\t\n\r"


@dataclass(frozen=True)
class SourceFile:
    """A file under the sources folder that has a parser.

    article_id: path under the sources folder without its suffix, with `/` separators.
    path: the file itself.
    problem: why it cannot be an article (a name that cannot be one, another file with the same
        article id), raised when it is read; None for a good file.
    """

    article_id: str
    path: Path
    problem: SourceError | None = None


def discover(sources_dir: Path) -> list[SourceFile]:
    """List the source files under sources_dir that a parser can read, sorted by article id.

    Symbolic links are not followed, so nothing outside the folder is read; one that looks like
    an article is named in a warning. A file whose name cannot be an article id (not UTF-8, or
    with a line break or other control character) and two files that would give the same article
    id (`a.md` and `a.html`) are listed with their problem, which reading them raises: each is one
    broken article, and the others are read all the same.
    """
    if not sources_dir.is_dir():
        raise SourceError("no sources folder", sources_dir,
                          hint="create it and put articles (.txt, .md, .html) in it, or pass --sources")
    found: dict[str, list[Path]] = {}
    problems: dict[str, SourceError] = {}
    for parts in sorted(_visible_files(str(sources_dir), sources_dir)):
        name = parts[-1]
        dot = name.rfind(".")
        if not 0 < dot < len(name) - 1 or name[dot:].lower() not in PARSERS:
            continue
        article_id = "/".join((*parts[:-1], name[:dot]))
        found.setdefault(article_id, []).append(sources_dir.joinpath(*parts))
        problem = _name_problem(parts, sources_dir)
        if problem is not None:
            problems.setdefault(article_id, problem)
    listed = []
    for article_id in sorted(found):
        paths = found[article_id]
        problem = problems.get(article_id)
        if len(paths) > 1:
            names = ", ".join(_readable(path.name) for path in paths)
            problem = SourceError(f"{len(paths)} sources for article {_readable(article_id)!r}: {names}",
                                  _readable(_display_path(paths[0], sources_dir)),
                                  hint="rename or remove all but one of them")
        listed.append(SourceFile(article_id, paths[0], problem))
    return listed


def _visible_files(folder: str, sources_dir: Path, parts: tuple[str, ...] = ()) -> Iterator[tuple[str, ...]]:
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
            yield from _visible_files(entry.path, sources_dir, (*parts, entry.name))
        elif entry.is_file(follow_symlinks=False):
            yield (*parts, entry.name)
        elif entry.is_symlink() and (Path(entry.name).suffix.lower() in PARSERS or _is_dir(entry)):
            log.warning("%s: a symbolic link, skipped: sources are never read through links "
                        "(copy the file or folder in instead)",
                        _readable(_display_path(Path(entry.path), sources_dir)))


def _is_dir(entry: os.DirEntry) -> bool:
    try:
        return entry.is_dir()
    except OSError:
        return False


def _name_problem(parts: tuple[str, ...], sources_dir: Path) -> SourceError | None:
    """Why a source's path under the sources folder cannot name an article, or None."""
    for part in parts:
        if _readable(part) != part:
            why = "file name is not valid UTF-8"
        elif _CONTROL_IN_NAME.search(part):
            why = "file name has a line break or another control character"
        else:
            continue
        shown = _CONTROL_IN_NAME.sub(lambda match: repr(match.group())[1:-1],
                                     _readable(_display_path(sources_dir.joinpath(*parts), sources_dir)))
        return SourceError(why, shown, hint="rename it: its name becomes the article id, which catalogues record")
    return None


def _readable(name: str) -> str:
    """A file name as text: bytes that are not UTF-8 (kept by Python as lone surrogates) become U+FFFD."""
    return name.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


def content_hash(data: bytes) -> str:
    """The SHA-256 of a source file's bytes, in hex."""
    return hashlib.sha256(data).hexdigest()


def read_bytes(source: SourceFile, max_bytes: int = DEFAULT_MAX_BYTES) -> bytes:
    """Read a source file's bytes, refusing files larger than max_bytes (and those with a problem)."""
    if source.problem is not None:
        raise source.problem
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
    """Decode a source file, trying in turn:

    1. a byte-order mark (UTF-8, UTF-16): the bytes must then decode cleanly;
    2. the charset an HTML page declares (`<meta charset>`), when it is a text encoding written
       with ASCII, reads every byte, and gives text (no control characters; not UTF-8 bytes read
       as another charset);
    3. UTF-8;
    4. UTF-8 with a few stray bytes (replaced by U+FFFD) when the rest is UTF-8 text;
    5. legacy Arabic (windows-1256, ISO-8859-6) when that gives mostly Arabic text.

    A declaration that is not used, and stray bytes, are warnings naming the file; bytes that are
    none of these are an error naming it. Never guesses silently.
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
        text = _declared(data, declared.group(1).decode("ascii", "replace"), path)
        if text is not None:
            return text
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as utf8_error:
        line = data.count(b"\n", 0, utf8_error.start) + 1
        text, stray = _mostly_utf8(data)
        if text is not None:
            log.warning("%s:%d: %d %s not UTF-8 (the first at byte %d), read as U+FFFD; "
                        "re-save the file as UTF-8", path, line, stray, "byte is" if stray == 1 else "bytes are",
                        utf8_error.start)
            return text
        text = _legacy_arabic(data)
        if text is None:
            raise SourceError(f"not valid UTF-8 (byte {utf8_error.start}) and not Arabic windows-1256 "
                              "or ISO-8859-6", path, line, hint="re-save the file as UTF-8") from None
        return text


def _declared(data: bytes, name: str, path: Path | str) -> str | None:
    """The page decoded with the charset it declares, or None (with a warning) when that cannot be right."""
    try:
        codec = codecs.lookup(name).name
    except LookupError:
        log.warning("%s: unknown charset %r declared; detecting the encoding instead", path, name)
        return None
    codec = _WEB_CHARSETS.get(codec, codec)
    why = None
    try:
        if codec in _NOT_PAGE_CHARSETS:
            why = "is not a charset a page can be written in"
        elif not _reads_ascii(codec):
            why = "cannot be the page's (the declaration itself is written in ASCII)"
        else:
            text = data.decode(codec).removeprefix("\ufeff")
    except LookupError:  # a codec of bytes to bytes (rot13, hex, base64)
        why = "is not a text encoding"
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        why = f"does not read the bytes (byte {error.start}, line {line})"
    if why is None:
        if not _is_utf8(codec) and not data.isascii() and _decodes(data, "utf-8"):
            why = "does not fit: the bytes are UTF-8"
        elif _NOT_TEXT.search(text):
            why = "reads the bytes as control characters"
        else:
            return text
    log.warning("%s: the declared charset %r %s; detecting the encoding instead", path, name, why)
    return None


def _reads_ascii(codec: str) -> bool:
    """Whether a text codec reads ASCII bytes as ASCII."""
    try:
        return _ASCII_PROBE.decode(codec) == _ASCII_PROBE.decode("ascii")
    except UnicodeDecodeError:
        return False


def _is_utf8(codec: str) -> bool:
    return codec in ("utf-8", "utf-8-sig")


def _decodes(data: bytes, encoding: str) -> bool:
    try:
        data.decode(encoding)
    except UnicodeDecodeError:
        return False
    return True


def _mostly_utf8(data: bytes) -> tuple[str | None, int]:
    """The bytes as UTF-8 with the invalid ones replaced, when the rest is UTF-8 text; and how many were."""
    text = data.decode("utf-8", "replace")
    replaced = text.count("\ufffd")
    stray = replaced - data.count("\ufffd".encode())
    # Characters that took two or more valid bytes: text written in UTF-8 has many; a legacy code
    # page read as UTF-8 has almost none (its letters are single bytes, seldom a valid sequence).
    encoded = len(text) - len(text.encode("ascii", "ignore")) - replaced
    return (text if encoded > 4 * stray else None), stray


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
        # A few stray bytes in English text can read as Arabic letters; an Arabic article has
        # more Arabic letters than the Latin words it quotes.
        if arabic * 2 < len(_LATIN_LETTER.findall(text)):
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
