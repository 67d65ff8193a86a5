"""Speed and memory at site scale, each figure next to a baseline measured in the same run.

    python -m benchmarks.speed CORPUS_DIR [--work DIR] [--scale 10] [--queries 400]

The site: every article of the corpus as an HTML source, plus the TICO-19 documents as pages
(benchmarks/tico19.py) whose `ar` catalogues hold the professional Arabic, as a translator would
have left them (no templates, no index yet).

Figures: full ingest of the site (against a plain single-process Whoosh loop that indexes the same
documents, every section in every locale the ingest indexes it in, with StandardAnalyzer; and
against Translate Toolkit's html2po turning the same HTML files into templates, then that loop,
when translate-toolkit is installed: `pip install -e '.[bench]'`), re-ingest with nothing changed,
re-ingest after editing one article, warm search latency p50/p95 (against SQLite FTS5; warm: a
server that has answered as many other dev queries first; also without them), `pipeline search`
as a new process, peak RSS of ingest and search (per process: the largest of the ingest's
processes), and the same on a SCALE-times replicated site.
"""

from __future__ import annotations

import argparse
import compileall
import gc
import json
import multiprocessing
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

import pipeline
from pipeline.config import Config
from pipeline.catalogue.folder import init_locale
from pipeline.model import collapse

from .corpus import read_articles, write_sources
from .tico19 import fill_catalogues, read_documents, write_pages

TICO19_PAGE_SIZE = 10
TRANSLATED_AT = datetime(2025, 6, 1, tzinfo=timezone.utc)


# A small launcher process runs the command and reports that command's own peak RSS: measured
# from this (large) benchmark process, a child's ru_maxrss would include memory copied at fork.
_LAUNCHER = """
import os, subprocess, sys, time
started = time.perf_counter()
process = subprocess.Popen(sys.argv[2:])
_, status, usage = os.wait4(process.pid, 0)
cpu = usage.ru_utime + usage.ru_stime  # its own and its worker processes'
open(sys.argv[1], "w").write(f"{time.perf_counter() - started} {usage.ru_maxrss} {cpu}")
sys.exit(os.waitstatus_to_exitcode(status))
"""


def run_cli(args: list[str], cwd: Path) -> tuple[float, float, str]:
    """Run `pipeline ARGS` as a new process; return (wall seconds, its peak RSS in MB, stdout)."""
    wall, rss, _, out = run_cli_cpu(args, cwd)
    return wall, rss, out


def run_cli_cpu(args: list[str], cwd: Path) -> tuple[float, float, float, str]:
    """Like run_cli, with the CPU seconds (user + system) of the command and its workers too."""
    command = [sys.executable, "-c", "from pipeline.cli import main; main()", *args]
    with tempfile.NamedTemporaryFile("r") as figures:
        result = subprocess.run([sys.executable, "-c", _LAUNCHER, figures.name, *command], cwd=cwd,
                                capture_output=True, text=True)
        if result.returncode not in (0, 1):
            raise SystemExit(f"pipeline {' '.join(args)} failed:\n{result.stderr}")
        wall, rss_kib, cpu = figures.read().split()
        return float(wall), int(rss_kib) / 1024, float(cpu), result.stdout  # Linux reports KiB


def build_site(corpus: Path, work: Path, site: Path, copies: int) -> dict[str, list[dict]]:
    """Write the site's sources and the TICO-19 pages' `ar` catalogues; return each page's sentence pairs."""
    write_sources(corpus, site / "sources", copies=copies)
    (site / "locales").mkdir(exist_ok=True)
    # The TICO-19 pages and their filled `ar` catalogues, made once in a project of their own.
    tico = work / "tico19-translated"
    if not tico.exists():
        config = Config(sources=tico / "sources", locales=tico / "locales", index=tico / "index")
        pages = write_pages(read_documents(corpus), config.sources, TICO19_PAGE_SIZE)
        init_locale(config, "ar", now=TRANSLATED_AT)  # before the ingest: it then merges them
        fill_catalogues(config.locales, pages)
        (tico / "pages.json").write_text(json.dumps(pages, ensure_ascii=False), encoding="utf-8")
    pages = json.loads((tico / "pages.json").read_text(encoding="utf-8"))
    replicated = {}
    for copy in range(copies):
        prefix = Path(f"copy{copy}") if copy else Path()
        shutil.copytree(tico / "sources", site / "sources" / prefix, dirs_exist_ok=True)
        shutil.copytree(tico / "locales" / "ar" / "LC_MESSAGES", site / "locales" / "ar" / "LC_MESSAGES" / prefix,
                        dirs_exist_ok=True)
        replicated.update({(prefix / article).as_posix(): pairs for article, pairs in pages.items()})
    return replicated


def sections_of(corpus: Path, copies: int, pages: dict[str, list[dict]] | None = None) -> list[tuple[str, str, str, str]]:
    """(key, title, heading, body) of every document the ingest writes, replicated like the sources.

    Every section of the corpus's articles once (in its own locale; no other locale has a
    translation of it), and every TICO-19 page twice: in English and in its Arabic translation.
    """
    rows = []
    for record in read_articles(corpus):
        for copy in range(copies):
            for section in record["sections"]:
                rows.append((f"{section['id']}-{copy}", record.get("title", ""),
                             section.get("heading", ""), section["text"]))
    for article, pairs in (pages or {}).items():
        for locale in ("en", "ar"):
            rows.append((f"{article}#lead@{locale}", "", "", "\n\n".join(collapse(p[locale]) for p in pairs)))
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


def search_latencies(index_dir: Path, queries: list[str], before: list[str]) -> list[float]:
    """Latencies of this project's search over queries, in seconds: one process, one searcher
    kept open and prepared, as `pipeline serve` does, that has answered the `before` queries
    first (none of them timed)."""
    from pipeline.engine.whoosh import WhooshEngine
    from pipeline.search import prepare, search_with

    with WhooshEngine(index_dir).reader() as reader:
        prepare(reader)
        gc.collect()  # and what the process holds by then is frozen, as `pipeline serve` does
        gc.freeze()
        try:
            for query in before or ["warm up"]:
                search_with(reader, query)
            latencies = []
            for query in queries:
                started = time.perf_counter()
                search_with(reader, query)
                latencies.append(time.perf_counter() - started)
        finally:
            gc.unfreeze()
    return latencies


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def load_queries(corpus: Path, count: int) -> tuple[list[str], list[str]]:
    """count dev queries spread over both languages, and as many others (for a server to have
    answered before them)."""
    queries = []
    for name in ("queries-dev-en.jsonl", "queries-dev-ar.jsonl"):
        with open(corpus / name, encoding="utf-8") as lines:
            queries += [json.loads(line)["query"] for line in lines if line.strip()]
    step = max(1, len(queries) // count)
    timed = set(range(0, len(queries), step)[:count])
    others = [query for number, query in enumerate(queries) if number not in timed]
    return [queries[number] for number in sorted(timed)], others[::max(1, len(others) // count)][:count]


def html2po_seconds(sources: Path, out: Path) -> float | None:
    """Translate Toolkit's html2po over the site's HTML files (templates only), or None if not installed."""
    html2po = shutil.which("html2po") or shutil.which("html2po", path=str(Path(sys.executable).parent))
    if html2po is None:
        return None
    started = time.perf_counter()
    subprocess.run([html2po, "--progress=none", "--pot", str(sources), str(out)], check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - started


def measure(corpus: Path, work: Path, copies: int, queries: tuple[list[str], list[str]], report) -> dict:
    """Every figure for the site replicated `copies` times."""
    site = work / f"site-x{copies}"
    pages = build_site(corpus, work, site, copies)
    rows = sections_of(corpus, copies, pages)
    cpu = time.process_time()
    baseline = whoosh_loop(rows, work / f"baseline-x{copies}")
    baseline_cpu = time.process_time() - cpu
    report(f"x{copies}: plain Whoosh loop (StandardAnalyzer, 1 process): {baseline:.1f}s "
           f"for {len(rows):,} documents ({len(rows) / baseline:,.0f} documents/s; CPU {baseline_cpu:.1f}s)")
    figures = {"baseline_s": baseline, "baseline_cpu_s": baseline_cpu}
    toolkit = html2po_seconds(site / "sources", work / f"html2po-x{copies}")
    if toolkit is None:
        report(f"x{copies}: html2po: not installed (pip install -e '.[bench]'), skipped")
    else:
        figures["html2po_s"] = toolkit
        report(f"x{copies}: Translate Toolkit html2po (templates only, 1 process): {toolkit:.1f}s; "
               f"html2po then the loop: {toolkit + baseline:.1f}s, {(toolkit + baseline) / baseline:.2f} x the loop")
    ingest_wall, ingest_rss, ingest_cpu, out = run_cli_cpu(["ingest"], site)
    report(f"x{copies}: pipeline ingest (full): {ingest_wall:.1f}s, ratio to the loop "
           f"{ingest_wall / baseline:.2f}; CPU {ingest_cpu:.1f}s (ratio {ingest_cpu / baseline_cpu:.2f}); "
           f"peak RSS {ingest_rss:.0f} MB; {out.strip()}")
    if toolkit is not None:
        report(f"x{copies}: pipeline ingest / (html2po then the loop): {ingest_wall / (toolkit + baseline):.2f}")
    figures.update(ingest_s=ingest_wall, ingest_cpu_s=ingest_cpu, ingest_rss_mb=ingest_rss)
    if copies == 1:
        figures["reingest_s"] = min(run_cli(["ingest"], site)[0] for _ in range(3))
        report(f"x1: re-ingest, nothing changed: {figures['reingest_s']:.2f}s (best of 3)")
        edited = sorted(path for path in (site / "sources").iterdir() if path.is_file())[0]
        timings = []
        for n in range(3):
            edited.write_text(edited.read_text(encoding="utf-8").replace("</body>", f"<p>Edit {n}.</p></body>"),
                              encoding="utf-8")
            timings.append(run_cli(["ingest"], site)[0])
        figures["edit_one_s"] = min(timings)
        report(f"x1: re-ingest after editing one article: {figures['edit_one_s']:.2f}s (best of 3)")
        # Both of the README's queries: an Arabic one also needs its words' root families.
        medians = {query: statistics.median(run_cli(["search", query], site)[0] for _ in range(5))
                   for query in ("kidney stones", "حصى الكلى")}
        figures["search_process_s"] = max(medians.values())
        report("x1: `pipeline search` as a new process: "
               + ", ".join(f"{wall:.3f}s wall for {query!r}" for query, wall in medians.items())
               + " (median of 5 each)")
    # In a fresh process, as a reader's server would be: this one holds the corpus, and the
    # garbage collector's passes over it would be counted as search time. Warm: the server has
    # answered other readers' questions (other dev queries) before; first: it has just started.
    timed, others = queries
    with multiprocessing.get_context("spawn").Pool(1) as pool:
        ours = pool.apply(search_latencies, (site / "index", timed, others))
    with multiprocessing.get_context("spawn").Pool(1) as pool:
        first = pool.apply(search_latencies, (site / "index", timed, []))
    fts = fts5_latencies(rows, timed)
    figures.update(p50_ms=percentile(ours, 0.5) * 1000, p95_ms=percentile(ours, 0.95) * 1000,
                   first_p50_ms=percentile(first, 0.5) * 1000, first_p95_ms=percentile(first, 0.95) * 1000,
                   fts_p50_ms=percentile(fts, 0.5) * 1000, fts_p95_ms=percentile(fts, 0.95) * 1000)
    report(f"x{copies}: warm search over {len(timed)} dev queries, after {len(others)} other dev queries: "
           f"p50 {figures['p50_ms']:.1f} ms, p95 {figures['p95_ms']:.1f} ms (SQLite FTS5: p50 "
           f"{figures['fts_p50_ms']:.2f} ms, p95 {figures['fts_p95_ms']:.2f} ms)")
    report(f"x{copies}: the same queries first thing after the searcher is prepared: "
           f"p50 {figures['first_p50_ms']:.1f} ms, p95 {figures['first_p95_ms']:.1f} ms")
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
    # Commands are timed as `make` installs the package: with its bytecode written (where
    # PYTHONDONTWRITEBYTECODE is set, each new process would otherwise compile it: 0.1 s).
    compileall.compile_dir(Path(pipeline.__file__).parent, quiet=1)
    one = measure(args.corpus, work, 1, queries, print)
    if args.scale > 1:
        big = measure(args.corpus, work, args.scale, queries, print)
        print(f"x{args.scale} full ingest / x1 full ingest: {big['ingest_s'] / one['ingest_s']:.2f} "
              f"(linear would be {args.scale})")
    print(f"scratch files in {work}")


if __name__ == "__main__":
    main()
