"""Exceptions of the kg library; the CLI turns each into a one-line error."""

from __future__ import annotations

__all__ = ["AliasError", "BaseIriError", "BuildLocked", "EndpointError", "GraphNotFound", "KgError",
    "NamedQueryNotFound", "QueryError", "QuerySyntaxError", "SourceError", "StrictFailure", "UpdateRefused"]


class KgError(Exception):
    """Base class of every error kg raises on purpose."""


class SourceError(KgError):
    """A source path does not exist or cannot be read."""


class GraphNotFound(KgError):
    """No built graph in the given folder."""


class BuildLocked(KgError):
    """Another build holds the lock on the output folder."""


class StrictFailure(KgError):
    """A --strict build met warnings or skipped documents."""

    def __init__(self, message: str, problems: list[str]) -> None:
        super().__init__(message)
        self.problems = problems


class QuerySyntaxError(KgError):
    """A SPARQL query does not parse."""

    def __init__(self, message: str, line: int | None = None, column: int | None = None) -> None:
        super().__init__(message)
        self.line = line
        self.column = column


class QueryError(KgError):
    """A SPARQL query failed, timed out or its name is unknown."""


class UpdateRefused(QueryError):
    """A SPARQL update where only queries are allowed (kg's graphs are read-only)."""


class NamedQueryNotFound(QueryError):
    """No named query of that name in ontology/queries."""


class EndpointError(KgError):
    """A remote SPARQL or Graph Store endpoint refused or failed a request."""


class AliasError(KgError):
    """An alias file is malformed."""


class BaseIriError(KgError):
    """The base IRI of a build is not an absolute IRI."""
