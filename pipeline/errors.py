"""The pipeline's one exception family: every error a user can cause names where and what to try."""

from __future__ import annotations

from pathlib import Path


class PipelineError(Exception):
    """A problem the user can act on.

    `path` and `line` say where (either may be None); `hint` says what to try next.
    """

    def __init__(self, message: str, path: Path | str | None = None,
                 line: int | None = None, hint: str | None = None):
        super().__init__(message)
        self.message = message
        self.path = str(path) if path is not None else None
        self.line = line
        self.hint = hint

    @property
    def location(self) -> str:
        """`path:line`, `path` or empty, for prefixing a message."""
        if self.path is None:
            return ""
        return f"{self.path}:{self.line}" if self.line else self.path

    def __reduce__(self):
        # Errors found in a worker process travel to the main one whole (path, line and hint too).
        return type(self), (self.message, self.path, self.line, self.hint)

    def __str__(self) -> str:
        text = f"{self.location}: {self.message}" if self.location else self.message
        return f"{text} ({self.hint})" if self.hint else text


class SourceError(PipelineError):
    """A source article cannot be read, decoded or parsed."""


class CatalogError(PipelineError):
    """A catalogue (PO/POT file) is broken or a locale is unknown."""


class IndexingError(PipelineError):
    """The search index is missing, locked or unreadable."""


class QueryError(PipelineError):
    """A query or query file the search cannot use."""


class ConceptError(PipelineError):
    """The concept table (synonyms and abbreviations) is broken."""
