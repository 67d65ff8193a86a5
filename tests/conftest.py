"""Shared fixtures: a small sources/locales tree under tmp_path, and golden-file comparison."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SOURCES = ROOT / "sources"
GOLDEN = Path(__file__).resolve().parent / "golden"


def pytest_addoption(parser):
    parser.addoption("--update-golden", action="store_true",
                     help="Rewrite tests/golden/* from the current output instead of comparing.")


@pytest.fixture
def golden(request):
    """Compare a JSON-able value with tests/golden/<name>.json (or rewrite it with --update-golden)."""
    update = request.config.getoption("--update-golden")

    def check(name: str, value) -> None:
        path = GOLDEN / f"{name}.json"
        text = json.dumps(value, ensure_ascii=False, indent=2, sort_keys=True) + "\n"
        if update:
            path.write_text(text, encoding="utf-8")
        assert path.exists(), f"no golden file {path}; run pytest --update-golden"
        assert json.loads(text) == json.loads(path.read_text(encoding="utf-8"))

    return check


@pytest.fixture
def project(tmp_path, monkeypatch):
    """A project folder under tmp_path with a copy of the bundled sources; the cwd is set to it."""
    shutil.copytree(SOURCES, tmp_path / "sources")
    (tmp_path / "locales").mkdir()
    monkeypatch.chdir(tmp_path)
    return tmp_path
