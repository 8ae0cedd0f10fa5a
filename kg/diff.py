"""What changed between two builds: documents, typed nodes, rank movers, clusters, new relations, trend classes.

Documents are compared by id (dcterms:identifier) and content hash, nodes by IRI (IRIs are stable as a corpus
grows; a retired IRI is `dcterms:isReplacedBy` its node), clusters over the nodes both builds have.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field, fields
from typing import Any

import numpy as np
from scipy.special import comb

from kg.snapshot import Snapshot

__all__ = ["MOVER_POOL", "RELATION_TYPES", "SHARE", "Diff", "adjusted_rand", "diff", "normalized_mutual_info"]

MOVER_POOL = 100  # rank movers are looked for among the top this many nodes of either build
SHARE = 0.25  # a cluster splits (merges) when at least two clusters take (give) this share of its nodes
RELATION_TYPES = ("Signal", "Technology", "Concern", "Behavior", "Issue")  # the tables' types
RANK = {t: i for i, t in enumerate(RELATION_TYPES)}
TREND_ORDER = {"rising": 0, "new": 1, "fading": 2, "steady": 3, "": 4}


def _contingency(a: list[str], b: list[str]) -> np.ndarray:
    ia = {x: i for i, x in enumerate(sorted(set(a)))}
    ib = {x: i for i, x in enumerate(sorted(set(b)))}
    table = np.zeros((len(ia), len(ib)), dtype=np.int64)
    np.add.at(table, ([ia[x] for x in a], [ib[x] for x in b]), 1)
    return table


def adjusted_rand(a: list[str], b: list[str]) -> float:
    """Adjusted Rand index of two labellings of the same items (Hubert and Arabie 1985); 1.0 when both put
    every item in one cluster or in clusters of one."""
    n = len(a)
    if n < 2:
        return 1.0
    t = _contingency(a, b)
    pairs = float(comb(t, 2).sum())
    rows, cols = float(comb(t.sum(axis=1), 2).sum()), float(comb(t.sum(axis=0), 2).sum())
    expected = rows * cols / float(comb(n, 2))
    top = (rows + cols) / 2
    if top == expected:
        return 1.0
    return (pairs - expected) / (top - expected)


def normalized_mutual_info(a: list[str], b: list[str]) -> float:
    """Mutual information of two labellings divided by the arithmetic mean of their entropies (scikit-learn's
    default normalisation); 1.0 when both have one cluster."""
    n = len(a)
    if n == 0:
        return 1.0
    t = _contingency(a, b).astype(float)
    pa, pb = t.sum(axis=1) / n, t.sum(axis=0) / n
    ha, hb = -float(np.sum(pa * np.log(pa))), -float(np.sum(pb * np.log(pb)))
    if ha == 0.0 and hb == 0.0:
        return 1.0
    nz = t > 0
    pij = t[nz] / n
    mi = float(np.sum(pij * np.log(pij / np.outer(pa, pb)[nz])))
    return max(0.0, mi / ((ha + hb) / 2))


@dataclass
class Diff:
    """Two builds compared; every list is sorted, biggest change first."""

    old: str
    new: str
    articles: dict[str, list[dict[str, Any]]]
    nodes: dict[str, Any]
    movers: dict[str, list[dict[str, Any]]]
    clusters: dict[str, Any]
    relations: dict[str, list[dict[str, Any]]]
    trends: list[dict[str, Any]] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        """The comparison as JSON data."""
        return {f.name: getattr(self, f.name) for f in fields(self)}  # already JSON data: no deep copy


def _doc(snap: Snapshot, doc_id: str) -> dict[str, Any]:
    d = snap.documents[doc_id]
    a = snap.articles.get(d.article)
    return {"id": d.id, "article": d.article, "title": a.title if a else "", "date": a.date if a else "",
            "source": a.source if a else "", "file": d.file}


def _node(snap: Snapshot, iri: str) -> dict[str, Any]:
    n = snap.nodes[iri]
    return {"iri": iri, "label": n.label, "type": n.type}


def _ranks(snap: Snapshot) -> dict[str, int]:
    """Competition ranks by PageRank (ties share a rank) of the nodes that have one."""
    ranked = sorted(((n.pagerank, i) for i, n in snap.nodes.items() if n.pagerank is not None), key=lambda x: -x[0])
    out: dict[str, int] = {}
    last, rank = None, 0
    for pos, (pr, iri) in enumerate(ranked, 1):
        if pr != last:
            rank, last = pos, pr
        out[iri] = rank
    return out


def _movers(old: Snapshot, new: Snapshot, top: int) -> dict[str, list[dict[str, Any]]]:
    ro, rn = _ranks(old), _ranks(new)
    pool = [i for i in ro.keys() & rn.keys() if ro[i] <= MOVER_POOL or rn[i] <= MOVER_POOL]
    moved = [(math.log2(ro[i] / rn[i]), i) for i in pool if ro[i] != rn[i]]
    rows = [{**_node(new, i), "old_rank": ro[i], "new_rank": rn[i], "change": ro[i] - rn[i]} for _, i in
            sorted(moved, key=lambda x: (-abs(x[0]), x[1]))]
    return {"up": [r for r in rows if r["change"] > 0][:top], "down": [r for r in rows if r["change"] < 0][:top]}


def coarse(snap: Snapshot) -> list[str]:
    """The coarse clusters of a build."""
    return sorted(c.id for c in snap.clusters.values() if c.level == 0)


def _clusters(old: Snapshot, new: Snapshot) -> dict[str, Any]:
    common = sorted(i for i in old.nodes.keys() & new.nodes.keys() if old.nodes[i].cluster and new.nodes[i].cluster)
    a = [old.nodes[i].cluster for i in common]
    b = [new.nodes[i].cluster for i in common]
    table = Counter(zip(a, b, strict=True))
    size_a, size_b = Counter(a), Counter(b)

    def named(snap: Snapshot, cid: str) -> dict[str, Any]:
        c = snap.clusters.get(cid)
        return {"id": cid, "label": c.label if c else cid, "size": c.size if c else 0}

    split, merged = [], []
    for ca in sorted(size_a):
        parts = sorted(cb for (x, cb), k in table.items() if x == ca and k >= max(2, SHARE * size_a[ca]))
        if len(parts) > 1:
            split.append({"old": named(old, ca), "into": [named(new, cb) for cb in parts]})
    for cb in sorted(size_b):
        parts = sorted(ca for (ca, y), k in table.items() if y == cb and k >= max(2, SHARE * size_a[ca]))
        if len(parts) > 1:
            merged.append({"new": named(new, cb), "from": [named(old, ca) for ca in parts]})

    def fresh(snap: Snapshot, other: Snapshot) -> list[dict[str, Any]]:
        members = Counter(n.cluster for n in snap.nodes.values() if n.cluster)
        unseen = Counter(n.cluster for i, n in snap.nodes.items() if n.cluster and i not in other.nodes)
        return [named(snap, c) for c in sorted(members) if unseen[c] * 2 > members[c]]

    return {"common_nodes": len(common), "ari": round(adjusted_rand(a, b), 6),
            "nmi": round(normalized_mutual_info(a, b), 6), "old": len(coarse(old)), "new": len(coarse(new)),
            "split": split, "merged": merged, "appeared": fresh(new, old), "vanished": fresh(old, new)}


def _relations(old: Snapshot, new: Snapshot, top: int | None) -> list[dict[str, Any]]:
    """Pairs of nodes of two table types that NEW's articles name together and OLD's never do, most supported
    first. Only an article whose links differ from OLD's can bring such a pair."""
    empty: frozenset[str] = frozenset()
    seen_old, seen_new = old.naming_sets, new.naming_sets
    kind = {n: i.type for n, i in new.nodes.items() if i.type in RELATION_TYPES}
    candidates: set[tuple[str, str]] = set()
    for art, nodes in new.links.items():
        if old.links.get(art) == nodes:
            continue
        typed = [n for n in nodes if n in kind]  # sorted, so each pair comes once, in IRI order
        for i, x in enumerate(typed):
            for y in typed[i + 1:]:
                if kind[x] != kind[y] and seen_old.get(x, empty).isdisjoint(seen_old.get(y, empty)):
                    candidates.add((x, y))
    rows: list[dict[str, Any]] = []
    for x, y in candidates:
        support = sorted(seen_new[x] & seen_new[y])
        a, b = (x, y) if (RANK[kind[x]], x) <= (RANK[kind[y]], y) else (y, x)
        rows.append({"a": _node(new, a), "b": _node(new, b), "support": len(support), "articles": support})
    rows.sort(key=lambda r: (-r["support"], r["a"]["type"], r["b"]["type"], r["a"]["label"], r["b"]["label"],
                             r["a"]["iri"], r["b"]["iri"]))
    return rows[:top] if top is not None else rows


def _trends(old: Snapshot, new: Snapshot) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for i, n in new.nodes.items():
        before = old.nodes[i].trend if i in old.nodes else ""
        if n.trend != before:
            rows.append({**_node(new, i), "old": before, "new": n.trend, "in_old": i in old.nodes})
    rows.sort(key=lambda r: (TREND_ORDER.get(r["new"], 9), r["type"], r["label"], r["iri"]))
    return rows


def diff(old: Snapshot, new: Snapshot, old_name: str = "old", new_name: str = "new", top: int | None = None,
         removed_relations: bool = True) -> Diff:
    """Compare two builds; `top` cuts the movers and relations lists (the rest are always complete); without
    `removed_relations`, the relations OLD had and NEW lost are not looked for (the report does not show them)."""
    added = sorted(new.documents.keys() - old.documents.keys())
    removed = sorted(old.documents.keys() - new.documents.keys())
    changed = sorted(i for i in new.documents.keys() & old.documents.keys()
                     if new.documents[i].sha256 != old.documents[i].sha256)
    naming_new, naming_old = new.naming, old.naming
    nodes_added = [{**_node(new, i), "articles": naming_new.get(i, [])}
                   for i in sorted(new.nodes.keys() - old.nodes.keys())]
    nodes_removed = [{**_node(old, i), "articles": naming_old.get(i, []), "replaced_by": new.replaced.get(i, "")}
                     for i in sorted(old.nodes.keys() - new.nodes.keys())]
    for rows in (nodes_added, nodes_removed):
        rows.sort(key=lambda r: (r["type"], -len(r["articles"]), r["label"], r["iri"]))
    per_type = {"added": dict(sorted(Counter(r["type"] for r in nodes_added).items())),
                "removed": dict(sorted(Counter(r["type"] for r in nodes_removed).items()))}
    return Diff(
        old_name, new_name,
        {"added": [_doc(new, i) for i in added], "removed": [_doc(old, i) for i in removed],
         "changed": [_doc(new, i) for i in changed]},
        {"added": nodes_added, "removed": nodes_removed, "per_type": per_type},
        _movers(old, new, top or 10), _clusters(old, new),
        {"added": _relations(old, new, top), "removed": _relations(new, old, top) if removed_relations else []},
        _trends(old, new))
