"""Each step of an ingest on pathological article shapes: time per MB, next to a baseline of the same run.

    python -m benchmarks.pathological [--work DIR] [--article PATH] [--sizes 1,5]
                                      [--shapes repeated,tiny,...] [--formats html,md,txt] [--budget 600]
                                      [--skip ingest,merge] [--json FILE]

Shapes, each written as one article of about SIZE MB in each format:

- normal:    the paragraphs and headings of --article (default: the bundled kidney-stones.html),
             numbered and repeated: what an ingest is built for;
- repeated:  one short paragraph ("Back to top.") over and over;
- tiny:      distinct paragraphs of a word each;
- huge:      one paragraph of the whole size;
- headings:  the same heading, each over a one-line paragraph (thousands of sections);
- entity:    paragraphs that start with an entity (`&#107;x`), which the source spells otherwise
             than the parsed text.

Steps: read (read and decode), parse, messages (source_messages, contexts of repeated texts),
template (build and render the POT), catalogue (a new `ar` PO, rendered), localize (the article in
`ar` from that catalogue, every message translated), analysis (the index terms of every section),
ingest (a whole first ingest, one process, with an `ar` locale: the steps above and the index),
merge (the translated catalogue merged with the template of the article with every tenth paragraph
edited: fuzzy matching).

Baseline: reading and parsing the normal article of the same size in HTML, measured in the same
run; every step's time is also shown as a multiple of it. Each article is measured in a process of
its own (its peak memory is shown); a step that takes longer than --budget seconds is stopped and
shown as over it, and the steps after it are not run (merge comes last: fuzzy matching is the
step most likely to run over; --skip merge leaves it out).
"""

from __future__ import annotations

import argparse
import html
import json
import multiprocessing
import resource
import shutil
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from datetime import datetime, timezone
from pathlib import Path

# Merging is last: fuzzy matching is the step most likely to run over the budget, which ends a case.
STEPS = ("read", "parse", "messages", "template", "catalogue", "localize", "analysis", "ingest", "merge")
SHAPES = ("normal", "repeated", "tiny", "huge", "headings", "entity")
FORMATS = ("html", "md", "txt")
SUFFIX = {"html": ".html", "md": ".md", "txt": ".txt"}
BUNDLED_ARTICLE = Path(__file__).resolve().parent.parent / "sources" / "kidney-stones.html"
NOW = datetime(2025, 6, 1, tzinfo=timezone.utc)
MB = 1_000_000
HUGE_WORDS = ("kidney stones form when minerals in the urine crystallise and grow until they block "
              "the flow of urine through the ureter ").split()


# --- The shapes: each a stream of ("heading" | "paragraph", text), written out in a format ---------

def normal_units(article: Path) -> Callable[[int], Iterator[tuple[str, str]]]:
    """The units of the normal shape: article's headings and paragraphs, numbered on each repeat."""
    from pipeline.parsers import PARSERS
    from pipeline.sources import decode

    document = PARSERS[article.suffix.lower()](decode(article.read_bytes(), str(article)), str(article))
    units = []
    for section in document.sections:
        if section.heading:
            units.append(("heading", section.heading))
        units += [("paragraph", paragraph.text) for paragraph in section.paragraphs]

    def units_of(copy: int) -> Iterator[tuple[str, str]]:
        for kind, text in units:
            yield kind, f"{text} ({copy})"

    return units_of


def shape_units(shape: str, normal: Callable[[int], Iterator[tuple[str, str]]]) -> Iterator[tuple[str, str]]:
    """An endless stream of the shape's units."""
    number = 0
    while True:
        number += 1
        if shape == "normal":
            yield from normal(number)
        elif shape == "repeated":
            yield "paragraph", "Back to top."
        elif shape == "tiny":
            yield "paragraph", f"w{number}"
        elif shape == "huge":
            yield "paragraph", " ".join(HUGE_WORDS)
        elif shape == "headings":
            yield "heading", "Causes"
            yield "paragraph", f"Text {number}."
        elif shape == "entity":
            yield "paragraph", f"kx{number} stones and the kidney."  # its k written as an entity
        else:
            raise ValueError(f"unknown shape {shape!r}")


def write_article(path: Path, shape: str, form: str, size: int, normal) -> None:
    """Write an article of the shape in a format, of about size bytes (never more than 1% over)."""
    head, tail = {
        "html": ("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Pathological</title>"
                 "</head><body>\n", "</body></html>\n"),
        "md": ("# Pathological\n\n", ""),
        "txt": ("Pathological\n\n", ""),
    }[form]
    pieces, written = [head], len(head) + len(tail)
    huge = shape == "huge"
    if huge:  # one paragraph: its words joined by spaces, not one unit per line
        pieces.append({"html": "<p>", "md": "", "txt": ""}[form])
    for kind, text in shape_units(shape, normal):
        piece = _unit(kind, text, form, huge, entity=shape == "entity")
        if written + len(piece.encode()) > size:
            break
        pieces.append(piece)
        written += len(piece.encode())
    if huge:
        pieces.append({"html": "</p>\n", "md": "\n", "txt": "\n"}[form])
    pieces.append(tail)
    path.write_text("".join(pieces), encoding="utf-8")


def _unit(kind: str, text: str, form: str, huge: bool, entity: bool) -> str:
    """One heading or paragraph in a format (a word of the huge paragraph); entity: its first letter as one."""
    if huge:
        return text + " "
    if form == "html":
        text = html.escape(text, quote=False)
    if entity and form != "txt":  # plain text has no entities
        text = f"&#{ord(text[0])};{text[1:]}"
    if kind == "heading":
        return f"<h2>{text}</h2>\n" if form == "html" else f"## {text}\n\n" if form == "md" else f"{text}\n\n"
    return f"<p>{text}</p>\n" if form == "html" else f"{text}\n\n"


# --- The steps, run in a process of their own ------------------------------------------------------

def run_steps(path: Path, work: Path, report: Callable[[str, float, float], None],
              skip: frozenset[str] = frozenset()) -> None:
    """Run every step on the article at path (under work/sources), calling report(step, seconds, peak MB);
    skip: steps not to run (ingest, merge: nothing after them needs them)."""
    from pipeline.analysis import index_terms
    from pipeline.catalogue.localize import localize
    from pipeline.catalogue.merge import new_catalogue
    from pipeline.catalogue.messages import build_template, source_messages
    from pipeline.catalogue.pofile import parse_catalogue, render
    from pipeline.model import Article
    from pipeline.parsers import PARSERS
    from pipeline.sources import SourceFile, decode, read_bytes

    source = SourceFile(path.stem, path)
    timer = _Timer(report)
    with timer("read"):
        text = decode(read_bytes(source, max_bytes=10 * MB), f"sources/{path.name}")
    with timer("parse"):
        document = PARSERS[path.suffix](text, f"sources/{path.name}")
    article = Article(path.stem, "en", document.title, document.byline, document.sections,
                      f"sources/{path.name}", "0", document.title_line)
    with timer("messages"):
        source_messages(article)
    with timer("template"):
        template = build_template(article, NOW)
        render(template)
    with timer("catalogue"):
        rendered = render(new_catalogue(template, "ar", NOW))
    translated = parse_catalogue(rendered, "ar.po")
    for message in translated:
        if message.id:
            message.string = f"ترجمة {message.id}"
    with timer("localize"):
        localize(article, "ar", translated)
    with timer("analysis"):
        for section in article.sections:
            index_terms(section.heading)
            index_terms(section.text)
    if "ingest" not in skip:
        _ingest_step(path, work, timer)
    if "merge" not in skip:
        _merge_step(article, translated, timer)


def _ingest_step(path: Path, work: Path, timer: "_Timer") -> None:
    from pipeline.config import Config
    from pipeline.ingest import ingest

    locales = work / "locales"
    (locales / "ar" / "LC_MESSAGES").mkdir(parents=True)
    with timer("ingest"):
        result = ingest(Config(sources=path.parent, locales=locales, index=work / "index", max_bytes=10 * MB,
                               jobs=1), now=NOW)
    if result.failed:
        raise SystemExit(f"the ingest of {path.name} failed: {result.failed[0]}")


def _merge_step(article, translated, timer: "_Timer") -> None:
    from pipeline.catalogue.merge import merge
    from pipeline.catalogue.messages import build_template
    from pipeline.model import Article, Paragraph, Section

    edited = Article(article.id, article.locale, article.title, article.byline, tuple(
        Section(section.id, section.heading, section.line, tuple(
            Paragraph(paragraph.text + (" Updated." if (number + index) % 10 == 0 else ""), paragraph.line)
            for index, paragraph in enumerate(section.paragraphs)))
        for number, section in enumerate(article.sections)), article.path, "1", article.title_line)
    edited_template = build_template(edited, NOW)
    with timer("merge"):
        merge(translated, edited_template)


class _Timer:
    def __init__(self, report):
        self.report = report

    def __call__(self, step: str):
        self.step = step
        return self

    def __enter__(self):
        self.started = time.perf_counter()

    def __exit__(self, kind, value, traceback):
        if kind is None:
            peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux reports KiB
            self.report(self.step, time.perf_counter() - self.started, peak)


def _child(path: str, work: str, skip: frozenset[str], connection) -> None:
    try:
        run_steps(Path(path), Path(work), lambda *figures: connection.send(figures), skip)
    except BaseException as error:  # noqa: BLE001 - told to the parent, which shows it
        connection.send(("error", repr(error), 0.0))
    finally:
        connection.close()


def measure(path: Path, work: Path, budget: float,
            skip: frozenset[str] = frozenset()) -> dict[str, tuple[float | None, float]]:
    """{step: (seconds or None when over budget, peak MB)} for the article at path, in a new process."""
    context = multiprocessing.get_context("fork")
    receiver, sender = context.Pipe(duplex=False)
    process = context.Process(target=_child, args=(str(path), str(work), skip, sender))
    process.start()
    sender.close()
    figures: dict[str, tuple[float | None, float]] = {}
    try:
        for step in (step for step in STEPS if step not in skip):
            if not receiver.poll(budget):
                figures[step] = (None, 0.0)
                break
            try:
                name, seconds, peak = receiver.recv()
            except EOFError:
                raise SystemExit(f"measuring {path.name} ended unexpectedly at step {step}") from None
            if name == "error":
                raise SystemExit(f"measuring {path.name} failed at step {step}: {seconds}")
            figures[name] = (seconds, peak)
    finally:
        process.terminate()
        process.join()
        receiver.close()
    return figures


# --- The run -----------------------------------------------------------------------------------

def baseline(path: Path, repeats: int = 3) -> float:
    """Seconds to read and parse the article at path (the best of repeats)."""
    from pipeline.parsers import PARSERS
    from pipeline.sources import SourceFile, decode, read_bytes

    best = float("inf")
    for _ in range(repeats):
        started = time.perf_counter()
        text = decode(read_bytes(SourceFile(path.stem, path), max_bytes=10 * MB), str(path))
        PARSERS[path.suffix](text, str(path))
        best = min(best, time.perf_counter() - started)
    return best


def run(work: Path, article: Path, sizes: list[float], shapes: list[str], formats: list[str],
        budget: float, skip: frozenset[str] = frozenset(), out=sys.stdout) -> list[dict]:
    """Measure every shape in every format at every size; print the tables; return the figures.

    The baseline is measured again before each article, so that a machine whose load changes
    during the run (they take minutes each) compares each step with what it did at that time.
    """
    normal = normal_units(article)
    rows = []
    for size in sizes:
        folder = work / f"{size:g}MB"
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
        base_path = folder / "baseline" / "normal.html"
        base_path.parent.mkdir()
        write_article(base_path, "normal", "html", int(size * MB), normal)
        megabytes = base_path.stat().st_size / MB
        base = baseline(base_path)
        print(f"\n{size:g} MB: baseline, read + parse of a normal HTML article of {megabytes:.2f} MB: "
              f"{base:.3f} s ({base / megabytes:.3f} s/MB)", file=out)
        print(_HEADER, file=out, flush=True)
        cases = []
        for shape in shapes:
            for form in formats:
                case = folder / f"{shape}-{form}"
                path = case / "sources" / f"{shape}{SUFFIX[form]}"
                path.parent.mkdir(parents=True)
                write_article(path, shape, form, int(size * MB), normal)
                base = baseline(base_path, repeats=2)
                figures = measure(path, case, budget, skip)
                row = {"size": size, "shape": shape, "format": form, "mb": path.stat().st_size / MB,
                       "baseline_seconds_per_mb": base / megabytes,
                       "steps": {step: figures.get(step, (None, 0.0))[0] for step in STEPS},
                       "over_budget": [step for step in STEPS if step in figures and figures[step][0] is None],
                       "peak_mb": max((peak for _, peak in figures.values()), default=0.0)}
                print(_per_mb(row, budget), file=out, flush=True)
                cases.append(row)
                shutil.rmtree(case)
        print("times the baseline (measured again before each article):", file=out)
        for row in cases:
            print(_times_baseline(row), file=out)
        rows += cases
    return rows


_WIDTH = 9
_HEADER = (f"{'shape':<9} {'format':<6} {'MB':>5}  " + " ".join(f"{step:>{_WIDTH}}" for step in STEPS)
           + f"  {'peak MB':>7}\n(seconds per MB of the article)")


def _per_mb(row: dict, budget: float) -> str:
    cells = []
    for step in STEPS:
        seconds = row["steps"][step]
        if step in row["over_budget"]:
            cells.append(f">{budget:g}s".rjust(_WIDTH))
        elif seconds is None:
            cells.append("-".rjust(_WIDTH))
        else:
            cells.append(f"{seconds / row['mb']:.3f}".rjust(_WIDTH))
    return f"{row['shape']:<9} {row['format']:<6} {row['mb']:>5.2f}  " + " ".join(cells) + f"  {row['peak_mb']:>7.0f}"


def _times_baseline(row: dict) -> str:
    """Each step's seconds per MB as a multiple of the baseline's."""
    base = row["baseline_seconds_per_mb"]
    cells = [(f"{row['steps'][step] / row['mb'] / base:.2f}x" if row["steps"][step] is not None else "-")
             .rjust(_WIDTH) for step in STEPS]
    return f"{row['shape']:<9} {row['format']:<6} {'':>5}  " + " ".join(cells)


def main(argv: list[str] | None = None) -> list[dict]:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--work", type=Path, help="scratch folder (default: a temporary one)")
    parser.add_argument("--article", type=Path, default=BUNDLED_ARTICLE,
                        help="the article whose paragraphs make the normal shape (default: %(default)s)")
    parser.add_argument("--sizes", default="1,5", help="article sizes in MB, comma-separated (default: 1,5)")
    parser.add_argument("--shapes", default=",".join(SHAPES), help="comma-separated, of: " + ", ".join(SHAPES))
    parser.add_argument("--formats", default=",".join(FORMATS), help="comma-separated, of: " + ", ".join(FORMATS))
    parser.add_argument("--budget", type=float, default=600.0, help="seconds a step may take (default: 600)")
    parser.add_argument("--skip", default="", help="steps not to run, comma-separated, of: ingest, merge")
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    args = parser.parse_args(argv)
    shapes, formats = args.shapes.split(","), args.formats.split(",")
    skip = frozenset(filter(None, args.skip.split(",")))
    for name, allowed in ((shapes, SHAPES), (formats, FORMATS), (skip, ("ingest", "merge"))):
        unknown = sorted(set(name) - set(allowed))
        if unknown:
            parser.error(f"unknown: {', '.join(unknown)}")
    sizes = [float(size) for size in args.sizes.split(",")]
    with tempfile.TemporaryDirectory() as scratch:
        rows = run(args.work or Path(scratch), args.article, sizes, shapes, formats, args.budget, skip)
    if args.json:
        args.json.write_text(json.dumps(rows, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    return rows


if __name__ == "__main__":
    main()
