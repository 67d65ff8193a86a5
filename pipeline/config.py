"""The run's settings, validated once and passed down."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from .errors import PipelineError

DEFAULT_MAX_BYTES = 5 * 1024 * 1024

# What OpenSearch accepts as the start of an index name (lowercase, none of \/*?"<>|,# or spaces,
# not starting with -, _ or +), kept short enough for the suffixes the engine adds.
_PREFIX = re.compile(r"[a-z0-9][a-z0-9.-]{0,99}")


class ConfigError(PipelineError):
    """A setting the pipeline cannot use."""


@dataclass(frozen=True)
class ClusterSettings:
    """Where the OpenSearch engine keeps the index (config.engine `opensearch`).

    url: the cluster's address (`https://host:9200`); never holds credentials, which the engine
        reads from OPENSEARCH_USERNAME and OPENSEARCH_PASSWORD when it connects.
    prefix: the start of every index name the pipeline makes (several sites may share a cluster,
        each with its own prefix).
    shards, replicas: of an index the engine builds.
    ca_certs: a CA bundle to verify the cluster's certificate with ("": the system's).
    """

    url: str = ""
    prefix: str = "medref-pipeline"
    shards: int = 1
    replicas: int = 1
    ca_certs: str = ""

    def __post_init__(self):
        if self.url:
            parts = urlsplit(self.url)
            if parts.scheme not in ("http", "https") or not parts.hostname:
                raise ConfigError(f"OpenSearch address {_without_credentials(self.url)!r} is not an http(s) URL",
                                  hint="set OPENSEARCH_URL to e.g. https://localhost:9200")
            if parts.username or parts.password:
                raise ConfigError("the OpenSearch address must not hold credentials",
                                  hint="put them in OPENSEARCH_USERNAME and OPENSEARCH_PASSWORD instead")
        if not _PREFIX.fullmatch(self.prefix):
            raise ConfigError(f"index prefix {self.prefix!r} is not a valid OpenSearch index name",
                              hint="use lowercase letters, digits, '.' and '-', starting with a letter or digit")
        if self.shards < 1 or self.replicas < 0:
            raise ConfigError(f"an index needs at least one shard and no negative replicas "
                              f"(shards {self.shards}, replicas {self.replicas})")

    @classmethod
    def from_environment(cls, environ: Mapping[str, str] | None = None) -> ClusterSettings:
        """The settings given by OPENSEARCH_URL, OPENSEARCH_INDEX_PREFIX, OPENSEARCH_SHARDS,
        OPENSEARCH_REPLICAS and OPENSEARCH_CA_CERTS, the defaults for those unset."""
        environ = os.environ if environ is None else environ
        default = cls()
        try:
            shards = int(environ.get("OPENSEARCH_SHARDS") or default.shards)
            replicas = int(environ.get("OPENSEARCH_REPLICAS") or default.replicas)
        except ValueError:
            raise ConfigError("OPENSEARCH_SHARDS and OPENSEARCH_REPLICAS must be whole numbers") from None
        return cls(url=environ.get("OPENSEARCH_URL", "").strip(),
                   prefix=environ.get("OPENSEARCH_INDEX_PREFIX", "").strip() or default.prefix,
                   shards=shards, replicas=replicas, ca_certs=environ.get("OPENSEARCH_CA_CERTS", "").strip())


def _without_credentials(url: str) -> str:
    """A URL with any user and password left out, safe to show."""
    parts = urlsplit(url)
    if parts.username is None and parts.password is None:
        return url
    return parts._replace(netloc=parts.netloc.rpartition("@")[2]).geturl()


@dataclass(frozen=True)
class Config:
    """Where the pipeline reads and writes.

    sources: folder of source articles (read only).
    locales: folder of catalogues (`templates/*.pot`, `<locale>/LC_MESSAGES/*.po`).
    index: folder of the Whoosh index (for every engine, also where the ingest lock lives).
    max_bytes: source files larger than this are refused.
    jobs: processes that parse, sync catalogues and index at once (0: one per core; 1: no workers).
    engine: the search engine that stores the index (pipeline.engine.ENGINES): `whoosh`, the
        embedded index in the index folder, or `opensearch`, a cluster.
    cluster: where the `opensearch` engine keeps the index.
    """

    sources: Path = Path("sources")
    locales: Path = Path("locales")
    index: Path = Path("index")
    max_bytes: int = DEFAULT_MAX_BYTES
    jobs: int = 0
    engine: str = "whoosh"
    cluster: ClusterSettings = field(default_factory=ClusterSettings)
