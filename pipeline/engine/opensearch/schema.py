"""What the cluster stores: index settings and mappings, and a section's document as sent.

The cluster does no analysis of its own. Each text field is sent twice: as the readable text,
kept in `_source` and not indexed, and as the project's own analysed terms (pipeline.analysis,
the very terms the embedded engine indexes) joined by spaces, which a `whitespace` tokenizer
splits back. The terms go to one field per script (`body_latin`, `body_arabic`), so that each
script is scored with its own BM25 parameters by a similarity made for it; a term of the other
script leaves a gap token (`_`, which the project's tokenizer never makes a term of) that a
`stop` filter drops while keeping its position, so phrases and distances are those of the whole
field. Only components bundled with OpenSearch are used: the whitespace tokenizer and stop filter
(analysis-common) and Painless (lang-painless) for the similarities.
"""

from __future__ import annotations

import hashlib
import json

from ...analysis import index_terms, is_arabic_term
from .. import NAMES_FIELD, TEXT_FIELDS, Scoring, SectionDocument, field_text, name_key

# Bump when the documents, mappings or analysis change: an index of another format is rebuilt
# from the sources by the next ingest (the embedded engine's INDEX_VERSION does the same).
FORMAT = 2

SCRIPTS = ("latin", "arabic")
GAP = "_"
ANALYZER = "pipeline_terms"
# Lucene refuses a term longer than 32,766 UTF-8 bytes: at 4 bytes a character, no longer word is
# ever sent whole (the project's tokenizer makes none this long from real text).
MAX_TERM_CHARS = 8191
# Fields of a document that only _source keeps (readable text and what a hit shows).
SHOWN_FIELDS = ("key", "article", "section", "locale", "status", "fallbacks", "content_hash",
                "title", "heading", "body", "aliases", "position", "path", "line")


def terms_field(field: str, term: str) -> str:
    """The indexed field that holds term when it is in field: `body_arabic` or `body_latin`."""
    return f"{field}_{'arabic' if is_arabic_term(term) else 'latin'}"


def vocabulary_field(field: str) -> str:
    """The keyword field listing the distinct terms of field in each document (for its vocabulary)."""
    return f"{field}_vocabulary"


def length_field(field: str) -> str:
    """The number field holding how many terms field has (for its average length)."""
    return f"{field}_length"


def source(document: SectionDocument) -> dict:
    """The document the cluster stores for a section: readable fields, and the analysed terms."""
    body = {name: getattr(document, name) for name in SHOWN_FIELDS if name != "key"}
    body["key"] = document.key
    body["fallbacks"] = list(document.fallbacks)
    body["section_key"] = f"{document.article}#{document.section}"
    body[NAMES_FIELD] = name_keys(document)
    for field in TEXT_FIELDS:
        _, terms = index_terms(field_text(document, field))
        body[length_field(field)] = len(terms)
        body[vocabulary_field(field)] = sorted(set(terms))
        for script in SCRIPTS:
            arabic = script == "arabic"
            line = [term if is_arabic_term(term) == arabic else GAP for term in terms]
            while line and line[-1] == GAP:
                line.pop()
            if line:
                body[f"{field}_{script}"] = " ".join(line)
    return body


def name_keys(document: SectionDocument) -> list[str]:
    """The terms of NAMES_FIELD in a document: each name of its article as one keyword."""
    return sorted({key for key in map(name_key, document.names.split("\n")) if key})


def index_body(scoring: Scoring, shards: int, replicas: int) -> dict:
    """The settings and mappings of an index of sections (the body of a create-index request)."""
    return {"settings": settings(scoring, shards, replicas), "mappings": mappings(scoring)}


def settings(scoring: Scoring, shards: int, replicas: int) -> dict:
    """Index settings: shards, the terms analyzer, one similarity per text field and script."""
    return {
        "index": {
            "number_of_shards": shards,
            "number_of_replicas": replicas,
            # A version is written once, by one ingest that refreshes it before readers see it.
            "refresh_interval": "-1",
            "similarity": {similarity_name(field, script): similarity(scoring, field, script)
                           for field in TEXT_FIELDS for script in SCRIPTS},
        },
        "analysis": {
            "tokenizer": {"pipeline_space": {"type": "whitespace", "max_token_length": MAX_TERM_CHARS}},
            "filter": {"pipeline_gap": {"type": "stop", "stopwords": [GAP], "ignore_case": False}},
            "analyzer": {ANALYZER: {"type": "custom", "tokenizer": "pipeline_space", "filter": ["pipeline_gap"]}},
        },
    }


def similarity_name(field: str, script: str) -> str:
    return f"pipeline_{field}_{script}"


def parameters(scoring: Scoring, field: str, script: str) -> tuple[float, float]:
    """BM25's (B, K1) for a script's terms in a field."""
    b, k1 = scoring.arabic if script == "arabic" else scoring.latin
    return dict(scoring.field_b).get(field, b), k1


def similarity(scoring: Scoring, field: str, script: str) -> dict:
    """A scripted similarity: BM25's term-frequency part with the script's B and K1.

    The query gives each term clause its weight times the term's idf as its boost (computed by
    the engine from statistics of the whole index, per script), so the shard's own document
    frequencies are never used. A similarity script takes no parameters: B and K1 are written in.
    """
    b, k1 = parameters(scoring, field, script)
    return {"type": "scripted", "script": {"lang": "painless", "source": (
        "double tf = doc.freq; "
        "double avgdl = field.docCount > 0 ? field.sumTotalTermFreq / (double) field.docCount : 1.0; "
        f"double norm = {k1!r} * ((1.0 - {b!r}) + {b!r} * doc.length / avgdl); "
        f"return query.boost * tf * {k1 + 1!r} / (tf + norm);")}}


def mappings(scoring: Scoring) -> dict:
    """The fields of a section's document (strict: a field the engine does not know is refused)."""
    keyword = {"type": "keyword"}
    shown = {"type": "keyword", "index": False, "doc_values": False}
    properties: dict[str, dict] = {
        "key": keyword, "article": keyword, "section": keyword, "locale": keyword, "status": keyword,
        "section_key": keyword, "content_hash": keyword,
        "fallbacks": {"type": "integer", "index": False, "doc_values": False},
        "position": {"type": "integer"},
        "path": shown,
        "line": {"type": "integer", "index": False, "doc_values": False},
        # Looked up whole (a phrase of a query that names an article), never scored.
        NAMES_FIELD: keyword,
    }
    for field in TEXT_FIELDS:
        properties[field] = {"type": "text", "index": False}
        properties[length_field(field)] = {"type": "integer"}
        # Aggregated only (a field's vocabulary with document frequencies), never searched.
        properties[vocabulary_field(field)] = {"type": "keyword", "index": False}
        for script in SCRIPTS:
            properties[f"{field}_{script}"] = {
                "type": "text", "analyzer": ANALYZER, "index_options": "positions",
                "similarity": similarity_name(field, script)}
    excluded = [vocabulary_field(field) for field in TEXT_FIELDS] + \
               [f"{field}_{script}" for field in TEXT_FIELDS for script in SCRIPTS]
    return {
        "dynamic": "strict",
        # The terms are made again from the readable text whenever they are needed: _source need
        # not keep them twice.
        "_source": {"excludes": excluded},
        "_meta": {"pipeline": {"format": FORMAT, "settings": settings_digest(scoring)}},
        "properties": properties,
    }


def settings_digest(scoring: Scoring) -> str:
    """What an index's settings and mappings depend on, besides FORMAT: its similarities."""
    scripts = {similarity_name(field, script): similarity(scoring, field, script)
               for field in TEXT_FIELDS for script in SCRIPTS}
    data = json.dumps(scripts, sort_keys=True).encode("utf-8")
    return hashlib.blake2b(data, digest_size=8).hexdigest()


def document_from_source(body: dict) -> SectionDocument:
    """A section's document back from what the cluster keeps of it."""
    return SectionDocument(
        article=body["article"], section=body["section"], locale=body["locale"], status=body["status"],
        fallbacks=tuple(body.get("fallbacks") or ()), content_hash=body.get("content_hash", ""),
        title=body.get("title", ""), heading=body.get("heading", ""), body=body.get("body", ""),
        position=body.get("position", 0), path=body.get("path", ""), line=body.get("line", 0),
        aliases=body.get("aliases", ""))
