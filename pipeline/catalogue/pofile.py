"""PO and POT files: read strictly into Babel's Catalog, written back in GNU gettext's layout.

Babel's Catalog is the model and Catalog.update the merge engine. Reading and writing are done
here, for what Babel's own reader and writer would cost a translator:

- Babel's reader accepts an unterminated or unquoted string and silently drops characters (a
  dosage can lose a digit); this one names the line, as msgfmt would, and splits lines only at
  `\\n` (a msgstr may hold U+2028, NEL or a form feed, as msgfmt allows).
- Babel's writer drops the flags and `#~|` previous msgids of obsolete entries (an unreviewed
  translation would come back as reviewed), writes `#|` lines msgfmt rejects, wraps in its own
  layout and reorders the header (Babel 2.19). Here every entry is written in GNU gettext's layout
  (layout.py), and an entry whose content did not change is written back exactly as it was read,
  so that a file saved by Poedit, Weblate or any gettext tool keeps its layout where nothing
  changed.
- The header keeps its fields in their order, including those Babel does not know (X-Generator,
  X-Poedit-*).
"""

from __future__ import annotations

import codecs
import logging
import os
import re
import stat
from dataclasses import dataclass, field
from pathlib import Path

from babel.messages.catalog import Catalog, Message

from ..errors import CatalogError
from .layout import PAGE_WIDTH, comment_lines, flags_line, reference_lines, string_lines

log = logging.getLogger(__name__)

WIDTH = PAGE_WIDTH

_FIX_HINT = "fix the line (compare with `git diff`), or restore the file from git"

# Older versions of this pipeline marked an unreviewed obsolete translation with this translator
# comment instead of the fuzzy flag; a file that still has it is read as fuzzy.
LEGACY_FUZZY_NOTE = "fuzzy: this translation was never reviewed against its text"

# The order GNU gettext (msginit, xgettext) writes a header's fields in, for a new file.
GNU_HEADER_ORDER = ("project-id-version", "report-msgid-bugs-to", "pot-creation-date", "po-revision-date",
                    "last-translator", "language-team", "language", "mime-version", "content-type",
                    "content-transfer-encoding", "plural-forms")

# The header fields Babel writes itself; any other field is the translator's tool's and is kept.
_BABEL_HEADERS = frozenset({
    "project-id-version", "report-msgid-bugs-to", "pot-creation-date", "po-revision-date",
    "last-translator", "language", "language-team", "plural-forms", "mime-version", "content-type",
    "content-transfer-encoding", "generated-by",
})


@dataclass
class Original:
    """An entry as it was read: its text, and the value of each part (see parts()) with its lines."""

    text: str
    parts: dict[str, tuple[object, list[str]]] = field(default_factory=dict)


class HeaderKeepingCatalog(Catalog):
    """A Babel Catalog that keeps its header's fields and order, and its entries as they were read.

    header_fields: the header's fields in the order they are written (as read, or GNU gettext's
        order for a new file), with their values as read.
    extra_headers: the fields Babel does not write itself (X-Generator, X-Poedit-Basepath...).
    plural_counts: for each plural message read, the line of its msgid and how many msgstr[N] it
        had (Babel pads them to the header's count, which would hide a wrong count).
    header_line: the line of the header entry (`msgid ""`) as read; 1 when there is none.
    originals: the entries as read, by ("live" | "obsolete", message key); the header's under "header".
    babel_header: Babel's value of each header field (by lowercase name) when it was read: a field
        whose value Babel still gives is written as it was read.
    trailer: text after the last entry (comments that belong to no entry).
    """

    def __init__(self, *args, **kwargs):
        self.header_fields: list[tuple[str, str]] = []
        self.extra_headers: list[tuple[str, str]] = []
        self.plural_counts: dict[int, int] = {}
        self.header_line = 1
        self.originals: dict[object, Original] = {}
        self.babel_header: dict[str, str] | None = None
        self.trailer = ""
        super().__init__(*args, **kwargs)

    @property
    def mime_headers(self) -> list[tuple[str, str]]:
        headers = Catalog.mime_headers.fget(self)
        if not self.extra_headers:
            return headers
        return [*headers, *self.extra_headers]

    @mime_headers.setter
    def mime_headers(self, headers) -> None:
        headers = [(str(name), str(value)) for name, value in headers]
        self.header_fields = headers
        self.extra_headers = [(name, value) for name, value in headers
                              if name.lower() not in _BABEL_HEADERS]
        Catalog.mime_headers.fset(self, headers)


def message_key(msgid, context: str | None):
    """A message's key in a catalogue, as Babel makes it: its msgid (the singular of a plural), and
    its msgctxt when it has one."""
    msgid = msgid[0] if isinstance(msgid, (list, tuple)) else msgid
    return (msgid, context) if context is not None else msgid


def keep_layout(catalog: HeaderKeepingCatalog, old: HeaderKeepingCatalog) -> None:
    """Let a catalogue made anew (a template rebuilt from its source) be written as old was where
    they agree: the same entries as read, the header's fields in old's order."""
    catalog.originals = old.originals
    catalog.header_fields = old.header_fields
    catalog.babel_header = old.babel_header
    catalog.trailer = old.trailer


def previous_context(message: Message) -> str | None:
    """The msgctxt a fuzzy translation was written for, when it differs from the message's (`#| msgctxt`)."""
    return getattr(message, "previous_context", None)


def set_previous_context(message: Message, context: str | None) -> None:
    """Say which msgctxt a fuzzy translation was written for (None: the message's own).

    Babel's Message has no place for it (Babel 2.19); it is kept beside previous_id, on the
    message, and Babel's copies (clone, update) leave it out, which merge.py makes up for.
    """
    message.previous_context = context if context != message.context else None


# --- Reading ----------------------------------------------------------------------------------


def read_catalogue(path: Path) -> HeaderKeepingCatalog:
    """Read a PO or POT file; a broken one (or one that is not a regular file) is a CatalogError."""
    return parse_catalogue(read_regular_file(path), path)


def read_regular_file(path: Path) -> bytes:
    """The bytes of a regular file, never through a symbolic link and never waiting on a FIFO.

    A catalogue that is a link is refused rather than read through (it could point anywhere), and
    one that is a FIFO or a device would block the run: both are a CatalogError naming the file, as
    is a file that cannot be read.
    """
    try:
        descriptor = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOFOLLOW", 0))
    except OSError as error:
        if os.path.islink(path):
            raise CatalogError("is a symbolic link; catalogues are not read through links", path,
                               hint="replace the link with the file itself") from None
        raise CatalogError(f"cannot read file: {error.strerror}", path,
                           hint="check that it exists and is readable") from None
    if not stat.S_ISREG(os.fstat(descriptor).st_mode):
        os.close(descriptor)
        raise CatalogError("is not a regular file", path, hint="replace it with a PO file")
    with os.fdopen(descriptor, "rb") as file:
        try:
            return file.read()
        except OSError as error:  # a folder on some systems, a failing disk
            raise CatalogError(f"cannot read file: {error.strerror}", path,
                               hint="check that it is a readable PO file") from None


def parse_catalogue(data: bytes, path: Path | str) -> HeaderKeepingCatalog:
    """Parse the bytes of a PO or POT file strictly into a catalogue that remembers each entry's text."""
    text = _decode(data, path)
    entries, trailer = _read_entries(text, path)
    catalog = HeaderKeepingCatalog()
    catalog.trailer = trailer
    _check_duplicates(entries, path)
    header = next((e for e in entries if not e.obsolete and e.strings["msgid"] == "" and "msgctxt" not in e.strings),
                  None)
    if header is not None:
        _read_header(catalog, header, path)
    else:  # only the fields that gain a value are written
        catalog.babel_header = {name.lower(): value for name, value in Catalog.mime_headers.fget(catalog)}
    for entry in entries:
        if entry is not header:
            _add_entry(catalog, entry, path)
    return catalog


@dataclass
class _Entry:
    """One entry of a PO file as read: its strings, comments and lines.

    line: its first line; obsolete: under `#~`; strings: msgctxt, msgid, msgid_plural, msgstr or
    msgstr[N], unescaped; lines: where each keyword is; previous: the `#|` strings; raw: (part,
    line) for every line of the entry, part naming what the line belongs to (see parts()).
    """

    line: int
    obsolete: bool = False
    strings: dict[str, str] = field(default_factory=dict)
    lines: dict[str, int] = field(default_factory=dict)
    previous: dict[str, str] = field(default_factory=dict)
    comments: list[str] = field(default_factory=list)
    auto_comments: list[str] = field(default_factory=list)
    references: list[str] = field(default_factory=list)
    flags: list[str] = field(default_factory=list)
    raw: list[tuple[str, str]] = field(default_factory=list)
    first_keyword: int = 0
    keyword: str | None = None
    previous_keyword: str | None = None

    @property
    def complete(self) -> bool:
        """Whether a msgstr was read (the next comment or msgctxt/msgid starts a new entry)."""
        return any(k.startswith("msgstr") for k in self.strings)


_CHARSET = re.compile(rb'"Content-Type:[^"\n]*charset=([A-Za-z0-9_.:-]+)', re.I)
_KEYWORD = re.compile(r"(msgctxt|msgid_plural|msgid|msgstr(?:\[\d+\])?)(?=[\s\"]|$)\s*(.*)$", re.S)
_STRING = re.compile(r'"((?:[^"\\]|\\.)*)"', re.S)
_ESCAPE = re.compile(r"\\(.)", re.S)
_UNESCAPE = {"\\": "\\", '"': '"', "a": "\a", "b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t", "v": "\v"}


def _decode(data: bytes, path: Path | str) -> str:
    """Decode a PO file with the charset its header declares (UTF-8 when it declares none)."""
    declared = _CHARSET.search(data[:8192])
    charset = declared.group(1).decode("ascii") if declared else "utf-8"
    if charset.lower() == "charset":  # the placeholder of an unfilled template
        charset = "utf-8"
    try:
        codec = codecs.lookup(charset)
        # A codec that is not a text encoding (rot13, hex) raises LookupError here too.
        return data.decode("utf-8-sig" if codec.name == "utf-8" else codec.name)
    except LookupError:
        line = data.count(b"\n", 0, declared.start()) + 1
        raise CatalogError(f"unknown charset {charset!r} in the Content-Type header", path, line,
                           hint="declare charset=UTF-8 and save the file as UTF-8") from None
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        raise CatalogError(f"not valid {charset} (byte {error.start})", path, line,
                           hint="save the file as UTF-8 with charset=UTF-8 in its header") from None


def _read_entries(text: str, path: Path | str) -> tuple[list[_Entry], str]:
    """Every entry of a PO file, checked as msgfmt would, and the text after the last one."""
    entries: list[_Entry] = []
    entry = _Entry(1)
    blank: list[str] = []  # blank lines, kept in an entry only if more of it follows them
    for number, raw in enumerate(text.split("\n"), start=1):
        obsolete, body = _split_line(raw)
        if not body:
            if entry.raw:
                blank.append(raw)
            continue
        part = _line_part(body)
        if _starts_entry(entry, part):
            entries.append(_finish(entry, path))
            entry, blank = _Entry(number), []
        if not entry.raw:
            entry.line = number
        entry.raw += [("", line) for line in blank] + [(part, raw)]
        blank = []
        if part in _COMMENT_PARTS:
            _read_comment(entry, part, body)
        elif part == "previous":
            _read_previous(entry, body[2:].strip(), path, number)
        else:
            _read_string_line(entry, body, obsolete, path, number)
    if entry.strings:
        entries.append(_finish(entry, path))
        return entries, ""
    return entries, "".join(raw + "\n" for _, raw in entry.raw)


def _split_line(raw: str) -> tuple[bool, str]:
    """Whether a line is under `#~` (obsolete), and the line without it (`#|` for `#~|`)."""
    line = raw.strip()
    if not line.startswith("#~"):
        return False, line
    body = line[2:].strip()
    return True, "#" + body if body.startswith("|") else body


def _starts_entry(entry: _Entry, part: str) -> bool:
    """Whether a line of this part begins a new entry: a comment or keyword after a whole entry,
    or a msgctxt or msgid where the entry already has one (the entry lacks its msgstr then)."""
    if entry.complete:
        return part in _COMMENT_PARTS or part in ("previous", "msgctxt", "msgid")
    return (part == "msgctxt" and bool(entry.strings)) or (part == "msgid" and "msgid" in entry.strings)


_COMMENT_PARTS = ("comments", "auto", "references", "flags")


def _line_part(body: str) -> str:
    """What a line (without its `#~`) is: a comment part, `previous`, a keyword or a `string`."""
    if body.startswith("#"):
        return {",": "flags", ".": "auto", ":": "references", "|": "previous"}.get(body[1:2], "comments")
    if body.startswith('"'):
        return "string"
    match = _KEYWORD.match(body)
    return match.group(1) if match else "keyword?"


def _read_comment(entry: _Entry, part: str, body: str) -> None:
    text = body[2:].strip() if part != "comments" else body[1:].strip()
    if part == "comments":
        entry.comments.append(text)
    elif part == "auto":
        if text:
            entry.auto_comments.append(text)
    elif part == "references":
        entry.references.append(text)
    else:
        entry.flags += [flag.strip() for flag in text.split(",") if flag.strip()]


def _read_previous(entry: _Entry, body: str, path, number: int) -> None:
    """A `#|` line: a previous msgctxt, msgid or msgid_plural, or the continuation of one."""
    if body.startswith('"') and entry.previous_keyword:
        entry.previous[entry.previous_keyword] += _string(body, path, number)
        return
    match = _KEYWORD.match(body)
    if not match or match.group(1) not in ("msgctxt", "msgid", "msgid_plural"):
        raise CatalogError(f"not a previous msgctxt or msgid: {_shorten(body)}", path, number, hint=_FIX_HINT)
    keyword, rest = match.groups()
    entry.previous_keyword = keyword
    entry.previous[keyword] = _string(rest, path, number)


def _read_string_line(entry: _Entry, body: str, obsolete: bool, path, number: int) -> None:
    """A keyword line (`msgid "..."`) or a string continuing the last keyword's."""
    if body.startswith('"'):
        if entry.keyword is None:
            raise CatalogError("a quoted string outside any msgid, msgstr or msgctxt", path, number,
                               hint=_FIX_HINT)
        entry.strings[entry.keyword] += _string(body, path, number)
        return
    match = _KEYWORD.match(body)
    if not match:
        raise CatalogError(f"not a PO keyword or a quoted string: {_shorten(body)}", path, number,
                           hint=_FIX_HINT)
    keyword, rest = match.groups()
    if keyword.startswith("msgstr") or keyword == "msgid_plural":
        if "msgid" not in entry.strings:
            raise CatalogError(f"{keyword} without a msgid before it", path, number, hint=_FIX_HINT)
    if keyword in entry.strings:
        raise CatalogError(f"{keyword} appears twice in one entry", path, number, hint=_FIX_HINT)
    if keyword == "msgid":
        entry.obsolete = obsolete
    entry.first_keyword = entry.first_keyword or number
    entry.keyword = keyword
    entry.lines[keyword] = number
    entry.strings[keyword] = _string(rest, path, number)


def _finish(entry: _Entry, path) -> _Entry:
    """Check that an entry is whole: a msgid, and msgstr forms that fit it."""
    strings = entry.strings
    line = entry.first_keyword or entry.line
    if "msgid" not in strings:
        raise CatalogError("msgctxt without a msgid", path, line, hint=_FIX_HINT)
    forms = sorted(k for k in strings if k.startswith("msgstr"))
    if not forms:
        raise CatalogError(f"msgid {_shorten(strings['msgid'])} has no msgstr", path, line, hint=_FIX_HINT)
    if "msgid_plural" in strings:
        indexes = sorted(int(k[7:-1]) for k in forms if k != "msgstr")
        if "msgstr" in strings or indexes != list(range(len(indexes))):
            raise CatalogError(f"msgid {_shorten(strings['msgid'])} has a msgid_plural: its translations "
                               "must be msgstr[0], msgstr[1]... in order", path, entry.lines.get("msgstr", entry.line),
                               hint=_FIX_HINT)
    elif forms != ["msgstr"]:
        raise CatalogError(f"msgid {_shorten(strings['msgid'])} has msgstr[N] but no msgid_plural", path,
                           line, hint=_FIX_HINT)
    return entry


def _check_duplicates(entries: list[_Entry], path) -> None:
    seen: dict[tuple[str | None, str], int] = {}
    for entry in entries:
        if entry.obsolete:
            continue
        key = (entry.strings.get("msgctxt"), entry.strings["msgid"])
        if key in seen:
            raise CatalogError(f"message {_shorten(key[1])} is defined twice (first on line {seen[key]})",
                               path, entry.first_keyword, hint="keep one of the two entries")
        seen[key] = entry.first_keyword


def _string(text: str, path: Path | str, line: int) -> str:
    """The content of one quoted PO string, unescaped, or a CatalogError saying what is wrong with it."""
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
    if "\\" not in content:
        return content

    def unescape(escape: re.Match) -> str:
        char = _UNESCAPE.get(escape.group(1))
        if char is None:
            raise CatalogError(f"unknown escape sequence \\{escape.group(1)}", path, line,
                               hint="write \\\\ for a backslash")
        return char

    return _ESCAPE.sub(unescape, content)


def _shorten(text: str, width: int = 40) -> str:
    text = text if len(text) <= width else text[: width - 1] + "…"
    return f"“{text}”"


def _read_header(catalog: HeaderKeepingCatalog, entry: _Entry, path) -> None:
    """Set the catalogue's header from its entry (`msgid ""`)."""
    catalog.header_line = entry.lines["msgid"]
    header = Message("", entry.strings.get("msgstr", ""), flags=entry.flags, user_comments=entry.comments)
    try:
        catalog[""] = header
    except ValueError as error:  # Babel reads the header's dates with strptime, and lets it fail
        raise CatalogError(f"a header field cannot be read: {error}", path, catalog.header_line,
                           hint=_FIX_HINT) from None
    catalog.babel_header = {name.lower(): value for name, value in Catalog.mime_headers.fget(catalog)}
    catalog.originals["header"] = _original(entry, _header_parts(catalog))


def _add_entry(catalog: HeaderKeepingCatalog, entry: _Entry, path) -> None:
    """Add a message (live or obsolete) to the catalogue as Babel's reader would, flags and all."""
    strings = entry.strings
    msgid: str | tuple[str, str] = strings["msgid"]
    if "msgid_plural" in strings:
        forms = [strings[f"msgstr[{i}]"] for i in range(len(strings) - 2 - ("msgctxt" in strings))]
        if not entry.obsolete:
            catalog.plural_counts[entry.lines["msgid"]] = len(forms)
        if len(forms) > catalog.num_plurals:
            raise CatalogError(f"msgid {_shorten(strings['msgid'])} has {len(forms)} translations; the header's "
                               f"Plural-Forms allows {catalog.num_plurals}", path, entry.lines["msgid"],
                               hint="remove the extra msgstr[N] or correct nplurals in Plural-Forms")
        msgid = (strings["msgid"], strings["msgid_plural"])
        string: str | tuple = tuple(forms + [""] * (catalog.num_plurals - len(forms)))
    else:
        string = strings["msgstr"]
    locations: list = []  # (file, line); Babel's annotation says the line is never None, which it may be
    for reference in entry.references:
        locations += _locations(reference)
    message = Message(msgid, string, locations, lineno=entry.lines["msgid"], context=strings.get("msgctxt"),
                      auto_comments=entry.auto_comments, user_comments=entry.comments)
    # Babel's Message adds python-format to any text that looks like one ("50% of"): only the
    # file's own flags count.
    message.flags = set(entry.flags)
    if "msgid" in entry.previous:
        message.previous_id = [entry.previous["msgid"]] + (
            [entry.previous["msgid_plural"]] if "msgid_plural" in entry.previous else [])
    if "msgctxt" in entry.previous:
        set_previous_context(message, entry.previous["msgctxt"])
    key = message_key(msgid, message.context)
    catalog.originals[("obsolete" if entry.obsolete else "live", key)] = _original(
        entry, parts(message, entry.obsolete))
    if LEGACY_FUZZY_NOTE in message.user_comments:  # written in the standard form when next written
        message.user_comments = [c for c in message.user_comments if c != LEGACY_FUZZY_NOTE]
        message.flags.add("fuzzy")
    if entry.obsolete:
        catalog.obsolete[key] = message
    else:
        catalog[msgid] = message


def _locations(reference: str) -> list[tuple[str, int | None]]:
    """The (file, line) pairs of a `#:` line; names with spaces are isolated with U+2068/U+2069."""
    found: list[tuple[str, int | None]] = []
    for token in re.findall(r"\u2068[^\u2069]*\u2069(?::\d+)?|\S+", reference):
        name, colon, number = token.rpartition(":")
        if colon and number.isdigit():
            found.append((name.strip("\u2068\u2069"), int(number)))
        else:
            found.append((token.strip("\u2068\u2069"), None))
    return found


def _original(entry: _Entry, values: dict[str, object]) -> Original:
    lines: dict[str, list[str]] = {}
    part = ""
    for kind, raw in entry.raw:
        if kind == "string":
            kind = part  # a continuation belongs to the keyword before it
        elif kind.startswith("msgstr"):
            kind = "msgstr"
        elif kind == "msgid_plural":
            kind = "msgid"
        part = kind
        lines.setdefault(kind, []).append(raw)
    text = "\n".join(raw for _, raw in entry.raw)
    return Original(text, {kind: (value, lines.get(kind, [])) for kind, value in values.items()})


# --- Writing ----------------------------------------------------------------------------------


def parts(message: Message, obsolete: bool = False) -> dict[str, object]:
    """The value of each part of an entry, in the order GNU gettext writes them; what is compared to
    tell whether an entry changed."""
    strings = message.string if isinstance(message.string, (list, tuple)) else (message.string or "",)
    translated = bool(strings and strings[0])
    return {
        "comments": tuple(message.user_comments),
        "auto": () if obsolete else tuple(message.auto_comments),
        "references": () if obsolete else tuple(message.locations),
        "flags": tuple(flags_line(message.flags, translated, obsolete)),
        "previous": (previous_context(message), tuple(message.previous_id or ())),
        "msgctxt": message.context,
        "msgid": message.id,
        "msgstr": tuple(strings),
    }


def render(catalog: Catalog) -> bytes:
    """A catalogue as PO text in GNU gettext's layout; entries that did not change since they were
    read are written as they were. Untranslated obsolete entries are left out, as gettext does."""
    originals = getattr(catalog, "originals", {})
    header = _header_parts(catalog)
    blocks = []
    if header["msgstr"] or "header" in originals or getattr(catalog, "babel_header", None) is None:
        blocks.append(_render_entry(header, originals.get("header"), _header_lines, catalog))
    for message in catalog:
        if message.id:
            key = message_key(message.id, message.context)
            blocks.append(_render_entry(parts(message), originals.get(("live", key)), _entry_lines, catalog))
    for key, message in catalog.obsolete.items():
        if _has_translation(message):
            blocks.append(_render_entry(parts(message, True), originals.get(("obsolete", key)),
                                        _obsolete_lines, catalog))
    text = "\n\n".join(blocks) + "\n" + getattr(catalog, "trailer", "")
    return _encode(text, catalog)


def content(catalog: Catalog) -> tuple:
    """Everything render() writes, as a value: equal content, equal bytes (and cheaper to compare)."""
    live = tuple(tuple(parts(m).values()) for m in catalog if m.id)
    obsolete = tuple(tuple(parts(m, True).values()) for m in catalog.obsolete.values() if _has_translation(m))
    return (tuple(_header_parts(catalog).values()), catalog.charset, live, obsolete)


def _has_translation(message: Message) -> bool:
    strings = message.string if isinstance(message.string, (list, tuple)) else (message.string,)
    return bool(strings and strings[0])


def _render_entry(values: dict[str, object], original: Original | None, lines_of, catalog) -> str:
    """An entry's text: as read if nothing changed, else each part as read if it did not change and
    in GNU gettext's layout if it did."""
    if original is not None and all(original.parts.get(k, (None,))[0] == v for k, v in values.items()) \
            and set(original.parts) == set(values):
        return original.text
    kept = {} if original is None else {k: lines for k, (value, lines) in original.parts.items()
                                        if values.get(k) == value}
    out: list[str] = []
    for kind, lines in lines_of(values, catalog):
        out += kept[kind] if kind in kept else lines
    return "\n".join(out)


def _entry_lines(values: dict, catalog) -> list[tuple[str, list[str]]]:
    return _message_lines(values, "", "#| ")


def _obsolete_lines(values: dict, catalog) -> list[tuple[str, list[str]]]:
    return _message_lines(values, "#~ ", "#~| ")


def _message_lines(values: dict, prefix: str, previous_prefix: str) -> list[tuple[str, list[str]]]:
    flags = values["flags"]
    python = any(f == "python-format" for line in flags for f in line[3:].split(", "))
    width = 0 if any("no-wrap" in line[3:].split(", ") for line in flags) else WIDTH

    def strings(keyword: str, value: str, line_prefix: str = prefix) -> list[str]:
        return string_lines(keyword, value, line_prefix, width, python)

    msgid = values["msgid"]
    ids = msgid if isinstance(msgid, (list, tuple)) else (msgid,)
    context, previous_ids = values["previous"]
    previous: list[str] = []
    if context is not None:
        previous += strings("msgctxt", context, previous_prefix)
    for keyword, text in zip(("msgid", "msgid_plural"), previous_ids):
        previous += strings(keyword, text, previous_prefix)
    translations = values["msgstr"]
    if len(ids) > 1:
        msgstr = [line for i, text in enumerate(translations) for line in strings(f"msgstr[{i}]", text)]
    else:
        msgstr = strings("msgstr", translations[0] if translations else "")
    return [
        ("comments", comment_lines("", values["comments"])),
        ("auto", comment_lines(".", values["auto"])),
        ("references", reference_lines(values["references"])),
        ("flags", list(flags)),
        ("previous", previous),
        ("msgctxt", strings("msgctxt", values["msgctxt"]) if values["msgctxt"] is not None else []),
        ("msgid", strings("msgid", ids[0]) + (strings("msgid_plural", ids[1]) if len(ids) > 1 else [])),
        ("msgstr", msgstr),
    ]


def _header_parts(catalog: Catalog) -> dict[str, object]:
    fields = header_fields(catalog)
    return {"comments": catalog.header_comment, "flags": ("fuzzy",) if catalog.fuzzy else (),
            "msgid": "", "msgstr": "".join(f"{name}: {value}\n" for name, value in fields)}


def _header_lines(values: dict, catalog) -> list[tuple[str, list[str]]]:
    comments = values["comments"]
    return [
        ("comments", comments.split("\n") if comments else []),
        ("flags", ["#, fuzzy"] if values["flags"] else []),
        ("msgid", ['msgid ""']),
        ("msgstr", string_lines("msgstr", values["msgstr"])),
    ]


def header_fields(catalog: Catalog) -> list[tuple[str, str]]:
    """The header's fields as they are written: in the order read (GNU gettext's for a new file),
    each as read unless its value changed since, then the fields that gained a value since."""
    current = {name.lower(): (name, value) for name, value in catalog.mime_headers}
    read = getattr(catalog, "header_fields", None) or []
    at_read = getattr(catalog, "babel_header", None)
    out = []
    for name, value in read:
        key = name.lower()
        if key in current and (at_read is None or at_read.get(key) != current[key][1]):
            value = current[key][1]
        out.append((name, value))
    if at_read is not None:
        present = {name.lower() for name, _ in read}
        out += [(name, value) for key, (name, value) in current.items()
                if key not in present and key in _BABEL_HEADERS and at_read.get(key) != value]
    return out


def _encode(text: str, catalog: Catalog) -> bytes:
    """The file's bytes in its charset; a catalogue whose charset cannot hold its text becomes UTF-8."""
    charset = catalog.charset or "utf-8"
    try:
        return text.encode(charset)
    except (UnicodeEncodeError, LookupError):
        pass
    declared = next((re.search(r"charset=([\w.:-]+)", value) for name, value in getattr(catalog, "header_fields", [])
                     if name.lower() == "content-type"), None)
    raise CharsetError(declared.group(1) if declared else charset,
                       next(c for c in text if not _encodable(c, charset)))


def _encodable(char: str, charset: str) -> bool:
    try:
        char.encode(charset)
        return True
    except (UnicodeEncodeError, LookupError):
        return False


class CharsetError(CatalogError):
    """A catalogue's declared charset cannot hold its text (see convert_to_utf8)."""

    def __init__(self, charset: str, char: str):
        super().__init__(f"its charset {charset} cannot hold “{char}” (U+{ord(char):04X})",
                         hint="save it as UTF-8 with charset=UTF-8 in its header")
        self.charset, self.char = charset, char

    def __reduce__(self):
        return CatalogError, (self.message, self.path, self.line, self.hint)


def convert_to_utf8(catalog: HeaderKeepingCatalog) -> None:
    """Declare a catalogue UTF-8: its Content-Type says so from now on."""
    fields = [(name, re.sub(r"charset=[\w.:-]+", "charset=UTF-8", value) if name.lower() == "content-type"
               else value) for name, value in catalog.header_fields]
    at_read = dict(catalog.babel_header or {})
    catalog.mime_headers = fields
    # The field is written as the file had it, charset aside.
    at_read["content-type"] = dict((k.lower(), v) for k, v in Catalog.mime_headers.fget(catalog))["content-type"]
    catalog.babel_header = at_read
