"""A stand-in OpenSearch cluster on the loopback interface, for driving the engine through the real client.

It records every request and answers the ones the engine makes as OpenSearch documents it would:
indexes with settings, strict mappings and `_meta`, aliases moved atomically (`must_exist`
checked), write blocks, `_clone`, `_bulk` with per-item results, refresh (documents become
searchable only then, a get sees them at once), and searches over the analysed fields with the
query clauses, sorts and aggregations the engine uses. Text fields are analysed as their
settings say (a whitespace tokenizer, stop filters keeping position gaps) and scored with the
BM25 of their scripted similarity, B and K1 read from the script; field lengths go through
Lucene's one-byte norm (SmallFloat.intToByte4). One shard: statistics are the whole index's.

Faults are planned with `fail(...)` (a status for whole requests) and `item_status` (a status for
chosen bulk items), and the requests read back from `requests`. Anything the engine sends that
this cluster does not know is answered 400, so a new kind of request fails the tests until it is
modelled here (and checked against the API specification).
"""

from __future__ import annotations

import copy
import fnmatch
import json
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, unquote, urlsplit


@dataclass
class Request:
    method: str
    path: str
    params: dict[str, str]
    body: object  # parsed JSON, a list of parsed NDJSON lines, or None


@dataclass
class Fault:
    """Answer `status` to `times` requests whose method is method and path matches pattern, after
    letting `skip` of them through."""

    method: str
    pattern: str
    status: int
    times: int = 1
    skip: int = 0


class ApiError(Exception):
    def __init__(self, status: int, kind: str, reason: str):
        super().__init__(reason)
        self.status, self.kind, self.reason = status, kind, reason

    def body(self) -> dict:
        return {"error": {"type": self.kind, "reason": self.reason,
                          "root_cause": [{"type": self.kind, "reason": self.reason}]}, "status": self.status}


# Lucene's SmallFloat.intToByte4 / byte4ToInt: how a field's length is kept in one byte.
def _long_to_int4(i: int) -> int:
    bits = i.bit_length()
    if bits < 4:
        return i
    shift = bits - 4
    return ((i >> shift) & 0x07) | ((shift + 1) << 3)


def _int4_to_long(i: int) -> int:
    bits, shift = i & 0x07, (i >> 3) - 1
    return bits if shift == -1 else (bits | 0x08) << shift


_FREE = 255 - _long_to_int4(2**31 - 1)


def norm_length(length: int) -> int:
    """A field's length as a similarity sees it (doc.length)."""
    encoded = length if length < _FREE else _FREE + _long_to_int4(length - _FREE)
    return encoded if encoded < _FREE else _FREE + _int4_to_long(encoded - _FREE)


class Index:
    def __init__(self, name: str, body: dict):
        self.name = name
        body = copy.deepcopy(body or {})
        self.settings = _flatten(body.get("settings", {}))
        self.mappings = body.get("mappings", {})
        self.documents: dict[str, dict] = {}   # what a get sees
        self.searchable: dict[str, dict] = {}  # what a search sees (as of the last refresh)
        self.analyzed: dict[str, dict[str, list[tuple[int, str]]]] = {}
        self.field_statistics: dict[str, tuple[int, int]] = {}

    def setting(self, key: str, default=None):
        return self.settings.get(f"index.{key}", self.settings.get(key, default))

    @property
    def write_blocked(self) -> bool:
        return str(self.setting("blocks.write", "false")).lower() == "true"

    def refresh(self) -> None:
        self.searchable = dict(self.documents)
        self.analyzed = {key: {name: self.analyze(name, value) for name, value in document.items()
                               if self._is_text(name)} for key, document in self.searchable.items()}
        # Lucene's field statistics: documents with the field, and the sum of their lengths.
        self.field_statistics: dict[str, tuple[int, int]] = {}
        for fields in self.analyzed.values():
            for name, tokens in fields.items():
                if tokens:
                    count, total = self.field_statistics.get(name, (0, 0))
                    self.field_statistics[name] = (count + 1, total + len(tokens))

    def _is_text(self, name: str) -> bool:
        spec = self.mappings.get("properties", {}).get(name, {})
        return spec.get("type") == "text" and spec.get("index", True)

    def analyze(self, name: str, value) -> list[tuple[int, str]]:
        """(position, token) of a text field's value, as its analyzer makes them."""
        spec = self.mappings["properties"][name]
        analyzer = self.setting(f"analysis.analyzer.{spec['analyzer']}.tokenizer")
        tokenizer = self.setting(f"analysis.tokenizer.{analyzer}.type")
        assert tokenizer == "whitespace", tokenizer
        longest = int(self.setting(f"analysis.tokenizer.{analyzer}.max_token_length", 255))
        tokens = [piece[i:i + longest] for piece in str(value).split() for i in range(0, len(piece), longest)]
        stops: set[str] = set()
        for name_ in self.setting(f"analysis.analyzer.{spec['analyzer']}.filter", []):
            assert self.setting(f"analysis.filter.{name_}.type") == "stop"
            stops |= set(self.setting(f"analysis.filter.{name_}.stopwords", []))
        return [(position, token) for position, token in enumerate(tokens) if token not in stops]

    def similarity(self, name: str) -> tuple[float, float]:
        """(B, K1) from a field's scripted similarity, read from its script as written."""
        spec = self.mappings["properties"][name]
        script = self.setting(f"similarity.{spec['similarity']}.script")["source"]
        k1, b = re.search(r"double norm = ([0-9.]+) \* \(\(1\.0 - ([0-9.]+)\)", script).groups()
        assert re.search(rf"return query\.boost \* tf \* {re.escape(str(float(k1) + 1))} / \(tf \+ norm\)", script)
        return float(b), float(k1)


def _flatten(settings: dict, prefix: str = "") -> dict:
    """Settings as OpenSearch keeps them: dotted keys ('index.number_of_shards')."""
    flat = {}
    for key, value in settings.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict) and not (name.endswith(".script") or name.endswith("script")):
            flat.update(_flatten(value, name + "."))
        else:
            flat[name] = value
    return flat


class FakeCluster:
    """The stand-in cluster: start() it, point the engine at url, read requests afterwards."""

    def __init__(self):
        self.indices: dict[str, Index] = {}
        self.aliases: dict[str, set[str]] = {}
        self.requests: list[Request] = []
        self.faults: list[Fault] = []
        # (index, operation, id, attempt) -> a status to answer for that bulk item instead, or None.
        self.item_status: Callable[[str, str, str, int], int | None] = lambda *_: None
        # Called with each request before it is answered (a test may raise in it to stop a run).
        self.on_request: Callable[[Request], None] = lambda request: None
        self._attempts: dict[tuple[str, str], int] = {}
        self._lock = threading.RLock()
        self._server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> FakeCluster:
        cluster = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            # Headers and body go out in two writes: with Nagle's algorithm the second waits for
            # the client's delayed acknowledgement (40 ms a request).
            disable_nagle_algorithm = True

            def log_message(self, *args):  # quiet
                pass

            def _answer(self):
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b""
                status, body = cluster.handle(self.command, self.path, raw)
                data = b"" if self.command == "HEAD" else json.dumps(body).encode("utf-8")
                self.send_response(status)
                self.send_header("Content-Type", "application/json; charset=UTF-8")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = _answer

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()

    def fail(self, method: str, pattern: str, status: int, times: int = 1, skip: int = 0) -> None:
        self.faults.append(Fault(method, pattern, status, times, skip))

    def alias_target(self, alias: str) -> str | None:
        names = self.aliases.get(alias, set())
        return next(iter(names)) if len(names) == 1 else None

    # Requests.

    def handle(self, method: str, target: str, raw: bytes) -> tuple[int, object]:
        parts = urlsplit(target)
        path = unquote(parts.path)
        params = {key: values[-1] for key, values in parse_qs(parts.query).items()}
        try:
            if path.endswith("/_bulk"):
                body = [json.loads(line) for line in raw.decode("utf-8").splitlines() if line.strip()]
            else:
                body = json.loads(raw) if raw else None
        except ValueError:
            return 400, ApiError(400, "parse_exception", "request body is not JSON").body()
        request = Request(method, path, params, body)
        with self._lock:
            self.requests.append(request)
            self.on_request(request)
            for fault in self.faults:
                if fault.times > 0 and fault.method == method and fnmatch.fnmatch(path, fault.pattern):
                    if fault.skip > 0:
                        fault.skip -= 1
                        continue
                    fault.times -= 1
                    return fault.status, ApiError(fault.status, "planned_fault", f"planned {fault.status}").body()
            try:
                return 200, self._route(method, path, params, body)
            except ApiError as error:
                return error.status, error.body()
            except Exception as error:  # a fault of this stand-in: answered, so the test says what it was
                return 500, ApiError(500, "fake_cluster_failure", f"{type(error).__name__}: {error}").body()

    # What GET / answers: the cluster's name and version.
    version = "2.19.1"

    def _route(self, method: str, path: str, params: dict, body):
        segments = [s for s in path.split("/") if s]
        if method == "GET" and not segments:
            return {"name": "fake", "cluster_name": "fake", "tagline": "The OpenSearch Project: https://opensearch.org/",
                    "version": {"distribution": "opensearch", "number": self.version}}
        if method == "GET" and segments[:1] == ["_alias"] and len(segments) == 2:
            return self._get_alias(segments[1])
        if method == "POST" and segments == ["_aliases"]:
            return self._update_aliases(body)
        if segments == ["_bulk"] and method in ("POST", "PUT"):
            return self._bulk(None, body)
        if segments[:2] == ["_cluster", "health"]:
            for name in segments[2:3]:
                self._index(name)
            return {"status": "green", "timed_out": False}
        if len(segments) == 1 and method == "PUT":
            return self._create(segments[0], body)
        if len(segments) == 1 and method == "GET":
            return self._get_indices(segments[0])
        if len(segments) == 1 and method == "DELETE":
            return self._delete(segments[0])
        name, action = segments[0], segments[1] if len(segments) > 1 else ""
        if action == "_mapping" and method == "GET":
            index = self._index(name)
            return {index.name: {"mappings": copy.deepcopy(index.mappings)}}
        if action == "_mapping" and method in ("PUT", "POST"):
            return self._put_mapping(name, body)
        if action == "_settings" and method == "PUT":
            index = self._index(name)
            index.settings.update(_flatten(body))
            return {"acknowledged": True}
        if action == "_clone" and method in ("PUT", "POST") and len(segments) == 3:
            return self._clone(name, segments[2], body)
        if action == "_bulk" and method in ("POST", "PUT"):
            return self._bulk(name, body)
        if action == "_analyze" and method in ("GET", "POST"):
            index = self._index(name)
            tokens = index.analyze(body["field"], body["text"])
            return {"tokens": [{"token": token, "position": position, "type": "word"} for position, token in tokens]}
        if action == "_refresh":
            self._index(name).refresh()
            return {"_shards": {"total": 1, "successful": 1, "failed": 0}}
        if action == "_search" and method in ("GET", "POST"):
            return self._search(self._resolve(name), body or {})
        if action == "_doc" and method == "GET" and len(segments) == 3:
            return self._get(name, segments[2], params)
        if action == "_delete_by_query" and method == "POST":
            index = self._index(name)
            assert body == {"query": {"match_all": {}}}, body
            deleted = len(index.documents)
            index.documents.clear()
            index.refresh()
            return {"deleted": deleted, "failures": []}
        raise ApiError(400, "fake_unsupported", f"the fake cluster does not know {method} {path}")

    def _index(self, name: str) -> Index:
        index = self.indices.get(name)
        if index is None:
            raise ApiError(404, "index_not_found_exception", f"no such index [{name}]")
        return index

    def _resolve(self, name: str) -> Index:
        names = self.aliases.get(name)
        if names:
            assert len(names) == 1
            return self.indices[next(iter(names))]
        return self._index(name)

    def _get_alias(self, alias: str):
        names = self.aliases.get(alias)
        if not names:
            raise ApiError(404, "aliases_not_found_exception", f"alias [{alias}] missing")
        return {name: {"aliases": {alias: {}}} for name in sorted(names)}

    def _update_aliases(self, body: dict):
        aliases = {alias: set(names) for alias, names in self.aliases.items()}
        for action in body["actions"]:
            (kind, spec), = action.items()
            index, alias = spec["index"], spec["alias"]
            self._index(index)
            if kind == "add":
                aliases.setdefault(alias, set()).add(index)
            elif kind == "remove":
                if index not in aliases.get(alias, set()):
                    if spec.get("must_exist"):
                        raise ApiError(404, "aliases_not_found_exception", f"aliases [{alias}] missing")
                    continue
                aliases[alias].discard(index)
            else:
                raise ApiError(400, "fake_unsupported", kind)
        self.aliases = {alias: names for alias, names in aliases.items() if names}
        return {"acknowledged": True}

    def _create(self, name: str, body: dict):
        if name in self.indices:
            raise ApiError(400, "resource_already_exists_exception", f"index [{name}] already exists")
        self.indices[name] = Index(name, body)
        return {"acknowledged": True, "shards_acknowledged": True, "index": name}

    def _get_indices(self, pattern: str):
        found = {name: {"aliases": {alias: {} for alias, names in self.aliases.items() if name in names},
                        "mappings": index.mappings, "settings": index.settings}
                 for name, index in self.indices.items() if fnmatch.fnmatch(name, pattern)}
        if not found and "*" not in pattern:
            raise ApiError(404, "index_not_found_exception", f"no such index [{pattern}]")
        return found

    def _delete(self, name: str):
        self._index(name)
        del self.indices[name]
        self.aliases = {alias: names - {name} for alias, names in self.aliases.items() if names - {name}}
        return {"acknowledged": True}

    def _put_mapping(self, name: str, body: dict):
        index = self._index(name)
        for key, value in body.items():
            if key == "properties":
                index.mappings.setdefault("properties", {}).update(value)
            else:
                index.mappings[key] = value
        return {"acknowledged": True}

    def _clone(self, name: str, target: str, body: dict):
        source = self._index(name)
        if not source.write_blocked:
            raise ApiError(400, "illegal_state_exception",
                           f"index {name} must be read-only to resize index. use \"index.blocks.write=true\"")
        if target in self.indices:
            raise ApiError(400, "resource_already_exists_exception", f"index [{target}] already exists")
        clone = Index(target, {"mappings": copy.deepcopy(source.mappings)})
        clone.settings = dict(source.settings)
        clone.settings.update(_flatten((body or {}).get("settings", {})))
        clone.documents = copy.deepcopy(source.documents)
        # A clone starts from the source's segments: what was searchable there is searchable here.
        clone.refresh()
        self.indices[target] = clone
        return {"acknowledged": True, "shards_acknowledged": True, "index": target}

    def _bulk(self, name: str | None, lines: list):
        items, errors = [], False
        i = 0
        while i < len(lines):
            (operation, meta), = lines[i].items()
            index = self._index(meta.get("_index", name))
            i += 1
            document = None
            if operation in ("index", "create", "update"):
                document = lines[i]
                i += 1
            key = meta["_id"]
            attempt = self._attempts[(index.name, key)] = self._attempts.get((index.name, key), 0) + 1
            status = self.item_status(index.name, operation, key, attempt)
            result = {"_index": index.name, "_id": key}
            if status is None and index.write_blocked:
                status = 403
                result["error"] = {"type": "cluster_block_exception",
                                   "reason": f"index [{index.name}] blocked by: [FORBIDDEN/8/index write (api)];"}
            if status is not None:
                result["status"] = status
                result.setdefault("error", {"type": "planned_item_fault", "reason": f"planned {status}"})
                errors = True
            elif operation == "index":
                unknown = sorted(set(document) - set(index.mappings.get("properties", {})))
                if unknown and index.mappings.get("dynamic") == "strict":
                    result.update(status=400, error={"type": "strict_dynamic_mapping_exception",
                                                     "reason": f"mapping set to strict, dynamic introduction of [{unknown[0]}] is not allowed"})
                    errors = True
                else:
                    created = key not in index.documents
                    index.documents[key] = self._stored(index, document)
                    result.update(status=201 if created else 200, result="created" if created else "updated")
            elif operation == "delete":
                found = index.documents.pop(key, None) is not None
                result.update(status=200 if found else 404, result="deleted" if found else "not_found")
            else:
                raise ApiError(400, "fake_unsupported", operation)
            items.append({operation: result})
        return {"took": 1, "errors": errors, "items": items}

    @staticmethod
    def _stored(index: Index, document: dict) -> dict:
        """The document as the index keeps it: whole for searching, _source minus the excluded fields."""
        return copy.deepcopy(document)

    def _source(self, index: Index, document: dict, wanted) -> dict:
        excluded = set(index.mappings.get("_source", {}).get("excludes", ()))
        kept = {key: value for key, value in document.items() if key not in excluded}
        if wanted is True or wanted is None:
            return kept
        includes = wanted.get("includes") if isinstance(wanted, dict) else wanted
        return {key: value for key, value in kept.items() if key in includes}

    def _get(self, name: str, key: str, params: dict):
        index = self._resolve(name)
        document = index.documents.get(key)
        if document is None:
            raise ApiError(404, "not_found", f"[{key}] not found")  # a get answers {"found": false}
        includes = params.get("_source_includes")
        return {"_index": index.name, "_id": key, "found": True,
                "_source": self._source(index, document, includes.split(",") if includes else True)}

    # Searching.

    def _search(self, index: Index, body: dict):
        matched: dict[str, float] = {}
        query = body.get("query", {"match_all": {}})
        for key in index.searchable:
            score = self._score(index, key, query)
            if score is not None:
                matched[key] = score
        keys = list(matched)
        # A rule is a field name (ascending; _score descending) or {field: {"order": ...}}.
        sort = [rule if isinstance(rule, dict) else {rule: {"order": "desc" if rule == "_score" else "asc"}}
                for rule in body.get("sort", ["_score"])]

        def sort_key(key: str) -> tuple:
            values = []
            for rule in sort:
                (name, how), = rule.items()
                value = matched[key] if name == "_score" else index.searchable[key].get(name)
                values.append(value)
            return tuple(values)

        def ordered(key: str) -> tuple:
            out = []
            for rule, value in zip(sort, sort_key(key)):
                (name, how), = rule.items()
                descending = (how.get("order") if isinstance(how, dict) else how) == "desc"
                out.append(_Reversed(value) if descending else _Forward(value))
            return tuple(out)

        keys.sort(key=ordered)
        if "search_after" in body:
            after = tuple(_Reversed(v) if ((r[next(iter(r))].get("order") if isinstance(r[next(iter(r))], dict) else r[next(iter(r))]) == "desc") else _Forward(v)
                          for r, v in zip(sort, body["search_after"]))
            keys = [key for key in keys if ordered(key) > after]
        size = body.get("size", 10)
        hits = [{"_index": index.name, "_id": key, "_score": matched[key],
                 "_source": self._source(index, index.searchable[key], body.get("_source", True)),
                 "sort": list(sort_key(key))} for key in keys[:size]]
        answer = {"took": 1, "timed_out": False, "_shards": {"total": 1, "successful": 1, "skipped": 0, "failed": 0},
                  "hits": {"max_score": None, "hits": hits}}
        if body.get("track_total_hits", True) is not False:
            answer["hits"]["total"] = {"value": len(keys), "relation": "eq"}
        if "aggs" in body:
            answer["aggregations"] = {name: self._aggregate(index, [index.searchable[k] for k in matched], spec)
                                      for name, spec in body["aggs"].items()}
        return answer

    def _aggregate(self, index: Index, documents: list[dict], spec: dict):
        (kind, options), = spec.items()
        if kind == "terms":
            counts: dict = {}
            for document in documents:
                for value in _values(document.get(options["field"])):
                    counts[value] = counts.get(value, 0) + 1
            buckets = sorted(counts.items(), key=lambda item: (-item[1], item[0]))[:options.get("size", 10)]
            return {"buckets": [{"key": key, "doc_count": count} for key, count in buckets]}
        if kind == "sum":
            return {"value": float(sum(v for d in documents for v in _values(d.get(options["field"]))))}
        if kind == "cardinality":
            return {"value": len({v for d in documents for v in _values(d.get(options["field"]))})}
        if kind == "filters":
            keys = {k for k, d in index.searchable.items() if d in documents}
            return {"buckets": {name: {"doc_count": sum(1 for k in keys if self._score(index, k, query) is not None)}
                                for name, query in options["filters"].items()}}
        if kind == "composite":
            names = [next(iter(source)) for source in options["sources"]]
            fields = [source[name]["terms"]["field"] for source, name in zip(options["sources"], names)]
            counts = {}
            for document in documents:
                combos = [[]]
                for field_name in fields:
                    combos = [combo + [value] for combo in combos for value in _values(document.get(field_name))]
                for combo in {tuple(c) for c in combos}:
                    counts[combo] = counts.get(combo, 0) + 1
            ordered = sorted(counts)
            if "after" in options:
                after = tuple(options["after"][name] for name in names)
                ordered = [key for key in ordered if key > after]
            page = ordered[:options.get("size", 10)]
            answer = {"buckets": [{"key": dict(zip(names, key)), "doc_count": counts[key]} for key in page]}
            if page:
                answer["after_key"] = dict(zip(names, page[-1]))
            return answer
        raise ApiError(400, "fake_unsupported", f"aggregation {kind}")

    def _score(self, index: Index, key: str, query: dict) -> float | None:
        """A document's score for query, None when it does not match."""
        (kind, spec), = query.items()
        document = index.searchable[key]
        if kind == "match_all":
            return 1.0
        if kind == "bool":
            total = 0.0
            for clause in spec.get("must", ()):
                score = self._score(index, key, clause)
                if score is None:
                    return None
                total += score
            for clause in spec.get("filter", ()):
                if self._score(index, key, clause) is None:
                    return None
            for clause in spec.get("must_not", ()):
                if self._score(index, key, clause) is not None:
                    return None
            should = [self._score(index, key, clause) for clause in spec.get("should", ())]
            hits = [score for score in should if score is not None]
            needed = spec.get("minimum_should_match", 0 if spec.get("must") or spec.get("filter") else 1)
            if len(hits) < int(needed):
                return None
            return total + sum(hits)
        if kind == "term":
            (name, value), = spec.items()
            value, boost = (value["value"], value.get("boost", 1.0)) if isinstance(value, dict) else (value, 1.0)
            if self._is_text(index, name):
                positions = [p for p, token in index.analyzed[key].get(name, ()) if token == value]
                return self._bm25(index, key, name, len(positions), boost) if positions else None
            return 1.0 * boost if value in _values(document.get(name)) else None
        if kind == "terms":
            (name, values), = spec.items()
            return 1.0 if set(values) & set(_values(document.get(name))) else None
        if kind == "match_phrase":
            (name, options), = spec.items()
            words = [token for _, token in index.analyze(name, options["query"])]
            starts = self._phrase(index, key, [(name, word) for word in words])
            return self._bm25(index, key, name, len(starts), options.get("boost", 1.0)) if starts else None
        if kind == "span_near":
            assert spec.get("slop", 0) == 0 and spec.get("in_order", False)
            terms, field_name = [], None
            for clause in spec["clauses"]:
                if "field_masking_span" in clause:
                    clause = clause["field_masking_span"]["query"]
                (name, value), = clause["span_term"].items()
                field_name = field_name or name
                terms.append((name, value["value"] if isinstance(value, dict) else value))
            starts = self._phrase(index, key, terms)
            return self._bm25(index, key, field_name, len(starts), spec.get("boost", 1.0)) if starts else None
        raise ApiError(400, "fake_unsupported", f"query {kind}")

    def _phrase(self, index: Index, key: str, terms: list[tuple[str, str]]) -> list[int]:
        """Where the terms (each in its field) stand one right after the other."""
        positions = [{p for p, token in index.analyzed[key].get(name, ()) if token == word} for name, word in terms]
        return sorted(start for start in positions[0] if all(start + i in found for i, found in enumerate(positions[1:], 1)))

    def _is_text(self, index: Index, name: str) -> bool:
        return index._is_text(name)

    def _bm25(self, index: Index, key: str, name: str, frequency: int, boost: float) -> float:
        b, k1 = index.similarity(name)
        count, total = index.field_statistics.get(name, (0, 0))
        average = total / count if count else 1.0
        length = norm_length(len(index.analyzed[key][name]))
        norm = k1 * ((1.0 - b) + b * length / average)
        return boost * frequency * (k1 + 1) / (frequency + norm)


def _values(value) -> list:
    if value is None:
        return []
    return list(value) if isinstance(value, list) else [value]


class _Forward:
    __slots__ = ("value",)

    def __init__(self, value):
        self.value = value

    def __lt__(self, other):
        return self.value < other.value

    def __gt__(self, other):
        return self.value > other.value

    def __eq__(self, other):
        return self.value == other.value


class _Reversed(_Forward):
    def __lt__(self, other):
        return self.value > other.value

    def __gt__(self, other):
        return self.value < other.value
