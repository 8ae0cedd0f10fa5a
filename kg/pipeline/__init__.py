"""The build: documents -> records -> RDF -> analytics -> outputs, in passes that keep memory bounded by the
corpus-level data, not by the documents.

  1. parse_pass (worker processes): each file is hashed and parsed once; the Document goes to the build
     cache and only a summary (names, ids, problems) comes back;
  2. corpus.resolve: entity resolution over the names of every document, article identity;
  3. emit_pass (worker processes): each document's triples as a TriG block in the cache, and the
     compact data the corpus level needs (weighted links, mention sources, texts);
  4. corpus, analytics, timeline, tallies and view: the default graph's triples, centrality and clusters,
     trends (in a forked process, beside analytics), the explorer's data;
  5. write: the snapshot and the tallies, the blocks concatenated into graph.ttl and graph.trig, and
     snapshot.json (all in a forked process, beside the explorer page and then trends.csv), the other files,
     then the switch.
Unchanged documents hit the cache in passes 1 and 3 (keyed by content, and for 3 by the node IRIs they use),
so an incremental build parses and emits only what changed; analytics are recomputed for the whole graph.
"""

from __future__ import annotations

import time
from operator import itemgetter
from pathlib import Path

from pyoxigraph import NamedNode

from kg import analyze
from kg.aliases import Aliases
from kg.errors import BaseIriError, StrictFailure
from kg.outputs import OutputDir
from kg.pipeline.analytics import run_analytics
from kg.pipeline.corpus import Corpus, corpus_level, count_nodes, gather, vertices
from kg.pipeline.parse_pass import read_documents
from kg.pipeline.result import BuildResult
from kg.pipeline.snapshot import build_snapshot
from kg.pipeline.timeline import run_trends, write_trends
from kg.pipeline.view import fill_sources, view_data
from kg.pipeline.workers import Child, Progress, fewer_collections, parallel
from kg.pipeline.write import write_graphs, write_json, write_ontology
from kg.snapshot import SNAPSHOT
from kg.sources import check_outputs
from kg.tallies import tally_triples
from kg.trends import Trends
from kg.turtle import Triple3
from kg.viz import write_html
from kg.vocab import DEFAULT_BASE, output_prefixes

__all__ = ["BuildResult", "Corpus", "Progress", "build", "check_base", "corpus_level", "gather", "read_documents",
           "run_analytics", "vertices"]


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
    as_of: str | None = None,
) -> BuildResult:
    """Build the graph of the documents under `sources` into the output folder `out`. `as_of` (an ISO date)
    flags page dates after it as implausible."""
    check_base(base)
    check_outputs(sources, [out])
    result = BuildResult(out)
    outdir = OutputDir(out)
    with outdir.locked(), fewer_collections():
        corpus = gather(sources, base, aliases, outdir.cache if cache else None, workers, progress, result.timings,
                        as_of, [out])
        try:
            _finish(corpus, result, outdir, sources, strict, analytics, seed, resolution, html, progress)
        finally:
            corpus.cache.close()
            if corpus.tmp is not None:
                corpus.tmp.cleanup()
    return result


def check_base(base: str) -> None:
    """Refuse a base IRI from which no node IRI could be made (not absolute, or not an IRI: RFC 3987)."""
    try:
        NamedNode(base + "x")
    except ValueError as exc:
        raise BaseIriError(f"--base {base!r} is not an absolute IRI: {exc}") from None


class _Laps:
    """Seconds per stage, added up into the result's timings."""

    def __init__(self, timings: dict[str, float]) -> None:
        self.timings, self.clock = timings, time.perf_counter()

    def __call__(self, stage: str) -> None:
        now = time.perf_counter()
        self.timings[stage] = self.timings.get(stage, 0.0) + now - self.clock
        self.clock = now


def _finish(corpus: Corpus, result: BuildResult, outdir: OutputDir, sources: list[Path], strict: bool,
            analytics: bool, seed: int, resolution: float, html: bool, progress: Progress | None) -> None:
    """Passes 4 and 5: the corpus level, analytics, the explorer, and the files, switched in at once."""
    lap = _Laps(result.timings)
    result.read, result.built = len(corpus.summaries) + len(corpus.skipped), len(corpus.summaries)
    result.skipped, result.problems = corpus.skipped, corpus.problems
    result.parsed, result.emitted = corpus.parsed, corpus.emitted
    tail, linked = corpus_level(corpus)
    types, labels = vertices(corpus, linked)
    lap("rdf")
    inline = not parallel(corpus.workers, len(corpus.summaries))  # else a second core works beside this
    timeline = Child(lambda: run_trends(corpus, types, labels, corpus.links), inline)  # while analytics run
    metrics: analyze.Centrality | None = None
    levels: list[list[analyze.Cluster]] = []
    if analytics:
        if progress:
            progress("analytics", 0, 1)
        extra, metrics, levels, result.analytics = run_analytics(types, labels, corpus.links, corpus.base, seed,
                                                                 resolution, corpus.cache)
        tail += extra
        lap("analytics")
    time_triples, trends, result.trends = timeline.result()
    tail += time_triples
    lap("trends")
    failing = result.strict_failure() if strict else None
    if failing:
        raise StrictFailure(f"--strict: {len(result.skipped)} skipped, {len(result.warnings)} warnings; "
                            "outputs left unchanged", failing)
    build_dir = outdir.new_build()
    if progress:
        progress("write", 0, 2)
    writing = Child(lambda: _tally_and_write(build_dir, corpus, tail, trends), inline)  # beside the HTML
    if html:
        if progress:
            progress("html", 0, 1)
        title = f"Knowledge graph of {', '.join(sorted({p.resolve().name for p in sources}))}"
        data = view_data(corpus, types, labels, corpus.links, metrics, levels, linked, trends)
        write_html(data, build_dir / "graph.html", title=f"{title} ({result.built} documents)", seed=seed,
                   fill=lambda nodes: fill_sources(corpus, data, nodes))
        lap("html")
    write_trends(build_dir / "trends.csv", trends)  # here, while the other process still writes
    result.nodes, written = writing.result()
    result.triples = corpus.triples + written
    lap("files")
    write_ontology(build_dir)
    write_json(build_dir / "merges.json", corpus.merges, 1)
    write_json(build_dir / "report.json", result.report(), 2)
    outdir.commit(build_dir)
    corpus.cache.mark_many("docs", corpus.doc_keys)
    corpus.cache.mark_many("emit", corpus.ekeys)
    if corpus.tmp is None:
        corpus.cache.prune()
    result.files = sorted(p.name for p in build_dir.iterdir() if p.is_file())
    lap("commit")


def _tally_and_write(folder: Path, corpus: Corpus, tail: list[Triple3], trends: Trends) -> tuple[dict[str, int], int]:
    """The snapshot and the tallies, then graph.ttl, graph.trig and snapshot.json; the typed nodes per class and
    the number of corpus-level triples written."""
    snap = build_snapshot(corpus, tail, corpus.links, trends)
    tail += tally_triples(snap, corpus.strong, corpus.relevancy)
    tail.sort(key=itemgetter(0))  # stable: one block per subject
    write_graphs(folder, corpus, tail, output_prefixes(corpus.base))
    snap.save(folder / SNAPSHOT)
    return count_nodes(corpus, tail), len(tail)
