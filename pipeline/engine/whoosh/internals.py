"""Whoosh's private parts this engine relies on, named in one place, and the version they are known in.

The embedded engine reads Whoosh's files faster than Whoosh does (codec.py), maps segment files
instead of copying them (mapped.py), and commits segments built by worker processes (index.py).
That needs names Whoosh does not publish. Every one of them is imported or reached through this
module, which checks at import that the installed whoosh-reloaded is the release they were read
from: another release may keep the names and change what they mean.

Private names reached from outside Whoosh's classes (functions below): a terms reader's table
`_tindex`, `_keycoder`, `_range_for_key`, `_dbfile`, `_postfile`; a segment reader's `_terms` and
`_perdoc`; a per-document reader's `_cached_reader`; a column reader's `_dbfile`, `_basepos`,
`_count`; a segment writer's `_added`, `_finalize_segment`, `_close_segment`, `_merge_segments`,
`_commit_toc`, `_finish`; `whoosh.codec.whoosh3._lenfield`; `W3TermInfo._struct`;
`whoosh.filedb.compound.memoryview_`.

Private attributes used inside our subclasses of Whoosh's (codec.py): W3Codec's `_blocklimit`,
`_compression`, `_inlinelimit`; W3PostingsWriter's `_blockcount`, `_postfile`, `_terminfo`,
`_ids`, `_weights`, `_values`, `_format`, `_maxweight`, `_minlength`, `_maxlength`,
`_new_block`, `_write_block`; W3LeafMatcher's `_goto`, `_read_data`, `_read_ids`,
`_read_weights`, `_read_values`, `_i`, `_blocklength`, `_maxid`, `_lastblock`, `_nextoffset`,
`_dataoffset`, `_data`, `_fixedsize`, `_postfile`; OrderedHashReader's table layout
(`hashfn`, `dbfile`); BufferFile's `_buf`; CompoundStorage's `_source` (mapped.py). tests/test_whoosh_internals.py checks that each exists.
"""

from __future__ import annotations

from importlib import metadata

from ...errors import IndexingError

# The release every private name above was read from.
WHOOSH_RELEASE = "2.7.5"


def _check_release() -> None:
    try:
        installed = metadata.version("whoosh-reloaded")
    except metadata.PackageNotFoundError:
        installed = None
    if installed != WHOOSH_RELEASE:
        found = f"whoosh-reloaded {installed} is installed" if installed else "whoosh-reloaded is not installed"
        raise IndexingError(f"the embedded search engine needs whoosh-reloaded {WHOOSH_RELEASE}; {found}",
                            hint=f"run `pip install whoosh-reloaded=={WHOOSH_RELEASE}` (or reinstall this package)")


_check_release()

# Imported only once the release is known to be the right one.
from whoosh.codec.whoosh3 import W3TermInfo, _lenfield  # noqa: E402
from whoosh.filedb.compound import CompoundStorage, memoryview_  # noqa: E402

__all__ = ["CompoundStorage", "WHOOSH_RELEASE", "added", "close_segment", "column_bytes", "commit_with_segments",
           "finish_segment", "length_column", "memoryview_", "per_document", "term_info_size", "term_table",
           "terms_parts"]

# The size of a term's entry in a term table, before its postings or their place.
term_info_size = W3TermInfo._struct.size


def term_table(terms_reader):
    """The hash table behind a segment's terms reader (an OrderedHashReader)."""
    return terms_reader._tindex


def terms_parts(segment_reader) -> tuple:
    """A segment reader's term table, key coder, range lookup, term file and postings file."""
    terms = segment_reader._terms
    return terms._tindex, terms._keycoder, terms._range_for_key, terms._dbfile, terms._postfile


def per_document(segment_reader):
    """A segment reader's per-document reader (stored fields, lengths, columns)."""
    return segment_reader._perdoc


def length_column(perdoc, fieldname: str):
    """The column of a field's lengths (one byte per document), or None when no document has it."""
    from whoosh.codec.whoosh3 import LENGTHS_COLUMN

    return perdoc._cached_reader(_lenfield(fieldname), LENGTHS_COLUMN)


def column_bytes(column, width: int = 1) -> bytes:
    """The raw values of a fixed-width column (width bytes each), read at once."""
    return column._dbfile.get(column._basepos, column._count * width) if column._count else b""


def added(writer) -> bool:
    """Whether a segment writer has had documents added."""
    return bool(writer._added)


def finish_segment(writer):
    """Write a segment writer's files and return its segment (outside any commit)."""
    return writer._finalize_segment()


def close_segment(writer) -> None:
    """Close a segment writer's files without making a segment of them."""
    writer._close_segment()


def commit_with_segments(writer, segments: list, policy) -> None:
    """Commit a writer together with finished segments, as whoosh.multiproc.MpWriter does."""
    final = writer._merge_segments(policy, None, None)
    final += segments
    if writer._added:
        final.append(writer._finalize_segment())
    else:
        writer._close_segment()
    writer._commit_toc(final)
    writer._finish()
