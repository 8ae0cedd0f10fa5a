"""Centrality and hierarchical clusters over the networkx views, or the same views as arrays (kg.arraygraph,
which the build uses); plain dicts in, plain dicts out.

- degree and weighted degree: as networkx counts them, on the article-entity view;
- PageRank: networkx's scipy power iteration (weighted), on the adjacency matrix built once (`adjacency`);
- eigenvector: per connected component, scaled by component size (weighted; see eigenvector());
- betweenness (unweighted shortest paths, normalised as networkx does): exact up to EXACT_BETWEENNESS_NODES
  vertices; above, networkx's sampling estimator over BETWEENNESS_SAMPLES source vertices drawn with the
  seed exactly as networkx draws them. The shortest-path counting (Brandes, over a direction-optimising
  breadth-first search) runs compiled by numba, in two threads: networkx's numbers to rounding (tested);
- clusters: networkx's Louvain (`louvain_partitions`, seeded) on the co-occurrence view, run compiled by
  kg.louvain (the same partitions, tested), every level kept, level 0 the coarsest.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, TypeAlias

import networkx as nx
import numpy as np
import scipy.sparse as sp
from numba import njit
from scipy.sparse.csgraph import connected_components
from scipy.sparse.linalg import ArpackNoConvergence, eigs

from kg.arraygraph import ArrayGraph
from kg.louvain import edge_lists, louvain_partitions

__all__ = [
    "BETWEENNESS_SAMPLES",
    "DEFAULT_RESOLUTION",
    "DEFAULT_SEED",
    "DENSE_EIGEN_NODES",
    "EXACT_BETWEENNESS_NODES",
    "LABEL_MEMBERS",
    "PARALLEL_NODES",
    "BetweennessJob",
    "Centrality",
    "Cluster",
    "adjacency",
    "betweenness",
    "centrality",
    "clusters",
    "eigenvector",
    "pagerank_scores",
    "participation",
]

EXACT_BETWEENNESS_NODES = 2000
BETWEENNESS_SAMPLES = 500
DEFAULT_SEED = 42
DEFAULT_RESOLUTION = 1.0
LABEL_MEMBERS = 3
PARALLEL_NODES = 1000  # graphs at least this large compute betweenness in threads, beside the caller
Graph: TypeAlias = nx.Graph | ArrayGraph  # a view: networkx's, or the same as arrays (kg.arraygraph)


@dataclass
class Centrality:
    """Per-vertex metrics and how they were computed."""

    degree: dict[str, int]
    weighted_degree: dict[str, float]
    pagerank: dict[str, float]
    betweenness: dict[str, float]
    eigenvector: dict[str, float]
    info: dict[str, object] = field(default_factory=dict)


@njit(cache=True, nogil=True)
def _brandes(indptr: np.ndarray, indices: np.ndarray, sources: np.ndarray) -> np.ndarray:
    """Brandes' dependency accumulation from each source over an unweighted graph (CSR, no self-loops): the
    number of shortest paths from the sources through each vertex, as networkx's _single_source_shortest_path
    _basic and _accumulate_basic count them (the same sums, added in another order). The breadth-first search
    is direction-optimising (Beamer et al.): a level is found from the frontier's edges (top down) or, when
    the vertices not yet reached have fewer edges, from theirs (bottom up). The edges of the shortest-path
    DAG are kept in the order found, level by level, so the dependencies are summed over them backwards."""
    n = indptr.shape[0] - 1
    degree = indptr[1:] - indptr[:-1]
    total = np.zeros(n)
    sigma, delta = np.zeros(n), np.zeros(n)
    dist = np.full(n, -1, dtype=np.int64)
    order = np.empty(n, dtype=np.int64)
    rest = np.empty(n, dtype=np.int64)  # the vertices not yet reached, once a level is found bottom up
    dag_from = np.empty(indices.shape[0], dtype=np.int64)
    dag_to = np.empty(indices.shape[0], dtype=np.int64)
    for s in sources:
        dist[:] = -1
        sigma[:] = 0.0
        delta[:] = 0.0
        dist[s], sigma[s], order[0] = 0, 1.0, s
        low, tail, edges, level, left = 0, 1, 0, 0, -1
        frontier, unreached = degree[s], indptr[n] - degree[s]  # edges of the frontier, of the rest
        while low < tail:
            high, reach, found = tail, level + 1, 0
            if unreached < frontier:  # bottom up: each vertex not yet reached looks for parents in the frontier
                if left < 0:
                    left = 0
                    for u in range(n):
                        if dist[u] < 0:
                            rest[left] = u
                            left += 1
                kept = 0
                for i in range(left):
                    u = rest[i]
                    if dist[u] >= 0:  # reached top down since the list was made
                        continue
                    paths = 0.0
                    for j in range(indptr[u], indptr[u + 1]):
                        v = indices[j]
                        if dist[v] == level:
                            paths += sigma[v]
                            dag_from[edges], dag_to[edges] = v, u
                            edges += 1
                    if paths > 0.0:
                        sigma[u], order[tail] = paths, u
                        tail += 1
                        found += degree[u]
                    else:
                        rest[kept] = u
                        kept += 1
                left = kept
                for i in range(high, tail):
                    dist[order[i]] = reach
            else:  # top down: the frontier's edges
                for i in range(low, high):
                    v = order[i]
                    for j in range(indptr[v], indptr[v + 1]):
                        w = indices[j]
                        if dist[w] < 0:
                            dist[w], order[tail] = reach, w
                            tail += 1
                            found += degree[w]
                        if dist[w] == reach:
                            sigma[w] += sigma[v]
                            dag_from[edges], dag_to[edges] = v, w
                            edges += 1
            frontier, unreached, low, level = found, unreached - found, high, reach
        for e in range(edges - 1, -1, -1):  # dependencies, farthest level first
            v, w = dag_from[e], dag_to[e]
            delta[v] += sigma[v] * ((1.0 + delta[w]) / sigma[w])
        for i in range(1, tail):
            total[order[i]] += delta[order[i]]
    return total


BETWEENNESS_CHUNKS = 2  # the sources are split in this many parts, summed in order (whatever the CPUs)


def _path_counts(matrix: tuple[list[Any], Any], sources: np.ndarray, threads: bool) -> np.ndarray:
    """Shortest paths from the sources through each vertex, the parts of the sources in threads if asked."""
    a = matrix[1]
    rows = np.repeat(np.arange(a.shape[0]), np.diff(a.indptr))
    keep = a.indices != rows  # a self-loop is on no shortest path
    indptr = np.zeros(a.shape[0] + 1, dtype=np.int64)
    np.cumsum(np.bincount(rows[keep], minlength=a.shape[0]), out=indptr[1:])
    indices = a.indices[keep].astype(np.int64)
    parts = np.array_split(sources, BETWEENNESS_CHUNKS)
    if threads:
        with ThreadPoolExecutor(BETWEENNESS_CHUNKS) as pool:  # the compiled loop releases the GIL
            counts = list(pool.map(lambda p: _brandes(indptr, indices, p), parts))
    else:
        counts = [_brandes(indptr, indices, p) for p in parts]
    total = counts[0].copy()
    for c in counts[1:]:
        total += c
    return total


def betweenness(g: Graph, seed: int = DEFAULT_SEED, exact_limit: int = EXACT_BETWEENNESS_NODES,
                samples: int = BETWEENNESS_SAMPLES, matrix: tuple[list[Any], Any] | None = None,
                threads: bool = False) -> tuple[dict[str, float], dict[str, object]]:
    """Normalised betweenness: exact for small graphs, networkx's k-source estimator above `exact_limit`.
    `matrix` is `adjacency(g)`, if made already."""
    nodes = list(g)
    n = len(nodes)
    if n < 3:
        return dict.fromkeys(nodes, 0.0), {"method": "exact", "nodes": n}
    matrix = matrix or adjacency(g)
    if n <= exact_limit:
        raw = _path_counts(matrix, np.arange(n), threads)  # each unordered pair twice
        return ({v: raw[i] / ((n - 1) * (n - 2)) for i, v in enumerate(nodes)},
                {"method": "exact", "nodes": n})
    k = min(samples, n)
    sources = random.Random(seed).sample(nodes, k)  # the draw networkx makes for k=..., seed=...
    index = {v: i for i, v in enumerate(nodes)}
    raw = _path_counts(matrix, np.array([index[s] for s in sources], dtype=np.int64), threads)
    sampled = set(sources)
    scale_source = 1.0 / ((k - 1) * (n - 2)) if k > 1 else 0.0
    scale_other = 1.0 / (k * (n - 2))
    values = {v: float(raw[i]) * (scale_source if v in sampled else scale_other) for i, v in enumerate(nodes)}
    return values, {"method": "sampled", "nodes": n, "k": k, "seed": seed}


def adjacency(g: Graph, weight: str = "weight") -> tuple[list[Any], Any]:
    """The vertices of g and its weighted adjacency matrix (CSR, symmetric), as networkx's
    to_scipy_sparse_array(g, weight=weight, dtype=float) makes it."""
    nodes, src, dst, w = edge_lists(g, weight)
    r, c, d = np.array(src, dtype=np.int64), np.array(dst, dtype=np.int64), np.array(w, dtype=float)
    off = r != c
    rows, cols = np.concatenate([r, c[off]]), np.concatenate([c, r[off]])
    a = sp.coo_array((np.concatenate([d, d[off]]), (rows, cols)), shape=(len(nodes), len(nodes))).tocsr()
    return nodes, a


def pagerank_scores(nodes: list[Any], a: Any, alpha: float = 0.85, max_iter: int = 100, tol: float = 1.0e-6,
             ) -> dict[Any, float]:
    """networkx's pagerank (its scipy power iteration, uniform teleport) on an adjacency matrix."""
    n = len(nodes)
    if n == 0:
        return {}
    s = a.sum(axis=1)
    s[s != 0] = 1.0 / s[s != 0]
    q = sp.dia_array((s.T, 0), shape=a.shape).tocsr()
    m = q @ a
    x = np.repeat(1.0 / n, n)
    p = np.repeat(1.0 / n, n)
    dangling = np.where(s == 0)[0]
    for _ in range(max_iter):
        last = x
        x = alpha * (x @ m + sum(x[dangling]) * p) + (1 - alpha) * p
        if np.absolute(x - last).sum() < n * tol:
            return dict(zip(nodes, map(float, x), strict=True))
    raise nx.PowerIterationFailedConvergence(max_iter)


DENSE_EIGEN_NODES = 400  # components up to this size are solved densely (numpy), larger ones with ARPACK


def _principal(a: Any) -> tuple[np.ndarray, str]:
    """The principal eigenvector of a connected component's symmetric adjacency matrix: unit length,
    non-negative, the same digits on every run (dense solver, or ARPACK from a fixed start vector)."""
    n = a.shape[0]
    if n <= DENSE_EIGEN_NODES:
        _, vectors = np.linalg.eigh(a.toarray())
        vec, how = vectors[:, -1], "dense"
    else:
        v0 = np.full(n, 1.0 / np.sqrt(n))
        _, vectors = eigs(a.T, k=1, which="LR", v0=v0, maxiter=max(1000, 10 * n), tol=1e-10)
        vec, how = vectors.flatten().real, "arpack"
    vec = vec / (np.sign(vec.sum()) * np.linalg.norm(vec))
    return vec, how


def eigenvector(g: Graph, matrix: tuple[list[Any], Any] | None = None,
                ) -> tuple[dict[str, float], dict[str, object]]:
    """Weighted eigenvector centrality, per connected component: each component's principal eigenvector
    (unit length, as networkx's eigenvector_centrality_numpy gives for a connected graph) scaled by
    sqrt(component size / vertices). A connected graph gets exactly networkx's values; on a disconnected one
    every component is measured (networkx refuses such a graph, and a whole-graph eigenvector leaves all but
    one component near 0), and a component's values weigh by its size (the squares of a component's values
    sum to its share of the vertices). Isolated vertices score 0. If a solver fails: networkx's power
    iteration on that component; if that fails too, every value is 0 and the report says so. `matrix` is
    `adjacency(g)`, if made already."""
    if g.number_of_edges() == 0:
        return dict.fromkeys(g, 0.0), {"method": "none (no edges)"}
    nodes, a = matrix or adjacency(g)
    count, labels = connected_components(a, directed=False)
    order = np.argsort(labels, kind="stable")
    bounds = np.searchsorted(labels[order], np.arange(count + 1))
    values = np.zeros(len(nodes))
    solvers: Counter[str] = Counter()
    for k in range(count):
        idx = order[bounds[k]:bounds[k + 1]]
        if len(idx) < 2:
            continue
        sub = a[idx][:, idx]
        try:
            vec, how = _principal(sub)
        except (ArpackNoConvergence, ArithmeticError, ValueError, RuntimeError, np.linalg.LinAlgError):
            whole = g.to_networkx() if isinstance(g, ArrayGraph) else g
            comp = whole.subgraph([nodes[i] for i in idx])
            try:
                power = nx.eigenvector_centrality(comp, weight="weight", max_iter=1000, tol=1e-6)
            except (nx.NetworkXException, ArithmeticError, ValueError):
                return dict.fromkeys(g, 0.0), {"method": "failed; all values 0", "error": "no convergence"}
            vec = np.array([power[nodes[i]] for i in idx])
            vec, how = vec / np.linalg.norm(vec), "power iteration"
        values[idx] = vec * np.sqrt(len(idx) / len(nodes))
        solvers[how] += 1
    info: dict[str, object] = {"method": "per component", "components": int(count),
                               "solvers": dict(sorted(solvers.items()))}
    return {v: (float(abs(x)) if abs(x) >= 1e-15 else 0.0) for v, x in zip(nodes, values, strict=True)}, info


class BetweennessJob:
    """Betweenness computed in threads (compiled code, without the GIL) while the caller does other work, on
    graphs of at least PARALLEL_NODES vertices; the same numbers as betweenness()."""

    def __init__(self, g: Graph, seed: int = DEFAULT_SEED, exact_limit: int = EXACT_BETWEENNESS_NODES,
                 samples: int = BETWEENNESS_SAMPLES, matrix: tuple[list[Any], Any] | None = None) -> None:
        self.args = (g, seed, exact_limit, samples, matrix or adjacency(g))
        self.pool: ThreadPoolExecutor | None = None
        self.future: Future[tuple[dict[str, float], dict[str, object]]] | None = None
        if len(g) >= PARALLEL_NODES:
            self.pool = ThreadPoolExecutor(1)
            self.future = self.pool.submit(betweenness, *self.args, True)

    def result(self) -> tuple[dict[str, float], dict[str, object]]:
        """The betweenness values and how they were computed (waits for the threads, if any)."""
        if self.future is None or self.pool is None:
            return betweenness(*self.args)
        try:
            return self.future.result()
        finally:
            self.pool.shutdown()


def centrality(g: Graph, seed: int = DEFAULT_SEED, exact_limit: int = EXACT_BETWEENNESS_NODES,
               samples: int = BETWEENNESS_SAMPLES, job: BetweennessJob | None = None,
               pagerank: dict[str, float] | None = None, matrix: tuple[list[Any], Any] | None = None) -> Centrality:
    """Every metric for every vertex of the article-entity view. Betweenness comes from `job`, PageRank from
    `pagerank` and the adjacency matrix from `matrix` when the caller made them already."""
    matrix = matrix or adjacency(g)
    job = job or BetweennessJob(g, seed, exact_limit, samples, matrix)
    degree = dict(g.degree())
    weighted = {v: float(d) for v, d in g.degree(weight="weight")}
    if pagerank is None:
        pagerank = pagerank_scores(*matrix)
    eigen, einfo = eigenvector(g, matrix)
    between, binfo = job.result()
    return Centrality(degree, weighted, pagerank, between, eigen, {"betweenness": binfo, "eigenvector": einfo})


@dataclass
class Cluster:
    """One cluster at one level of the hierarchy."""

    id: str  # e.g. "l0-3": level 0, third largest
    level: int
    members: list[str]  # sorted by PageRank, highest first
    label: str
    parent: str | None


def clusters(cooc: Graph, pagerank: dict[str, float], labels: dict[str, str], seed: int = DEFAULT_SEED,
             resolution: float = DEFAULT_RESOLUTION) -> list[list[Cluster]]:
    """Louvain levels on the co-occurrence view, coarse (level 0) to fine, each cluster labelled by its top
    members by PageRank and linked to its parent one level up."""
    if len(cooc) == 0:
        return []
    partitions = louvain_partitions(cooc, weight="weight", resolution=resolution, seed=seed)
    partitions.reverse()  # networkx yields finest first
    levels: list[list[Cluster]] = []
    parent_of: dict[str, str] = {}
    for level, partition in enumerate(partitions):
        ranked = [sorted(c, key=lambda v: (-pagerank.get(v, 0.0), v)) for c in partition]
        ranked.sort(key=lambda c: (-len(c), min(c)))
        current: list[Cluster] = []
        for i, members in enumerate(ranked, 1):
            cid = f"l{level}-{i}"
            label = " · ".join(labels.get(v, v) for v in members[:LABEL_MEMBERS])
            current.append(Cluster(cid, level, members, label, parent_of.get(members[0])))
        parent_of = {v: c.id for c in current for v in c.members}
        levels.append(current)
    return levels


def participation(cooc: Graph, levels: list[list[Cluster]]) -> dict[str, float]:
    """Participation coefficient of each node over the coarsest clusters: 1 - sum over clusters of (weight of
    the node's links into the cluster / weight of all its links) squared; 0 for nodes without links. Summed in
    the order the node's links first reach each cluster (the neighbours in no cluster count as one), compiled."""
    if not levels:
        return {}
    number = {c.id: i for i, c in enumerate(levels[0])}
    where = {v: number[c.id] for c in levels[0] for v in c.members}
    unclustered = len(number)
    nodes: list[str] = list(cooc)
    if isinstance(cooc, ArrayGraph):
        indptr, indices, weights = cooc.adjacency()
    else:
        at = {v: i for i, v in enumerate(nodes)}
        rows = [links for _, links in _neighbours(cooc)]
        indptr = np.cumsum([0, *(len(r) for r in rows)], dtype=np.int64)
        indices = np.array([at[u] for r in rows for u, _ in r], dtype=np.int64)
        weights = np.array([float(w) for r in rows for _, w in r], dtype=float)
    owner = np.array([where.get(v, unclustered) for v in nodes], dtype=np.int64)
    values = _participation(indptr, indices, weights.astype(float), owner, unclustered + 1)
    return dict(zip(nodes, values.tolist(), strict=True))


@njit(cache=True)
def _participation(indptr: np.ndarray, indices: np.ndarray, weights: np.ndarray, owner: np.ndarray,
                   buckets: int) -> np.ndarray:
    """participation() over CSR rows: each row's weight per bucket (owner of the neighbour), in the order
    the row first reaches each bucket."""
    n = indptr.shape[0] - 1
    out = np.zeros(n)
    into = np.zeros(buckets)
    reached = np.zeros(buckets, dtype=np.bool_)
    order = np.empty(buckets, dtype=np.int64)
    for v in range(n):
        m = 0
        total = 0.0
        for j in range(indptr[v], indptr[v + 1]):
            c = owner[indices[j]]
            if not reached[c]:
                reached[c] = True
                order[m] = c
                m += 1
            into[c] += weights[j]
            total += weights[j]
        if total:
            s = 0.0
            for k in range(m):
                share = into[order[k]] / total
                s += share ** 2
            out[v] = 1.0 - s
        for k in range(m):
            into[order[k]] = 0.0
            reached[order[k]] = False
    return out


def _neighbours(g: nx.Graph) -> Iterator[tuple[str, list[tuple[str, Any]]]]:
    """Each vertex of a networkx graph with its (neighbour, weight) pairs in adjacency order (1 where missing)."""
    for v in g:
        yield v, [(u, d.get("weight", 1.0)) for u, d in g[v].items()]
