"""The one place that chains the stages: sources -> records -> RDF -> analytics -> outputs.

A build runs in passes that keep memory bounded by the corpus-level data, not by the documents:
  1. read + parse (worker processes): each file is hashed and parsed once; the Document goes to the build
     cache and only a summary (names, ids, problems) comes back;
  2. resolve (here): entity resolution over the names of every document, article identity;
  3. emit (worker processes): each document's quads are made and written as Turtle and TriG blocks into the
     cache; what the corpus level needs (weighted links, mention sources, texts) comes back;
  4. corpus quads, analytics and the HTML explorer (here), from that compact data;
  5. write: the blocks are concatenated into graph.ttl and graph.trig, then the build is switched in.
Unchanged documents hit the cache in passes 1 and 3 (keyed by content, and for 3 by the node IRIs they use),
so an incremental build parses and emits only what changed; analytics are recomputed for the whole graph.
"""

from __future__ import annotations

import functools
import io
import json
import multiprocessing as mp
import os
import pickle
import shutil
import sys
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import networkx as nx
from pyoxigraph import Quad, RdfFormat, serialize

from kg import __version__, analyze
from kg.cache import Cache, code_version, key_of
from kg.enrich import cluster_quads, metric_quads, participation_quads
from kg.errors import StrictFailure
from kg.model import DocSummary, Document, Problem, Skipped
from kg.outputs import OutputDir
from kg.parse import PARSER_VERSION, parse_bytes
from kg.project import COOC_NEIGHBOURS, DEFAULT_WEIGHT, FACETS, MAX_ARTICLE_NODES, Link, cooccurrence, project_links
from kg.rdf import Minter, corpus_quads, document_quads
from kg.resolve import Aliases, MentionMatcher, Resolution, mention_texts, resolve_articles, resolve_forms
from kg.resources import ontology_dir
from kg.sources import find_sources
from kg.viz import ViewData, write_html
from kg.vocab import DEFAULT_BASE, KGO_NS, ONTOLOGY_IRI, SEGMENTS, output_prefixes

Progress = Callable[[str, int, int], None]
EMIT_VERSION = "2"
PARALLEL_MIN = 64  # fewer documents than this are processed in this process
SNIPPET = 240  # characters of a description kept for the explorer's tooltips
_LINK_PREDICATES = {f"{KGO_NS}{p}": p for p in ("hasKeyword", "hasTheme", "hasSignal", "hasTechnology",
                                                 "hasConcern", "hasBehavior", "hasIssue", "category",
                                                 "contentType", "closest")}


@dataclass
class BuildResult:
    """What a build did: counts, problems, and where it wrote."""

    out: Path
    read: int = 0
    built: int = 0
    skipped: list[Skipped] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    triples: int = 0
    nodes: dict[str, int] = field(default_factory=dict)
    timings: dict[str, float] = field(default_factory=dict)
    files: list[str] = field(default_factory=list)
    analytics: dict[str, object] = field(default_factory=dict)
    parsed: int = 0  # documents parsed in this build (the rest came from the cache)
    emitted: int = 0  # documents whose RDF was made in this build

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "warning"]

    def report(self) -> dict[str, object]:
        """The deterministic build report (no timings, no absolute paths, nothing about the cache)."""
        codes = Counter(p.code for p in self.problems)
        return {
            "kg_version": __version__,
            "documents": {"read": self.read, "built": self.built, "skipped": len(self.skipped)},
            "skipped": [{"file": s.path, "reason": s.reason} for s in self.skipped],
            "graph": {"triples": self.triples, "nodes": dict(sorted(self.nodes.items()))},
            "analytics": self.analytics,
            "problem_counts": {"warning": len(self.warnings), "info": len(self.problems) - len(self.warnings),
                               "by_code": dict(sorted(codes.items()))},
            "problems": [p.as_dict() for p in self.problems],  # each with its severity: warning or info
        }


# ------------------------------------------------------------------ pass 1: read and parse


def read_file(path: Path, attempts: int = 3) -> tuple[bytes, os.stat_result]:
    """A file's bytes and its stat, read again if it changed while being read."""
    for _ in range(attempts):
        before = os.stat(path)
        with open(path, "rb") as fh:
            data = fh.read()
        after = os.stat(path)
        if before.st_size == after.st_size == len(data) and before.st_mtime_ns == after.st_mtime_ns:
            return data, after
    raise OSError(f"the file kept changing while it was read ({attempts} attempts)")


PARSE_CODE = ("kg.parse", "kg.textio", "kg.model")
EMIT_CODE = ("kg.rdf", "kg.identity", "kg.vocab", "kg.resolve", "kg.pipeline")


def doc_key(sha: str, doc_id: str, rel: str) -> str:
    """Cache key of a parsed document: its bytes, id and path, and the parser's code."""
    return key_of(sha, doc_id, rel, PARSER_VERSION, code_version(*PARSE_CODE))


_CACHES: dict[tuple[str, int], Cache] = {}


def worker_cache(root: str) -> Cache:
    """This process's reader of the build cache."""
    key = (root, os.getpid())
    if key not in _CACHES:
        _CACHES[key] = Cache(Path(root))
    return _CACHES[key]


ParseResult = tuple[str, str, Any, tuple[int, int, str] | None, bytes | None]


def _parse_one(task: tuple[str, str, str, str]) -> ParseResult:
    """Worker: (path, rel, doc id, cache root) -> (rel, key, DocSummary or Skipped, (size, mtime_ns, sha),
    the pickled parse result when it is new; the main process stores it)."""
    import hashlib
    import pickle

    path, rel, doc_id, root = task
    try:
        data, st = read_file(Path(path))
    except OSError as exc:
        return rel, "", Skipped(rel, f"unreadable: {getattr(exc, 'strerror', None) or exc}"), None, None
    sha = hashlib.sha256(data).hexdigest()
    key = doc_key(sha, doc_id, rel)
    result = worker_cache(root).get("docs", key)
    new = None
    if result is None:
        result = parse_bytes(data, doc_id, rel)
        new = pickle.dumps(result, protocol=pickle.HIGHEST_PROTOCOL)
    stat = (st.st_size, st.st_mtime_ns, sha)
    if isinstance(result, Skipped):
        return rel, key, result, stat, new
    return rel, key, DocSummary.of(result, key), stat, new


# ------------------------------------------------------------------ pass 3: emit RDF per document


@dataclass
class EmitContext:
    """What every document's emission needs from the corpus: node slugs and article ids (shared with the
    worker processes by fork)."""

    base: str
    slugs: dict[tuple[str, str], str]
    canonical: dict[str, str]
    merged: set[str]  # article ids several documents share
    cache_root: str


_CTX: EmitContext | None = None


def _strip_prefixes(data: bytes) -> bytes:
    """A serialization without its @prefix lines (the whole file declares them once)."""
    lines = data.split(b"\n")
    i = 0
    while i < len(lines) and lines[i].startswith(b"@prefix "):
        i += 1
    return b"\n".join(lines[i:])


def emit_key(summary: DocSummary, ctx: EmitContext, closest: list[str]) -> str:
    """Cache key of a document's emission: its content and every corpus-level choice its quads depend on."""
    return key_of(summary.key, EMIT_VERSION, code_version(*EMIT_CODE), ctx.base, [ctx.slugs[f] for f in summary.forms],
                  ctx.canonical.get(summary.doc_id), [ctx.canonical.get(t, t) for t in closest],
                  summary.doc_id in ctx.merged or ctx.canonical.get(summary.doc_id) in ctx.merged)


def emit_document(doc: Document, ctx: EmitContext) -> tuple[dict[str, Any], bytes, bytes]:
    """A document's quads as a Turtle block and a TriG block, and the compact data the corpus stages need."""
    mint = Minter(ctx.base)
    emitted = document_quads(doc, ctx.slugs, ctx.canonical, mint)
    prefixes = output_prefixes(ctx.base)
    ttl = _strip_prefixes(serialize([q.triple for q in emitted.quads], format=RdfFormat.TURTLE,
                                    prefixes=prefixes))
    trig = _strip_prefixes(serialize(emitted.quads, format=RdfFormat.TRIG, prefixes=prefixes))
    article = mint.article(ctx.canonical.get(doc.doc_id, doc.doc_id)).value
    links: list[Link] = []
    weights: dict[str, int] = {}
    mention_entity: dict[str, str] = {}
    mention_info: dict[str, dict[str, Any]] = defaultdict(dict)
    counts: Counter[str] = Counter()
    heads: list[str] = []
    type_iri = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
    for q in emitted.quads:
        s, p, o = q.subject.value, q.predicate.value, q.object
        if p in _LINK_PREDICATES and s == article:
            links.append((article, o.value, _LINK_PREDICATES[p], DEFAULT_WEIGHT))
        elif p == f"{KGO_NS}entity":
            mention_entity[s] = o.value
        elif p == f"{KGO_NS}relevancy":
            mention_info[s]["r"] = int(o.value)
        elif p == "http://purl.org/dc/terms/description":
            mention_info[s]["d"] = o.value[:SNIPPET]
        elif p == type_iri and o.value.startswith(KGO_NS) and s != article:
            counts[o.value[len(KGO_NS):]] += 1
        if s == article and article.rsplit("/", 1)[-1] in ctx.merged:
            heads.append(str(q.triple))
    sources = []
    for m, e in mention_entity.items():
        info = mention_info.get(m, {})
        r = info.get("r")
        if r is not None:
            weights[e] = max(weights.get(e, 0), r)
        sources.append((e, r if r is not None else "", info.get("d", "")))
    links = [(a, b, kind, weights.get(b, w)) for a, b, kind, w in links]
    compact = {
        "article": article,
        "links": links,
        "sources": sources,
        "texts": mention_texts(doc, ctx.slugs),
        "closest": emitted.closest,
        "problems": emitted.problems,
        "triples": len(emitted.quads),
        "counts": dict(counts),
        "heads": heads,
    }
    return compact, ttl, trig


def _emit_one(task: tuple[str, str]) -> tuple[str, bytes, bytes, bytes]:
    """Worker: (document cache key, emission key) -> (emission key, pickled compact data, Turtle, TriG)."""
    doc_key, ekey = task
    ctx = _CTX
    assert ctx is not None
    doc = worker_cache(ctx.cache_root).get("docs", doc_key)
    if not isinstance(doc, Document):
        raise RuntimeError(f"parsed document {doc_key} is missing from the build cache")
    compact, ttl, trig = emit_document(doc, ctx)
    return ekey, pickle.dumps(compact, protocol=pickle.HIGHEST_PROTOCOL), ttl, trig


def _run(func: Callable[[Any], Any], tasks: list[Any], workers: int, progress: Progress | None,
         stage: str) -> Iterator[Any]:
    """Results of func over tasks, in order: in worker processes (fork) when there is enough work."""
    total = len(tasks)
    if workers <= 1 or total < PARALLEL_MIN:
        for i, t in enumerate(tasks, 1):
            result = func(t)
            if progress:
                progress(stage, i, total)
            yield result
        return
    ctx = mp.get_context("fork")
    chunk = max(1, min(64, total // (workers * 8)))
    with ProcessPoolExecutor(max_workers=workers, mp_context=ctx) as pool:
        for i, result in enumerate(pool.map(func, tasks, chunksize=chunk), 1):
            if progress and (i % 50 == 0 or i == total):
                progress(stage, i, total)
            yield result


# ------------------------------------------------------------------ the build


@dataclass
class Corpus:
    """Everything the corpus-level stages hold in memory after passes 1-3."""

    base: str
    summaries: list[DocSummary]
    skipped: list[Skipped]
    resolution: Resolution
    canonical: dict[str, str]
    ekeys: list[str]  # emission cache key per built document, in document order
    links: list[Link]  # weighted article links of every document
    closest: list[tuple[str, str]]  # (target article id, link title) of every kept Closest link
    triples: int  # distinct triples in the documents' named graphs
    counts: Counter[str]  # per-document nodes (Mention, Section, Cell) by type
    problems: list[Problem]
    merges: dict[str, object]
    cache: Cache
    doc_keys: set[str]  # parsed-document cache entries this build used
    parsed: int = 0
    emitted: int = 0
    tmp: tempfile.TemporaryDirectory[str] | None = None  # the cache, when the build keeps none

    @functools.cached_property
    def article_labels(self) -> dict[str, str]:
        """Article id -> label (its title, or its id when it has none), for every article of the build."""
        labels: dict[str, str] = {}
        for s in self.summaries:
            aid = self.canonical.get(s.doc_id, s.doc_id)
            label = s.doc_id if s.title_is_id or not s.title else s.title
            if aid not in labels or (labels[aid] == aid and label != s.doc_id):
                labels[aid] = label
        return labels


def read_documents(paths: list[Path], progress: Progress | None = None) -> tuple[list[Document], list[Skipped], int]:
    """Find and parse every source document, uncached (for tools that need whole Documents)."""
    sources, skipped = find_sources(paths)
    docs: list[Document] = []
    for i, src in enumerate(sources):
        try:
            data, _ = read_file(src.path)
        except OSError as exc:
            skipped.append(Skipped(src.rel, f"unreadable: {getattr(exc, 'strerror', None) or exc}"))
            continue
        result = parse_bytes(data, src.doc_id, src.rel)
        (skipped if isinstance(result, Skipped) else docs).append(result)  # type: ignore[arg-type]
        if progress:
            progress("parse", i + 1, len(sources))
    skipped.sort(key=lambda s: s.path)
    return docs, skipped, len(docs) + len(skipped)


def gather(sources: list[Path], base: str = DEFAULT_BASE, aliases: Aliases | None = None,
           cache_root: Path | None = None, workers: int | None = None, progress: Progress | None = None,
           timings: dict[str, float] | None = None) -> Corpus:
    """Passes 1-3: parse, resolve and emit every document under `sources`, reusing the cache (a temporary
    one when cache_root is None)."""
    workers = workers or os.cpu_count() or 1
    timings = timings if timings is not None else {}
    clock = time.perf_counter()
    tmp = None
    if cache_root is None:
        tmp = tempfile.TemporaryDirectory(prefix="kg-cache-")
        cache_root = Path(tmp.name)
    cache = Cache(cache_root)
    assert cache.root is not None
    found, skipped = find_sources(sources)
    index = cache.load_index()
    known_summaries = cache.load_summaries()
    new_index: dict[str, tuple[int, int, str]] = {}
    summaries: list[DocSummary] = []
    doc_keys: set[str] = set()
    pending: list[tuple[str, str, str, str]] = []
    for src in found:
        known = index.get(src.rel)
        hit = None
        if known:
            try:
                st = os.stat(src.path)
            except OSError:
                st = None
            if st is not None and (st.st_size, st.st_mtime_ns) == known[:2]:
                key = doc_key(known[2], src.doc_id, src.rel)
                hit = known_summaries.get(key)
                if hit is None or not cache.has("docs", key):
                    hit = cache.get("docs", key)
        if hit is None or known is None:
            pending.append((str(src.path), src.rel, src.doc_id, str(cache_root)))
            continue
        key = doc_key(known[2], src.doc_id, src.rel)
        new_index[src.rel] = known
        doc_keys.add(key)
        if isinstance(hit, Skipped):
            skipped.append(hit)
        else:
            summaries.append(hit if isinstance(hit, DocSummary) else DocSummary.of(hit, key))
    parsed = 0
    fresh_docs: list[tuple[str, bytes]] = []
    for rel, key, result, stat, new in _run(_parse_one, pending, workers, progress, "parse"):
        parsed += 1
        if stat:
            new_index[rel] = stat
            doc_keys.add(key)
        if new is not None:
            fresh_docs.append((key, new))
            if len(fresh_docs) >= 500:
                cache.put_many("docs", fresh_docs)
                fresh_docs = []
        (skipped if isinstance(result, Skipped) else summaries).append(result)
    cache.put_many("docs", fresh_docs)
    summaries.sort(key=lambda s: s.path)
    skipped.sort(key=lambda s: s.path)
    cache.save_index(new_index)
    timings["parse"] = time.perf_counter() - clock
    clock = time.perf_counter()

    counts: dict[str, Counter[str]] = defaultdict(Counter)
    for s in summaries:
        s.forms = [(sys.intern(k), sys.intern(f)) for k, f in s.forms]
        for form in s.forms:
            counts[form[0]][form[1]] += 1
    res = resolve_forms(counts, aliases)
    articles = resolve_articles(summaries)
    timings["rdf.resolve"] = time.perf_counter() - clock
    sizes = Counter(articles.canonical.values())
    merged = {root for root, n in sizes.items() if n > 1}
    global _CTX
    _CTX = EmitContext(base, res.slugs(), articles.canonical, merged, str(cache_root))
    cache.save_summaries({s.key: s for s in summaries})
    ekeys = [emit_key(s, _CTX, s.closest) for s in summaries]
    for s in summaries:
        s.forms = []  # no longer needed; the summaries cache keeps them for the next build
    hits = [cache.has("emit", k) for k in ekeys]
    todo = [(s.key, k) for s, k, hit in zip(summaries, ekeys, hits, strict=True) if not hit]
    made = _run(_emit_one, todo, workers, progress, "emit")  # results arrive in order, as they are made
    fresh: list[tuple[str, bytes, bytes, bytes]] = []
    matcher = MentionMatcher(res)
    links: list[Link] = []
    closest: list[tuple[str, str]] = []
    emit_problems: list[Problem] = []
    triples = 0
    counts: Counter[str] = Counter()
    heads: Counter[str] = Counter()
    for s, k, hit in zip(summaries, ekeys, hits, strict=True):
        c = cache.get("emit", k) if hit else None
        if c is None:
            _, data, ttl, trig = next(made) if not hit else _emit_one((s.key, k))
            c = pickle.loads(data)
            fresh.append((k, data, ttl, trig))
            if len(fresh) >= 200:
                cache.put_many("emit", fresh)
                fresh = []
        article = c["article"]
        links.extend((article, sys.intern(b), kind, w) for _, b, kind, w in c["links"])
        closest.extend(c["closest"])
        emit_problems.extend(c["problems"])
        triples += c["triples"]
        counts.update(c["counts"])
        heads.update(c["heads"])
        matcher.feed(c["texts"])
    timings["rdf.emit"] = time.perf_counter() - clock - timings["rdf.resolve"]
    cache.put_many("emit", fresh)
    res.mentions = matcher.pairs()
    triples -= sum(n - 1 for n in heads.values())  # an article several documents describe: one copy each
    emitted = len(todo)
    problems = [p for s in summaries for p in s.problems] + emit_problems
    problems += articles.problems + [p for s in skipped for p in s.problems]
    for a in res.ambiguities:
        problems.append(Problem("(corpus)", 0, "ambiguous-acronym",
                                f"{a.kind} acronym {a.acronym!r} is paired with {len(a.expansions)} expansions "
                                f"({'; '.join(a.expansions)}); the bare acronym is not merged with any"))
    for text in res.unused_aliases:
        problems.append(Problem("(aliases)", 0, "alias-unused", f"alias not applied: {text}"))
    for b in res.blocked:
        problems.append(Problem("(aliases)", 0, "alias-forbid", f"{b['type']}: {b['forms']} kept apart", "info"))
    problems.sort(key=lambda p: (p.file, p.line, p.code, p.message))
    merges = res.merges()
    merges["articles"] = articles.groups
    merges["related_across_types"] = [[a.kind, a.label, b.kind, b.label] for a, b in res.related]
    merges["technology_mentions"] = len(res.mentions)
    timings["rdf"] = time.perf_counter() - clock
    return Corpus(base, summaries, skipped, res, articles.canonical, ekeys, links, closest, triples, counts,
                  problems, merges, cache, doc_keys, parsed, emitted, tmp)


def corpus_level(corpus: Corpus) -> tuple[list[Quad], dict[str, dict[str, int]]]:
    """Default-graph quads of the corpus (before analytics), and the titles Closest links give each article."""
    linked: dict[str, dict[str, int]] = defaultdict(dict)
    for target, title in corpus.closest:
        titles = linked[target]
        if title:
            titles[title] = titles.get(title, 0) + 1
    quads = list(corpus_quads(corpus.resolution, corpus.article_labels, linked, Minter(corpus.base)))
    return quads, linked


def vertices(corpus: Corpus, linked: dict[str, dict[str, int]]) -> tuple[dict[str, str], dict[str, str]]:
    """Types and labels of every vertex of the article-entity view."""
    mint = Minter(corpus.base)
    types: dict[str, str] = {}
    labels: dict[str, str] = {}
    for e in corpus.resolution.entities:
        iri = mint.entity(e).value
        types[iri], labels[iri] = e.kind, e.label
    article_labels = corpus.article_labels
    for aid, label in article_labels.items():
        iri = mint.article(aid).value
        types[iri], labels[iri] = "Article", label
    for target, titles in linked.items():
        if target not in article_labels:
            iri = mint.article(target).value
            types[iri] = "Article"
            labels[iri] = min(titles, key=lambda t: (-titles[t], t)) if titles else target
    return types, labels


ANALYTICS_VERSION = "1"


def run_analytics(types: dict[str, str], labels: dict[str, str], links: Iterable[Link], base: str, seed: int,
                  resolution: float, result: BuildResult, cache: Cache | None = None
                  ) -> tuple[list[Quad], analyze.Centrality, list[list[analyze.Cluster]]]:
    """Project, compute centrality and clusters, and return them as quads; record how in the result. The
    results depend only on the graph, so an unchanged graph (an edit that left the links alone) reuses them."""
    links = sorted(links)
    key = key_of(ANALYTICS_VERSION, code_version("kg.analyze", "kg.project"), seed, resolution, base,
                 sorted(types.items()), sorted(labels.items()), links)
    cached = cache.get("analytics", key) if cache else None
    if cached is not None:
        metrics, levels, participation, result.analytics = cached
    else:
        metrics, levels, participation = _compute_analytics(types, labels, links, seed, resolution, result)
        if cache:
            cache.put("analytics", key, (metrics, levels, participation, result.analytics))
    if cache:
        cache.mark("analytics", key)
    quads = (list(metric_quads(metrics)) + list(participation_quads(participation))
             + list(cluster_quads(levels, base)))
    return quads, metrics, levels


def _compute_analytics(types: dict[str, str], labels: dict[str, str], links: list[Link], seed: int,
                       resolution: float, result: BuildResult
                       ) -> tuple[analyze.Centrality, list[list[analyze.Cluster]], dict[str, float]]:
    proj = project_links(types, labels, links)
    job = analyze.BetweennessJob(proj.graph, seed)  # overlaps everything below on a second core
    pagerank = nx.pagerank(proj.graph, weight="weight") if len(proj.graph) else {}
    cooc = cooccurrence(proj)
    levels = analyze.clusters(cooc, pagerank, proj.labels, seed=seed, resolution=resolution)
    metrics = analyze.centrality(proj.graph, seed=seed, job=job, pagerank=pagerank)
    g = proj.graph
    result.analytics = {
        "projection": {"vertices": g.number_of_nodes(), "edges": g.number_of_edges(),
                       "default_weight": DEFAULT_WEIGHT},
        "cooccurrence": {"vertices": cooc.number_of_nodes(), "edges": cooc.number_of_edges(),
                         "neighbours_kept": COOC_NEIGHBOURS, "facets_left_out": sorted(FACETS),
                         "max_article_nodes": MAX_ARTICLE_NODES},
        "betweenness": metrics.info["betweenness"],
        "eigenvector": metrics.info["eigenvector"],
        "clusters": {"seed": seed, "resolution": resolution, "per_level": [len(level) for level in levels]},
    }
    return metrics, levels, analyze.participation(cooc, levels)


def view_data(corpus: Corpus, types: dict[str, str], labels: dict[str, str], links: list[Link],
              metrics: analyze.Centrality | None, levels: list[list[analyze.Cluster]],
              linked: dict[str, dict[str, int]]) -> ViewData:
    """The explorer's data from the corpus-level data (the same ViewData viz.collect reads from RDF)."""
    mint = Minter(corpus.base)
    v = ViewData()
    v.types, v.labels = dict(types), dict(labels)
    for e in corpus.resolution.entities:
        v.alt[mint.entity(e).value] = e.alt_labels
    article_labels = corpus.article_labels
    for target, titles in linked.items():
        iri = mint.article(target).value
        others = sorted(t for t in titles if t != labels.get(iri))
        if others:
            v.alt[iri] = others
    for s in corpus.summaries:
        aid = corpus.canonical.get(s.doc_id, s.doc_id)
        iri = mint.article(aid).value
        info = v.articles[iri]
        info.setdefault("id", s.doc_id)
        if s.title and not s.title_is_id:
            info.setdefault("title", s.title)
        if s.date:
            info.setdefault("date", s.date)
        if s.external_url:
            info.setdefault("url", s.external_url)
        info["loaded"] = "true"
    for target in linked:
        if target not in article_labels:
            v.articles[mint.article(target).value].update(id=target, loaded="false")
    if metrics:
        for n in metrics.degree:
            v.metrics[n] = {"pagerank": metrics.pagerank.get(n, 0.0), "degree": metrics.degree[n],
                            "betweenness": metrics.betweenness.get(n, 0.0),
                            "eigenvector": metrics.eigenvector.get(n, 0.0),
                            "weightedDegree": metrics.weighted_degree.get(n, 0.0)}
    for level in levels:
        for c in level:
            iri = f"{corpus.base}{SEGMENTS['Cluster']}/{c.id}"
            v.clusters[iri] = {"level": c.level, "size": len(c.members), "label": c.label}
            if c.parent:
                v.clusters[iri]["parent"] = f"{corpus.base}{SEGMENTS['Cluster']}/{c.parent}"
            v.labels[iri] = c.label
            for m in c.members:
                v.in_cluster[m].append(iri)
    for a, b, kind, w in links:
        v.links[(a, b)] = kind
        v.weights[(a, b)] = w
    return v


def fill_sources(corpus: Corpus, data: ViewData, nodes: Iterable[str]) -> None:
    """What the articles say about the given nodes, read back from the emission cache (one pass)."""
    wanted = set(nodes)
    for k in corpus.ekeys:
        c = corpus.cache.get("emit", k)
        if c is None:
            continue
        for e, r, d in c["sources"]:
            if e in wanted:
                data.sources[e].append((c["article"], r, d))


CATALOG = """<?xml version="1.0" encoding="UTF-8" standalone="no"?>
<catalog prefer="public" xmlns="urn:oasis:names:tc:entity:xmlns:xml:catalog">
    <uri id="kg ontology" name="{iri}" uri="kg.ttl"/>
</catalog>
"""


def write_ontology(folder: Path) -> None:
    """The ontology graph.ttl imports (kg.ttl), and an OASIS XML catalog (catalog-v001.xml, which Protégé and
    the OWL API read) that maps its IRI to that file, so the import resolves offline."""
    shutil.copyfile(ontology_dir() / "kg.ttl", folder / "kg.ttl")
    (folder / "catalog-v001.xml").write_text(CATALOG.format(iri=ONTOLOGY_IRI), encoding="utf-8")


def count_nodes(corpus: Corpus, corpus_quads_: list[Quad]) -> dict[str, int]:
    """Distinct typed nodes per kgo class: per-document nodes from the emissions, the rest from the corpus."""
    counts: Counter[str] = Counter(corpus.counts)
    counts["Article"] += len({corpus.canonical.get(s.doc_id, s.doc_id) for s in corpus.summaries})
    type_iri = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
    for q in corpus_quads_:
        if q.predicate.value == type_iri and q.object.value.startswith(KGO_NS):
            counts[q.object.value[len(KGO_NS):]] += 1
    return dict(counts)


def _write_graph(path: Path, corpus: Corpus, ext: str, tail: list[Quad], prefixes: dict[str, str]) -> None:
    """Header, each document's block from the cache, then the corpus block."""
    cache = corpus.cache
    with open(path, "wb") as out:
        out.write("".join(f"@prefix {p}: <{iri}> .\n" for p, iri in sorted(prefixes.items())).encode())
        for ekey in corpus.ekeys:
            out.write(cache.block("emit", ekey, ext))
        buf = io.BytesIO()
        if ext == "ttl":
            serialize((q.triple for q in tail), buf, RdfFormat.TURTLE, prefixes=prefixes)
        else:
            serialize(tail, buf, RdfFormat.TRIG, prefixes=prefixes)
        out.write(_strip_prefixes(buf.getvalue()))


def build(
    sources: list[Path],
    out: Path,
    base: str = DEFAULT_BASE,
    strict: bool = False,
    analytics: bool = True,
    seed: int = analyze.DEFAULT_SEED,
    resolution: float = analyze.DEFAULT_RESOLUTION,
    html: bool = True,
    aliases: Aliases | None = None,
    progress: Progress | None = None,
    cache: bool = True,
    workers: int | None = None,
) -> BuildResult:
    """Build the graph of the documents under `sources` into the output folder `out`."""
    result = BuildResult(out)
    outdir = OutputDir(out)
    with outdir.locked():
        corpus = gather(sources, base, aliases, outdir.cache if cache else None, workers, progress, result.timings)
        try:
            return _finish(corpus, result, outdir, sources, strict, analytics, seed, resolution, html, progress)
        finally:
            corpus.cache.close()
            if corpus.tmp is not None:
                corpus.tmp.cleanup()


def _finish(corpus: Corpus, result: BuildResult, outdir: OutputDir, sources: list[Path], strict: bool,
            analytics: bool, seed: int, resolution: float, html: bool, progress: Progress | None) -> BuildResult:
    clock = time.perf_counter()

    def lap(stage: str) -> None:
        nonlocal clock
        now = time.perf_counter()
        result.timings[stage] = result.timings.get(stage, 0.0) + now - clock
        clock = now

    result.read = len(corpus.summaries) + len(corpus.skipped)
    result.built, result.skipped, result.problems = len(corpus.summaries), corpus.skipped, corpus.problems
    result.parsed, result.emitted = corpus.parsed, corpus.emitted
    tail, linked = corpus_level(corpus)
    links = corpus.links
    types, labels = vertices(corpus, linked)
    lap("rdf")
    metrics, levels = None, []
    if analytics:
        if progress:
            progress("analytics", 0, 1)
        extra, metrics, levels = run_analytics(types, labels, links, corpus.base, seed, resolution, result,
                                               corpus.cache)
        tail += extra
        lap("analytics")
    tail.sort(key=lambda q: q.subject.value)  # stable: one block per subject
    result.nodes = count_nodes(corpus, tail)
    result.triples = corpus.triples + len(tail)
    if strict and (result.warnings or result.skipped):
        problems_text = [f"{s.path}: skipped: {s.reason}" for s in result.skipped]
        problems_text += [f"{p.file}:{p.line}: {p.code}: {p.message}" for p in result.warnings]
        raise StrictFailure(f"--strict: {len(result.skipped)} skipped, {len(result.warnings)} warnings; "
                            "outputs left unchanged", problems_text)
    build_dir = outdir.new_build()
    prefixes = output_prefixes(corpus.base)
    if progress:
        progress("write", 0, 2)
    _write_graph(build_dir / "graph.ttl", corpus, "ttl", tail, prefixes)
    _write_graph(build_dir / "graph.trig", corpus, "trig", tail, prefixes)
    lap("serialize")
    if html:
        if progress:
            progress("html", 0, 1)
        title = f"Knowledge graph of {', '.join(sorted({p.resolve().name for p in sources}))}"
        data = view_data(corpus, types, labels, links, metrics, levels, linked)
        write_html(data, build_dir / "graph.html", title=f"{title} ({result.built} documents)", seed=seed,
                   fill=lambda nodes: fill_sources(corpus, data, nodes))
        lap("html")
    write_ontology(build_dir)
    (build_dir / "merges.json").write_text(json.dumps(corpus.merges, indent=1, ensure_ascii=False) + "\n",
                                           encoding="utf-8")
    (build_dir / "report.json").write_text(json.dumps(result.report(), indent=2, ensure_ascii=False) + "\n",
                                           encoding="utf-8")
    outdir.commit(build_dir)
    for key in corpus.doc_keys:
        corpus.cache.mark("docs", key)
    for ekey in corpus.ekeys:
        corpus.cache.mark("emit", ekey)
    if corpus.tmp is None:
        corpus.cache.prune()
    result.files = sorted(p.name for p in build_dir.iterdir() if p.is_file())
    lap("commit")
    return result

