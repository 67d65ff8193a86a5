"""The readers' commands: search, the web reader, and how well the search serves a set of questions."""

from __future__ import annotations

from pathlib import Path

import click

from .options import ENGINE_OPTION, INDEX_OPTION, JSON_OPTION, engine_at
from .output import echo, highlight, json_text, readable, run, safe


# A query may start with "-" ("-5 degrees"): unknown option-like words are part of it.
@click.command(context_settings={"ignore_unknown_options": True})
@click.argument("query")
@INDEX_OPTION
@ENGINE_OPTION
@click.option("--lang", metavar="LOCALE",
              help="Show sections in this locale (e.g. en, ar); untranslated ones in their source locale.")
@click.option("--limit", type=click.IntRange(1, 1000), default=10, show_default=True,
              help="How many hits to show.")
@JSON_OPTION
def search(query: str, index_dir: Path, engine: str, lang: str | None, limit: int, as_json: bool) -> None:
    """Search the index for QUERY, typed as you would ask it."""
    from ..catalogue.demand import record_demand
    from ..locale_tags import underscored
    from ..search import search as run_search

    query = readable(query)
    result = run(lambda: run_search(engine_at(index_dir, engine), query, lang=lang, limit=limit))
    record_demand(result.hits, underscored(lang) if lang else None, index_dir)  # for `catalog todo --by-demand`
    if as_json:
        click.echo(json_text(result.as_json()))
        return
    if result.suggestion:
        echo(f"Did you mean “{safe(result.suggestion)}”?")
    if not result.hits:
        echo(f"No results for “{safe(query)}”.")
        return
    for hit in result.hits:
        heading = f" › {hit.heading}" if hit.heading else ""
        label = hit.locale if hit.status == "source" else f"{hit.locale}, {hit.status}"
        name = safe((hit.title or hit.article) + heading)
        click.echo(f"{hit.rank}. {click.style(name, bold=True)}  [{label}]")
        echo(f"   {safe(hit.path)}:{hit.line}")
        click.echo(f"   {highlight(hit.snippet, hit.highlights)}")
        if hit.matched:
            echo(f"   found through: {', '.join(hit.matched)}")
    echo(f"{len(result.hits)} of {result.total} matching sections.")


@click.command()
@INDEX_OPTION
@ENGINE_OPTION
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on (loopback by default; 0.0.0.0 for every interface).")
@click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True,
              help="Port to listen on (0 picks a free one).")
def serve(index_dir: Path, engine: str, host: str, port: int) -> None:
    """Serve the reader's web page: search and articles in English and Arabic."""
    from ..web import make_server

    server = run(lambda: make_server(engine_at(index_dir, engine), host=host, port=port, demand_dir=index_dir))
    for url in server.urls:
        echo(f"Serving the reader at {safe(url)} (Ctrl-C to stop)")
    server.run()


@click.command("eval")
@click.argument("queries", type=click.Path(path_type=Path, dir_okay=False))
@INDEX_OPTION
@ENGINE_OPTION
@click.option("--k", type=click.IntRange(1, 1000), default=10, show_default=True,
              help="Cut-off rank: score the top K articles.")
@click.option("--worst", type=click.IntRange(0, 1000), default=10, show_default=True,
              help="How many of the worst-served queries to list.")
@JSON_OPTION
def evaluate(queries: Path, index_dir: Path, engine: str, k: int, worst: int, as_json: bool) -> None:
    """Measure search quality on judged QUERIES (JSON Lines): MRR, nDCG and recall at K, per source."""
    from ..search.evaluate import evaluate_index

    result = run(lambda: evaluate_index(queries, engine_at(index_dir, engine), k))
    if as_json:
        click.echo(json_text(result.as_json(worst)))
        return
    for line in _evaluation_lines(result, worst):
        echo(safe(line))


def _evaluation_lines(result, worst: int) -> list[str]:
    """The evaluation as a table of scores and a list of the worst-served queries."""
    k = result.k
    lines = [f"{'source':<30} {'queries':>7} {f'MRR@{k}':>8} {f'nDCG@{k}':>8} {f'Recall@{k}':>10}"]
    for source, scores in [*result.sources, ("all", result.overall)]:
        lines.append(f"{source:<30} {scores.queries:>7} {scores.mrr:>8.4f} {scores.ndcg:>8.4f} {scores.recall:>10.4f}")
    if worst:
        lines.append(f"Worst-served queries (rank of the first relevant article; - if not in the top {k}):")
        for outcome in result.worst(worst):
            query = " ".join(outcome.judgement.query.split())
            query = query if len(query) <= 70 else query[:69] + "…"
            lines.append(f"  {outcome.rank or '-':>3}  {outcome.judgement.id}  {query}")
    return lines
