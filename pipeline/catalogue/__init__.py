"""Catalogues: an article's messages, its template and its PO file in every locale, kept in step.

messages (an article's messages and template), pofile (reading and writing PO files), merge
(merging without losing a translation), folder (the locales/ tree), localize (an article in a
locale), stats and checks (the translators' commands).
"""
