"""PO and POT files through Babel: read strictly, written in gettext's layout.

Every PO and POT file is read with Babel's `PoFileParser` (what `read_po` runs), merged with
`Catalog.update` and written with `generate_po` (what `write_po` runs). Babel leaves four gaps
that would cost a translator work, each filled here in one place:

- its reader accepts an unterminated or unquoted string and silently drops characters (a dosage
  can lose a digit), so a strict syntax check runs first and names the line, as msgfmt would;
- it drops the header fields it does not know (X-Generator, X-Poedit-*): `HeaderKeepingCatalog`
  keeps them;
- it reads a `#|` previous msgid as a translator comment, forgets it on the next merge, and
  writes a long one so that msgfmt rejects the file: `parse_catalogue` turns it back into
  `previous_id`, `merge` carries it along and `render` writes it in gettext's layout;
- it never revives an obsolete translation and writes obsolete entries without their fuzzy flag:
  `merge` revives them and keeps an unreviewed translation from coming back as reviewed.
"""


from __future__ import annotations

import logging
import re
import threading
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path

from babel.messages import pofile as babel_pofile
from babel.messages.catalog import Catalog, Message
from babel.messages.pofile import PoFileError, PoFileParser, generate_po, normalize, unescape

from ..errors import CatalogError

log = logging.getLogger(__name__)

WIDTH = 76

_FIX_HINT = "fix the line (compare with `git diff`), or restore the file from git"


# The header fields Babel writes itself; any other field is the translator's tool's and is kept.
_BABEL_HEADERS = frozenset({
    "project-id-version", "report-msgid-bugs-to", "pot-creation-date", "po-revision-date",
    "last-translator", "language", "language-team", "plural-forms", "mime-version", "content-type",
    "content-transfer-encoding", "generated-by",
})


class HeaderKeepingCatalog(Catalog):
    """A Babel Catalog that keeps every header field, including those Babel does not know.

    header_fields: the header as read, in file order (empty for a catalogue made here).
    extra_headers: the fields Babel does not write itself (X-Generator, X-Poedit-Basepath...),
    written back after Babel's own fields.
    plural_counts: for each plural message read, the line of its msgid and how many msgstr[N] it
    had (Babel pads or cuts them to the header's count, which would hide a wrong count).
    header_line: the line of the header entry (`msgid ""`) as read; 1 when there is none.
    """

    def __init__(self, *args, **kwargs):
        self.header_fields: list[tuple[str, str]] = []
        self.extra_headers: list[tuple[str, str]] = []
        self.plural_counts: dict[int, int] = {}
        self.header_line = 1
        super().__init__(*args, **kwargs)

    @property
    def mime_headers(self) -> list[tuple[str, str]]:
        headers = Catalog.mime_headers.fget(self)
        if not self.extra_headers:
            return headers
        *fields, generated_by = headers  # Babel's last field carries the header's final newline
        return [*fields, *self.extra_headers, generated_by]

    @mime_headers.setter
    def mime_headers(self, headers) -> None:
        headers = [(str(name), str(value)) for name, value in headers]
        self.header_fields = headers
        self.extra_headers = [(name, value) for name, value in headers
                              if name.lower() not in _BABEL_HEADERS]
        Catalog.mime_headers.fset(self, headers)


def render(catalog: Catalog) -> bytes:
    """A catalogue as PO text, the way every file here is written, `#|` previous msgids included.

    Babel's generate_po (what write_po runs) writes every line but the `#|` ones: its
    include_previous re-wraps a long previous msgid as prose, breaking the quotes, and msgfmt then
    rejects the file (Babel 2.19). They are written here with Babel's own string formatter.
    """
    messages = iter(list(catalog))  # the order generate_po writes them in, header first
    lines: list[str] = []
    in_entry = False
    with _remembered_wrapping():
        for line in generate_po(catalog, width=WIDTH):
            if not in_entry and line.startswith(("msgctxt ", "msgid ")):
                lines += _previous_lines(next(messages))
                in_entry = True
            elif line == "\n":
                in_entry = False
            lines.append(line)
    return "".join(lines).encode(catalog.charset, "backslashreplace")


def wrap(string: str, prefix: str = "", width: int = 76) -> str:
    """Babel's normalize: a string quoted and wrapped for a PO file, the same text.

    normalize escapes every word of a long line twice to measure it, a fifth of an ingest; a
    string with nothing to escape and a single line (nearly every msgid) is measured by its
    length here, and any other is left to Babel. The tests compare the two.
    """
    if not (width and width > 0) or _ESCAPED_OR_NEWLINE.search(string):
        return normalize(string, prefix, width)
    prefixlen = len(prefix)
    if len(string) + 2 + prefixlen <= width:
        return f'"{string}"'
    # Babel's loop, with a piece's quoted length (len(escape(piece)) - 2) as its length.
    chunks = babel_pofile.WORD_SEP.split(string)
    chunks.reverse()
    lines = []
    while chunks:
        buf: list[str] = []
        size = 2
        while chunks:
            length = len(chunks[-1]) + prefixlen
            if size + length < width:
                buf.append(chunks.pop())
                size += length
            else:
                if not buf:  # a piece longer than a line has a line of its own
                    buf.append(chunks.pop())
                break
        lines.append("".join(buf))
    if len(lines) <= 1:
        return f'"{string}"'
    if not lines[-1]:  # Babel then moves a line break into the line before
        return normalize(string, prefix, width)
    return '""\n' + "\n".join(f'{prefix}"{line}"' for line in lines)


# What escape() changes, and what str.splitlines() breaks lines at.
_ESCAPED_OR_NEWLINE = re.compile(r'[\\"\t\r\n\v\f\x1c\x1d\x1e\x85\u2028\u2029]')

# Wrapping is pure and takes most of generate_po's time; an article's template and its
# catalogues hold the same msgids, so each is wrapped once.
_normalize_once = lru_cache(maxsize=4096)(wrap)
_wrapping_lock = threading.Lock()


@contextmanager
def _remembered_wrapping():
    """Let generate_po (which looks up babel.messages.pofile.normalize) use the remembering normalize."""
    with _wrapping_lock:
        babel_pofile.normalize = _normalize_once
        try:
            yield
        finally:
            babel_pofile.normalize = normalize


def content(catalog: Catalog) -> tuple:
    """Everything render() writes, as a value: equal content, equal bytes (and cheaper to compare)."""
    def entry(m: Message) -> tuple:
        return (m.id, m.context, m.string or "", tuple(sorted(m.flags)), tuple(sorted(m.locations, key=repr)),
                tuple(m.auto_comments), tuple(m.user_comments), tuple(m.previous_id or ()))

    obsolete = tuple((m.id, m.context, m.string, tuple(m.user_comments)) for m in catalog.obsolete.values())
    return (catalog.header_comment, tuple(catalog.mime_headers), catalog.fuzzy, catalog.charset,
            tuple(entry(m) for m in catalog if m.id), obsolete)


def _previous_lines(message: Message) -> list[str]:
    """The `#| msgid` lines of a message, in GNU gettext's layout."""
    lines = []
    for keyword, text in zip(("msgid", "msgid_plural"), message.previous_id or ()):
        first, *rest = wrap(text, width=WIDTH - 3).split("\n")
        lines.append(f"#| {keyword} {first}\n")
        lines += [f"#| {line}\n" for line in rest]
    return lines


def read_catalogue(path: Path) -> Catalog:
    """Read a PO or POT file; a broken one is a CatalogError naming its line."""
    try:
        data = path.read_bytes()
    except OSError as error:
        raise CatalogError(f"cannot read file: {error.strerror}", path) from None
    return parse_catalogue(data, path)


def parse_catalogue(data: bytes, path: Path | str) -> Catalog:
    """Parse the bytes of a PO or POT file strictly, then with Babel."""
    lines = _decode(data, path).splitlines()
    catalog = HeaderKeepingCatalog()
    catalog.plural_counts, catalog.header_line = _check_syntax(lines, path)
    # `#~|` is the previous msgid of an obsolete entry (GNU msgmerge writes it); Babel's parser
    # rejects it and its writer has no place for it. Blanking the line keeps line numbers right.
    lines = ["" if line.lstrip().startswith("#~|") else line for line in lines]
    try:
        PoFileParser(catalog, abort_invalid=True).parse(lines)
    except PoFileError as error:
        message = str(error).rsplit(" on ", 1)[0]
        raise CatalogError(message, path, error.lineno + 1, hint=_FIX_HINT) from None
    except ValueError as error:  # Babel reads the header's dates with strptime, and lets it fail
        raise CatalogError(f"a header field cannot be read: {error}", path, catalog.header_line,
                           hint=_FIX_HINT) from None
    for message in [*catalog, *catalog.obsolete.values()]:
        if message.id:
            _previous_id_from_comments(message)
    return catalog


# --- Strict reading ---------------------------------------------------------------------------

_CHARSET = re.compile(rb'"Content-Type:[^"\n]*charset=([A-Za-z0-9_.:-]+)', re.I)
_KEYWORD = re.compile(r"(msgctxt|msgid_plural|msgid|msgstr(?:\[\d+\])?)(?=[\s\"]|$)\s*(.*)$")
_STRING = re.compile(r'"((?:[^"\\]|\\.)*)"')
_ESCAPES = frozenset('\\"abfnrtv')


def _decode(data: bytes, path: Path | str) -> str:
    """Decode a PO file with the charset its header declares (UTF-8 when it declares none)."""
    declared = _CHARSET.search(data[:8192])
    charset = declared.group(1).decode("ascii") if declared else "utf-8"
    if charset.lower() == "charset":  # the placeholder of an unfilled template
        charset = "utf-8"
    try:
        return data.decode("utf-8-sig" if charset.lower().replace("_", "-") in ("utf-8", "utf8") else charset)
    except LookupError:
        line = data.count(b"\n", 0, declared.start()) + 1
        raise CatalogError(f"unknown charset {charset!r} in the Content-Type header", path, line,
                           hint="declare charset=UTF-8 and save the file as UTF-8") from None
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        raise CatalogError(f"not valid {charset} (byte {error.start})", path, line,
                           hint="save the file as UTF-8 with charset=UTF-8 in its header") from None


def _check_syntax(lines: list[str], path: Path | str) -> tuple[dict[int, int], int]:
    """Reject what Babel's parser would misread: stray or unterminated strings, bad escapes, repeats.

    Returns, for each plural message, the line of its msgid and its number of msgstr[N]; and the
    line of the header entry (1 when there is none).
    """
    seen: dict[tuple[str | None, str], int] = {}
    plural_counts: dict[int, int] = {}
    entry: dict[str, str] = {}
    entry_line, msgid_line, entry_obsolete, keyword = 0, 0, False, None

    def finish() -> None:
        if not entry:
            return
        if "msgid_plural" in entry and not entry_obsolete:
            plural_counts[msgid_line] = sum(1 for k in entry if k.startswith("msgstr["))
        if "msgid" not in entry:
            raise CatalogError("msgctxt without a msgid", path, entry_line, hint=_FIX_HINT)
        if not any(k.startswith("msgstr") for k in entry):
            raise CatalogError(f"msgid {_shorten(entry['msgid'])} has no msgstr", path, entry_line,
                               hint=_FIX_HINT)
        if entry_obsolete:
            return
        key = (entry.get("msgctxt"), entry["msgid"])
        if key in seen:
            raise CatalogError(f"message {_shorten(entry['msgid'])} is defined twice "
                               f"(first on line {seen[key]})", path, entry_line,
                               hint="keep one of the two entries")
        seen[key] = entry_line

    for number, raw in enumerate(lines, start=1):
        line = raw.strip()
        obsolete = line.startswith("#~")
        if obsolete:
            line = line[2:].strip()
            if not line or line.startswith("|"):
                continue
        elif not line or line.startswith("#"):
            continue
        if line.startswith('"'):
            if keyword is None:
                raise CatalogError("a quoted string outside any msgid, msgstr or msgctxt", path, number,
                                   hint=_FIX_HINT)
            entry[keyword] += _string(line, path, number)
            continue
        match = _KEYWORD.match(line)
        if not match:
            raise CatalogError(f"not a PO keyword or a quoted string: {_shorten(line)}", path, number,
                               hint=_FIX_HINT)
        keyword, rest = match.groups()
        starts = keyword == "msgctxt" or (keyword == "msgid" and set(entry) != {"msgctxt"})
        if starts:
            finish()
            entry, entry_line, entry_obsolete = {}, number, obsolete
        elif not entry:
            raise CatalogError(f"{keyword} without a msgid before it", path, number, hint=_FIX_HINT)
        if keyword in entry:
            raise CatalogError(f"{keyword} appears twice in one entry", path, number, hint=_FIX_HINT)
        if keyword == "msgid":
            msgid_line = number
        entry[keyword] = _string(rest, path, number)
    finish()
    return plural_counts, seen.get((None, ""), 1)


def _string(text: str, path: Path | str, line: int) -> str:
    """The content of one quoted PO string, or a CatalogError saying what is wrong with it."""
    if not text.startswith('"'):
        raise CatalogError(f"text outside quotes: {_shorten(text)}", path, line,
                           hint='put the text in double quotes: msgstr "..."')
    match = _STRING.match(text)
    if not match:
        raise CatalogError("unterminated string: the closing quote is missing", path, line,
                           hint='end the line with " (write \\" for a quote inside the text)')
    if text[match.end():].strip():
        raise CatalogError(f"text after the closing quote: {_shorten(text[match.end():].strip())}",
                           path, line, hint='write \\" for a quote inside the text')
    content = match.group(1)
    for escape in re.finditer(r"\\(.)", content):
        if escape.group(1) not in _ESCAPES:
            raise CatalogError(f"unknown escape sequence \\{escape.group(1)}", path, line,
                               hint="write \\\\ for a backslash")
    return content


def _shorten(text: str, width: int = 40) -> str:
    text = text if len(text) <= width else text[: width - 1] + "…"
    return f"“{text}”"


def _previous_id_from_comments(message: Message) -> None:
    """Turn the `#| msgid "..."` lines Babel read as translator comments back into previous_id."""
    previous = [c for c in message.user_comments if c.startswith("|")]
    if not previous:
        return
    message.user_comments = [c for c in message.user_comments if not c.startswith("|")]
    parts: dict[str, str] = {}
    keyword = None
    for comment in previous:
        text = comment[1:].strip()
        match = _KEYWORD.match(text)
        if match:
            keyword, text = match.groups()
        if keyword is not None and _STRING.fullmatch(text):
            parts[keyword] = parts.get(keyword, "") + unescape(text)
    if "msgid" in parts:
        message.previous_id = [parts["msgid"]] + ([parts["msgid_plural"]] if "msgid_plural" in parts else [])
