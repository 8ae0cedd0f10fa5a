"""The one place that chains the stages: sources -> records -> RDF -> analytics -> outputs."""

from __future__ import annotations

import json
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from pyoxigraph import Quad

from kg import __version__, analyze
from kg.enrich import cluster_quads, metric_quads, participation_quads
from kg.errors import StrictFailure
from kg.export import write_trig, write_turtle
from kg.model import Document, Problem, Skipped
from kg.outputs import OutputDir
from kg.parse import parse_bytes
from kg.project import COOC_NEIGHBOURS, DEFAULT_WEIGHT, cooccurrence, project
from kg.rdf import Minter, corpus_quads, document_quads
from kg.resolve import Aliases, resolve, resolve_articles
from kg.sources import find_sources
from kg.viz import collect, write_html
from kg.vocab import DEFAULT_BASE, KGO_NS, RDF_NS, SEGMENTS, output_prefixes

Progress = Callable[[str, int, int], None]


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

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "warning"]

    def report(self) -> dict[str, object]:
        """The deterministic build report (no timings, no absolute paths)."""
        codes = Counter(p.code for p in self.problems)
        return {
            "kg_version": __version__,
            "documents": {"read": self.read, "built": self.built, "skipped": len(self.skipped)},
            "skipped": [{"file": s.path, "reason": s.reason} for s in self.skipped],
            "graph": {"triples": self.triples, "nodes": dict(sorted(self.nodes.items()))},
            "analytics": self.analytics,
            "problems": {"warnings": len(self.warnings), "info": len(self.problems) - len(self.warnings),
                         "by_code": dict(sorted(codes.items()))},
            "warnings": [p.as_dict() for p in self.problems],
        }


def read_documents(paths: list[Path], progress: Progress | None = None) -> tuple[list[Document], list[Skipped], int]:
    """Find and parse every source document; unreadable or non-summary files are skipped with a reason."""
    sources, skipped = find_sources(paths)
    docs: list[Document] = []
    for i, src in enumerate(sources):
        try:
            data = src.path.read_bytes()
        except OSError as exc:
            skipped.append(Skipped(src.rel, f"unreadable: {exc.strerror or exc}"))
            continue
        result = parse_bytes(data, src.doc_id, src.rel)
        if isinstance(result, Skipped):
            skipped.append(result)
        else:
            docs.append(result)
        if progress:
            progress("parse", i + 1, len(sources))
    skipped.sort(key=lambda s: s.path)
    return docs, skipped, len(docs) + len(skipped)


def count_nodes(quads: list[Quad]) -> dict[str, int]:
    """Distinct typed nodes per kgo class."""
    type_iri = RDF_NS + "type"
    typed = {(q.subject.value, q.object.value) for q in quads if q.predicate.value == type_iri}
    return dict(Counter(o[len(KGO_NS):] for _, o in typed if o.startswith(KGO_NS)))


def run_analytics(quads: list[Quad], base: str, seed: int, resolution: float, result: BuildResult) -> list[Quad]:
    """Project, compute centrality and clusters, and return them as quads; record how in the result."""
    proj = project(quads)
    metrics = analyze.centrality(proj.graph, seed=seed)
    cooc = cooccurrence(proj)
    levels = analyze.clusters(cooc, metrics.pagerank, proj.labels, seed=seed, resolution=resolution)
    g = proj.graph
    result.analytics = {
        "projection": {"vertices": g.number_of_nodes(), "edges": g.number_of_edges(),
                       "default_weight": DEFAULT_WEIGHT},
        "cooccurrence": {"vertices": cooc.number_of_nodes(), "edges": cooc.number_of_edges(),
                         "neighbours_kept": COOC_NEIGHBOURS},
        "betweenness": metrics.info["betweenness"],
        "eigenvector": metrics.info["eigenvector"],
        "clusters": {"seed": seed, "resolution": resolution, "per_level": [len(level) for level in levels]},
    }
    return (list(metric_quads(metrics)) + list(participation_quads(analyze.participation(cooc, levels)))
            + list(cluster_quads(levels, base)))


@dataclass
class Prepared:
    """Documents read and turned into quads, before analytics."""

    base: str
    docs: list[Document]
    skipped: list[Skipped]
    read: int
    quads: list[Quad]  # per-document named graphs, in document order
    corpus: list[Quad]  # default graph
    problems: list[Problem]
    merges: dict[str, object]


def prepare(sources: list[Path], base: str = DEFAULT_BASE, progress: Progress | None = None,
            timings: dict[str, float] | None = None, aliases: Aliases | None = None) -> Prepared:
    """Read, parse, resolve and emit quads for every document under `sources`."""
    clock = time.perf_counter()
    docs, skipped, read = read_documents(sources, progress)
    if timings is not None:
        timings["parse"] = time.perf_counter() - clock
    res = resolve(docs, aliases)
    articles = resolve_articles(docs)
    mint = Minter(base)
    emitted = [document_quads(doc, res, articles, mint) for doc in docs]
    quads = [q for em in emitted for q in em.quads]
    corpus = list(corpus_quads(docs, emitted, res, articles, mint))
    problems = [p for doc in docs for p in doc.problems] + [p for em in emitted for p in em.problems]
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
    return Prepared(base, docs, skipped, read, quads, corpus, problems, merges)


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
) -> BuildResult:
    """Build the graph of the documents under `sources` into the output folder `out`."""
    result = BuildResult(out)
    clock = time.perf_counter()

    def lap(stage: str) -> None:
        nonlocal clock
        now = time.perf_counter()
        result.timings[stage] = result.timings.get(stage, 0.0) + now - clock
        clock = now

    outdir = OutputDir(out)
    with outdir.locked():
        prep = prepare(sources, base, progress, result.timings, aliases)
        result.read, result.built, result.skipped = prep.read, len(prep.docs), prep.skipped
        result.problems = prep.problems
        quads, corpus = prep.quads, prep.corpus
        now = time.perf_counter()
        result.timings["rdf"] = now - clock - result.timings["parse"]
        clock = now
        if analytics:
            corpus += run_analytics(quads + corpus, base, seed, resolution, result)
            lap("analytics")
        corpus.sort(key=lambda q: q.subject.value)  # stable: one block per subject in Turtle
        quads += corpus
        result.nodes = count_nodes(quads)
        if strict and (result.warnings or result.skipped):
            problems_text = [f"{s.path}: skipped: {s.reason}" for s in result.skipped]
            problems_text += [f"{p.file}:{p.line}: {p.code}: {p.message}" for p in result.warnings]
            raise StrictFailure(f"--strict: {len(result.skipped)} skipped, {len(result.warnings)} warnings; "
                                "outputs left unchanged", problems_text)
        build_dir = outdir.new_build()
        prefixes = output_prefixes(base)
        result.triples = write_turtle(quads, build_dir / "graph.ttl", prefixes, f"{base}{SEGMENTS['Article']}/")
        write_trig(quads, build_dir / "graph.trig", prefixes)
        lap("serialize")
        if html:
            title = f"Knowledge graph of {', '.join(sorted({p.resolve().name for p in sources}))}"
            write_html(collect(quads), build_dir / "graph.html", title=f"{title} ({result.built} documents)",
                       seed=seed)
            lap("html")
        (build_dir / "merges.json").write_text(json.dumps(prep.merges, indent=1, ensure_ascii=False) + "\n",
                                               encoding="utf-8")
        (build_dir / "report.json").write_text(json.dumps(result.report(), indent=2, ensure_ascii=False) + "\n",
                                               encoding="utf-8")
        outdir.commit(build_dir)
        result.files = sorted(p.name for p in build_dir.iterdir() if p.is_file())
        lap("commit")
    return result
