"""kg: build an RDF knowledge graph from a folder of article summaries."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

__all__ = ["__version__", "load"]

__version__ = "0.1.0"

if TYPE_CHECKING:
    from kg.api import KnowledgeGraph


def load(folder: str | Path = "outputs") -> KnowledgeGraph:
    """Open a built graph for queries from Python (see kg.api)."""
    from kg.api import load as _load

    return _load(folder)
