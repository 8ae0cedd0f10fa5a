"""Where the ontology files are: packaged in a wheel, or at the top of a source checkout."""

from __future__ import annotations

from pathlib import Path

__all__ = ["ontology_dir"]


def ontology_dir() -> Path:
    """Folder holding kg.ttl, shapes.ttl and queries/."""
    here = Path(__file__).resolve().parent
    for candidate in (here / "_ontology", here.parent / "ontology"):
        if (candidate / "kg.ttl").is_file():
            return candidate
    raise FileNotFoundError("ontology files not found next to the kg package")
