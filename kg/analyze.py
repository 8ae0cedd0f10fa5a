"""Centrality and hierarchical clusters over the networkx views (plain dicts in, plain dicts out).

- degree and weighted degree: networkx, on the article-entity view;
- PageRank: networkx (scipy power iteration, weighted);
- eigenvector: per connected component, scaled by component size (weighted; see eigenvector());
- betweenness (unweighted shortest paths, normalised as networkx does): exact up to EXACT_BETWEENNESS_NODES
  vertices; above, networkx's sampling estimator over BETWEENNESS_SAMPLES source vertices drawn with the
  seed exactly as networkx draws them. The shortest-path counting runs in igraph's C core, which gives the
  same numbers as networkx (tested) a hundred times faster;
- clusters: networkx Louvain (`louvain_partitions`, seeded) on the co-occurrence view, every level kept,
  level 0 the coarsest.
"""

from __future__ import annotations

import multiprocessing as mp
import os
import random
from collections import Counter
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from typing import Any

import igraph
import networkx as nx
import numpy as np
from scipy.sparse.csgraph import connected_components
from scipy.sparse.linalg import ArpackNoConvergence, eigs

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
    "betweenness",
    "centrality",
    "clusters",
    "eigenvector",
    "participation",
]

EXACT_BETWEENNESS_NODES = 2000
BETWEENNESS_SAMPLES = 500
DEFAULT_SEED = 42
DEFAULT_RESOLUTION = 1.0
LABEL_MEMBERS = 3
PARALLEL_NODES = 1000  # graphs at least this large compute betweenness in a second process


@dataclass
class Centrality:
    """Per-vertex metrics and how they were computed."""

    degree: dict[str, int]
    weighted_degree: dict[str, float]
    pagerank: dict[str, float]
    betweenness: dict[str, float]
    eigenvector: dict[str, float]
    info: dict[str, object] = field(default_factory=dict)


def betweenness(g: nx.Graph, seed: int = DEFAULT_SEED, exact_limit: int = EXACT_BETWEENNESS_NODES,
                samples: int = BETWEENNESS_SAMPLES) -> tuple[dict[str, float], dict[str, object]]:
    """Normalised betweenness: exact for small graphs, networkx's k-source estimator above `exact_limit`."""
    nodes = list(g)
    n = len(nodes)
    if n < 3:
        return dict.fromkeys(nodes, 0.0), {"method": "exact", "nodes": n}
    index = {v: i for i, v in enumerate(nodes)}
    ig = igraph.Graph(n=n, edges=[(index[u], index[v]) for u, v in g.edges() if u != v], directed=False)
    if n <= exact_limit:
        raw = ig.betweenness(directed=False)  # each unordered pair once
        return ({v: raw[i] * 2.0 / ((n - 1) * (n - 2)) for i, v in enumerate(nodes)},
                {"method": "exact", "nodes": n})
    k = min(samples, n)
    sources = random.Random(seed).sample(nodes, k)  # the draw networkx makes for k=..., seed=...
    raw = ig.as_directed(mode="mutual").betweenness(directed=True, sources=[index[s] for s in sources])
    sampled = set(sources)
    scale_source = 1.0 / ((k - 1) * (n - 2)) if k > 1 else 0.0
    scale_other = 1.0 / (k * (n - 2))
    values = {v: raw[i] * (scale_source if v in sampled else scale_other) for i, v in enumerate(nodes)}
    return values, {"method": "sampled", "nodes": n, "k": k, "seed": seed}


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


def eigenvector(g: nx.Graph) -> tuple[dict[str, float], dict[str, object]]:
    """Weighted eigenvector centrality, per connected component: each component's principal eigenvector
    (unit length, as networkx's eigenvector_centrality_numpy gives for a connected graph) scaled by
    sqrt(component size / vertices). A connected graph gets exactly networkx's values; on a disconnected one
    every component is measured (networkx refuses such a graph, and a whole-graph eigenvector leaves all but
    one component near 0), and a component's values weigh by its size (the squares of a component's values
    sum to its share of the vertices). Isolated vertices score 0. If a solver fails: networkx's power
    iteration on that component; if that fails too, every value is 0 and the report says so."""
    if g.number_of_edges() == 0:
        return dict.fromkeys(g, 0.0), {"method": "none (no edges)"}
    nodes = list(g)
    a = nx.to_scipy_sparse_array(g, nodelist=nodes, weight="weight", dtype=float, format="csr")
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
            comp = g.subgraph([nodes[i] for i in idx])
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


def _betweenness_child(g: nx.Graph, seed: int, exact_limit: int, samples: int, conn: Connection) -> None:
    conn.send(betweenness(g, seed, exact_limit, samples))
    conn.close()


class BetweennessJob:
    """Betweenness computed in a forked child process while the caller does other work (on graphs of at
    least PARALLEL_NODES vertices with more than one CPU); same numbers as betweenness()."""

    def __init__(self, g: nx.Graph, seed: int = DEFAULT_SEED, exact_limit: int = EXACT_BETWEENNESS_NODES,
                 samples: int = BETWEENNESS_SAMPLES) -> None:
        self.args = (g, seed, exact_limit, samples)
        self.child: Any = None
        if len(g) >= PARALLEL_NODES and (os.cpu_count() or 1) > 1 and "fork" in mp.get_all_start_methods():
            ctx = mp.get_context("fork")
            self.receive, send = ctx.Pipe(duplex=False)
            self.child = ctx.Process(target=_betweenness_child, args=(*self.args, send), daemon=True)
            self.child.start()
            send.close()

    def result(self) -> tuple[dict[str, float], dict[str, object]]:
        """The betweenness values and how they were computed (waits for the child, if any)."""
        if self.child is None:
            return betweenness(*self.args)
        try:
            value = self.receive.recv()
        except EOFError:  # the child died: compute here
            value = betweenness(*self.args)
        self.child.join()
        return value


def centrality(g: nx.Graph, seed: int = DEFAULT_SEED, exact_limit: int = EXACT_BETWEENNESS_NODES,
               samples: int = BETWEENNESS_SAMPLES, job: BetweennessJob | None = None,
               pagerank: dict[str, float] | None = None) -> Centrality:
    """Every metric for every vertex of the article-entity view. Betweenness comes from `job` and PageRank
    from `pagerank` when the caller computed them already (so they overlap other work)."""
    job = job or BetweennessJob(g, seed, exact_limit, samples)
    degree = dict(g.degree())
    weighted = {v: float(d) for v, d in g.degree(weight="weight")}
    if pagerank is None:
        pagerank = nx.pagerank(g, weight="weight") if len(g) else {}
    eigen, einfo = eigenvector(g)
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


def clusters(cooc: nx.Graph, pagerank: dict[str, float], labels: dict[str, str], seed: int = DEFAULT_SEED,
             resolution: float = DEFAULT_RESOLUTION) -> list[list[Cluster]]:
    """Louvain levels on the co-occurrence view, coarse (level 0) to fine, each cluster labelled by its top
    members by PageRank and linked to its parent one level up."""
    if len(cooc) == 0:
        return []
    partitions = list(nx.community.louvain_partitions(cooc, weight="weight", resolution=resolution, seed=seed))
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


def participation(cooc: nx.Graph, levels: list[list[Cluster]]) -> dict[str, float]:
    """Participation coefficient of each node over the coarsest clusters: 1 - sum over clusters of (weight of
    the node's links into the cluster / weight of all its links) squared; 0 for nodes without links."""
    if not levels:
        return {}
    owner = {v: c.id for c in levels[0] for v in c.members}
    out: dict[str, float] = {}
    for v in cooc:
        into: dict[str, float] = {}
        total = 0.0
        for u, w in cooc[v].items():
            weight = float(w.get("weight", 1.0))
            into[owner.get(u, "")] = into.get(owner.get(u, ""), 0.0) + weight
            total += weight
        out[v] = 1.0 - sum((x / total) ** 2 for x in into.values()) if total else 0.0
    return out
