"""Speed and memory at site scale, each figure next to a baseline measured in the same run.

    python -m benchmarks.speed CORPUS_DIR [--work DIR] [--scale 10] [--queries 400]

Figures: full ingest of the corpus (against a plain single-process Whoosh loop over the same
sections with StandardAnalyzer), re-ingest with nothing changed, re-ingest after editing one
article, warm search latency p50/p95 (against SQLite FTS5), `pipeline search` as a new process,
peak RSS of ingest and search, and the same on a SCALE-times replicated corpus.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from .corpus import read_articles, write_sources


# A small launcher process runs the command and reports that command's own peak RSS: measured
# from this (large) benchmark process, a child's ru_maxrss would include memory copied at fork.
_LAUNCHER = """
import os, subprocess, sys, time
started = time.perf_counter()
process = subprocess.Popen(sys.argv[2:])
_, status, usage = os.wait4(process.pid, 0)
open(sys.argv[1], "w").write(f"{time.perf_counter() - started} {usage.ru_maxrss}")
sys.exit(os.waitstatus_to_exitcode(status))
"""


def run_cli(args: list[str], cwd: Path) -> tuple[float, float, str]:
    """Run `pipeline ARGS` as a new process; return (wall seconds, its peak RSS in MB, stdout)."""
    command = [sys.executable, "-c", "from pipeline.cli import main; main()", *args]
    with tempfile.NamedTemporaryFile("r") as figures:
        result = subprocess.run([sys.executable, "-c", _LAUNCHER, figures.name, *command], cwd=cwd,
                                capture_output=True, text=True)
        if result.returncode not in (0, 1):
            raise SystemExit(f"pipeline {' '.join(args)} failed:\n{result.stderr}")
        wall, rss_kib = figures.read().split()
        return float(wall), int(rss_kib) / 1024, result.stdout  # Linux reports KiB


def sections_of(corpus: Path, copies: int) -> list[tuple[str, str, str, str]]:
    """(key, title, heading, body) of every section, replicated like the sources."""
    rows = []
    for record in read_articles(corpus):
        for copy in range(copies):
            for section in record["sections"]:
                rows.append((f"{section['id']}-{copy}", record.get("title", ""),
                             section.get("heading", ""), section["text"]))
    return rows


def whoosh_loop(rows, folder: Path) -> float:
    """The baseline: a plain single-process Whoosh loop with StandardAnalyzer; return seconds."""
    from whoosh import index
    from whoosh.analysis import StandardAnalyzer
    from whoosh.fields import ID, TEXT, Schema

    analyzer = StandardAnalyzer()
    schema = Schema(key=ID(stored=True, unique=True), title=TEXT(analyzer=analyzer, stored=True),
                    heading=TEXT(analyzer=analyzer, stored=True), body=TEXT(analyzer=analyzer, stored=True))
    folder.mkdir(parents=True)
    started = time.perf_counter()
    ix = index.create_in(str(folder), schema)
    with ix.writer() as writer:
        for key, title, heading, body in rows:
            writer.add_document(key=key, title=title, heading=heading, body=body)
    return time.perf_counter() - started


def fts5_latencies(rows, queries: list[str]) -> list[float]:
    """Warm query latencies of SQLite FTS5 over the same sections, in seconds."""
    db = sqlite3.connect(":memory:")
    db.execute("CREATE VIRTUAL TABLE s USING fts5(key UNINDEXED, title, heading, body, "
               "tokenize='porter unicode61 remove_diacritics 2')")
    db.executemany("INSERT INTO s VALUES (?, ?, ?, ?)", rows)
    latencies = []
    for query in queries:
        words = [w for w in "".join(c if c.isalnum() else " " for c in query).split()]
        match = " OR ".join(f'"{w}"' for w in words) or '""'
        started = time.perf_counter()
        db.execute("SELECT key FROM s WHERE s MATCH ? ORDER BY bm25(s) LIMIT 10", (match,)).fetchall()
        latencies.append(time.perf_counter() - started)
    return latencies


def search_latencies(index_dir: Path, queries: list[str]) -> list[float]:
    """Warm latencies of this project's search over queries, in seconds (one process)."""
    from pipeline.search import search

    search(index_dir, "warm up")
    latencies = []
    for query in queries:
        started = time.perf_counter()
        search(index_dir, query)
        latencies.append(time.perf_counter() - started)
    return latencies


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def load_queries(corpus: Path, count: int) -> list[str]:
    queries = []
    for name in ("queries-dev-en.jsonl", "queries-dev-ar.jsonl"):
        with open(corpus / name, encoding="utf-8") as lines:
            queries += [json.loads(line)["query"] for line in lines if line.strip()]
    step = max(1, len(queries) // count)
    return queries[::step][:count]


def measure(corpus: Path, work: Path, copies: int, queries: list[str], report) -> dict:
    """Every figure for the corpus replicated `copies` times."""
    site = work / f"site-x{copies}"
    write_sources(corpus, site / "sources", copies=copies)
    (site / "locales").mkdir(exist_ok=True)
    rows = sections_of(corpus, copies)
    baseline = whoosh_loop(rows, work / f"baseline-x{copies}")
    report(f"x{copies}: plain Whoosh loop (StandardAnalyzer, 1 process): {baseline:.1f}s "
           f"for {len(rows):,} sections ({len(rows) / baseline:,.0f} sections/s)")
    ingest_wall, ingest_rss, out = run_cli(["ingest"], site)
    report(f"x{copies}: pipeline ingest (full): {ingest_wall:.1f}s, ratio to the loop "
           f"{ingest_wall / baseline:.2f}; peak RSS {ingest_rss:.0f} MB; {out.strip()}")
    figures = {"baseline_s": baseline, "ingest_s": ingest_wall, "ingest_rss_mb": ingest_rss}
    if copies == 1:
        figures["reingest_s"] = min(run_cli(["ingest"], site)[0] for _ in range(3))
        report(f"x1: re-ingest, nothing changed: {figures['reingest_s']:.2f}s (best of 3)")
        edited = sorted((site / "sources").iterdir())[0]
        timings = []
        for n in range(3):
            edited.write_text(edited.read_text(encoding="utf-8").replace("</body>", f"<p>Edit {n}.</p></body>"),
                              encoding="utf-8")
            timings.append(run_cli(["ingest"], site)[0])
        figures["edit_one_s"] = min(timings)
        report(f"x1: re-ingest after editing one article: {figures['edit_one_s']:.2f}s (best of 3)")
        walls = [run_cli(["search", "kidney stones"], site) for _ in range(5)]
        figures["search_process_s"] = statistics.median(w for w, _, _ in walls)
        report(f"x1: `pipeline search` as a new process: {figures['search_process_s']:.3f}s wall (median of 5)")
    ours = search_latencies(site / "index", queries)
    fts = fts5_latencies(rows, queries)
    figures.update(p50_ms=percentile(ours, 0.5) * 1000, p95_ms=percentile(ours, 0.95) * 1000,
                   fts_p50_ms=percentile(fts, 0.5) * 1000, fts_p95_ms=percentile(fts, 0.95) * 1000)
    report(f"x{copies}: warm search over {len(queries)} dev queries: p50 {figures['p50_ms']:.1f} ms, "
           f"p95 {figures['p95_ms']:.1f} ms (SQLite FTS5: p50 {figures['fts_p50_ms']:.2f} ms, "
           f"p95 {figures['fts_p95_ms']:.2f} ms)")
    search_rss = _search_rss(site)
    figures["search_rss_mb"] = search_rss
    report(f"x{copies}: peak RSS of a search process: {search_rss:.0f} MB")
    return figures


def _search_rss(site: Path) -> float:
    """Peak RSS of one `pipeline search` process, in MB."""
    return run_cli(["search", "kidney stones"], site)[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("corpus", type=Path, help="the shared corpus folder")
    parser.add_argument("--work", type=Path, help="scratch folder (default: a temporary one)")
    parser.add_argument("--scale", type=int, default=10, help="replication factor for the large run (0 to skip)")
    parser.add_argument("--queries", type=int, default=400, help="how many dev queries to time")
    args = parser.parse_args()
    work = args.work or Path(tempfile.mkdtemp(prefix="pipeline-speed-"))
    if work.exists():
        shutil.rmtree(work)
    work.mkdir(parents=True)
    queries = load_queries(args.corpus, args.queries)
    one = measure(args.corpus, work, 1, queries, print)
    if args.scale > 1:
        big = measure(args.corpus, work, args.scale, queries, print)
        print(f"x{args.scale} full ingest / x1 full ingest: {big['ingest_s'] / one['ingest_s']:.2f} "
              f"(linear would be {args.scale})")
    print(f"scratch files in {work}")


if __name__ == "__main__":
    main()
