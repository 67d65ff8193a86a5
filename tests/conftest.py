"""Shared fixtures: a small sources/locales tree under tmp_path, and golden-file comparison."""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import tempfile
from datetime import datetime, timezone
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SOURCES = ROOT / "sources"
LOCALES = ROOT / "locales"
GOLDEN = Path(__file__).resolve().parent / "golden"
FIXTURES = Path(__file__).resolve().parent / "fixtures"
# Catalogues written by tests are stamped with this time, so golden files stay byte-stable.
NOW = datetime(2025, 6, 1, 12, 0, tzinfo=timezone.utc)

# Tests send Ctrl-C (SIGINT) to the pipeline processes they start. A shell that runs the suite in
# the background (`make test &`) starts it with SIGINT ignored, which its children would inherit;
# handling it here gives them the default again.
if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:
    signal.signal(signal.SIGINT, signal.default_int_handler)


@pytest.fixture(autouse=True, scope="session")
def _own_temporary_folder(tmp_path_factory):
    """Temporary files of this run in a folder of its own: Whoosh's in-memory indexes spill to
    `<tmp>/MAIN.tmp` whatever the process, so two runs on one machine would share that folder."""
    folder = tmp_path_factory.mktemp("tempfile")
    previous, tempfile.tempdir = tempfile.tempdir, str(folder)
    yield
    tempfile.tempdir = previous


def in_ci() -> bool:
    """Whether the suite runs in CI (the variable CI is set), where every test is required to run."""
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


def unavailable(reason: str) -> None:
    """Skip the calling test (or module) for a missing tool, saying why; in CI, fail instead.

    A plain `pip install -e '.[test]' && pytest` runs everything it can; CI (and `make test`, which
    installs the tools) must never pass by skipping what it was meant to check.
    """
    if in_ci():
        pytest.fail(f"{reason}; required because CI is set", pytrace=False)
    pytest.skip(reason, allow_module_level=True)


def require_program(name: str, hint: str) -> str:
    """The path of an external program the test needs, else skip (or fail in CI) naming it."""
    path = shutil.which(name)
    if path is None:
        unavailable(f"{name} is not installed ({hint})")
    return path


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
def golden_text(request):
    """Compare text with tests/golden/<name> byte for byte (or rewrite it with --update-golden)."""
    update = request.config.getoption("--update-golden")

    def check(name: str, text: str) -> None:
        # The Babel version a PO header names depends on the environment, not on this code.
        text = re.sub(r'"Generated-By: Babel [^\\"]*', '"Generated-By: Babel VERSION', text)
        path = GOLDEN / name
        if update:
            path.write_bytes(text.encode("utf-8"))
        assert path.exists(), f"no golden file {path}; run pytest --update-golden"
        assert text == path.read_bytes().decode("utf-8")

    return check


@pytest.fixture(scope="session")
def msgfmt():
    """Check a PO file with GNU gettext's msgfmt, the reference every catalogue must pass."""
    program = require_program("msgfmt", "GNU gettext; `make test` installs it with apt-get")

    def check(path: Path) -> None:
        result = subprocess.run([program, "--check-format", "--check-header", "-o", "/dev/null", str(path)],
                                capture_output=True, text=True)
        assert result.returncode == 0, f"msgfmt rejects {path}:\n{result.stderr}"
        assert "warning" not in result.stderr, f"msgfmt warns about {path}:\n{result.stderr}"

    return check


@pytest.fixture
def project(tmp_path, monkeypatch):
    """A project folder under tmp_path with a copy of the bundled sources; the cwd is set to it."""
    shutil.copytree(SOURCES, tmp_path / "sources")
    (tmp_path / "locales").mkdir()
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.fixture
def seeded(project):
    """The project with the bundled catalogues too (templates and the Arabic translations)."""
    shutil.rmtree(project / "locales")
    shutil.copytree(LOCALES, project / "locales", ignore=shutil.ignore_patterns("*.mo"))
    return project
