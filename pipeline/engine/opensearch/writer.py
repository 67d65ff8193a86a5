"""Writing the next version of the index, and making it the one readers search.

A rebuild (no version yet, or one of another format) fills a new index; an incremental run
fills a clone of the current version, made on the first change. Deletions are read from the
current version (what it holds of an article) and applied to the clone, like the embedded
engine's, which delete from the committed segments only: a document added in the same run is
never deleted by them. At the end of the `with` block the new version is refreshed, made
read-only, and named by the alias in one atomic request that also checks the alias still names
the version this run started from (another ingest that committed meanwhile makes this one fail
rather than be lost). Leaving the block with an exception deletes the new version: readers
never saw it.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterable, Mapping, Sequence

from ...errors import IndexingError
from .. import SectionDocument
from .schema import FORMAT, index_body, settings_digest, source

log = logging.getLogger(__name__)

# Documents (or articles to delete) gathered before they are sent in bulk.
BATCH = 500


# The alias move checks the alias still names the version a run started from with `must_exist` on
# its removal, which OpenSearch reads from 2.12 on (opensearch-project/OpenSearch#2949).
OLDEST = (2, 12)


def _check_version(info: dict) -> None:
    """Refuse a cluster too old for the requests the writer makes."""
    version = info.get("version", {})
    if version.get("distribution", "opensearch") != "opensearch":
        return  # Elasticsearch 7.11+ reads must_exist too; older ones are not told apart here
    number = tuple(int(part) for part in version.get("number", "0").split("-")[0].split(".")[:2] if part.isdigit())
    if number < OLDEST:
        raise IndexingError(f"the cluster runs OpenSearch {version.get('number', '?')}; the opensearch engine "
                            f"writes to OpenSearch {'.'.join(map(str, OLDEST))} or later",
                            hint="upgrade the cluster (readers work with older versions too)")


class IndexWriter:
    """Changes to the next version that readers see all at once at the end, or not at all.

    sections, by_locale: documents written, in all and per locale.
    """

    def __init__(self, engine):
        from . import generation

        self._engine = engine
        self._cluster = engine.cluster
        _check_version(self._cluster.call("info"))
        self.sections = 0
        self.by_locale: dict[str, int] = {}
        self._previous = engine.current()  # what readers search now, and must still at the end
        self._base = self._previous if self._previous and engine.compatible(self._previous) else None
        existing = engine.versions()
        number = max([generation(name) or 0 for name in existing] + [0]) + 1
        self.index = f"{engine.alias}-{FORMAT}-{number:06d}"
        self._made = False
        self._added: set[str] = set()
        self._documents: list[SectionDocument] = []
        self._deletions: list[tuple[str, frozenset[str]]] = []
        self._dirty = False
        # What an interrupted run left, and the version kept for the readers of the one before.
        for name in existing:
            if name != self._previous:
                self._cluster.call("indices.delete", index=name, ignore=(404,))
        if self._base is None:
            self._make()

    def __enter__(self) -> IndexWriter:
        return self

    def __exit__(self, kind, value, traceback) -> None:
        if kind is not None:
            self._abandon()
        elif self._made:
            try:
                self._commit()
            except BaseException:
                self._abandon()
                raise

    def replace(self, article: str, documents: Iterable[SectionDocument], keep_locales: Iterable[str] = ()) -> None:
        """Index an article's documents in place of what the current version has for it (but those
        in keep_locales, whose catalogue could not be read)."""
        self.delete(article, keep_locales)
        self._add(documents)

    def delete(self, article: str, keep_locales: Iterable[str] = ()) -> None:
        """Delete what the current version has of an article, but its documents in keep_locales."""
        self._dirty = True
        if self._base is None:
            return  # a new index holds only what this run adds
        self._make()
        self._deletions.append((article, frozenset(keep_locales)))
        if len(self._deletions) >= BATCH:
            self._flush()

    def add_parts(self, parts: Sequence, sections: Mapping[str, int]) -> None:
        """Add parts of documents made elsewhere (each an iterable of SectionDocument)."""
        for part in parts:
            self._add(part, count=False)
        for locale, count in sections.items():
            self.sections += count
            self.by_locale[locale] = self.by_locale.get(locale, 0) + count

    def _add(self, documents: Iterable[SectionDocument], count: bool = True) -> None:
        self._make()
        for document in documents:
            self._dirty = True
            self._documents.append(document)
            self._added.add(document.key)
            if count:
                self.sections += 1
                self.by_locale[document.locale] = self.by_locale.get(document.locale, 0) + 1
            if len(self._documents) >= BATCH:
                self._flush()

    def _make(self) -> None:
        """Create the next version: a clone of the current one, or an empty index."""
        if self._made:
            return
        cluster, settings = self._cluster, self._engine.settings
        if self._base is not None:
            # A clone needs its source read-only (a version always is, once published).
            cluster.call("indices.put_settings", index=self._base, body={"index": {"blocks": {"write": True}}})
            cluster.call("indices.clone", index=self._base, target=self.index,
                         body={"settings": {"index": {"number_of_replicas": settings.replicas}}})
            cluster.call("indices.put_settings", index=self.index, body={"index": {"blocks": {"write": False}}})
        else:
            cluster.call("indices.create", index=self.index,
                         body=index_body(self._engine.scoring, settings.shards, settings.replicas))
        self._made = True
        # Every primary shard active before anything is written (a health check times out after 30 s).
        health = cluster.call("cluster.health", index=self.index, params={"wait_for_status": "yellow"})
        if health.get("timed_out"):
            raise IndexingError(f"the shards of {self.index} did not start", hint="check the cluster's health and disk space")
        log.info("writing %s (%s)", self.index, f"a clone of {self._base}" if self._base else "a new index")

    def _flush(self) -> None:
        """Send the deletions gathered, then the documents."""
        if self._deletions:
            self._cluster.bulk(self.index, [({"delete": {"_id": key}}, None) for key in self._doomed()])
            self._deletions = []
        if self._documents:
            self._cluster.bulk(self.index, (({"index": {"_id": document.key}}, source(document))
                                            for document in self._documents))
            self._documents = []

    def _doomed(self) -> list[str]:
        """The keys the gathered deletions remove: what the current version has of the articles,
        but in the kept locales and what this run added."""
        keep = {}
        for article, locales in self._deletions:
            keep[article] = keep.get(article, locales) & locales
        doomed = []
        after = None
        while True:
            body = {"size": 5000, "_source": ["locale", "article"], "sort": ["key"],
                    "query": {"terms": {"article": sorted(keep)}}}
            if after is not None:
                body["search_after"] = after
            hits = self._cluster.call("search", index=self._base, body=body)["hits"]["hits"]
            for hit in hits:
                found = hit["_source"]
                if found["locale"] not in keep[found["article"]] and hit["_id"] not in self._added:
                    doomed.append(hit["_id"])
            if len(hits) < 5000:
                return doomed
            after = hits[-1]["sort"]

    def _commit(self) -> None:
        """Make the next version the one readers search (if this run changed anything)."""
        if not self._dirty and self._base is not None:
            self._abandon()  # nothing changed: the current version stays
            return
        self._flush()
        cluster, engine = self._cluster, self._engine
        cluster.call("indices.refresh", index=self.index)
        cluster.call("indices.put_mapping", index=self.index, body={"_meta": {"pipeline": {
            "format": FORMAT, "settings": settings_digest(engine.scoring), "base": self._base or "",
            "stamp": uuid.uuid4().hex}}})
        cluster.call("indices.put_settings", index=self.index, body={"index": {"blocks": {"write": True}}})
        actions = [{"add": {"index": self.index, "alias": engine.alias}}]
        if self._previous is not None:
            actions.insert(0, {"remove": {"index": self._previous, "alias": engine.alias, "must_exist": True}})
        answer = cluster.call("indices.update_aliases", body={"actions": actions}, ignore=(404,))
        if answer is None or (self._previous is None and engine.current() != self.index):
            raise IndexingError(f"another ingest moved the alias {engine.alias} while this one ran",
                                hint="the lock is per machine: run one ingest at a time, then run again")
        log.info("%s now names %s", engine.alias, self.index)

    def _abandon(self) -> None:
        """Delete the next version (readers never saw it)."""
        if self._made:
            try:
                self._cluster.call("indices.delete", index=self.index, ignore=(404,))
            except IndexingError as error:  # the next ingest deletes it
                log.warning("could not delete the unfinished %s: %s", self.index, error)
        self._made = False
