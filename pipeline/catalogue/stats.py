"""`pipeline catalog stats`: how far each locale's translation has got, in messages and source words.

A message is translated when its translation is not empty and not fuzzy, fuzzy when it has the
fuzzy flag (readers see the source text), untranslated otherwise; obsolete messages (`#~`) are
counted apart and are not part of the percentages. Source words are the whitespace-separated
words of each msgid.

A catalogue whose article is gone (it has no template, `locales/templates/<article>.pot`) is an
orphan: it is listed apart and left out of the totals, so a deleted or renamed article's
translations do not count as work done.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from babel.messages.catalog import Catalog, Message

from ..errors import CatalogError
from .folder import catalogue_files, template_path
from .pofile import read_catalogue

STATES = ("translated", "fuzzy", "untranslated", "obsolete")


@dataclass(frozen=True)
class Counts:
    """Messages (or source words) in each state; `total` counts the active ones (not obsolete)."""

    translated: int = 0
    fuzzy: int = 0
    untranslated: int = 0
    obsolete: int = 0

    @property
    def total(self) -> int:
        """Active messages (or words): translated + fuzzy + untranslated."""
        return self.translated + self.fuzzy + self.untranslated

    def percent(self, state: str) -> float:
        """The share of the active total in a state, in percent to one decimal (0.0 when empty)."""
        return round(100 * getattr(self, state) / self.total, 1) if self.total else 0.0

    def __add__(self, other: Counts) -> Counts:
        return Counts(*(getattr(self, s) + getattr(other, s) for s in STATES))

    def as_json(self) -> dict:
        """Counts and percentages, as `catalog stats --json` prints them."""
        out = {state: getattr(self, state) for state in STATES}
        out["total"] = self.total
        out.update({f"{state}_percent": self.percent(state) for state in STATES[:3]})
        return out


@dataclass(frozen=True)
class CatalogueStats:
    """The figures of one catalogue: locale, article id, file, messages and words per state, and
    whether it is an orphan (its article is gone)."""

    locale: str
    article: str
    path: Path
    messages: Counts
    words: Counts
    orphan: bool = False


@dataclass
class StatsReport:
    """Figures per catalogue (sorted by locale and article), and errors for unreadable catalogues.

    Totals count the catalogues of existing articles only; orphans() lists the others.
    """

    catalogues: list[CatalogueStats] = field(default_factory=list)
    errors: list[CatalogError] = field(default_factory=list)

    def locales(self) -> dict[str, tuple[Counts, Counts]]:
        """(messages, words) summed over each locale's catalogues."""
        totals: dict[str, tuple[Counts, Counts]] = {}
        for item in self.current():
            messages, words = totals.get(item.locale, (Counts(), Counts()))
            totals[item.locale] = (messages + item.messages, words + item.words)
        return totals

    def total(self) -> tuple[Counts, Counts]:
        """(messages, words) summed over every catalogue."""
        messages, words = Counts(), Counts()
        for item in self.current():
            messages, words = messages + item.messages, words + item.words
        return messages, words

    def current(self) -> list[CatalogueStats]:
        """The catalogues of articles that exist."""
        return [item for item in self.catalogues if not item.orphan]

    def orphans(self) -> list[CatalogueStats]:
        """The catalogues whose article is gone."""
        return [item for item in self.catalogues if item.orphan]

    def as_json(self) -> dict:
        """The report as `catalog stats --json` prints it."""
        locales = {}
        for locale, (messages, words) in self.locales().items():
            articles = {item.article: {"path": item.path.as_posix(), "messages": item.messages.as_json(),
                                       "words": item.words.as_json()}
                        for item in self.current() if item.locale == locale}
            locales[locale] = {"articles": articles, "total": {"messages": messages.as_json(),
                                                               "words": words.as_json()}}
        messages, words = self.total()
        orphans = [{"locale": item.locale, "article": item.article, "path": item.path.as_posix(),
                    "messages": item.messages.as_json(), "words": item.words.as_json()} for item in self.orphans()]
        return {"locales": locales, "total": {"messages": messages.as_json(), "words": words.as_json()},
                "orphans": orphans, "errors": [str(error) for error in self.errors]}


def stats(locales_dir: Path, locale: str | None = None) -> StatsReport:
    """Count the messages and source words of every catalogue (of one locale, or of all)."""
    report = StatsReport()
    for item in catalogue_files(locales_dir, locale):
        try:
            catalogue = read_catalogue(item.path)
        except CatalogError as error:
            report.errors.append(error)
            continue
        messages, words = count(catalogue)
        orphan = not template_path(locales_dir, item.article_id).is_file()
        report.catalogues.append(CatalogueStats(item.locale, item.article_id, item.path, messages, words, orphan))
    return report


def count(catalogue: Catalog) -> tuple[Counts, Counts]:
    """(messages, source words) of one catalogue in each state."""
    messages = {state: 0 for state in STATES}
    words = {state: 0 for state in STATES}
    for message in catalogue:
        if message.id:
            state = state_of(message)
            messages[state] += 1
            words[state] += _words(message)
    for message in catalogue.obsolete.values():
        messages["obsolete"] += 1
        words["obsolete"] += _words(message)
    return Counts(**messages), Counts(**words)


def state_of(message: Message) -> str:
    """`translated`, `fuzzy` or `untranslated`."""
    strings = message.string if isinstance(message.string, (list, tuple)) else (message.string,)
    if message.fuzzy:
        return "fuzzy"
    return "translated" if strings and all(strings) else "untranslated"


def _words(message: Message) -> int:
    msgid = message.id[0] if isinstance(message.id, (list, tuple)) else message.id
    return len(msgid.split())
