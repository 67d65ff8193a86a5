"""BM25F with statistics and parameters per script: the ranking's weighting, in Whoosh's terms."""

from __future__ import annotations

import math

from whoosh import scoring

from ...analysis import is_arabic_term
from .scorer import term_scores
from .versions import per_version


def weighting(ranking) -> "ScriptBM25F":
    """The Whoosh weighting model for a ranking's settings (search.plan.Ranking)."""
    return ScriptBM25F(latin=ranking.latin, arabic=ranking.arabic, field_b=dict(ranking.field_b))


# Locales written in Arabic script: their documents are the collection an Arabic term's rarity is
# measured against.
ARABIC_SCRIPT_LOCALES = ("ar", "fa", "ur", "ps", "ckb", "sd", "ug")


class ScriptBM25F(scoring.BM25F):
    """BM25F with statistics and parameters per script, as if each language had its own index.

    An Arabic term's idf counts only the documents in Arabic-script locales (an English section
    can never hold it, so counting those would make common Arabic words look rare), and B and K1
    depend on the script of the term being scored, because the two languages' texts differ in
    length and style even when they share fields.
    """

    def __init__(self, latin: tuple[float, float] = (0.75, 1.2),
                 arabic: tuple[float, float] = (0.75, 1.2), field_b: dict[str, float] | None = None):
        super().__init__(B=latin[0], K1=latin[1])
        self.latin = latin
        self.arabic = arabic
        self.field_b = dict(field_b or {})

    def idf(self, searcher, fieldname, text):
        """Inverse document frequency within the documents of the term's script."""
        # A segment's searcher counts for the whole index: the documents are its parent's.
        parent = searcher.get_parent()
        frequency = term_scores(parent).frequency(fieldname, text)
        term = text.decode("utf-8") if isinstance(text, bytes) else text
        total = arabic_documents(parent.reader()) if is_arabic_term(term) else parent.doc_count_all()
        return math.log(max(total, frequency + 1) / (frequency + 1)) + 1

    def __eq__(self, other) -> bool:
        """Equal settings score alike, so searchers with equal weightings share kept postings."""
        return type(other) is type(self) and self._key() == other._key()

    def __hash__(self) -> int:
        return hash(self._key())

    def _key(self) -> tuple:
        return self.latin, self.arabic, tuple(sorted(self.field_b.items()))

    def scorer(self, searcher, fieldname, text, qf=1):
        """Score a term with the parameters of its script."""
        if not searcher.schema[fieldname].scorable:
            return scoring.WeightScorer.for_(searcher, fieldname, text)
        b, k1 = self._b_k1(fieldname, text)
        return scoring.BM25FScorer(searcher, fieldname, text, b, k1, qf=qf)

    def parameters(self, searcher, fieldname: str, text: str) -> tuple[float, float, float, float]:
        """(idf, average field length, B, K1) of a term, as its scorer uses them (scorer.TermScores)."""
        parent = searcher.get_parent()
        return (parent.idf(fieldname, text), parent.avg_field_length(fieldname) or 1,
                *self._b_k1(fieldname, text))

    def _b_k1(self, fieldname: str, text) -> tuple[float, float]:
        term = text.decode("utf-8") if isinstance(text, bytes) else text
        b, k1 = self.arabic if is_arabic_term(term) else self.latin
        return self.field_b.get(fieldname, b), k1


@per_version()
def arabic_documents(reader) -> int:
    """How many documents of a version of the index (a reader) are in an Arabic-script locale."""
    total = 0
    for locale in reader.lexicon("locale"):
        locale = locale.decode("utf-8") if isinstance(locale, bytes) else locale
        if locale.split("_")[0] in ARABIC_SCRIPT_LOCALES:
            total += reader.doc_frequency("locale", locale)
    return total
