"""`pipeline catalog todo`: what waits for a translator in a locale, in an order a lead can act on.

Fuzzy messages come first: each holds a translation that needs a review, not a new one (and a
memory match that is exact, the quickest of all, comes before the others). Untranslated
messages follow. Within each kind, the catalogues closest to done come first (fewest words
waiting), so that every hour of work completes whole articles readers then get in their
language; inside a catalogue, messages go in file order.

With demand counts (demand.py: searches in the locale whose best hits were shown untranslated),
the messages of the sections readers looked for come first, most wanted first; the rest follow
in the order above.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import CatalogError
from ..locale_tags import parse_locale
from .folder import catalogue_files, template_path
from .fuzzy import MEMORY_NOTE
from .pofile import read_catalogue
from .stats import state_of


@dataclass(frozen=True)
class Waiting:
    """One message waiting for a translator.

    path, line: where it is (the msgid's line). state: `fuzzy` or `untranslated`.
    words: the source words to translate or review. msgid: the source text.
    article, section: what it belongs to (section: its `#.` comment). demand: how many searches
    in the locale showed its section untranslated among the best hits. exact_memory: a fuzzy
    exact match from the memory (a review of a translation made for the same text elsewhere).
    """

    path: Path
    line: int
    state: str
    words: int
    msgid: str
    article: str
    section: str | None
    demand: int = 0
    exact_memory: bool = False

    def as_json(self) -> dict:
        """The message as one item of `catalog todo --json`."""
        return {"path": self.path.as_posix(), "line": self.line, "state": self.state, "words": self.words,
                "article": self.article, "section": self.section, "demand": self.demand,
                "exact_memory": self.exact_memory, "msgid": self.msgid}


@dataclass
class TodoReport:
    """The waiting messages in order, and the catalogues that could not be read."""

    locale: str
    items: list[Waiting] = field(default_factory=list)
    errors: list[CatalogError] = field(default_factory=list)

    def totals(self) -> dict[str, tuple[int, int]]:
        """state -> (messages, words)."""
        found: dict[str, tuple[int, int]] = {}
        for item in self.items:
            messages, words = found.get(item.state, (0, 0))
            found[item.state] = (messages + 1, words + item.words)
        return found

    def as_json(self) -> dict:
        """The report as `catalog todo --json` prints it."""
        totals = {state: {"messages": m, "words": w} for state, (m, w) in self.totals().items()}
        return {"locale": self.locale, "totals": totals, "items": [item.as_json() for item in self.items],
                "errors": [str(error) for error in self.errors]}


_STATES = {"fuzzy": 0, "untranslated": 1}


def todo(locales_dir: Path, locale: str, demand: dict[tuple[str, str], int] | None = None) -> TodoReport:
    """The messages of locale's catalogues that wait for a translator, in the order to do them.

    demand: (article, section) -> count (see demand.section_demand); None for the plain order.
    Orphan catalogues (their article is gone) are left out: nobody reads them.
    """
    locale = parse_locale(locale)
    report = TodoReport(locale)
    demand = demand or {}
    items: list[Waiting] = []
    for item in catalogue_files(locales_dir, locale):
        if not template_path(locales_dir, item.article_id).is_file():
            continue
        try:
            catalogue = read_catalogue(item.path)
        except CatalogError as error:
            report.errors.append(error)
            continue
        for message in catalogue:
            if not message.id:
                continue
            state = state_of(message)
            if state == "translated":
                continue
            msgid = message.id[0] if isinstance(message.id, (list, tuple)) else message.id
            section = message.auto_comments[0] if message.auto_comments else None
            exact = state == "fuzzy" and any(c.startswith(f"{MEMORY_NOTE} exact match") for c in message.user_comments)
            items.append(Waiting(item.path, message.lineno or 1, state, len(msgid.split()), msgid, item.article_id,
                                 section, demand.get((item.article_id, section), 0), exact))
    waiting_words: dict[tuple[str, Path], int] = defaultdict(int)
    for item in items:
        waiting_words[(item.state, item.path)] += item.words
    report.items = sorted(items, key=lambda i: (
        -i.demand, _STATES[i.state], not i.exact_memory, waiting_words[(i.state, i.path)], i.path.as_posix(), i.line))
    return report
