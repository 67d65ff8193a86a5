"""Real translations end to end: TICO-19's English documents with their professional Arabic.

    python -m benchmarks.tico19 CORPUS_DIR [--work DIR] [--page-size N] [--words K] [--limit N]

1. Builds English articles from `CORPUS_DIR/parallel-tico19-en-ar.jsonl`: the sentence pairs
   of each TICO-19 document (`doc`) in `seq` order, one paragraph per sentence, split into pages
   of --page-size sentences: `sources/tico19/<doc>/part-NN.html` (article ids with `/`).
2. Starts the `ar` locale (`catalog init ar`) and ingests: English only, nothing translated yet.
3. Fills the translators' Arabic into every `ar` catalogue, through Babel, and ingests again.
4. Queries the index as an Arabic reader would: for every sentence, its --words rarest Arabic
   words, with `--lang ar`. A query succeeds when the sentence's page is found, shown in Arabic
   with status `translated`. It prints hit@1, hit@10, MRR@10, the statuses shown, and the same
   for the English key words (found through the English version, shown in Arabic).

Also prints the catalogue figures (`catalog stats`, `catalog check` codes) and timings. Exits 1
when a check fails: a page not fully translated, or an Arabic hit that is not `translated`.
"""

from __future__ import annotations

import argparse
import html
import json
import re
import sys
import tempfile
import time
from collections import Counter, defaultdict
from pathlib import Path

from pipeline.analysis import analyze
from pipeline.catalogue.checks import check
from pipeline.catalogue.folder import catalogue_path, init_locale
from pipeline.catalogue.pofile import read_catalogue, render
from pipeline.catalogue.stats import stats
from pipeline.config import Config
from pipeline.engine.whoosh import WhooshEngine
from pipeline.files import write_file
from pipeline.ingest import ingest
from pipeline.model import collapse
from pipeline.search import search

PAIRS_FILE = "parallel-tico19-en-ar.jsonl"
# A word: letters, with any Arabic marks (harakat, tatweel) inside it; three letters or more.
_WORD = re.compile(r"[^\W\d_](?:[^\W\d_]|[\u064b-\u065f\u0670\u0640])+[^\W\d_]")


def read_documents(corpus_dir: Path) -> dict[str, list[dict]]:
    """The sentence pairs of each TICO-19 document, in order."""
    documents: dict[str, list[dict]] = defaultdict(list)
    with open(corpus_dir / PAIRS_FILE, encoding="utf-8") as lines:
        for line in lines:
            if line.strip():
                pair = json.loads(line)
                if collapse(pair["en"]) and collapse(pair["ar"]):
                    documents[pair["doc"]].append(pair)
    return {doc: sorted(pairs, key=lambda p: p["seq"]) for doc, pairs in sorted(documents.items())}


def write_pages(documents: dict[str, list[dict]], sources_dir: Path, page_size: int) -> dict[str, list[dict]]:
    """Write each document as pages of page_size sentences; return the pairs of each article id."""
    pages = {}
    for doc, pairs in documents.items():
        for number, start in enumerate(range(0, len(pairs), page_size), start=1):
            article_id = f"tico19/{doc}/part-{number:02d}"
            chunk = pairs[start:start + page_size]
            body = "\n".join(f"<p>{html.escape(collapse(p['en']))}</p>" for p in chunk)
            path = sources_dir / f"{article_id}.html"
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(f'<!DOCTYPE html>\n<html lang="en">\n<head><meta charset="utf-8"></head>\n'
                            f"<body>\n{body}\n</body></html>\n", encoding="utf-8")
            pages[article_id] = chunk
    return pages


def fill_catalogues(locales_dir: Path, pages: dict[str, list[dict]]) -> tuple[int, int]:
    """Put the professional Arabic into each page's `ar` catalogue; return (filled, not found)."""
    filled = missing = 0
    for article_id, pairs in pages.items():
        path = catalogue_path(locales_dir, "ar", article_id)
        catalogue = read_catalogue(path)
        messages = [m for m in catalogue if m.id]
        translations = {collapse(p["en"]): collapse(p["ar"]) for p in pairs}
        for message in messages:
            if message.id in translations:
                message.string = translations[message.id]
                filled += 1
            else:
                missing += 1
        write_file(path, render(catalogue))
    return filled, missing


def key_words(text: str, frequency: Counter, count: int) -> str:
    """The count rarest words of a sentence that the analyzer keeps (no stop words, no short words)."""
    words = list(dict.fromkeys(w for w in _WORD.findall(text) if analyze(w)))
    ranked = sorted(words, key=lambda w: (frequency[w], words.index(w)))
    return " ".join(ranked[:count])


def evaluate(index_dir: Path, queries: list[tuple[str, str]], limit: int) -> dict:
    """Run each (query, expected article) with --lang ar; figures over every query."""
    found_at: list[int | None] = []
    shown = Counter()
    wrongly_arabic = 0
    engine = WhooshEngine(index_dir)
    started = time.perf_counter()
    for text, expected in queries:
        result = search(engine, text, lang="ar", limit=limit)
        rank = next((h.rank for h in result.hits if h.article == expected), None)
        found_at.append(rank)
        if rank is not None:
            hit = result.hits[rank - 1]
            shown[(hit.locale, hit.status)] += 1
        wrongly_arabic += sum(1 for h in result.hits if h.locale == "ar" and h.status not in ("translated", "partial"))
    seconds = time.perf_counter() - started
    n = len(queries) or 1
    return {
        "queries": len(queries),
        "hit@1": round(sum(1 for r in found_at if r == 1) / n, 4),
        "hit@10": round(sum(1 for r in found_at if r is not None and r <= 10) / n, 4),
        "mrr@10": round(sum(1 / r for r in found_at if r is not None and r <= 10) / n, 4),
        "expected page shown as": {f"{locale}/{status}": count for (locale, status), count in sorted(shown.items())},
        "untranslated shown as ar": wrongly_arabic,
        "ms per query": round(1000 * seconds / n, 2),
    }


def run(corpus_dir: Path, work: Path, page_size: int = 10, words: int = 4, limit: int = 10) -> dict:
    """Build, translate, ingest and query; return every figure."""
    config = Config(sources=work / "sources", locales=work / "locales", index=work / "index")
    documents = read_documents(corpus_dir)
    pages = write_pages(documents, config.sources, page_size)
    figures: dict = {"documents": len(documents), "pages": len(pages),
                     "sentence pairs": sum(len(p) for p in pages.values())}

    started = time.perf_counter()
    init_locale(config, "ar")
    figures["catalog init ar (s)"] = round(time.perf_counter() - started, 2)
    report = ingest(config)
    figures["ingest, English only"] = _ingest_figures(report)
    figures["filled, not found"] = fill_catalogues(config.locales, pages)
    report = ingest(config)
    figures["ingest after translating"] = _ingest_figures(report)
    report = ingest(config)
    figures["ingest, nothing changed"] = _ingest_figures(report)

    messages, source_words = stats(config.locales, "ar").total()
    figures["catalog stats ar"] = {"messages": messages.as_json(), "words": source_words.as_json()}
    problems = check(config.locales, "ar")
    figures["catalog check ar"] = dict(sorted(Counter(p.code for p in problems.problems).items()))

    ar_frequency = Counter(w for pairs in pages.values() for p in pairs for w in set(_WORD.findall(p["ar"])))
    en_frequency = Counter(w for pairs in pages.values() for p in pairs for w in set(_WORD.findall(p["en"])))
    arabic = [(key_words(p["ar"], ar_frequency, words), article_id)
              for article_id, pairs in pages.items() for p in pairs]
    english = [(key_words(p["en"], en_frequency, words), article_id)
               for article_id, pairs in pages.items() for p in pairs]
    figures["Arabic key words, --lang ar"] = evaluate(config.index, [q for q in arabic if q[0]], limit)
    figures["English key words, --lang ar"] = evaluate(config.index, [q for q in english if q[0]], limit)
    return figures


def _ingest_figures(report) -> dict:
    return {"seconds": round(report.seconds, 2), "articles changed": len(report.added) + len(report.changed),
            "unchanged": len(report.unchanged), "catalogue files written": report.catalogue_files,
            "sections indexed": report.by_locale, "failed": len(report.failed)}


def failures(figures: dict) -> list[str]:
    """What the benchmark promises and did not get."""
    problems = []
    messages = figures["catalog stats ar"]["messages"]
    if messages["translated"] != messages["total"]:
        problems.append(f"{messages['total'] - messages['translated']} messages not translated")
    for name in ("Arabic key words, --lang ar", "English key words, --lang ar"):
        result = figures[name]
        if result["untranslated shown as ar"]:
            problems.append(f"{name}: {result['untranslated shown as ar']} untranslated hits shown as ar")
        if set(result["expected page shown as"]) - {"ar/translated"}:
            problems.append(f"{name}: expected pages shown as {result['expected page shown as']}")
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("corpus_dir", type=Path, help=f"folder holding {PAIRS_FILE}")
    parser.add_argument("--work", type=Path, help="project folder to build (default: a temporary one)")
    parser.add_argument("--page-size", type=int, default=10, help="sentences per article (default 10)")
    parser.add_argument("--words", type=int, default=4, help="key words per query (default 4)")
    parser.add_argument("--limit", type=int, default=10, help="hits per query (default 10)")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="tico19-") as temporary:
        work = args.work or Path(temporary)
        figures = run(args.corpus_dir, work, args.page_size, args.words, args.limit)
    print(json.dumps(figures, ensure_ascii=False, indent=2))
    problems = failures(figures)
    for problem in problems:
        print(f"FAILED: {problem}", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
