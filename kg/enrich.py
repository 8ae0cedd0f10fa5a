"""Metrics and clusters -> RDF quads in the default graph."""

from __future__ import annotations

from collections.abc import Iterator

from pyoxigraph import DefaultGraph, Literal, NamedNode, Quad

from kg.analyze import Centrality, Cluster
from kg.vocab import KGO, RDF, RDFS, SEGMENTS, XSD

_G = DefaultGraph()


def double(x: float) -> Literal:
    """An xsd:double with 10 significant digits, so reruns print the same text."""
    text = f"{x:.10g}"
    if "e" not in text and "." not in text and "n" not in text:
        text += ".0"
    return Literal(text, datatype=XSD.double)


def integer(n: int) -> Literal:
    return Literal(str(n), datatype=XSD.integer)


def cluster_iri(base: str, cid: str) -> NamedNode:
    return NamedNode(f"{base}{SEGMENTS['Cluster']}/{cid}")


def metric_quads(metrics: Centrality) -> Iterator[Quad]:
    """kgo:degree, weightedDegree, pagerank, betweenness and eigenvector of every vertex, sorted by IRI."""
    for v in sorted(metrics.degree):
        node = NamedNode(v)
        yield Quad(node, KGO.degree, integer(metrics.degree[v]), _G)
        yield Quad(node, KGO.weightedDegree, double(metrics.weighted_degree[v]), _G)
        yield Quad(node, KGO.pagerank, double(metrics.pagerank.get(v, 0.0)), _G)
        yield Quad(node, KGO.betweenness, double(metrics.betweenness.get(v, 0.0)), _G)
        yield Quad(node, KGO.eigenvector, double(metrics.eigenvector.get(v, 0.0)), _G)


def participation_quads(values: dict[str, float]) -> Iterator[Quad]:
    """kgo:participation of every clustered node, sorted by IRI."""
    for v in sorted(values):
        yield Quad(NamedNode(v), KGO.participation, double(values[v]), _G)


def cluster_quads(levels: list[list[Cluster]], base: str) -> Iterator[Quad]:
    """kgo:Cluster nodes (label, size, level, parent) and kgo:inCluster from each member, at every level."""
    membership: dict[str, list[NamedNode]] = {}
    for level in levels:
        for c in level:
            node = cluster_iri(base, c.id)
            yield Quad(node, RDF.type, KGO.Cluster, _G)
            yield Quad(node, RDFS.label, Literal(c.label), _G)
            yield Quad(node, KGO.size, integer(len(c.members)), _G)
            yield Quad(node, KGO.level, integer(c.level), _G)
            if c.parent:
                yield Quad(node, KGO.parentCluster, cluster_iri(base, c.parent), _G)
            for v in c.members:
                membership.setdefault(v, []).append(node)
    for v in sorted(membership):
        member = NamedNode(v)
        for node in membership[v]:
            yield Quad(member, KGO.inCluster, node, _G)
