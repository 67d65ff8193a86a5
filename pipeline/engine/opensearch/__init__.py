"""The OpenSearch engine: the index in a cluster, for sites that outgrow one machine.

The only package that imports the OpenSearch client (opensearch-py, the `opensearch` extra).

Versions. Readers search an alias (`<prefix>-sections`) that names one complete, read-only
version of the index (`<prefix>-sections-<format>-<generation>`). An ingest writes the next
version beside it: a rebuild into a new index, an incremental run into a clone of the current
version (`_clone` hard-links its segments, so it costs little); only the changed articles are
sent, and the alias moves to the new version in one atomic request at the end. An interrupted
run leaves the alias where it was; what it left behind is deleted by the next one. The version
the alias left stays until the next ingest, for readers still searching it.

What is indexed (each article's state, for skipping unchanged ones) is kept in a small manifest
index beside the versions, stamped with the version it describes.

Scoring. The cluster finds and first ranks the candidates (query.py: BM25 through scripted
similarities, each clause's idf given by the engine); the best are then scored exactly as the
embedded engine scores them (scoring.py), bonuses included.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from ...config import ClusterSettings, Config
from ...errors import IndexingError
from .. import IndexedArticle, Scoring
from .cluster import Backoff, Cluster
from .schema import FORMAT, settings_digest

log = logging.getLogger(__name__)


class OpenSearchEngine:
    """An index kept in an OpenSearch cluster (see the module's description).

    The cluster does the indexing work: documents are sent from the ingest's own process
    (builds_parts is False), analysed there as they are sent.
    """

    name = "opensearch"
    builds_parts = False

    def __init__(self, settings: ClusterSettings, scoring: Scoring = Scoring(),
                 backoff: Backoff = Backoff(), environ=None):
        self.settings = settings
        self.scoring = scoring
        self.alias = f"{settings.prefix}-sections"
        self.location = f"{settings.url} (alias {self.alias})"
        self.manifest_index = f"{settings.prefix}-manifest"
        self._backoff = backoff
        self._environ = environ
        self._cluster: Cluster | None = None
        # The manifest as known_articles last read it: {article: (content_hash, stamp)}, or None.
        self._manifest: dict[str, tuple[str, str]] | None = None

    @classmethod
    def from_config(cls, config: Config) -> OpenSearchEngine:
        """The engine for config's cluster settings."""
        return cls(config.cluster)

    @property
    def cluster(self) -> Cluster:
        """The connection, made on first use."""
        if self._cluster is None:
            self._cluster = Cluster(self.settings, self._backoff, environ=self._environ)
        return self._cluster

    def current(self) -> str | None:
        """The version readers search now (the index the alias names), or None."""
        answer = self.cluster.call("indices.get_alias", name=self.alias, ignore=(404,))
        names = sorted(answer or ())
        if len(names) > 1:
            raise IndexingError(f"the alias {self.alias} names {len(names)} indexes ({', '.join(names)})",
                                hint="two ingests ran at once; point it at one of them, then run `pipeline ingest`")
        return names[0] if names else None

    def versions(self) -> list[str]:
        """Every version of the index in the cluster, complete or left by an interrupted run."""
        answer = self.cluster.call("indices.get", index=f"{self.alias}-*", ignore=(404,)) or {}
        return sorted(name for name in answer if generation(name) is not None)

    def compatible(self, index: str) -> bool:
        """Whether index was written in this format, with these similarities (else: rebuild)."""
        meta = self.meta(index)
        return meta.get("format") == FORMAT and meta.get("settings") == settings_digest(self.scoring)

    def meta(self, index: str) -> dict:
        """What the engine recorded in an index's mapping (`_meta.pipeline`)."""
        answer = self.cluster.call("indices.get_mapping", index=index, ignore=(404,)) or {}
        mapping = next(iter(answer.values()), {}).get("mappings", {})
        return mapping.get("_meta", {}).get("pipeline", {})

    def exists(self) -> bool:
        """Whether readers have a version of this format to search."""
        index = self.current()
        return index is not None and self.meta(index).get("format") == FORMAT

    def known_articles(self) -> tuple[dict[str, IndexedArticle], bool]:
        """Every article the current version holds with its state, and whether the manifest said so.

        No version, or one the next ingest rebuilds: ({}, False).
        """
        from .manifest import read_manifest, states_in

        self._manifest = None
        index = self.current()
        if index is None or not self.compatible(index):
            return {}, False
        manifest = read_manifest(self.cluster, self.manifest_index, index)
        if manifest is not None:
            self._manifest = manifest
            return {article: IndexedArticle(article, *state) for article, state in manifest.items()}, True
        log.debug("%s: no manifest of %s; reading the index", self.manifest_index, index)
        return {article: IndexedArticle(article, state) for article, state in states_in(self.cluster, index).items()}, False

    def write_manifest(self, articles: Iterable[IndexedArticle]) -> None:
        """Record what the current version holds (after a commit, holding the ingest lock)."""
        from .manifest import write_manifest

        index = self.current()
        if index is None:
            return
        states = {article.id: (article.content_hash, article.stamp) for article in articles}
        write_manifest(self.cluster, self.manifest_index, index, states, self._manifest, self.settings)
        self._manifest = states

    def writer(self):
        """A writer of the next version: a clone of the current one, or a new index to fill."""
        from .writer import IndexWriter

        return IndexWriter(self)

    def part_builder(self):
        """Not for this engine (builds_parts is False): an ingest sends every document through the writer."""
        raise NotImplementedError("the opensearch engine takes documents through its writer only")

    def reader(self):
        """A reader of the current version; IndexingError when there is none."""
        from .reader import Reader

        index = self.current()
        meta = self.meta(index) if index is not None else {}
        if index is None or meta.get("format") != FORMAT:
            what = "no index" if index is None else f"the index {index} was written by another version"
            raise IndexingError(f"{what} in the OpenSearch cluster at {self.cluster.address} "
                                f"(alias {self.alias})", hint="run `pipeline ingest --engine opensearch` first")
        return Reader(self, index, meta.get("stamp", ""))


def generation(name: str) -> int | None:
    """The generation of a version's index name (`<alias>-<format>-<generation>`), or None."""
    head, _, number = name.rpartition("-")
    return int(number) if number.isdigit() and head.rpartition("-")[2].isdigit() else None
