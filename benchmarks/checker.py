"""How often `catalog check` warns about correct translations: the bundled ones and TICO-19's.

    python -m benchmarks.checker CORPUS_DIR [--locales DIR] [--work DIR] [--examples N]

1. The bundled Arabic catalogues (--locales, default `locales`) with the shipped concept table.
2. TICO-19's professional English/Arabic pairs (`CORPUS_DIR/parallel-tico19-en-ar.jsonl`), one
   catalogue per TICO-19 document, checked with the shipped concept table into which the COVID-19
   glossary (`CORPUS_DIR/glossary-tico19-covid-en-ar.jsonl`) was imported (in a copy under --work).

Every translation here was written and reviewed by people, so every problem reported is counted
as a false alarm (an upper bound: a few may be real slips of the source data). Prints, per code,
the problems per 100 reviewed messages, and for `terminology` the share of messages that name a
concept; with --examples, that many examples of each code.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
from collections import Counter, defaultdict
from importlib import resources
from pathlib import Path

from babel.messages.catalog import Catalog

from pipeline.catalogue.checks import check
from pipeline.catalogue.pofile import read_catalogue, render
from pipeline.catalogue.terminology import concepts_named, text_language
from pipeline.concepts import default_concepts, read_concepts
from pipeline.files import write_file
from pipeline.model import collapse
from pipeline.termbase import import_terms

PAIRS_FILE = "parallel-tico19-en-ar.jsonl"
GLOSSARY_FILE = "glossary-tico19-covid-en-ar.jsonl"


def write_tico_catalogues(corpus_dir: Path, locales_dir: Path) -> int:
    """One `ar` catalogue per TICO-19 document, msgid the English, msgstr the Arabic; returns the pair count."""
    documents: dict[str, list[dict]] = defaultdict(list)
    with open(corpus_dir / PAIRS_FILE, encoding="utf-8") as lines:
        for line in lines:
            if line.strip():
                pair = json.loads(line)
                documents[pair["doc"]].append(pair)
    total = 0
    for doc, pairs in sorted(documents.items()):
        catalogue = Catalog(locale="ar", project="tico19", version=doc)
        for pair in sorted(pairs, key=lambda p: p["seq"]):
            source, target = collapse(pair["en"]), collapse(pair["ar"])
            if source and target and catalogue.get(source) is None:
                catalogue.add(source, target)
                total += 1
        write_file(locales_dir / "ar" / "LC_MESSAGES" / f"{doc}.po", render(catalogue))
    return total


def reviewed_messages(locales_dir: Path) -> list[tuple[str, str]]:
    """(msgid, msgstr) of every reviewed singular translation under a locales folder."""
    found = []
    for path in sorted(locales_dir.rglob("*.po")):
        for message in read_catalogue(path):
            if message.id and isinstance(message.id, str) and message.string and not message.fuzzy:
                found.append((message.id, message.string))
    return found


def report(name: str, locales_dir: Path, concepts, examples: int) -> dict:
    """Check a locales folder and print the false-alarm figures."""
    messages = reviewed_messages(locales_dir)
    result = check(locales_dir, "ar", concepts)
    codes = Counter(problem.code for problem in result.problems)
    naming = sum(1 for source, _ in messages if concepts_named(source, concepts, text_language(source)))
    print(f"\n{name}: {len(messages)} reviewed messages, {result.catalogues} catalogues, "
          f"{result.errors} errors and {result.warnings} warnings")
    flagged = len({(p.path, p.line) for p in result.problems})
    print(f"  messages with any problem: {flagged} ({100 * flagged / max(1, len(messages)):.1f} per 100)")
    for code, count in sorted(codes.items(), key=lambda item: (-item[1], item[0])):
        print(f"  {code:<18} {count:>5}  {100 * count / max(1, len(messages)):6.2f} per 100 messages")
    terminology = codes.get("terminology", 0)
    print(f"  terminology: {naming} messages name a concept; {terminology} warnings "
          f"({100 * terminology / max(1, naming):.1f} % of them)")
    if examples:
        shown: Counter = Counter()
        for problem in result.problems:
            if shown[problem.code] < examples:
                shown[problem.code] += 1
                print(f"    {problem}")
    return {"messages": len(messages), "naming": naming, "codes": dict(codes), "flagged": flagged}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("corpus", type=Path, help="the shared corpus folder")
    parser.add_argument("--locales", type=Path, default=Path("locales"), help="the bundled catalogues")
    parser.add_argument("--work", type=Path, help="where to write the TICO-19 catalogues (default: a temporary folder)")
    parser.add_argument("--examples", type=int, default=0, help="examples to print per code")
    args = parser.parse_args(argv)

    report("bundled", args.locales, default_concepts(), args.examples)
    work = args.work or Path(tempfile.mkdtemp(prefix="checker-"))
    try:
        locales_dir = work / "locales"
        pairs = write_tico_catalogues(args.corpus, locales_dir)
        table = work / "concepts.csv"
        table.write_text(resources.files("pipeline").joinpath("data", "concepts.csv").read_text(encoding="utf-8"),
                         encoding="utf-8")
        imported = import_terms(args.corpus / GLOSSARY_FILE, table)
        print(f"\nglossary: {imported.read} entries read, {imported.added} rows added, {imported.merged} rows "
              f"given new terms, {imported.unchanged} already there, {len(imported.skipped)} skipped")
        print(f"TICO-19: {pairs} pairs written as catalogues")
        report("TICO-19 with the glossary", locales_dir, read_concepts(table), args.examples)
        report("TICO-19 with the shipped table only", locales_dir, default_concepts(), 0)
    finally:
        if args.work is None:
            shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
