"""Every kind of request body the OpenSearch engine sends, checked against OpenSearch's API specification.

(The stand-in cluster's tests also check every request they make, in the `cluster` fixture.)
"""

from __future__ import annotations

import json

import pytest

from pipeline.config import ClusterSettings
from pipeline.engine import TEXT_FIELDS, Clause, Proximity, Query, Scoring
from pipeline.engine.opensearch.manifest import manifest_body
from pipeline.engine.opensearch.query import frequencies_body, search_body
from pipeline.engine.opensearch.schema import SCRIPTS, index_body, similarity_name

from . import opensearch_spec as spec

pytestmark = pytest.mark.skipif(not spec.available(), reason=spec.MISSING)


def test_the_checker_finds_what_is_wrong():
    # So that a pass means something: bodies OpenSearch would refuse are caught.
    assert spec.errors("PUT", "/x", {"mappings": {"properties": {"a": {"type": "no-such-type"}}}})
    assert spec.errors("POST", "/x/_search", {"query": {"term": {"a": {"value": "b", "boost": "high"}}}})
    assert spec.errors("POST", "/_aliases", {"actions": [{"add": {"index": "x", "alias": "y", "must_exist": "yes"}}]})
    assert spec.bulk_errors("/x/_bulk", [{"index": {"_id": 5}}, {}])


def test_the_index_and_manifest_bodies_are_valid():
    body = index_body(Scoring(), 3, 1)
    assert spec.errors("PUT", "/medref-pipeline-sections-2-000001", body) == []
    assert spec.errors("PUT", "/medref-pipeline-manifest", manifest_body(ClusterSettings())) == []
    # The specification leaves a similarity's name free, so each is checked against its own schema.
    for field in TEXT_FIELDS:
        for script in SCRIPTS:
            similarity = body["settings"]["index"]["similarity"][similarity_name(field, script)]
            assert spec.errors("PUT", "/x", similarity,
                               "schemas/indices._common.yaml#/components/schemas/IndexSettingsSimilarityScriptedTfidf") == []
    analysis = body["settings"]["analysis"]
    for kind, schema in (("tokenizer", "Tokenizer"), ("filter", "TokenFilter"), ("analyzer", "Analyzer")):
        for component in analysis[kind].values():
            assert spec.errors("PUT", "/x", component, f"schemas/_common.analysis.yaml#/components/schemas/{schema}") == []


QUERY = Query(should=(Clause("body", ("kidney",), 1.0), Clause("title", ("stone",), 2.0),
                      Clause("body", ("kidney", "stone"), 0.5), Clause("body", ("حصى",), 1.0)),
              must=((Clause("heading", ("كوفيد", "19"), 2.5), Clause("body", ("كوفيد", "19"), 1.0)),),
              bonuses=(Proximity("body", "kidney", "stone", 2, 0.3),))


def test_the_search_bodies_are_valid():
    body = search_body(QUERY, lambda field, term: 1.5, 50)
    assert spec.errors("POST", "/medref-pipeline-sections-2-000001/_search", body) == []
    assert "span_near" in json.dumps(body) and "match_phrase" in json.dumps(body)
    assert spec.errors("POST", "/x/_search", frequencies_body([("body", "kidney"), ("title", "حصى")])) == []
