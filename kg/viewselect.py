"""Which nodes and edges a page shows (`select`), and where they are drawn (`layout`).

At most `top` nodes (default 500), chosen by PageRank, every level-0 cluster represented. By default a map
of concepts: entities only, a concept family drawn as one node, linked by the articles they share; when
articles are asked for, about a third of the budget goes to the articles that link the chosen entities most.
Positions come from igraph's Fruchterman-Reingold, seeded, then moved apart until no two nodes overlap
(`remove_overlaps`), so a page draws once and is idle.
"""

from __future__ import annotations

import math
import random
import zlib
from collections import defaultdict
from dataclasses import dataclass, field

from kg.errors import KgError
from kg.project import DEFAULT_WEIGHT, strongest_pairs
from kg.viewdata import ViewData
from kg.vocab import ENTITY_TYPES, FACET_TYPES, NODE_TYPES

__all__ = ["ARTICLE_SHARE", "DEFAULT_TOP", "View", "families", "layout", "remove_overlaps", "select", "sizes"]

DEFAULT_TOP = 500
ARTICLE_SHARE = 0.3  # of the node budget, when articles are shown with entities
MIN_SIZE, MAX_SIZE = 7.0, 30.0  # radius of a drawn node, in pixels at zoom 1, from its importance
ARTICLE_SIZE = 5.0  # articles, when drawn, are small squares: they never dominate the map
GAP = 3.0  # pixels between two drawn nodes, at least


@dataclass
class View:
    """The nodes and edges one page shows, and what it leaves out. A concept family (nodes of different types
    linked by kgo:relatedConcept) is drawn as one node, its best-ranked member; `members` lists the family."""

    nodes: list[str]
    edges: list[tuple[str, str, str, float]]  # (from, to, type, weight)
    total: int  # the nodes of the graph, or of the selection (a cluster, a focus, types), families unfolded
    how: str
    members: dict[str, list[str]] = field(default_factory=dict)  # drawn node -> every node it stands for
    whole: bool = True  # whether the view selects from the whole graph

    @property
    def drawn(self) -> set[str]:
        """Every node the drawn nodes stand for (their families included)."""
        return {m for n in self.nodes for m in self.members.get(n, [n])}


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


def families(data: ViewData) -> dict[str, str]:
    """Entity -> the representative of its concept family (kgo:relatedConcept, joined transitively): its
    member of highest PageRank, ties by IRI. A node of no family represents itself."""
    pr = data.pagerank
    parent: dict[str, str] = {}

    def find(x: str) -> str:
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for a in sorted(data.related):
        for b in sorted(data.related[a]):
            if a in data.types and b in data.types:
                ra, rb = find(a), find(b)
                if ra != rb:
                    parent[max(ra, rb)] = min(ra, rb)
    groups: dict[str, list[str]] = defaultdict(list)
    for n in parent:
        groups[find(n)].append(n)
    out = {}
    for group in groups.values():
        best = min(group, key=lambda n: (-pr[n], n))
        for n in group:
            out[n] = best
    return out


def select(data: ViewData, top: int = DEFAULT_TOP, types: tuple[str, ...] = (), cluster: str | None = None,
           focus: str | None = None, depth: int = 1) -> View:
    """Choose the nodes and edges of a view (see the module doc). Without types, a map of concepts: entities
    but the facets (category, content type), a family drawn once, linked by the articles they share and by
    kgo:mentionsEntity; articles and facets only when asked for by type."""
    pr = data.pagerank
    if types:
        unknown = sorted(set(types) - set(NODE_TYPES))
        if unknown:
            raise KgError(f"unknown type {unknown[0]!r}; choose from {', '.join(sorted(NODE_TYPES))}")
    allowed = set(types) if types else set(ENTITY_TYPES) - FACET_TYPES  # a facet links to everything
    with_articles = "Article" in allowed
    fam = {} if with_articles else families(data)
    adjacency: dict[str, set[str]] = defaultdict(set)
    known = data.types
    for a, b in data.links:
        if a in known and b in known:
            adjacency[a].add(b)
            adjacency[b].add(a)
    pool = [n for n, t in data.types.items() if t in allowed and fam.get(n, n) == n]
    unit = "nodes" if with_articles else "concepts"
    how = f"the {top} {unit} with the highest PageRank"
    if cluster:
        cid = next((c for c in data.clusters if c.rsplit("/", 1)[-1] == cluster or c == cluster), None)
        if cid is None:
            raise KgError(f"no cluster {cluster!r}; see `kg clusters` for ids")
        inside = {n for n in data.types if cid in data.in_cluster.get(n, ())}
        linked = {a for m in inside for a in adjacency[m] if data.types[a] == "Article"}
        pool = [n for n in pool if n in inside or n in linked]
        how = f"cluster {cid.rsplit('/', 1)[-1]} ({data.labels.get(cid, '')})"
    start: str | None = None
    if focus:
        found = _find(data, focus)
        start = fam.get(found, found)
        seen, frontier = {start}, {start}
        for _ in range(max(0, depth)):
            step = {m for n in frontier for m in adjacency[n]}
            if not with_articles:  # entity to entity through the articles they share
                step = {fam.get(m, m) for a in step if data.types[a] == "Article" for m in adjacency[a]}
            frontier = step - seen
            seen |= frontier
        keep = set(pool)
        pool = [n for n in seen if n in keep or n == start]
        how = f"{data.labels.get(start, start)!r} and its neighbours up to depth {depth}"
    pool.sort(key=lambda n: (-pr[n], n))
    if len(pool) <= top:
        chosen = pool
        if not (cluster or focus):
            how = f"all {len(pool)} {unit}" + (f" of type {', '.join(sorted(allowed))}" if types else "")
    else:
        picked, arts = _budget(data, pool, top, adjacency, start, not cluster)
        chosen = picked + arts
        how += f" ({len(picked)} entities, every cluster represented"
        how += f", and the {len(arts)} articles linking them most)" if arts else ")"
    chosen_set = set(chosen)
    groups: dict[str, list[str]] = defaultdict(list)
    for n, rep in fam.items():
        if rep in chosen_set and n != rep:
            groups[rep].append(n)
    members = {rep: [rep, *sorted(others, key=lambda n: (-pr[n], n))] for rep, others in sorted(groups.items())}
    if with_articles:
        edges = [(a, b, kind, float(data.weights.get((a, b), DEFAULT_WEIGHT)))
                 for (a, b), kind in sorted(data.links.items()) if a in chosen_set and b in chosen_set and a != b]
    else:
        edges = _cooccurrence_edges(data, chosen_set, adjacency, fam)
        typed = sorted({(x, y) for a, b in data.names
                        if (x := fam.get(a, a)) in chosen_set and (y := fam.get(b, b)) in chosen_set and x != y})
        edges += [(x, y, "mentionsEntity", float(DEFAULT_WEIGHT)) for x, y in typed]
    if not (cluster or focus or types):
        return View(chosen, edges, len(data.types), how, members)
    selected = set(pool)  # the nodes the selection's drawn-or-not concepts stand for
    return View(chosen, edges, sum(1 for n in data.types if fam.get(n, n) in selected), how, members, whole=False)


def _budget(data: ViewData, pool: list[str], top: int, adjacency: dict[str, set[str]], first: str | None,
            every_cluster: bool) -> tuple[list[str], list[str]]:
    """Entities and articles for a page of `top` nodes from a pool sorted by PageRank: `first` first, the best
    member of every level-0 cluster (when asked), then by PageRank; then, when the pool has articles, those
    that link the chosen entities most, about ARTICLE_SHARE of the budget."""
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


def _cooccurrence_edges(data: ViewData, chosen: set[str], adjacency: dict[str, set[str]], fam: dict[str, str],
                        per_node: int = 5) -> list[tuple[str, str, str, float]]:
    """Entity-entity edges weighted by the articles they share (a family counted as its drawn node; an article
    naming more than 200 of them counts for none), each node keeping its `per_node` strongest (ties by IRI);
    an edge stays if either end keeps it. One sparse matrix product."""
    nodes = sorted(chosen)
    col = {n: i for i, n in enumerate(nodes)}
    rows: list[int] = []
    cols: list[int] = []
    r = 0
    for a, t in data.types.items():
        if t != "Article":
            continue
        mine = {j for m in adjacency[a] if (j := col.get(fam.get(m, m))) is not None}
        if 1 < len(mine) <= 200:
            rows += [r] * len(mine)
            cols += mine
            r += 1
    if not rows:
        return []
    keep = strongest_pairs(rows, cols, r, len(nodes), per_node)
    return [(nodes[i], nodes[j], "co-occurs", float(w)) for (i, j), w in sorted(keep.items())]


def sizes(data: ViewData, nodes: list[str]) -> dict[str, float]:
    """The radius each drawn node gets, in pixels at zoom 1: from the square root of its PageRank relative to
    the view's highest, between MIN_SIZE and MAX_SIZE; articles ARTICLE_SIZE."""
    pr = data.pagerank
    top = max((pr[n] for n in nodes if data.types[n] != "Article"), default=0.0) or 1.0
    return {n: ARTICLE_SIZE if data.types[n] == "Article"
            else round(MIN_SIZE + (MAX_SIZE - MIN_SIZE) * math.sqrt(max(pr[n], 0.0) / top), 1) for n in nodes}


def remove_overlaps(pos: dict[str, tuple[float, float]], radius: dict[str, float], gap: float = GAP,
                    rounds: int = 200) -> dict[str, tuple[float, float]]:
    """Positions moved apart until no two discs (radius + gap/2 each) overlap: pairs found on a grid, each
    overlapping pair pushed apart along the line between them, half the overlap each, until none is left."""
    nodes = sorted(pos)
    xy = {n: [pos[n][0], pos[n][1]] for n in nodes}
    cell = 2 * max(radius.values(), default=1.0) + gap
    for _ in range(rounds):
        grid: dict[tuple[int, int], list[str]] = defaultdict(list)
        for n in nodes:
            grid[(math.floor(xy[n][0] / cell), math.floor(xy[n][1] / cell))].append(n)
        moved = False
        for n in nodes:
            gx, gy = math.floor(xy[n][0] / cell), math.floor(xy[n][1] / cell)
            for dx in (-1, 0, 1):
                for dy in (-1, 0, 1):
                    for m in grid.get((gx + dx, gy + dy), ()):
                        if m <= n:
                            continue
                        need = radius[n] + radius[m] + gap
                        vx, vy = xy[m][0] - xy[n][0], xy[m][1] - xy[n][1]
                        d = math.hypot(vx, vy)
                        if d >= need:
                            continue
                        if d < 1e-6:  # on top of each other: apart along a direction from their names
                            angle = (_angle(n) - _angle(m)) or 1.0
                            vx, vy, d = math.cos(angle), math.sin(angle), 1.0
                        push = (need - d) / 2 + 0.05
                        ux, uy = vx / d, vy / d
                        xy[n][0] -= ux * push
                        xy[n][1] -= uy * push
                        xy[m][0] += ux * push
                        xy[m][1] += uy * push
                        moved = True
        if not moved:
            break
    return {n: (round(xy[n][0], 1), round(xy[n][1], 1)) for n in nodes}


def _angle(name: str) -> float:
    """A fixed angle for a name (not Python's salted hash: the same on every run)."""
    return (zlib.crc32(name.encode("utf-8")) % 6283) / 1000.0


GRID_NODES = 1000  # above this, igraph's grid approximation of the repulsion
LONG_NODES = 5000  # above this, fewer iterations (a whole-corpus GEXF export at 10,000 documents)


def layout(nodes: list[str], edges: list[tuple[str, str, str, float]], seed: int) -> dict[str, tuple[float, float]]:
    """Fruchterman-Reingold positions from igraph, seeded, scaled to screen pixels (y grows downwards). Above
    GRID_NODES the start is spread over a square of side ~sqrt(n), so that the grid's cells share the work
    (from a unit square every node would sit in one cell, and each iteration costs n squared); above
    LONG_NODES 200 iterations instead of 500 (22,700 nodes: about 8 s)."""
    if not nodes:
        return {}
    import igraph  # here, not at module level: importing it (and the matplotlib it looks for) costs 0.8 s

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
