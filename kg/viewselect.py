"""Which nodes and edges a page shows (`select`), and where they are drawn (`layout`).

At most `top` nodes (default 500), chosen by PageRank, every level-0 cluster represented; when articles
are allowed, about a third of the budget goes to the articles that link the chosen entities most.
Positions come from igraph's Fruchterman-Reingold, seeded, so a page draws once and is idle.
"""

from __future__ import annotations

import math
import random
from collections import defaultdict
from dataclasses import dataclass

import igraph

from kg.errors import KgError
from kg.project import DEFAULT_WEIGHT
from kg.viewdata import ViewData
from kg.vocab import NODE_TYPES

__all__ = ["ARTICLE_SHARE", "DEFAULT_TOP", "View", "layout", "select"]

DEFAULT_TOP = 500
ARTICLE_SHARE = 0.3  # of the node budget, when articles are shown with entities


@dataclass
class View:
    """The nodes and edges one page shows, and what it leaves out."""

    nodes: list[str]
    edges: list[tuple[str, str, str, float]]  # (from, to, type, weight)
    total: int
    how: str


def _find(data: ViewData, name: str) -> str:
    """A node by any of its names (label, other names, article id), case-insensitively."""
    wanted = " ".join(name.split()).casefold()
    hits = [n for n in data.types if data.labels.get(n, "").casefold() == wanted
            or any(a.casefold() == wanted for a in data.alt.get(n, ()))
            or str(data.articles.get(n, {}).get("id", "")).casefold() == wanted]
    if not hits:
        hits = [n for n in data.types if wanted in data.labels.get(n, "").casefold()]
    if not hits:
        raise KgError(f"no node named {name!r} in this graph")
    pr = data.pagerank
    return min(hits, key=lambda n: (-pr[n], n))


def select(data: ViewData, top: int = DEFAULT_TOP, types: tuple[str, ...] = (), cluster: str | None = None,
           focus: str | None = None, depth: int = 1) -> View:
    """Choose the nodes and edges of a view (see the module doc)."""
    pr = data.pagerank
    if types:
        unknown = sorted(set(types) - set(NODE_TYPES))
        if unknown:
            raise KgError(f"unknown type {unknown[0]!r}; choose from {', '.join(sorted(NODE_TYPES))}")
    allowed = set(types) if types else set(NODE_TYPES)
    adjacency: dict[str, set[str]] = defaultdict(set)
    for a, b in data.links:
        if a in data.types and b in data.types:
            adjacency[a].add(b)
            adjacency[b].add(a)
    pool = [n for n, t in data.types.items() if t in allowed]
    how = f"the {top} nodes with the highest PageRank"
    if cluster:
        cid = next((c for c in data.clusters if c.rsplit("/", 1)[-1] == cluster or c == cluster), None)
        if cid is None:
            raise KgError(f"no cluster {cluster!r}; see `kg clusters` for ids")
        members = {n for n in data.types if cid in data.in_cluster.get(n, ())}
        linked = {a for m in members for a in adjacency[m] if data.types[a] == "Article"}
        pool = [n for n in pool if n in members or n in linked]
        how = f"cluster {cid.rsplit('/', 1)[-1]} ({data.labels.get(cid, '')})"
    if focus:
        start = _find(data, focus)
        seen, frontier = {start}, {start}
        for _ in range(max(0, depth)):
            frontier = {m for n in frontier for m in adjacency[n]} - seen
            seen |= frontier
        keep = set(pool)
        pool = [n for n in seen if n in keep or n == start]
        how = f"{data.labels.get(start, start)!r} and its neighbours up to depth {depth}"
    total_pool = len(pool)
    pool.sort(key=lambda n: (-pr[n], n))
    if len(pool) <= top:
        chosen = pool
        if not (cluster or focus):
            how = f"all {len(pool)} nodes" + (f" of type {', '.join(sorted(allowed))}" if types else "")
    else:
        picked, arts = _budget(data, pool, top, adjacency, _find(data, focus) if focus else None, not cluster)
        chosen = picked + arts
        how += f" ({len(picked)} entities, every cluster represented, and the {len(arts)} articles linking them most)"
    chosen_set = set(chosen)
    edges = [(a, b, kind, float(data.weights.get((a, b), DEFAULT_WEIGHT)))
             for (a, b), kind in sorted(data.links.items()) if a in chosen_set and b in chosen_set and a != b]
    if not any(data.types[n] == "Article" for n in chosen):
        edges = _cooccurrence_edges(data, chosen_set, adjacency)
    return View(chosen, edges, len(data.types) if not (cluster or focus or types) else total_pool, how)


def _budget(data: ViewData, pool: list[str], top: int, adjacency: dict[str, set[str]], first: str | None,
            every_cluster: bool) -> tuple[list[str], list[str]]:
    """Entities and articles for a page of `top` nodes from a pool sorted by PageRank: `first` first, the best
    member of every level-0 cluster (when asked), then by PageRank; then the articles that link the chosen
    entities most, about ARTICLE_SHARE of the budget."""
    pr = data.pagerank
    entities = [n for n in pool if data.types[n] != "Article"]
    articles = [n for n in pool if data.types[n] == "Article"]
    n_art = min(len(articles), round(top * ARTICLE_SHARE)) if entities else top
    n_ent = top - n_art
    picked: list[str] = [first] if first else []
    if every_cluster:  # every level-0 cluster keeps its best member
        best: dict[str, str] = {}
        for n in entities:
            c = data.cluster_of(n)
            if c and c not in best:
                best[c] = n
        picked += sorted(best.values(), key=lambda n: (-pr[n], n))
    seen = set(picked)
    for n in entities:
        if len(picked) >= n_ent:
            break
        if n not in seen:
            picked.append(n)
            seen.add(n)
    picked = picked[:max(n_ent, 1)]
    chosen = set(picked)
    score = {a: sum(1 for m in adjacency[a] if m in chosen) for a in articles}
    return picked, sorted(articles, key=lambda a: (-score[a], -pr[a], a))[:top - len(picked)]


def _cooccurrence_edges(data: ViewData, chosen: set[str], adjacency: dict[str, set[str]],
                        per_node: int = 10) -> list[tuple[str, str, str, float]]:
    """Entity-entity edges weighted by shared articles, for views without article nodes."""
    counts: dict[tuple[str, str], int] = defaultdict(int)
    for a, t in data.types.items():
        if t != "Article":
            continue
        members = sorted(m for m in adjacency[a] if m in chosen)[:200]
        for i, x in enumerate(members):
            for y in members[i + 1:]:
                counts[(x, y)] += 1
    strongest: dict[str, list[tuple[int, str, str]]] = defaultdict(list)
    for (x, y), c in counts.items():
        strongest[x].append((c, x, y))
        strongest[y].append((c, x, y))
    keep: set[tuple[str, str]] = set()
    for lst in strongest.values():
        lst.sort(key=lambda t: (-t[0], t[1], t[2]))
        keep.update((x, y) for _, x, y in lst[:per_node])
    return [(x, y, "co-occurs", float(counts[(x, y)])) for x, y in sorted(keep)]


GRID_NODES = 1000  # above this, igraph's grid approximation of the repulsion
LONG_NODES = 5000  # above this, fewer iterations (a whole-corpus GEXF export at 10,000 documents)


def layout(nodes: list[str], edges: list[tuple[str, str, str, float]], seed: int) -> dict[str, tuple[float, float]]:
    """Fruchterman-Reingold positions from igraph, seeded, scaled to screen pixels (y grows downwards). Above
    GRID_NODES the start is spread over a square of side ~sqrt(n), so that the grid's cells share the work
    (from a unit square every node would sit in one cell, and each iteration costs n squared); above
    LONG_NODES 200 iterations instead of 500 (22,700 nodes: about 8 s)."""
    if not nodes:
        return {}
    index = {n: i for i, n in enumerate(nodes)}
    g = igraph.Graph(n=len(nodes), edges=[(index[a], index[b]) for a, b, _, _ in edges])
    rng = random.Random(seed)
    grid = len(nodes) > GRID_NODES
    spread = math.sqrt(len(nodes)) if grid else 1.0
    start = [[rng.uniform(-spread, spread), rng.uniform(-spread, spread)] for _ in nodes]
    igraph.set_random_number_generator(random.Random(seed))
    try:
        coords = g.layout_fruchterman_reingold(seed=start, niter=200 if len(nodes) > LONG_NODES else 500,
                                               grid="grid" if grid else "nogrid").coords
    finally:
        igraph.set_random_number_generator(random)
    xs, ys = [c[0] for c in coords], [c[1] for c in coords]
    span = max(max(xs) - min(xs), max(ys) - min(ys), 1e-9)
    scale = 70 * math.sqrt(len(nodes)) / span
    cx, cy = (max(xs) + min(xs)) / 2, (max(ys) + min(ys)) / 2
    return {n: (round((x - cx) * scale, 1), round((y - cy) * scale, 1)) for n, (x, y) in zip(nodes, coords,
                                                                                               strict=True)}
