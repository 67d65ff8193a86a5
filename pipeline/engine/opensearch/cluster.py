"""Talking to the cluster: one client, requests retried with backoff, bulk loads in chunks.

The official client (opensearch-py) is imported here and nowhere else in the project. Credentials
come from the environment when connecting and go nowhere else: not into the settings, the logs,
or an error message.
"""

from __future__ import annotations

import json
import logging
import os
import random
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from ...config import ClusterSettings, _without_credentials
from ...errors import IndexingError

log = logging.getLogger(__name__)

# Statuses worth trying again after a pause: too many requests, and a cluster that is busy or
# between nodes.
RETRY_STATUSES = frozenset({429, 502, 503, 504})


@dataclass(frozen=True)
class Backoff:
    """How requests are tried again: up to `tries` times, waiting first `initial` seconds, then
    twice as long each time up to `longest`, with jitter. sleep: how to wait (tests pass their own)."""

    tries: int = 8
    initial: float = 0.5
    longest: float = 30.0
    sleep: Callable[[float], None] = time.sleep

    def pauses(self) -> Iterator[float]:
        pause = self.initial
        for _ in range(self.tries - 1):
            yield pause * (0.5 + random.random() / 2)
            pause = min(pause * 2, self.longest)


class Cluster:
    """A connection to the cluster: requests by name, each retried on the statuses that may pass."""

    def __init__(self, settings: ClusterSettings, backoff: Backoff = Backoff(), timeout: float = 60.0,
                 environ=None):
        if not settings.url:
            raise IndexingError("no OpenSearch cluster is set for the opensearch engine",
                                hint="set OPENSEARCH_URL, e.g. https://localhost:9200")
        try:
            from opensearchpy import OpenSearch
        except ImportError:
            raise IndexingError("the opensearch engine needs the OpenSearch client",
                                hint="install it with: pip install 'medref-pipeline[opensearch]'") from None
        environ = os.environ if environ is None else environ
        user, password = environ.get("OPENSEARCH_USERNAME", ""), environ.get("OPENSEARCH_PASSWORD", "")
        options: dict = {"verify_certs": True, "max_retries": 0, "timeout": timeout}
        if user or password:
            options["http_auth"] = (user, password)
        if settings.ca_certs:
            options["ca_certs"] = settings.ca_certs
        self.address = _without_credentials(settings.url)
        self.client = OpenSearch(hosts=[settings.url], **options)
        self.backoff = backoff

    def call(self, action: str, ignore: tuple[int, ...] = (), **arguments):
        """Call the client's method (`search`, `indices.create`...), trying again after a pause while
        the cluster answers with a status in RETRY_STATUSES or cannot be reached.

        A status in ignore is returned as None; any other failure raises IndexingError.
        """
        from opensearchpy.exceptions import ConnectionError as Unreachable
        from opensearchpy.exceptions import SSLError, TransportError

        method = self.client
        for name in action.split("."):
            method = getattr(method, name)
        pauses = self.backoff.pauses()
        while True:
            try:
                return method(**arguments)
            except SSLError as error:  # a certificate that does not verify will not verify later
                raise IndexingError(f"cannot verify {self.address}: {_reason(error)}",
                                    hint="set OPENSEARCH_CA_CERTS to the CA bundle that signed the "
                                         "cluster's certificate") from None
            except Unreachable as error:
                status, reason = None, f"cannot reach {self.address}: {_reason(error)}"
            except TransportError as error:
                status = error.status_code if isinstance(error.status_code, int) else None
                if status in ignore:
                    return None
                reason = f"{self.address} answered {status} to {action}: {_reason(error)}"
                if status not in RETRY_STATUSES:
                    raise IndexingError(reason, hint=_hint(status)) from None
            pause = next(pauses, None)
            if pause is None:
                raise IndexingError(reason, hint="check the cluster's health, then run again") from None
            log.info("%s; trying again in %.1fs", reason, pause)
            self.backoff.sleep(pause)

    def bulk(self, index: str, actions: Iterable[tuple[dict, dict | None]], chunk_bytes: int = 5_000_000,
             chunk_actions: int = 2000) -> int:
        """Send actions (action line, document or None) to index in bulk requests of at most
        chunk_bytes or chunk_actions; the items the cluster rejects as too busy (429) are sent
        again after a pause. Returns how many actions were applied; IndexingError when an item
        fails for another reason (after the rest of its request was applied).
        """
        applied = 0
        chunk: list[str] = []
        size = 0
        for action, document in actions:
            lines = json.dumps(action, ensure_ascii=False, separators=(",", ":")) + "\n"
            if document is not None:
                lines += json.dumps(document, ensure_ascii=False, separators=(",", ":")) + "\n"
            if chunk and (size + len(lines) > chunk_bytes or len(chunk) >= chunk_actions):
                applied += self._send(index, chunk)
                chunk, size = [], 0
            chunk.append(lines)
            size += len(lines)
        if chunk:
            applied += self._send(index, chunk)
        return applied

    def _send(self, index: str, chunk: list[str]) -> int:
        """Send one bulk request, again for its busy items until none is left."""
        pauses = self.backoff.pauses()
        applied = 0
        while chunk:
            answer = self.call("bulk", index=index, body="".join(chunk))
            busy, failed = [], []
            for lines, item in zip(chunk, answer.get("items", ())):
                (operation, result), = item.items()
                status = result.get("status", 500)
                if status < 300 or (operation == "delete" and status == 404):
                    applied += 1
                elif status in RETRY_STATUSES:
                    busy.append(lines)
                else:
                    failed.append((result.get("_id"), status, result.get("error")))
            if failed:
                _id, status, error = failed[0]
                raise IndexingError(f"{self.address} refused {len(failed)} of {len(chunk)} documents; "
                                    f"the first, {_id!r}, with {status}: {_reason(error)}",
                                    hint="see the cluster's log; the index readers see is unchanged")
            if busy:
                pause = next(pauses, None)
                if pause is None:
                    raise IndexingError(f"{self.address} stayed too busy for {len(busy)} documents",
                                        hint="run again later, or give the cluster more capacity")
                log.info("%d documents refused as too many requests; sending them again in %.1fs",
                         len(busy), pause)
                self.backoff.sleep(pause)
            chunk = busy
        return applied


def _reason(error) -> str:
    """What went wrong, in a line, from a client exception or a bulk item's error."""
    info = getattr(error, "info", error)
    if isinstance(info, dict):
        info = info.get("error", info)
        if isinstance(info, dict):
            return f"{info.get('type', 'error')}: {info.get('reason', '')}".strip()
    text = getattr(error, "error", None) or str(error)
    return str(text).splitlines()[0][:300] if text else type(error).__name__


def _hint(status: int | None) -> str:
    if status in (401, 403):
        return "check OPENSEARCH_USERNAME and OPENSEARCH_PASSWORD, and the user's permissions"
    if status == 404:
        return "run `pipeline ingest` to build the index"
    return "see the cluster's log"
