"""Postings blocks stored as arrays, so that reading one makes no Python object per posting.

Whoosh's own codec pickles each block of a term's postings as a tuple of Python ints, floats
and byte strings (one per posting, positions included) and compresses the pickle: a first
reading of a term unpickled them all, most of a search's time on a large site. Here a block is a header of numbers (struct) and its document numbers, frequencies and
positions as three machine arrays, each compressed on its own, so that scoring, which needs no
positions, never decompresses them. Everything else is Whoosh's: the term tables, skipping and
merging; a segment remembers which codec wrote it.

Reading is where a query's time goes, so this module also reads Whoosh's own structures faster
than Whoosh does: a term table straight from the memory map (MappedHashReader), a term's entry and
blocks without matchers (SegmentPostings, for the scorer), a field's lengths whole
(ArrayPerDocReader), and a text field's postings from the analysis's caches without Token objects
(ArrayPositions.word_values).
"""

from __future__ import annotations

import struct
import sys
import zlib
from array import array
from bisect import bisect_left
from collections.abc import Iterator, Sequence
from hashlib import md5
from itertools import accumulate, pairwise

from .internals import column_bytes, length_column, term_info_size, term_table, terms_parts  # isort: split

from whoosh.codec.whoosh3 import (
    WHOOSH3_HEADER_MAGIC,
    W3Codec,
    W3LeafMatcher,
    W3PerDocReader,
    W3PostingsWriter,
    W3Segment,
    W3TermInfo,
)
from whoosh.filedb.filetables import OrderedHashReader, md5_hash
from whoosh.formats import Positions
from whoosh.util.numeric import byte_to_length, length_to_byte

from ...analysis import index_terms
from .analyzer import text_analyzer
from .mapped import MappedCompoundStorage

_BIG_ENDIAN = sys.byteorder == "big"
_TEXT_ANALYZER = text_analyzer()


def _to_bytes(values: array) -> bytes:
    """An array's items as little-endian bytes (how every index stores them)."""
    if _BIG_ENDIAN:
        values = array(values.typecode, values)
        values.byteswap()
    return values.tobytes()


def _from_bytes(typecode: str, data: bytes) -> array:
    """The array of little-endian items written by _to_bytes."""
    values = array(typecode)
    values.frombytes(data)
    if _BIG_ENDIAN:
        values.byteswap()
    return values


class ArrayPositions(Positions):
    """Whoosh's Positions format (a posting's value is where the term is in the field), with the
    positions as an array of ints: Whoosh pickles a list for every posting, and unpickles it to
    read them."""

    def word_values(self, value, analyzer, **kwargs):
        """(term, frequency, weight, positions) of each term of a text, as Whoosh's Positions
        gives them; with the project's analyzer, from analysis.index_terms rather than a stream of
        Token objects, which cost an ingest much of its time."""
        if not isinstance(value, str) or analyzer != _TEXT_ANALYZER or kwargs.keys() - {"mode"}:
            yield from super().word_values(value, analyzer, **kwargs)
            return
        first, terms = index_terms(value)
        positions: dict[str, list[int]] = {}
        for position, term in enumerate(terms, first):
            positions.setdefault(term, []).append(position)
        for term, found in positions.items():
            yield term, len(found), len(found) * self.field_boost, self.encode(found)

    def encode(self, poslist) -> bytes:
        return _to_bytes(array("i", poslist))

    def decode_positions(self, valuestring: bytes) -> list[int]:
        return _from_bytes("i", valuestring).tolist()

    def decode_frequency(self, valuestring: bytes) -> int:
        return len(valuestring) // 4


class ArrayCodec(W3Codec):
    """Whoosh's codec, with each postings block's data as arrays (see the module), in segments
    whose compound files are read in place (mapped.py)."""

    def new_segment(self, storage, indexname):
        return ArraySegment(self, indexname)

    def postings_writer(self, dbfile, byteids=False):
        if byteids:  # term vectors (the schema has none) keep Whoosh's own blocks
            return super().postings_writer(dbfile, byteids)
        return ArrayPostingsWriter(dbfile, self._blocklimit, self._compression, self._inlinelimit)

    def per_document_reader(self, storage, segment):
        return ArrayPerDocReader(storage, segment)

    def terms_reader(self, storage, segment):
        reader = super().terms_reader(storage, segment)
        table = term_table(reader)
        buffer = getattr(table.dbfile, "_buf", None)  # a part of a mapped compound file
        if buffer is not None and table.hashfn is md5_hash:
            table.__class__ = MappedHashReader
            table.buffer = buffer
        return reader

    def postings_reader(self, dbfile, terminfo, format_, term=None, scorer=None):
        if terminfo.is_inlined():  # a single posting, held in the term's entry
            return super().postings_reader(dbfile, terminfo, format_, term, scorer)
        offset, length = terminfo.extent()
        return ArrayLeafMatcher(dbfile, offset, length, format_, term=term, scorer=scorer)


class ArraySegment(W3Segment):
    """Whoosh's segment, whose compound file's parts are read in place rather than copied."""

    def open_compound_file(self, storage):
        dbfile = storage.open_file(self.make_filename(self.COMPOUND_EXT))
        return MappedCompoundStorage(dbfile, use_mmap=storage.supports_mmap)


class ArrayPostingsWriter(W3PostingsWriter):
    """Writes a block as a header of numbers (_BLOCK) and its document numbers, frequencies and
    positions, each compressed at level."""

    def __init__(self, postfile, blocklimit: int, level: int, inlinelimit: int):
        super().__init__(postfile, blocklimit, compression=0, inlinelimit=inlinelimit)
        self._level = level

    def _write_block(self, last: bool = False) -> None:
        if not self._blockcount:  # a term's postings start with Whoosh's tag
            self._postfile.write(WHOOSH3_HEADER_MAGIC)
        self._terminfo.add_block(self)
        ids = self._pack(array("i", self._ids))
        weights = self._pack(array("f", self._weights))
        values = b""
        if self._format.fixed_value_size() != 0:  # positions (else frequencies alone)
            # Each posting's value has a length of its own: the lengths, then the values end to end.
            values = self._pack(array("i", map(len, self._values)), *self._values)
        size = _BLOCK.size - _SIZE.size + len(ids) + len(weights) + len(values)
        self._postfile.write(_BLOCK.pack(-size if last else size, len(self._ids), self._ids[-1],
                                         self._maxweight, length_to_byte(self._minlength),
                                         length_to_byte(self._maxlength), len(ids), len(weights),
                                         len(values)) + ids + weights + values)
        self._blockcount += 1
        self._new_block()

    def _pack(self, numbers: array, *values: bytes) -> bytes:
        """numbers, then values, compressed."""
        return zlib.compress(_to_bytes(numbers) + b"".join(values), self._level, wbits=_RAW)


class ArrayLeafMatcher(W3LeafMatcher):
    """Reads the blocks ArrayPostingsWriter wrote: document numbers as an array("i")."""

    def _goto(self, position: int) -> None:
        self._data = self._ids = self._weights = self._values = None
        self._i = 0
        (size, self._blocklength, self._maxid, self._maxweight, shortest, longest,
         *self._parts) = _BLOCK.unpack(self._postfile.get(position, _BLOCK.size))
        if size < 0:
            self._lastblock = True
        self._nextoffset = position + _SIZE.size + abs(size)
        self._dataoffset = position + _BLOCK.size
        self._minlength, self._maxlength = byte_to_length(shortest), byte_to_length(longest)

    def _read_data(self) -> None:
        self._data = _split(self._postfile.get(self._dataoffset, sum(self._parts)), self._parts)

    def _read_ids(self) -> None:
        if self._data is None:
            self._read_data()
        self._ids = _from_bytes("i", _unpack(self._data[0]))

    def _read_weights(self) -> None:
        if self._data is None:
            self._read_data()
        self._weights = _from_bytes("f", _unpack(self._data[1]))

    def _read_values(self) -> None:
        if self._data is None:
            self._read_data()
        count = self._blocklength
        if self._fixedsize == 0:
            self._values = (None,) * count
            return
        self._values = _split_values(_unpack(self._data[2]), count)


class ArrayPerDocReader(W3PerDocReader):
    """Whoosh's per-document reader, with a field's lengths read whole on first use: writing a
    segment's postings asks for the length of each posting's field, which Whoosh read from the
    column one call at a time."""

    def __init__(self, storage, segment):
        super().__init__(storage, segment)
        self._lengths: dict[str, bytes] = {}  # filled without a lock: the value is the same

    def doc_field_length(self, docnum: int, fieldname: str, default: int = 0) -> int:
        lengths = self._lengths.get(fieldname)
        if lengths is None:
            lengths = self._lengths[fieldname] = length_bytes(self, fieldname)
        return byte_to_length(lengths[docnum]) if lengths[docnum] else default


def length_bytes(perdoc, fieldname: str) -> bytes:
    """The length of a field in every document of a segment (perdoc: its per-document reader), as
    Whoosh's BM25 reads it: one byte per document (whoosh.util.numeric.length_to_byte, a rough
    length), read at once."""
    column = length_column(perdoc, fieldname)
    count = perdoc.doc_count_all()
    if column is None:  # no document has the field
        return bytes(count)
    raw = column_bytes(column)
    return raw[:count] + bytes(count - len(raw))


class SegmentPostings:
    """A segment's terms and postings, read for scoring without Whoosh's matchers.

    For each term of a query, Whoosh's reader looks the term up for its document frequency, then
    again for its postings, wraps them in matchers and reads every block header through a file
    object, and a reader's long question has hundreds of terms.
    Here a term is looked up once (find), its entry gives its document frequency, and its blocks
    are read straight from the postings file.

    reader: a segment's reader (any codec with Whoosh's term tables; ArrayCodec's blocks are the
    ones read straight).
    """

    def __init__(self, reader):
        self._reader = reader
        # the term table's file holds the entries
        self._index, self._keycoder, self._range_for_key, self._table, self._postings = terms_parts(reader)
        self._deleted = reader.deleted_docs_set
        self._deleted_in_order = sorted(self._deleted)
        self._codec = reader.codec()
        self._schema = reader.schema
        # block position -> its document numbers, values and where each value starts, for the
        # blocks positions read last: a query's phrases and proximity read the same words' blocks.
        self._values: dict[int, tuple[Sequence[int], bytes, list[int]]] = {}

    def find(self, fieldname: str, text: bytes) -> tuple[int, int] | None:
        """Where a term's entry is in the term table (position, length), or None if the segment
        lacks the term."""
        try:
            return self._range_for_key(fieldname, text)
        except KeyError:
            return None

    def terms(self, fieldname: str) -> Iterator[str]:
        """Every term of a field in the segment (straight from the map of ArrayCodec's term
        table, rather than through Whoosh's lexicon)."""
        if not isinstance(self._index, MappedHashReader):
            if fieldname in self._schema:
                yield from (term.decode("utf-8") for term in self._reader.lexicon(fieldname))
            return
        prefix = self._keycoder(fieldname, b"")
        for key in self._index.keys_with(prefix):
            yield key[len(prefix):].decode("utf-8")

    def doc_frequency(self, entry: tuple[int, int]) -> int:
        """How many documents of the segment have the term of entry (deleted ones included)."""
        return _DOC_FREQUENCY.unpack(self._table.get(entry[0] + _DOC_FREQUENCY_AT, _DOC_FREQUENCY.size))[0]

    def blocks(self, fieldname: str, entry: tuple[int, int]
               ) -> Iterator[tuple[Sequence[int], Sequence[float], float, int]]:
        """The postings of the term of entry a block at a time: (document numbers, frequencies,
        the highest frequency, the shortest field length), deleted documents left out (the last
        two may be of a deleted document)."""
        raw = self._table.get(*entry)
        if not self._straight(raw):  # as one block
            info = W3TermInfo.from_bytes(raw)
            matcher = self._matcher(fieldname, info)
            ids, weights = [], []
            while matcher.is_active():
                ids.append(matcher.id())
                weights.append(matcher.weight())
                matcher.next()
            yield *self._alive(ids, weights), info.max_weight(), info.min_length()
            return
        for header, (ids, weights, _) in self._array_blocks(raw):
            ids, weights = _from_bytes("i", _unpack(ids)), _from_bytes("f", _unpack(weights))
            ids, weights = self._alive(ids, weights)
            yield ids, weights, header[3], byte_to_length(header[4])

    def positions(self, fieldname: str, entry: tuple[int, int],
                  docnums: Sequence[int]) -> Iterator[tuple[int, Sequence[int]]]:
        """(document number, where the term is in the field) for each of docnums (sorted, each
        holding the term of entry); only the blocks holding them are read."""
        raw = self._table.get(*entry)
        if not self._straight(raw):
            matcher = self._matcher(fieldname, W3TermInfo.from_bytes(raw))
            for docnum in docnums:
                matcher.skip_to(docnum)
                yield docnum, matcher.value_as("positions")
            return
        decode = self._schema[fieldname].format.decode_positions
        targets = iter(docnums)
        target = next(targets, None)
        for position, header in self._block_headers(raw):
            last = header[2]
            if target is None:
                return
            if target > last:
                continue
            ids, values, ends = self._block_values(position, header)
            while target is not None and target <= last:
                i = bisect_left(ids, target)
                yield target, decode(values[ends[i]:ends[i + 1]])
                target = next(targets, None)

    def _straight(self, raw: bytes) -> bool:
        """Whether a term's postings are ArrayCodec blocks, read here straight, rather than a
        single posting held in its entry (raw), or blocks another codec wrote (a Whoosh writer
        without ArrayCodec), read through Whoosh's matcher."""
        return not raw[0] and isinstance(self._codec, ArrayCodec)

    def _matcher(self, fieldname: str, info: W3TermInfo):
        return self._codec.postings_reader(self._postings, info, self._schema[fieldname].format)

    def _array_blocks(self, raw: bytes) -> Iterator[tuple[tuple, tuple[bytes, bytes, bytes]]]:
        """Each block of the postings of the entry raw: its header (_BLOCK) and its data
        (compressed document numbers, frequencies and values)."""
        for position, header in self._block_headers(raw):
            yield header, self._block_data(position, header)

    def _block_headers(self, raw: bytes) -> Iterator[tuple[int, tuple]]:
        """Where each block of the postings of the entry raw is, and its header (_BLOCK)."""
        offset, _ = _EXTENT.unpack_from(raw, _TERM_INFO_SIZE)
        postings = self._postings
        position = offset + len(WHOOSH3_HEADER_MAGIC)  # a term's postings start with it
        while True:
            header = _BLOCK.unpack(postings.get(position, _BLOCK.size))
            yield position, header
            if header[0] < 0:  # the last block
                return
            position += _SIZE.size + header[0]

    def _block_data(self, position: int, header: tuple) -> tuple[bytes, bytes, bytes]:
        """A block's compressed document numbers, frequencies and values."""
        parts = header[-3:]
        return _split(self._postings.get(position + _BLOCK.size, sum(parts)), parts)

    def _block_values(self, position: int, header: tuple) -> tuple[Sequence[int], bytes, list[int]]:
        """A block's document numbers and values, and where each value starts (kept for the last
        _KEPT_BLOCKS blocks read)."""
        found = self._values.get(position)
        if found is None:
            ids, _, values = self._block_data(position, header)
            ids, values = _from_bytes("i", _unpack(ids)), _unpack(values)
            found = ids, values, _value_ends(values, len(ids))
            if len(self._values) >= _KEPT_BLOCKS:
                del self._values[next(iter(self._values))]
            self._values[position] = found
        return found

    def _alive(self, ids: Sequence[int], weights: Sequence[float]) -> tuple[Sequence[int], Sequence[float]]:
        """The postings (in document order) whose document is not deleted."""
        deleted = self._deleted
        # A segment has few deleted documents: most blocks have none between their first and last.
        nearest = bisect_left(self._deleted_in_order, ids[0]) if ids else 0
        if nearest == len(deleted) or self._deleted_in_order[nearest] > ids[-1]:
            return ids, weights
        pairs = [(docnum, weight) for docnum, weight in zip(ids, weights) if docnum not in deleted]
        return [docnum for docnum, _ in pairs], [weight for _, weight in pairs]


# A term's entry (W3TermInfo): flags, total weight, document frequency, ..., then either its single
# posting or where its postings are (offset, length). A block starts with its size, negative for
# the last one.
_TERM_INFO_SIZE = term_info_size
_DOC_FREQUENCY = struct.Struct("!I")
_DOC_FREQUENCY_AT = 5
_EXTENT = struct.Struct("!qi")
# A block: its size after this number (negative for a term's last block), how many postings, the
# last document number, the highest frequency, the shortest and longest field length (Whoosh's
# length bytes), and the compressed sizes of its document numbers, frequencies and values, which
# follow.
_BLOCK = struct.Struct("!iIIfBBIII")
_SIZE = struct.Struct("!i")
# How many blocks' positions a segment keeps decoded (a block's are a few kilobytes at most).
_KEPT_BLOCKS = 256


def _split(data: bytes, sizes: Sequence[int]) -> tuple[bytes, bytes, bytes]:
    """A block's data: its document numbers, frequencies and values, each compressed."""
    ids, weights, _ = sizes
    return data[:ids], data[ids:ids + weights], data[ids + weights:]


class MappedHashReader(OrderedHashReader):
    """Whoosh's term table, with a term looked up straight from the memory map (its `buffer`).

    A search looks up each of its terms in every segment's table, for every field: a few hundred
    lookups a query. Whoosh's own reads each slot through a file object and hashes through a hex
    string; this is the same algorithm and file format, read straight from the map.
    """

    buffer: memoryview

    def ranges_for_key(self, key: bytes):
        found = self._find(key)
        if found is not None:
            yield found

    def range_for_key(self, key: bytes) -> tuple[int, int]:
        found = self._find(key)
        if found is None:
            raise KeyError(key)
        return found

    def keys_with(self, prefix: bytes) -> Iterator[bytes]:
        """The keys that start with prefix, in order (the table's entries are written in key order)."""
        position = self.closest_key_pos(prefix)
        if position is None:
            return
        buffer, end, size = self.buffer, self.endofdata, len(prefix)
        while position < end:
            keylength, datalength = _LENGTHS.unpack_from(buffer, position)
            keystart = position + _LENGTHS.size
            if buffer[keystart:keystart + size] != prefix:
                return
            yield bytes(buffer[keystart:keystart + keylength])
            position = keystart + keylength + datalength

    def _find(self, key: bytes) -> tuple[int, int] | None:
        """(position, length) of key's value, or None when the table does not hold key."""
        keyhash = int.from_bytes(md5(key, usedforsecurity=False).digest()[-4:], "big")
        start, slots = self.tables[keyhash & 255]
        if not slots:
            return None
        buffer, size = self.buffer, _POINTER.size
        end = start + slots * size
        position = start + (keyhash >> 8) % slots * size
        for _ in range(slots):
            slothash, item = _POINTER.unpack_from(buffer, position)
            if not item:
                return None
            if slothash == keyhash:
                keylength, datalength = _LENGTHS.unpack_from(buffer, item)
                keystart = item + _LENGTHS.size
                if keylength == len(key) and buffer[keystart:keystart + keylength] == key:
                    return keystart + keylength, datalength
            position += size
            if position == end:
                position = start
        return None


# Whoosh's hash file: a slot is (hash, position of the entry), an entry starts with the lengths of
# its key and value.
_POINTER = struct.Struct("!Iq")
_LENGTHS = struct.Struct("!ii")

def _split_values(values: bytes, count: int) -> tuple[bytes, ...]:
    """The values of a block's count postings, from ArrayPostingsWriter's lengths then values."""
    ends = _value_ends(values, count)
    return tuple(values[start:end] for start, end in pairwise(ends))


def _value_ends(values: bytes, count: int) -> list[int]:
    """Where each of a block's values starts in values, and where the last one ends."""
    return list(accumulate(_from_bytes("i", values[:4 * count]), initial=4 * count))


# Raw deflate streams: a block's parts are small, and zlib's header and checksum would add six
# bytes to each.
_RAW = -15


def _unpack(data: bytes) -> bytes:
    return zlib.decompress(data, wbits=_RAW)
