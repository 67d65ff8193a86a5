"""Tests for pipeline.engine.whoosh.codec: postings written as arrays read back exactly as Whoosh's own blocks."""

from __future__ import annotations

from array import array

import pytest
from whoosh import index as whoosh_index
from whoosh import query as Q
from whoosh.codec.whoosh3 import W3Codec
from whoosh.fields import ID, KEYWORD, NUMERIC, TEXT, Schema

from whoosh.filedb.filetables import OrderedHashReader

from pipeline.engine.whoosh.codec import (ArrayCodec, ArrayLeafMatcher, ArrayPositions, MappedHashReader, SegmentPostings,
                           _from_bytes, _to_bytes)

WORDS = "kidney stone pain fever cough asthma insulin diabetes blood pressure heart lung".split()
# More documents than a block holds (128 postings), so that common terms span several blocks.
COUNT = 1000


def _schema(codec) -> Schema:
    # TEXT has positions (variable-size values), KEYWORD frequencies only (no values), NUMERIC
    # terms without values either; ID's terms are mostly single postings, held in the term's entry.
    body = TEXT(stored=True)
    if isinstance(codec, ArrayCodec):  # as the project's schema pairs them
        body.format = ArrayPositions()
    return Schema(id=ID(stored=True, unique=True), body=body, tags=KEYWORD, number=NUMERIC(stored=True))


def _document(number: int) -> dict:
    body = " ".join(WORDS[(number * 7 + i * i) % len(WORDS)] for i in range(3 + number % 40))
    return {"id": str(number), "body": body, "tags": " ".join(WORDS[: number % 5 + 1]), "number": number % 9}


def _build(folder, codec, batches: int = 1, delete: tuple[str, ...] = ()):
    """An index of COUNT documents written in batches (one segment each) with codec."""
    folder.mkdir(exist_ok=True)
    ix = whoosh_index.create_in(str(folder), _schema(codec))
    size = COUNT // batches
    for start in range(0, COUNT, size):
        with ix.writer(codec=codec) as writer:
            for number in range(start, min(COUNT, start + size)):
                writer.add_document(**_document(number))
    if delete:
        with ix.writer(codec=codec) as writer:
            for key in delete:
                writer.delete_by_term("id", key)
    return ix


def _postings(ix) -> dict:
    """Every term's postings: (document, frequency, positions or value) per posting."""
    found = {}
    with ix.searcher() as searcher:
        reader = searcher.reader()
        for fieldname, text in reader.all_terms():
            matcher = reader.postings(fieldname, text)
            items = []
            while matcher.is_active():
                value = matcher.value_as("positions") if fieldname == "body" else matcher.value()
                frequency = matcher.value_as("frequency") if fieldname == "body" else None
                items.append((matcher.id(), matcher.weight(), value, frequency))
                matcher.next()
            found[fieldname, text] = items
    return found


@pytest.fixture(scope="module")
def whoosh_postings(tmp_path_factory):
    return _postings(_build(tmp_path_factory.mktemp("w3"), W3Codec()))


def test_postings_read_back_as_whoosh_writes_them(tmp_path, whoosh_postings):
    ix = _build(tmp_path, ArrayCodec())
    with ix.searcher() as searcher:
        matcher = searcher.reader().postings("body", "kidney")
        assert isinstance(matcher, ArrayLeafMatcher)
    assert _postings(ix) == whoosh_postings
    assert len(whoosh_postings["body", b"kidney"]) > 2 * 128  # three blocks or more


def test_merged_segments_keep_the_postings(tmp_path, whoosh_postings):
    ix = _build(tmp_path, ArrayCodec(), batches=5)
    assert len(ix._segments()) > 1
    with ix.writer(codec=ArrayCodec()) as writer:
        writer.optimize = True
    assert len(ix._segments()) == 1
    assert _postings(ix) == whoosh_postings


@pytest.mark.parametrize("query", [
    Q.Term("body", "kidney"),
    Q.Phrase("body", ["stone", "kidney"]),
    Q.And([Q.Term("body", "insulin"), Q.Term("tags", "pain")]),
    Q.Or([Q.Term("body", "asthma"), Q.Term("body", "heart")]),
    Q.NumericRange("number", 2, 5),
])
def test_whoosh_searches_the_same_with_either_codec(tmp_path, query):
    deleted = ("3", "140", "141", "650", "999")
    found = []
    for name, codec in (("w3", W3Codec()), ("arrays", ArrayCodec())):
        ix = _build(tmp_path / name, codec, batches=2, delete=deleted)
        with ix.searcher() as searcher:
            hits = searcher.search(query, limit=None)
            found.append([(hit["id"], round(hit.score, 9)) for hit in hits])
    assert found[0] == found[1]
    assert found[0] and not {key for key, _ in found[0]} & set(deleted)


def test_skipping_lands_on_the_same_postings(tmp_path, whoosh_postings):
    ix = _build(tmp_path, ArrayCodec())
    expected = [docnum for docnum, _, _, _ in whoosh_postings["body", b"kidney"]]
    with ix.searcher() as searcher:
        matcher = searcher.reader().postings("body", "kidney")
        for target in (5, 300, 301, 555, expected[-1]):
            matcher.skip_to(target)
            assert matcher.id() == min(docnum for docnum in expected if docnum >= target)


def test_terms_are_looked_up_where_whoosh_finds_them(tmp_path):
    ix = _build(tmp_path, ArrayCodec(), batches=2)
    with ix.searcher() as searcher:
        for leaf, _ in searcher.leaf_searchers():
            table = leaf.reader()._terms._tindex
            assert isinstance(table, MappedHashReader)
            keys = list(table.keys())
            assert len(keys) > 100
            for key in keys:
                assert table.range_for_key(key) == OrderedHashReader.range_for_key(table, key)
            for missing in (b"\x00\x00nothing", keys[0] + b"x", keys[0][:-1], b""):
                assert missing not in table
                with pytest.raises(KeyError):
                    table.range_for_key(missing)
        assert searcher.doc_frequency("body", "kidney") == len(_postings(ix)["body", b"kidney"])


@pytest.mark.parametrize("codec", [ArrayCodec(), W3Codec()], ids=["arrays", "whoosh"])
def test_segment_postings_are_whooshs_postings_without_deleted_documents(tmp_path, codec):
    ix = _build(tmp_path, codec, batches=2, delete=("3", "140", "141", "600"))
    with ix.searcher() as searcher:
        most_blocks = 0
        for leaf, _ in searcher.leaf_searchers():
            reader = leaf.reader()
            segment = SegmentPostings(reader)
            for fieldname, text in reader.all_terms():
                if fieldname not in ("body", "tags"):
                    continue
                entry = segment.find(fieldname, text)
                assert segment.doc_frequency(entry) == reader.doc_frequency(fieldname, text)
                blocks = list(segment.blocks(fieldname, entry))
                most_blocks = max(most_blocks, len(blocks))
                for ids, weights, highest, shortest in blocks:
                    assert all(weight <= highest for weight in weights)
                    assert all(reader.doc_field_length(docnum, fieldname) >= shortest for docnum in ids)
                expected = list(reader.postings(fieldname, text).items_as("weight"))  # deleted ones left out
                found = [posting for ids, weights, _, _ in blocks for posting in zip(ids, weights)]
                assert found == expected
                if fieldname == "body":
                    some = [docnum for docnum, _ in expected[::7]]
                    positions = dict(reader.postings(fieldname, text).items_as("positions"))
                    read = segment.positions(fieldname, entry, some)
                    found = [(docnum, list(where)) for docnum, where in read]
                    assert found == [(docnum, positions[docnum]) for docnum in some]
            assert segment.find("body", b"absent") is None
        assert most_blocks > (1 if isinstance(codec, ArrayCodec) else 0)


@pytest.mark.parametrize("codec", [ArrayCodec(), W3Codec()], ids=["arrays", "whoosh"])
def test_a_segments_terms_are_its_lexicon(tmp_path, codec):
    ix = _build(tmp_path, codec, batches=2)
    with ix.searcher() as searcher:
        for leaf, _ in searcher.leaf_searchers():
            reader = leaf.reader()
            segment = SegmentPostings(reader)
            for fieldname in ("body", "tags", "id"):
                expected = [term.decode("utf-8") for term in reader.lexicon(fieldname)]
                assert len(expected) > 4
                assert list(segment.terms(fieldname)) == expected
            assert list(segment.terms("absent")) == []


def test_positions_read_again_from_kept_blocks_are_the_same(tmp_path, monkeypatch):
    monkeypatch.setattr("pipeline.engine.whoosh.codec._KEPT_BLOCKS", 3)
    ix = _build(tmp_path, ArrayCodec())
    with ix.searcher() as searcher:
        reader = searcher.reader()
        segment = SegmentPostings(reader)
        terms = [text for text in reader.lexicon("body") if reader.doc_frequency("body", text) > 300]
        assert len(terms) >= 3
        for _ in range(2):
            for text in terms:
                expected = dict(reader.postings("body", text).items_as("positions"))
                some = sorted(expected)[::3]
                read = segment.positions("body", segment.find("body", text), some)
                assert [(docnum, list(where)) for docnum, where in read] == [(d, expected[d]) for d in some]
                assert len(segment._values) <= 3


def test_arrays_are_stored_little_endian():
    assert _to_bytes(array("i", [1, -2])) == b"\x01\x00\x00\x00\xfe\xff\xff\xff"
    assert _from_bytes("f", _to_bytes(array("f", [1.5, 3.0]))) == array("f", [1.5, 3.0])
