"""Whoosh's own BM25F with this engine's statistics and parameters per script: the oracle the
scorer's tests hold pipeline.engine.whoosh.scorer.TermScores against, through Whoosh's matchers."""

from __future__ import annotations

import math

from whoosh import query as Q
from whoosh import scoring

from pipeline.analysis import is_arabic_term
from pipeline.engine import ARABIC_SCRIPT_LOCALES, Query, Scoring


def weighting(scoring_: Scoring) -> "ScriptBM25F":
    """Whoosh's weighting model for a scoring."""
    return ScriptBM25F(latin=scoring_.latin, arabic=scoring_.arabic, field_b=dict(scoring_.field_b))


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
        frequency = parent.doc_frequency(fieldname, text)
        term = text.decode("utf-8") if isinstance(text, bytes) else text
        reader = parent.reader()
        total = (sum(reader.doc_frequency("locale", locale) for locale in reader.field_terms("locale")
                     if locale.split("_")[0] in ARABIC_SCRIPT_LOCALES)
                 if is_arabic_term(term) else parent.doc_count_all())
        return math.log(max(total, frequency + 1) / (frequency + 1)) + 1

    def scorer(self, searcher, fieldname, text, qf=1):
        """Score a term with the parameters of its script."""
        if not searcher.schema[fieldname].scorable:
            return scoring.WeightScorer.for_(searcher, fieldname, text)
        b, k1 = self._b_k1(fieldname, text)
        return scoring.BM25FScorer(searcher, fieldname, text, b, k1, qf=qf)

    def _b_k1(self, fieldname: str, text) -> tuple[float, float]:
        term = text.decode("utf-8") if isinstance(text, bytes) else text
        b, k1 = self.arabic if is_arabic_term(term) else self.latin
        return self.field_b.get(fieldname, b), k1


def whoosh_query(query: Query) -> Q.Query:
    """An engine Query as the Whoosh query that matches and scores the same documents (without
    its proximity bonuses): an Or of its clauses, And each must group."""

    def clause(c):
        if len(c.terms) == 1:
            return Q.Term(c.field, c.terms[0], boost=c.weight)
        return Q.Phrase(c.field, list(c.terms), boost=c.weight)

    words = Q.Or([clause(c) for c in query.should])
    if not query.must:
        return words
    return Q.And([Q.Or([clause(c) for c in group]) for group in query.must] + [words])
