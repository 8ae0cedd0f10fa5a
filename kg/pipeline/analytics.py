"""Pass 4b: the networkx projection, centrality and clusters of the corpus, as quads for the default graph;
reused from the cache when the graph is unchanged."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from kg import analyze
from kg.cache import Cache, code_version, data_key
from kg.enrich import bridge_triples, cluster_triples, metric_triples, participation_triples
from kg.project import COOC_NEIGHBOURS, DEFAULT_WEIGHT, MAX_ARTICLE_NODES, Link, cooccurrence_arrays, project_arrays
from kg.turtle import Triple3
from kg.vocab import FACET_TYPES

__all__ = ["ANALYTICS_VERSION", "Analytics", "run_analytics"]

ANALYTICS_VERSION = "1"
Analytics = tuple[analyze.Centrality, list[list[analyze.Cluster]], dict[str, float], dict[str, Any]]


def compute(types: dict[str, str], labels: dict[str, str], links: list[Link], seed: int,
            resolution: float) -> Analytics:
    """Centrality, the Louvain hierarchy and participation, and a record of how they were computed."""
    proj = project_arrays(types, labels, links)  # networkx's views, as arrays
    matrix = analyze.adjacency(proj.graph)
    job = analyze.BetweennessJob(proj.graph, seed, matrix=matrix)  # in threads, beside everything below
    pagerank = analyze.pagerank_scores(*matrix)
    cooc = cooccurrence_arrays(proj)
    levels = analyze.clusters(cooc, pagerank, proj.labels, seed=seed, resolution=resolution)
    metrics = analyze.centrality(proj.graph, seed=seed, job=job, pagerank=pagerank, matrix=matrix)
    g = proj.graph
    info = {
        "projection": {"vertices": g.number_of_nodes(), "edges": g.number_of_edges(),
                       "default_weight": DEFAULT_WEIGHT},
        "cooccurrence": {"vertices": cooc.number_of_nodes(), "edges": cooc.number_of_edges(),
                         "neighbours_kept": COOC_NEIGHBOURS, "facets_left_out": sorted(FACET_TYPES),
                         "max_article_nodes": MAX_ARTICLE_NODES},
        "betweenness": metrics.info["betweenness"],
        "eigenvector": metrics.info["eigenvector"],
        "clusters": {"seed": seed, "resolution": resolution, "per_level": [len(level) for level in levels]},
    }
    return metrics, levels, analyze.participation(cooc, levels), info


def run_analytics(types: dict[str, str], labels: dict[str, str], links: Iterable[Link], base: str, seed: int,
                  resolution: float, cache: Cache | None = None
                  ) -> tuple[list[Triple3], analyze.Centrality, list[list[analyze.Cluster]], dict[str, Any]]:
    """Project, compute centrality and clusters, and return them as triples with the record of how. The results
    depend only on the graph, so an unchanged graph (an edit that left the links alone) reuses them."""
    ordered = sorted(links)
    code = code_version("kg.analyze", "kg.arraygraph", "kg.louvain", "kg.project")
    key = data_key(ANALYTICS_VERSION, code, seed, resolution, base, sorted(types.items()), sorted(labels.items()),
                   ordered)
    cached = cache.get("analytics", key) if cache else None
    if cached is None:
        cached = compute(types, labels, ordered, seed, resolution)
        if cache:
            cache.put("analytics", key, cached)
    if cache:
        cache.mark("analytics", key)
    metrics, levels, participation, info = cached
    triples = (list(metric_triples(metrics)) + list(participation_triples(participation))
               + list(bridge_triples(metrics, participation, labels)) + list(cluster_triples(levels, base)))
    return triples, metrics, levels, info
