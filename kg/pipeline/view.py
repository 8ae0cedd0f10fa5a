"""The explorer's data (viz.ViewData) from the corpus-level data, as viz.collect reads it from the RDF."""

from __future__ import annotations

from collections.abc import Iterable

from kg import analyze
from kg.articles import primary_first
from kg.pipeline.corpus import Corpus
from kg.project import Link
from kg.rdf import Minter
from kg.trends import TERMS, Trends
from kg.viewdata import ViewData
from kg.vocab import as_written, cluster_iri

__all__ = ["fill_sources", "view_data"]


def view_data(corpus: Corpus, types: dict[str, str], labels: dict[str, str], links: list[Link],
              metrics: analyze.Centrality | None, levels: list[list[analyze.Cluster]],
              linked: dict[str, dict[str, int]], trends: Trends | None = None) -> ViewData:
    """The explorer's data from the corpus-level data (the same ViewData viz.collect reads from RDF)."""
    mint = Minter(corpus.base)
    v = ViewData()
    v.types, v.labels = dict(types), dict(labels)
    iri = mint.entity_iri
    for e in corpus.resolution.entities:
        v.alt[iri(e)] = e.alt_labels
    for x, tech in corpus.resolution.mentions:
        v.names.add((iri(x), iri(tech)))
    for x, y in corpus.resolution.related:
        v.related[iri(x)].add(iri(y))
        v.related[iri(y)].add(iri(x))
    article_labels = corpus.article_labels
    for target, titles in linked.items():
        node = mint.article_iri(target)
        others = sorted(t for t in titles if t != labels.get(node))
        if others:
            v.alt[node] = others
    for s in primary_first(corpus.summaries):  # an article of several documents: the one describing it
        info = v.articles[mint.article_iri(corpus.canonical.get(s.doc_id, s.doc_id))]
        info.setdefault("id", s.doc_id)
        if s.title and not s.title_is_id:
            info.setdefault("title", s.title)
        if s.date:
            info.setdefault("date", s.date)
        if s.external_url:
            info.setdefault("url", s.external_url)
        info["loaded"] = "true"
    for target in linked:
        if target not in article_labels:
            v.articles[mint.article_iri(target)].update(id=target, loaded="false")
    if metrics:
        for n in metrics.degree:
            v.metrics[n] = {"pagerank": as_written(metrics.pagerank.get(n, 0.0)), "degree": metrics.degree[n],
                            "betweenness": as_written(metrics.betweenness.get(n, 0.0)),
                            "eigenvector": as_written(metrics.eigenvector.get(n, 0.0)),
                            "weightedDegree": as_written(metrics.weighted_degree.get(n, 0.0))}
    for level in levels:
        for c in level:
            node = cluster_iri(corpus.base, c.id)
            v.clusters[node] = {"level": c.level, "size": len(c.members), "label": c.label}
            if c.parent:
                v.clusters[node]["parent"] = cluster_iri(corpus.base, c.parent)
            v.labels[node] = c.label
            for m in c.members:
                v.in_cluster[m].append(node)
    for t in trends.nodes if trends else []:
        if t.cls:
            v.trend[t.iri] = TERMS[t.cls]
        if t.quadrant:
            v.quadrant[t.iri] = t.quadrant
        if t.bursts:
            v.bursts[t.iri] = sorted((s, e, as_written(x)) for s, e, x in t.bursts)
    v.links = {(a, b): kind for a, b, kind, _ in links}  # a pair given twice keeps its last kind and weight
    v.weights = {(a, b): w for a, b, _, w in links}
    return v


def fill_sources(corpus: Corpus, data: ViewData, nodes: Iterable[str]) -> None:
    """What the articles say about the given nodes, and the summaries of the given articles, read back from
    the emission cache (one pass)."""
    wanted = set(nodes)
    for _, c in corpus.cache.get_many("emit", corpus.ekeys, "view"):
        if c is None:
            continue
        if c["summary"] and c["article"] in wanted:
            data.articles[c["article"]]["summary"] = c["summary"]
        for e, r, name, d, change, outlook, driving in c["sources"]:
            if e in wanted:
                data.sources[e].append((c["article"], r, name, d, change, outlook, driving))
