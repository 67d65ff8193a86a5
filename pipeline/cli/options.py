"""The options several commands share, and the engine they name."""

from __future__ import annotations

from pathlib import Path

import click

from ..config import Config
from ..engine import ENGINES, open_engine

INDEX_OPTION = click.option("--index", "index_dir", type=click.Path(path_type=Path), default="index",
                            show_default=True, help="Folder of the search index.")
SOURCES_OPTION = click.option("--sources", type=click.Path(path_type=Path), default="sources",
                              show_default=True, help="Folder of source articles (.txt, .md, .html).")
LOCALES_OPTION = click.option("--locales", type=click.Path(path_type=Path), default="locales",
                              show_default=True, help="Folder of translation catalogues.")
ENGINE_OPTION = click.option("--engine", type=click.Choice(sorted(ENGINES)), default="whoosh", show_default=True,
                             envvar="PIPELINE_ENGINE",
                             help="Search engine holding the index: the embedded one, or a cluster.")
LOCALE_OPTION = click.option("--locale", metavar="LOCALE", help="Only this locale (default: every locale).")
JSON_OPTION = click.option("--json", "as_json", is_flag=True, help="Print the result as one JSON object.")


def engine_at(index_dir: Path, name: str):
    """The engine of the command's --engine and --index (a cluster's settings from the environment)."""
    return open_engine(Config(index=index_dir, engine=name, cluster=cluster_settings(name)))


def cluster_settings(engine: str):
    """The cluster settings of the OPENSEARCH_* variables, read for the engine that uses them only."""
    from ..config import ClusterSettings

    return ClusterSettings.from_environment() if engine == "opensearch" else ClusterSettings()
