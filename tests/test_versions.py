"""Tests for pipeline.engine.whoosh.versions: work remembered per version of the index, whichever reader asks."""

from __future__ import annotations

from whoosh.fields import ID, Schema
from whoosh.filedb.filestore import RamStorage

from pipeline.engine.whoosh.versions import per_version, version


def make_index():
    ix = RamStorage().create_index(Schema(id=ID(stored=True, unique=True)))
    with ix.writer() as writer:
        writer.add_document(id="a")
    return ix


def test_readers_of_one_version_share_a_result_and_a_new_version_computes_again():
    calls = []

    @per_version(size=2)
    def documents(reader, word):
        calls.append(word)
        return reader.doc_count()

    ix = make_index()
    with ix.reader() as one, ix.reader() as other:
        assert one is not other and version(one) == version(other)
        assert documents(one, "x") == documents(other, "x") == 1
        assert calls == ["x"]
    with ix.writer() as writer:
        writer.add_document(id="b")
    with ix.reader() as newer:
        assert documents(newer, "x") == 2
        assert calls == ["x", "x"]


def test_deletions_make_a_new_version():
    ix = make_index()
    with ix.reader() as before:
        key = version(before)
    with ix.writer(mergetype=lambda writer, segments: segments) as writer:
        writer.delete_by_term("id", "a")
    with ix.reader() as after:
        assert version(after) != key


def test_each_version_keeps_its_most_recently_used_entries():
    calls = []

    @per_version(size=2)
    def echo(reader, word):
        calls.append(word)
        return word

    with make_index().reader() as reader:
        for word in ["a", "b", "a", "c", "a", "b"]:
            assert echo(reader, word) == word
    assert calls == ["a", "b", "c", "b"]  # "b" was the least recently used when "c" came
