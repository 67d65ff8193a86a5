"""Relevance evaluation: run judged queries, score the rankings, find the worst-served queries.

A query file is JSON Lines, one judged query per line:
`{"id": "...", "query": "...", "relevant": ["article id", ...], "source": "..."}` (other keys are
ignored; `id` and `source` are optional).

Rankings are of articles: the hits of `pipeline search QUERY --json` read top down, each article
counted at its first hit (a section of a relevant article counts for its article), as deep as it
takes to see k articles. With r the rank of the first relevant article:

- reciprocal rank @k = 1/r if r <= k, else 0; MRR is its mean over the queries;
- nDCG@k = DCG/IDCG, DCG = sum over relevant articles at rank i <= k of 1/log2(i + 1),
  IDCG = the same for the best ranking (min(k, number of relevant articles) at the top);
- recall@k = relevant articles in the top k / relevant articles.

Figures are given per query `source` and over all queries (the mean of every query, not of sources).
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from ..engine import Engine, Reader
from ..errors import QueryError

Ranker = Callable[[str, int], Sequence[str]]


@dataclass(frozen=True)
class Judgement:
    """A query with the articles that answer it.

    id: the query's id (`line-<n>` when the file gives none).
    query: the text to search.
    relevant: ids of the articles that answer it; any one of them is a hit.
    source: the query set it comes from (`-` when the file gives none).
    """

    id: str
    query: str
    relevant: frozenset[str]
    source: str = "-"


@dataclass(frozen=True)
class Outcome:
    """How one query was served.

    judgement: the query.
    articles: the top k articles returned, best first.
    rank: the rank of the first relevant article among them, or None.
    reciprocal_rank, ndcg, recall: the query's scores @k.
    """

    judgement: Judgement
    articles: tuple[str, ...]
    rank: int | None
    reciprocal_rank: float
    ndcg: float
    recall: float

    def as_json(self) -> dict:
        """The outcome as JSON."""
        return {"id": self.judgement.id, "source": self.judgement.source, "query": self.judgement.query,
                "relevant": sorted(self.judgement.relevant), "articles": list(self.articles),
                "rank": self.rank, "reciprocal_rank": round(self.reciprocal_rank, 4),
                "ndcg": round(self.ndcg, 4), "recall": round(self.recall, 4)}


@dataclass(frozen=True)
class Scores:
    """Mean scores of a set of queries."""

    queries: int
    mrr: float
    ndcg: float
    recall: float

    def as_json(self) -> dict:
        """The scores as JSON (rounded to four places)."""
        return {"queries": self.queries, "mrr": round(self.mrr, 4), "ndcg": round(self.ndcg, 4),
                "recall": round(self.recall, 4)}


@dataclass(frozen=True)
class Evaluation:
    """The result of evaluating a ranking on judged queries.

    k: the cut-off.
    overall: the scores over every query.
    sources: the scores per query source, sorted by source.
    outcomes: one per query, in file order.
    """

    k: int
    overall: Scores
    sources: tuple[tuple[str, Scores], ...]
    outcomes: tuple[Outcome, ...]

    def worst(self, count: int = 10) -> tuple[Outcome, ...]:
        """The worst-served queries: lowest reciprocal rank, then nDCG, then recall, then id.

        Perfectly served queries (every relevant article on top) are never listed.
        """
        imperfect = [o for o in self.outcomes if o.ndcg < 1.0]
        ranked = sorted(imperfect, key=lambda o: (o.reciprocal_rank, o.ndcg, o.recall, o.judgement.id))
        return tuple(ranked[:count])

    def as_json(self, worst: int = 10) -> dict:
        """The evaluation as the JSON object `pipeline eval --json` prints."""
        return {"k": self.k, "overall": self.overall.as_json(),
                "sources": {source: scores.as_json() for source, scores in self.sources},
                "worst": [outcome.as_json() for outcome in self.worst(worst)],
                "queries": [outcome.as_json() for outcome in self.outcomes]}


def read_judgements(path: Path) -> tuple[Judgement, ...]:
    """Read a JSON Lines file of judged queries; a bad line is an error naming it."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as error:
        raise QueryError(f"cannot read the query file: {error}", path,
                         hint="give a UTF-8 JSON Lines file of judged queries") from None
    return parse_judgements(text.splitlines(), str(path))


def parse_judgements(lines: Iterable[str], path: str = "<queries>") -> tuple[Judgement, ...]:
    """Parse judged queries from JSON Lines."""
    judgements = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as error:
            raise QueryError(f"not JSON: {error.msg}", path, number,
                             hint="write one JSON object per line") from None
        query, relevant = (record.get("query"), record.get("relevant")) if isinstance(record, dict) else (None, None)
        if not isinstance(query, str) or not query.strip():
            raise QueryError('no "query" text', path, number, hint='give each line a "query" string')
        if (not isinstance(relevant, list) or not relevant
                or not all(isinstance(article, str) for article in relevant)):
            raise QueryError('"relevant" must be a non-empty list of article ids', path, number,
                             hint='list the ids of the articles that answer the query')
        judgements.append(Judgement(str(record.get("id", f"line-{number}")), query, frozenset(relevant),
                                    str(record.get("source", "-"))))
    if not judgements:
        raise QueryError("no queries in the file", path, hint="write one judged query per line")
    return tuple(judgements)


def reciprocal_rank(articles: Sequence[str], relevant: frozenset[str], k: int) -> float:
    """1/rank of the first relevant article in the top k, else 0."""
    rank = first_relevant(articles, relevant, k)
    return 1.0 / rank if rank else 0.0


def first_relevant(articles: Sequence[str], relevant: frozenset[str], k: int) -> int | None:
    """The 1-based rank of the first relevant article in the top k, or None."""
    return next((rank for rank, article in enumerate(articles[:k], start=1) if article in relevant), None)


def ndcg(articles: Sequence[str], relevant: frozenset[str], k: int) -> float:
    """Normalised discounted cumulative gain at k, with binary gains."""
    dcg = sum(1.0 / math.log2(rank + 1) for rank, article in enumerate(articles[:k], start=1)
              if article in relevant)
    ideal = sum(1.0 / math.log2(rank + 1) for rank in range(1, min(k, len(relevant)) + 1))
    return dcg / ideal if ideal else 0.0


def recall(articles: Sequence[str], relevant: frozenset[str], k: int) -> float:
    """The share of the relevant articles found in the top k."""
    return len(relevant.intersection(articles[:k])) / len(relevant) if relevant else 0.0


def distinct_articles(articles: Iterable[str]) -> list[str]:
    """Articles in order of their first appearance."""
    return list(dict.fromkeys(articles))


def evaluate(judgements: Sequence[Judgement], rank: Ranker, k: int = 10) -> Evaluation:
    """Score rank (query text, k → at least the top k distinct articles, best first) on judgements."""
    if k < 1:
        raise QueryError(f"k must be at least 1, not {k}")
    outcomes = []
    for judgement in judgements:
        articles = tuple(distinct_articles(rank(judgement.query, k))[:k])
        relevant = judgement.relevant
        outcomes.append(Outcome(judgement, articles, first_relevant(articles, relevant, k),
                                reciprocal_rank(articles, relevant, k), ndcg(articles, relevant, k),
                                recall(articles, relevant, k)))
    by_source: dict[str, list[Outcome]] = {}
    for outcome in outcomes:
        by_source.setdefault(outcome.judgement.source, []).append(outcome)
    return Evaluation(k, _mean(outcomes), tuple((source, _mean(group)) for source, group in sorted(by_source.items())),
                      tuple(outcomes))


def _mean(outcomes: Sequence[Outcome]) -> Scores:
    n = len(outcomes)
    return Scores(n, sum(o.reciprocal_rank for o in outcomes) / n, sum(o.ndcg for o in outcomes) / n,
                  sum(o.recall for o in outcomes) / n)


def search_ranker(reader: Reader) -> Ranker:
    """Rank articles with search_with(), asking for more hits until k articles show (or no more hits)."""
    from . import search_with

    def rank(text: str, k: int) -> list[str]:
        limit = k
        while True:
            result = search_with(reader, text, limit=limit)
            articles = distinct_articles(hit.article for hit in result.hits)
            if len(articles) >= k or len(result.hits) < limit:
                return articles
            limit *= 3

    return rank


def evaluate_index(queries: Path, engine: Engine, k: int = 10) -> Evaluation:
    """Evaluate an engine's search on a file of judged queries."""
    judgements = read_judgements(queries)
    with engine.reader() as reader:
        return evaluate(judgements, search_ranker(reader), k)
