"""The Whoosh engine's private parts: every name internals.py lists exists in the installed Whoosh,
and another Whoosh release is refused with what to install."""

from __future__ import annotations

import importlib
import inspect
import re
from importlib import metadata

import pytest
from whoosh.codec.whoosh3 import W3Codec, W3LeafMatcher, W3PostingsWriter
from whoosh.filedb.compound import CompoundStorage
from whoosh.filedb.filetables import OrderedHashReader
from whoosh.filedb.structfile import BufferFile
from whoosh.writing import SegmentWriter

from pipeline.engine.whoosh import internals
from pipeline.errors import IndexingError

from .search_fixture import build_fixture_index


def _named(text: str) -> set[str]:
    return set(re.findall(r"`(_\w+)`", text))


def _in_source(cls: type, name: str) -> bool:
    """Whether a class or one of its bases defines or uses the attribute name."""
    return any(hasattr(base, name) or f"self.{name}" in inspect.getsource(base)
               for base in cls.__mro__ if base.__module__.startswith("whoosh"))


@pytest.mark.slow
def test_every_private_name_internals_lists_exists(tmp_path):
    from pipeline.engine.whoosh.index import open_index

    ix = open_index(build_fixture_index(tmp_path))
    with ix.searcher() as searcher:
        (leaf, _), *_ = searcher.leaf_searchers()
        reader = leaf.reader()
        parts = internals.terms_parts(reader)
        assert len(parts) == 5 and all(part is not None for part in parts)
        assert internals.term_table(reader._terms) is parts[0]
        column = internals.length_column(internals.per_document(reader), "body")
        assert len(internals.column_bytes(column)) == reader.doc_count_all()
    writer = SegmentWriter(ix, _lk=False)
    assert internals.added(writer) is False
    internals.close_segment(writer)
    # Every private name the docstring lists, in the class (or a base) that defines or uses it.
    classes = [SegmentWriter, W3Codec, W3PostingsWriter, W3LeafMatcher, OrderedHashReader, BufferFile,
               CompoundStorage, type(reader), type(reader._terms), type(column), type(internals.per_document(reader))]
    listed = _named(internals.__doc__) - {"_lenfield", "_struct"}
    missing = {name for name in listed if not any(_in_source(cls, name) for cls in classes)}
    assert not missing
    assert len(listed) > 40


def test_another_whoosh_release_is_refused_with_what_to_install(monkeypatch):
    monkeypatch.setattr(metadata, "version", lambda name: "2.7.4" if name == "whoosh-reloaded" else "0")
    with pytest.raises(IndexingError) as caught:
        importlib.reload(internals)
    assert "needs whoosh-reloaded 2.7.5; whoosh-reloaded 2.7.4 is installed" in str(caught.value)
    assert "pip install whoosh-reloaded==2.7.5" in str(caught.value)
    monkeypatch.undo()
    importlib.reload(internals)
