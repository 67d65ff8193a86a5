"""The translation memory: every reviewed translation of the project, and the memories imported as TMX.

The memory is made, when a run needs it, from

- every catalogue under `locales/<locale>/LC_MESSAGES/`: each message that is translated and not
  fuzzy (obsolete entries and fuzzy ones are left out: only reviewed work is offered again);
- every TMX file under `locales/memory/` (put there by `pipeline catalog memory import`).

It serves the merge (fuzzy.py): exact and near matches for messages a catalogue gains, and the
catalogue of a renamed or moved article (an orphan catalogue that holds most of its messages).
Every translation it gives is fuzzy, with a translator comment naming where it came from (see
fuzzy.py for why an exact match is not counted as reviewed).
"""

from __future__ import annotations

import hashlib
import logging
import os
import pickle
import re
import stat
import time
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import CatalogError
from ..files import Stats, cache_folder, settled, write_file
from ..locale_tags import language, underscored

log = logging.getLogger(__name__)

MEMORY_DIR = "memory"
TMX_VERSION = "1.4"
CREATION_TOOL = "medref-pipeline"


@dataclass(frozen=True)
class Entry:
    """One translation in the memory.

    source: the source text (a msgid, whitespace collapsed).
    target: its translation.
    locale: the locale of the translation (`ar`, `pt_BR`).
    origin: where it comes from: an article id (a catalogue) or a TMX file name.
    source_language: the language of the source text when known (TMX), else "".
    imported: whether it comes from an imported TMX file rather than a catalogue of the project.
    """

    source: str
    target: str
    locale: str
    origin: str
    source_language: str = ""
    imported: bool = False


@dataclass(frozen=True)
class OrphanCatalogue:
    """A catalogue whose article is gone: what a renamed or moved article may take its translations from.

    locale, article_id, path: where it is. msgids: its active messages' msgids.
    """

    locale: str
    article_id: str
    path: Path
    msgids: frozenset[str]


class TranslationMemory:
    """Translations indexed for exact lookups and for near ones (by word prefixes), per language."""

    def __init__(self, entries: Iterable[Entry] = (), orphans: Iterable[OrphanCatalogue] = ()):
        self.entries: tuple[Entry, ...] = tuple(entries)
        self.orphans: tuple[OrphanCatalogue, ...] = tuple(orphans)
        self._exact: dict[tuple[str, str], list[Entry]] = defaultdict(list)
        for entry in self.entries:
            self._exact[(language(entry.locale), entry.source)].append(entry)
        self._near: dict[str, tuple[list[Entry], NearIndex]] = {}

    def __len__(self) -> int:
        return len(self.entries)

    def exact(self, text: str, locale: str, source_language: str = "") -> list[Entry]:
        """The entries whose source is text, for locale's language, best first (see _rank)."""
        found = [entry for entry in self._exact.get((language(locale), text), ())
                 if _same_source_language(entry, source_language)]
        return _rank(found, locale)

    def near(self, text: str, locale: str, limit: int, source_language: str = "") -> list[Entry]:
        """Up to limit entries that share the most rare word prefixes with text (not scored yet)."""
        lang = language(locale)
        if lang not in self._near:
            entries = [e for e in self.entries if language(e.locale) == lang]
            self._near[lang] = (entries, NearIndex(e.source for e in entries))
        entries, index = self._near[lang]
        found = [entries[number] for number in index.candidates(text, limit)]
        return [entry for entry in found if _same_source_language(entry, source_language)]

    def renamed_from(self, locale: str, msgids: Iterable[str]) -> OrphanCatalogue | None:
        """The orphan catalogue of locale an article with these msgids was most likely renamed from.

        It must hold at least half of the article's messages, and the article at least half of
        its own: a new article that merely quotes a paragraph of a deleted one is not a rename
        (it gets those paragraphs as memory matches instead).
        """
        wanted = frozenset(msgids)
        best, best_shared = None, 0
        for orphan in self.orphans:
            if orphan.locale != locale or not orphan.msgids:
                continue
            shared = len(wanted & orphan.msgids)
            if shared * 2 >= len(wanted) and shared * 2 >= len(orphan.msgids) and shared > best_shared:
                best, best_shared = orphan, shared
        return best


def _same_source_language(entry: Entry, source_language: str) -> bool:
    return not entry.source_language or not source_language or language(entry.source_language) == language(source_language)


def _rank(entries: list[Entry], locale: str) -> list[Entry]:
    """Entries best first: the translation given most often, the project's own before imported
    ones, the exact locale before another of its language, then by origin (so the choice is stable)."""
    votes = Counter(entry.target for entry in entries)
    return sorted(entries, key=lambda e: (-votes[e.target], e.imported, underscored(e.locale) != underscored(locale),
                                          e.origin, e.target))


# --- Near-match candidates --------------------------------------------------------------------

_WORD = re.compile(r"\w{3,}")
# Candidates looked at per word: a word this common says little about which entry is close.
_POSTINGS = 128


def retrieval_keys(text: str) -> list[str]:
    """The words of a text cut to their first five letters (an Arabic article or conjunction
    dropped first): cheap keys under which inflected forms of a word meet."""
    keys = []
    for word in _WORD.findall(text.casefold()):
        if word[0] in _PREFIX_LETTERS:
            for prefix in _PREFIXES:
                if word.startswith(prefix) and len(word) > len(prefix) + 2:
                    word = word[len(prefix):]
                    break
        keys.append(word[:5])
    return keys


_PREFIXES = ("وال", "بال", "فال", "كال", "لل", "ال")
_PREFIX_LETTERS = frozenset(prefix[0] for prefix in _PREFIXES)


class NearIndex:
    """Texts under their retrieval keys, to find the few that may be close to a text without
    comparing it with all of them."""

    def __init__(self, texts: Iterable[str]):
        self.postings: dict[str, list[int]] = defaultdict(list)
        seen: set[str] = set()
        # A text repeated (a page's "Back to top." in every section) is indexed once, under its first number.
        for number, text in enumerate(texts):
            if text in seen:
                continue
            seen.add(text)
            for key in set(retrieval_keys(text)):
                self.postings[key].append(number)

    def candidates(self, text: str, limit: int) -> list[int]:
        """The numbers of up to limit distinct texts sharing the most of text's rarest keys, best first."""
        postings = self.postings
        rarest = sorted([(len(postings[key]) if key in postings else 0, key) for key in set(retrieval_keys(text))])[:6]
        shared: Counter[int] = Counter()
        for size, key in rarest:
            if size:
                shared.update(postings[key][:_POSTINGS])
        return [number for _, number in sorted([(-count, number) for number, count in shared.items()])[:limit]]


# --- Building the memory ----------------------------------------------------------------------


def load_memory(locales_dir: Path, article_ids: set[str] | None = None) -> TranslationMemory:
    """The memory of a locales folder: its catalogues' reviewed translations and its TMX files.

    article_ids: the articles that exist; the catalogues of any other article are orphans (None:
    no orphans are looked for).
    """
    from .folder import catalogue_files

    entries: list[Entry] = []
    orphans: list[OrphanCatalogue] = []
    cache = _ScanCache(locales_dir)
    for item in catalogue_files(locales_dir):
        scanned = cache.scan(item.path)
        if scanned is None:
            continue  # unreadable: `catalog check` names it
        pairs, msgids = scanned
        entries += [Entry(source, target, item.locale, item.article_id) for source, target in pairs]
        if article_ids is not None and item.article_id not in article_ids:
            orphans.append(OrphanCatalogue(item.locale, item.article_id, item.path, msgids))
    cache.save()
    for path in memory_files(locales_dir):
        try:
            entries += read_tmx(path)
        except CatalogError as error:
            log.warning("%s; its translations are left out of the memory", error)
    log.debug("translation memory: %d entries, %d orphan catalogues", len(entries), len(orphans))
    return TranslationMemory(entries, orphans)


def memory_files(locales_dir: Path) -> list[Path]:
    """The imported TMX files of a locales folder, sorted."""
    folder = locales_dir / MEMORY_DIR
    return sorted(folder.glob("*.tmx")) if folder.is_dir() else []


def reviewed_pairs(catalogue) -> list[tuple[str, str]]:
    """(msgid, msgstr) of every reviewed, complete, singular translation of a catalogue."""
    pairs = []
    for message in catalogue:
        if (message.id and isinstance(message.id, str) and isinstance(message.string, str)
                and message.string and not message.fuzzy):
            pairs.append((message.id, message.string))
    return pairs


class _ScanCache:
    """What each catalogue contributes to the memory, kept in the user's cache folder by the hash
    of its bytes: reading a catalogue with Babel takes milliseconds, hashing it microseconds. A
    file whose size, times and inode are those of its last scan is not even read (as git's index
    does), unless it changed so shortly before that scan that a second change could share its times.
    """

    def __init__(self, locales_dir: Path):
        digest = hashlib.sha256(str(locales_dir.resolve()).encode("utf-8")).hexdigest()[:16]
        self.path = cache_folder() / f"memory-{digest}.pickle"
        self.changed = False
        try:
            loaded = pickle.loads(self.path.read_bytes())
            self.known: dict[str, tuple] = loaded["scans"]
            self.files: dict[str, tuple] = loaded["files"]
        except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError, IndexError,
                KeyError, TypeError, ValueError):
            self.known, self.files = {}, {}
        self.seen: dict[str, tuple] = {}
        self.seen_files: dict[str, tuple] = {}
        self.started = time.time_ns()

    def scan(self, path: Path) -> tuple[list[tuple[str, str]], frozenset[str]] | None:
        from .pofile import parse_catalogue, read_regular_file

        signature = _signature(path)
        last = self.files.get(str(path))
        if signature is not None and last is not None and last[0] == signature and last[1] in self.known:
            key = last[1]  # unchanged since its last scan: not even read
        else:
            try:
                # Never through a link nor from a FIFO (which would wait forever): see read_regular_file.
                data = read_regular_file(path)
            except CatalogError:
                return None
            key = hashlib.sha256(data).hexdigest()
            if key not in self.seen and key not in self.known:  # nor a copy of one read before
                try:
                    catalogue = parse_catalogue(data, path)
                except CatalogError:
                    return None
                msgids = frozenset(m.id if isinstance(m.id, str) else m.id[0] for m in catalogue if m.id)
                self.seen[key] = (reviewed_pairs(catalogue), msgids)
                self.changed = True
        found = self.seen[key] = self.seen.get(key) or self.known[key]
        if signature is not None and settled([signature], self.started):
            self.seen_files[str(path)] = (signature, key)
        return found

    def save(self) -> None:
        # Only what this scan saw is kept: the cache never outgrows the folder it describes.
        if not self.changed and self.seen.keys() == self.known.keys() and self.seen_files == self.files:
            return
        try:
            write_file(self.path, pickle.dumps({"scans": self.seen, "files": self.seen_files},
                                               protocol=pickle.HIGHEST_PROTOCOL), durable=False)
        except OSError:
            pass


def _signature(path: Path) -> Stats | None:
    """A regular file's file_stats (never through a link); None for anything else."""
    try:
        info = os.lstat(path)
    except OSError:
        return None
    if not stat.S_ISREG(info.st_mode):
        return None
    return str(path), info.st_size, info.st_mtime_ns, info.st_ctime_ns, info.st_ino


# --- TMX --------------------------------------------------------------------------------------

_XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
# Inline elements whose content is native code (markup of the tool that wrote it), not text.
_CODE_ELEMENTS = frozenset({"bpt", "ept", "ph", "it", "ut"})


def _segment_text(seg) -> str:
    """The text of a TMX <seg>: its characters and those of <hi>, without native codes."""
    parts = [seg.text or ""]
    for child in seg:
        tag = child.tag if isinstance(child.tag, str) else ""
        if tag not in _CODE_ELEMENTS and tag != "sub":
            parts.append(_segment_text(child))
        parts.append(child.tail or "")
    return "".join(parts)


def _collapse(text: str) -> str:
    return " ".join(text.split())


@dataclass
class TmxReport:
    """What a TMX import did.

    path: the file written under `locales/memory/`. units: <tu> read. pairs: translations kept
    (one per target language of a unit). skipped: units with no source or no target text.
    languages: target languages kept, with their pair counts.
    """

    path: Path
    units: int = 0
    pairs: int = 0
    skipped: int = 0
    languages: dict[str, int] = field(default_factory=dict)


def read_tmx(path: Path, source_language: str = "", origin: str | None = None) -> list[Entry]:
    """The translation pairs of a TMX file (source -> each other language of each unit)."""
    entries, _, _ = _parse_tmx(path, source_language, origin)
    return entries


def _parse_tmx(path: Path, source_language: str, origin: str | None) -> tuple[list[Entry], int, int]:
    from lxml import etree

    origin = origin or path.name
    entries: list[Entry] = []
    units = skipped = 0
    srclang = source_language
    try:
        # huge_tree off and no entity resolution: a TMX file is data from elsewhere.
        parser_events = etree.iterparse(str(path), events=("start", "end"), resolve_entities=False,
                                        no_network=True, huge_tree=False)
        for event, element in parser_events:
            tag = element.tag if isinstance(element.tag, str) else ""
            if event == "start" and tag == "tmx":
                version = element.get("version", "")
                if not version.startswith("1."):
                    raise CatalogError(f"not a TMX 1.x file (version {version!r})", path, element.sourceline,
                                       hint="export TMX 1.4 from your tool")
            elif event == "end" and tag == "header":
                declared = element.get("srclang", "")
                if not srclang and declared and declared != "*all*":
                    srclang = declared
            elif event == "end" and tag == "tu":
                units += 1
                texts: dict[str, str] = {}
                for tuv in element.iter("tuv"):
                    lang = tuv.get(_XML_LANG) or tuv.get("lang") or ""
                    seg = tuv.find("seg")
                    if lang and seg is not None:
                        texts.setdefault(lang, _collapse(_segment_text(seg)))
                source_key = next((lang for lang in texts if srclang and language(lang) == language(srclang)), None)
                source = texts.get(source_key, "") if source_key else ""
                targets = [(lang, text) for lang, text in texts.items() if lang != source_key and text]
                if not source or not targets:
                    skipped += 1
                else:
                    entries += [Entry(source, text, underscored(lang), origin, underscored(srclang), True)
                                for lang, text in targets]
                element.clear(keep_tail=False)
    except etree.XMLSyntaxError as error:
        raise CatalogError(f"not well-formed XML: {error.msg}", path, error.lineno,
                           hint="check the file in an XML editor or export it again") from None
    except OSError as error:
        raise CatalogError(f"cannot read file: {error.strerror}", path) from None
    if not srclang and units:
        raise CatalogError("the TMX header names no source language (srclang)", path, 1,
                           hint="pass --source-lang")
    return entries, units, skipped


def import_tmx(path: Path, locales_dir: Path, source_language: str = "", name: str | None = None) -> TmxReport:
    """Copy a TMX file's translation pairs into the project's memory (`locales/memory/<name>.tmx`).

    The pairs are written again as a plain TMX 1.4 file (text only, duplicates dropped), so the
    memory holds what the pipeline understood of the file; importing under the same name again
    replaces it.
    """
    entries, units, skipped = _parse_tmx(path, source_language, None)
    target = locales_dir / MEMORY_DIR / f"{name or path.stem}.tmx"
    unique = list(dict.fromkeys((e.source, e.target, e.locale, e.source_language) for e in entries))
    report = TmxReport(target, units=units, pairs=len(unique), skipped=skipped)
    report.languages = dict(sorted(Counter(locale for _, _, locale, _ in unique).items()))
    srclang = unique[0][3] if unique else (source_language or "en")
    units_out = [(source, [(locale, text)], None) for source, text, locale, _ in unique]
    write_file(target, tmx_bytes(units_out, srclang))
    return report


def tmx_bytes(units: list[tuple[str, list[tuple[str, str]], str | None]], source_language: str) -> bytes:
    """A TMX 1.4 document: one <tu> per (source, [(locale, target)...], note).

    No creation date: the same memory gives the same bytes (quiet diffs in git).
    """
    from lxml import etree

    srclang = _xml_lang(source_language)
    root = etree.Element("tmx", version=TMX_VERSION)
    etree.SubElement(root, "header", {
        "creationtool": CREATION_TOOL, "creationtoolversion": "1", "segtype": "paragraph",
        "o-tmf": "gettext PO", "adminlang": "en", "srclang": srclang, "datatype": "plaintext"})
    body = etree.SubElement(root, "body")
    for source, targets, note in units:
        tu = etree.SubElement(body, "tu")
        if note:
            etree.SubElement(tu, "note").text = note
        tuv = etree.SubElement(tu, "tuv", {_XML_LANG: srclang})
        etree.SubElement(tuv, "seg").text = source
        for locale, text in targets:
            tuv = etree.SubElement(tu, "tuv", {_XML_LANG: _xml_lang(locale)})
            etree.SubElement(tuv, "seg").text = text
    etree.indent(root, space="  ")
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def _xml_lang(locale: str) -> str:
    """A locale as an xml:lang (BCP 47) tag: pt_BR -> pt-BR."""
    return locale.replace("_", "-")


@dataclass
class TmxExport:
    """What a TMX export wrote: units (source texts), pairs (translations), locales."""

    units: int = 0
    pairs: int = 0
    locales: list[str] = field(default_factory=list)


def export_tmx(locales_dir: Path, out: Path, locale: str | None = None, source_language: str = "en",
               include_imported: bool = False) -> TmxExport:
    """Write the project's reviewed translations (of one locale, or all) as a TMX 1.4 file.

    One unit per source text, with every distinct translation of it; the articles it comes
    from go in the unit's note. Imported memories are left out unless include_imported.
    """
    memory = load_memory(locales_dir)
    grouped: dict[str, dict[tuple[str, str], list[str]]] = defaultdict(lambda: defaultdict(list))
    for entry in memory.entries:
        if entry.imported and not include_imported:
            continue
        if locale is not None and underscored(entry.locale) != underscored(locale):
            continue
        if language(entry.locale) == language(source_language):
            continue
        grouped[entry.source][(entry.locale, entry.target)].append(entry.origin)
    units = []
    for source in sorted(grouped):
        targets = sorted(grouped[source])
        origins = sorted({origin for pair in targets for origin in grouped[source][pair]})
        units.append((source, targets, "from: " + ", ".join(origins)))
    write_file(out, tmx_bytes(units, source_language))
    locales = sorted({loc for pairs in grouped.values() for loc, _ in pairs})
    return TmxExport(len(units), sum(len(t) for _, t, _ in units), locales)
