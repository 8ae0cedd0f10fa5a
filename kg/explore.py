"""Read analytics back from a built graph: stats, rankings and clusters, as plain rows."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from typing import Any

import networkx as nx
import pyoxigraph
from pyoxigraph import Quad

from kg.errors import KgError
from kg.project import project
from kg.store import BuiltGraph
from kg.trends import Trends, analyse
from kg.vocab import CONTENT_TYPES, DEFAULT, KGO, KGO_NS, LINKS, METRICS, NODE_TYPES, RDF, RDFS, prefixes

__all__ = ["METRIC_PROPS", "TREND_CLASSES", "cluster_rows", "projection_quads", "select", "stats", "top",
           "trend_rows", "trends_of", "usable_dates"]

TREND_CLASSES = ("rising", "fading", "new", "steady", "burst")

METRIC_PROPS = {name: term.value[len(KGO_NS):] for name, term in METRICS.items()}  # weighted_degree: weightedDegree
# Types ranked by `kg top` when none is asked for: the content of the articles, not articles or facets.


def select(store: pyoxigraph.Store, query: str) -> list[dict[str, str]]:
    """The rows of a SELECT over a built graph's store (whose default graph is the union of its graphs), as
    dicts of lexical values ("" if unbound)."""
    result = store.query(query, prefixes=prefixes())
    assert isinstance(result, pyoxigraph.QuerySolutions), "a SELECT query"
    names = [v.value for v in result.variables]
    return [{n: (row[n].value if row[n] is not None else "") for n in names} for row in result]


def projection_quads(store: pyoxigraph.Store) -> Iterator[Quad]:
    """Only the triples the projection reads, straight from the store's index."""
    for pred in (RDF.type, RDFS.label, *LINKS, KGO.mention, KGO.entity, KGO.relevancy):
        yield from store.quads_for_pattern(None, pred, None, DEFAULT)


def stats(graph: BuiltGraph) -> dict[str, Any]:
    """Counts per type, density and components of the article-entity view, clusters per level."""
    store = graph.store()
    counts = select(store, """SELECT ?type (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s a ?type
        FILTER(STRSTARTS(STR(?type), STR(kgo:))) } GROUP BY ?type ORDER BY DESC(?n) ?type""")
    g = project(projection_quads(store)).graph
    comps = sorted((len(c) for c in nx.connected_components(g)), reverse=True) if len(g) else []
    levels = select(store, """SELECT ?level (COUNT(?c) AS ?n) WHERE { ?c a kgo:Cluster ; kgo:level ?level }
        GROUP BY ?level ORDER BY ?level""")
    triples = graph.report().get("graph", {})
    referenced = select(store, "SELECT (COUNT(DISTINCT ?a) AS ?n) WHERE { ?a a kgo:Article ; kgo:loaded false }")
    nodes = {r["type"][len(KGO_NS):]: int(r["n"]) for r in counts}
    only_linked = int(referenced[0]["n"]) if referenced else 0
    return {
        "triples": triples.get("triples") if isinstance(triples, dict) else None,
        "nodes": nodes,
        "articles": {"built": nodes.get("Article", 0) - only_linked, "referenced": only_linked},
        "vertices": g.number_of_nodes(),
        "edges": g.number_of_edges(),
        "density": nx.density(g) if len(g) > 1 else 0.0,
        "components": len(comps),
        "largest_component": comps[0] if comps else 0,
        "clusters_per_level": {int(r["level"]): int(r["n"]) for r in levels},
    }


def _families(store: pyoxigraph.Store, nodes: list[str]) -> dict[str, str]:
    """Node -> a representative of its concept family: nodes of different types that name one concept
    (kgo:relatedConcept), joined transitively among the given nodes."""
    g = nx.Graph()
    g.add_nodes_from(nodes)
    g.add_edges_from((q.subject.value, q.object.value)  # type: ignore[union-attr]  # kg writes no RDF-star
                     for q in store.quads_for_pattern(None, KGO.relatedConcept, None, DEFAULT)
                     if q.subject.value in g and q.object.value in g)  # type: ignore[union-attr]
    return {n: min(family) for family in nx.connected_components(g) for n in family}


def _group(rows: list[dict[str, object]], families: dict[str, str], n: int) -> list[dict[str, object]]:
    """Rows in rank order with each concept family folded into its best-ranked member (`also` lists the rest),
    so that n rows are n concepts."""
    out: list[dict[str, object]] = []
    first: dict[str, dict[str, object]] = {}
    for r in rows:
        fam = families[str(r["iri"])]
        if fam in first:
            also = first[fam].setdefault("also", [])
            assert isinstance(also, list)
            also.append(f"{r['type']} {r['label']!r}")
        elif len(out) < n:
            first[fam] = r
            out.append(r)
    for i, r in enumerate(out, 1):
        r["rank"] = i
        r["also"] = "; ".join(r.get("also") or [])  # type: ignore[arg-type]
    return out


def top(graph: BuiltGraph, types: tuple[str, ...] = (), by: str = "pagerank", n: int = 10,
        referenced: bool = False) -> list[dict[str, object]]:
    """The n highest nodes by a metric, among the given types. Without types: the content types, with the
    nodes of one concept family (kgo:relatedConcept) in one row, so the top n is n concepts. Articles known
    only from Closest links are left out unless `referenced`."""
    if by not in METRIC_PROPS:
        raise KgError(f"unknown metric {by!r}; choose one of {', '.join(METRIC_PROPS)}")
    if n < 0:
        raise KgError(f"n must be 0 or more, not {n}")
    wanted = types or CONTENT_TYPES
    unknown = [t for t in wanted if t not in NODE_TYPES]
    if unknown:
        raise KgError(f"unknown type {unknown[0]!r}; choose from {', '.join(sorted(NODE_TYPES))}")
    values = " ".join(f"kgo:{t}" for t in wanted)
    rows = select(graph.store(), f"""
        SELECT ?node ?type ?label ?value ?pagerank ?degree ?betweenness WHERE {{
          VALUES ?type {{ {values} }}
          ?node a ?type ; rdfs:label ?label ; kgo:{METRIC_PROPS[by]} ?value ;
                kgo:pagerank ?pagerank ; kgo:degree ?degree ; kgo:betweenness ?betweenness .
          {"" if referenced else "FILTER NOT EXISTS { ?node kgo:loaded false }"}
        }} ORDER BY DESC(?value) ?node LIMIT {int(n) * (1 if types else 20)}""")
    if not rows and not select(graph.store(), "SELECT ?s WHERE { ?s kgo:pagerank ?v } LIMIT 1"):
        raise KgError("this graph has no analytics; build it without --no-analytics")
    ranked: list[dict[str, object]] = [
        {"rank": i, "type": r["type"][len(KGO_NS):], "label": r["label"], by: float(r["value"]),
         "degree": int(r["degree"]), "pagerank": float(r["pagerank"]), "betweenness": float(r["betweenness"]),
         "iri": r["node"]} for i, r in enumerate(rows, 1)]
    if types:
        return ranked
    return _group(ranked, _families(graph.store(), [str(r["iri"]) for r in ranked]), n)


def cluster_rows(graph: BuiltGraph, level: int | None = None, per_type: int = 3) -> list[dict[str, object]]:
    """Clusters of one level (default: the coarsest), largest first, with their top members per type."""
    store = graph.store()
    lv = 0 if level is None else level
    clusters = select(store, f"""SELECT ?c ?label ?size ?parent WHERE {{
        ?c a kgo:Cluster ; kgo:level {lv} ; rdfs:label ?label ; kgo:size ?size .
        OPTIONAL {{ ?c kgo:parentCluster ?parent }} }} ORDER BY DESC(?size) ?c""")
    if not clusters:
        levels = select(store, "SELECT DISTINCT ?l WHERE { ?c kgo:level ?l } ORDER BY ?l")
        if not levels:
            raise KgError("this graph has no clusters; build it without --no-analytics")
        raise KgError(f"no level {lv}; levels are {', '.join(r['l'] for r in levels)}")
    members = select(store, f"""SELECT ?c ?type ?label ?pr WHERE {{
        ?c a kgo:Cluster ; kgo:level {lv} . ?m kgo:inCluster ?c ; a ?type ; rdfs:label ?label ; kgo:pagerank ?pr .
        FILTER(STRSTARTS(STR(?type), STR(kgo:))) }} ORDER BY ?c DESC(?pr) ?label""")
    by_cluster: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for m in members:
        names = by_cluster[m["c"]][m["type"][len(KGO_NS):]]
        if len(names) < per_type:
            names.append(m["label"])
    out = []
    for c in clusters:
        cid = c["c"].rsplit("/", 1)[-1]
        out.append({"id": cid, "level": lv, "size": int(c["size"]), "label": c["label"],
                    "parent": c["parent"].rsplit("/", 1)[-1] if c["parent"] else "",
                    "top": {t: names for t, names in sorted(by_cluster[c["c"]].items())}})
    return out


def usable_dates(graph: BuiltGraph) -> tuple[dict[str, str], list[str]]:
    """Article IRI -> the page date the trends use (a date the build reported as implausible left out), and
    every loaded article, sorted."""
    bad_files = {p["file"] for p in graph.report().get("problems", []) if p.get("code") == "implausible-date"}
    articles = {r["a"]: r for r in select(graph.store(), """SELECT ?a (SAMPLE(?d) AS ?date) (SAMPLE(?f) AS ?file)
        WHERE { ?a a kgo:Article ; kgo:loaded true . OPTIONAL { ?a dcterms:date ?d }
        OPTIONAL { ?a kgo:sourceFile ?f FILTER NOT EXISTS { ?a dcterms:hasVersion/kgo:sourceFile ?f } } }
        GROUP BY ?a""")}
    return {a: r["date"] for a, r in articles.items() if r["date"] and r["file"] not in bad_files}, sorted(articles)


def trends_of(graph: BuiltGraph, period: str = "month", since: str | None = None, until: str | None = None
              ) -> Trends:
    """Trends of the content nodes of a built graph, recomputed from its article dates and links (dates the
    build reported as implausible left out), over a window and by a period."""
    store = graph.store()
    dates, articles = usable_dates(graph)

    def quads(p: Any, o: Any = None) -> Iterator[Any]:  # kg writes no RDF-star: every term has a .value
        return iter(store.quads_for_pattern(None, p, o, DEFAULT))

    links = [(q.subject.value, q.object.value) for p in LINKS for q in quads(p)]
    types: dict[str, str] = {}
    labels: dict[str, str] = {}
    for t in CONTENT_TYPES:
        for q in quads(RDF.type, KGO.term(t)):
            types[q.subject.value] = t
    for q in quads(RDFS.label):
        if q.subject.value in types:
            labels.setdefault(q.subject.value, q.object.value)
    return analyse(dates, links, types, labels, articles, period, since, until)


def _evidence(t: Any) -> tuple[object, ...]:
    return (not t.tested, t.p if t.tested else 1.0, -max((b[2] for b in t.bursts), default=0.0), -t.articles, t.iri)


def trend_rows(trends: Trends, types: tuple[str, ...] = (), cls: str | None = None, top: int = 20
               ) -> list[dict[str, Any]]:
    """Rows for `kg trends`: the nodes of some types (default: all content types) of a class (`burst`: with a
    burst), strongest evidence first (adjusted p, then burst strength, then articles; for `burst`, the strongest
    burst first)."""
    if cls and cls not in TREND_CLASSES:
        raise KgError(f"unknown class {cls!r}; choose one of {', '.join(TREND_CLASSES)}")
    unknown = [t for t in types if t not in CONTENT_TYPES]
    if unknown:
        raise KgError(f"unknown type {unknown[0]!r}; choose from {', '.join(CONTENT_TYPES)}")
    chosen = [t for t in trends.nodes if (not types or t.type in types)
              and (not cls or (t.bursts if cls == "burst" else t.cls == cls))]
    if cls == "burst":  # the strongest burst first
        chosen.sort(key=lambda t: (-max(b[2] for b in t.bursts), t.iri))
    else:
        chosen.sort(key=_evidence)
    rows = []
    for t in chosen[:top]:
        rows.append({
            "iri": t.iri, "label": t.label, "type": t.type, "class": t.cls,
            **{k: (round(v, 6) if t.tested else None) for k, v in  # untested: no evidence to report
               (("slope", t.slope), ("slope_low", t.slope_low), ("slope_high", t.slope_high))},
            "p": float(f"{t.p:.4g}") if t.tested else None, "first_seen": t.first_seen, "last_seen": t.last_seen,
            "articles": t.articles, "quadrant": t.quadrant,
            "bursts": [{"start": s, "end": e, "strength": round(x, 3)} for s, e, x in t.bursts],
            "series": [{"period": p, "articles": n, "volume": v, "share": round(n / v, 6) if v else 0.0}
                       for p, n, v in zip(trends.periods, t.series, trends.volume, strict=True)],
        })
    return rows
