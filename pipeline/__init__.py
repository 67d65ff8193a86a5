"""A multilingual medical reference: sources -> sections -> catalogues -> Whoosh index -> search."""

__version__ = "0.1.0"
