"""The HTML explorer: one self-contained, offline page made with pyvis (vis-network inlined).

What the page gets from the graph is kg.viewdata's `ViewData`; which nodes it shows and where, kg.viewselect's
`select` and `layout` (positions computed before the page is written, so it draws once and is idle; no
physics runs in the browser).

Every string from a document reaches the page only inside a JSON block whose `<`, `>` and `&` are escaped,
and the page's script puts it into the DOM as text (textContent), never as HTML.
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
import math
import re
from collections import defaultdict
from collections.abc import Callable
from importlib import resources
from pathlib import Path

from kg.store import BuiltGraph
from kg.viewdata import ViewData, graph_view_data
from kg.viewselect import DEFAULT_TOP, View, layout, select

__all__ = ["CLUSTER_COLORS", "TYPE_COLORS", "csp", "render", "top_clusters", "write_html", "write_view"]

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
    return _page(title, payload)


def _page(title: str, payload: dict[str, object]) -> str:
    """The page template with vis-network, our script and style, the data and the CSP put in."""
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


def write_view(graph: BuiltGraph, path: Path, top: int = DEFAULT_TOP, types: tuple[str, ...] = (),
               cluster: str | None = None, focus: str | None = None, depth: int = 1) -> View:
    """Another view of a built graph as a page of its own (`kg html`), titled by what it shows."""
    parts = [f"top {top}"] + [f"type {t}" for t in types]
    parts += [f"cluster {cluster}"] if cluster else []
    parts += [f"focus {focus!r} depth {depth}"] if focus else []
    return write_html(graph_view_data(graph), path, title=f"Knowledge graph view: {', '.join(parts)}", top=top,
                      types=types, cluster=cluster, focus=focus, depth=depth)
