"""Catalogues: an article's messages, its template and its PO file in every locale, kept in step.

messages (an article's messages and template), pofile (reading and writing PO files), merge
(merging without losing a translation), folder (the locales/ tree), localize (an article in a
locale), stats and checks (the translators' commands).

The translator's workbench: memory (the translation memory, TMX in and out), fuzzy (where a
new message's suggestion comes from, within a bounded work), pretranslate and prune (filling and
removing on demand), xliff (CAT tools), slips and terminology (more of `catalog check`), todo and
demand (what to translate next).
"""
