"""Files for loading a cluster with other tools: the index's settings and mappings, and bulk NDJSON.

Written with no cluster and without the OpenSearch client: `index.json` (the body of the request
that creates the index), `sections.ndjson` (the body of `_bulk` requests: an action line and a
document for each section, as the engine sends them) and `aliases.json` (the request that points
the alias readers search at the loaded index). Loaded in that order under the names the files
give, the cluster is what `pipeline ingest --engine opensearch` would have built; its next ingest
reads the articles' states from the documents and goes on incrementally.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from ...config import ClusterSettings
from ...files import write_file
from .. import TEXT_FIELDS, Scoring, SectionDocument
from .schema import FORMAT, index_body, length_field, source


@dataclass(frozen=True)
class ExportReport:
    """What an export wrote.

    index: the index name the files are for; alias: the alias readers search.
    files: the files written; sections: the documents in the bulk file, per locale in by_locale.
    bulk_bytes: the size of the bulk file; terms: the analysed terms sent, per text field.
    """

    index: str
    alias: str
    files: tuple[Path, ...]
    sections: int
    by_locale: tuple[tuple[str, int], ...]
    bulk_bytes: int
    terms: tuple[tuple[str, int], ...]


def export(documents: Iterable[SectionDocument], out_dir: Path, settings: ClusterSettings = ClusterSettings(),
           scoring: Scoring = Scoring()) -> ExportReport:
    """Write index.json, sections.ndjson and aliases.json for documents into out_dir."""
    alias = f"{settings.prefix}-sections"
    index = f"{alias}-{FORMAT}-{1:06d}"
    lines: list[str] = []
    by_locale: dict[str, int] = {}
    terms = dict.fromkeys(TEXT_FIELDS, 0)
    for document in sorted(documents, key=lambda d: d.key):
        body = source(document)
        lines.append(_line({"index": {"_index": index, "_id": document.key}}))
        lines.append(_line(body))
        by_locale[document.locale] = by_locale.get(document.locale, 0) + 1
        for field in TEXT_FIELDS:
            terms[field] += body[length_field(field)]
    bulk = "".join(lines).encode("utf-8")
    create = index_body(scoring, settings.shards, settings.replicas)
    # What tells this version from another of the same name (the engine's writer gives a random one).
    create["mappings"]["_meta"]["pipeline"]["stamp"] = hashlib.blake2b(bulk, digest_size=16).hexdigest()
    # Refreshed as the engine leaves a version: loaded, then read-only.
    create["settings"]["index"]["refresh_interval"] = "1s"
    files = {
        "index.json": _json(create),
        "sections.ndjson": bulk,
        "aliases.json": _json({"actions": [{"add": {"index": index, "alias": alias}}]}),
    }
    out_dir.mkdir(parents=True, exist_ok=True)
    for name, data in files.items():
        write_file(out_dir / name, data)
    return ExportReport(index, alias, tuple(out_dir / name for name in files), len(lines) // 2,
                        tuple(sorted(by_locale.items())), len(bulk), tuple(terms.items()))


def _line(value: dict) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":")) + "\n"


def _json(value: dict) -> bytes:
    return (json.dumps(value, ensure_ascii=False, sort_keys=True, indent=2) + "\n").encode("utf-8")
