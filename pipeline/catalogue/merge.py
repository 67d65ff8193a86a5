"""Merging a catalogue with its template without losing a translation (Babel's Catalog.update), and
what it leaves out: reviving obsolete translations, suggesting translations for new messages
(fuzzy.py), and keeping an unreviewed translation unreviewed in every state a file can be in.

An unreviewed translation is one with the fuzzy flag, live or obsolete, in the standard form GNU
msgmerge, Poedit and Weblate write (`#, fuzzy`, with the msgid it was written for as `#|` or `#~|`).
No merge, revival or re-save clears the flag: only a translator does, by reviewing it.
"""

from __future__ import annotations

import unicodedata
from datetime import datetime

from babel import Locale
from babel.messages.catalog import Catalog, Message

from ..errors import CatalogError
from .fuzzy import MemoryView, Suggestions, from_memory, layout_of, suggest
from .plurals import plural_forms
from .pofile import GNU_HEADER_ORDER, HeaderKeepingCatalog, message_key, previous_context, set_previous_context


def new_catalogue(template: Catalog, locale: str, now: datetime, memory: MemoryView | None = None) -> Catalog:
    """A catalogue of a template for a locale, untranslated but for the memory's suggestions
    (fuzzy), with complete headers in GNU gettext's order and the Plural-Forms GNU gettext, Poedit
    and Weblate write for the language."""
    name = Locale.parse(locale).english_name
    catalogue = HeaderKeepingCatalog(
        locale=locale, project=template.project, version=template.version,
        creation_date=template.creation_date, revision_date=now, language_team=name, fuzzy=False,
        header_comment=f"# {name} translations of one article (see Project-Id-Version).\n#")
    # Babel's constructor turns "" into placeholders ("FULL NAME <EMAIL@ADDRESS>"); the translator's
    # tool fills these in.
    catalogue.last_translator = catalogue.msgid_bugs_address = ""
    fields = {name.lower(): (name, value) for name, value in catalogue.mime_headers}
    fields["plural-forms"] = ("Plural-Forms", plural_forms(locale))
    catalogue.mime_headers = [fields[key] for key in GNU_HEADER_ORDER if key in fields]
    _update(catalogue, template)
    suggest(catalogue, template, None, memory)
    return catalogue


def merge(catalogue: Catalog, template: Catalog, memory: MemoryView | None = None) -> Suggestions:
    """Bring a catalogue in step with its template, in place, without losing a translation.

    Babel's Catalog.update does the merge (obsolete entries); around it, an obsolete translation
    comes back when its text does, in the state it had (reviewed, or fuzzy), a fuzzy translation
    comes back as fuzzy when the text it was written for does, a new message gets a fuzzy
    suggestion from the catalogue's old translations or the memory (fuzzy.py), and a fuzzy message
    keeps the msgid (and msgctxt) its translation was written for.
    """
    layout = layout_of(catalogue)
    _revive(catalogue, template)
    written_for = {message_key(m.id, m.context): (list(m.previous_id), previous_context(m))
                   for m in catalogue if m.id and m.fuzzy and m.previous_id}
    was_obsolete = set(catalogue.obsolete)
    _update(catalogue, template)
    for message in catalogue:
        if message.id and message.fuzzy and not message.previous_id:
            # Babel's update makes a message anew from the template and forgets its previous msgid.
            previous, context = written_for.get(message_key(message.id, message.context), ([], None))
            message.previous_id = list(previous)
            set_previous_context(message, context)
    suggested = suggest(catalogue, template, layout, memory)
    _drop_repeated_obsolete(catalogue, set(catalogue.obsolete) - was_obsolete)
    return suggested


def _update(catalogue: Catalog, template: Catalog) -> None:
    """Babel's Catalog.update, without its fuzzy matching: difflib over every pair of new and old
    messages, by spelling alone; fuzzy.py suggests instead, knowing where each message was."""
    catalogue.update(template, no_fuzzy_matching=True)
    # Babel's update puts the template's own Message of each new message into the catalogue; filled
    # in there (a suggestion), it would be filled in the template too, and so in the next locale's
    # catalogue merged with it (an Arabic suggestion in French). Each gets a copy of its own.
    shared = {id(message) for message in template}
    if any(id(message) in shared for message in catalogue):
        messages = [message for message in catalogue if message.id]
        for message in messages:
            catalogue.delete(message.id, message.context)
        for message in messages:
            catalogue[message.id] = message.clone() if id(message) in shared else message
    # Babel's Message adds python-format to any text that looks like a format string ("5% of") each
    # time it copies one; as msgmerge does, a message's format flags are the template's.
    for message in catalogue:
        if "python-format" in message.flags:
            source = template.get(message.id, message.context)
            if source is not None and "python-format" not in source.flags:
                message.flags.discard("python-format")


def _revive(catalogue: Catalog, template: Catalog) -> None:
    """Put back, before the merge, the translations written for messages the template has again.

    An obsolete translation of the message comes back as it was (reviewed, or fuzzy); else an
    unreviewed translation written for the message's text (a fuzzy one whose `#|` previous msgid
    is that text, live or obsolete) comes back fuzzy: it was never reviewed in its present form.
    A memory suggestion's previous msgid is the memory's text, not one it was written for here.
    """
    written_for: dict = {}
    for key, message in [*[(None, m) for m in catalogue if m.id], *catalogue.obsolete.items()]:
        if message.fuzzy and message.string and message.previous_id and not from_memory(message):
            target = message_key(message.previous_id[0], previous_context(message) or message.context)
            written_for.setdefault(target, (key, message))
    for message in template:
        if not message.id or catalogue.get(message.id, message.context) is not None:
            continue
        key = message_key(message.id, message.context)
        old = catalogue.obsolete.pop(key, None)
        if old is not None:
            catalogue[old.id] = old
        elif key in written_for:
            obsolete_key, source = written_for[key]
            if obsolete_key is not None:
                catalogue.obsolete.pop(obsolete_key, None)
            revived = Message(message.id, source.string, context=message.context,
                              user_comments=source.user_comments, previous_id=list(source.previous_id))
            revived.flags = {"fuzzy"}
            set_previous_context(revived, previous_context(source) or source.context)
            catalogue[message.id] = revived


def _drop_repeated_obsolete(catalogue: Catalog, gone: set) -> None:
    """Drop a fuzzy translation that just went obsolete when it lives on, unchanged, in the message
    it was written for (a reverted edit): the same unreviewed text is not kept twice."""
    for key in gone:
        message = catalogue.obsolete.get(key)
        if message is None or not (message.fuzzy and message.previous_id) or from_memory(message):
            continue
        existing = catalogue.get(message.previous_id[0], previous_context(message) or message.context)
        if existing is not None and existing.fuzzy and existing.string == message.string:
            del catalogue.obsolete[key]


def check_msgids(catalogue: Catalog, known: set, path, in_step: bool) -> None:
    """Refuse a catalogue whose msgid was edited in place (a translation typed on the msgid line,
    a text-editor slip): merged, its translation would silently go obsolete under the wrong text.

    known: the msgids of the article's template and of the one it replaces. in_step: the
    catalogue was last merged with that template (its POT-Creation-Date says so), so each of its
    msgids should be known. A msgid no template had is taken for a slip when the catalogue was in
    step, or when it is written in a script the source's texts never use.
    """
    unknown = [m for m in catalogue if m.id and _first(m.id) not in known] if known else []
    scripts = None
    for message in unknown:
        if not in_step:
            scripts = scripts if scripts is not None else _scripts(known)
            if _scripts([_first(message.id)]) <= scripts:
                continue
        text = _first(message.id)
        short = text if len(text) <= 40 else text[:39] + "…"
        raise CatalogError(f"msgid “{short}” is not a text of the source article: was the translation "
                           "typed on the msgid line?", path, message.lineno,
                           hint="put the source text back on the msgid line and the translation on the "
                                "msgstr line (`git diff` shows what changed)")


def _first(msgid) -> str:
    return msgid[0] if isinstance(msgid, (list, tuple)) else msgid


def _scripts(texts) -> set[str]:
    """The scripts the letters of some texts are written in (LATIN, ARABIC, CJK...)."""
    found: set[str] = set()
    for text in texts:
        for char in set(text):
            if char.isalpha():
                found.add(unicodedata.name(char, "UNKNOWN").split(" ")[0])
    return found
