"""What `kg diff`, `kg gaps` and `kg report` read of a built graph, read once from its store and kept beside it.

A Snapshot holds, per build: its documents (id, article, content hash, file), its articles (title, date,
source), its typed nodes (type, label, PageRank, coarse cluster, trend class), the article -> node links, the
coarse clusters, and the trends recomputed from the article dates (as `kg trends` computes them). Reading it
from the store costs a few seconds on 10,000 documents; it is then cached in the build's folder
(`snapshot.json`, written aside and renamed in), so later commands on the same build load it at once.
"""

from __future__ import annotations

import contextlib
import functools
import os
from collections import defaultdict
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

import orjson

from kg.explore import select, usable_dates
from kg.store import BuiltGraph
from kg.trends import NodeTrend, Trends, analyse
from kg.vocab import CONTENT_TYPES, ENTITY_TYPES, HAS, KGO_NS

__all__ = ["SNAPSHOT", "ArticleInfo", "ClusterInfo", "Document", "NodeInfo", "Snapshot", "coarse_cluster", "snapshot"]

SNAPSHOT = "snapshot.json"
VERSION = 2  # of the cached file's layout: a file of another version is read again from the store


TREND_FIELDS = [f.name for f in fields(NodeTrend) if f.name not in ("iri", "type", "label")]


@dataclass(frozen=True)
class Document:
    """One document of the build: its id (dcterms:identifier), the article it describes, its file and hash."""

    id: str
    article: str
    sha256: str
    file: str


@dataclass(frozen=True)
class ArticleInfo:
    """An article built from documents: its title, page date and source URL ("" where it has none)."""

    iri: str
    title: str
    date: str
    source: str


@dataclass(frozen=True)
class NodeInfo:
    """A typed node (an entity of one of the ENTITY_TYPES) with what the build computed of it."""

    iri: str
    type: str
    label: str
    pagerank: float | None
    cluster: str  # coarse (level 0) cluster id, "" if none
    trend: str  # rising, fading, steady, new, or ""


@dataclass(frozen=True)
class ClusterInfo:
    """A cluster of any level: id (`l0-3`), label, size, level and parent cluster id ("" at level 0)."""

    id: str
    label: str
    size: int
    level: int
    parent: str


@dataclass
class Snapshot:
    """A build as the comparison and report commands see it."""

    base: str
    documents: dict[str, Document]  # by document id
    articles: dict[str, ArticleInfo]  # by IRI: the articles built from documents
    nodes: dict[str, NodeInfo]  # by IRI
    links: dict[str, list[str]]  # article IRI -> the typed nodes it links to, sorted
    clusters: dict[str, ClusterInfo]  # clusters of every level by id
    trends: Trends
    replaced: dict[str, str] = field(default_factory=dict)  # retired IRI -> the node that replaced it
    member_of: dict[str, list[str]] = field(default_factory=dict)  # node -> its clusters of every level, sorted
    names: dict[str, list[str]] = field(default_factory=dict)  # node -> the technologies it names (mentionsEntity)
    outlooks: list[tuple[str, str, str]] = field(default_factory=list)  # (article, node, 10-year outlook), sorted

    @functools.cached_property
    def naming(self) -> dict[str, list[str]]:
        """Node -> the articles linking to it, sorted."""
        out: defaultdict[str, list[str]] = defaultdict(list)
        for a, nodes in sorted(self.links.items()):
            for n in nodes:
                out[n].append(a)
        return dict(out)

    @functools.cached_property
    def kinds(self) -> dict[str, frozenset[str]]:
        """Article -> the types of the nodes it links to."""
        return {a: frozenset(self.nodes[n].type for n in ns) for a, ns in self.links.items()}

    @functools.cached_property
    def naming_sets(self) -> dict[str, frozenset[str]]:
        """Node -> the set of articles linking to it."""
        return {n: frozenset(arts) for n, arts in self.naming.items()}

    def to_json(self) -> dict[str, Any]:
        """The snapshot as JSON data: nodes and articles listed once, sorted, and named elsewhere by index."""
        order, arts = sorted(self.nodes), sorted(self.articles)
        ni, ai = {n: i for i, n in enumerate(order)}, {a: i for i, a in enumerate(arts)}
        t = self.trends
        return {
            "version": VERSION, "base": self.base,
            "articles": [[a.iri, a.title, a.date, a.source] for a in (self.articles[i] for i in arts)],
            "documents": [[d.id, ai.get(d.article, d.article), d.sha256, d.file]
                          for _, d in sorted(self.documents.items())],
            "nodes": [[n.iri, n.type, n.label, n.pagerank, n.cluster, n.trend] for n in (self.nodes[i] for i in order)],
            "links": [[ni[n] for n in self.links.get(a, ()) if n in ni] for a in arts],
            "clusters": [[c.id, c.label, c.size, c.level, c.parent] for _, c in sorted(self.clusters.items())],
            "replaced": dict(sorted(self.replaced.items())),
            "member_of": [[ni[n], cs] for n, cs in sorted(self.member_of.items()) if n in ni],
            "names": [[ni[n], [ni[x] for x in xs if x in ni]] for n, xs in sorted(self.names.items()) if n in ni],
            "outlooks": [[ai[a], ni[n], o] for a, n, o in sorted(self.outlooks) if a in ai and n in ni],
            "trends": {"period": t.period, "periods": t.periods, "volume": t.volume, "undated": t.undated,
                       "fields": TREND_FIELDS,
                       "nodes": [[ni[n.iri], *(getattr(n, f) for f in TREND_FIELDS)] for n in t.nodes]},
        }

    def save(self, path: Path) -> None:
        """Write the snapshot as compact JSON, aside and then renamed in."""
        tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
        tmp.write_bytes(orjson.dumps(self.to_json(), option=orjson.OPT_APPEND_NEWLINE))
        os.replace(tmp, path)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Snapshot:
        """The snapshot of `to_json` data."""
        nodes = [NodeInfo(*row) for row in data["nodes"]]
        iris = [n.iri for n in nodes]
        articles = [ArticleInfo(*row) for row in data["articles"]]
        t = data["trends"]
        keys = t["fields"]
        trend_nodes = []
        for i, *values in t["nodes"]:
            kw = dict(zip(keys, values, strict=True))
            kw["bursts"] = [tuple(b) for b in kw["bursts"]]
            trend_nodes.append(NodeTrend(iris[i], nodes[i].type, nodes[i].label, **kw))
        documents = {}
        for doc_id, art, sha, file in data["documents"]:
            documents[doc_id] = Document(doc_id, articles[art].iri if isinstance(art, int) else art, sha, file)
        return cls(
            data["base"], documents, {a.iri: a for a in articles}, {n.iri: n for n in nodes},
            {a.iri: [iris[i] for i in ns] for a, ns in zip(articles, data["links"], strict=True)},
            {row[0]: ClusterInfo(*row) for row in data["clusters"]},
            Trends(t["period"], t["periods"], t["volume"], trend_nodes, t["undated"]), data["replaced"],
            {iris[n]: cs for n, cs in data["member_of"]}, {iris[n]: [iris[x] for x in xs] for n, xs in data["names"]},
            [(articles[a].iri, iris[n], o) for a, n, o in data["outlooks"]])


def coarse_cluster(member_of: list[str], clusters: dict[str, ClusterInfo]) -> str:
    """The level-0 cluster among a node's clusters ("" if none)."""
    return next((c for c in member_of if c in clusters and clusters[c].level == 0), "")


def _read(graph: BuiltGraph) -> Snapshot:
    store = graph.store()
    docs = select(store, """SELECT ?id ?a ?sha ?file WHERE { GRAPH ?g {
        ?a a kgo:Article ; dcterms:identifier ?id ; kgo:contentSha256 ?sha ; kgo:sourceFile ?file } }""")
    documents = {r["id"]: Document(r["id"], r["a"], r["sha"], r["file"]) for r in docs}
    arts = select(store, """SELECT ?a (SAMPLE(?t) AS ?title) (SAMPLE(?d) AS ?date) (SAMPLE(?s) AS ?src) WHERE {
        ?a a kgo:Article ; kgo:loaded true . OPTIONAL { ?a dcterms:title ?t } OPTIONAL { ?a dcterms:date ?d }
        OPTIONAL { ?a dcterms:source ?s } } GROUP BY ?a""")
    articles = {r["a"]: ArticleInfo(r["a"], r["title"], r["date"], r["src"]) for r in arts}
    types = " ".join(f"kgo:{t}" for t in ENTITY_TYPES)
    rows = select(store, f"""SELECT ?n ?type (MIN(?l) AS ?label) (SAMPLE(?pr) AS ?rank) (SAMPLE(?tr) AS ?trend)
        WHERE {{ VALUES ?type {{ {types} }} ?n a ?type . OPTIONAL {{ ?n rdfs:label ?l }}
        OPTIONAL {{ ?n kgo:pagerank ?pr }} OPTIONAL {{ ?n kgo:trend ?tr }} }} GROUP BY ?n ?type""")
    clusters = {cid: ClusterInfo(cid, r["label"], int(r["size"]), int(r["level"]), r["parent"].rsplit("/", 1)[-1])
                for r in select(store, """SELECT ?c (MIN(?l) AS ?label) (SAMPLE(?s) AS ?size) (SAMPLE(?lv) AS ?level)
                    (SAMPLE(?p) AS ?parent) WHERE { ?c a kgo:Cluster ; kgo:level ?lv ; rdfs:label ?l ; kgo:size ?s
                    OPTIONAL { ?c kgo:parentCluster ?p } } GROUP BY ?c""")
                for cid in [r["c"].rsplit("/", 1)[-1]]}
    member_of: dict[str, list[str]] = {}
    for r in select(store, "SELECT ?n ?c WHERE { ?n kgo:inCluster ?c }"):
        member_of.setdefault(r["n"], []).append(r["c"].rsplit("/", 1)[-1])
    nodes = {r["n"]: NodeInfo(r["n"], r["type"][len(KGO_NS):], r["label"] or r["n"],
                              float(r["rank"]) if r["rank"] else None,
                              coarse_cluster(sorted(member_of.get(r["n"], [])), clusters),
                              r["trend"][len(KGO_NS):].lower() if r["trend"] else "") for r in rows}
    member_of = {n: cs for n, cs in member_of.items() if n in nodes}
    linked: dict[str, set[str]] = {a: set() for a in articles}
    for prop in HAS.values():
        for r in select(store, f"SELECT ?a ?n WHERE {{ ?a <{prop.value}> ?n }}"):
            if r["a"] in linked and r["n"] in nodes:
                linked[r["a"]].add(r["n"])
    names: dict[str, list[str]] = {}
    for r in select(store, "SELECT ?n ?t WHERE { ?n kgo:mentionsEntity ?t }"):
        names.setdefault(r["n"], []).append(r["t"])
    outlooks = {(r["a"], r["n"], r["o"]) for r in select(store, """SELECT ?a ?n ?o WHERE {
        ?a kgo:mention ?m . ?m kgo:tenYearOutlook ?o ; kgo:entity ?n }""") if r["a"] in articles}
    replaced = {r["old"]: r["new"] for r in select(store, """SELECT ?old ?new WHERE {
        ?old dcterms:isReplacedBy ?new }""")}
    dates, _ = usable_dates(graph)
    content = {n: i.type for n, i in nodes.items() if i.type in CONTENT_TYPES}
    trends = analyse(dates, ((a, n) for a, ns in linked.items() for n in ns), content,
                     {n: i.label for n, i in nodes.items()}, sorted(articles))
    return Snapshot(graph.base, documents, articles, nodes, {a: sorted(ns) for a, ns in linked.items()}, clusters,
                    trends, replaced, {n: sorted(cs) for n, cs in member_of.items()},
                    {n: sorted(ts) for n, ts in names.items()}, sorted(outlooks))


def snapshot(graph: BuiltGraph) -> Snapshot:
    """The snapshot of a build: loaded from its folder's snapshot.json when that was written for this build by
    this version, else read from the store (and cached, where the folder can be written)."""
    path = graph.build_dir / SNAPSHOT
    with contextlib.suppress(OSError, ValueError, KeyError, TypeError):
        data = orjson.loads(path.read_bytes())
        if data.get("version") == VERSION:
            return Snapshot.from_json(data)
    snap = _read(graph)
    with contextlib.suppress(OSError):
        snap.save(path)
    return snap
