"""The locales folder: every article's template and catalogues, kept in step with the sources.

    locales/templates/<article>.pot              made from the source; never edited by hand
    locales/<locale>/LC_MESSAGES/<article>.po    the translators' files
    locales/<locale>/LC_MESSAGES/<article>.mo    build output of `pipeline catalog compile`

A file is only written when what it says changes, so an unchanged article leaves every file
byte-for-byte as it was, whatever tool last wrote it.
"""

from __future__ import annotations

import hashlib
import logging
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timezone
from io import BytesIO
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo

from ..config import Config
from ..errors import CatalogError, PipelineError
from ..files import FileChangedError, remove_stale_temporaries, write_file
from ..locale_tags import normalize_locale, parse_locale
from ..model import Article
from ..sources import discover, load_article
from .fuzzy import MemoryView
from .memory import TranslationMemory, load_memory
from .merge import check_msgids, merge, new_catalogue
from .messages import build_template
from .pofile import (
    CharsetError,
    content,
    convert_to_utf8,
    keep_layout,
    parse_catalogue,
    read_catalogue,
    read_regular_file,
    render,
)

log = logging.getLogger(__name__)

TEMPLATES_DIR = "templates"
MESSAGES_DIR = "LC_MESSAGES"


def template_path(locales_dir: Path, article_id: str) -> Path:
    """Where an article's template lives: `locales/templates/<article>.pot`."""
    return locales_dir / TEMPLATES_DIR / f"{article_id}.pot"


def catalogue_path(locales_dir: Path, locale: str, article_id: str) -> Path:
    """Where an article's catalogue for a locale lives: `locales/<locale>/LC_MESSAGES/<article>.po`."""
    return locales_dir / locale / MESSAGES_DIR / f"{article_id}.po"


@dataclass(frozen=True)
class CatalogueFile:
    """A PO file under the locales folder.

    locale: the locale folder it is in; article_id: its path under LC_MESSAGES without `.po`.
    """

    locale: str
    article_id: str
    path: Path


@dataclass(frozen=True)
class ArticleCatalogues:
    """An article's template and catalogues after they were brought in step with its source.

    catalogues: (locale, catalogue) for every locale whose catalogue could be read, in locale order.
    files: every file the article's state depends on, with the bytes now on disk (None: no file);
        the input of fingerprint().
    created, updated: files written (with write=False: that would be written).
    errors: one error per catalogue that could not be read; such a file is left as it is.
    broken: the locales of those catalogues.
    carried: (new catalogue, orphan catalogue) for each catalogue made from the orphan catalogue
        of the article this one was renamed or moved from.
    """

    article_id: str
    catalogues: tuple[tuple[str, Catalog], ...]
    files: tuple[tuple[Path, bytes | None], ...]
    created: tuple[Path, ...] = ()
    updated: tuple[Path, ...] = ()
    errors: tuple[CatalogError, ...] = ()
    broken: tuple[str, ...] = ()
    carried: tuple[tuple[Path, Path], ...] = ()


def utc_now() -> datetime:
    """The current time in UTC, to the minute (the precision of PO dates)."""
    return datetime.now(timezone.utc).replace(second=0, microsecond=0)


def catalogue_locales(locales_dir: Path) -> list[str]:
    """The locales that have a folder of catalogues (`locales/<locale>/LC_MESSAGES`), sorted.

    A locale folder that is a link is named in a warning and skipped: catalogues are not read
    through links, as sources are not.
    """
    if not locales_dir.is_dir():
        return []
    found = []
    for folder in sorted(locales_dir.iterdir()):
        messages = folder / MESSAGES_DIR
        if folder.name == TEMPLATES_DIR or not messages.is_dir():
            continue
        if folder.is_symlink() or messages.is_symlink():
            log.warning("%s: a link; catalogues are not read through links, so it is skipped",
                        folder if folder.is_symlink() else messages)
            continue
        if normalize_locale(folder.name) != folder.name:
            log.warning("%s: not a locale folder name Babel knows; its catalogues are skipped", folder)
            continue
        found.append(folder.name)
    return found


def catalogue_files(locales_dir: Path, locale: str | None = None) -> list[CatalogueFile]:
    """Every PO file of every locale (or of one: `ar-EG` and `ar_EG` alike), sorted by locale then article.

    A PO file that is a link is listed (reading it says what is wrong); a linked folder is skipped
    with a warning.
    """
    locales = catalogue_locales(locales_dir)
    if locale is not None:
        wanted = normalize_locale(locale)
        if wanted is None or wanted not in locales:
            raise CatalogError(f"no catalogues for locale {locale!r} under {locales_dir}",
                               hint=f"start it with `pipeline catalog init {locale}`")
        locales = [wanted]
    files = []
    for name in locales:
        folder = locales_dir / name / MESSAGES_DIR
        for root, folders, names in os.walk(folder):
            for linked in sorted(d for d in folders if os.path.islink(os.path.join(root, d))):
                log.warning("%s: a link; catalogues are not read through links, so it is skipped",
                            Path(root, linked))
            folders.sort()
            # An article id is the path under the folder, in forward slashes, without ".po":
            # taken from strings, as a site has thousands of catalogues per locale.
            under = os.path.relpath(root, folder).replace(os.sep, "/")
            prefix = "" if under == "." else under + "/"
            for file_name in names:
                if file_name.endswith(".po") and file_name != ".po":
                    files.append(CatalogueFile(name, prefix + file_name[:-3], Path(root, file_name)))
    return sorted(files, key=lambda item: (item.locale, item.path))


def article_files(locales_dir: Path, article_id: str, locales: list[str]) -> dict[Path, bytes | None]:
    """The bytes of an article's template and catalogues as they are on disk (None: no file)."""
    paths = [template_path(locales_dir, article_id)]
    paths += [catalogue_path(locales_dir, locale, article_id) for locale in locales]
    return {path: _read_or_marker(path) for path in paths}


def fingerprint(source: bytes, files: Mapping[Path, bytes | None], locales_dir: Path) -> str:
    """A hash of a source and of its catalogues (files under locales_dir): any edit to either changes it.

    Files are named relative to locales_dir, so that the same folder spelt another way
    (`locales`, `./locales`, an absolute path) gives the same hash.
    """
    digest = hashlib.sha256(hashlib.sha256(source).digest())
    for path in sorted(files):
        data = files[path]
        digest.update(path.relative_to(locales_dir).as_posix().encode("utf-8") + b"\0")
        digest.update(hashlib.sha256(data).digest() if data is not None else b"-")
    return digest.hexdigest()


def sync_article(article: Article, locales_dir: Path, locales: list[str], now: datetime,
                 write: bool = True, memory: TranslationMemory | None = None) -> ArticleCatalogues:
    """Bring an article's template and its catalogue in every locale in step with its source.

    A new template or catalogue is created; a catalogue that exists is merged with the template.
    Only files whose content changes are written. A catalogue that cannot be read (broken, a
    link, not a regular file, unreadable), or that a translator saves again while it is merged
    too often in a row, is reported in `errors` and not touched. The article's own locale gets
    no catalogue.

    memory: the translation memory that suggests translations for new messages, and whose
    orphan catalogues a new catalogue starts from when the article was renamed or moved.
    """
    sync = _Sync(locales_dir, now, write, memory, article.locale)
    template = sync.template(article)
    catalogues: list[tuple[str, Catalog]] = []
    for locale in locales:
        path = catalogue_path(locales_dir, locale, article.id)
        if locale == article.locale:
            sync.files[path] = _read_or_marker(path)
            continue
        catalogue = sync.catalogue(path, locale, template, sync.known)
        if catalogue is not None:
            catalogues.append((locale, catalogue))
    return ArticleCatalogues(article.id, tuple(catalogues), tuple(sorted(sync.files.items())),
                             tuple(sync.created), tuple(sync.updated), tuple(sync.errors), tuple(sync.broken),
                             tuple(sync.carried))


# A translator's save that lands while a catalogue is merged makes the merge start again from it,
# this many times at most.
MERGE_ATTEMPTS = 3


class _Sync:
    """The files of one article being brought in step (see sync_article)."""

    def __init__(self, locales_dir: Path, now: datetime, write: bool, memory: TranslationMemory | None,
                 source_locale: str):
        self.locales_dir, self.now, self.write = locales_dir, now, write
        self.memory, self.source_locale = memory, source_locale
        self.carried: list[tuple[Path, Path]] = []
        self.files: dict[Path, bytes | None] = {}
        self.created: list[Path] = []
        self.updated: list[Path] = []
        self.errors: list[CatalogError] = []
        self.broken: list[str] = []
        self.known: set = set()  # the msgids of the template, and of the one it replaces
        self.known_date: datetime | str | None = None  # the POT-Creation-Date of the template it replaces

    def store(self, path: Path, old: bytes | None, new: bytes) -> None:
        """Write a file that changed; raises FileChangedError if it is no longer what was read."""
        if self.write:
            write_file(path, new, expected=old)
            log.info("%s: %s", path, "updated" if old is not None else "created")
        (self.updated if old is not None else self.created).append(path)
        self.files[path] = new

    def template(self, article: Article) -> Catalog:
        path = template_path(self.locales_dir, article.id)
        try:
            old_bytes = read_optional(path)
        except CatalogError as error:  # a link or not a regular file: named, never replaced
            self.errors.append(error)
            self.files[path] = b""
            return build_template(article, self.now)
        old_template = _parse_or_none(old_bytes, path)
        # Built with the old creation date, an unchanged template has exactly the old one's content.
        template = build_template(article, old_template.creation_date if old_template else self.now)
        self.known = {_msgid(m) for m in template if m.id}
        if old_template is not None:
            keep_layout(template, old_template)
            self.known |= {_msgid(m) for m in old_template if m.id}
            self.known_date = old_template.creation_date
        if old_template is None or content(template) != content(old_template):
            template = build_template(article, self.now)
            if old_template is not None:
                keep_layout(template, old_template)
            try:
                self.store(path, old_bytes, render(template))
            except FileChangedError as error:
                self.errors.append(error)
                self.files[path] = b""
        else:
            self.files[path] = old_bytes
        return template

    def catalogue(self, path: Path, locale: str, template: Catalog, known: set) -> Catalog | None:
        """A locale's catalogue created or merged (and written if it changed); None if it is broken."""
        for _ in range(MERGE_ATTEMPTS):
            try:
                return self._catalogue_once(path, locale, template, known)
            except FileChangedError as error:
                log.info("%s; merging it again", error)
            except CatalogError as error:
                self._broken(path, locale, error)
                return None
        self._broken(path, locale, CatalogError(
            f"was saved again each of {MERGE_ATTEMPTS} times it was merged; left as saved", path,
            hint="run the command again once the translator's tool has saved it"))
        return None

    def _catalogue_once(self, path: Path, locale: str, template: Catalog, known: set) -> Catalog:
        old_bytes = read_optional(path)
        view = MemoryView(self.memory, locale, self.source_locale) if self.memory is not None else None
        if old_bytes is None:
            renamed = _renamed_catalogue(template, locale, self.memory, view)
            if renamed is None:
                catalogue = new_catalogue(template, locale, self.now, view)
            else:
                catalogue, orphan = renamed
                self.carried.append((path, orphan))
                log.info("%s: translations carried over from %s (the article was renamed or moved)",
                         path, orphan)
            self.store(path, None, _render_in_a_charset_it_fits(catalogue, path))
            return catalogue
        catalogue = parse_catalogue(old_bytes, path)
        check_msgids(catalogue, known, path, in_step=catalogue.creation_date == self.known_date)
        before = content(catalogue)
        merge(catalogue, template, view)
        if content(catalogue) == before:
            self.files[path] = old_bytes
        else:
            self.store(path, old_bytes, _render_in_a_charset_it_fits(catalogue, path))
        return catalogue

    def _broken(self, path: Path, locale: str, error: CatalogError) -> None:
        self.errors.append(error)
        self.broken.append(locale)
        self.files[path] = _read_or_marker(path)


def _renamed_catalogue(template: Catalog, locale: str, memory: TranslationMemory | None,
                       view: MemoryView | None) -> tuple[Catalog, Path] | None:
    """The catalogue of the article this one was renamed or moved from, merged with its template
    (its reviewed translations stay reviewed, its fuzzy ones fuzzy), or None when there is none."""
    if memory is None:
        return None
    orphan = memory.renamed_from(locale, (m.id if isinstance(m.id, str) else m.id[0] for m in template if m.id))
    if orphan is None:
        return None
    try:
        catalogue = read_catalogue(orphan.path)
    except CatalogError as error:
        log.warning("%s; not used for the renamed article", error)
        return None
    catalogue.version = template.version  # Project-Id-Version names the article
    merge(catalogue, template, view)
    return catalogue, orphan.path


def _render_in_a_charset_it_fits(catalogue: Catalog, path: Path) -> bytes:
    """The catalogue's bytes; one whose declared charset (ISO-8859-1, ASCII...) cannot hold its new
    text is converted to UTF-8, saying so, rather than written with escapes msgfmt rejects."""
    try:
        return render(catalogue)
    except CharsetError as error:
        convert_to_utf8(catalogue)
        log.warning("%s: converted from %s to UTF-8: %s cannot hold “%s” of the new text",
                    path, error.charset, error.charset, error.char)
        return render(catalogue)


def _msgid(message) -> str:
    return message.id[0] if isinstance(message.id, (list, tuple)) else message.id


def orphan_templates(locales_dir: Path, article_ids: set[str]) -> list[Path]:
    """Templates whose source article is gone."""
    folder = locales_dir / TEMPLATES_DIR
    orphans = []
    for root, _, names in os.walk(folder):
        relative = os.path.relpath(root, folder).replace(os.sep, "/")
        for name in names:
            if name.endswith(".pot") and len(name) > 4:
                article_id = name[:-4] if relative == "." else f"{relative}/{name[:-4]}"
                if article_id not in article_ids:
                    orphans.append(Path(root, name))
    return sorted(orphans)


def orphan_catalogues(locales_dir: Path, article_ids: set[str], locale: str | None = None) -> list[CatalogueFile]:
    """Catalogues whose article is gone (no source has their article id), sorted."""
    return [item for item in catalogue_files(locales_dir, locale) if item.article_id not in article_ids]


def remove_templates(locales_dir: Path, paths: list[Path]) -> None:
    """Delete templates (made from sources that are gone) and the folders they leave empty.

    Catalogues are never deleted: a translator's work stays, and comes back if the article does.
    """
    top = locales_dir / TEMPLATES_DIR
    for path in paths:
        path.unlink(missing_ok=True)
        log.info("%s: removed (its source is gone)", path)
        folder = path.parent
        while folder != top and folder.is_dir() and not any(folder.iterdir()):
            folder.rmdir()
            folder = folder.parent


@dataclass
class UpdateReport:
    """What `pipeline catalog update` (or init) did, or with check=True would do.

    created / updated: templates and catalogues written; removed: templates whose source is gone.
    unchanged: how many files were already in step. errors: sources or catalogues that could not be read.
    orphans: catalogues whose article is gone (kept: `pipeline catalog prune` removes them).
    carried: (new catalogue, orphan) for each catalogue started from a renamed article's orphan.
    """

    created: list[Path] = field(default_factory=list)
    updated: list[Path] = field(default_factory=list)
    removed: list[Path] = field(default_factory=list)
    unchanged: int = 0
    errors: list[PipelineError] = field(default_factory=list)
    orphans: list[Path] = field(default_factory=list)
    carried: list[tuple[Path, Path]] = field(default_factory=list)

    @property
    def stale(self) -> list[Path]:
        """Every file that is (or was) out of step, sorted."""
        return sorted(self.created + self.updated + self.removed)

    def changes(self) -> list[tuple[str, Path]]:
        """(`created` | `updated` | `removed`, path) for every file out of step, sorted by path."""
        actions = [("created", self.created), ("updated", self.updated), ("removed", self.removed)]
        return sorted(((action, path) for action, paths in actions for path in paths), key=lambda c: c[1])


def update(config: Config, now: datetime | None = None, check: bool = False) -> UpdateReport:
    """Bring every template and catalogue in step with the sources; with check, write nothing."""
    now = now or utc_now()
    report = UpdateReport()
    if not check:
        for path in remove_stale_temporaries(config.locales):
            log.info("%s: removed, left by a write that never finished", path)
    locales = catalogue_locales(config.locales)
    sources = discover(config.sources)
    article_ids = {source.article_id for source in sources}
    memory = load_memory(config.locales, article_ids) if locales else None
    for source in sources:
        try:
            article = load_article(source, config.sources, max_bytes=config.max_bytes)
        except PipelineError as error:
            report.errors.append(error)
            continue
        synced = sync_article(article, config.locales, locales, now, write=not check, memory=memory)
        report.carried += synced.carried
        report.created += synced.created
        report.updated += synced.updated
        report.errors += synced.errors
        present = sum(1 for _, data in synced.files if data is not None)
        report.unchanged += present - len(synced.created) - len(synced.updated) - len(synced.errors)
    report.removed = orphan_templates(config.locales, article_ids)
    report.orphans = [item.path for item in orphan_catalogues(config.locales, article_ids)]
    if not check:
        remove_templates(config.locales, report.removed)
    return report


def init_locale(config: Config, tag: str, now: datetime | None = None) -> tuple[str, UpdateReport, int]:
    """Start a locale: a catalogue for every article (templates are brought in step on the way).

    Returns the locale as the project writes it (`ar-EG` -> `ar_EG`), what was done, and how many
    catalogues the locale already had (0 for a locale not started before).
    """
    locale = parse_locale(tag)
    folder = config.locales / locale / MESSAGES_DIR
    started = len(catalogue_files(config.locales, locale)) if folder.is_dir() else 0
    folder.mkdir(parents=True, exist_ok=True)
    return locale, update(config, now), started


@dataclass
class CompileReport:
    """What `pipeline catalog compile` wrote: one .mo per readable catalogue; errors for the others."""

    compiled: list[Path] = field(default_factory=list)
    errors: list[PipelineError] = field(default_factory=list)


def compile_catalogues(config: Config, use_fuzzy: bool = False, locale: str | None = None) -> CompileReport:
    """Write a .mo file beside every catalogue; fuzzy translations are left out unless use_fuzzy."""
    report = CompileReport()
    for item in catalogue_files(config.locales, locale):
        try:
            catalogue = read_catalogue(item.path)
        except CatalogError as error:
            report.errors.append(error)
            continue
        out = BytesIO()
        write_mo(out, catalogue, use_fuzzy=use_fuzzy)
        target = item.path.with_suffix(".mo")
        write_file(target, out.getvalue())
        report.compiled.append(target)
    return report


def read_optional(path: Path) -> bytes | None:
    """A template's or catalogue's bytes, None when there is no such file; a CatalogError when it
    is a link, not a regular file, or cannot be read (see pofile.read_regular_file)."""
    if not os.path.lexists(path):
        return None
    try:
        return read_regular_file(path)
    except CatalogError:
        if not os.path.lexists(path):
            return None
        raise


# Stands for a file that cannot be read in an article's state: it matches no earlier state, so the
# article is looked at again (and the problem reported) on every run until it is fixed.
UNREADABLE = b"\0unreadable"


def _read_or_marker(path: Path) -> bytes | None:
    try:
        return read_optional(path)
    except CatalogError:
        return UNREADABLE


def _parse_or_none(data: bytes | None, path: Path) -> Catalog | None:
    """A template as read, or None when there is none or it is broken (it is remade from the source)."""
    if data is None:
        return None
    try:
        return parse_catalogue(data, path)
    except CatalogError as error:
        log.warning("%s; remaking it from the source", error)
        return None
