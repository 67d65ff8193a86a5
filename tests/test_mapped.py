"""Tests for pipeline.engine.whoosh.mapped: a searcher reads a compound segment file in place, not a copy of it."""

from __future__ import annotations

import io
import pickle
import tracemalloc

import pytest
from whoosh import index as whoosh_index
from whoosh.fields import ID, TEXT, Schema
from whoosh.filedb.structfile import BufferFile
from whoosh.query import Term

from pipeline.engine.whoosh.codec import ArrayCodec
from pipeline.engine.whoosh.mapped import MappedFile

WORDS = "kidney stone pain fever cough asthma insulin diabetes blood pressure heart lung".split()


def _big_index(folder, codec=None):
    """A one-segment compound index of about a megabyte, written with codec (Whoosh's own by default)."""
    ix = whoosh_index.create_in(str(folder), Schema(id=ID(stored=True), body=TEXT(stored=True)))
    with ix.writer(**({"codec": codec} if codec else {})) as writer:
        for number in range(4000):
            body = " ".join(WORDS[(number * 7 + i * i) % len(WORDS)] + str(i % 50) for i in range(40))
            writer.add_document(id=str(number), body=body)
    (segment,) = [path for path in folder.iterdir() if path.suffix == ".seg"]
    assert segment.stat().st_size > 500_000
    return folder, segment.stat().st_size


@pytest.fixture(scope="module")
def indexes(tmp_path_factory):
    """The same documents in a plain Whoosh index and in one of this engine's."""
    return (_big_index(tmp_path_factory.mktemp("plain")),
            _big_index(tmp_path_factory.mktemp("ours"), ArrayCodec()))


def _searcher_allocations(folder) -> tuple[int, list[str]]:
    """Bytes allocated while opening a searcher and searching with it, and what it found."""
    ix = whoosh_index.open_dir(str(folder))
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        with ix.searcher() as searcher:
            found = [hit["id"] for hit in searcher.search(Term("body", "kidney0"), limit=5)]
            found.append(searcher.stored_fields(123)["id"])
            peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    return peak - before, found


@pytest.mark.slow
def test_a_searcher_reads_this_engines_segments_in_place_and_no_other(indexes):
    (plain, plain_size), (ours, size) = indexes
    _searcher_allocations(ours)  # the first search imports Whoosh's searching modules
    allocated, found = _searcher_allocations(ours)
    assert allocated < size / 10
    # Whoosh as it comes copies each part; opening this engine's index first changed nothing for it.
    copied, expected = _searcher_allocations(plain)
    assert copied > plain_size / 2
    assert found == expected and len(found) == 6


def test_mapped_file_reads_seeks_and_unpickles_like_whooshs():
    data = pickle.dumps({"terms": list(range(100))}) + b"line one\nline two\n" + bytes(range(256))
    view = memoryview(b"head" + data)[4:]  # a part of a larger buffer, as in a segment file
    ours = MappedFile(view)
    for file in (ours, BufferFile(view)):
        assert file.read_pickle() == {"terms": list(range(100))}
        assert file.readline() == b"line one\n"
        assert file.read(5) == b"line "
        file.seek(-256, io.SEEK_END)
        assert file.read() == bytes(range(256))
        assert file.get(len(data) - 3, 3) == bytes([253, 254, 255])
        assert file.tell() == len(data)
        assert file.read(10) == b""
    with pytest.raises(ValueError):
        ours.seek(-1)
