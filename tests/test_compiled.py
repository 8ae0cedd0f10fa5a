"""The compiled analytics against networkx's own functions: Louvain partitions identical for a seed, PageRank
and the adjacency matrix equal; the strongest co-occurrence pairs against a plain count."""

from __future__ import annotations

import random
from collections import Counter
from itertools import combinations
from pathlib import Path

import networkx as nx
import numpy as np
import pytest

from kg import analyze
from kg.louvain import louvain_partitions
from kg.pipeline.corpus import corpus_level, gather, vertices
from kg.project import cooccurrence, project_links, strongest_pairs
from tests.conftest import SEEDS
from tests.test_robust import make_corpus


def _random_graph(trial: int) -> nx.Graph:
    """A graph of string vertices with integer weights, vertices and edges inserted in a shuffled order, some
    self-loops and isolated vertices: every order networkx's dicts keep is exercised."""
    r = random.Random(trial)
    n = r.randint(2, 250)
    base = nx.gnm_random_graph(n, r.randint(0, 5 * n), seed=trial)
    names = {v: f"v{r.randrange(10**6)}-{v}" for v in base}
    nodes = list(names.values())
    r.shuffle(nodes)
    g = nx.Graph()
    g.add_nodes_from(nodes)
    edges = [(names[u], names[v]) for u, v in base.edges()]
    r.shuffle(edges)
    for u, v in edges:
        g.add_edge(u, v, weight=r.randint(1, 6))
    if trial % 4 == 0 and nodes:
        for v in nodes[:3]:
            g.add_edge(v, v, weight=2)
    return g


@pytest.mark.parametrize("trial", range(40))
def test_louvain_partitions_identical_to_networkx(trial: int) -> None:
    g = _random_graph(trial)
    for resolution in (0.5, 1.0, 2.0):
        for seed in (0, 42, trial):
            expected = list(nx.community.louvain_partitions(g, weight="weight", resolution=resolution, seed=seed))
            assert louvain_partitions(g, resolution=resolution, seed=seed) == expected


@pytest.mark.parametrize("docs", [0, 400])
def test_louvain_on_a_corpus_cooccurrence_view(tmp_path: Path, docs: int) -> None:
    """The view kg clusters, of the seed documents and of a generated corpus: every level identical."""
    src = SEEDS
    if docs:
        src = tmp_path / "docs"
        make_corpus(src, docs, faults=0.1)
    corpus = gather([src])
    try:
        _, linked = corpus_level(corpus)
        types, labels = vertices(corpus, linked)
        cooc = cooccurrence(project_links(types, labels, corpus.links))
    finally:
        corpus.cache.close()
        if corpus.tmp:
            corpus.tmp.cleanup()
    assert cooc.number_of_edges() > 100
    for seed in (1, 42, 2026):
        expected = list(nx.community.louvain_partitions(cooc, weight="weight", seed=seed))
        assert len(expected) >= (2 if docs else 1)
        assert louvain_partitions(cooc, seed=seed) == expected


def test_louvain_hands_other_graphs_to_networkx() -> None:
    g = nx.karate_club_graph()  # float weights
    nx.set_edge_attributes(g, {e: 0.5 + i / 7 for i, e in enumerate(g.edges)}, "weight")
    expected = list(nx.community.louvain_partitions(g, weight="weight", seed=3))
    assert louvain_partitions(g, seed=3) == expected
    empty = nx.Graph()
    empty.add_nodes_from("abc")
    assert louvain_partitions(empty, seed=1) == [[{"a"}, {"b"}, {"c"}]]


@pytest.mark.parametrize("trial", range(10))
def test_adjacency_and_pagerank_equal_networkx(trial: int) -> None:
    g = _random_graph(trial)
    nodes, a = analyze.adjacency(g)
    assert nodes == list(g)
    expected = nx.to_scipy_sparse_array(g, nodelist=nodes, weight="weight", dtype=float, format="csr")
    assert (a != expected).nnz == 0
    ours = analyze.pagerank_scores(nodes, a)
    assert ours == pytest.approx(nx.pagerank(g, weight="weight"), rel=1e-12, abs=1e-15)
    assert np.isclose(sum(ours.values()), 1.0)


@pytest.mark.parametrize("trial", range(30))
def test_strongest_pairs_equal_a_plain_count(trial: int) -> None:
    r = random.Random(trial)
    n_rows, n_cols, k = r.randint(1, 60), r.randint(2, 40), r.randint(1, 6)
    cells = sorted({(i, r.randrange(n_cols)) for i in range(n_rows) for _ in range(r.randint(0, 8))})
    shared: Counter[tuple[int, int]] = Counter()
    for i in range(n_rows):
        shared.update(combinations(sorted(c for row, c in cells if row == i), 2))
    expected: dict[tuple[int, int], int] = {}
    for c in range(n_cols):  # each column keeps its k strongest pairs, ties by the other column
        mine = sorted(((w, b if a == c else a) for (a, b), w in shared.items() if c in (a, b)),
                      key=lambda x: (-x[0], x[1]))
        for w, other in mine[:k]:
            expected[(min(c, other), max(c, other))] = w
    got = strongest_pairs([i for i, _ in cells], [c for _, c in cells], n_rows, n_cols, k)
    assert got == expected
