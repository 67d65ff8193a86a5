"""Run the reader on waitress, a production WSGI server (threads, request limits, no debugger)."""

from __future__ import annotations

import gc
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from waitress.channel import HTTPChannel
from waitress.server import BaseWSGIServer, create_server
from waitress.task import ErrorTask

from ..catalogue.demand import DemandCounts
from ..engine import Engine
from .app import SECURITY_HEADERS, create_app

log = logging.getLogger(__name__)

# How many demand counts a server gathers before it adds them to the file (each time, the whole
# file is read and written again).
DEMAND_BATCH = 64


class _Serving(Protocol):
    """What the reader uses of the server waitress.create_server returns."""

    def run(self) -> None: ...

    def close(self) -> None: ...


@dataclass(frozen=True)
class ReaderServer:
    """A bound, not yet running, server.

    urls: where it answers (one per listening socket), e.g. `http://127.0.0.1:8000/`.
    demand: the demand counts it keeps (written out as they add up, and when it closes), or None.
    """

    urls: tuple[str, ...]
    _server: _Serving
    demand: DemandCounts | None = None

    def run(self) -> None:
        """Answer requests until interrupted (Ctrl-C or SIGINT), then close the sockets."""
        try:
            self._server.run()
        except KeyboardInterrupt:
            pass
        finally:
            self.close()

    def close(self) -> None:
        """Close the listening sockets, and write the demand counts still waiting."""
        self._server.close()
        if self.demand is not None:
            self.demand.flush()


# Connections are cheap to hold open and to ask for: an idle one is closed after IDLE_TIMEOUT
# seconds (waitress looks every CLEANUP_INTERVAL), and CONNECTIONS of them can be open at once, so
# that a hundred idle or half-open sockets (waitress's default limit) no longer lock readers out.
# Past that, a reverse proxy in front is the answer (docs/deployment.md).
IDLE_TIMEOUT = 20
CLEANUP_INTERVAL = 2
CONNECTIONS = 1000


def make_server(engine: Engine, host: str = "127.0.0.1", port: int = 8000, threads: int = 4,
                demand_dir: Path | None = None, idle_timeout: int = IDLE_TIMEOUT) -> ReaderServer:
    """Bind the reader to host:port (port 0 picks a free one); raises IndexingError without an index.

    demand_dir: where to keep the counts of sections readers were shown untranslated (the index
    folder), for `catalog todo --by-demand`; None counts nothing.
    idle_timeout: seconds after which a connection that sends nothing is closed.
    """
    demand = DemandCounts(demand_dir, batch=DEMAND_BATCH) if demand_dir is not None else None
    app = create_app(engine, demand=demand)
    # What the process holds by now (the prepared index tables, the loaded modules) lives as long
    # as it does: out of the garbage collector's full collections, which would otherwise walk it
    # all again every few hundred queries.
    gc.collect()  # garbage first: frozen, it would never be freed
    gc.freeze()
    # waitress warns once for every request that waits for a free thread: a burst of readers would
    # flood the log with lines that say only that the queue was not empty.
    logging.getLogger("waitress.queue").setLevel(logging.ERROR)
    sockets: dict = {}
    server = create_server(app, map=sockets, host=host, port=port, threads=threads, ident="medref",
                           # The reader only answers GET requests with short query strings.
                           max_request_header_size=64 * 1024, max_request_body_size=64 * 1024,
                           clear_untrusted_proxy_headers=True,
                           connection_limit=_connection_limit(), channel_timeout=idle_timeout,
                           cleanup_interval=min(CLEANUP_INTERVAL, idle_timeout),
                           # select() cannot watch a descriptor numbered past 1023; poll() can.
                           asyncore_use_poll=True)
    for listener in list(sockets.values()):
        if isinstance(listener, BaseWSGIServer):
            listener.channel_class = _Channel
    listening = getattr(server, "effective_listen", None) or [(server.effective_host, server.effective_port)]
    urls = tuple(f"http://[{h}]:{p}/" if ":" in str(h) else f"http://{h}:{p}/" for h, p in listening)
    log.info("reader bound to %s", ", ".join(urls))
    return ReaderServer(urls, server, demand)


def _connection_limit() -> int:
    """CONNECTIONS, or fewer when this process may not open that many files (two per connection
    at most: its socket, and a file it answers with; and some for the index)."""
    try:
        import resource

        soft, _ = resource.getrlimit(resource.RLIMIT_NOFILE)
    except (ImportError, OSError, ValueError):
        return 100  # waitress's own default
    if soft == resource.RLIM_INFINITY:
        return CONNECTIONS
    return max(100, min(CONNECTIONS, (soft - 100) // 2))


class _ErrorTask(ErrorTask):
    """waitress's own answers (400, 413, 431, 500), which never reach the app: with its security headers."""

    def execute(self):
        self.response_headers.extend(SECURITY_HEADERS.items())
        super().execute()


class _Channel(HTTPChannel):
    # waitress 3.0 makes its error answers with the channel's error_task_class; its create_server
    # takes no channel class, so make_server sets this one on each listening socket's server.
    error_task_class = _ErrorTask
