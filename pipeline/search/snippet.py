"""Snippets: the part of a section's text that best shows why it matched, with the matches marked."""

from __future__ import annotations

from dataclasses import dataclass

from ..analysis import matching_spans

WIDTH = 240


@dataclass(frozen=True)
class Snippet:
    """A piece of text with highlighted spans.

    text: the snippet, with `…` where it was cut.
    spans: (start, end) character offsets of matched words in text.
    terms: every term of the whole text that matched, in or out of the snippet.
    """

    text: str
    spans: tuple[tuple[int, int], ...] = ()
    terms: frozenset[str] = frozenset()


def make_snippet(text: str, terms: frozenset[str], width: int = WIDTH) -> Snippet:
    """Cut the window of text with the most distinct matched terms (analysed), and mark them."""
    text = text.replace("\n", " ")  # paragraphs run on in a snippet; offsets stay the same
    matches = matching_spans(text, terms)
    if not matches:
        return Snippet(_cut(text, 0, width), ())
    found = frozenset(term for _, _, term in matches)
    # Best window: most distinct terms, then the tightest cluster of them (a phrase beats scattered words).
    reach = width * 2 // 3
    best_start, best_key = 0, None
    for i, (start, _, _) in enumerate(matches[:200]):
        seen: set[str] = set()
        cover = start  # where the window has seen every distinct term it holds
        for _, end, term in matches[i:i + 50]:
            if end - start > reach:
                break
            if term not in seen:
                seen.add(term)
                cover = end
        key = (len(seen), start - cover)
        if best_key is None or key > best_key:
            best_start, best_key = start, key
    begin = _word_start(text, max(0, best_start - width // 4))
    end = _word_end(text, min(len(text), begin + width))
    prefix = "… " if begin > 0 else ""
    suffix = " …" if end < len(text) else ""
    shift = len(prefix) - begin
    spans = tuple((s + shift, e + shift) for s, e, _ in matches if s >= begin and e <= end)
    return Snippet(prefix + text[begin:end] + suffix, spans, found)


def _cut(text: str, begin: int, width: int) -> str:
    end = _word_end(text, min(len(text), begin + width))
    return text[begin:end] + (" …" if end < len(text) else "")


def _word_start(text: str, position: int) -> int:
    """Move position forward to the start of a word, unless it is already at one."""
    if position == 0 or text[position - 1].isspace():
        return position
    space = text.find(" ", position)
    return space + 1 if 0 <= space < position + 30 else position


def _word_end(text: str, position: int) -> int:
    """Move position back to the end of a word."""
    if position >= len(text) or text[position].isspace():
        return position
    space = text.rfind(" ", 0, position)
    return space if space > position - 30 else position
