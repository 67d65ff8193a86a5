"""The concept table as a termbase: TBX in and out, and glossaries merged into it.

TBX (ISO 30042) is what CAT tools and Weblate exchange terminology in. Export writes the
TBX-Basic dialect in the 2008 `martif` form (what Weblate, Translate Toolkit, memoQ and
MultiTerm read): one <termEntry> per concept, one <langSet> per language, one <tig> per term,
with the preferred term marked `preferredTerm-admn-sts` (the others `admittedTerm-admn-sts`),
abbreviations marked with termType `abbreviation`, and the definition as a <descrip>. Import
reads that, the 2019 form (`<tbx>`, <conceptEntry>/<langSec>/<termSec>) and TBX-Min
(<entry>/<langSec>/<termSec>, <termStatus>preferred</termStatus>), taking the languages the
table has columns for.

Imported concepts are merged into a table file (`import_terms`): a concept whose terms the
table already has (matched as search matches them, after analysis, and spelt the same up to
inflection) gains the terms it lacks (and a definition, if the row has none; its preferred
terms stay the table's); a new concept becomes a new row at the end of the file, under a
comment naming the source, with the preferred terms the source names. An entry whose terms are split
between rows is not merged (the report names it). The file is otherwise left as it is: its
comments, order and rows stay, and the columns `preferred` and `definition` are added to the
header only when an import fills them.
"""

from __future__ import annotations

import csv
import io
import json
import logging
import re
from dataclasses import dataclass, field
from pathlib import Path

from .analysis import analyze
from .concepts import COLUMNS, LANGUAGE_COLUMNS, OPTIONAL_COLUMNS, SEPARATOR, Concept, parse_concepts
from .errors import ConceptError
from .files import write_file

log = logging.getLogger(__name__)

_XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
PREFERRED = "preferredTerm-admn-sts"
ADMITTED = "admittedTerm-admn-sts"


@dataclass
class Entry:
    """A concept as read from a termbase file: terms per language code, abbreviations,
    preferred term per language, definition, and where it was read (for messages)."""

    terms: dict[str, list[str]] = field(default_factory=dict)
    abbreviations: list[str] = field(default_factory=list)
    preferred: dict[str, str] = field(default_factory=dict)
    definition: str = ""
    where: str = ""


@dataclass
class ImportReport:
    """What an import did to the table: rows added and rows given new terms, entries skipped with why."""

    table: Path
    written: bool = False
    read: int = 0
    added: int = 0
    merged: int = 0
    unchanged: int = 0
    skipped: list[str] = field(default_factory=list)


# --- Reading ----------------------------------------------------------------------------------


def read_entries(path: Path) -> list[Entry]:
    """The concepts of a TBX file, or of a JSON Lines glossary (`en`, `ar` keys per line)."""
    if path.suffix.lower() in (".jsonl", ".json"):
        return _read_glossary(path)
    return _read_tbx(path)


def _read_glossary(path: Path) -> list[Entry]:
    entries = []
    try:
        lines = path.read_text(encoding="utf-8-sig").splitlines()
    except (OSError, UnicodeDecodeError) as error:
        raise ConceptError(f"cannot read the glossary: {error}", path, hint="check that it is UTF-8 JSON Lines") from None
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as error:
            raise ConceptError(f"not a JSON object: {error.msg}", path, number,
                               hint="one JSON object per line, with a key per language (en, ar)") from None
        if not isinstance(record, dict):
            raise ConceptError("not a JSON object", path, number, hint="one JSON object per line")
        entry = Entry(where=f"{path.name}:{number}")
        for lang in LANGUAGE_COLUMNS:
            value = record.get(lang)
            if isinstance(value, str) and value.strip():
                entry.terms[lang] = [" ".join(value.split())]
        # A glossary prescribes the translation: its target term is the preferred one ("en>ar").
        direction = record.get("direction")
        target = direction.split(">")[-1].strip() if isinstance(direction, str) and ">" in direction else None
        if target in entry.terms:
            entry.preferred[target] = entry.terms[target][0]
        description = record.get("description")
        if isinstance(description, str):
            entry.definition = " ".join(description.split())
        entries.append(entry)
    return entries


def _local(tag) -> str:
    return tag.split("}")[-1] if isinstance(tag, str) else ""


def _read_tbx(path: Path) -> list[Entry]:
    from lxml import etree

    try:
        tree = etree.parse(str(path), etree.XMLParser(resolve_entities=False, no_network=True))
    except etree.XMLSyntaxError as error:
        raise ConceptError(f"not well-formed XML: {error.msg}", path, error.lineno,
                           hint="check the file in an XML editor or export it again") from None
    except OSError as error:
        raise ConceptError(f"cannot read file: {error.strerror}", path) from None
    root = tree.getroot()
    if _local(root.tag) not in ("martif", "tbx", "TBX"):
        raise ConceptError(f"not a TBX file (root element <{_local(root.tag)}>)", path, root.sourceline,
                           hint="export TBX from your terminology tool")
    entries = []
    for element in root.iter():
        if _local(element.tag) not in ("termEntry", "conceptEntry", "entry"):
            continue
        entry = Entry(where=f"{path.name}:{element.sourceline}")
        for child in element.iter():
            name = _local(child.tag)
            if name == "descrip" and child.get("type") == "definition" and not entry.definition:
                entry.definition = " ".join("".join(child.itertext()).split())
            elif name == "definition" and not entry.definition:
                entry.definition = " ".join("".join(child.itertext()).split())
            if name not in ("langSet", "langSec", "langGroup"):
                continue
            lang = (child.get(_XML_LANG) or child.get("lang") or "").split("-")[0].split("_")[0].lower()
            for group in child:
                if _local(group.tag) not in ("tig", "ntig", "termSec", "termGroup"):
                    continue
                term = next((t for t in group.iter() if _local(t.tag) == "term"), None)
                text = " ".join("".join(term.itertext()).split()) if term is not None else ""
                if not text:
                    continue
                notes = {(n.get("type") or _local(n.tag)): (n.text or "").strip() for n in group.iter()
                         if _local(n.tag) in ("termNote", "termStatus", "partOfSpeech")}
                kind = notes.get("termType", "")
                status = notes.get("administrativeStatus", "") or notes.get("termStatus", "")
                if kind in ("abbreviation", "acronym", "shortForm"):
                    if text not in entry.abbreviations:
                        entry.abbreviations.append(text)
                    continue
                if lang not in LANGUAGE_COLUMNS:
                    continue
                entry.terms.setdefault(lang, [])
                if text not in entry.terms[lang]:
                    entry.terms[lang].append(text)
                if status in (PREFERRED, "preferred") and lang not in entry.preferred:
                    entry.preferred[lang] = text
        entries.append(entry)
    return entries


# --- Merging into a table ---------------------------------------------------------------------


def import_terms(source: Path, table_path: Path) -> ImportReport:
    """Merge the concepts of a TBX file or JSON Lines glossary into a concept table file."""
    entries = read_entries(source)
    try:
        text = table_path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as error:
        raise ConceptError(f"cannot read the concept table: {error}", table_path,
                           hint="pass the table with --table") from None
    table = parse_concepts(text, str(table_path))
    report = ImportReport(table_path, read=len(entries))
    rows = _Rows(text, table.concepts)
    for entry in entries:
        _merge_entry(entry, rows, report, source.name)
    new_text = rows.render()
    parse_concepts(new_text, str(table_path))  # what is written must read back
    if new_text != text:
        write_file(table_path, new_text.encode("utf-8"))
        report.written = True
    return report


@dataclass
class _Row:
    line: int | None  # None: a new row
    english: list[str]
    arabic: list[str]
    abbreviations: list[str]
    preferred: dict[str, str]
    definition: str
    changed: bool = False
    lay: list[str] = field(default_factory=list)

    def terms_in(self, lang: str) -> list[str]:
        return getattr(self, LANGUAGE_COLUMNS[lang])

    def cells(self, header: list[str]) -> list[str]:
        values = {"english": self.english, "arabic": self.arabic, "abbreviations": self.abbreviations}
        cells = [f" {SEPARATOR} ".join(values[name]) for name in COLUMNS]
        for name in header[len(COLUMNS):]:
            if name == "preferred":
                cells.append(f" {SEPARATOR} ".join(f"{lang}: {term}" for lang, term in self.preferred.items()))
            elif name == "definition":
                cells.append(self.definition)
            elif name == "lay":
                cells.append(f" {SEPARATOR} ".join(self.lay))
        while len(cells) > len(COLUMNS) and not cells[-1]:
            cells.pop()
        return cells


class _Rows:
    """The table's lines, its rows, and which row owns each analysed term."""

    def __init__(self, text: str, concepts: tuple[Concept, ...]):
        self.lines = text.splitlines()
        self.header_line = next(n for n, line in enumerate(self.lines, start=1)
                                if line.strip() and not line.lstrip().startswith("#"))
        self.header = [cell.strip().lower() for cell in next(csv.reader([self.lines[self.header_line - 1]]))]
        self.rows: list[_Row] = []
        self.owner: dict[tuple[str, ...], _Row] = {}
        self.sections: list[tuple[str, list[_Row]]] = []
        for concept in concepts:
            row = _Row(concept.line, list(concept.english), list(concept.arabic), list(concept.abbreviations),
                       dict(concept.preferred), concept.definition, lay=list(concept.lay))
            self.rows.append(row)
            for term in concept.terms:
                self.owner.setdefault(tuple(analyze(term)), row)

    def render(self) -> str:
        needed = set()
        for row in self.rows:
            if row.changed or row.line is None:
                if row.preferred:
                    needed.add("preferred")
                if row.definition:
                    needed.add("definition")
        header = self.header + [name for name in OPTIONAL_COLUMNS if name in needed and name not in self.header]
        lines = list(self.lines)
        if header != self.header:
            lines[self.header_line - 1] = _csv_line(header)
        for row in self.rows:
            if row.changed and row.line is not None:
                lines[row.line - 1] = _csv_line(row.cells(header))
        for title, rows in self.sections:
            lines.append("")
            lines.append(f"# --- {title} ---")
            lines += [_csv_line(row.cells(header)) for row in rows]
        return "\n".join(lines) + "\n"


def _same_term(a: str, b: str) -> bool:
    """Two spellings of one term: the same words up to case, inflection and Arabic clitics."""
    from .catalogue.terminology import same_word

    def words(term: str) -> list[str]:
        return [word for word in re.split(r"[\s\-‐–]+", term) if word and analyze(word)]

    first, second = words(a), words(b)
    return len(first) == len(second) and all(same_word(x, y, verbs=True) for x, y in zip(first, second))


def _csv_line(cells: list[str]) -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator="").writerow(cells)
    return out.getvalue()


_UNSAFE = re.compile(r"[|\n\r]")
_WITH_ABBREVIATION = re.compile(r"(.+?)\s*\(([A-Z][A-Za-z0-9-]*[A-Z0-9])\)")


def _merge_entry(entry: Entry, rows: _Rows, report: ImportReport, source_name: str) -> None:
    usable = _usable_terms(entry, report)
    owners = _owners(entry, usable, rows, report)
    if owners is None:
        return
    created = not owners
    if owners:
        row = next(iter(owners.values()))
    else:
        if len(usable) < 2:
            report.skipped.append(f"{entry.where}: fewer than two usable terms")
            return
        row = _Row(None, [], [], [], {}, "")
    new_terms = list({words: (column, term) for column, term, words in reversed(usable)
                      if words not in rows.owner}.items())[::-1]
    if created and len(new_terms) < 2:
        report.skipped.append(f"{entry.where}: fewer than two terms the table does not have already")
        return
    added = bool(new_terms)
    for words, (column, term) in new_terms:
        (row.abbreviations if column == "abbreviations" else row.terms_in(column)).append(term)
        rows.owner[words] = row
    # A row's preferred term is its first one unless it names another: an import decides it for
    # the rows it creates only (the first entry of a concept wins), never for the table's own.
    for lang, term in entry.preferred.items() if created else ():
        match = _WITH_ABBREVIATION.fullmatch(term)
        term = match.group(1).strip() if match else term
        if term in row.terms_in(lang) and term != row.terms_in(lang)[0]:
            row.preferred[lang] = term
    if entry.definition and not row.definition:
        row.definition = entry.definition
        added = True
    if created:
        rows.rows.append(row)
        if not rows.sections or rows.sections[-1][0] != f"Imported from {source_name}":
            rows.sections.append((f"Imported from {source_name}", []))
        rows.sections[-1][1].append(row)
        report.added += 1
    elif added:
        row.changed = row.line is not None
        report.merged += 1
    else:
        report.unchanged += 1


def _usable_terms(entry: Entry, report: ImportReport) -> list[tuple[str, str, tuple[str, ...]]]:
    """The entry's terms as (column, term, searched words), an abbreviation in brackets apart; a term
    the table cannot hold is named in the report and left out."""
    terms = []
    for lang in LANGUAGE_COLUMNS:
        for term in entry.terms.get(lang, []):
            # "متلازمة الضائقة التنفسية الحادة (ARDS)": the term, and its abbreviation apart.
            match = _WITH_ABBREVIATION.fullmatch(term)
            if match:
                terms.append((lang, match.group(1).strip()))
                terms.append(("abbreviations", match.group(2)))
            else:
                terms.append((lang, term))
    terms += [("abbreviations", t) for t in entry.abbreviations]
    usable = []
    for column, term in terms:
        words = tuple(analyze(term))
        if not words or _UNSAFE.search(term):
            report.skipped.append(f"{entry.where}: {term!r} has no searchable word or holds '|'")
            continue
        usable.append((column, term, words))
    return usable


def _owners(entry: Entry, usable, rows: _Rows, report: ImportReport) -> dict | None:
    """The rows of the table that already hold one of the terms (by id), or None, named in the
    report, when the entry cannot be merged: its terms are in several rows, or one only shares a
    stem with a row's term."""
    owners = {id(rows.owner[w]): rows.owner[w] for _, _, w in usable if w in rows.owner}
    if len(owners) > 1:
        lines = ", ".join(str(row.line or "new") for row in owners.values())
        report.skipped.append(f"{entry.where}: its terms belong to different rows of the table (lines {lines})")
        return None
    for column, term, words in usable:
        row = rows.owner.get(words)
        if row is not None and not any(_same_term(term, other) for other in row.english + row.arabic + row.abbreviations):
            # Only a stem in common ("contagiousness", "contagious"): another concept, not a synonym.
            report.skipped.append(f"{entry.where}: {term!r} is searched as a term of the row "
                                  f"{'at line ' + str(row.line) if row.line else 'imported before'} but is another word")
            return None
    return owners


# --- Writing TBX ------------------------------------------------------------------------------


def export_tbx(table_path: Path | None, out: Path, concepts: tuple[Concept, ...] | None = None) -> int:
    """Write a concept table as TBX-Basic (martif); returns how many concepts were written."""
    from lxml import etree

    if concepts is None:
        from .concepts import read_concepts

        concepts = read_concepts(table_path).concepts
    root = etree.Element("martif", {"type": "TBX-Basic", _XML_LANG: "en"})
    header = etree.SubElement(root, "martifHeader")
    description = etree.SubElement(etree.SubElement(header, "fileDesc"), "sourceDesc")
    etree.SubElement(description, "p").text = "medref-pipeline concept table"
    encoding = etree.SubElement(header, "encodingDesc")
    etree.SubElement(encoding, "p", type="XCSURI").text = "TBXBasicXCSV02.xcs"
    body = etree.SubElement(etree.SubElement(root, "text"), "body")
    for concept in concepts:
        entry = etree.SubElement(body, "termEntry", id=f"c{concept.line}")
        if concept.definition:
            etree.SubElement(entry, "descrip", type="definition").text = concept.definition
        for lang in LANGUAGE_COLUMNS:
            terms = concept.terms_in(lang)
            abbreviations = concept.abbreviations if lang == "en" else ()
            if not terms and not abbreviations:
                continue
            lang_set = etree.SubElement(entry, "langSet", {_XML_LANG: lang})
            preferred = concept.preferred_term(lang)
            for term in terms:
                tig = etree.SubElement(lang_set, "tig")
                etree.SubElement(tig, "term").text = term
                etree.SubElement(tig, "termNote", type="administrativeStatus").text = (
                    PREFERRED if term == preferred else ADMITTED)
            for term in abbreviations:
                tig = etree.SubElement(lang_set, "tig")
                etree.SubElement(tig, "term").text = term
                etree.SubElement(tig, "termNote", type="termType").text = "abbreviation"
    etree.indent(root, space="  ")
    write_file(out, etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True))
    return len(concepts)
