"""A plan's Query as an OpenSearch search request: the first ranking phase, in the cluster.

Each clause becomes a term query (a phrase: match_phrase, or span_near when its words are of two
scripts, their fields masked as one) on its script's terms field, boosted by its weight times its
idf as the engine counts it over the whole index; the field's similarity adds BM25's
term-frequency part with the script's B and K1 (schema.similarity). So the cluster's scores are
the embedded engine's but for its rounding of field lengths (Lucene's one-byte norms) and its
average lengths (per script field and per shard): close enough to pick the candidates, which the
engine then scores exactly (scoring.py).
"""

from __future__ import annotations

from collections.abc import Callable

from .. import Clause, Query
from .schema import SHOWN_FIELDS, terms_field

# The cluster's cardinality count of sections is exact below this many (OpenSearch's maximum).
PRECISION = 40000


def search_body(query: Query, idf: Callable[[str, str], float], size: int) -> dict:
    """The search request for query's candidates: the size best, their readable fields, and how
    many sections match in all."""
    should = [clause_query(clause, idf) for clause in query.should]
    if query.must:
        required = [{"bool": {"should": [clause_query(clause, idf) for clause in group], "minimum_should_match": 1}}
                    for group in query.must]
        if should:
            required.append({"bool": {"should": should, "minimum_should_match": 1}})
        found = {"bool": {"must": required}}
    else:
        found = {"bool": {"should": should, "minimum_should_match": 1}}
    return {
        "query": found,
        "size": size,
        # Equal scores in a stable order whatever the shards.
        "sort": ["_score", "key"],
        "_source": {"includes": list(SHOWN_FIELDS)},
        "track_total_hits": False,
        "aggs": {"sections": {"cardinality": {"field": "section_key", "precision_threshold": PRECISION}}},
    }


def clause_query(clause: Clause, idf: Callable[[str, str], float]) -> dict:
    """One clause: its terms in their script's field, boosted by weight times idf."""
    boost = clause.weight * sum(idf(clause.field, term) for term in clause.terms)
    fields = [terms_field(clause.field, term) for term in clause.terms]
    if len(clause.terms) == 1:
        return {"term": {fields[0]: {"value": clause.terms[0], "boost": boost}}}
    if len(set(fields)) == 1:
        return {"match_phrase": {fields[0]: {"query": " ".join(clause.terms), "boost": boost}}}
    # Both fields keep the positions of the whole text, so one field's positions can stand for
    # the other's.
    spans = [{"span_term": {field: {"value": term}}} for field, term in zip(fields, clause.terms)]
    spans = [span if field == fields[0] else {"field_masking_span": {"query": span, "field": fields[0]}}
             for span, field in zip(spans, fields)]
    return {"span_near": {"clauses": spans, "slop": 0, "in_order": True, "boost": boost}}


def frequencies_body(pairs: list[tuple[str, str]]) -> dict:
    """A request counting the documents holding each (field, term): one filter each."""
    filters = {str(i): {"term": {terms_field(field, term): term}} for i, (field, term) in enumerate(pairs)}
    return {"size": 0, "track_total_hits": False, "aggs": {"frequencies": {"filters": {"filters": filters}}}}
