"""Reading one version of the index in the cluster: statistics, ranking, documents.

What a version's queries share (its statistics, the document frequencies asked so far, its
vocabularies) is kept per version and shared by its readers: a version never changes once
readers see it, so nothing kept can go stale.
"""

from __future__ import annotations

import threading
from bisect import bisect_left
from collections import OrderedDict
from collections.abc import Hashable, Iterable, Iterator

from .. import NAMES_FIELD, TEXT_FIELDS, Query, SectionDocument, document_key
from .query import frequencies_body, search_body
from .schema import SHOWN_FIELDS, document_from_source, length_field, vocabulary_field
from .scoring import Scorer, Statistics, analysed, is_arabic_script_locale


# How many candidates the cluster ranks for count best: the exact scores may reorder them a little
# (their lengths and averages are the cluster's approximations), so a margin is fetched.
def candidates(count: int) -> int:
    return min(2 * count + 20, 10_000)


# Terms whose frequencies are asked in one request at most.
FREQUENCIES_AT_ONCE = 300
# Composite aggregation page (a field's vocabulary is read this many terms at a time).
VOCABULARY_PAGE = 10_000


class VersionData:
    """What the queries of one version share."""

    def __init__(self):
        self.lock = threading.Lock()
        self.statistics: Statistics | None = None
        self.locales: tuple[str, ...] = ()
        self.frequencies: dict[tuple[str, str], int] = {}
        # field -> its whole vocabulary, sorted, with frequencies (once read in full); a term of
        # such a field that is not in frequencies is in no document.
        self.vocabularies: dict[str, list[tuple[str, int]]] = {}


_VERSIONS: OrderedDict[tuple, VersionData] = OrderedDict()
_VERSIONS_LOCK = threading.Lock()
# How many versions are kept (the newest; a server moves to the next after an ingest).
KEPT_VERSIONS = 4


def version_data(*version) -> VersionData:
    with _VERSIONS_LOCK:
        data = _VERSIONS.pop(version, None) or VersionData()
        _VERSIONS[version] = data
        while len(_VERSIONS) > KEPT_VERSIONS:
            _VERSIONS.popitem(last=False)
        return data


class Reader:
    """One version of the index, read by one thread. A context manager; close() when done."""

    def __init__(self, engine, index: str, stamp: str = ""):
        self._engine = engine
        self._cluster = engine.cluster
        self.index = index
        # The index's name may come back after the cluster is emptied: the stamp its writer gave
        # it tells the two apart (caches on disk are keyed by the version).
        self.version: Hashable = (self._cluster.address, index, stamp)
        self._data = version_data(*self.version)
        self._documents: dict[str, SectionDocument] = {}

    def __enter__(self) -> Reader:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        self._documents.clear()

    def is_current(self) -> bool:
        return self._engine.current() == self.index

    def refresh(self) -> Reader:
        return self if self.is_current() else self._engine.reader()

    # Statistics.

    def statistics(self) -> Statistics:
        data = self._data
        if data.statistics is None:
            aggs = {"locales": {"terms": {"field": "locale", "size": 10_000}}}
            aggs.update({field: {"sum": {"field": length_field(field)}} for field in TEXT_FIELDS})
            answer = self._cluster.call("search", index=self.index,
                                        body={"size": 0, "track_total_hits": True, "aggs": aggs})
            locales = {bucket["key"]: bucket["doc_count"] for bucket in answer["aggregations"]["locales"]["buckets"]}
            data.locales = tuple(sorted(locales))
            data.statistics = Statistics(
                documents=_total(answer), arabic_documents=sum(n for locale, n in locales.items()
                                                               if is_arabic_script_locale(locale)),
                lengths=tuple((field, int(answer["aggregations"][field]["value"])) for field in TEXT_FIELDS))
        return data.statistics

    def frequency(self, field: str, term: str) -> int:
        """How many documents hold term in field."""
        found = self._data.frequencies.get((field, term))
        if found is None:
            if field == NAMES_FIELD:
                return self._name_frequency(term)
            self._fetch_frequencies([(field, term)])
            found = self._data.frequencies.get((field, term), 0)
        return found

    def _name_frequency(self, key: str) -> int:
        """How many documents are of an article with the name key (a keyword of NAMES_FIELD)."""
        answer = self._cluster.call("search", index=self.index, body={
            "size": 0, "track_total_hits": True, "query": {"term": {NAMES_FIELD: key}}})
        found = self._data.frequencies[(NAMES_FIELD, key)] = _total(answer)
        return found

    def idf(self, field: str, term: str) -> float:
        return self.statistics().idf(term, self.frequency(field, term))

    def _fetch_frequencies(self, pairs: Iterable[tuple[str, str]]) -> None:
        """Ask the cluster for the frequencies not known yet (of each term in every text field:
        a plan asks for all three)."""
        data = self._data
        wanted = list(dict.fromkeys((field, term) for _, term in pairs for field in TEXT_FIELDS
                                    if (field, term) not in data.frequencies and field not in data.vocabularies))
        for start in range(0, len(wanted), FREQUENCIES_AT_ONCE):
            chunk = wanted[start:start + FREQUENCIES_AT_ONCE]
            answer = self._cluster.call("search", index=self.index, body=frequencies_body(chunk))
            buckets = answer["aggregations"]["frequencies"]["buckets"]
            for i, pair in enumerate(chunk):
                data.frequencies[pair] = buckets[str(i)]["doc_count"]

    def terms(self, field: str, start: str = "", stop: str | None = None) -> Iterator[tuple[str, int]]:
        """The field's terms from start (before stop), sorted, with how many documents hold each."""
        whole = self._data.vocabularies.get(field)
        if whole is None:
            whole = self._read_vocabulary(field)
        first = bisect_left(whole, (start,))
        last = len(whole) if stop is None else bisect_left(whole, (stop,))
        return iter(whole[first:last])

    def _read_vocabulary(self, field: str) -> list[tuple[str, int]]:
        """A field's whole vocabulary with frequencies, read a page at a time and kept per version
        (the planner reads it whole anyway, for spelling corrections and Arabic root families)."""
        data = self._data
        found: list[tuple[str, int]] = []
        after = None
        while True:
            # The names are keywords already: their own field is their vocabulary.
            listed = NAMES_FIELD if field == NAMES_FIELD else vocabulary_field(field)
            composite = {"size": VOCABULARY_PAGE, "sources": [{"term": {"terms": {"field": listed}}}]}
            if after is not None:
                composite["after"] = after
            answer = self._cluster.call("search", index=self.index, body={
                "size": 0, "track_total_hits": False, "aggs": {"vocabulary": {"composite": composite}}})
            page = answer["aggregations"]["vocabulary"]
            found += [(bucket["key"]["term"], bucket["doc_count"]) for bucket in page["buckets"]]
            after = page.get("after_key")
            if len(page["buckets"]) < VOCABULARY_PAGE or after is None:
                break
        with data.lock:
            for term, frequency in found:
                data.frequencies[(field, term)] = frequency
            data.vocabularies[field] = found
        return found

    def texts(self, field: str, term: str, count: int) -> list[str]:
        """The field's text in at most count documents holding term."""
        from .schema import terms_field

        if field == NAMES_FIELD:  # the names are the title and other names, kept as they read
            answer = self._cluster.call("search", index=self.index, body={
                "size": count, "query": {"term": {NAMES_FIELD: term}}, "sort": ["key"],
                "_source": {"includes": ["title", "aliases"]}})
            return ["\n".join((hit["_source"].get("title", ""), *filter(None, hit["_source"].get("aliases", "").split("\n"))))
                    for hit in answer["hits"]["hits"]]
        answer = self._cluster.call("search", index=self.index, body={
            "size": count, "query": {"term": {terms_field(field, term): term}},
            "sort": ["key"], "_source": {"includes": [field]}})
        return [hit["_source"].get(field, "") for hit in answer["hits"]["hits"]]

    # Ranking.

    def top(self, query: Query, count: int) -> tuple[list[tuple[float, Hashable]], int]:
        """The max(count, query.depth) best documents for query as (score, key), best first, with
        bonuses added; and how many sections matched."""
        count = max(count, query.depth)
        if count <= 0 or not (query.should or query.must):
            return [], 0
        clauses = [*query.should, *(clause for group in query.must for clause in group)]
        self._fetch_frequencies((clause.field, term) for clause in clauses for term in clause.terms)
        scorer = Scorer(self.statistics(), self._engine.scoring, self.frequency)
        answer = self._cluster.call("search", index=self.index,
                                    body=search_body(query, scorer.idf, candidates(count)))
        scored = []
        for hit in answer["hits"]["hits"]:
            document = document_from_source(hit["_source"])
            self._documents[hit["_id"]] = document
            fields = analysed(document)
            score = scorer.document(query, fields)
            if score is not None:  # the cluster matched what the project's analysis does not: never expected
                scored.append((score, hit["_id"], document, fields))
        scored.sort(key=_best_first)
        best = [(score + scorer.bonus(query.bonuses, fields), key, document, fields)
                for score, key, document, fields in scored[:count]]
        if query.coverage is not None:
            best = [(score * scorer.coverage(query.coverage, fields), key, document, fields)
                    for score, key, document, fields in best]
        best.sort(key=_best_first)
        total = int(answer.get("aggregations", {}).get("sections", {}).get("value", len(scored)))
        return [(score, key) for score, key, _, _ in best], total

    # Documents.

    def document(self, reference: Hashable) -> SectionDocument:
        found = self._documents.get(reference)
        if found is None:
            found = self._get(str(reference))
            if found is None:
                raise KeyError(reference)
        return found

    def find(self, article: str, section: str, locale: str) -> SectionDocument | None:
        key = document_key(article, section, locale)
        return self._documents.get(key) or self._get(key)

    def _get(self, key: str) -> SectionDocument | None:
        answer = self._cluster.call("get", index=self.index, id=key, ignore=(404,),
                                    params={"_source_includes": ",".join(SHOWN_FIELDS)})
        if not answer or not answer.get("found"):
            return None
        document = self._documents[key] = document_from_source(answer["_source"])
        return document

    def documents(self, article: str) -> list[SectionDocument]:
        answer = self._cluster.call("search", index=self.index, body={
            "size": 10_000, "query": {"term": {"article": article}},
            "sort": ["position", "key"],
            "_source": {"includes": list(SHOWN_FIELDS)}})
        return [document_from_source(hit["_source"]) for hit in answer["hits"]["hits"]]

    def locales(self) -> tuple[str, ...]:
        self.statistics()
        return self._data.locales

    def prepare(self) -> None:
        """Read the statistics and every text field's vocabulary with its frequencies."""
        self.statistics()
        for field in TEXT_FIELDS:
            self.terms(field)


def _best_first(item) -> tuple:
    """Best score first; equal scores in the order the embedded engine indexes documents (by
    article, the source version first, then by position)."""
    score, _, document, _ = item
    return -score, document.article, document.status != "source", document.locale, document.position


def _total(answer: dict) -> int:
    total = answer["hits"]["total"]
    return total["value"] if isinstance(total, dict) else int(total)
