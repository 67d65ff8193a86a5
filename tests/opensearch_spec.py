"""Checking request bodies against OpenSearch's own API specification (OpenAPI, YAML).

The specification lives beside the project, in ../shared/opensearch-api-spec/ (the repository
root's parent); a clone without it skips these checks, saying why. A request (method, path,
body) is matched to its operation by the specification's path templates, and its body checked
against the operation's request-body schema with jsonschema, the `$ref`s between files resolved
through a referencing registry.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

SPEC = Path(__file__).resolve().parents[2] / "shared" / "opensearch-api-spec" / "spec"
# Worktrees sit one level deeper than a clone; the shared folder is beside the repository root.
for _parent in Path(__file__).resolve().parents:
    if (_parent / "shared" / "opensearch-api-spec" / "spec").is_dir():
        SPEC = _parent / "shared" / "opensearch-api-spec" / "spec"
        break

MISSING = f"OpenSearch's API specification is not at {SPEC.parent} (../shared beside the repository)"
NAMESPACES = ("_core.yaml", "indices.yaml", "cluster.yaml")
# The URI the specification's files are known by (relative $refs between them resolve against it).
BASE = "file:///opensearch-api-spec/"


def available() -> bool:
    return SPEC.is_dir()


@lru_cache(maxsize=None)
def _load(relative: str) -> dict:
    import yaml

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    with open(SPEC / relative, encoding="utf-8") as stream:
        return yaml.load(stream, Loader=loader)


@lru_cache(maxsize=1)
def _registry():
    from referencing import Registry, Resource
    from referencing.jsonschema import DRAFT202012

    def retrieve(uri: str):
        return Resource.from_contents(_load(uri.removeprefix(BASE)), default_specification=DRAFT202012)

    return Registry(retrieve=retrieve)


@lru_cache(maxsize=1)
def _operations() -> list[tuple[str, re.Pattern, int, str, str]]:
    """(method, path pattern, literal segments, namespace file, request body's $ref) of every
    operation with a body."""
    found = []
    for namespace in NAMESPACES:
        document = _load(f"namespaces/{namespace}")
        for template, operations in document["paths"].items():
            pattern = re.compile("^" + re.sub(r"\\{[^}]+\\}", "[^/]+", re.escape(template)) + "$")
            literal = sum(1 for segment in template.split("/") if segment and not segment.startswith("{"))
            for method, operation in operations.items():
                body = operation.get("requestBody") if isinstance(operation, dict) else None
                if body is not None:
                    found.append((method.upper(), pattern, literal, namespace, body["$ref"]))
    return found


def body_schema(method: str, path: str) -> tuple[str, dict, str] | None:
    """(the namespace file, the request body's schema, its media type) of the operation a request
    is for, or None when the specification gives the operation no body."""
    candidates = [(literal, namespace, ref) for op_method, pattern, literal, namespace, ref in _operations()
                  if op_method == method and pattern.match(path)]
    if not candidates:
        return None
    _, namespace, ref = max(candidates)
    body = _load(f"namespaces/{namespace}")
    for part in ref.lstrip("#/").split("/"):
        body = body[part]
    (media, content), = body["content"].items()
    return namespace, content["schema"], media


def errors(method: str, path: str, body, schema_path: str | None = None) -> list[str]:
    """What is wrong with a request's body by the specification ([] when it is valid).

    schema_path: check against this schema instead (`schemas/file.yaml#/components/schemas/Name`).
    """
    import json

    if schema_path is None:
        found = body_schema(method, path)
        if found is None:
            return [] if body is None else [f"{method} {path}: the specification takes no body here"]
        key = (found[0], json.dumps(found[1], sort_keys=True))
    else:
        key = (schema_path, "")
    seen = (key, json.dumps(body, sort_keys=True))
    if seen in _VALID:  # the same body, already checked
        return []
    problems = [f"{method} {path}: {'/'.join(map(str, error.absolute_path))}: {error.message[:300]}"
                for error in _validator(key, schema_path, method, path).iter_errors(body)]
    if not problems:
        _VALID.add(seen)
    return problems


_VALID: set = set()
_VALIDATORS: dict = {}


def _validator(key, schema_path, method, path):
    from jsonschema import Draft202012Validator

    validator = _VALIDATORS.get(key)
    if validator is None:
        if schema_path is not None:
            schema = {"$ref": BASE + schema_path}
        else:
            namespace, schema, _ = body_schema(method, path)
            schema = {"$id": f"{BASE}namespaces/{namespace}", **schema}
        validator = _VALIDATORS[key] = Draft202012Validator(schema, registry=_registry())
    return validator


def bulk_errors(path: str, lines: list) -> list[str]:
    """What is wrong with a bulk request: the body as a whole, and each action line strictly."""
    found = errors("POST", path, lines)
    for number, line in enumerate(lines):
        (operation, _), = line.items() if len(line) == 1 else ((None, None),)
        if operation in ("index", "create", "delete", "update"):
            found += [f"line {number + 1}: {error}" for error in
                      errors("POST", path, line, "schemas/_core.bulk.yaml#/components/schemas/OperationContainer")]
            # The line after index or create is the document, checked against the mapping elsewhere.
    return found
