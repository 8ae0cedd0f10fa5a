"""Metrics, clusters and trends -> RDF quads in the default graph."""

from __future__ import annotations

from collections.abc import Iterator

from pyoxigraph import Literal, NamedNode, Quad

from kg.analyze import Centrality, Cluster
from kg.trends import TERMS, Trends
from kg.vocab import DEFAULT, KGO, RDF, RDFS, XSD, cluster_iri, derived_iri, double, integer

__all__ = ["cluster_quads", "metric_quads", "participation_quads", "trend_quads"]



def metric_quads(metrics: Centrality) -> Iterator[Quad]:
    """kgo:degree, weightedDegree, pagerank, betweenness and eigenvector of every vertex, sorted by IRI."""
    for v in sorted(metrics.degree):
        node = NamedNode(v)
        yield Quad(node, KGO.degree, integer(metrics.degree[v]), DEFAULT)
        yield Quad(node, KGO.weightedDegree, double(metrics.weighted_degree[v]), DEFAULT)
        yield Quad(node, KGO.pagerank, double(metrics.pagerank.get(v, 0.0)), DEFAULT)
        yield Quad(node, KGO.betweenness, double(metrics.betweenness.get(v, 0.0)), DEFAULT)
        yield Quad(node, KGO.eigenvector, double(metrics.eigenvector.get(v, 0.0)), DEFAULT)


def participation_quads(values: dict[str, float]) -> Iterator[Quad]:
    """kgo:participation of every clustered node, sorted by IRI."""
    for v in sorted(values):
        yield Quad(NamedNode(v), KGO.participation, double(values[v]), DEFAULT)


def cluster_quads(levels: list[list[Cluster]], base: str) -> Iterator[Quad]:
    """kgo:Cluster nodes (label, size, level, parent) and kgo:inCluster from each member, at every level."""
    membership: dict[str, list[NamedNode]] = {}
    for level in levels:
        for c in level:
            node = cluster_iri(base, c.id)
            yield Quad(node, RDF.type, KGO.Cluster, DEFAULT)
            yield Quad(node, RDFS.label, Literal(c.label), DEFAULT)
            yield Quad(node, KGO.size, integer(len(c.members)), DEFAULT)
            yield Quad(node, KGO.level, integer(c.level), DEFAULT)
            if c.parent:
                yield Quad(node, KGO.parentCluster, cluster_iri(base, c.parent), DEFAULT)
            for v in c.members:
                membership.setdefault(v, []).append(node)
    for v in sorted(membership):
        member = NamedNode(v)
        for node in membership[v]:
            yield Quad(member, KGO.inCluster, node, DEFAULT)


def trend_quads(trends: Trends, base: str) -> Iterator[Quad]:
    """Per node: first and last seen, article count, trend class with its slope and adjusted p (when it was
    tested), bursts (kgo:Burst nodes with start, end and strength), and its weak-signal quadrant."""
    for t in sorted(trends.nodes, key=lambda t: t.iri):
        node = NamedNode(t.iri)
        yield Quad(node, KGO.articleCount, integer(t.articles), DEFAULT)
        if t.first_seen:
            yield Quad(node, KGO.firstSeen, Literal(t.first_seen, datatype=XSD.date), DEFAULT)
            yield Quad(node, KGO.lastSeen, Literal(t.last_seen, datatype=XSD.date), DEFAULT)
        if t.cls:
            yield Quad(node, KGO.trend, KGO.term(TERMS[t.cls]), DEFAULT)
        if t.tested:
            yield Quad(node, KGO.trendSlope, double(t.slope), DEFAULT)
            yield Quad(node, KGO.trendP, double(t.p), DEFAULT)
        for k, (start, end, strength) in enumerate(t.bursts, 1):
            b = derived_iri(base, "Burst", t.iri, str(k))
            yield Quad(node, KGO.burst, b, DEFAULT)
            yield Quad(b, RDF.type, KGO.Burst, DEFAULT)
            yield Quad(b, KGO.start, Literal(start, datatype=XSD.date), DEFAULT)
            yield Quad(b, KGO.end, Literal(end, datatype=XSD.date), DEFAULT)
            yield Quad(b, KGO.strength, double(strength), DEFAULT)
        if t.quadrant:
            yield Quad(node, KGO.signalQuadrant, KGO.term(t.quadrant), DEFAULT)
