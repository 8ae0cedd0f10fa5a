"""Exports of a built graph: GraphML, GEXF, CSV, JSON-LD, N-Quads, N-Triples (the build writes Turtle and TriG)."""

from __future__ import annotations

import csv
import json
import math
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any, TextIO

import networkx as nx
from pyoxigraph import BlankNode, DefaultGraph, Literal, NamedNode, Quad, RdfFormat, Triple, serialize

from kg import __version__
from kg.errors import KgError
from kg.project import DEFAULT_WEIGHT, project_links
from kg.store import BuiltGraph
from kg.viewdata import graph_view_data
from kg.viewselect import layout
from kg.viz import TYPE_COLORS
from kg.vocab import RDF, XSD, output_prefixes

__all__ = ["FORMATS", "GEXF_NS", "NODE_ATTRS", "export", "network", "write_csv", "write_gexf", "write_graphml",
    "write_jsonld", "write_nquads", "write_ntriples"]

# ------------------------------------------------------------------ exports of a built graph

NODE_ATTRS = ("type", "label", "iri", "pagerank", "degree", "weighted_degree", "betweenness", "eigenvector",
              "cluster", "cluster_label", "clusters")


def network(graph: BuiltGraph) -> nx.Graph:
    """The article-entity view with every node's type, label, metrics and clusters as attributes, and each
    edge's relation (hasTechnology, closest, ...) and weight."""
    data = graph_view_data(graph)  # one pass over the store gives the projection's links and the attributes
    links = [(a, b, kind, data.weights.get((a, b), DEFAULT_WEIGHT)) for (a, b), kind in data.links.items()]
    proj = project_links(data.types, data.labels, links)
    g = proj.graph
    for n in g.nodes:
        m = data.metrics.get(n, {})
        clusters = sorted(data.in_cluster.get(n, ()), key=lambda c: data.clusters[c].get("level", 0))
        coarse = clusters[0] if clusters else ""
        g.nodes[n].update({
            "type": proj.types[n], "label": proj.labels[n], "iri": n,
            "pagerank": float(m.get("pagerank", 0.0)), "degree": int(m.get("degree", g.degree(n))),
            "weighted_degree": float(m.get("weightedDegree", 0.0)), "betweenness": float(m.get("betweenness", 0.0)),
            "eigenvector": float(m.get("eigenvector", 0.0)),
            "cluster": coarse.rsplit("/", 1)[-1], "cluster_label": data.labels.get(coarse, "") if coarse else "",
            "clusters": " ".join(c.rsplit("/", 1)[-1] for c in clusters),
        })
    for _, _, d in g.edges(data=True):
        d["weight"] = float(d["weight"])
        d["relation"] = d.pop("type")  # GEXF reserves an edge's `type` for directed/undirected
    return g


def write_graphml(graph: BuiltGraph, path: Path) -> nx.Graph:
    """GraphML 1.0 (networkx's writer): typed keys for every attribute."""
    g = network(graph)
    nx.write_graphml(g, path, encoding="utf-8", prettyprint=True)
    return g


GEXF_NS = "http://gexf.net/1.3"
_GEXF_NODE_ATTRS = (("type", "string"), ("iri", "anyURI"), ("pagerank", "double"), ("degree", "integer"),
                    ("weighted_degree", "double"), ("betweenness", "double"), ("eigenvector", "double"),
                    ("cluster", "string"), ("cluster_label", "string"), ("clusters", "string"))
MIN_SIZE, MAX_SIZE = 4.0, 40.0  # viz:size range, by PageRank


def _rgb(hex_color: str) -> dict[str, str]:
    value = hex_color.lstrip("#")
    return {"r": str(int(value[0:2], 16)), "g": str(int(value[2:4], 16)), "b": str(int(value[4:6], 16))}


def write_gexf(graph: BuiltGraph, path: Path, seed: int = 42) -> nx.Graph:
    """GEXF 1.3, valid against the official XSD, that opens in Gephi already drawn: every node with a label,
    its attributes (empty values left out), a colour by type, a size by PageRank and a position from the
    explorer's layout; every edge with its relation and weight. No write date, so reruns give the same bytes.

    The official 1.3 XSD declares color, position and size in the GEXF namespace itself (its RELAX NG
    grammar puts them in http://gexf.net/1.3/viz); we follow the XSD. Gephi reads them by local name."""
    from xml.etree import ElementTree as ET

    g = network(graph)
    nodes = sorted(g.nodes)
    edges = sorted((min(a, b), max(a, b), d) for a, b, d in g.edges(data=True))
    pos = layout(nodes, [(a, b, d["relation"], d["weight"]) for a, b, d in edges], seed)
    top_pr = max((g.nodes[n]["pagerank"] for n in nodes), default=0.0) or 1.0
    root = ET.Element("gexf", {"xmlns": GEXF_NS, "xmlns:xsi": "http://www.w3.org/2001/XMLSchema-instance",
                               "xsi:schemaLocation": f"{GEXF_NS} {GEXF_NS}/gexf.xsd", "version": "1.3"})
    meta = ET.SubElement(root, "meta")
    ET.SubElement(meta, "creator").text = f"kg {__version__}"
    ET.SubElement(meta, "description").text = "Article-entity view of a kg knowledge graph"
    gel = ET.SubElement(root, "graph", {"defaultedgetype": "undirected", "mode": "static"})
    attrs = ET.SubElement(gel, "attributes", {"class": "node", "mode": "static"})
    for i, (name, kind) in enumerate(_GEXF_NODE_ATTRS):
        ET.SubElement(attrs, "attribute", {"id": str(i), "title": name, "type": kind})
    eattrs = ET.SubElement(gel, "attributes", {"class": "edge", "mode": "static"})
    ET.SubElement(eattrs, "attribute", {"id": "relation", "title": "relation", "type": "string"})
    nel = ET.SubElement(gel, "nodes", {"count": str(len(nodes))})
    for n in nodes:
        d = g.nodes[n]
        node = ET.SubElement(nel, "node", {"id": n, "label": d["label"] or n.rsplit("/", 1)[-1]})
        values = ET.SubElement(node, "attvalues")
        for i, (name, _) in enumerate(_GEXF_NODE_ATTRS):
            value = d[name]
            text = repr(value) if isinstance(value, float) else str(value)
            if text:
                ET.SubElement(values, "attvalue", {"for": str(i), "value": text})
        ET.SubElement(node, "color", _rgb(TYPE_COLORS.get(d["type"], "#999999")))
        size = MIN_SIZE + (MAX_SIZE - MIN_SIZE) * math.sqrt(max(d["pagerank"], 0.0) / top_pr)
        ET.SubElement(node, "size", {"value": f"{size:.3f}"})
        x, y = pos[n]
        ET.SubElement(node, "position", {"x": f"{x:g}", "y": f"{-y:g}", "z": "0"})  # screen y grows downwards
    eel = ET.SubElement(gel, "edges", {"count": str(len(edges))})
    for i, (a, b, d) in enumerate(edges):
        edge = ET.SubElement(eel, "edge", {"id": str(i), "source": a, "target": b, "weight": repr(d["weight"])})
        values = ET.SubElement(edge, "attvalues")
        ET.SubElement(values, "attvalue", {"for": "relation", "value": d["relation"]})
    ET.indent(root, space=" ")
    with open(path, "wb") as fh:
        fh.write(b'<?xml version="1.0" encoding="UTF-8"?>\n')
        fh.write(ET.tostring(root, encoding="utf-8", xml_declaration=False))
        fh.write(b"\n")
    return g


def write_csv(graph: BuiltGraph, folder: Path) -> tuple[Path, Path]:
    """nodes.csv (id and attributes) and edges.csv (source, target, relation, weight)."""
    g = network(graph)
    folder.mkdir(parents=True, exist_ok=True)
    nodes, edges = folder / "nodes.csv", folder / "edges.csv"
    with open(nodes, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["id", *NODE_ATTRS[:2], *NODE_ATTRS[3:]])
        for n in sorted(g.nodes):
            d = g.nodes[n]
            w.writerow([n, d["type"], d["label"], *[d[a] for a in NODE_ATTRS[3:]]])
    with open(edges, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["source", "target", "relation", "weight"])
        for a, b, d in sorted(g.edges(data=True), key=lambda e: (e[0], e[1])):
            w.writerow([a, b, d["relation"], d["weight"]])
    return nodes, edges


def _write_counted(items: Iterable[Triple] | Iterable[Quad], path: Path, fmt: RdfFormat) -> int:
    """Serialize a stream into a file; returns how many triples or quads it held."""
    count = 0

    def counted() -> Iterator[Any]:
        nonlocal count
        for item in items:
            count += 1
            yield item

    with open(path, "wb") as fh:
        serialize(counted(), fh, fmt)
    return count


def write_ntriples(graph: BuiltGraph, path: Path) -> int:
    """All triples (every graph merged) as N-Triples; returns how many."""
    return _write_counted(graph.triples(), path, RdfFormat.N_TRIPLES)


def write_nquads(graph: BuiltGraph, path: Path) -> int:
    """Every quad, each in its graph (one named graph per document, corpus facts in the default graph), as
    N-Quads. Returns the number of quads."""
    return _write_counted(graph.quads(), path, RdfFormat.N_QUADS)


def _compact(iri: str, ctx: list[tuple[str, str]]) -> str:
    for prefix, ns in ctx:
        if iri.startswith(ns) and len(iri) > len(ns) and not iri[len(ns):].startswith("//"):
            return f"{prefix}:{iri[len(ns):]}"
    return iri


def _jsonld_value(o: Literal | NamedNode | BlankNode, ctx: list[tuple[str, str]]) -> object:
    if isinstance(o, Literal):
        if o.language:
            return {"@value": o.value, "@language": o.language}
        if o.datatype == XSD.string:
            return o.value
        return {"@value": o.value, "@type": _compact(o.datatype.value, ctx)}
    if isinstance(o, NamedNode):
        return {"@id": _compact(o.value, ctx)}
    return {"@id": f"_:{o.value}"}


class _JsonLd:
    """Streams a dataset as compact JSON-LD: node objects at the top level for the default graph, inside a
    named-graph object for each named graph; one node object per run of quads with the same subject."""

    def __init__(self, fh: TextIO, context: dict[str, str]) -> None:
        self.fh = fh
        self.ctx = sorted(context.items(), key=lambda kv: -len(kv[1]))
        self.node: dict[str, Any] | None = None
        self.graph: str | None = None  # the named graph being written, None for the default graph
        self.first = {"top": True, "graph": True}  # nothing written yet at the top level / in this graph
        fh.write('{\n"@context": ' + json.dumps(dict(sorted(context.items())), ensure_ascii=False)
                 + ',\n"@graph": [\n')

    def _item(self, where: str, text: str) -> None:
        self.fh.write(("" if self.first[where] else ",\n") + text)
        self.first[where] = False

    def _flush(self) -> None:
        if self.node is not None:
            self._item("top" if self.graph is None else "graph", json.dumps(self.node, ensure_ascii=False))
            self.node = None

    def _switch(self, name: str | None) -> None:
        self._flush()
        if self.graph is not None:
            self.fh.write("\n]}")
        if name is not None:
            self._item("top", '{"@id": ' + json.dumps(_compact(name, self.ctx)) + ', "@graph": [\n')
            self.first["graph"] = True
        self.graph = name

    def add(self, q: Any) -> None:
        """One quad (kg writes no RDF-star: every term has a .value)."""
        name = None if isinstance(q.graph_name, DefaultGraph) else q.graph_name.value
        if name != self.graph:
            self._switch(name)
        s = _compact(q.subject.value, self.ctx) if isinstance(q.subject, NamedNode) else f"_:{q.subject.value}"
        if self.node is None or self.node["@id"] != s:
            self._flush()
            self.node = {"@id": s}
        key: str
        value: object
        if q.predicate == RDF.type:
            key, value = "@type", _compact(q.object.value, self.ctx)
        else:
            key, value = _compact(q.predicate.value, self.ctx), _jsonld_value(q.object, self.ctx)
        old = self.node.get(key)
        if old is None:
            self.node[key] = value
        elif isinstance(old, list):
            old.append(value)
        else:
            self.node[key] = [old, value]

    def close(self) -> None:
        """End the open graph and the document."""
        self._switch(None)
        self.fh.write("\n]\n}\n")


def write_jsonld(graph: BuiltGraph, path: Path, base: str | None = None) -> int:
    """The dataset as compact JSON-LD 1.1, its named graphs kept as TriG keeps them: a @context of our
    prefixes; the default graph's nodes at the top of @graph, each document's graph as a named-graph object
    (`{"@id": graph IRI, "@graph": [...]}`); IRIs written as compact IRIs. Returns the number of quads."""
    count = 0
    with open(path, "w", encoding="utf-8") as fh:
        out = _JsonLd(fh, output_prefixes(base or graph.base))
        for q in graph.quads():
            out.add(q)
            count += 1
        out.close()
    return count


FORMATS = {"graphml": "graphml", "gexf": "gexf", "csv": "csv", "jsonld": "jsonld", "nquads": "nq", "nt": "nt"}


def export(graph: BuiltGraph, fmt: str, target: Path | None = None) -> tuple[Path, str]:
    """Write one export (`kg export`): into `target`, by default export.<ext> (a folder export-csv for csv)
    in the graph's folder. Returns where, and what was written."""
    if fmt not in FORMATS:
        raise KgError(f"unknown export format {fmt!r}; choose from {', '.join(FORMATS)}")
    ext = FORMATS[fmt]
    path = target or graph.folder / (f"export-{ext}" if fmt == "csv" else f"export.{ext}")
    if fmt in ("graphml", "gexf"):
        g = write_graphml(graph, path) if fmt == "graphml" else write_gexf(graph, path)
        return path, f"{g.number_of_nodes():,} nodes, {g.number_of_edges():,} edges"
    if fmt == "csv":
        nodes, edges = write_csv(graph, path)
        return path, f"{nodes.name} and {edges.name}"
    if fmt == "nt":
        return path, f"{write_ntriples(graph, path):,} triples"
    return path, f"{(write_jsonld if fmt == 'jsonld' else write_nquads)(graph, path):,} quads"
