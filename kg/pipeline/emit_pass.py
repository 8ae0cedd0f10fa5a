"""Pass 3: each document's triples as a TriG block in the build cache, and the compact data the
corpus level needs (weighted links, what each article says of each node, counts)."""

from __future__ import annotations

import pickle
import sys
from collections import Counter
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from kg.cache import Cache, code_version, key_of
from kg.mentions import MentionMatcher, mention_texts
from kg.model import DocSummary, Document, Problem
from kg.pipeline.workers import Child, Progress, parallel, run
from kg.project import DEFAULT_WEIGHT, Link
from kg.rdf import Copies, Minter, as_literal, copies_of, document_quads
from kg.turtle import TurtleWriter
from kg.vocab import output_prefixes

__all__ = ["Emissions", "EmitContext", "Task", "emit_all", "emit_document", "emit_key"]

EMIT_VERSION = "5"
EMIT_CODE = ("kg.rdf", "kg.turtle", "kg.identity", "kg.vocab", "kg.names", "kg.resolve", "kg.mentions",
             "kg.pipeline.emit_pass")


@dataclass
class EmitContext:
    """What every document's emission needs from the corpus: node slugs and article ids."""

    base: str
    slugs: dict[tuple[str, str], str]
    canonical: dict[str, str]
    members: dict[str, list[tuple[str, str]]]  # article id -> (document id, parsed-document key), when several

    def others(self, doc_id: str) -> list[tuple[str, str]]:
        """(document id, parsed-document key) of the other documents of a document's article."""
        return [m for m in self.members.get(self.canonical.get(doc_id, doc_id), []) if m[0] != doc_id]


def emit_key(summary: DocSummary, ctx: EmitContext) -> str:
    """Cache key of a document's emission: its content and every corpus-level choice its quads depend on."""
    return key_of(summary.key, EMIT_VERSION, code_version(*EMIT_CODE), ctx.base, [ctx.slugs[f] for f in summary.forms],
                  ctx.canonical.get(summary.doc_id), [ctx.canonical.get(t, t) for t in summary.closest],
                  ctx.others(summary.doc_id))


_WRITERS: dict[str, TurtleWriter] = {}  # per base IRI, kept by each process: IRIs' forms are reused


def _writer(base: str) -> TurtleWriter:
    w = _WRITERS.get(base)
    if w is None:
        w = _WRITERS[base] = TurtleWriter(output_prefixes(base))
    return w


def _add_relevancy(into: dict[str, list[int]], entity: str, total: int, count: int, top: int) -> None:
    """Add relevancies (their sum, count and max) to an entity's [sum, count, max]."""
    if (acc := into.get(entity)) is None:
        into[entity] = [total, count, top]
    else:
        acc[0], acc[1], acc[2] = acc[0] + total, acc[1] + count, max(acc[2], top)


def emit_document(doc: Document, ctx: EmitContext, copies: Copies | None = None
                  ) -> tuple[dict[str, Any], dict[str, Any], bytes]:
    """A document's triples as a TriG block (written as text, as pyoxigraph's serializer writes them; its
    Turtle block is kg.turtle.turtle_of it), the compact data the corpus stages need, and what the explorer
    shows of it (its summary and what it says of each node: kept apart, since only the explorer reads them);
    `copies`: what it shares with the other documents of its article."""
    mint = Minter(ctx.base)
    emitted = document_quads(doc, ctx.slugs, ctx.canonical, mint, copies)
    writer = _writer(ctx.base)
    trig = writer.block(emitted.triples, emitted.graph).encode()
    article = mint.article_iri(ctx.canonical.get(doc.doc_id, doc.doc_id))
    relevancy: dict[str, list[int]] = {}  # entity -> [sum, count, max] of the relevancies its mentions give
    for entity, r, *_ in emitted.sources:
        if r is not None:
            _add_relevancy(relevancy, entity, r, 1, r)
    weights = {entity: acc[2] for entity, acc in relevancy.items()}
    merged = article.rsplit("/", 1)[-1] in ctx.members  # an article several documents share
    compact = {
        "article": article,
        "links": [(article, node, kind, weights.get(node, DEFAULT_WEIGHT)) for node, kind in emitted.links],
        "outlooks": [(e, texts[3]) for e, _, *texts in emitted.sources if texts[3]],
        "texts": mention_texts(doc, ctx.slugs),
        "closest": emitted.closest,
        "strong": emitted.strong,
        "relevancy": relevancy,
        "problems": emitted.problems,
        "triples": len(emitted.triples),
        "counts": emitted.counts,
        "heads": [writer.block([t]) for t in emitted.triples[:emitted.article_quads]] if merged else [],
    }
    view = {"article": article, "summary": as_literal(doc.summary) if emitted.describes else "",
            "sources": [(e, "" if r is None else r, *texts) for e, r, *texts in emitted.sources]}
    return compact, view, trig


Task = tuple[tuple[str, str], ...]  # (document cache key, emission key) of documents of one article


def _parsed(cache: Cache, key: str) -> Document:
    doc = cache.get("docs", key)
    if not isinstance(doc, Document):
        raise RuntimeError(f"parsed document {key} is missing from the build cache")
    return doc


def emit_task(ctx: EmitContext, cache: Cache, task: Task) -> list[tuple[str, bytes, bytes, bytes]]:
    """Some documents of one article -> (emission key, pickled compact data, pickled view data, TriG block)
    of each. The
    article's other documents are read, and what its copies share worked out, once for them all: per
    document, that cost grew with the article's copies (quadratic in them)."""
    docs = [_parsed(cache, key) for key, _ in task]
    copies = None
    if rest := ctx.others(docs[0].doc_id):
        mine = {d.doc_id for d in docs}
        copies = copies_of(docs + [_parsed(cache, key) for doc_id, key in rest if doc_id not in mine])
    out = []
    for doc, (_, ekey) in zip(docs, task, strict=True):
        compact, view, trig = emit_document(doc, ctx, copies)
        out.append((ekey, pickle.dumps(compact, protocol=pickle.HIGHEST_PROTOCOL),
                    pickle.dumps(view, protocol=pickle.HIGHEST_PROTOCOL), trig))
    return out


class _Worker:
    """The state of an emit worker process, set once by its initializer."""

    ctx: EmitContext | None = None
    cache: Cache | None = None


def _init_worker(ctx: EmitContext, cache: Cache) -> None:
    _Worker.ctx, _Worker.cache = ctx, cache  # inherited by fork; the cache opens its own connection here


def _emit_in_worker(task: Task) -> list[tuple[str, bytes, bytes, bytes]]:
    assert _Worker.ctx is not None and _Worker.cache is not None, "emit worker started without its initializer"
    return emit_task(_Worker.ctx, _Worker.cache, task)


def _search_cached(cache: Cache, matcher: MentionMatcher, keys: list[str]) -> set[tuple[str, str, str]]:
    """What the matcher finds in the texts of these cached emissions (one missing since is left out: the
    build makes it again and searches it there)."""
    for _, c in cache.get_many("emit", keys):
        if isinstance(c, dict):
            matcher.feed(c["texts"])
    return matcher.found


@dataclass
class Emissions:
    """What pass 3 gives the corpus level, summed over the documents."""

    ekeys: list[str] = field(default_factory=list)  # emission cache key per built document, in document order
    links: list[Link] = field(default_factory=list)
    closest: list[tuple[str, str]] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    triples: int = 0  # distinct triples in the documents' named graphs
    counts: Counter[str] = field(default_factory=Counter)
    emitted: int = 0  # documents whose RDF was made in this build
    outlooks: list[tuple[str, str, str]] = field(default_factory=list)  # (article, entity, 10-year outlook)
    strong: list[tuple[str, str, str]] = field(default_factory=list)  # (article, Mention, entity), relevancy 5
    relevancy: dict[str, list[int]] = field(default_factory=dict)  # entity -> [sum, count, max] of relevancies


def emit_all(summaries: list[DocSummary], ctx: EmitContext, cache: Cache, matcher: MentionMatcher, workers: int,
             progress: Progress | None) -> Emissions:
    """Emit every document the cache does not hold yet (in worker processes) and gather the corpus data."""
    out = Emissions(ekeys=[emit_key(s, ctx) for s in summaries])
    hits = [cache.has("emit", k) for k in out.ekeys]
    by_article: dict[str, list[tuple[str, str]]] = {}  # one task per article: its documents to emit
    for s, k, hit in zip(summaries, out.ekeys, hits, strict=True):
        if not hit:
            by_article.setdefault(ctx.canonical.get(s.doc_id, s.doc_id), []).append((s.key, k))
    todo = [tuple(t) for t in by_article.values()]
    made = run(_emit_in_worker, todo, workers, progress, "emit", local=partial(emit_task, ctx, cache),
               initializer=_init_worker, initargs=(ctx, cache), size=len)  # in order, as they are made
    ready: dict[str, tuple[bytes, bytes, bytes]] = {}  # emitted, not yet taken: later documents of an article

    def take(k: str) -> tuple[bytes, bytes, bytes]:
        while k not in ready:
            ready.update((e, (d, v, t)) for e, d, v, t in next(made))
        return ready.pop(k)

    cached = [k for k, hit in zip(out.ekeys, hits, strict=True) if hit]
    # the cached documents' texts are searched for technology names in a process beside this one
    searching = Child(partial(_search_cached, cache, matcher, cached)) if parallel(workers, len(cached)) else None
    fresh: list[tuple[str, bytes, bytes, bytes]] = []
    heads: Counter[str] = Counter()
    stored = cache.get_many("emit", cached)  # the hits' entries, in the same order
    for s, k, hit in zip(summaries, out.ekeys, hits, strict=True):
        c = next(stored)[1] if hit else None
        searched = c is not None and searching is not None
        if c is None:
            # (a hit may have left the cache since has(): made here then)
            data, view, trig = take(k) if not hit else emit_task(ctx, cache, ((s.key, k),))[0][1:]
            c = pickle.loads(data)
            fresh.append((k, data, view, trig))
            if len(fresh) >= 200:
                cache.put_many("emit", fresh)
                fresh = []
        article = c["article"]
        out.links.extend((article, sys.intern(b), kind, w) for _, b, kind, w in c["links"])
        out.closest.extend(c["closest"])
        out.outlooks.extend((article, e, outlook) for e, outlook in c["outlooks"])
        for e, (total, count, top) in c["relevancy"].items():
            _add_relevancy(out.relevancy, e, total, count, top)
        out.strong.extend((article, m, e) for m, e in c["strong"])
        out.problems.extend(c["problems"])
        out.triples += c["triples"]
        out.counts.update(c["counts"])
        heads.update(c["heads"])
        if not searched:
            matcher.feed(c["texts"])
    cache.put_many("emit", fresh)
    if searching is not None:
        matcher.found |= searching.result()
    out.triples -= sum(n - 1 for n in heads.values())  # an article several documents describe: one copy each
    out.emitted = sum(len(t) for t in todo)
    return out
