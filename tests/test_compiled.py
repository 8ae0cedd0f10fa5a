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
from kg.project import cooccurrence, cooccurrence_arrays, project_arrays, project_links, strongest_pairs
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


def _as_lists(g: nx.Graph) -> tuple[list[str], list[tuple[str, str, int]], dict[str, list[tuple[str, int]]]]:
    """Everything networkx's orders show of a graph: vertices, EdgeView, each vertex's adjacency."""
    return (list(g), list(g.edges(data="weight")),
            {v: [(u, d["weight"]) for u, d in g[v].items()] for v in g})


def _random_links(trial: int) -> tuple[dict[str, str], dict[str, str], list[tuple[str, str, str, int]]]:
    """Typed vertices (some facets) and article links among them: repeated pairs with other weights, pairs
    linked both ways (article to article), self-links and links to untyped nodes."""
    r = random.Random(trial)
    kinds = ["Article", "Signal", "Technology", "Keyword", "Category", "ContentType"]
    types = {f"n{r.randrange(10**5)}-{i}": r.choice(kinds) for i in range(r.randint(2, 120))}
    names = sorted(types)
    links = []
    for _ in range(r.randint(0, 600)):
        a, b = r.choice(names), r.choice([*names, "untyped"])
        links.append((a, b, r.choice(["hasSignal", "closest"]), r.randint(1, 5)))
        if r.random() < 0.1:
            links.append((b, a, "closest", r.randint(1, 5)))
    return types, {n: n.upper() for n in names[::2]}, links


@pytest.mark.parametrize("trial", range(40))
def test_array_views_are_networkx_views(trial: int) -> None:
    """project_arrays and cooccurrence_arrays hold the graphs project_links and cooccurrence make, in every
    order networkx keeps (vertices, EdgeView, adjacency), with the same weights and degrees."""
    types, labels, links = _random_links(trial)
    proj, arrays = project_links(types, labels, links), project_arrays(types, labels, links)
    assert arrays.labels == proj.labels
    assert _as_lists(arrays.graph.to_networkx()) == _as_lists(proj.graph)
    indptr, ends, weights = arrays.graph.adjacency()
    assert {v: [(arrays.graph.nodes[j], w) for j, w in zip(ends[indptr[i]:indptr[i + 1]].tolist(),
                                                           weights[indptr[i]:indptr[i + 1]].tolist(), strict=True)]
            for i, v in enumerate(arrays.graph.nodes)} == _as_lists(proj.graph)[2]
    assert arrays.graph.degree() == list(proj.graph.degree())
    assert arrays.graph.degree(weight="weight") == list(proj.graph.degree(weight="weight"))
    for neighbours in (1, 3, 10):
        cooc, cooc_arrays = cooccurrence(proj, neighbours), cooccurrence_arrays(arrays, neighbours)
        assert _as_lists(cooc_arrays.to_networkx()) == _as_lists(cooc)
        assert analyze.adjacency(cooc_arrays)[0] == analyze.adjacency(cooc)[0]
        assert (analyze.adjacency(cooc_arrays)[1] != analyze.adjacency(cooc)[1]).nnz == 0


def _vertices_and_links(src: Path) -> tuple[dict[str, str], dict[str, str], list[tuple[str, str, str, int]]]:
    """The typed vertices, labels and sorted article links of the documents under src, as the build has them."""
    corpus = gather([src])
    try:
        _, linked = corpus_level(corpus)
        types, labels = vertices(corpus, linked)
        return types, labels, sorted(corpus.links)
    finally:
        corpus.cache.close()
        if corpus.tmp:
            corpus.tmp.cleanup()


def test_analytics_on_arrays_are_the_networkx_path(tmp_path: Path) -> None:
    """The build's analytics (on arrays) give, digit for digit and in the same orders, what the same code gives
    on networkx's graphs of a generated corpus."""
    src = tmp_path / "docs"
    make_corpus(src, 150, faults=0.1)
    types, labels, links = _vertices_and_links(src)
    results = []
    for proj, cooc in ((p := project_links(types, labels, links), cooccurrence(p)),
                       (q := project_arrays(types, labels, links), cooccurrence_arrays(q))):
        pr = analyze.pagerank_scores(*analyze.adjacency(proj.graph))
        levels = analyze.clusters(cooc, pr, proj.labels, seed=42)
        m = analyze.centrality(proj.graph, seed=42, exact_limit=100)
        results.append(([list(d.items()) for d in (m.degree, m.weighted_degree, m.pagerank, m.betweenness,
                                                   m.eigenvector)], m.info, levels,
                        list(analyze.participation(cooc, levels).items())))
    assert len(results[0][2]) >= 2 and results[0][1]["betweenness"]["method"] == "sampled"
    assert results[1] == results[0]


def _participation_by_definition(g: nx.Graph, levels: list[list[analyze.Cluster]]) -> dict[str, float]:
    """The participation coefficient as written out in Python: per node, its links' weight into each coarsest
    cluster (neighbours in none counting as one), summed in the order its adjacency first reaches them."""
    owner = {v: c.id for c in levels[0] for v in c.members}
    out: dict[str, float] = {}
    for v in g:
        into: dict[str, float] = {}
        total = 0.0
        for u, d in g[v].items():
            into[owner.get(u, "")] = into.get(owner.get(u, ""), 0.0) + float(d["weight"])
            total += float(d["weight"])
        out[v] = 1.0 - sum((x / total) ** 2 for x in into.values()) if total else 0.0
    return out


def test_participation_is_its_definition(tmp_path: Path) -> None:
    """The compiled participation coefficient gives, digit for digit, the Python definition's values."""
    src = tmp_path / "docs"
    make_corpus(src, 300)
    types, labels, links = _vertices_and_links(src)
    proj = project_arrays(types, labels, links)
    cooc = cooccurrence_arrays(proj)
    pr = analyze.pagerank_scores(*analyze.adjacency(proj.graph))
    levels = analyze.clusters(cooc, pr, proj.labels, seed=42)
    expected = _participation_by_definition(cooc.to_networkx(), levels)
    assert list(analyze.participation(cooc, levels).items()) == list(expected.items())
    assert list(analyze.participation(cooc.to_networkx(), levels).items()) == list(expected.items())
    assert sum(1 for x in expected.values() if 0.0 < x < 1.0) > 50
