"""What the explorer needs from a built graph (`ViewData`), gathered in one pass over its quads: node types,
labels and other names, metrics, clusters, article facts, links, and each mention's relevancy and
description."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, cast

from pyoxigraph import NamedNode, Quad, Triple

from kg.store import BuiltGraph
from kg.vocab import DCTERMS, DEFAULT, KGO, LINK_NAMES, METRICS, NODE_TYPES, RDF, RDFS, SKOS, XSD

__all__ = ["VIEW_PREDICATES", "Source", "ViewData", "collect", "graph_view_data"]

_METRICS = {t.value: t.value.rsplit("#", 1)[1] for t in METRICS.values()}  # IRI -> pagerank, weightedDegree, ...
_ARTICLE = {DCTERMS.title.value: "title", DCTERMS.date.value: "date", DCTERMS.source.value: "url",
            DCTERMS.identifier.value: "id", KGO.loaded.value: "loaded", DCTERMS.abstract.value: "summary"}
_MENTION = {KGO.entity.value: "entity", KGO.relevancy.value: "relevancy", KGO.name.value: "name",
            DCTERMS.description.value: "description", KGO.change.value: "change",
            KGO.tenYearOutlook.value: "outlook", KGO.drivingForce.value: "driving"}
_TEXTS = ("name", "description", "change", "outlook", "driving")
_TIME = {KGO.trend.value: "trend", KGO.signalQuadrant.value: "quadrant"}
_BURST = {KGO.start.value: 0, KGO.end.value: 1, KGO.strength.value: 2}
_CLUSTER = {KGO.level.value: "level", KGO.size.value: "size", KGO.parentCluster.value: "parent"}
VIEW_PREDICATES = (RDF.type.value, RDFS.label.value, SKOS.altLabel.value, KGO.inCluster.value, KGO.mention.value,
                   KGO.relatedConcept.value, KGO.burst.value, KGO.mentionsEntity.value, *LINK_NAMES, *_METRICS,
                   *_ARTICLE, *_MENTION, *_CLUSTER, *_TIME, *_BURST)
# What one article says of one node: (article, relevancy or "", name, description, change, outlook, driving force)
Source = tuple[str, object, str, str, str, str, str]


@dataclass
class ViewData:
    """What the explorer needs from a built graph."""

    types: dict[str, str] = field(default_factory=dict)
    labels: dict[str, str] = field(default_factory=dict)
    alt: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    metrics: dict[str, dict[str, float]] = field(default_factory=lambda: defaultdict(dict))
    in_cluster: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    clusters: dict[str, dict[str, Any]] = field(default_factory=lambda: defaultdict(dict))
    articles: dict[str, dict[str, Any]] = field(default_factory=lambda: defaultdict(dict))
    links: dict[tuple[str, str], str] = field(default_factory=dict)  # (article, node) -> property name
    weights: dict[tuple[str, str], int] = field(default_factory=dict)  # (article, node) -> relevancy
    sources: dict[str, list[Source]] = field(default_factory=lambda: defaultdict(list))  # node -> its Mentions
    related: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))  # kgo:relatedConcept, both ways
    names: set[tuple[str, str]] = field(default_factory=set)  # kgo:mentionsEntity: (node, technology it names)
    trend: dict[str, str] = field(default_factory=dict)  # node -> rising, fading, steady or new
    quadrant: dict[str, str] = field(default_factory=dict)  # node -> WeakSignal, StrongSignal, WellKnown, Latent
    bursts: dict[str, list[tuple[str, str, float]]] = field(default_factory=dict)  # node -> (start, end, strength)

    @property
    def pagerank(self) -> dict[str, float]:
        """Every node's PageRank (0 where none)."""
        return {n: self.metrics.get(n, {}).get("pagerank", 0.0) for n in self.types}

    def cluster_of(self, node: str, level: int = 0) -> str | None:
        """The node's cluster at a level, or None."""
        for c in self.in_cluster.get(node, ()):
            if self.clusters[c].get("level") == level:
                return c
        return None


def collect(quads: Iterable[Quad | Triple]) -> ViewData:
    """Gather ViewData in one pass over a graph's quads (or triples)."""
    v = ViewData()
    mention_of: dict[str, str] = {}
    mentions: dict[str, dict[str, object]] = defaultdict(dict)
    type_iri, label_iri, alt_iri = RDF.type.value, RDFS.label.value, SKOS.altLabel.value
    in_cluster, mention, related = KGO.inCluster.value, KGO.mention.value, KGO.relatedConcept.value
    burst, names = KGO.burst.value, KGO.mentionsEntity.value
    burst_of: dict[str, str] = {}
    burst_parts: dict[str, dict[int, str]] = defaultdict(dict)
    for q in cast(Iterable[Any], quads):  # kg writes no RDF-star: every term has a .value
        p = q.predicate.value
        s = q.subject.value
        if p == type_iri:
            o = q.object.value
            kind = KGO.local(o)
            if kind is not None:
                if kind == "Cluster":
                    v.clusters[s]["level"] = v.clusters[s].get("level", 0)
                elif kind in NODE_TYPES:  # the vertices: not mentions, cells, bursts, counts, ...
                    v.types[s] = kind
        elif p == label_iri:
            v.labels.setdefault(s, q.object.value)
        elif p == alt_iri:
            v.alt[s].append(q.object.value)
        elif p in LINK_NAMES:
            v.links[(s, q.object.value)] = LINK_NAMES[p]
        elif p in _METRICS:
            o = q.object
            v.metrics[s][_METRICS[p]] = int(o.value) if o.datatype == XSD.integer else float(o.value)
        elif p == in_cluster:
            v.in_cluster[s].append(q.object.value)
        elif p == mention:
            mention_of[q.object.value] = s
        elif p == related:
            v.related[s].add(q.object.value)
            v.related[q.object.value].add(s)
        elif p in _MENTION:
            o = q.object.value
            mentions[s][_MENTION[p]] = int(o) if p.endswith("relevancy") else o
        elif p in _CLUSTER:
            o = q.object.value
            v.clusters[s][_CLUSTER[p]] = o if p.endswith("parentCluster") else int(o)
        elif p in _TIME:
            (v.trend if _TIME[p] == "trend" else v.quadrant)[s] = q.object.value.rsplit("#", 1)[-1]
        elif p == names:
            v.names.add((s, q.object.value))
        elif p == burst:
            burst_of[q.object.value] = s
        elif p in _BURST:
            burst_parts[s][_BURST[p]] = q.object.value
        elif p in _ARTICLE:
            v.articles[s].setdefault(_ARTICLE[p], q.object.value)
    for b, node in burst_of.items():
        parts = burst_parts.get(b, {})
        if len(parts) == 3:
            v.bursts.setdefault(node, []).append((parts[0], parts[1], float(parts[2])))
    for found in v.bursts.values():
        found.sort()
    for c, info in v.clusters.items():
        info["label"] = v.labels.get(c, c)
    for n in v.alt:
        v.alt[n].sort()
    for m in sorted(mention_of):
        a, info = mention_of[m], mentions.get(m, {})
        e, r = info.get("entity"), info.get("relevancy")
        if not isinstance(e, str):
            continue
        texts = [str(info.get(k, "")) for k in _TEXTS]
        v.sources[e].append((a, r if isinstance(r, int) else "", texts[0], texts[1], texts[2], texts[3], texts[4]))
        if isinstance(r, int):
            v.weights[(a, e)] = max(v.weights.get((a, e), 0), r)
    return v


def graph_view_data(graph: BuiltGraph) -> ViewData:
    """The explorer's data of a built graph, read from its store (only the predicates the explorer uses)."""
    store = graph.store()
    return collect(q for p in VIEW_PREDICATES for q in store.quads_for_pattern(None, NamedNode(p), None, DEFAULT))
