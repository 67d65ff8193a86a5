"""The manifest: what the current version holds, article by article, kept in the cluster.

A small index beside the versions, one document per article (its content hash and the stamp of
its files), and in its mapping's `_meta` the version it describes. Writing it first clears that
stamp and sets it again last, so a manifest half written (a crash between a commit and its
manifest) describes no version: the next ingest then reads the articles' states from the
version's own documents, as the embedded engine does without its manifest file.
"""

from __future__ import annotations

import hashlib

from ...config import ClusterSettings
from .cluster import Cluster

PAGE = 5000


def read_manifest(cluster: Cluster, manifest_index: str, version: str) -> dict[str, tuple[str, str]] | None:
    """{article: (content_hash, stamp)} when the manifest describes version, else None."""
    answer = cluster.call("indices.get_mapping", index=manifest_index, ignore=(404,))
    if not answer:
        return None
    meta = next(iter(answer.values()), {}).get("mappings", {}).get("_meta", {}).get("pipeline", {})
    if meta.get("version") != version:
        return None
    states: dict[str, tuple[str, str]] = {}
    after = None
    while True:
        body = {"size": PAGE, "sort": ["article"], "_source": True,
                "query": {"match_all": {}}}
        if after is not None:
            body["search_after"] = after
        hits = cluster.call("search", index=manifest_index, body=body)["hits"]["hits"]
        for hit in hits:
            document = hit["_source"]
            states[document["article"]] = (document.get("content_hash", ""), document.get("stamp", ""))
        if len(hits) < PAGE:
            return states
        after = hits[-1]["sort"]


def states_in(cluster: Cluster, version: str) -> dict[str, str]:
    """{article: content_hash} from a version's documents ("" where they disagree)."""
    states: dict[str, str] = {}
    after = None
    while True:
        composite = {"size": PAGE, "sources": [{"article": {"terms": {"field": "article"}}},
                                               {"hash": {"terms": {"field": "content_hash"}}}]}
        if after is not None:
            composite["after"] = after
        body = {"size": 0, "track_total_hits": False, "aggs": {"states": {"composite": composite}}}
        found = cluster.call("search", index=version, body=body)["aggregations"]["states"]
        for bucket in found["buckets"]:
            article, state = bucket["key"]["article"], bucket["key"]["hash"]
            states[article] = state if states.get(article, state) == state else ""
        after = found.get("after_key")
        if not found["buckets"] or after is None:
            return states


def manifest_body(settings: ClusterSettings) -> dict:
    """The manifest index's settings and mappings."""
    stored = {"type": "keyword", "index": False, "doc_values": False}
    return {"settings": {"index": {"number_of_shards": 1, "number_of_replicas": settings.replicas}},
            "mappings": {"dynamic": "strict", "_meta": {"pipeline": {"version": ""}},
                         "properties": {"article": {"type": "keyword"}, "content_hash": stored, "stamp": stored}}}


def write_manifest(cluster: Cluster, manifest_index: str, version: str, states: dict[str, tuple[str, str]],
                   known: dict[str, tuple[str, str]] | None, settings: ClusterSettings) -> None:
    """Make the manifest say that version holds these articles in these states.

    known: what the manifest held when last read (only the differences are sent), or None (it
    is written whole).
    """
    if cluster.call("indices.get_mapping", index=manifest_index, ignore=(404,)) is None:
        cluster.call("indices.create", index=manifest_index, body=manifest_body(settings))
        known = {}
    _stamp(cluster, manifest_index, "")
    if known is None:  # what is there is unknown: start again from nothing
        cluster.call("delete_by_query", index=manifest_index, body={"query": {"match_all": {}}},
                     params={"refresh": "true", "conflicts": "proceed"})
        known = {}
    actions = [({"index": {"_id": document_id(article)}},
                {"article": article, "content_hash": state[0], "stamp": state[1]})
               for article, state in sorted(states.items()) if known.get(article) != state]
    actions += [({"delete": {"_id": document_id(article)}}, None) for article in sorted(set(known) - set(states))]
    if actions:
        cluster.bulk(manifest_index, actions)
        cluster.call("indices.refresh", index=manifest_index)
    _stamp(cluster, manifest_index, version)


def _stamp(cluster: Cluster, manifest_index: str, version: str) -> None:
    cluster.call("indices.put_mapping", index=manifest_index, body={"_meta": {"pipeline": {"version": version}}})


def document_id(article: str) -> str:
    """An article's manifest document id: a digest (an article id may be longer than an _id may)."""
    return hashlib.blake2b(article.encode("utf-8"), digest_size=16).hexdigest()
