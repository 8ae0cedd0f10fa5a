"""Pass 5b: the build's snapshot (kg.snapshot) from what the build holds in memory, so that `kg diff`, `kg gaps`
and `kg report` need not read 10,000 documents' links back from the store. It equals what kg.snapshot reads
from the built graph (tested)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from kg.articles import primary_first
from kg.identity import safe_iri
from kg.pipeline.corpus import Corpus
from kg.project import Link
from kg.rdf import Minter
from kg.snapshot import ArticleInfo, ClusterInfo, Document, NodeInfo, Snapshot, coarse_cluster
from kg.trends import Trends
from kg.turtle import Triple3
from kg.vocab import DCTERMS, ENTITY_TYPES, KGO, KGO_NS, RDF, RDFS

__all__ = ["build_snapshot"]

_TYPES = {KGO.term(t).value: t for t in ENTITY_TYPES}


def _articles(corpus: Corpus) -> tuple[dict[str, Document], dict[str, ArticleInfo]]:
    mint = Minter(corpus.base)
    documents: dict[str, Document] = {}
    articles: dict[str, ArticleInfo] = {}
    for s in primary_first(corpus.summaries):
        art = mint.article_iri(corpus.canonical.get(s.doc_id, s.doc_id))
        documents.setdefault(s.doc_id, Document(s.doc_id, art, s.sha256, s.path))
        if art not in articles:  # the most recent document describes the article
            title = "" if s.title_is_id or not s.title else s.title
            articles[art] = ArticleInfo(art, title, s.date, (safe_iri(s.external_url) or "") if s.external_url else "")
    return documents, articles


def build_snapshot(corpus: Corpus, tail: Iterable[Triple3], links: list[Link], trends: Trends) -> Snapshot:
    """The snapshot of this build: documents and articles from the summaries, nodes, clusters and replaced IRIs
    from the corpus-level triples, links from the build's link list, and the build's trends."""
    documents, articles = _articles(corpus)
    typ, label, rank, trend = RDF.type.value, RDFS.label.value, KGO.pagerank.value, KGO.trend.value
    cluster_type, level, size, parent = KGO.Cluster.value, KGO.level.value, KGO.size.value, KGO.parentCluster.value
    read = {typ, label, rank, trend, level, size, parent, KGO.inCluster.value, KGO.mentionsEntity.value,
            DCTERMS.isReplacedBy.value}  # not: hidden and other labels, metrics, tallies
    facts: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for s, p, o in tail:
        if p in read:
            facts[s][p].append(o if isinstance(o, str) else o.value)
    cid = {c: c.rsplit("/", 1)[-1] for c, f in facts.items() if cluster_type in f[typ]}
    clusters = {cid[c]: ClusterInfo(cid[c], min(facts[c][label]), int(facts[c][size][0]), int(facts[c][level][0]),
                                    facts[c][parent][0].rsplit("/", 1)[-1] if facts[c].get(parent) else "")
                for c in cid}
    nodes: dict[str, NodeInfo] = {}
    member_of: dict[str, list[str]] = {}
    for s, f in facts.items():
        for t in f.get(typ, []):
            if t in _TYPES:
                mine = sorted(cid[c] for c in f.get(KGO.inCluster.value, []) if c in cid)
                if mine:
                    member_of[s] = mine
                nodes[s] = NodeInfo(s, _TYPES[t], min(f[label]) if f.get(label) else s,
                                    float(f[rank][0]) if f.get(rank) else None, coarse_cluster(mine, clusters),
                                    f[trend][0][len(KGO_NS):].lower() if f.get(trend) else "")
    linked: dict[str, set[str]] = {a: set() for a in articles}
    for a, n, _, _ in links:
        if a in linked and n in nodes:
            linked[a].add(n)
    names = {s: sorted(f[KGO.mentionsEntity.value]) for s, f in facts.items() if f.get(KGO.mentionsEntity.value)}
    replaced = {s: f[DCTERMS.isReplacedBy.value][0] for s, f in facts.items() if f.get(DCTERMS.isReplacedBy.value)}
    outlooks = sorted({o for o in corpus.outlooks if o[0] in articles})
    return Snapshot(corpus.base, documents, articles, nodes, {a: sorted(ns) for a, ns in linked.items()}, clusters,
                    trends, replaced, member_of, names, outlooks)
