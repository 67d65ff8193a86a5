"""XLIFF 1.2 for CAT tools (OmegaT, Trados, memoQ): a locale's catalogues out, the translations back in.

Export: one <file> per catalogue (`original` = its path under the locales folder), one
<trans-unit> per message, in the conventions Translate Toolkit's po2xliff uses, so tools that
know PO-derived XLIFF read it as such:

- msgctxt: <context-group purpose="information"><context context-type="x-po-msgctxt">;
- the source line: <context-group purpose="location"> with `sourcefile` and `linenumber`
  (unnamed: the strict schema wants context-group names unique in a <file>);
- notes: the `#.` comment (the section) as <note from="developer">, translator comments as
  <note from="translator">;
- state: a reviewed translation is `approved="yes"`, target state `translated`; a fuzzy one
  `approved="no"`, target state `needs-review-translation`, with its previous msgid as an
  <alt-trans alttranstype="previous-version">; an untranslated message has no <target>;
- plural messages: a <group restype="x-gettext-plurals"> with one unit per form.

Each unit carries, in `extradata`, a digest of the catalogue's entry as exported, so an import
can tell whether the catalogue changed since.

Import, unit by unit, never overwriting a translator's work and never applying a translation to
the wrong text: a unit whose source is not the current msgid (the article changed since the
export), or whose catalogue entry changed since the export, is refused with its line and what
to do; the others are applied. A translation becomes reviewed only when the CAT tool says the
translator confirmed it (target state translated, final or signed-off, or approved="yes"
without a state), never from a match the tool filled in itself (state-qualifier
exact-match, fuzzy-match, leveraged-*, mt-suggestion, tm-suggestion); a unit whose tool keeps
no state at all is read as Poedit works: a translation the translator typed or edited is
reviewed, an untouched one keeps its state.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass, field
from pathlib import Path

from babel.messages.catalog import Catalog, Message

from ..errors import CatalogError
from ..files import FileChangedError, write_file
from ..locale_tags import parse_locale, same_language
from .folder import catalogue_files
from .pofile import content, parse_catalogue, read_catalogue, read_regular_file, render

log = logging.getLogger(__name__)

NS = "urn:oasis:names:tc:xliff:document:1.2"
_X = f"{{{NS}}}"
_XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"
_XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
TOOL_ID = "medref-pipeline"
PLURALS = "x-gettext-plurals"
REVIEWED_STATES = frozenset({"translated", "final", "signed-off"})
# What a CAT tool filled in by itself: a suggestion, never a translator's confirmation.
_LEVERAGED = ("exact-match", "fuzzy-match", "id-match", "leveraged-", "mt-suggestion", "tm-suggestion")
# Inline elements whose content is the original's code, not text.
_CODE_ELEMENTS = frozenset({"bpt", "ept", "ph", "it", "sub"})


@dataclass
class XliffExport:
    """What an export wrote: files (catalogues) and units (messages), and how many were waiting."""

    files: int = 0
    units: int = 0
    fuzzy: int = 0
    untranslated: int = 0


def export_xliff(locales_dir: Path, locale: str, out: Path, source_language: str = "en",
                 waiting_only: bool = False) -> XliffExport:
    """Write a locale's catalogues as one XLIFF 1.2 file (with waiting_only: fuzzy and untranslated
    messages only)."""
    from lxml import etree

    locale = parse_locale(locale)
    report = XliffExport()
    root = etree.Element(f"{_X}xliff", version="1.2", nsmap={None: NS})
    for item in catalogue_files(locales_dir, locale):
        catalogue = read_catalogue(item.path)
        units = [m for m in catalogue if m.id and (not waiting_only or m.fuzzy or not _complete(m))]
        if not units:
            continue
        original = item.path.relative_to(locales_dir).as_posix()
        file = etree.SubElement(root, f"{_X}file", {
            "original": original, "source-language": source_language.replace("_", "-"),
            "target-language": locale.replace("_", "-"), "datatype": "po"})
        header = etree.SubElement(file, f"{_X}header")
        etree.SubElement(header, f"{_X}tool", {"tool-id": TOOL_ID, "tool-name": "medref pipeline"})
        body = etree.SubElement(file, f"{_X}body")
        for message in units:
            report.units += 1
            report.fuzzy += bool(message.fuzzy)
            report.untranslated += not message.fuzzy and not _complete(message)
            _export_message(body, message, catalogue)
        report.files += 1
    etree.indent(root, space="  ")
    write_file(out, etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True))
    return report


def unit_id(message: Message) -> str:
    """A message's unit id: stable for its msgctxt and msgid, unique in its catalogue."""
    msgid = message.id[0] if isinstance(message.id, (list, tuple)) else message.id
    key = f"{message.context or ''}\x04{msgid}".encode("utf-8")
    return "m" + hashlib.sha256(key).hexdigest()[:16]


def entry_digest(message: Message) -> str:
    """A digest of what a catalogue entry says (translation and fuzzy state)."""
    strings = message.string if isinstance(message.string, (list, tuple)) else (message.string or "",)
    data = "\x00".join(strings) + ("\x01fuzzy" if message.fuzzy else "")
    return hashlib.sha256(data.encode("utf-8")).hexdigest()[:16]


def _complete(message: Message) -> bool:
    strings = message.string if isinstance(message.string, (list, tuple)) else (message.string,)
    return bool(strings) and all(strings)


def _export_message(body, message: Message, catalogue: Catalog) -> None:
    from lxml import etree

    ident = unit_id(message)
    extradata = f"base:{entry_digest(message)}"
    if isinstance(message.id, (list, tuple)):
        group = etree.SubElement(body, f"{_X}group", {"id": ident, "restype": PLURALS, "extradata": extradata})
        strings = message.string if isinstance(message.string, (list, tuple)) else (message.string,)
        for form in range(max(catalogue.num_plurals, len(strings))):
            source = message.id[0] if form == 0 else message.id[1]
            text = strings[form] if form < len(strings) else ""
            _unit(group, f"{ident}[{form}]", source, text, message, with_context=form == 0)
        return
    _unit(body, ident, message.id, message.string or "", message, extradata=extradata)


def _unit(parent, ident: str, source: str, target: str, message: Message, with_context: bool = True,
          extradata: str | None = None) -> None:
    from lxml import etree

    attributes = {"id": ident, _XML_SPACE: "preserve"}
    if target:
        attributes["approved"] = "no" if message.fuzzy else "yes"
    if extradata:
        attributes["extradata"] = extradata
    unit = etree.SubElement(parent, f"{_X}trans-unit", attributes)
    etree.SubElement(unit, f"{_X}source").text = source
    if target:
        state = "needs-review-translation" if message.fuzzy else "translated"
        etree.SubElement(unit, f"{_X}target", state=state).text = target
    if not with_context:
        return
    if message.context is not None:
        group = etree.SubElement(unit, f"{_X}context-group", purpose="information")
        etree.SubElement(group, f"{_X}context", {"context-type": "x-po-msgctxt"}).text = message.context
    for path, line in message.locations:
        group = etree.SubElement(unit, f"{_X}context-group", purpose="location")
        etree.SubElement(group, f"{_X}context", {"context-type": "sourcefile"}).text = path
        if line:
            etree.SubElement(group, f"{_X}context", {"context-type": "linenumber"}).text = str(line)
    for comment in message.auto_comments:
        etree.SubElement(unit, f"{_X}note", {"from": "developer"}).text = comment
    for comment in message.user_comments:
        etree.SubElement(unit, f"{_X}note", {"from": "translator"}).text = comment
    if message.fuzzy and message.previous_id and target:
        alt = etree.SubElement(unit, f"{_X}alt-trans", alttranstype="previous-version")
        etree.SubElement(alt, f"{_X}source").text = message.previous_id[0]
        etree.SubElement(alt, f"{_X}target").text = target


# --- Import -----------------------------------------------------------------------------------


@dataclass
class XliffImport:
    """What an import did.

    translated / fuzzy: messages given a reviewed / an unreviewed translation (or state).
    unchanged: units that say what the catalogue already says. refused: one error per unit not
    applied (file:line: why). written: catalogues written.
    """

    translated: int = 0
    fuzzy: int = 0
    unchanged: int = 0
    refused: list[CatalogError] = field(default_factory=list)
    written: list[Path] = field(default_factory=list)


@dataclass
class _Unit:
    ident: str
    line: int
    source: str
    target: str | None
    reviewed: bool | None  # None: the tool said nothing about the state
    base: str | None
    notes: list[str]


def import_xliff(path: Path, locales_dir: Path, dry_run: bool = False) -> XliffImport:
    """Apply the translations of an XLIFF 1.2 file to the catalogues it was exported from."""
    report = XliffImport()
    files = _read_xliff(path)
    known = {item.path.relative_to(locales_dir).as_posix(): item for item in catalogue_files(locales_dir)}
    for original, target_language, line, units in files:
        item = known.get(original)
        if item is None:
            report.refused.append(CatalogError(
                f"<file original={original!r}> is not a catalogue under {locales_dir}", path, line,
                hint="export again from this project, or pass the right --locales"))
            continue
        if target_language and not same_language(target_language, item.locale):
            report.refused.append(CatalogError(
                f"target-language {target_language!r} is not the language of {item.path}", path, line,
                hint="import the file into the locale it was exported from"))
            continue
        data = read_regular_file(item.path)
        catalogue = parse_catalogue(data, item.path)
        before = content(catalogue)
        _apply_units(catalogue, item.path, path, units, report)
        if content(catalogue) != before:
            if not dry_run:
                try:  # never over a save the translator made meanwhile
                    write_file(item.path, render(catalogue), expected=data)
                except FileChangedError as error:
                    report.refused.append(error)
                    continue
            report.written.append(item.path)
    return report


def _apply_units(catalogue: Catalog, po_path: Path, path: Path, units: list[tuple[str | None, list[_Unit]]],
                 report: XliffImport) -> None:
    by_id = {unit_id(m): m for m in catalogue if m.id}
    for group_base, group in units:
        first = group[0]
        message = by_id.get(first.ident.split("[", 1)[0])
        if message is None:
            report.refused.append(CatalogError(
                f"unit {first.ident}: its source no longer matches any message of {po_path} "
                f"(“{_shorten(first.source)}”)", path, first.line, hint=_EXPORT_AGAIN))
            continue
        if not _same_source(message, group):
            report.refused.append(CatalogError(
                f"unit {first.ident}: its source no longer matches the current message at "
                f"{po_path}:{message.lineno or 1}", path, first.line, hint=_EXPORT_AGAIN))
            continue
        targets = [unit.target for unit in group]
        if all(not target for target in targets):
            continue  # nothing translated: a translation is never removed by an import
        plural = isinstance(message.id, (list, tuple))
        if plural and (len(group) != catalogue.num_plurals or not all(targets)):
            report.refused.append(CatalogError(
                f"unit {first.ident}: {sum(1 for t in targets if t)} of {catalogue.num_plurals} plural "
                "forms are translated", path, first.line, hint="translate every plural form"))
            continue
        new_string = tuple(targets) if plural else targets[0]
        current_string = message.string if plural else (message.string or "")
        reviewed = _reviewed(group, message, changed=new_string != current_string)
        if (new_string == current_string and reviewed == (not message.fuzzy and _complete(message))):
            report.unchanged += 1
            continue
        base = group_base if plural else first.base
        if base is not None and base != entry_digest(message):
            report.refused.append(CatalogError(
                f"unit {first.ident}: {po_path}:{message.lineno or 1} changed since the export",
                path, first.line, hint="export again, or copy this translation into the catalogue by hand"))
            continue
        if base is None and _complete(message) and new_string != current_string:
            report.refused.append(CatalogError(
                f"unit {first.ident}: {po_path}:{message.lineno or 1} has another translation and the unit "
                "does not say what it was exported from", path, first.line,
                hint="export again from this project (the CAT tool dropped the unit's extradata)"))
            continue
        message.string = new_string
        if reviewed:
            message.flags.discard("fuzzy")
            message.previous_id = []
            report.translated += 1
        else:
            message.flags.add("fuzzy")
            report.fuzzy += 1
        notes = [note for unit in group for note in unit.notes]
        if notes:
            message.user_comments = list(dict.fromkeys([*message.user_comments, *notes]))



def _reviewed(group: list[_Unit], message: Message, changed: bool) -> bool:
    """Whether the units' translation is reviewed: as their state says, or, from a tool that keeps no
    state, when the translator changed it (as in Poedit, an edit is a review); an untouched unit
    keeps the catalogue's state."""
    states = {unit.reviewed for unit in group}
    if states == {None}:
        return changed or (not message.fuzzy and _complete(message))
    return states == {True}

_EXPORT_AGAIN = "the article changed since the export: export again and translate the new text"


def _same_source(message: Message, group: list[_Unit]) -> bool:
    """Whether the units (a message's, or the forms of a plural's) still have the message's source."""
    sources = list(message.id) if isinstance(message.id, (list, tuple)) else [message.id]
    expected = [sources[0] if n == 0 else sources[-1] for n in range(len(group))]
    return all(unit.source == text for unit, text in zip(group, expected))

def _read_xliff(path: Path) -> list[tuple[str, str, int, list[tuple[str | None, list[_Unit]]]]]:
    """(original, target-language, line, units grouped per message) for each <file>."""
    from lxml import etree

    try:
        tree = etree.parse(str(path), etree.XMLParser(resolve_entities=False, no_network=True))
    except etree.XMLSyntaxError as error:
        raise CatalogError(f"not well-formed XML: {error.msg}", path, error.lineno,
                           hint="check the file in an XML editor or export it again") from None
    except OSError as error:
        raise CatalogError(f"cannot read file: {error.strerror}", path) from None
    root = tree.getroot()
    if root.tag != f"{_X}xliff" or not (root.get("version") or "").startswith("1."):
        raise CatalogError("not an XLIFF 1.2 file", path, root.sourceline,
                           hint="export XLIFF 1.2 from your CAT tool")
    files = []
    for file in root.iter(f"{_X}file"):
        units: list[tuple[str | None, list[_Unit]]] = []
        body = file.find(f"{_X}body")
        for element in (body if body is not None else []):
            if element.tag == f"{_X}group" and element.get("restype") == PLURALS:
                forms = [_read_unit(u) for u in element.iter(f"{_X}trans-unit")]
                if forms:
                    units.append((_base(element), forms))
            elif element.tag == f"{_X}group":
                units += [(None, [_read_unit(u)]) for u in element.iter(f"{_X}trans-unit")]
            elif element.tag == f"{_X}trans-unit":
                units.append((None, [_read_unit(element)]))
        files.append((file.get("original", ""), file.get("target-language", ""), file.sourceline, units))
    return files


def _base(element) -> str | None:
    extradata = element.get("extradata") or ""
    return extradata[5:] if extradata.startswith("base:") else None


def _read_unit(unit) -> _Unit:
    source = unit.find(f"{_X}source")
    target = unit.find(f"{_X}target")
    text = _text(target) if target is not None else None
    state = target.get("state") if target is not None else None
    qualifier = (target.get("state-qualifier") or "") if target is not None else ""
    approved = unit.get("approved")
    reviewed: bool | None
    if qualifier.startswith(_LEVERAGED):
        reviewed = False
    elif state is not None:
        reviewed = state in REVIEWED_STATES
    elif approved is not None:
        reviewed = approved == "yes"
    else:
        reviewed = None
    notes = [(note.text or "").strip() for note in unit.findall(f"{_X}note")
             if note.get("from") in ("translator", "po-translator") and (note.text or "").strip()]
    return _Unit(unit.get("id", ""), unit.sourceline, _text(source) if source is not None else "",
                 text, reviewed, _base(unit), notes)


def _text(element) -> str:
    """The text of a <source> or <target>, without the original's inline codes."""
    parts = [element.text or ""]
    for child in element:
        tag = child.tag.split("}")[-1] if isinstance(child.tag, str) else ""
        if tag not in _CODE_ELEMENTS:
            parts.append(_text(child))
        parts.append(child.tail or "")
    return "".join(parts)


def _shorten(text: str, width: int = 50) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"
