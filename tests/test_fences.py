"""The package's fences, read from its imports: Whoosh only inside its engine, the OpenSearch client
only inside its engine, click only in the command line, and no domain module reaching into an engine."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "pipeline"


def _imports(path: Path) -> set[str]:
    """Every module a file imports (absolute names; relative imports resolved)."""
    module = ".".join(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = package
            for _ in range(node.level - 1):
                base = base.rpartition(".")[0]
            name = f"{base}.{node.module}" if node.level and node.module else base if node.level else node.module
            found.add(name)
            found.update(f"{name}.{alias.name}" for alias in node.names)
    return found


FILES = sorted(PACKAGE.rglob("*.py"))


def _under(path: Path, folder: str) -> bool:
    return path.relative_to(PACKAGE).as_posix().startswith(folder)


@pytest.mark.parametrize("path", FILES, ids=lambda path: path.relative_to(PACKAGE).as_posix())
def test_each_library_is_imported_only_inside_its_fence(path):
    imports = _imports(path)
    whoosh = {name for name in imports if name == "whoosh" or name.startswith("whoosh.")}
    if not _under(path, "engine/whoosh/"):
        # The ISRI root stemmer, a plain-Python module Whoosh ships apart from its index.
        allowed = {"whoosh.lang.isri", "whoosh.lang.isri.ISRIStemmer"} if _under(path, "analysis/arabic.py") else set()
        assert whoosh <= allowed, whoosh
    if not _under(path, "engine/opensearch/"):
        assert not {name for name in imports if name.split(".")[0] == "opensearchpy"}
    if not _under(path, "cli/"):
        assert not {name for name in imports if name.split(".")[0] == "click"}


@pytest.mark.parametrize("path", [path for path in FILES if not _under(path, "engine/")],
                         ids=lambda path: path.relative_to(PACKAGE).as_posix())
def test_the_domain_reaches_engines_only_through_the_boundary(path):
    engines = {name for name in _imports(path)
               if name.startswith(("pipeline.engine.whoosh", "pipeline.engine.opensearch"))}
    assert not engines, f"{path.name} imports {sorted(engines)}: use pipeline.engine (open_engine and its protocols)"
