"""An undirected graph held as arrays, in the order networkx would hold it: the analytics' views of a large
corpus without a Python dict per vertex and per edge (at 10,000 documents networkx took 2 s to hold the
article-entity view's 394,000 edges and 1 s to list them again).

The vertices keep their order; the edges are in networkx's EdgeView order (each edge once, from the end
that comes first in vertex order, each vertex's edges in the order its adjacency dict holds them), so that
every computation that walks them (kg.louvain, kg.analyze) gives networkx's numbers, digit for digit.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import networkx as nx
import numpy as np

__all__ = ["ArrayGraph", "from_edges"]


@dataclass
class ArrayGraph:
    """Vertices, and edges in EdgeView order as index arrays (src comes before dst in vertex order) with
    integer weights and the place each was first added in (which orders every vertex's adjacency)."""

    nodes: list[str]
    src: np.ndarray
    dst: np.ndarray
    weight: np.ndarray
    added: np.ndarray

    def __len__(self) -> int:
        return len(self.nodes)

    def __iter__(self) -> Iterator[str]:
        return iter(self.nodes)

    def number_of_nodes(self) -> int:
        return len(self.nodes)

    def number_of_edges(self) -> int:
        return int(self.src.shape[0])

    def is_directed(self) -> bool:
        return False

    def is_multigraph(self) -> bool:
        return False

    def degree(self, weight: str | None = None) -> list[tuple[str, Any]]:
        """(vertex, degree) pairs as networkx's DegreeView gives them: edge counts, or summed weights."""
        n = len(self.nodes)
        if weight is None:
            counts = np.bincount(self.src, minlength=n) + np.bincount(self.dst, minlength=n)
        else:
            counts = (np.bincount(self.src, weights=self.weight, minlength=n)
                      + np.bincount(self.dst, weights=self.weight, minlength=n)).astype(np.int64)
        return list(zip(self.nodes, counts.tolist(), strict=True))

    def adjacency(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """CSR rows (indptr, neighbour indices, weights), each vertex's neighbours in its adjacency dict's order."""
        rows = np.concatenate([self.src, self.dst])
        perm = np.lexsort((np.concatenate([self.added, self.added]), rows))
        indptr = np.zeros(len(self.nodes) + 1, dtype=np.int64)
        np.cumsum(np.bincount(rows, minlength=len(self.nodes)), out=indptr[1:])
        return indptr, np.concatenate([self.dst, self.src])[perm], np.concatenate([self.weight, self.weight])[perm]

    def to_networkx(self) -> nx.Graph:
        """The same networkx Graph: vertex, adjacency and EdgeView order as networkx would hold them."""
        g = nx.Graph()
        g.add_nodes_from(self.nodes)
        order = np.argsort(self.added, kind="stable")
        g.add_weighted_edges_from(zip([self.nodes[i] for i in self.src[order].tolist()],
                                      [self.nodes[j] for j in self.dst[order].tolist()],
                                      self.weight[order].tolist(), strict=True))
        return g


def from_edges(nodes: list[str], a: np.ndarray, b: np.ndarray, w: np.ndarray) -> ArrayGraph:
    """The graph networkx makes by `add_nodes_from(nodes)` then `add_edges_from` of the edges (a[k], b[k])
    with weight w[k] (vertex indices) in this order, without self-loops: a pair met again keeps its place and
    takes the later weight, and each vertex's adjacency lists its neighbours in the order their pair first
    appeared, so EdgeView goes by the first end in vertex order, then by that first appearance."""
    n = len(nodes)
    lo, hi = np.minimum(a, b).astype(np.int64), np.maximum(a, b).astype(np.int64)
    key = lo * n + hi
    _, first = np.unique(key, return_index=True)
    _, last = np.unique(key[::-1], return_index=True)
    last = len(key) - 1 - last  # the same pairs (np.unique sorts the keys), their latest appearance
    order = np.lexsort((first, lo[first]))
    keep, later = first[order], last[order]
    return ArrayGraph(nodes, lo[keep], hi[keep], np.asarray(w, dtype=np.int64)[later], keep)
