"""Exports of a built graph: GraphML, GEXF, CSV, JSON-LD, N-Triples (the build writes Turtle and TriG itself)."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Iterator
from pathlib import Path

import networkx as nx
from pyoxigraph import Literal, NamedNode, Quad, RdfFormat, Triple, serialize

from kg.explore import projection_quads
from kg.project import project
from kg.store import BuiltGraph
from kg.viz import VIEW_PREDICATES
from kg.viz import collect as collect_view
from kg.vocab import DEFAULT_BASE, RDF_NS, XSD_NS, output_prefixes


def union_triples(quads: Iterable[Quad], shared_prefix: str) -> Iterator[Triple]:
    """Triples of all graphs; a triple several graphs assert (only possible for subjects under
    `shared_prefix`, i.e. articles) is given once."""
    seen: set[Triple] = set()
    for q in quads:
        t = q.triple
        if q.subject.value.startswith(shared_prefix):
            if t in seen:
                continue
            seen.add(t)
        yield t


# ------------------------------------------------------------------ exports of a built graph

NODE_ATTRS = ("type", "label", "iri", "pagerank", "degree", "weighted_degree", "betweenness", "eigenvector",
              "cluster", "cluster_label", "clusters")


def network(graph: BuiltGraph) -> nx.Graph:
    """The article-entity view with every node's type, label, metrics and clusters as attributes, and each
    edge's relation (hasTechnology, closest, ...) and weight."""
    store = graph.store()
    proj = project(projection_quads(store))
    g = proj.graph
    data = collect_view(q for p in VIEW_PREDICATES for q in store.quads_for_pattern(None, NamedNode(p), None, None))
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


def write_gexf(graph: BuiltGraph, path: Path) -> nx.Graph:
    """GEXF 1.2 (networkx's writer), without the write date so reruns give the same bytes."""
    g = network(graph)
    writer = nx.readwrite.gexf.GEXFWriter(encoding="utf-8", prettyprint=True, version="1.2draft")
    writer.add_graph(g)
    for meta in writer.xml.iter("meta"):
        meta.attrib.pop("lastmodifieddate", None)
    with open(path, "wb") as fh:
        writer.write(fh)
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


def write_ntriples(graph: BuiltGraph, path: Path) -> int:
    """All triples (every graph merged) as N-Triples."""
    count = 0

    def counted() -> Iterator[Triple]:
        nonlocal count
        for t in union_triples(graph.quads(), graph.article_prefix()):
            count += 1
            yield t

    with open(path, "wb") as fh:
        serialize(counted(), fh, RdfFormat.N_TRIPLES)
    return count


def _compact(iri: str, ctx: list[tuple[str, str]]) -> str:
    for prefix, ns in ctx:
        if iri.startswith(ns) and len(iri) > len(ns) and not iri[len(ns):].startswith("//"):
            return f"{prefix}:{iri[len(ns):]}"
    return iri


def write_jsonld(graph: BuiltGraph, path: Path, base: str | None = None) -> int:
    """The graph (every graph merged) as compact JSON-LD 1.1: a @context of our prefixes and one node object
    per subject run, IRIs written as compact IRIs. Returns the number of triples written."""
    context = output_prefixes(base or DEFAULT_BASE)
    ctx = sorted(context.items(), key=lambda kv: -len(kv[1]))
    rdf_type = f"{RDF_NS}type"
    count = 0
    with open(path, "w", encoding="utf-8") as fh:
        fh.write('{\n"@context": ' + json.dumps(dict(sorted(context.items())), ensure_ascii=False) + ',\n"@graph": [\n')
        node: dict[str, object] | None = None
        first = True

        def flush() -> None:
            nonlocal first
            if node is not None:
                fh.write(("" if first else ",\n") + json.dumps(node, ensure_ascii=False))
                first = False

        seen: set[Triple] = set()
        for q in graph.quads():
            t = q.triple
            if isinstance(q.subject, NamedNode) and q.subject.value.startswith(context["article"]):
                if t in seen:  # an article two documents describe: one copy of each triple
                    continue
                seen.add(t)
            count += 1
            s = _compact(q.subject.value, ctx) if isinstance(q.subject, NamedNode) else f"_:{q.subject.value}"
            if node is None or node["@id"] != s:
                flush()
                node = {"@id": s}
            p = q.predicate.value
            o = q.object
            if p == rdf_type:
                key, value = "@type", _compact(o.value, ctx)
            else:
                key = _compact(p, ctx)
                if isinstance(o, Literal):
                    dt = o.datatype.value
                    if o.language:
                        value = {"@value": o.value, "@language": o.language}
                    elif dt == f"{XSD_NS}string":
                        value = o.value
                    else:
                        value = {"@value": o.value, "@type": _compact(dt, ctx)}
                elif isinstance(o, NamedNode):
                    value = {"@id": _compact(o.value, ctx)}
                else:
                    value = {"@id": f"_:{o.value}"}
            old = node.get(key)
            if old is None:
                node[key] = value
            elif isinstance(old, list):
                old.append(value)
            else:
                node[key] = [old, value]
        flush()
        fh.write("\n]\n}\n")
    return count
