"""Index files read through memory maps.

Whoosh reads its term dictionary and postings a few bytes at a time, each read a seek and a read
on the file: two system calls, hundreds of thousands of them for a search over a many-segment
index. Reading through a memory map makes each of them a copy from the page cache, and, unlike
Whoosh's compound files (whose parts are copied into memory on every open), costs no memory of its
own.
"""

from __future__ import annotations

import mmap

from whoosh.filedb.filestore import FileStorage
from whoosh.filedb.structfile import StructFile


class MappedStorage(FileStorage):
    """Whoosh's storage in a folder, its files opened for reading as memory maps."""

    def open_file(self, name, **kwargs):
        """Open an existing file of the index for reading."""
        with open(self._fpath(name), "rb") as file:
            if not file.seek(0, 2):  # an empty file cannot be mapped
                return super().open_file(name, **kwargs)
            mapped = mmap.mmap(file.fileno(), 0, access=mmap.ACCESS_READ)
        return StructFile(mapped, name=name, **kwargs)
