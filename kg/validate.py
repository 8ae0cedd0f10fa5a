"""SHACL validation of a built graph with pyshacl."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph
from pyshacl import validate
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.term import Node

from kg.errors import GraphNotFound
from kg.resources import ontology_dir

__all__ = ["graph_file", "rdflib_graph", "validate_graph"]


def graph_file(graph_dir: Path, name: str = "graph.ttl") -> Path:
    """A file of a built graph, or GraphNotFound naming the folder."""
    path = graph_dir / name
    if not path.is_file():
        raise GraphNotFound(f"no built graph in {graph_dir} (missing {name}); run `kg build --out {graph_dir}` first")
    return path


def _term(t: pyoxigraph.NamedNode | pyoxigraph.BlankNode | pyoxigraph.Literal) -> Node:
    if isinstance(t, pyoxigraph.NamedNode):
        return URIRef(t.value)
    if isinstance(t, pyoxigraph.BlankNode):
        return BNode(t.value)
    if t.language:
        return Literal(t.value, lang=t.language)
    return Literal(t.value, datatype=URIRef(t.datatype.value))


def rdflib_graph(path: Path) -> Graph:
    """A Turtle file as an rdflib graph, parsed by pyoxigraph (much faster than rdflib's own parser)."""
    g = Graph()
    with open(path, "rb") as fh:
        for t in pyoxigraph.parse(fh, pyoxigraph.RdfFormat.TURTLE):
            g.add((_term(t.subject), _term(t.predicate), _term(t.object)))
    return g


def validate_graph(graph_dir: Path, shapes: Path | None = None) -> tuple[bool, str]:
    """Validate graph.ttl against the SHACL shapes; return (conforms, report text)."""
    data = rdflib_graph(graph_file(graph_dir))
    shapes_graph = Graph().parse(shapes or ontology_dir() / "shapes.ttl", format="turtle")
    ont = Graph().parse(ontology_dir() / "kg.ttl", format="turtle")
    conforms, _, text = validate(data, shacl_graph=shapes_graph, ont_graph=ont, inference="none",
                                 allow_warnings=True)
    return bool(conforms), str(text)
