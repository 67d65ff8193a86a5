"""Relevance on the shared corpus: this project's search next to plain Whoosh and SQLite FTS5.

    python -m benchmarks.relevance CORPUS_DIR [--split dev|test] [--work DIR] [--reuse] [--k 10] [--json]

1. Writes every article of the corpus (`medquad-en.jsonl`, `arabic-qa-ar.jsonl`) as an HTML
   source `<article id>.html` (benchmarks/corpus.py, which keeps MedQuAD's `synonyms` as an
   "Also called" line) and ingests them into a project under --work (default: a temporary
   folder). With --reuse, a project already ingested there is searched as it is.
2. Builds two baselines over the same sections (one document per section of the JSON Lines, with
   its article's title, followed by its other names): a plain Whoosh index with StandardAnalyzer
   (fields title, heading, body; a plain OR of the query's words over the three fields; BM25F)
   and SQLite FTS5 (`porter unicode61 remove_diacritics 2`; an OR of the query's words, each
   quoted; bm25()). A word the query repeats is repeated in the OR. Both rank articles by their
   best section, as many sections deep as it takes to see k articles.
3. Runs the judged queries of `queries-<split>-en.jsonl`, `queries-<split>-symptoms-en.jsonl`
   (when the corpus has one for the split) and `queries-<split>-ar.jsonl`, and the split's alias
   queries made from the corpus (alias_judgements), through the three systems and scores them
   with the code behind `pipeline eval` (pipeline/search/evaluate.py).

Prints MRR@k per query source for each system with the ratios of this project to each baseline,
nDCG@k and recall@k, and the seconds each system took to index and to answer the queries.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import shutil
import sqlite3
import tempfile
import time
import unicodedata
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from pathlib import Path

from pipeline.config import Config
from pipeline.search.evaluate import (Evaluation, Judgement, Ranker, distinct_articles, evaluate, read_judgements,
                               search_ranker)
from pipeline.engine import open_engine
from pipeline.ingest import ingest

from .corpus import read_articles, write_sources
from .speed import whoosh_loop

SPLITS = ("dev", "test")
# The symptom queries have no test split: a file missing for a split is skipped.
QUERY_FILES = ("queries-{split}-en.jsonl", "queries-{split}-symptoms-en.jsonl", "queries-{split}-ar.jsonl")
ALIAS_SOURCE = "medquad-alias"
# The corpus's own split: 70 % dev, 30 % test, chosen at random with this seed (its README).
SPLIT_SEED = 20250601
DEV_SHARE = 0.7
FIELDS = ("title", "heading", "body")
PROJECT, WHOOSH, FTS5 = "this project", "plain Whoosh", "SQLite FTS5"

# (section id, title, heading, body) of one section; section ids are unique in the corpus.
Row = tuple[str, str, str, str]
# A search of one system: (query text, limit) -> the keys of the best `limit` sections, best first.
SectionSearch = Callable[[str, int], Sequence[str]]


@dataclass(frozen=True)
class SystemRun:
    """How one system did.

    name: the system.
    evaluation: its scores on the judged queries.
    index_seconds: the time it took to index the corpus (for this project: the full ingest).
    query_seconds: the time it took to answer every query.
    """

    name: str
    evaluation: Evaluation
    index_seconds: float
    query_seconds: float

    def as_json(self) -> dict:
        """The run as JSON: the scores overall and per query source, and the seconds."""
        return {"overall": self.evaluation.overall.as_json(),
                "sources": {source: scores.as_json() for source, scores in self.evaluation.sources},
                "index_s": round(self.index_seconds, 2), "query_s": round(self.query_seconds, 2)}


def read_queries(corpus_dir: Path, split: str) -> tuple[Judgement, ...]:
    """The judged queries of the split: English, symptoms, Arabic, then the alias queries."""
    files = [corpus_dir / name.format(split=split) for name in QUERY_FILES]
    return tuple(judgement for path in files if path.exists() for judgement in read_judgements(path)) \
        + alias_judgements(corpus_dir, split)


def alias_judgements(corpus_dir: Path, split: str) -> tuple[Judgement, ...]:
    """One query per other name of a MedQuAD article (its `synonyms`: "Lazy eye" for Amblyopia),
    answered by the articles that list it and every article with the same title as one of them
    (the corpus's own rule for MedQuAD questions), or with the name as title; the split's share of
    them (70 % dev, 30 % test, at random with the corpus's seed).

    A name that is its article's title but for case and punctuation is no query: it asks nothing
    the title does not.
    """
    records = list(read_articles(corpus_dir, ("medquad-en.jsonl",)))
    by_title: dict[str, set[str]] = {}
    for record in records:
        by_title.setdefault(_name_key(record.get("title", "")), set()).add(record["id"])
    names: dict[str, tuple[str, set[str]]] = {}
    for record in records:
        title = _name_key(record.get("title", ""))
        for name in record.get("synonyms") or ():
            key = _name_key(name)
            if key and key != title:
                names.setdefault(key, (" ".join(name.split()), set()))[1].update(by_title[title])
    keys = sorted(names)
    random.Random(SPLIT_SEED).shuffle(keys)
    cut = round(len(keys) * DEV_SHARE)
    chosen = sorted(keys[:cut] if split == "dev" else keys[cut:])
    return tuple(Judgement(f"en-alias-{number:04d}", names[key][0],
                           frozenset(names[key][1] | by_title.get(key, set())), ALIAS_SOURCE)
                 for number, key in enumerate(chosen, 1))


def _name_key(name: str) -> str:
    """A name as compared: lowercase letters and digits, one space between words."""
    return " ".join(re.findall(r"\w+", name.casefold()))


def section_rows(corpus_dir: Path) -> tuple[list[Row], dict[str, str]]:
    """Every section of the corpus's articles, and the article id of each section id.

    The title is followed by the article's other names, so the baselines can find a section
    through them as the project does."""
    rows, article_of = [], {}
    for record in read_articles(corpus_dir):
        title = "\n".join([record.get("title", ""), *(record.get("synonyms") or ())])
        for section in record["sections"]:
            rows.append((section["id"], title, section.get("heading", ""), section["text"]))
            article_of[section["id"]] = record["id"]
    return rows, article_of


def article_ranker(search: SectionSearch, article_of: dict[str, str]) -> Ranker:
    """Rank articles by their best section, asking for more sections until k articles show."""

    def rank(text: str, k: int) -> list[str]:
        limit = k
        while True:
            keys = search(text, limit)
            articles = distinct_articles(article_of[key] for key in keys)
            if len(articles) >= k or len(keys) < limit:
                return articles
            limit *= 3

    return rank


@contextmanager
def whoosh_search(rows: list[Row], folder: Path) -> Iterator[SectionSearch]:
    """A plain Whoosh index of the sections (StandardAnalyzer); queries are an OR of their words."""
    from whoosh import index
    from whoosh.query import Or, Term

    whoosh_loop(rows, folder)
    ix = index.open_dir(str(folder))
    analyzer = ix.schema["body"].analyzer

    with ix.searcher() as searcher:

        def search(text: str, limit: int) -> list[str]:
            query = Or([Term(field, token.text) for token in analyzer(text) for field in FIELDS])
            return [hit["key"] for hit in searcher.search(query, limit=limit)]

        yield search


def fts5_match(text: str) -> str:
    """An FTS5 query: an OR of the words of text (letters, digits and marks), each quoted."""
    kept = "".join(c if c.isalnum() or unicodedata.category(c).startswith("M") else " " for c in text)
    return " OR ".join(f'"{word}"' for word in kept.split())


@contextmanager
def fts5_search(rows: list[Row]) -> Iterator[SectionSearch]:
    """An in-memory SQLite FTS5 table of the sections, ranked by bm25()."""
    db = sqlite3.connect(":memory:")
    db.execute("CREATE VIRTUAL TABLE s USING fts5(key UNINDEXED, title, heading, body, "
               "tokenize='porter unicode61 remove_diacritics 2')")
    db.executemany("INSERT INTO s VALUES (?, ?, ?, ?)", rows)

    def search(text: str, limit: int) -> list[str]:
        match = fts5_match(text)
        if not match:
            return []
        return [key for (key,) in db.execute("SELECT key FROM s WHERE s MATCH ? ORDER BY bm25(s) LIMIT ?",
                                             (match, limit))]

    try:
        yield search
    finally:
        db.close()


def run_project(corpus_dir: Path, work: Path, judgements: Sequence[Judgement], k: int) -> SystemRun:
    """Write the sources, ingest them, and evaluate the project's search as `pipeline eval` does."""
    config = Config(sources=work / "sources", locales=work / "locales", index=work / "index")
    write_sources(corpus_dir, config.sources)
    started = time.perf_counter()
    report = ingest(config)
    if report.failed:
        raise SystemExit(f"ingest failed for {len(report.failed)} files: {report.failed[0]}")
    indexed = time.perf_counter()
    with open_engine(config).reader() as reader:
        evaluation = evaluate(judgements, search_ranker(reader), k)
    return SystemRun(PROJECT, evaluation, indexed - started, time.perf_counter() - indexed)


def run_baseline(name: str, open_search: Callable[[list[Row]], AbstractContextManager[SectionSearch]],
                 rows: list[Row], article_of: dict[str, str], judgements: Sequence[Judgement], k: int) -> SystemRun:
    """Index the sections with open_search(rows) and evaluate its article ranking."""
    started = time.perf_counter()
    with open_search(rows) as search:
        indexed = time.perf_counter()
        evaluation = evaluate(judgements, article_ranker(search, article_of), k)
        answered = time.perf_counter()
    return SystemRun(name, evaluation, indexed - started, answered - indexed)


def run(corpus_dir: Path, work: Path, split: str = "dev", k: int = 10, reuse: bool = False) -> list[SystemRun]:
    """Evaluate the three systems on the split's queries; work holds the files they write
    (reuse: keep the project an earlier run ingested there; its ingest only redoes what changed,
    so its index seconds say nothing)."""
    for folder in ("whoosh",) if reuse else ("sources", "locales", "index", "whoosh"):
        shutil.rmtree(work / folder, ignore_errors=True)
    judgements = read_queries(corpus_dir, split)
    rows, article_of = section_rows(corpus_dir)
    return [run_project(corpus_dir, work, judgements, k),
            run_baseline(WHOOSH, lambda r: whoosh_search(r, work / "whoosh"), rows, article_of, judgements, k),
            run_baseline(FTS5, fts5_search, rows, article_of, judgements, k)]


def query_sets(runs: Sequence[SystemRun]) -> list[str]:
    """The query sources in the order they first appear in the query files."""
    return list(dict.fromkeys(outcome.judgement.source for outcome in runs[0].evaluation.outcomes))


def _ratio(ours: float, theirs: float) -> str:
    return f"{ours / theirs:.2f}" if theirs else "-"


def table_lines(runs: Sequence[SystemRun]) -> list[str]:
    """The figures as Markdown tables: MRR with ratios, nDCG and recall, seconds."""
    project, whoosh, fts5 = runs
    k = project.evaluation.k
    scores = [dict(run.evaluation.sources) | {"all": run.evaluation.overall} for run in runs]
    sets = [*query_sets(runs), "all"]
    lines = [f"| query set | queries | MRR@{k} {project.name} | {whoosh.name} | {fts5.name} "
             f"| {project.name} / {whoosh.name} | {project.name} / {fts5.name} |",
             "| --- | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for name in sets:
        ours, theirs, fts = (s[name].mrr for s in scores)
        lines.append(f"| {name} | {scores[0][name].queries} | {ours:.3f} | {theirs:.3f} | {fts:.3f} "
                     f"| {_ratio(ours, theirs)} | {_ratio(ours, fts)} |")
    lines += ["", f"| query set | nDCG@{k} ({' / '.join(r.name for r in runs)}) "
                  f"| recall@{k} ({' / '.join(r.name for r in runs)}) |", "| --- | ---: | ---: |"]
    for name in sets:
        lines.append(f"| {name} | {' / '.join(f'{s[name].ndcg:.3f}' for s in scores)} "
                     f"| {' / '.join(f'{s[name].recall:.3f}' for s in scores)} |")
    lines += ["", "| system | index s | queries s | total s |", "| --- | ---: | ---: | ---: |"]
    lines += [f"| {r.name} | {r.index_seconds:.1f} | {r.query_seconds:.1f} | {r.index_seconds + r.query_seconds:.1f} |"
              for r in runs]
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("corpus_dir", type=Path, help="the shared corpus folder")
    parser.add_argument("--split", choices=SPLITS, default="dev", help="which query files to run (default dev)")
    parser.add_argument("--work", type=Path, help="folder for the project and the baselines (default: a temporary one)")
    parser.add_argument("--reuse", action="store_true",
                        help="keep the project an earlier run ingested in --work (the ingest redoes only what changed)")
    parser.add_argument("--k", type=int, default=10, help="the cut-off of every score (default 10)")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="relevance-") as temporary:
        work = args.work or Path(temporary)
        work.mkdir(parents=True, exist_ok=True)
        runs = run(args.corpus_dir, work, args.split, args.k, args.reuse)
    if args.json:
        print(json.dumps({"split": args.split, "k": args.k, "systems": {r.name: r.as_json() for r in runs}},
                         ensure_ascii=False, indent=2))
    else:
        print(f"{args.split} split, {len(runs[0].evaluation.outcomes)} queries")
        print("\n".join(table_lines(runs)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
