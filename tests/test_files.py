"""The cache of what takes a one-off command too long to work out (files.cached)."""

from __future__ import annotations

import os

import pytest

from pipeline.files import cached


@pytest.fixture
def folder(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    return tmp_path / "medref-pipeline"


def test_a_value_is_worked_out_once_per_key(folder):
    made = []

    def make():
        made.append(1)
        return {"kidney": ("stone",)}

    assert cached("table", b"version 1", dict, make) == {"kidney": ("stone",)}
    assert cached("table", b"version 1", dict, make) == {"kidney": ("stone",)}
    assert len(made) == 1
    assert cached("table", b"version 2", dict, make) == {"kidney": ("stone",)}
    assert len(made) == 2
    assert len(list(folder.glob("table-*.pickle"))) == 2


@pytest.mark.parametrize("damage", [b"not a pickle", b"", b"\x80\x05K\x01."])  # the last: an int, not a dict
def test_a_damaged_or_foreign_cache_file_is_worked_out_again(folder, damage):
    cached("table", b"key", dict, lambda: {"a": 1})
    [path] = folder.glob("table-*.pickle")
    path.write_bytes(damage)
    assert cached("table", b"key", dict, lambda: {"a": 2}) == {"a": 2}
    assert cached("table", b"key", dict, lambda: {"a": 3}) == {"a": 2}


def test_only_the_most_recent_files_of_a_name_stay(folder):
    for number in range(5):
        cached("table", str(number).encode(), dict, lambda: {})
        for path in folder.glob("table-*.pickle"):  # older files, older times
            os.utime(path, ns=(path.stat().st_mtime_ns - 10**9,) * 2)
    cached("other", b"key", dict, lambda: {})
    cached("table", b"5", dict, lambda: {"newest": True}, keep=2)
    assert len(list(folder.glob("table-*.pickle"))) == 2
    assert len(list(folder.glob("other-*.pickle"))) == 1
    assert cached("table", b"5", dict, lambda: {}) == {"newest": True}


def test_an_unwritable_cache_folder_only_costs_the_time(tmp_path, monkeypatch):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocker))
    assert cached("table", b"key", dict, lambda: {"a": 1}) == {"a": 1}
