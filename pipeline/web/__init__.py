"""The reader's web page: bilingual search and article view over the index, served by waitress."""

from .app import create_app
from .server import ReaderServer, make_server

__all__ = ["ReaderServer", "create_app", "make_server"]
