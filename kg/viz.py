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
import re
from collections import defaultdict
from collections.abc import Callable
from importlib import resources
from itertools import repeat
from operator import itemgetter
from pathlib import Path
from typing import Any

import numpy as np
import orjson
from isal import igzip

from kg.store import BuiltGraph
from kg.viewdata import ViewData, graph_view_data
from kg.viewselect import DEFAULT_TOP, View, layout, remove_overlaps, select, sizes

__all__ = ["CLUSTER_COLORS", "TYPE_COLORS", "csp", "render", "top_clusters", "write_html", "write_view"]

MAX_CLUSTERS = 200  # clusters in the overview and the cluster filter (the largest)
TYPE_COLORS = {
    "Technology": "#1f77b4", "Signal": "#d62728", "Concern": "#ff7f0e", "Behavior": "#2ca02c",
    "Issue": "#9467bd", "Theme": "#8c564b", "Keyword": "#e377c2", "Category": "#bcbd22",
    "ContentType": "#17becf", "Article": "#7f7f7f",
}
CLUSTER_COLORS = ["#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1", "#ff9da7",
                  "#9c755f", "#bab0ac", "#1b9e77", "#d95f02", "#7570b3", "#e7298a", "#66a61e", "#e6ab02",
                  "#a6761d", "#666666", "#8dd3c7", "#fb8072"]
FULL_DOCS = 3000  # up to this many loaded articles, the page holds every node's panel data
PACK_OVER = 200_000  # bytes of JSON above which the page carries it gzip-compressed (base64)
_TYPED = {"mentionsEntity": {"dashes": True, "color": {"color": "#9467bd", "opacity": 0.8}}}  # typed links, drawn apart
LINK_KINDS = ("hasSignal", "hasTechnology", "hasConcern", "hasBehavior", "hasIssue", "hasKeyword", "hasTheme",
              "category", "contentType", "closest")


def _loaded(data: ViewData) -> int:
    """How many articles of the graph are loaded (built from a document)."""
    return sum(1 for a, t in data.types.items() if t == "Article" and data.articles.get(a, {}).get("loaded") == "true")


def _short(label: str, limit: int = 42) -> str:
    return label if len(label) <= limit else label[:limit - 1].rstrip() + "…"


def _safe_url(url: object) -> str:
    text = str(url or "")
    return text if text.startswith(("http://", "https://")) else ""


def _other_names(label: str, alt: list[str]) -> list[str]:
    """Other names once per distinct form (case and spacing aside), the label's own variants left out."""
    seen = {" ".join(label.split()).casefold()}
    out = []
    for a in alt:
        key = " ".join(a.split()).casefold()
        if key not in seen:
            seen.add(key)
            out.append(a)
    return out


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
    owner = {n: data.cluster_of(n) for n in data.in_cluster}  # once per node, not once per link
    for (a, e) in data.links:
        c = owner.get(e)
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
    text = orjson.dumps(value, option=orjson.OPT_SORT_KEYS).decode("utf-8")
    return (text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
            .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))


def _index(data: ViewData, full: bool, drawn: set[str]) -> tuple[list[str], dict[str, object]]:
    """The page's data of every node of the graph (index), and of what the articles say (panel): every node's
    names, type, importance and article count; every article link; each article's facts; every mention's
    texts when `full`, else those of the drawn nodes only."""
    pr = data.pagerank
    order = sorted(data.types, key=lambda n: (-pr[n], n))
    at = {n: i for i, n in enumerate(order)}
    kinds = list(TYPE_COLORS)
    level_of = {c: int(i.get("level", 0)) for c, i in data.clusters.items()}
    cluster_list = sorted(data.clusters, key=lambda c: (level_of[c], c))
    cat = {c: i for i, c in enumerate(cluster_list)}
    code = {k: i for i, k in enumerate(LINK_KINDS)}
    size = len(data.links)
    frm = np.fromiter(map(at.get, map(itemgetter(0), data.links), repeat(-1)), dtype=np.int64, count=size)
    to = np.fromiter(map(at.get, map(itemgetter(1), data.links), repeat(-1)), dtype=np.int64, count=size)
    kind = np.fromiter(map(code.__getitem__, data.links.values()), dtype=np.int64, count=size)
    known = (frm >= 0) & (to >= 0)
    cells = np.stack([frm, to, kind], axis=1)[known & (frm != to)]
    links = cells[np.lexsort(cells.T[::-1])].ravel().tolist()  # sorted (from, to, kind) triples, flattened
    is_article = np.array([data.types[n] == "Article" for n in order], dtype=bool)
    by_article = known.copy()
    by_article[known] = is_article[frm[known]]
    articles = np.bincount(to[by_article], minlength=len(order)).tolist()  # each (article, node) link is one key
    metrics = [data.metrics.get(n, {}) for n in order]
    index = {
        "label": [data.labels.get(n, n) for n in order],
        "type": [kinds.index(data.types[n]) for n in order],
        "iri": order,
        "alt": [_other_names(data.labels.get(n, n), data.alt[n]) if data.alt.get(n) else [] for n in order],
        "articles": articles,
        "pagerank": [float(m.get("pagerank", 0.0)) for m in metrics],
        "degree": [int(m.get("degree", 0)) for m in metrics],
        "betweenness": [float(m.get("betweenness", 0.0)) for m in metrics],
        "clusters": [sorted(cat[c] for c in data.in_cluster.get(n, ()) if c in cat) for n in order],
        "related": [sorted(at[r] for r in data.related.get(n, ()) if r in at) for n in order],
        "trend": [data.trend.get(n, "") for n in order],
        "quadrant": [data.quadrant.get(n, "") for n in order],
        "bursts": {str(at[n]): [list(b) for b in found] for n, found in sorted(data.bursts.items()) if n in at},
    }
    arts: dict[str, list[object]] = {}
    for n in order:
        if data.types[n] == "Article":
            info = data.articles.get(n, {})
            arts[str(at[n])] = [str(info.get("date", "")), _safe_url(info.get("url")),
                                str(info.get("summary", "")) if full or n in drawn else "",
                                str(info.get("id", "")), info.get("loaded", "true") == "true"]
    rows: list[list[Any]] = []
    for e, srcs in data.sources.items():
        if e in at and (full or e in drawn):
            x = at[e]
            rows += [[at[a], x, r, name, d, change, outlook, driving]
                     for a, r, name, d, change, outlook, driving in srcs if a in at]
    rows = _sorted_rows(rows)
    panel = {"links": links, "articles": arts, "rows": rows, "full": full,
             "kinds": list(LINK_KINDS), "types": kinds,
             "clusters": [[data.labels.get(c, c), level_of[c], c.rsplit("/", 1)[-1]] for c in cluster_list]}
    return order, {"index": index, "panel": panel}


def _row_key(row: list[Any]) -> list[tuple[bool, Any]]:
    """A mention row's sort key: its cells in order, a relevancy of "" (none given) after every number."""
    return [(isinstance(v, str), v) for v in row]


def _sorted_rows(rows: list[list[Any]]) -> list[list[Any]]:
    """The rows (two vertex numbers, a relevancy or "", then texts) sorted by _row_key: ordered by the vertex
    numbers in numpy, and only the rows that share both compared whole."""
    if not rows:
        return rows
    first = np.fromiter(map(itemgetter(0), rows), dtype=np.int64, count=len(rows))
    second = np.fromiter(map(itemgetter(1), rows), dtype=np.int64, count=len(rows))
    perm = np.lexsort((second, first))
    first, second = first[perm], second[perm]
    out = [rows[i] for i in perm.tolist()]
    starts = np.flatnonzero((first[1:] != first[:-1]) | (second[1:] != second[:-1])) + 1
    bounds = np.concatenate(([0], starts, [len(out)])).tolist()
    for g in np.flatnonzero(np.diff(bounds) > 1).tolist():  # only the rows tied on both numbers
        lo, hi = bounds[g], bounds[g + 1]
        out[lo:hi] = sorted(out[lo:hi], key=_row_key)
    return out


def _pack(value: object) -> dict[str, object]:
    """Data for the page: as JSON, or gzip-compressed (fixed header, so the bytes do not vary) in base64 when
    large; the page inflates it with the browser's own DecompressionStream."""
    text = orjson.dumps(value, option=orjson.OPT_SORT_KEYS)  # ten times as fast as json.dumps here
    if len(text) <= PACK_OVER:
        return {"data": value}
    raw = igzip.compress(text, compresslevel=1, mtime=0)  # ISA-L: 3 times as fast as zlib's level 1, smaller
    return {"gzip": base64.b64encode(raw).decode("ascii"), "bytes": len(text)}


def render(data: ViewData, view: View, title: str = "Knowledge graph", seed: int = 42) -> str:
    """The page for one view, as an HTML string."""
    radius = sizes(data, view.nodes)
    pos = remove_overlaps(layout(view.nodes, view.edges, seed), radius)
    level0 = top_clusters(data)
    ccolor = {c: CLUSTER_COLORS[i % len(CLUSTER_COLORS)] for i, c in enumerate(level0)}
    loaded = _loaded(data)
    full = loaded <= FULL_DOCS
    drawn = view.drawn
    order, packed = _index(data, full, drawn)
    at = {n: i for i, n in enumerate(order)}
    from pyvis.network import Network  # pyvis pulls in IPython: loaded only when a page is drawn

    net = Network(height="100%", width="100%", directed=False, cdn_resources="in_line")
    for n in view.nodes:  # a drawn node's id is its place in the index; its IRI is index.iri[id]
        kind = data.types[n]
        c = data.cluster_of(n)
        family = view.members.get(n, [n])
        net.add_node(at[n], label=_short(data.labels.get(n, n)), shape="square" if kind == "Article" else "dot",
                     color=TYPE_COLORS[kind], size=radius[n], x=pos[n][0], y=pos[n][1], kgType=kind,
                     kgTypes=sorted({data.types[m] for m in family}, key=list(TYPE_COLORS).index),
                     kgCluster=c or "", kgClusterColor=ccolor.get(c or "", "#cccccc"), members=[at[m] for m in family])
    # pyvis's add_edge scans every edge it holds (quadratic); the edge records it would build are plain dicts.
    net.edges = [{"from": at[a], "to": at[b], "value": w, "kgType": kind, **_TYPED.get(kind, {})}
                 for a, b, kind, w in view.edges]
    net.options = _options()
    nodes, edges, _, _, _, options = net.get_network_data()
    present_types = sorted({t for n in view.nodes for t in nodes_types(data, view, n)}, key=list(TYPE_COLORS).index)
    payload = {
        "nodes": nodes,
        "edges": edges,
        "options": json.loads(options),
        "types": [{"type": t, "color": TYPE_COLORS[t],
                   "count": sum(1 for n in view.nodes if t in nodes_types(data, view, n))} for t in present_types],
        "clusters": [{"id": c, "cid": c.rsplit("/", 1)[-1], "label": data.labels.get(c, c), "color": ccolor[c],
                      "size": int(data.clusters[c].get("size", 0))} for c in level0],
        "overview": _overview(data, seed),
        "shown": len(view.nodes),
        "stands_for": len(drawn),
        "total": view.total,
        "whole": view.whole,
        "how": view.how,
        "loaded": loaded,
        "full_limit": FULL_DOCS,
        "colors": TYPE_COLORS,
        **packed,
    }
    return _page(title, {"title": title, **_pack(payload)})


def nodes_types(data: ViewData, view: View, n: str) -> list[str]:
    """The types a drawn node stands for (its family's)."""
    return sorted({data.types[m] for m in view.members.get(n, [n])})


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
        "nodes": {"font": {"face": "system-ui, sans-serif", "strokeWidth": 3, "strokeColor": "#ffffff"},
                  "borderWidth": 1},
        "edges": {"color": {"color": "#b8c0cc", "highlight": "#333333", "hover": "#555555", "opacity": 0.7},
                  "scaling": {"min": 0.5, "max": 4}, "smooth": False, "selectionWidth": 2},
        "layout": {"improvedLayout": False},
    }


def write_html(data: ViewData, path: Path, title: str = "Knowledge graph", top: int = DEFAULT_TOP,
               types: tuple[str, ...] = (), cluster: str | None = None, focus: str | None = None, depth: int = 1,
               seed: int = 42, fill: Callable[[list[str]], None] | None = None) -> View:
    """Select a view, render it, and write the page to `path`. `fill` loads nodes' sources and articles'
    summaries into data when they were not gathered up front: every node's, up to FULL_DOCS documents, else
    those of the drawn nodes (and their families and articles)."""
    view = select(data, top, types, cluster, focus, depth)
    if fill is not None:
        fill(sorted(data.types) if _loaded(data) <= FULL_DOCS else sorted(view.drawn))
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
