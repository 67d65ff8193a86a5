"""Merging a catalogue with its template without losing a translation (Babel's Catalog.update, and
what it leaves out: reviving obsolete translations, keeping unreviewed ones unreviewed)."""

from __future__ import annotations

from datetime import datetime

from babel import Locale
from babel.messages.catalog import Catalog, Message

from .fuzzy import MemoryView, Suggestions, from_memory, layout_of, suggest
from .pofile import HeaderKeepingCatalog

# Babel cannot write flags on obsolete entries; this translator comment keeps "not reviewed" instead.
FUZZY_NOTE = "fuzzy: this translation was never reviewed against its text"


def new_catalogue(template: Catalog, locale: str, now: datetime, memory: MemoryView | None = None) -> Catalog:
    """A catalogue of a template for a locale, with complete headers (plural forms from Babel),
    untranslated but for the memory's suggestions (fuzzy)."""
    name = Locale.parse(locale).english_name
    catalogue = HeaderKeepingCatalog(
        locale=locale, project=template.project, version=template.version,
        creation_date=template.creation_date, revision_date=now, language_team=name, fuzzy=False,
        header_comment=f"# {name} translations of one article (see Project-Id-Version).\n#")
    # Babel's constructor turns "" into placeholders ("FULL NAME <EMAIL@ADDRESS>"); the translator's
    # tool fills these in.
    catalogue.last_translator = catalogue.msgid_bugs_address = ""
    _update(catalogue, template)
    suggest(catalogue, template, None, memory)
    return catalogue


def merge(catalogue: Catalog, template: Catalog, memory: MemoryView | None = None) -> Suggestions:
    """Bring a catalogue in step with its template, in place, without losing a translation.

    Babel's Catalog.update does the merge (obsolete entries); around it, an obsolete translation
    comes back when its text does (translated again, or fuzzy if it was never reviewed), a new
    message gets a fuzzy suggestion from the catalogue's old translations or the memory
    (fuzzy.py), and a fuzzy message keeps the msgid its translation was written for.
    """
    layout = layout_of(catalogue)
    before = {_key(m): m for m in catalogue if m.id}
    _revive(catalogue, template)
    written_for = {_key(m): m.previous_id for m in catalogue if m.id and m.fuzzy and m.previous_id}
    was_obsolete = set(catalogue.obsolete)
    _update(catalogue, template)
    for message in catalogue:
        if not message.id or not message.fuzzy:
            continue
        if not message.previous_id:
            message.previous_id = list(written_for.get(_key(message), []))
        else:
            # Fuzzy-matched to an old message that was fuzzy itself: its translation was written
            # for that message's previous msgid, not for the message.
            old = before.get(_key_of(message.previous_id[0], None)) or before.get(
                _key_of(message.previous_id[0], message.context))
            if old is not None and old.fuzzy and old.previous_id:
                message.previous_id = list(old.previous_id)
    suggested = suggest(catalogue, template, layout, memory)
    _keep_unreviewed(catalogue, set(catalogue.obsolete) - was_obsolete)
    return suggested


def _key(message: Message):
    return _key_of(message.id, message.context)


def _key_of(msgid, context):
    msgid = msgid[0] if isinstance(msgid, (list, tuple)) else msgid
    return (msgid, context) if context is not None else msgid


def _update(catalogue: Catalog, template: Catalog) -> None:
    """Babel's Catalog.update, without its fuzzy matching: difflib over every pair of new and old
    messages, by spelling alone; fuzzy.py suggests instead, knowing where each message was."""
    catalogue.update(template, no_fuzzy_matching=True)


def _revive(catalogue: Catalog, template: Catalog) -> None:
    """Put back, before the merge, the translations written for messages the template has again."""
    fuzzy_for = {_key_of(m.previous_id[0], m.context): m for m in catalogue
                 if m.id and m.fuzzy and m.string and m.previous_id and not from_memory(m)}
    for message in template:
        if not message.id or catalogue.get(message.id, message.context) is not None:
            continue
        key = _key(message)
        old = catalogue.obsolete.pop(key, None)
        if old is not None:
            if FUZZY_NOTE in old.user_comments:
                old.user_comments = [c for c in old.user_comments if c != FUZZY_NOTE]
                old.flags.add("fuzzy")
            catalogue[old.id] = old
        elif key in fuzzy_for:
            # The text came back to what a still-unreviewed translation was written for.
            source = fuzzy_for[key]
            catalogue[message.id] = Message(message.id, source.string, context=message.context,
                                            user_comments=source.user_comments)


def _keep_unreviewed(catalogue: Catalog, gone: set) -> None:
    """Keep messages that just went obsolete from losing their fuzzy state.

    A fuzzy translation with a previous msgid was written for that msgid, so it is kept under it;
    any other fuzzy one is marked with FUZZY_NOTE, as Babel writes no flags on obsolete entries.
    """
    for key in sorted(gone, key=repr):
        message = catalogue.obsolete[key]
        if not message.fuzzy:
            continue
        # A memory suggestion's previous msgid is the memory's text, not what it was reviewed for.
        previous = message.previous_id[0] if (message.previous_id and isinstance(message.id, str)
                                              and not from_memory(message)) else None
        target = _key_of(previous, message.context) if previous else None
        if target is not None and catalogue.get(previous, message.context) is None \
                and target not in catalogue.obsolete:
            del catalogue.obsolete[key]
            message.id, message.previous_id = previous, []
            message.flags.discard("fuzzy")
            catalogue.obsolete[target] = message
            continue
        existing = catalogue.get(previous, message.context) if previous else None
        if existing is not None and existing.string == message.string:
            del catalogue.obsolete[key]  # the same translation lives on in the active message
        elif FUZZY_NOTE not in message.user_comments:
            message.user_comments = [*message.user_comments, FUZZY_NOTE]
