"""SHACL validation of a built graph with pyshacl."""

from __future__ import annotations

from pathlib import Path

from pyshacl import validate
from rdflib import Graph

from kg.errors import GraphNotFound
from kg.resources import ontology_dir


def graph_file(graph_dir: Path, name: str = "graph.ttl") -> Path:
    """A file of a built graph, or GraphNotFound naming the folder."""
    path = graph_dir / name
    if not path.is_file():
        raise GraphNotFound(f"no built graph in {graph_dir} (missing {name}); run `kg build --out {graph_dir}` first")
    return path


def validate_graph(graph_dir: Path, shapes: Path | None = None) -> tuple[bool, str]:
    """Validate graph.ttl against the SHACL shapes; return (conforms, report text)."""
    data = Graph(store="Oxigraph")
    data.parse(graph_file(graph_dir), format="ox-turtle")
    shapes_graph = Graph().parse(shapes or ontology_dir() / "shapes.ttl", format="turtle")
    ont = Graph().parse(ontology_dir() / "kg.ttl", format="turtle")
    conforms, _, text = validate(data, shacl_graph=shapes_graph, ont_graph=ont, inference="none",
                                 allow_warnings=True)
    return bool(conforms), str(text)
