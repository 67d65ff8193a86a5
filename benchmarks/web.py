"""How fast the reader's web page answers: `pipeline serve` on loopback and a loop of GET requests.

    python -m benchmarks.web CORPUS_DIR [--work DIR] [--queries N] [--repeats R]

Converts the shared corpus to sources (benchmarks.corpus) and ingests them into --work (a second run
reuses that index: ingest skips unchanged articles), starts `pipeline serve --port 0` in its own
process, then, one request at a time over one keep-alive connection to 127.0.0.1:

- new search: each of N dev-split queries (half English with lang=en, half Arabic with lang=ar),
  asked for the first time (the server is up and its index open, but the query is new to it);
- warm search: the same pages asked R more times (a reader's repeated or popular query);
- article: the article page of each query's first hit.

Prints p50 / p95 / max per phase and the number of errors (answers other than 200).
"""

from __future__ import annotations

import argparse
import http.client
import json
import queue
import re
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlencode

from .corpus import write_sources

QUERY_FILES = (("queries-dev-en.jsonl", "en"), ("queries-dev-ar.jsonl", "ar"))
_HIT_LINK = re.compile(r'<h2 class="hit-title"[^>]*>\s*<a href="([^"#]+)')


def dev_queries(corpus_dir: Path, count: int) -> list[tuple[str, str]]:
    """The first count/2 English and count/2 Arabic queries of the dev split, as (query, lang)."""
    chosen = []
    for name, lang in QUERY_FILES:
        with open(corpus_dir / name, encoding="utf-8") as lines:
            records = [json.loads(line) for line in lines if line.strip()]
        chosen += [(record["query"], lang) for record in records[:count // 2]]
    return chosen


def start_server(index: Path) -> tuple[subprocess.Popen, str, int]:
    """`pipeline serve --port 0` in its own process; returns it with the host and port it bound."""
    pipeline = Path(sys.executable).with_name("pipeline")
    process = subprocess.Popen([str(pipeline), "serve", "--index", str(index), "--port", "0"],
                               stdout=subprocess.PIPE, text=True)
    lines: queue.Queue[str] = queue.Queue()
    threading.Thread(target=lambda: [lines.put(line) for line in process.stdout], daemon=True).start()
    match = re.search(r"http://(127\.0\.0\.1):(\d+)/", lines.get(timeout=60))
    if not match:
        process.kill()
        sys.exit("pipeline serve did not say where it listens")
    return process, match.group(1), int(match.group(2))


def timed_get(connection: http.client.HTTPConnection, path: str) -> tuple[float, int, str]:
    """GET path; return the seconds until the whole body was read, the status and the body."""
    started = time.perf_counter()
    connection.request("GET", path)
    response = connection.getresponse()
    body = response.read().decode("utf-8", "replace")
    return time.perf_counter() - started, response.status, body


def percentile(seconds: list[float], fraction: float) -> float:
    ordered = sorted(seconds)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


def report(label: str, seconds: list[float], errors: int) -> None:
    print(f"{label:<12} {len(seconds):5} requests  p50 {percentile(seconds, 0.5) * 1000:6.1f} ms  "
          f"p95 {percentile(seconds, 0.95) * 1000:6.1f} ms  max {max(seconds) * 1000:6.1f} ms  "
          f"errors {errors}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("corpus", type=Path, help="the shared corpus folder")
    parser.add_argument("--work", type=Path, help="folder for sources/ and index/ (kept; default: a temporary one)")
    parser.add_argument("--queries", type=int, default=200, help="how many dev queries (half per language)")
    parser.add_argument("--repeats", type=int, default=3, help="how many warm passes over them")
    args = parser.parse_args()
    work = args.work or Path(tempfile.mkdtemp(prefix="reader-bench-"))
    sources, index = work / "sources", work / "index"
    print(write_sources(args.corpus, sources), "articles in", sources)
    subprocess.run([str(Path(sys.executable).with_name("pipeline")), "ingest", "--sources", str(sources),
                    "--index", str(index), "--locales", str(work / "locales")], check=True)
    process, host, port = start_server(index)
    try:
        connection = http.client.HTTPConnection(host, port, timeout=30)
        pages = ["/?" + urlencode({"q": query, "lang": lang}) for query, lang in dev_queries(args.corpus, args.queries)]
        timed_get(connection, "/")  # the first request sets up the app's lazily built parts
        new, warm, articles, errors = [], [], [], {"new": 0, "warm": 0, "article": 0}
        article_pages = []
        for path in pages:
            seconds, status, body = timed_get(connection, path)
            new.append(seconds)
            errors["new"] += status != 200
            link = _HIT_LINK.search(body)
            if link:
                article_pages.append(link.group(1).replace("&amp;", "&"))
        for _ in range(args.repeats):
            for path in pages:
                seconds, status, _ = timed_get(connection, path)
                warm.append(seconds)
                errors["warm"] += status != 200
        for path in article_pages:
            seconds, status, _ = timed_get(connection, path)
            articles.append(seconds)
            errors["article"] += status != 200
        report("new search", new, errors["new"])
        report("warm search", warm, errors["warm"])
        if articles:
            report("article", articles, errors["article"])
    finally:
        process.terminate()
        process.wait(timeout=10)


if __name__ == "__main__":
    main()
