"""Text analysis for mixed Arabic/English medical text, the same at index and query time.

Pure functions over strings, whatever engine stores the terms:

- `analyze(text)`: the terms of a text, in order;
- `term_spans(text)`: each term with its offsets in the text; `index_terms(text)` for indexing;
- `matching_spans(text, terms)`: the spans holding some of terms, for highlighting;
- `normalize_arabic`, `is_arabic_term`, and the stemmers of each script.

The modules: chars (character classes), words (word lists kept as data), arabic, english,
tokens (the tokenizer and per-token analysis), highlight.
"""

from __future__ import annotations

from .arabic import AR_STOP_WORDS, arabic_light_stem, arabic_root, normalize_arabic
from .chars import TOKEN_PATTERN, is_arabic_term
from .english import english_stem
from .highlight import matching_spans
from .tokens import analyze, index_terms, term_spans

__all__ = ["AR_STOP_WORDS", "TOKEN_PATTERN", "analyze", "arabic_light_stem", "arabic_root", "english_stem", "index_terms",
           "is_arabic_term", "matching_spans", "normalize_arabic", "term_spans"]
