"""RDF -> networkx views of the graph, built in one pass over the triples.

The article-entity view (`Projection.graph`, an undirected networkx Graph):
  - vertices: every Article and every entity node (Signal, Technology, Concern, Behavior, Issue, Theme,
    Keyword, Category, ContentType); no literals, no Mention nodes;
  - an edge per Article -> node link, typed by its property (`type` = hasTechnology, hasKeyword,
    category, closest, ...);
  - `weight` = the relevancy the article gives the node (the highest, if a table names it twice);
    links without a relevancy (keywords, themes, category, content type, Closest, rows whose relevancy
    is missing or not a number) weigh DEFAULT_WEIGHT, the middle of the 1-5 scale.

The co-occurrence view (`cooccurrence`): entity nodes linked when articles share them, `weight` = the
number of articles that name both. Facets (Category, ContentType) stay out: a vertex shared by one
article in seven would link everything to everything. So does an article naming more than
MAX_ARTICLE_NODES nodes (a degenerate document), whose clique alone would cost the square of that.
To keep the view sparse at corpus scale, each node keeps its COOC_NEIGHBOURS strongest links (ties broken
by IRI); an edge stays if either end keeps it.

Cost: one pass over the triples with dictionary lookups, then one sparse matrix product; linear in
the number of triples and of article-entity links.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, cast

import networkx as nx
import numpy as np
import scipy.sparse as sp
from numba import njit
from pyoxigraph import Quad, Triple

from kg.arraygraph import ArrayGraph, from_edges
from kg.vocab import FACET_TYPES, KGO, LINK_NAMES, NODE_TYPES, RDF, RDFS

__all__ = ["COOC_NEIGHBOURS", "DEFAULT_WEIGHT", "MAX_ARTICLE_NODES", "ArrayProjection", "Projection",
    "cooccurrence", "cooccurrence_arrays", "links_of", "project", "project_arrays", "project_links",
    "strongest_pairs"]

DEFAULT_WEIGHT = 3
COOC_NEIGHBOURS = 10
MAX_ARTICLE_NODES = 1000  # an article naming more nodes adds no co-occurrence links (real ones name ~50)
_TYPE = RDF.type.value
_LABEL = RDFS.label.value
_MENTION = KGO.mention.value
_ENTITY = KGO.entity.value
_RELEVANCY = KGO.relevancy.value
_DISPATCH = {_TYPE: 0, **dict.fromkeys(LINK_NAMES, 1), _MENTION: 2, _ENTITY: 3, _RELEVANCY: 4, _LABEL: 5}
_CLASSES = {KGO.term(t).value: t for t in NODE_TYPES}


@dataclass
class Projection:
    """Vertex types and labels plus the article-entity networkx graph."""

    types: dict[str, str] = field(default_factory=dict)  # IRI -> kgo class name
    labels: dict[str, str] = field(default_factory=dict)
    graph: nx.Graph = field(default_factory=nx.Graph)


@dataclass
class ArrayProjection:
    """Vertex types and labels plus the article-entity view as arrays (the graph project_links makes)."""

    types: dict[str, str]
    labels: dict[str, str]
    graph: ArrayGraph


Link = tuple[str, str, str, int]  # (article IRI, node IRI, property name, weight)


def project_links(types: dict[str, str], labels: dict[str, str], links: Iterable[Link]) -> Projection:
    """The article-entity view from typed vertices and weighted links (links to untyped nodes are left out)."""
    g = nx.Graph()
    g.add_nodes_from(sorted(types))
    g.add_edges_from((a, b, {"type": kind, "weight": w}) for a, b, kind, w in sorted(links)
                     if a in types and b in types and a != b)
    return Projection(types, {n: labels.get(n, n) for n in types}, g)


def project_arrays(types: dict[str, str], labels: dict[str, str], links: Iterable[Link]) -> ArrayProjection:
    """project_links's view as arrays: the same vertices, edges, weights and orders, without networkx."""
    nodes = sorted(types)
    index = {v: i for i, v in enumerate(nodes)}
    ordered = sorted(links)
    size = len(ordered)
    a = np.fromiter((index.get(x, -1) for x, _, _, _ in ordered), dtype=np.int64, count=size)
    b = np.fromiter((index.get(y, -1) for _, y, _, _ in ordered), dtype=np.int64, count=size)
    weight = np.fromiter((x for _, _, _, x in ordered), dtype=np.int64, count=size)
    kept = (a >= 0) & (b >= 0) & (a != b)  # links to untyped nodes, and self-links, are left out
    return ArrayProjection(types, {n: labels.get(n, n) for n in types},
                           from_edges(nodes, a[kept], b[kept], weight[kept]))


def links_of(triples: Iterable[Quad | Triple]) -> tuple[dict[str, str], dict[str, str], list[Link]]:
    """Vertex types, labels and weighted article links read from RDF in one pass over the triples: the
    link properties, plus each Mention's entity and relevancy for the weights."""
    types: dict[str, str] = {}
    labels: dict[str, str] = {}
    links: dict[tuple[str, str], str] = {}
    mention_of: dict[str, str] = {}
    entity_of: dict[str, str] = {}
    relevancy: dict[str, int] = {}
    for t in cast(Iterable[Any], triples):  # kg writes no RDF-star: every term has a .value
        p = t.predicate.value
        code = _DISPATCH.get(p)
        if code is None:
            continue
        if code == 0:
            o = t.object.value
            kind = _CLASSES.get(o)
            if kind is not None:
                types[t.subject.value] = kind
        elif code == 1:
            links[(t.subject.value, t.object.value)] = LINK_NAMES[p]
        elif code == 2:
            mention_of[t.object.value] = t.subject.value
        elif code == 3:
            entity_of[t.subject.value] = t.object.value
        elif code == 4:
            with contextlib.suppress(ValueError):
                relevancy[t.subject.value] = int(t.object.value)
        else:
            labels.setdefault(t.subject.value, t.object.value)
    weight: dict[tuple[str, str], int] = {}
    for m, article in mention_of.items():
        r = relevancy.get(m)
        entity = entity_of.get(m)
        if r is not None and entity is not None:
            key = (article, entity)
            weight[key] = max(weight.get(key, 0), r)
    return types, labels, [(a, b, kind, weight.get((a, b), DEFAULT_WEIGHT)) for (a, b), kind in links.items()]


def project(triples: Iterable[Quad | Triple]) -> Projection:
    """The article-entity view of an RDF graph, in one pass over its triples (or quads)."""
    return project_links(*links_of(triples))


def cooccurrence(proj: Projection, neighbours: int = COOC_NEIGHBOURS) -> nx.Graph:
    """Entity co-occurrence view: entities linked by the number of articles naming both (see module doc)."""
    entities = [n for n in proj.graph if proj.types[n] != "Article" and proj.types[n] not in FACET_TYPES]
    col = {n: i for i, n in enumerate(entities)}
    articles = [n for n in proj.graph if proj.types[n] == "Article"]
    rows, cols = [], []
    for i, a in enumerate(articles):
        mine = [j for b in proj.graph[a] if (j := col.get(b)) is not None]
        if len(mine) > MAX_ARTICLE_NODES:  # its clique alone would cost len(mine)**2
            continue
        rows += [i] * len(mine)
        cols += mine
    g = nx.Graph()
    g.add_nodes_from(entities)
    if not rows:
        return g
    keep = strongest_pairs(rows, cols, len(articles), len(entities), neighbours)
    g.add_weighted_edges_from((entities[i], entities[j], w) for (i, j), w in sorted(keep.items()))
    return g


def cooccurrence_arrays(proj: ArrayProjection, neighbours: int = COOC_NEIGHBOURS) -> ArrayGraph:
    """cooccurrence's view, from and as arrays: the same vertices, edges, weights and orders."""
    g = proj.graph
    kinds = [proj.types[n] for n in g.nodes]
    article = np.array([k == "Article" for k in kinds], dtype=bool)
    entity = np.array([k != "Article" and k not in FACET_TYPES for k in kinds], dtype=bool)
    entities = [n for n, e in zip(g.nodes, entity.tolist(), strict=True) if e]
    col = np.cumsum(entity) - 1  # a vertex's place among the entities
    forward = article[g.src] & entity[g.dst]
    backward = article[g.dst] & entity[g.src]
    rows = np.concatenate([g.src[forward], g.dst[backward]])
    cols = col[np.concatenate([g.dst[forward], g.src[backward]])]
    named = np.bincount(rows, minlength=len(g.nodes))
    small = named[rows] <= MAX_ARTICLE_NODES  # an article naming more: its clique alone would cost its square
    rows, cols = rows[small], cols[small]
    if not len(rows):
        empty = np.zeros(0, dtype=np.int64)
        return ArrayGraph(entities, empty, empty, empty, empty)
    lo, hi, w = _strongest_pairs(rows, cols, len(g.nodes), len(entities), neighbours)
    return ArrayGraph(entities, lo, hi, w.astype(np.int64), np.arange(len(lo)))


def strongest_pairs(rows: list[int], cols: list[int], n_rows: int, n_cols: int, neighbours: int,
                    ) -> dict[tuple[int, int], int]:
    """Column pairs (i < j) by how many rows hold both, from the (row, column) cells of an incidence matrix
    (one sparse product); each column keeps its `neighbours` strongest pairs, ties by column, and a pair stays
    if either end keeps it."""
    lo, hi, w = _strongest_pairs(rows, cols, n_rows, n_cols, neighbours)
    return dict(zip(zip(lo.tolist(), hi.tolist(), strict=True), w.tolist(), strict=True))


def _strongest_pairs(rows: Any, cols: Any, n_rows: int, n_cols: int, neighbours: int,
                     ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """strongest_pairs as arrays (lo, hi, weight), each pair once, sorted."""
    inc = sp.csr_matrix((np.ones(len(rows), dtype=np.int32), (rows, cols)), shape=(n_rows, n_cols))
    co = (inc.T @ inc).tocsr()
    co.setdiag(0)
    co.eliminate_zeros()
    i, j, w = _strongest(co.indptr, co.indices, co.data, neighbours)
    lo, hi = np.minimum(i, j), np.maximum(i, j)
    keys, first = np.unique(lo * n_cols + hi, return_index=True)
    return keys // n_cols, keys % n_cols, w[first]


@njit(cache=True)
def _strongest(indptr: np.ndarray, indices: np.ndarray, data: np.ndarray, k: int,
               ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per row of a CSR matrix, its k largest entries, ties by column: (row, column, value) arrays."""
    n = indptr.shape[0] - 1
    out_i = np.empty(n * k, dtype=np.int64)
    out_j = np.empty(n * k, dtype=np.int64)
    out_w = np.empty(n * k, dtype=data.dtype)
    best_j = np.empty(k, dtype=np.int64)
    best_w = np.empty(k, dtype=data.dtype)
    m = 0
    for i in range(n):
        size = 0
        for p in range(indptr[i], indptr[i + 1]):
            j, w = indices[p], data[p]
            if size == k and (w < best_w[k - 1] or (w == best_w[k - 1] and j > best_j[k - 1])):
                continue
            q = size if size < k else k - 1  # the free slot, or the weakest, which gives way
            while q > 0 and (best_w[q - 1] < w or (best_w[q - 1] == w and best_j[q - 1] > j)):
                best_w[q], best_j[q] = best_w[q - 1], best_j[q - 1]
                q -= 1
            best_w[q], best_j[q] = w, j
            size = min(size + 1, k)
        for q in range(size):
            out_i[m], out_j[m], out_w[m] = i, best_j[q], best_w[q]
            m += 1
    return out_i[:m], out_j[:m], out_w[:m]
