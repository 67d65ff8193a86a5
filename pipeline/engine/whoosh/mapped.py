"""Segment files read in place, through the memory map Whoosh already makes.

Whoosh maps a compound segment file (all of a segment's parts in one file), but then copies each
part it opens (terms, postings, columns) whole into a BytesIO: every searcher held its own copy of
the index, and the web reader has a searcher per thread. Here a part is read from the map itself,
so the pages are the operating system's file cache, shared by every searcher and process, and only
what is read is ever loaded. Only this engine's segments (codec.ArraySegment) read this way.
"""

from __future__ import annotations

import io

from .internals import CompoundStorage, memoryview_  # isort: split

from whoosh.filedb.structfile import BufferFile


class MappedCompoundStorage(CompoundStorage):
    """Whoosh's compound segment file, whose parts open as MappedFile when the file is mapped."""

    def open_file(self, name, *args, **kwargs):
        if self.is_closed or not self._source:
            return super().open_file(name, *args, **kwargs)
        offset, length = self.range(name)
        return MappedFile(memoryview_(self._source, offset, length), name=name)


class MappedFile(BufferFile):
    """Whoosh's BufferFile over part of a map, without the copy."""

    def __init__(self, buf: memoryview, name: str | None = None, onclose=None):
        super().__init__(b"", name=name, onclose=onclose)
        self._buf = buf  # BufferFile reads its get_* through it
        # and its read_* through this (buffered in C: a block header is a few small reads)
        self.file = io.BufferedReader(_MemoryReader(buf))


class _MemoryReader(io.RawIOBase):
    """A read-only, seekable file over a memoryview."""

    def __init__(self, view: memoryview):
        super().__init__()
        self._view = view
        self._position = 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        count = max(0, min(len(buffer), len(self._view) - self._position))
        buffer[:count] = self._view[self._position:self._position + count]
        self._position += count
        return count

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        start = {io.SEEK_SET: 0, io.SEEK_CUR: self._position, io.SEEK_END: len(self._view)}[whence]
        if start + offset < 0:
            raise ValueError(f"negative seek position {start + offset}")
        self._position = start + offset
        return self._position

    def tell(self) -> int:
        return self._position
