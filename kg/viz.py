"""The HTML explorer: one self-contained, offline page made with pyvis (vis-network inlined).

What the page gets from the graph (`ViewData`, gathered in one pass over the quads): node types, labels
and other names, metrics, clusters, article facts, links, and each mention's relevancy and description.
Which nodes it shows (`select`): at most `top` (default 500), chosen by PageRank, every level-0 cluster
represented; when articles are allowed, about a third of the budget goes to the articles that link the
chosen entities most. Positions are computed here (igraph's Fruchterman-Reingold, seeded), so the page
draws once and is idle; no physics runs in the browser.

Every string from a document reaches the page only inside a JSON block whose `<`, `>` and `&` are escaped,
and the page's script puts it into the DOM as text (textContent), never as HTML.
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
import math
import random
import re
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any, cast

import igraph
from pyoxigraph import Quad, Triple

from kg.errors import KgError
from kg.project import DEFAULT_WEIGHT
from kg.vocab import DCTERMS, KGO, LINK_NAMES, METRICS, RDF, RDFS, SKOS, XSD

DEFAULT_TOP = 500
ARTICLE_SHARE = 0.3  # of the node budget, when articles are shown with entities
SOURCES_PER_NODE = 12  # source articles listed in a node's tooltip
MAX_CLUSTERS = 200  # clusters in the overview and the cluster filter (the largest)
TYPE_COLORS = {
    "Technology": "#1f77b4", "Signal": "#d62728", "Concern": "#ff7f0e", "Behavior": "#2ca02c",
    "Issue": "#9467bd", "Theme": "#8c564b", "Keyword": "#e377c2", "Category": "#bcbd22",
    "ContentType": "#17becf", "Article": "#7f7f7f",
}
CLUSTER_COLORS = ["#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1", "#ff9da7",
                  "#9c755f", "#bab0ac", "#1b9e77", "#d95f02", "#7570b3", "#e7298a", "#66a61e", "#e6ab02",
                  "#a6761d", "#666666", "#8dd3c7", "#fb8072"]
_LINK_PREDICATES = LINK_NAMES
_METRICS = {t.value: t.value.rsplit("#", 1)[1] for t in METRICS.values()}  # IRI -> pagerank, weightedDegree, ...
_ARTICLE = {DCTERMS.title.value: "title", DCTERMS.date.value: "date", DCTERMS.source.value: "url",
            DCTERMS.identifier.value: "id", KGO.loaded.value: "loaded"}
_MENTION = {KGO.entity.value: "entity", KGO.relevancy.value: "relevancy", DCTERMS.description.value: "description"}
_CLUSTER = {KGO.level.value: "level", KGO.size.value: "size", KGO.parentCluster.value: "parent"}
VIEW_PREDICATES = (RDF.type.value, RDFS.label.value, SKOS.altLabel.value, KGO.inCluster.value, KGO.mention.value,
                   *_LINK_PREDICATES, *_METRICS, *_ARTICLE, *_MENTION, *_CLUSTER)


@dataclass
class ViewData:
    """What the explorer needs from a built graph."""

    types: dict[str, str] = field(default_factory=dict)
    labels: dict[str, str] = field(default_factory=dict)
    alt: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    metrics: dict[str, dict[str, float]] = field(default_factory=lambda: defaultdict(dict))
    in_cluster: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    clusters: dict[str, dict[str, Any]] = field(default_factory=lambda: defaultdict(dict))
    articles: dict[str, dict[str, Any]] = field(default_factory=lambda: defaultdict(dict))
    links: dict[tuple[str, str], str] = field(default_factory=dict)  # (article, node) -> property name
    weights: dict[tuple[str, str], int] = field(default_factory=dict)  # (article, node) -> relevancy
    sources: dict[str, list[tuple[str, object, str]]] = field(
        default_factory=lambda: defaultdict(list))  # node -> (article, relevancy, description) per mention

    @property
    def pagerank(self) -> dict[str, float]:
        return {n: self.metrics.get(n, {}).get("pagerank", 0.0) for n in self.types}

    def cluster_of(self, node: str, level: int = 0) -> str | None:
        for c in self.in_cluster.get(node, ()):
            if self.clusters[c].get("level") == level:
                return c
        return None


def collect(quads: Iterable[Quad | Triple]) -> ViewData:
    """Gather ViewData in one pass over a graph's quads (or triples)."""
    v = ViewData()
    mention_of: dict[str, str] = {}
    mentions: dict[str, dict[str, object]] = defaultdict(dict)
    type_iri, label_iri, alt_iri = RDF.type.value, RDFS.label.value, SKOS.altLabel.value
    in_cluster, mention = KGO.inCluster.value, KGO.mention.value
    for q in cast(Iterable[Any], quads):  # kg writes no RDF-star: every term has a .value
        p = q.predicate.value
        s = q.subject.value
        if p == type_iri:
            o = q.object.value
            kind = KGO.local(o)
            if kind is not None:
                if kind == "Cluster":
                    v.clusters[s]["level"] = v.clusters[s].get("level", 0)
                elif kind not in ("Mention", "Section", "Cell"):
                    v.types[s] = kind
        elif p == label_iri:
            v.labels.setdefault(s, q.object.value)
        elif p == alt_iri:
            v.alt[s].append(q.object.value)
        elif p in _LINK_PREDICATES:
            v.links[(s, q.object.value)] = _LINK_PREDICATES[p]
        elif p in _METRICS:
            o = q.object
            v.metrics[s][_METRICS[p]] = int(o.value) if o.datatype == XSD.integer else float(o.value)
        elif p == in_cluster:
            v.in_cluster[s].append(q.object.value)
        elif p == mention:
            mention_of[q.object.value] = s
        elif p in _MENTION:
            o = q.object.value
            mentions[s][_MENTION[p]] = int(o) if p.endswith("relevancy") else o
        elif p in _CLUSTER:
            o = q.object.value
            v.clusters[s][_CLUSTER[p]] = o if p.endswith("parentCluster") else int(o)
        elif p in _ARTICLE:
            v.articles[s].setdefault(_ARTICLE[p], q.object.value)
    for c, info in v.clusters.items():
        info["label"] = v.labels.get(c, c)
    for n in v.alt:
        v.alt[n].sort()
    for m in sorted(mention_of):
        a, info = mention_of[m], mentions.get(m, {})
        e, r = info.get("entity"), info.get("relevancy")
        if not isinstance(e, str):
            continue
        v.sources[e].append((a, r if isinstance(r, int) else "", str(info.get("description", ""))))
        if isinstance(r, int):
            v.weights[(a, e)] = max(v.weights.get((a, e), 0), r)
    return v


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
        unknown = sorted(set(types) - set(TYPE_COLORS))
        if unknown:
            raise KgError(f"unknown type {unknown[0]!r}; choose from {', '.join(sorted(TYPE_COLORS))}")
    allowed = set(types) if types else set(TYPE_COLORS)
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
        entities = [n for n in pool if data.types[n] != "Article"]
        articles = [n for n in pool if data.types[n] == "Article"]
        n_art = min(len(articles), round(top * ARTICLE_SHARE)) if entities else top
        n_ent = top - n_art
        picked: list[str] = []
        if focus:
            picked.append(_find(data, focus))
        if not cluster:  # every level-0 cluster keeps its best member
            best: dict[str, str] = {}
            for n in entities:
                c = data.cluster_of(n)
                if c and c not in best:
                    best[c] = n
            picked += sorted(best.values(), key=lambda n: (-pr[n], n))
        seen_set = set(picked)
        for n in entities:
            if len(picked) >= n_ent:
                break
            if n not in seen_set:
                picked.append(n)
                seen_set.add(n)
        picked = picked[:max(n_ent, 1)]
        chosen_set = set(picked)
        score = {a: sum(1 for m in adjacency[a] if m in chosen_set) for a in articles}
        arts = sorted(articles, key=lambda a: (-score[a], -pr[a], a))[:top - len(picked)]
        chosen = picked + arts
        how += f" ({len(picked)} entities, every cluster represented, and the {len(arts)} articles linking them most)"
    chosen_set = set(chosen)
    edges = [(a, b, kind, float(data.weights.get((a, b), DEFAULT_WEIGHT)))
             for (a, b), kind in sorted(data.links.items()) if a in chosen_set and b in chosen_set and a != b]
    if not any(data.types[n] == "Article" for n in chosen):
        edges = _cooccurrence_edges(data, chosen_set, adjacency)
    return View(chosen, edges, len(data.types) if not (cluster or focus or types) else total_pool, how)


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


def layout(nodes: list[str], edges: list[tuple[str, str, str, float]], seed: int) -> dict[str, tuple[float, float]]:
    """Fruchterman-Reingold positions from igraph, seeded, scaled to screen pixels (y grows downwards). Above
    1,000 nodes igraph's grid approximation keeps it fast."""
    if not nodes:
        return {}
    index = {n: i for i, n in enumerate(nodes)}
    g = igraph.Graph(n=len(nodes), edges=[(index[a], index[b]) for a, b, _, _ in edges])
    rng = random.Random(seed)
    start = [[rng.uniform(-1, 1), rng.uniform(-1, 1)] for _ in nodes]
    igraph.set_random_number_generator(random.Random(seed))
    try:
        coords = g.layout_fruchterman_reingold(seed=start, niter=500,
                                               grid="nogrid" if len(nodes) <= 1000 else "grid").coords
    finally:
        igraph.set_random_number_generator(random)
    xs, ys = [c[0] for c in coords], [c[1] for c in coords]
    span = max(max(xs) - min(xs), max(ys) - min(ys), 1e-9)
    scale = 70 * math.sqrt(len(nodes)) / span
    cx, cy = (max(xs) + min(xs)) / 2, (max(ys) + min(ys)) / 2
    return {n: (round((x - cx) * scale, 1), round((y - cy) * scale, 1)) for n, (x, y) in zip(nodes, coords,
                                                                                               strict=True)}


def _short(label: str, limit: int = 42) -> str:
    return label if len(label) <= limit else label[:limit - 1].rstrip() + "…"


def _safe_url(url: object) -> str:
    text = str(url or "")
    return text if text.startswith(("http://", "https://")) else ""


def _node_info(data: ViewData, n: str, articles: dict[str, int]) -> dict[str, object]:
    kind = data.types[n]
    info: dict[str, object] = {
        "type": kind, "label": data.labels.get(n, n), "alt": data.alt.get(n, []), "iri": n,
        "metrics": {k: data.metrics.get(n, {}).get(k) for k in ("pagerank", "degree", "betweenness", "eigenvector")},
        "clusters": [data.labels.get(c, c) for c in sorted(data.in_cluster.get(n, ()),
                                                          key=lambda c: data.clusters[c].get("level", 0))],
    }
    if kind == "Article":
        art = data.articles.get(n, {})
        info.update(date=art.get("date", ""), url=_safe_url(art.get("url")), id=art.get("id", ""),
                    loaded=art.get("loaded", "true") == "true")
    else:
        rows = []
        for a, relevancy, description in data.sources.get(n, []):
            art = data.articles.get(a, {})
            rows.append({"title": str(art.get("title") or data.labels.get(a, a)), "date": art.get("date", ""),
                         "relevancy": relevancy, "description": description, "url": _safe_url(art.get("url"))})
        rows.sort(key=lambda r: (-(r["relevancy"] or 0), str(r["date"]), r["title"]))
        info["sources"] = rows[:SOURCES_PER_NODE]
        info["more_sources"] = max(0, len(rows) - SOURCES_PER_NODE)
        info["articles"] = articles.get(n, 0)
    return info


def top_clusters(data: ViewData) -> list[str]:
    """The level-0 clusters, largest first, at most MAX_CLUSTERS of them."""
    level0 = sorted((c for c, i in data.clusters.items() if i.get("level") == 0),
                    key=lambda c: (-int(data.clusters[c].get("size", 0)), c))
    return level0[:MAX_CLUSTERS]


def _overview(data: ViewData, seed: int) -> dict[str, object]:
    """One node per level-0 cluster (the largest MAX_CLUSTERS), sized by members, edges by articles shared."""
    level0 = top_clusters(data)
    if not level0:
        return {"nodes": [], "edges": []}
    color = {c: CLUSTER_COLORS[i % len(CLUSTER_COLORS)] for i, c in enumerate(level0)}
    shown = set(level0)
    per_article: dict[str, set[str]] = defaultdict(set)
    for (a, e) in data.links:
        c = data.cluster_of(e)
        if c in shown and data.types.get(a) == "Article":
            per_article[a].add(c)
    shared: dict[tuple[str, str], int] = defaultdict(int)
    for cs in per_article.values():
        if len(cs) > 200:  # a degenerate article touching hundreds of clusters would cost their square
            continue
        ordered = sorted(cs)
        for i, x in enumerate(ordered):
            for y in ordered[i + 1:]:
                shared[(x, y)] += 1
    edges = [(x, y, "shared articles", float(w)) for (x, y), w in sorted(shared.items())]
    pos = layout(level0, edges, seed)
    nodes = [{"id": c, "label": data.labels.get(c, c), "value": int(data.clusters[c].get("size", 1)),
              "color": color[c], "x": pos[c][0] * 1.5, "y": pos[c][1] * 1.5, "shape": "dot",
              "cid": c.rsplit("/", 1)[-1]} for c in level0]
    return {"nodes": nodes, "edges": [{"from": x, "to": y, "value": w, "kgType": f"{int(w)} shared articles"}
                                      for x, y, _, w in edges]}


def _json_for_script(value: object) -> str:
    """JSON that cannot end the <script> element it sits in."""
    text = json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return (text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
            .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))


def render(data: ViewData, view: View, title: str = "Knowledge graph", seed: int = 42) -> str:
    """The page for one view, as an HTML string."""
    pos = layout(view.nodes, view.edges, seed)
    level0 = top_clusters(data)
    ccolor = {c: CLUSTER_COLORS[i % len(CLUSTER_COLORS)] for i, c in enumerate(level0)}
    from pyvis.network import Network  # pyvis pulls in IPython: loaded only when a page is drawn

    net = Network(height="100%", width="100%", directed=False, cdn_resources="in_line")
    top_pr = max((data.metrics.get(n, {}).get("pagerank", 0.0) for n in view.nodes), default=0.0) or 1.0
    for n in view.nodes:
        kind = data.types[n]
        c = data.cluster_of(n)
        net.add_node(n, label=_short(data.labels.get(n, n)), shape="square" if kind == "Article" else "dot",
                     color=TYPE_COLORS[kind],
                     value=round(100 * math.sqrt(data.metrics.get(n, {}).get("pagerank", 0.0) / top_pr), 2),
                     x=pos[n][0], y=pos[n][1], kgType=kind, kgCluster=c or "",
                     kgClusterColor=ccolor.get(c or "", "#cccccc"))
    # pyvis's add_edge scans every edge it holds (quadratic); the edge records it would build are plain dicts.
    net.edges = [{"from": a, "to": b, "value": w, "kgType": kind,
                  "title": f"{kind} (weight {w:g})"} for a, b, kind, w in view.edges]
    net.options = _options()
    nodes, edges, _, _, _, options = net.get_network_data()
    chosen = set(view.nodes)
    article_counts: dict[str, int] = defaultdict(int)
    for a, e in data.links:
        if e in chosen and data.types.get(a) == "Article":
            article_counts[e] += 1
    names = sorted({(name.casefold(), n) for n in view.nodes for name in
                    [data.labels.get(n, n), *data.alt.get(n, []), str(data.articles.get(n, {}).get("id", ""))]
                    if name})
    present_types = sorted({data.types[n] for n in view.nodes}, key=list(TYPE_COLORS).index)
    payload = {
        "title": title,
        "nodes": nodes,
        "edges": edges,
        "options": json.loads(options),
        "info": {n: _node_info(data, n, article_counts) for n in view.nodes},
        "names": [list(x) for x in names],
        "types": [{"type": t, "color": TYPE_COLORS[t], "count": sum(1 for n in view.nodes if data.types[n] == t)}
                  for t in present_types],
        "clusters": [{"id": c, "cid": c.rsplit("/", 1)[-1], "label": data.labels.get(c, c), "color": ccolor[c],
                      "size": int(data.clusters[c].get("size", 0))} for c in level0],
        "overview": _overview(data, seed),
        "shown": len(view.nodes),
        "total": view.total,
        "how": view.how,
    }
    lib = resources.files("pyvis") / "lib" / "vis-9.1.2"
    assets = resources.files("kg") / "assets"
    vis_js = (lib / "vis-network.min.js").read_text(encoding="utf-8")
    app_js = (assets / "explorer.js").read_text(encoding="utf-8")
    parts = {
        "/*VIS_CSS*/": (lib / "vis-network.css").read_text(encoding="utf-8"),
        "/*APP_CSS*/": (assets / "explorer.css").read_text(encoding="utf-8"),
        "/*VIS_JS*/": vis_js,
        "/*APP_JS*/": app_js,
        "/*DATA*/": _json_for_script(payload),
        "__TITLE__": html.escape(title),
        "__CSP__": csp([vis_js, app_js]),
    }
    page = (assets / "explorer.html").read_text(encoding="utf-8")
    # one pass, so no inserted text is searched for placeholders again
    return re.sub("|".join(re.escape(k) for k in parts), lambda m: parts[m.group(0)], page)


def csp(scripts: list[str]) -> str:
    """A Content-Security-Policy that lets only these inline scripts run and lets no request leave the page."""
    hashes = " ".join(f"'sha256-{base64.b64encode(hashlib.sha256(s.encode()).digest()).decode()}'" for s in scripts)
    return (f"default-src 'none'; script-src {hashes}; style-src 'unsafe-inline'; img-src data:; font-src data:; "
            "connect-src 'none'; base-uri 'none'; form-action 'none'")


def _options() -> dict[str, object]:
    return {
        "physics": {"enabled": False},
        "interaction": {"hover": True, "tooltipDelay": 150, "hideEdgesOnDrag": True, "navigationButtons": False,
                        "multiselect": False},
        "nodes": {"scaling": {"min": 5, "max": 40, "label": {"enabled": True, "min": 10, "max": 22,
                                                                "drawThreshold": 6, "maxVisible": 30}},
                  "font": {"face": "system-ui, sans-serif", "strokeWidth": 3, "strokeColor": "#ffffff"},
                  "borderWidth": 1},
        "edges": {"color": {"color": "#b8c0cc", "highlight": "#333333", "hover": "#555555", "opacity": 0.7},
                  "scaling": {"min": 0.5, "max": 4}, "smooth": False, "selectionWidth": 2},
        "layout": {"improvedLayout": False},
    }


def write_html(data: ViewData, path: Path, title: str = "Knowledge graph", top: int = DEFAULT_TOP,
               types: tuple[str, ...] = (), cluster: str | None = None, focus: str | None = None, depth: int = 1,
               seed: int = 42, fill: Callable[[list[str]], None] | None = None) -> View:
    """Select a view, render it, and write the page to `path`. `fill` loads the chosen nodes' sources into
    data.sources when they were not gathered up front."""
    view = select(data, top, types, cluster, focus, depth)
    if fill is not None:
        fill(view.nodes)
    path.write_text(render(data, view, title, seed), encoding="utf-8")
    return view
