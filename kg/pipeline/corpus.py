"""Passes 1-3 chained (`gather`), and what the corpus level makes of them: resolution, the default graph's
quads, the vertices of the article-entity view, node counts and the build's problems."""

from __future__ import annotations

import datetime as dt
import functools
import os
import sys
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from kg.aliases import Aliases
from kg.articles import ArticleIds, primary_first, resolve_articles
from kg.cache import Cache
from kg.mentions import MentionMatcher
from kg.model import DocSummary, Problem, Skipped
from kg.pipeline.emit_pass import EmitContext, emit_all
from kg.pipeline.parse_pass import parse_all
from kg.pipeline.workers import Child, Progress, parallel
from kg.project import Link
from kg.rdf import Minter, corpus_triples
from kg.resolve import Resolution, assemble, corpus_acronyms, resolve_kinds
from kg.turtle import Triple3
from kg.vocab import DEFAULT_BASE, KGO, RDF

__all__ = ["Corpus", "corpus_level", "count_nodes", "gather", "vertices"]


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
    outlooks: list[tuple[str, str, str]] = field(default_factory=list)  # (article, entity, 10-year outlook)
    strong: list[tuple[str, str, str]] = field(default_factory=list)  # (article, Mention, entity), relevancy 5
    relevancy: dict[str, list[int]] = field(default_factory=dict)  # entity -> [sum, count, max] of relevancies
    workers: int = 1  # processes the build may run at once

    @functools.cached_property
    def article_labels(self) -> dict[str, str]:
        """Article id -> label (its title, or its id when it has none), for every article of the build; an
        article of several documents takes the title of the one that describes it (primary_first)."""
        labels: dict[str, str] = {}
        for s in primary_first(self.summaries):
            aid = self.canonical.get(s.doc_id, s.doc_id)
            label = s.doc_id if s.title_is_id or not s.title else s.title
            if aid not in labels or (labels[aid] == aid and label != s.doc_id):
                labels[aid] = label
        return labels


def resolve(summaries: list[DocSummary], aliases: Aliases | None, workers: int = 1) -> tuple[Resolution, ArticleIds]:
    """Pass 2: one node per real thing, from every surface form of the corpus; one Article per article. The
    types are resolved each on its own: about half of the forms in a forked process, beside the rest and the
    articles here."""
    counts: dict[str, Counter[str]] = defaultdict(Counter)
    where: dict[tuple[str, str], tuple[str, int]] = {}
    for s in summaries:
        s.forms = [(sys.intern(k), sys.intern(f)) for k, f in s.forms]
        for kind, form in s.forms:
            counts[kind][form] += 1
        for kind, form, line in s.paired:
            where.setdefault((kind, form), (s.path, line))
    acronyms = corpus_acronyms(counts, where)
    here: list[str] = []
    apart: list[str] = []
    load = [0, 0]
    for kind in sorted(counts, key=lambda k: (-len(counts[k]), k)):  # the larger types first, to the lighter side
        side = 0 if load[0] < load[1] else 1
        (here if side == 0 else apart).append(kind)
        load[side] += len(counts[kind])
    beside = Child(lambda: resolve_kinds(counts, aliases, acronyms, apart), not parallel(workers, len(summaries)))
    parts = resolve_kinds(counts, aliases, acronyms, here)
    articles = resolve_articles(summaries)
    parts.update(beside.result())
    return assemble(parts), articles


def collect_problems(summaries: list[DocSummary], skipped: list[Skipped], emitted: list[Problem],
                     res: Resolution, articles: ArticleIds) -> list[Problem]:
    """Every problem of the build, sorted by file and line."""
    problems = [p for s in summaries for p in s.problems] + emitted
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
    return problems


def date_problems(summaries: list[DocSummary], as_of: str | None = None) -> list[Problem]:
    """Page dates to distrust, kept but reported: one more than a year after every other article's date,
    or after `as_of` (an ISO date) when given. Nothing here depends on the day the build runs."""
    dated = sorted(((s.date, s.path, s.title_line) for s in summaries if s.date), reverse=True)
    out = []
    for i, (date, path, line) in enumerate(dated):
        latest_other = dated[1][0] if i == 0 and len(dated) > 1 else (dated[0][0] if i else None)
        late = latest_other is not None and (dt.date.fromisoformat(date)
                                             > dt.date.fromisoformat(latest_other) + dt.timedelta(days=365))
        after = as_of is not None and date > as_of
        if late or after:
            why = f"after --as-of {as_of}" if after else "more than a year after every other article's date"
            out.append(Problem(path, line, "implausible-date",
                               f"page date {date} is {why}; kept, but not to be trusted (time series leave it out)"))
    return out


def gather(sources: list[Path], base: str = DEFAULT_BASE, aliases: Aliases | None = None,
           cache_root: Path | None = None, workers: int | None = None, progress: Progress | None = None,
           timings: dict[str, float] | None = None, as_of: str | None = None,
           outputs: Sequence[Path] = ()) -> Corpus:
    """Passes 1-3: parse, resolve and emit every document under `sources` (the `outputs` folders left out),
    reusing the cache (a temporary one when cache_root is None)."""
    workers = workers or os.cpu_count() or 1
    timings = timings if timings is not None else {}
    clock = time.perf_counter()
    tmp = tempfile.TemporaryDirectory(prefix="kg-cache-") if cache_root is None else None
    cache = Cache(Path(tmp.name) if tmp else cache_root)
    parsed = parse_all(sources, cache, workers, progress, outputs)
    summaries = parsed.summaries
    timings["parse"] = time.perf_counter() - clock
    clock = time.perf_counter()
    res, articles = resolve(summaries, aliases, workers)
    timings["rdf.resolve"] = time.perf_counter() - clock
    members: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for s in summaries:
        members[articles.canonical.get(s.doc_id, s.doc_id)].append((s.doc_id, s.key))
    ctx = EmitContext(base, res.slugs(), articles.canonical,
                      {a: sorted(m) for a, m in members.items() if len(m) > 1})
    cache.save_summaries({s.key: s for s in summaries})
    matcher = MentionMatcher(res)
    emissions = emit_all(summaries, ctx, cache, matcher, workers, progress)
    for s in summaries:
        s.forms = []  # no longer needed; the summaries cache keeps them for the next build
    timings["rdf.emit"] = time.perf_counter() - clock - timings["rdf.resolve"]
    res.mentions = matcher.pairs()
    problems = collect_problems(summaries, parsed.skipped, emissions.problems + date_problems(summaries, as_of), res,
                                articles)
    merges = res.merges()
    merges["articles"] = articles.groups
    merges["related_across_types"] = [[a.kind, a.label, b.kind, b.label] for a, b in res.related]
    merges["technology_mentions"] = len(res.mentions)
    timings["rdf"] = time.perf_counter() - clock
    return Corpus(base, summaries, parsed.skipped, res, articles.canonical, emissions.ekeys, emissions.links,
                  emissions.closest, emissions.triples, emissions.counts, problems, merges, cache, parsed.doc_keys,
                  parsed.parsed, emissions.emitted, tmp, emissions.outlooks, emissions.strong,
                  emissions.relevancy, workers)


def corpus_level(corpus: Corpus) -> tuple[list[Triple3], dict[str, dict[str, int]]]:
    """Default-graph triples of the corpus (before analytics), and the titles Closest links give each article."""
    linked: dict[str, dict[str, int]] = defaultdict(dict)
    for target, title in corpus.closest:
        titles = linked[target]
        if title:
            titles[title] = titles.get(title, 0) + 1
    triples = list(corpus_triples(corpus.resolution, corpus.article_labels, linked, Minter(corpus.base)))
    return triples, linked


def vertices(corpus: Corpus, linked: dict[str, dict[str, int]]) -> tuple[dict[str, str], dict[str, str]]:
    """Types and labels of every vertex of the article-entity view."""
    mint = Minter(corpus.base)
    types: dict[str, str] = {}
    labels: dict[str, str] = {}
    for e in corpus.resolution.entities:
        iri = mint.entity_iri(e)
        types[iri], labels[iri] = e.kind, e.label
    article_labels = corpus.article_labels
    for aid, label in article_labels.items():
        iri = mint.article_iri(aid)
        types[iri], labels[iri] = "Article", label
    for target, titles in linked.items():
        if target not in article_labels:
            iri = mint.article_iri(target)
            types[iri] = "Article"
            labels[iri] = min(titles, key=lambda t: (-titles[t], t)) if titles else target
    return types, labels


def count_nodes(corpus: Corpus, tail: list[Triple3]) -> dict[str, int]:
    """Distinct typed nodes per kgo class: per-document nodes from the emissions, the rest from the corpus."""
    counts: Counter[str] = Counter(corpus.counts)
    counts["Article"] += len({corpus.canonical.get(s.doc_id, s.doc_id) for s in corpus.summaries})
    rdf_type = RDF.type.value
    for _, p, o in tail:
        if p == rdf_type and isinstance(o, str) and (kind := KGO.local(o)):
            counts[kind] += 1
    return dict(counts)
