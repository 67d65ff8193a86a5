"""The cluster indexes the terms the embedded engine indexes, at the same positions.

The engine sends the project's analysed terms; the cluster's analyzer (a whitespace tokenizer and
a stop filter for the gap token, schema.settings) must split them back unchanged. Here the
analyzer's rules are applied as Lucene applies them (Java's Character.isWhitespace, the token
length limit, stopped tokens keeping their positions) to what the engine sends for real sections,
and compared with the terms and positions of the embedded engine's own Whoosh analyzer. The
opt-in suite (test_opensearch_live.py) asks a real cluster's `_analyze` the same.
"""

from __future__ import annotations

import json
import unicodedata

from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.engine import TEXT_FIELDS, SectionDocument
from pipeline.engine.opensearch.schema import GAP, MAX_TERM_CHARS, SCRIPTS, source

from .conftest import FIXTURES
from .opensearch_support import bundled_documents, corpus_documents


def java_whitespace(character: str) -> bool:
    """Java's Character.isWhitespace, which Lucene's WhitespaceTokenizer splits on."""
    if character in "\t\n\u000b\f\r\u001c\u001d\u001e\u001f":
        return True
    return unicodedata.category(character) in ("Zs", "Zl", "Zp") and character not in "\u00a0\u2007\u202f"


def lucene_tokens(text: str) -> list[tuple[int, str]]:
    """(position, token) as the index's analyzer makes them of a field's value."""
    tokens, current = [], []
    for character in text + " ":
        if java_whitespace(character):
            if current:
                tokens.append("".join(current))
                current = []
        else:
            current.append(character)
            if len(current) == MAX_TERM_CHARS:  # the tokenizer splits a longer token
                tokens.append("".join(current))
                current = []
    return [(position, token) for position, token in enumerate(tokens) if token != GAP]


def cluster_terms(sent: dict, field: str) -> list[tuple[int, str]]:
    """A text field's terms and positions as the cluster indexes them, both scripts merged."""
    return sorted(pair for script in SCRIPTS for pair in lucene_tokens(sent.get(f"{field}_{script}", "")))


def whoosh_terms(text: str) -> list[tuple[int, str]]:
    """The embedded engine's terms and positions for text (its analyzer, as it indexes)."""
    from pipeline.engine.whoosh.analyzer import text_analyzer

    return [(token.pos, token.text) for token in text_analyzer()(text, positions=True)]


def relative(pairs: list[tuple[int, str]]) -> list[tuple[int, str]]:
    """Positions counted from the first term (the whitespace tokenizer starts at 0 where Whoosh
    starts at the number of stop words before the first term; distances are what count)."""
    first = pairs[0][0] if pairs else 0
    return [(position - first, term) for position, term in pairs]


def sample_documents() -> list[SectionDocument]:
    """Real sections: the bundled articles and their Arabic translations, the relevance and TICO-19
    fixtures, and the search fixture's articles."""
    documents = bundled_documents() + corpus_documents()
    for path in sorted((FIXTURES / "search" / "sources").rglob("*.md")):
        text = path.read_text(encoding="utf-8")
        documents.append(SectionDocument(path.stem, "all", "ar" if "ar" in path.parts else "en", "source", (),
                                         "", text.splitlines()[0], "", text, 0, str(path.name), 1))
    return documents


def test_the_cluster_indexes_the_embedded_engines_terms_for_real_sections():
    documents = sample_documents()
    compared = 0
    for document in documents:
        sent = source(document)
        for field in TEXT_FIELDS:
            expected = relative(whoosh_terms(getattr(document, field)))
            assert relative(cluster_terms(sent, field)) == expected, (document.key, field)
            assert sent[f"{field}_length"] == len(expected)
            compared += len(expected)
    assert compared > 1000 and any(d.locale == "ar" for d in documents)


def test_mixed_text_keeps_each_terms_position_in_its_scripts_field():
    document = SectionDocument("a", "s", "ar", "source", (), "", "", "", "اغسل يديك 20 ثانية with soap ثم جففها",
                               0, "a.md", 1)
    sent = source(document)
    # Stop words (with, ثم) are dropped and the terms after them renumbered, as the embedded engine does.
    assert sent["body_arabic"] == "اغسل يد _ ثان _ جفف"
    assert sent["body_latin"] == "_ _ 20 _ soap"
    assert sent["body_vocabulary"] == sorted({"اغسل", "يد", "20", "ثان", "soap", "جفف"})
    assert cluster_terms(sent, "body") == relative(whoosh_terms(document.body))


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=80))
def test_any_text_survives_the_trip(text):
    document = SectionDocument("a", "s", "en", "source", (), "", text, "", text, 0, "a.md", 1)
    sent = source(document)
    assert relative(cluster_terms(sent, "body")) == relative(whoosh_terms(text))
    json.dumps(sent)  # and it can be sent
