"""Metrics, clusters and trends -> RDF triples (kg.turtle terms) for the default graph."""

from __future__ import annotations

from collections.abc import Iterator

from kg.analyze import Centrality, Cluster
from kg.trends import TERMS, Trends
from kg.turtle import Lit, Triple3
from kg.vocab import KGO, RDF, RDFS, XSD, Terms, as_written, cluster_iri, derived_iri, double, integer

__all__ = ["BRIDGE_PARTICIPATION", "bridge_triples", "cluster_triples", "metric_triples", "participation_triples",
           "rank_triples", "trend_triples"]

K = Terms(KGO)
_TYPE, _LABEL, _DATE = RDF.type.value, RDFS.label.value, XSD.date.value
BRIDGE_PARTICIPATION = 0.3  # a node at or above it bridges clusters (the bridge-nodes query)


def metric_triples(metrics: Centrality) -> Iterator[Triple3]:
    """kgo:degree, weightedDegree, pagerank, betweenness and eigenvector of every vertex, sorted by IRI."""
    for v in sorted(metrics.degree):
        yield v, K.degree, integer(metrics.degree[v])
        yield v, K.weightedDegree, double(metrics.weighted_degree[v])
        yield v, K.pagerank, double(metrics.pagerank.get(v, 0.0))
        yield v, K.betweenness, double(metrics.betweenness.get(v, 0.0))
        yield v, K.eigenvector, double(metrics.eigenvector.get(v, 0.0))


def participation_triples(values: dict[str, float]) -> Iterator[Triple3]:
    """kgo:participation of every clustered node, sorted by IRI."""
    for v in sorted(values):
        yield v, K.participation, double(values[v])


def bridge_triples(metrics: Centrality, participation: dict[str, float], labels: dict[str, str]
                   ) -> Iterator[Triple3]:
    """kgo:bridgeRank of every labelled node with a participation of BRIDGE_PARTICIPATION or more: by
    betweenness as written (highest first), then label and IRI; sorted by IRI."""
    bridges = [v for v, p in participation.items() if as_written(p) >= BRIDGE_PARTICIPATION and v in labels]
    yield from rank_triples(sorted(bridges, key=lambda v: (-as_written(metrics.betweenness.get(v, 0.0)), labels[v], v)),
                            K.bridgeRank)


def rank_triples(ordered: list[str], predicate: str) -> Iterator[Triple3]:
    """Each node's place (from 1) in `ordered` as an xsd:integer of `predicate`, sorted by IRI."""
    place = {v: i for i, v in enumerate(ordered, 1)}
    for v in sorted(place):
        yield v, predicate, integer(place[v])


def cluster_triples(levels: list[list[Cluster]], base: str) -> Iterator[Triple3]:
    """kgo:Cluster nodes (label, size, level, parent) and kgo:inCluster from each member, at every level."""
    membership: dict[str, list[str]] = {}
    for level in levels:
        for c in level:
            node = cluster_iri(base, c.id)
            yield node, _TYPE, K.Cluster
            yield node, _LABEL, Lit(c.label)
            yield node, K.size, integer(len(c.members))
            yield node, K.level, integer(c.level)
            if c.parent:
                yield node, K.parentCluster, cluster_iri(base, c.parent)
            for v in c.members:
                membership.setdefault(v, []).append(node)
    for v in sorted(membership):
        for node in membership[v]:
            yield v, K.inCluster, node


def trend_triples(trends: Trends, base: str) -> Iterator[Triple3]:
    """Per node: first and last seen, article count, trend class with its slope and adjusted p (when it was
    tested), bursts (kgo:Burst nodes with start, end and strength), and its weak-signal quadrant."""
    for t in sorted(trends.nodes, key=lambda t: t.iri):
        node = t.iri
        yield node, K.articleCount, integer(t.articles)
        if t.first_seen:
            yield node, K.firstSeen, Lit(t.first_seen, _DATE)
            yield node, K.lastSeen, Lit(t.last_seen, _DATE)
        if t.cls:
            yield node, K.trend, getattr(K, TERMS[t.cls])
        if t.tested:
            yield node, K.trendSlope, double(t.slope)
            yield node, K.trendP, double(t.p)
        for k, (start, end, strength) in enumerate(t.bursts, 1):
            b = derived_iri(base, "Burst", t.iri, str(k))
            yield node, K.burst, b
            yield b, _TYPE, K.Burst
            yield b, K.start, Lit(start, _DATE)
            yield b, K.end, Lit(end, _DATE)
            yield b, K.strength, double(strength)
        if t.quadrant:
            yield node, K.signalQuadrant, getattr(K, t.quadrant)
