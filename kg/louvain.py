"""networkx's Louvain (`louvain_partitions`) compiled: the same moves, in the same order, from the same seed.

networkx visits the vertices of each level in an order shuffled by `random.Random(seed)`, moves each to the
neighbouring community of greatest modularity gain (the first one met, in adjacency order, among equal
gains), then merges each community into a vertex of the next level. This module keeps every one of those
choices: the shuffles come from the same `random.Random`, each level's adjacency is ordered as networkx's
dict of dicts would be (first appearance in its edge order), and the gains are the same float expressions
evaluated in the same order. Only the move loop runs in numba-compiled code. With integer weights (kg's
co-occurrence counts) every sum is exact, so the partitions are networkx's own (tested on random graphs
and on kg's corpora); a graph with other weights is handed to networkx.
"""

from __future__ import annotations

import random
from typing import Any

import networkx as nx
import numpy as np
from numba import njit

from kg.arraygraph import ArrayGraph

__all__ = ["edge_lists", "louvain_partitions"]

_INT = np.int64


@njit(cache=True, nogil=True)
def _one_level(indptr: np.ndarray, indices: np.ndarray, weights: np.ndarray, degrees: np.ndarray,
               order: np.ndarray, m: float, resolution: float, denom: float) -> tuple[np.ndarray, bool]:
    """networkx's _one_level on a CSR graph (undirected): the community of each vertex, and whether any moved."""
    n = degrees.shape[0]
    node2com = np.arange(n)
    stot = degrees.copy()
    acc = np.zeros(n)
    mark = np.full(n, -1)
    coms = np.empty(n, dtype=np.int64)
    improvement = False
    stamp = 0  # marks the communities met while scanning one vertex's neighbours
    moves = 1
    while moves > 0:
        moves = 0
        for u in order:
            stamp += 1
            own = node2com[u]
            k = 0
            for j in range(indptr[u], indptr[u + 1]):
                v = indices[j]
                if v == u:
                    continue
                c = node2com[v]
                if mark[c] != stamp:
                    mark[c] = stamp
                    acc[c] = 0.0
                    coms[k] = c
                    k += 1
                acc[c] += weights[j]
            degree = degrees[u]
            stot[own] -= degree
            w_own = acc[own] if mark[own] == stamp else 0.0
            remove_cost = -w_own / m + resolution * (stot[own] * degree) / denom
            best_mod = 0.0
            best = own
            for i in range(k):
                c = coms[i]
                gain = remove_cost + acc[c] / m - resolution * (stot[c] * degree) / denom
                if gain > best_mod:
                    best_mod = gain
                    best = c
            stot[best] += degree
            if best != own:
                node2com[u] = best
                improvement = True
                moves += 1
    return node2com, improvement


@njit(cache=True, nogil=True)
def _modularity(src: np.ndarray, dst: np.ndarray, w: np.ndarray, degrees: np.ndarray, com: np.ndarray,
                communities: int, resolution: float) -> float:
    """networkx's modularity of a partition (community per vertex) of a graph given by its edges, each once."""
    inner = np.zeros(communities, dtype=np.int64)
    total = np.zeros(communities, dtype=np.int64)
    for e in range(src.shape[0]):
        if com[src[e]] == com[dst[e]]:
            inner[com[src[e]]] += w[e]
    deg_sum = 0
    for u in range(degrees.shape[0]):
        total[com[u]] += degrees[u]
        deg_sum += degrees[u]
    m = deg_sum / 2
    norm = 1 / float(deg_sum * deg_sum)
    q = 0.0
    for c in range(communities):
        q += inner[c] / m - resolution * total[c] * total[c] * norm
    return q


class _Level:
    """One level's graph as networkx holds it: CSR rows in dict order, and its edges in EdgeView order."""

    def __init__(self, n: int, src: np.ndarray, dst: np.ndarray, w: np.ndarray) -> None:
        """The graph networkx makes by adding the edges (src, dst, w) in this order to n vertices: a pair met
        again adds its weight; each vertex's neighbours are in the order their pair first appeared."""
        lo, hi = np.minimum(src, dst), np.maximum(src, dst)
        keys, first, inverse = np.unique(lo * n + hi, return_index=True, return_inverse=True)
        summed = np.zeros(len(keys), dtype=_INT)
        np.add.at(summed, inverse, w)
        a, b = keys // n, keys % n
        loop = a == b
        rows = np.concatenate([a, b[~loop]])
        cols = np.concatenate([b, a[~loop]])
        pos = np.concatenate([first, first[~loop]])
        wts = np.concatenate([summed, summed[~loop]])
        perm = np.lexsort((pos, rows))
        self.n = n
        self.indices, self.weights = cols[perm], wts[perm]
        row_of = rows[perm]
        self.indptr = np.zeros(n + 1, dtype=_INT)
        np.cumsum(np.bincount(row_of, minlength=n), out=self.indptr[1:])
        self.degrees = np.bincount(row_of, weights=self.weights, minlength=n).astype(_INT)
        self.degrees += np.bincount(a[loop], weights=summed[loop], minlength=n).astype(_INT)  # a loop counts twice
        forward = self.indices >= row_of  # EdgeView: each edge from the first of its ends in vertex order
        self.src, self.dst, self.w = row_of[forward], self.indices[forward], self.weights[forward]


def edge_lists(g: nx.Graph | ArrayGraph, weight: str = "weight") -> tuple[list[Any], Any, Any, Any]:
    """The vertices of g, and its edges in EdgeView order: end indices and weights (1 where missing)."""
    if isinstance(g, ArrayGraph):
        return g.nodes, g.src, g.dst, g.weight
    nodes = list(g)
    index = {v: i for i, v in enumerate(nodes)}
    src: list[int] = []
    dst: list[int] = []
    w: list[Any] = []
    for u, v, x in g.edges(data=weight, default=1):
        src.append(index[u])
        dst.append(index[v])
        w.append(x)
    return nodes, src, dst, w


def _integer_edges(g: nx.Graph | ArrayGraph, weight: str,
                   ) -> tuple[list[Any], np.ndarray, np.ndarray, np.ndarray] | None:
    """The vertices and the edges of g in EdgeView order with integer weights, or None if a weight is not one."""
    if isinstance(g, ArrayGraph):
        return g.nodes, g.src.astype(_INT), g.dst.astype(_INT), g.weight.astype(_INT)
    nodes, src, dst, w = edge_lists(g, weight)
    if not all(isinstance(x, int | np.integer) and not isinstance(x, bool) for x in w):
        return None
    return nodes, np.array(src, dtype=_INT), np.array(dst, dtype=_INT), np.array(w, dtype=_INT)


def louvain_partitions(g: nx.Graph | ArrayGraph, weight: str = "weight", resolution: float = 1.0,
                       threshold: float = 1e-7, seed: int = 0) -> list[list[set[Any]]]:
    """Every level of `nx.community.louvain_partitions(g, weight, resolution, threshold, seed)`, finest first,
    each partition in networkx's order; undirected graphs with integer weights run compiled."""
    edges = None if g.is_directed() or g.is_multigraph() else _integer_edges(g, weight)
    if edges is None:
        assert not isinstance(g, ArrayGraph), "an ArrayGraph's weights are integers: it always runs compiled"
        return list(nx.community.louvain_partitions(g, weight=weight, resolution=resolution, threshold=threshold,
                                                    seed=seed))
    nodes, src, dst, w = edges
    n = len(nodes)
    if len(src) == 0:
        return [[{v} for v in nodes]]
    rng = random.Random(seed)
    level = _Level(n, src, dst, w)
    m = float(level.degrees.sum()) / 2  # graph.size(weight): the sum of degrees, halved
    denom = 2 * m**2
    mod = _modularity(level.src, level.dst, level.w, level.degrees, np.arange(n), n, resolution)
    members = np.arange(n)  # the vertex of the current level each of g's vertices is in
    out: list[list[set[Any]]] = []
    while True:
        order = list(range(level.n))
        rng.shuffle(order)  # the permutation networkx's seed.shuffle(list(G.nodes)) makes
        node2com, improvement = _one_level(level.indptr, level.indices, level.weights, level.degrees,
                                           np.array(order, dtype=_INT), m, resolution, denom)
        if out and not improvement:
            return out
        used = np.unique(node2com)  # non-empty communities, in networkx's (index) order
        renumber = np.full(level.n, -1, dtype=_INT)
        renumber[used] = np.arange(len(used))
        com = renumber[node2com]
        members = com[members]
        groups: list[set[Any]] = [set() for _ in range(len(used))]
        for v, c in zip(nodes, members.tolist(), strict=True):
            groups[c].add(v)
        out.append(groups)
        new_mod = _modularity(level.src, level.dst, level.w, level.degrees, com, len(used), resolution)
        if new_mod - mod <= threshold:
            return out
        mod = new_mod
        level = _Level(len(used), com[level.src], com[level.dst], level.w)
