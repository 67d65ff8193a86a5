"""Markdown articles, parsed by markdown-it-py: ATX/Setext headings, paragraphs, list items, tables."""

from __future__ import annotations

import yaml
from markdown_it import MarkdownIt
from markdown_it.token import Token
from mdit_py_plugins.front_matter import front_matter_plugin

from ..errors import SourceError
from ..model import ParsedDocument, SectionBuilder, aliases, collapse, take_also_called

_MARKDOWN = MarkdownIt("commonmark").enable("table").use(front_matter_plugin)
_TEXT_TOKENS = frozenset({"text", "code_inline"})
_BREAKS = frozenset({"softbreak", "hardbreak"})


def parse(text: str, path: str = "<markdown>") -> ParsedDocument:
    """Split a Markdown article into title, author and sections."""
    tokens = _MARKDOWN.parse(text)
    meta = _front_matter(tokens, path)
    title = collapse(str(meta.get("title") or ""))
    title_line = 1 if title else 0
    builder = SectionBuilder()
    first_heading = True
    for index, token in enumerate(tokens):
        if token.type != "inline":
            continue
        opener = tokens[index - 1]
        line = opener.map[0] + 1 if opener.map else (token.map[0] + 1 if token.map else 0)
        content = _inline_text(token)
        if opener.type == "heading_open":
            if first_heading and opener.tag == "h1" and (not title or content == title):
                title, title_line = content, line
            elif content:
                builder.heading(content, line)
            first_heading = False
        else:
            builder.paragraph(content, line)
    locale = meta.get("lang") or meta.get("language")
    author = meta.get("author") or ""
    if isinstance(author, list):
        author = ", ".join(str(name) for name in author)
    sections, called, called_line = take_also_called(builder.build())
    declared = meta.get("aliases") or ()
    if not isinstance(declared, (list, tuple, str)):
        raise SourceError("`aliases:` is neither a list nor a line of names", path, _meta_line(text, "aliases"),
                          hint="write `aliases: [Backache, Lumbago]`, or one `- name` a line")
    names = aliases(aliases(declared, title) + aliases(called or "", title), title)
    aliases_line = (_meta_line(text, "aliases") if declared else called_line) if names else 0
    return ParsedDocument(title=title, byline=collapse(str(author)), sections=sections,
                          locale=str(locale) if locale else None, title_line=title_line,
                          aliases=names, aliases_line=aliases_line)


def _meta_line(text: str, key: str) -> int:
    """The line of a front matter key (1 when it cannot be told)."""
    for number, line in enumerate(text.splitlines()[1:], start=2):
        if line.startswith(f"{key}:"):
            return number
        if line.strip() == "---":
            break
    return 1


# Front matter names an article's title, language and authors: a few lines. The bound keeps a
# YAML parse (pure Python) from holding up an ingest.
MAX_FRONT_MATTER = 64 * 1024


class _FrontMatterLoader(yaml.BaseLoader):
    """YAML as front matter needs it: every value a string (`date: 2024-05-01` stays as written),
    and no aliases, which let a few hundred bytes stand for gigabytes (a "billion laughs")."""

    def compose_node(self, parent, index):
        if self.check_event(yaml.AliasEvent):
            raise yaml.composer.ComposerError(None, None, "an alias (*name), which front matter does not allow",
                                              self.peek_event().start_mark)
        return super().compose_node(parent, index)


def _front_matter(tokens: list[Token], path: str) -> dict:
    """Parse the YAML front matter, if any, into a flat dict of strings and lists of strings."""
    if not tokens or tokens[0].type != "front_matter":
        return {}
    content = tokens[0].content
    if len(content) > MAX_FRONT_MATTER:
        raise SourceError(f"front matter is {len(content):,} characters, over the limit of {MAX_FRONT_MATTER:,}",
                          path, 2, hint="keep it to a few `key: value` lines (title, lang, author)")
    try:
        meta = yaml.load(content, Loader=_FrontMatterLoader)  # noqa: S506 - strings only, no aliases
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        line = mark.line + 2 if mark else 1  # +1 for 1-based, +1 for the opening ---
        reason = getattr(error, "problem", None) or "invalid YAML"
        raise SourceError(f"broken front matter: {reason}", path, line,
                          hint="fix the YAML between the --- lines, or remove it") from None
    if meta is None or meta == "":
        return {}
    if not isinstance(meta, dict):
        raise SourceError("front matter is not a list of `key: value` lines", path, 2,
                          hint="write it as `title: ...`, `lang: ...`, `author: ...`")
    for key, value in meta.items():
        if not isinstance(key, str) or not (isinstance(value, str) or (
                isinstance(value, list) and all(isinstance(item, str) for item in value))):
            raise SourceError(f"front matter key {str(key)[:40]!r} is not a text or a list of texts", path,
                              _key_line(content, key),
                              hint="write each key as `key: text` or as a list of `- text` lines")
    return meta


def _key_line(content: str, key) -> int:
    """The line of the front matter (counting the opening ---) where key starts, or its first line."""
    if isinstance(key, str):
        for number, line in enumerate(content.splitlines(), start=2):
            if line.startswith(key):
                return number
    return 2


def _inline_text(token: Token) -> str:
    """The plain text of an inline token: words of text, code and links, breaks as spaces."""
    parts = []
    for child in token.children or ():
        if child.type in _TEXT_TOKENS:
            parts.append(child.content)
        elif child.type in _BREAKS:
            parts.append(" ")
        elif child.type == "image":
            parts.append(child.content)
    return collapse("".join(parts))
