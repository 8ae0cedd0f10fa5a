"""Analytics: our values against networkx on the same graphs, coverage, partitions, determinism."""

from __future__ import annotations

import itertools
from pathlib import Path

import networkx as nx
import numpy as np
import pyoxigraph
import pytest
from pyoxigraph import DefaultGraph, Literal, NamedNode, Quad

from kg import analyze
from kg.pipeline import BuildResult, build
from kg.project import DEFAULT_WEIGHT, cooccurrence, project
from kg.vocab import KGO, RDF, RDFS, XSD
from tests.conftest import SEEDS, select

B = "https://example.org/"


def _quads() -> list[Quad]:
    """A small article-entity graph in RDF: 5 articles, 6 entities, one Closest link, relevancies."""
    g = DefaultGraph()
    q: list[Quad] = []

    def node(kind: str, name: str) -> NamedNode:
        n = NamedNode(f"{B}{kind.lower()}/{name}")
        q.append(Quad(n, RDF.type, KGO.term(kind), g))
        q.append(Quad(n, RDFS.label, Literal(name.upper()), g))
        return n

    arts = [node("Article", f"a{i}") for i in range(5)]
    ents = {"t1": node("Technology", "t1"), "t2": node("Technology", "t2"), "c1": node("Concern", "c1"),
            "k1": node("Keyword", "k1"), "th": node("Theme", "th"), "cat": node("Category", "cat")}
    links = [(0, "t1", 5), (0, "c1", 4), (0, "k1", None), (1, "t1", 3), (1, "t2", 2), (2, "t2", 5),
             (2, "c1", 1), (3, "k1", None), (3, "th", None), (4, "th", None), (4, "t2", 4), (0, "cat", None),
             (1, "cat", None)]
    for i, (a, e, r) in enumerate(links):
        kind = {"t": "hasTechnology", "c": "hasConcern", "k": "hasKeyword"}.get(e[0], "hasTheme")
        if e == "cat":
            kind = "category"
        q.append(Quad(arts[a], KGO.term(kind), ents[e], g))
        if r is not None:
            m = NamedNode(f"{B}mention/{i}")
            q.append(Quad(arts[a], KGO.mention, m, g))
            q.append(Quad(m, KGO.entity, ents[e], g))
            q.append(Quad(m, KGO.relevancy, Literal(str(r), datatype=XSD.integer), g))
    q.append(Quad(arts[3], KGO.closest, arts[4], g))
    q.append(Quad(arts[3], KGO.closest, NamedNode(f"{B}article/unknown"), g))  # untyped target: no vertex
    return q


def _reference() -> nx.Graph:
    """The same graph written directly in networkx."""
    g = nx.Graph()
    a = [f"{B}article/a{i}" for i in range(5)]
    e = {k: f"{B}{t}/{k}" for k, t in (("t1", "technology"), ("t2", "technology"), ("c1", "concern"),
                                       ("k1", "keyword"), ("th", "theme"), ("cat", "category"))}
    d = DEFAULT_WEIGHT
    for x, y, w in [(0, "t1", 5), (0, "c1", 4), (0, "k1", d), (1, "t1", 3), (1, "t2", 2), (2, "t2", 5), (2, "c1", 1),
                    (3, "k1", d), (3, "th", d), (4, "th", d), (4, "t2", 4), (0, "cat", d), (1, "cat", d)]:
        g.add_edge(a[x], e[y], weight=w)
    g.add_edge(a[3], a[4], weight=d)
    return g


def test_projection_matches_the_rdf() -> None:
    proj = project(_quads())
    ref = _reference()
    assert set(proj.graph.nodes) == set(ref.nodes)
    assert {frozenset(e): w for *e, w in proj.graph.edges(data="weight")} == {
        frozenset(e): w for *e, w in ref.edges(data="weight")}
    assert proj.graph.edges[f"{B}article/a0", f"{B}technology/t1"]["type"] == "hasTechnology"
    assert proj.graph.edges[f"{B}article/a3", f"{B}article/a4"]["type"] == "closest"
    assert proj.labels[f"{B}technology/t1"] == "T1"


def test_centrality_equals_networkx() -> None:
    g = project(_quads()).graph
    ref = _reference()
    ours = analyze.centrality(g)
    assert ours.degree == dict(ref.degree())
    assert ours.weighted_degree == pytest.approx({v: float(d) for v, d in ref.degree(weight="weight")})
    assert ours.pagerank == pytest.approx(nx.pagerank(ref, weight="weight"), rel=1e-9)
    assert ours.betweenness == pytest.approx(nx.betweenness_centrality(ref), rel=1e-9, abs=1e-12)
    assert ours.eigenvector == pytest.approx(nx.eigenvector_centrality_numpy(ref, weight="weight"), rel=1e-6)
    assert ours.info["betweenness"]["method"] == "exact"


@pytest.mark.parametrize("seed", [1, 7, 42])
def test_sampled_betweenness_equals_networkx_estimator(seed: int) -> None:
    g = nx.relabel_nodes(nx.barabasi_albert_graph(300, 3, seed=5), lambda i: f"n{i:03d}")
    values, info = analyze.betweenness(g, seed=seed, exact_limit=100, samples=40)
    assert info == {"method": "sampled", "nodes": 300, "k": 40, "seed": seed}
    expected = nx.betweenness_centrality(g, k=40, seed=seed)
    assert values == pytest.approx(expected, rel=1e-9, abs=1e-12)


def test_exact_betweenness_on_a_larger_graph() -> None:
    g = nx.relabel_nodes(nx.gnm_random_graph(200, 600, seed=3), str)
    values, _ = analyze.betweenness(g)
    assert values == pytest.approx(nx.betweenness_centrality(g), rel=1e-9, abs=1e-12)


def test_betweenness_where_the_search_turns_bottom_up_and_back() -> None:
    """From a hub the search goes bottom up; along a long tail it turns top down again, and inside the clique at
    the tail's end bottom up once more; lone vertices and a pair are never reached from the rest."""
    g = nx.relabel_nodes(nx.barabasi_albert_graph(300, 4, seed=8), lambda v: f"b{v}")
    tail = [f"t{i}" for i in range(40)]
    nx.add_path(g, ["b0", *tail])
    clique = [f"c{i}" for i in range(30)]
    g.add_edges_from((u, v) for u in clique for v in clique if u < v)
    g.add_edge(tail[-1], clique[0])
    g.add_edges_from((clique[-1], f"leaf{i}") for i in range(5))
    g.add_edge("p", "q")
    g.add_nodes_from(["alone", "also alone"])
    values, info = analyze.betweenness(g, exact_limit=1000)
    assert info["method"] == "exact"
    assert values == pytest.approx(nx.betweenness_centrality(g), rel=1e-9, abs=1e-12)
    sampled, _ = analyze.betweenness(g, seed=3, exact_limit=100, samples=60)
    assert sampled == pytest.approx(nx.betweenness_centrality(g, k=60, seed=3), rel=1e-9, abs=1e-12)


@pytest.mark.parametrize("size", [300, 900])  # the dense solver and ARPACK
def test_eigenvector_equals_networkx_on_a_connected_graph(size: int) -> None:
    g = nx.relabel_nodes(nx.barabasi_albert_graph(size, 3, seed=4), str)
    nx.set_edge_attributes(g, 2, "weight")
    first, info = analyze.eigenvector(g)
    assert info == {"method": "per component", "components": 1,
                    "solvers": {"dense" if size <= analyze.DENSE_EIGEN_NODES else "arpack": 1}}
    assert first == pytest.approx(nx.eigenvector_centrality_numpy(g, weight="weight"), rel=1e-6, abs=1e-12)
    assert all(analyze.eigenvector(g)[0][v] == first[v] for v in g)  # the same digits, every time


def test_eigenvector_on_a_disconnected_graph_measures_every_component() -> None:
    big = nx.relabel_nodes(nx.barabasi_albert_graph(600, 2, seed=5), lambda v: f"b{v}")
    star = nx.relabel_nodes(nx.star_graph(6), lambda v: f"s{v}")
    pair = nx.Graph([("p", "q")])
    g = nx.union_all([big, star, pair])
    g.add_node("alone")
    values, info = analyze.eigenvector(g)
    assert info["components"] == 4
    n = g.number_of_nodes()
    for comp in (big, star, pair):
        ref = nx.eigenvector_centrality(comp, max_iter=100_000, tol=1e-13)
        scale = (len(comp) / n) ** 0.5
        assert {v: values[v] / scale for v in comp} == pytest.approx(ref, rel=1e-6, abs=1e-12)
    assert values["alone"] == 0.0
    assert min(values[v] for v in star) > 1e-3  # not the 1e-12 a whole-graph eigenvector gives
    assert sum(x * x for x in values.values()) == pytest.approx((n - 1) / n)  # the isolated vertex's share is 0


def test_eigenvector_falls_back_cleanly(monkeypatch: pytest.MonkeyPatch) -> None:
    g = nx.relabel_nodes(nx.barabasi_albert_graph(300, 3, seed=4), str)
    first, _ = analyze.eigenvector(g)

    def no_convergence(*args: object, **kwargs: object) -> None:
        raise np.linalg.LinAlgError("no")

    monkeypatch.setattr(analyze.np.linalg, "eigh", no_convergence)
    values, info = analyze.eigenvector(g)
    assert info["solvers"] == {"power iteration": 1} and values == pytest.approx(first, rel=1e-3, abs=1e-5)

    def failing(*args: object, **kwargs: object) -> None:
        raise nx.PowerIterationFailedConvergence(1000)

    monkeypatch.setattr(analyze.nx, "eigenvector_centrality", failing)
    values, info = analyze.eigenvector(g)
    assert info["method"].startswith("failed") and set(values.values()) == {0.0}
    empty = nx.Graph()
    empty.add_nodes_from("xy")
    assert analyze.eigenvector(empty) == ({"x": 0.0, "y": 0.0}, {"method": "none (no edges)"})


def test_cooccurrence_view() -> None:
    proj = project(_quads())
    cooc = cooccurrence(proj)
    t1, t2, c1 = (f"{B}technology/t1", f"{B}technology/t2", f"{B}concern/c1")
    assert f"{B}category/cat" not in cooc and f"{B}article/a0" not in cooc
    assert cooc.edges[t1, c1]["weight"] == 1  # shared by a0
    assert cooc.edges[t1, t2]["weight"] == 1  # shared by a1
    assert not cooc.has_edge(t1, f"{B}theme/th")
    pruned = cooccurrence(proj, neighbours=1)
    assert pruned.number_of_edges() < cooc.number_of_edges()
    assert set(pruned.nodes) == set(cooc.nodes)


def test_every_level_is_a_nested_partition() -> None:
    g = nx.relabel_nodes(nx.planted_partition_graph(6, 15, 0.5, 0.02, seed=2), lambda i: f"v{i:03d}")
    nx.set_edge_attributes(g, 1, "weight")
    pr = nx.pagerank(g)
    levels = analyze.clusters(g, pr, {v: v.upper() for v in g}, seed=3)
    assert levels
    for level in levels:
        members = [v for c in level for v in c.members]
        assert sorted(members) == sorted(g.nodes)  # covers every node exactly once
    for coarse, fine in itertools.pairwise(levels):
        owner = {v: c.id for c in coarse for v in c.members}
        for c in fine:
            assert {owner[v] for v in c.members} == {c.parent}
    top = levels[0][0]
    assert top.label == " · ".join(v.upper() for v in top.members[:3])
    assert top.members == sorted(top.members, key=lambda v: (-pr[v], v))


def test_every_entity_has_each_metric(seeds_store: pyoxigraph.Store) -> None:
    missing = select(seeds_store, """SELECT ?n WHERE {
        VALUES ?t { kgo:Article kgo:Signal kgo:Technology kgo:Concern kgo:Behavior kgo:Issue kgo:Theme kgo:Keyword
                    kgo:Category kgo:ContentType }
        ?n a ?t .
        FILTER NOT EXISTS { ?n kgo:degree ?d ; kgo:weightedDegree ?w ; kgo:pagerank ?p ; kgo:betweenness ?b ;
                               kgo:eigenvector ?e } }""")
    assert missing == []
    unclustered = select(seeds_store, """SELECT ?n WHERE {
        VALUES ?t { kgo:Signal kgo:Technology kgo:Concern kgo:Behavior kgo:Issue kgo:Theme kgo:Keyword }
        ?n a ?t . FILTER NOT EXISTS { ?n kgo:inCluster ?c } }""")
    assert unclustered == []
    sizes = select(seeds_store, """SELECT ?c ?size (COUNT(?m) AS ?n) WHERE { ?c a kgo:Cluster ; kgo:size ?size .
        ?m kgo:inCluster ?c } GROUP BY ?c ?size""")
    assert sizes and all(r["size"] == r["n"] for r in sizes)


def test_two_runs_give_identical_numbers_and_cluster_ids(tmp_path: Path,
                                                         seeds_build: tuple[Path, BuildResult]) -> None:
    out, _ = seeds_build
    other = tmp_path / "again"
    build([SEEDS], other)
    assert (out / "graph.ttl").read_bytes() == (other / "graph.ttl").read_bytes()
    lines = [ln for ln in (out / "graph.ttl").read_text().splitlines() if "kgo:pagerank" in ln or "cluster:" in ln]
    assert len(lines) > 400


def test_resolution_changes_clusters() -> None:
    g = nx.relabel_nodes(nx.planted_partition_graph(6, 15, 0.5, 0.05, seed=2), str)
    nx.set_edge_attributes(g, 1, "weight")
    pr = nx.pagerank(g)
    fine = analyze.clusters(g, pr, {}, seed=1, resolution=4.0)
    coarse = analyze.clusters(g, pr, {}, seed=1, resolution=0.2)
    assert len(fine[-1]) > len(coarse[0])


def test_no_analytics(tmp_path: Path) -> None:
    result = build([SEEDS], tmp_path / "plain", analytics=False)
    assert "Cluster" not in result.nodes and result.analytics == {}
    assert "kgo:pagerank" not in (tmp_path / "plain" / "graph.ttl").read_text()
