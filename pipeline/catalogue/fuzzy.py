"""Suggestions for the messages a catalogue gains: its own old translations, then the memory's.

Babel's and msgmerge's fuzzy matching compare a new message with every old one by spelling
alone, so a heading gets the translation of a look-alike elsewhere ("Is fluoroscopy safe?" got
that of "What is fluoroscopy used for?", "Prognosis" that of "Diagnosis"), and the work grows
with the product of the two counts. Here, for each new message that has no translation:

1. an exact match: an old translation of the same text (under another msgctxt) in this
   catalogue, else the translation memory's (memory.py);
2. else a near match, scored by similarity plus what the pipeline knows: a message that left the
   article in this edit, from the same place (between the same unchanged neighbours) or the same
   section, is preferred to a look-alike elsewhere. Short messages must be nearly identical:
   one and two words differ in meaning by a letter or two.

Every suggestion is fuzzy. An exact match from another article stays fuzzy too: a sentence
reviewed in one article is not reviewed in another ("It is taken twice a day" takes the gender
of what "it" is in Arabic), so a reviewer confirms it in its new place. A memory suggestion
carries a translator comment `memory: ...` saying where it came from; its `#|` previous msgid is
the memory's source text, which the translation was never reviewed against in this catalogue,
and merge.py does not treat it as such.

The work is bounded: at most PER_MESSAGE candidates are compared with a message (found through
word-prefix keys, not by comparing with every old message), and at most BUDGET comparisons are
made in one merge; past it, new messages get exact matches only.
"""

from __future__ import annotations

import logging
from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field

from babel.messages.catalog import Catalog, Message
from rapidfuzz.fuzz import ratio

from .memory import Entry, NearIndex, TranslationMemory
from .pofile import previous_context, set_previous_context

log = logging.getLogger(__name__)

# The translator comment a memory suggestion carries (and what merge.py recognises it by).
MEMORY_NOTE = "memory:"
# Similarity a near match needs, by the message's length in words (Babel and msgmerge use 0.6).
SHORT, MEDIUM = 2, 5
THRESHOLD_SHORT, THRESHOLD_MEDIUM, THRESHOLD_LONG = 0.9, 0.75, 0.6
# A message that left from the very same place is the same paragraph rewritten: a lower bar.
THRESHOLD_SAME_PLACE = 0.5
# Added to the similarity when ranking candidates.
BONUS_SAME_PLACE, BONUS_SAME_SECTION, BONUS_JUST_GONE, BONUS_OWN = 0.25, 0.05, 0.1, 0.05
# Bounds on the work (see the module docstring; figures in the translators' guide).
PER_MESSAGE = 32
SAME_PLACE_CANDIDATES = 8
BUDGET = 50_000


@dataclass(frozen=True)
class Layout:
    """A catalogue's active messages before a merge, in order.

    keys: their keys (msgid, or (msgid, msgctxt)); positions: key -> index in that order;
    sections: key -> the section (`#.` comment) the message was in.
    """

    keys: tuple
    positions: dict
    sections: dict


def layout_of(catalogue: Catalog) -> Layout:
    """The order and sections of a catalogue's active messages (taken before it is merged)."""
    keys = tuple(_key(m.id, m.context) for m in catalogue if m.id)
    sections = {_key(m.id, m.context): (m.auto_comments[0] if m.auto_comments else None)
                for m in catalogue if m.id}
    return Layout(keys, {key: number for number, key in enumerate(keys)}, sections)


@dataclass(frozen=True)
class MemoryView:
    """The memory as one catalogue uses it: its locale and its article's source language."""

    memory: TranslationMemory
    locale: str
    source_language: str = ""

    def exact(self, text: str) -> list[Entry]:
        return self.memory.exact(text, self.locale, self.source_language)

    def near(self, text: str, limit: int) -> list[Entry]:
        return self.memory.near(text, self.locale, limit, self.source_language)


@dataclass
class Suggestions:
    """What suggest() did: messages given an exact or a near match (own: from the catalogue's own
    old translations), and whether the budget ran out."""

    exact: int = 0
    near: int = 0
    own: int = 0
    comparisons: int = 0
    exhausted: bool = False
    origins: list[str] = field(default_factory=list)


@dataclass
class _Candidate:
    text: str
    string: str
    reviewed: bool
    previous: list
    comments: list
    key: object = None          # for the catalogue's own obsolete entries
    context: str | None = None  # the msgctxt its translation was written for (`#| msgctxt`)
    just_gone: bool = False
    position: int | None = None
    section: str | None = None
    entry: Entry | None = None  # for the memory's
    others: int = 0             # how many other translations of the text the memory has


@dataclass(frozen=True)
class _Gone:
    """The messages that left the catalogue in this merge, by their old position."""

    candidates: tuple[_Candidate, ...] = ()
    positions: tuple[int, ...] = ()


def from_memory(message: Message) -> bool:
    """Whether a message's translation is a memory suggestion (its `#|` is not what it was reviewed for)."""
    return any(comment.startswith(MEMORY_NOTE) for comment in message.user_comments)


def unreviewed(message: Message) -> bool:
    """Whether an old message's translation was never reviewed against its msgid."""
    return message.fuzzy or any(comment.startswith("fuzzy:") for comment in message.user_comments)


def suggest(catalogue: Catalog, template: Catalog, layout: Layout | None,
            memory: MemoryView | None) -> Suggestions:
    """Give each untranslated message the template brought in the best suggestion, as fuzzy.

    layout: the catalogue's messages before the merge (None for a new catalogue). Messages that
    were already in the catalogue untranslated are left alone (`pipeline catalog pretranslate`
    is the deliberate way to fill those).
    """
    done = Suggestions()
    order = [m for m in template if m.id]
    old = layout or Layout((), {}, {})
    targets = []
    for number, message in enumerate(order):
        key = _key(message.id, message.context)
        current = catalogue.get(message.id, message.context)
        if (current is None or current.string or not isinstance(current.id, str) or key in old.positions):
            continue
        targets.append((number, current, message.auto_comments[0] if message.auto_comments else None))
    if not targets:
        return done
    own = _own_candidates(catalogue, old)
    by_text: dict[str, list[_Candidate]] = {}
    for candidate in own:
        by_text.setdefault(candidate.text, []).append(candidate)
    own_index = NearIndex(c.text for c in own) if own else None
    just_gone = sorted((c for c in own if c.just_gone), key=lambda c: c.position)
    gone = _Gone(tuple(just_gone), tuple(c.position for c in just_gone))
    gaps = _gaps(order, old)
    for number, message, section in targets:
        exact = _exact(message.id, by_text, memory)
        if exact is not None:
            _apply(catalogue, message, exact, None, done)
            continue
        if done.comparisons >= BUDGET:
            done.exhausted = True
            continue
        best = _near(message.id, section, gaps[number], own, own_index, memory, done, gone)
        if best is not None:
            _apply(catalogue, message, best[1], best[0], done)
    if done.exhausted:
        log.info("fuzzy matching stopped after %d comparisons; later new messages got exact matches only",
                 done.comparisons)
    return done


def pretranslate(catalogue: Catalog, memory: MemoryView) -> Suggestions:
    """Give every untranslated message of a catalogue the memory's best suggestion, as fuzzy."""
    done = Suggestions()
    for message in catalogue:
        if not message.id or message.string or not isinstance(message.id, str):
            continue
        exact = _exact(message.id, {}, memory)
        if exact is not None:
            _apply(catalogue, message, exact, None, done)
        elif done.comparisons < BUDGET:
            best = _near(message.id, None, (0, 0, 0), [], None, memory, done)
            if best is not None:
                _apply(catalogue, message, best[1], best[0], done)
        else:
            done.exhausted = True
    return done


def _key(msgid, context):
    msgid = msgid[0] if isinstance(msgid, (list, tuple)) else msgid
    return (msgid, context) if context is not None else msgid


def _own_candidates(catalogue: Catalog, old: Layout) -> list[_Candidate]:
    """The catalogue's obsolete translations (those that just left first), as candidates."""
    found = []
    for key, message in catalogue.obsolete.items():
        if not isinstance(message.id, str) or not isinstance(message.string, str) or not message.string:
            continue
        position = old.positions.get(key)
        section = old.sections.get(key) if position is not None else (
            message.auto_comments[0] if message.auto_comments else None)
        reviewed = not unreviewed(message)
        context = message.context if reviewed else (previous_context(message) or message.context)
        found.append(_Candidate(message.id, message.string, reviewed,
                                list(message.previous_id or []), list(message.user_comments), key, context,
                                position is not None, position, section))
    return found


def _gaps(order: list[Message], old: Layout) -> list[tuple[int, int, int]]:
    """For each template message: (old position before, old position after, where it would be):
    the old messages strictly between the unchanged neighbours around it are at its place."""
    anchors = [old.positions.get(_key(m.id, m.context)) for m in order]
    before, last = [], (-1, -1)  # (old position, template index) of the last anchor
    for number, anchor in enumerate(anchors):
        before.append(last)
        if anchor is not None:
            last = (anchor, number)
    after, following = [0] * len(order), len(old.keys)
    for number in range(len(order) - 1, -1, -1):
        after[number] = following
        if anchors[number] is not None:
            following = anchors[number]
    return [(b[0], a, b[0] + (number - b[1])) for number, (b, a) in enumerate(zip(before, after))]


def _exact(text: str, by_text: dict[str, list[_Candidate]], memory: MemoryView | None) -> _Candidate | None:
    """An old translation of exactly this text: the catalogue's own (a context changed) first."""
    own = by_text.get(text)
    if own:
        return sorted(own, key=lambda c: (not c.just_gone, not c.reviewed, c.position or 0))[0]
    if memory is not None:
        entries = memory.exact(text)
        if entries:
            return _from_entry(entries[0], len({e.target for e in entries}) - 1)
    return None


def _from_entry(entry: Entry, others: int = 0) -> _Candidate:
    return _Candidate(entry.source, entry.target, False, [], [], entry=entry, others=others)


def _threshold(words: int, same_place: bool) -> float:
    if words <= SHORT:
        return THRESHOLD_SHORT
    base = THRESHOLD_MEDIUM if words <= MEDIUM else THRESHOLD_LONG
    return min(base, THRESHOLD_SAME_PLACE) if same_place else base


def _near(text: str, section: str | None, gap: tuple[int, int, int], own: list[_Candidate],
          own_index: NearIndex | None, memory: MemoryView | None, done: Suggestions,
          gone: _Gone = _Gone()) -> tuple[float, _Candidate] | None:
    """The best near match for text, or None; counts its comparisons in done."""
    words = len(text.split())
    folded = text.casefold()
    pool: dict[int, _Candidate] = {}
    place: set[int] = set()
    for candidate in _at_place(gone, gap):
        pool[id(candidate)] = candidate
        place.add(id(candidate))
    if own_index is not None:
        for number in own_index.candidates(text, PER_MESSAGE):
            pool.setdefault(id(own[number]), own[number])
    if memory is not None:
        cutoff = _threshold(words, False)  # never at the same place
        for entry in memory.near(text, PER_MESSAGE):
            if _lengths_allow(len(text), len(entry.source), cutoff):  # others could not reach it
                candidate = _from_entry(entry)
                pool.setdefault(id(candidate), candidate)
    best: tuple[float, float, _Candidate] | None = None
    measured: dict[tuple[str, float], float] = {}  # repeated texts (a page's "Back to top.") once
    for ident, candidate in pool.items():
        same_place = ident in place
        cutoff = _threshold(words, same_place)
        if not _lengths_allow(len(text), len(candidate.text), cutoff):
            continue
        similarity = measured.get((candidate.text, cutoff))
        if similarity is None:
            done.comparisons += 1
            similarity = measured[(candidate.text, cutoff)] = ratio(
                folded, candidate.text.casefold(), score_cutoff=cutoff * 100) / 100
        if not similarity:
            continue
        score = similarity
        if candidate.entry is None:
            score += BONUS_OWN + (BONUS_JUST_GONE if candidate.just_gone else 0)
            if same_place:
                score += BONUS_SAME_PLACE
            elif section is not None and candidate.section == section:
                score += BONUS_SAME_SECTION
        if best is None or score > best[0] or (score == best[0] and _order(candidate) < _order(best[2])):
            best = (score, similarity, candidate)
    return (best[1], best[2]) if best is not None else None


def _at_place(gone: _Gone, gap: tuple[int, int, int]) -> list[_Candidate]:
    """The messages that left from between the same unchanged neighbours, nearest the expected
    position first."""
    low, high, expected = gap
    if low >= high or not gone.candidates:
        return []
    positions = gone.positions
    start, stop = bisect_right(positions, low), bisect_left(positions, high)
    middle = min(max(bisect_left(positions, expected), start), stop)
    left, right, found = middle - 1, middle, []
    while len(found) < SAME_PLACE_CANDIDATES and (left >= start or right < stop):
        if right < stop and (left < start or positions[right] - expected <= expected - positions[left]):
            found.append(gone.candidates[right])
            right += 1
        else:
            found.append(gone.candidates[left])
            left -= 1
    return found


def _order(candidate: _Candidate) -> tuple:
    """A stable tie-break between equally good candidates."""
    if candidate.entry is not None:
        return (1, candidate.entry.imported, candidate.entry.origin, candidate.text, candidate.string)
    return (0, candidate.position if candidate.position is not None else 1 << 30, candidate.text)


def _lengths_allow(a: int, b: int, cutoff: float) -> bool:
    """Whether two texts of these lengths can reach the similarity cutoff at all (2m/(a+b) <= 2min/(a+b))."""
    return a + b > 0 and 2 * min(a, b) / (a + b) >= cutoff


def _apply(catalogue: Catalog, message: Message, candidate: _Candidate, similarity: float | None,
           done: Suggestions) -> None:
    """Put a candidate's translation on a message, as fuzzy, saying where it came from."""
    message.string = candidate.string
    message.flags.add("fuzzy")
    if candidate.entry is None:
        done.own += 1
        # A reviewed translation was written for its msgid; an unreviewed one for its own
        # previous msgid, if it had one (never for the text it was matched by).
        message.previous_id = [candidate.text] if candidate.reviewed else list(candidate.previous)
        # As msgmerge writes it, `#| msgctxt` when the translation was written under another context.
        set_previous_context(message, candidate.context)
        message.user_comments = list(dict.fromkeys([*message.user_comments, *candidate.comments]))
        if candidate.key in catalogue.obsolete:
            del catalogue.obsolete[candidate.key]  # its translation lives on in this message
        if similarity is None:
            done.exact += 1
        else:
            done.near += 1
        return
    entry, others = candidate.entry, candidate.others
    if similarity is None:
        note = f"{MEMORY_NOTE} exact match from {entry.origin}"
        message.previous_id = []
        done.exact += 1
    else:
        note = f"{MEMORY_NOTE} {int(similarity * 100)}% match from {entry.origin}"
        message.previous_id = [entry.source]
        done.near += 1
    if others:
        note += f" (the memory has {others} other translation{'s' if others > 1 else ''} of this text)"
    message.user_comments = [c for c in message.user_comments if not c.startswith(MEMORY_NOTE)] + [note]
    done.origins.append(entry.origin)
