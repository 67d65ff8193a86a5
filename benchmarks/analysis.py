"""Time the text analyzer against Whoosh's StandardAnalyzer on the shared corpus's texts.

    python -m benchmarks.analysis CORPUS_DIR [--repeat 3]

Prints tokens per second for both, best of --repeat runs over every title, heading and section
text, analysed as the index writer does (positions, mode "index").
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from whoosh.analysis import StandardAnalyzer

from pipeline.engine.whoosh.analyzer import text_analyzer

from .corpus import read_articles


def corpus_texts(corpus_dir: Path) -> list[str]:
    """Every title, heading and section text of the corpus's articles."""
    texts = []
    for record in read_articles(corpus_dir):
        texts.append(record.get("title", ""))
        for section in record["sections"]:
            texts.extend((section.get("heading", ""), section["text"]))
    return texts


def best_time(analyzer, texts: list[str], repeat: int) -> tuple[float, int]:
    """Best wall time of analysing every text, and the number of tokens yielded."""
    best, count = float("inf"), 0
    for _ in range(repeat):
        started, count = time.perf_counter(), 0
        for text in texts:
            for _token in analyzer(text, positions=True, mode="index"):
                count += 1
        best = min(best, time.perf_counter() - started)
    return best, count


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", type=Path)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    texts = corpus_texts(args.corpus)
    print(f"{len(texts)} texts, {sum(map(len, texts)):,} characters")
    rows = [("this project", text_analyzer()), ("Whoosh StandardAnalyzer", StandardAnalyzer())]
    timings = {name: best_time(analyzer, texts, args.repeat) for name, analyzer in rows}
    base = timings["Whoosh StandardAnalyzer"][0]
    for name, (seconds, tokens) in timings.items():
        print(f"{name:<24} {seconds:6.2f}s  {tokens / seconds:>10,.0f} tokens/s  {seconds / base:4.2f}x")


if __name__ == "__main__":
    main()
