"""GNU gettext's command-line tools, for tests that compare with them or save files as they do."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

# Where CI runs, the tools must be there (`make test` installs them): a missing one fails there.
needs_gettext = pytest.mark.skipif(
    not (shutil.which("msgcat") and shutil.which("msgmerge")) and not os.environ.get("CI"),
    reason="GNU gettext (msgcat, msgmerge) is not installed; `make test` installs it")


def gettext(*args: str | Path) -> str:
    """Run a GNU gettext tool; its output, or the test fails with its error."""
    result = subprocess.run([str(a) for a in args], capture_output=True, text=True)
    assert result.returncode == 0, f"{' '.join(map(str, args))} failed:\n{result.stderr}"
    return result.stdout


def msgcat(path: Path, *options: str) -> bytes:
    """The file as `msgcat` writes it (to stdout)."""
    result = subprocess.run(["msgcat", *options, str(path)], capture_output=True)
    assert result.returncode == 0, f"msgcat {path} failed:\n{result.stderr.decode()}"
    return result.stdout


def resave_with_msgcat(path: Path, *options: str) -> None:
    """Save a file as a translator's gettext tool would (msgcat's layout, or --no-wrap's)."""
    path.write_bytes(msgcat(path, *options))


def msgmerge_update(po: Path, pot: Path) -> None:
    """`msgmerge --update --previous`: what Poedit's "Update from POT" and Weblate's add-on run."""
    gettext("msgmerge", "--quiet", "--update", "--previous", "--backup=off", po, pot)
