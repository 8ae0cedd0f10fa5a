"""The `kg` command line: click commands that call the library, nothing else."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click

from kg import __version__
from kg.cli.output import (
    Reporter,
    binned_shares,
    emit,
    errors,
    format_option,
    graph_option,
    param_values,
    show_result,
    sparkline,
)
from kg.vocab import DEFAULT_BASE

__all__ = ["main"]

COUNT = click.IntRange(min=0)


class IsoDate(click.ParamType):
    """A calendar date written YYYY-MM-DD, passed on as that text."""

    name = "YYYY-MM-DD"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> str:
        import datetime as dt

        try:
            return dt.datetime.strptime(str(value), "%Y-%m-%d").date().isoformat()
        except ValueError:
            self.fail(f"{value!r} is not a date written YYYY-MM-DD", param, ctx)


ISO_DATE = IsoDate()
EXPORT_FORMATS = ["graphml", "gexf", "csv", "jsonld", "nquads", "nt"]  # kg.export.FORMATS, without importing it


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="kg")
def main() -> None:
    """Build and explore a knowledge graph of article summaries."""


@main.command()
@click.argument("sources", nargs=-1, type=click.Path(path_type=Path))
@click.option("--out", type=click.Path(path_type=Path), default=Path("outputs"), show_default=True,
              help="Output folder.")
@click.option("--base", default=DEFAULT_BASE, show_default=True, help="Base IRI of the graph's nodes.")
@click.option("--strict", is_flag=True, help="Exit non-zero, leaving outputs unchanged, on any warning or skip.")
@click.option("--analytics/--no-analytics", default=True, show_default=True,
              help="Compute centrality and clusters and write them into the graph.")
@click.option("--seed", type=int, default=42, show_default=True, help="Seed of sampled betweenness and Louvain.")
@click.option("--resolution", type=float, default=1.0, show_default=True,
              help="Louvain resolution: above 1 gives more, smaller clusters.")
@click.option("--aliases", type=click.Path(exists=True, dir_okay=False, path_type=Path), default=None,
              help="YAML or CSV file of merges to force or forbid (see README).")
@click.option("--cache/--no-cache", default=True, show_default=True,
              help="Reuse parsed documents and their RDF from earlier builds (in OUT/.kg/cache).")
@click.option("--as-of", "as_of", type=ISO_DATE, default=None,
              help="Flag page dates after this day as implausible (they are kept).")
@click.option("--workers", type=click.IntRange(min=1), default=None, help="Worker processes (default: one per CPU).")
@click.option("-q", "--quiet", is_flag=True, help="No progress output.")
@errors
def build(sources: tuple[Path, ...], out: Path, base: str, strict: bool, analytics: bool, seed: int,
          resolution: float, aliases: Path | None, cache: bool, as_of: str | None, workers: int | None,
          quiet: bool) -> None:
    """Build the graph from SOURCES (files or folders; default seeds/) into --out.

    Example: kg build seeds/ --out outputs/
    """
    from kg.aliases import load_aliases
    from kg.pipeline import build as run_build

    reporter = Reporter(quiet)
    try:
        result = run_build(list(sources) or [Path("seeds")], out, base=base, strict=strict, analytics=analytics,
                           seed=seed, resolution=resolution, aliases=load_aliases(aliases) if aliases else None,
                           progress=reporter, cache=cache, workers=workers,
                           as_of=as_of)
    finally:
        reporter.close()
    nodes = ", ".join(f"{n:,} {t}" for t, n in sorted(result.nodes.items(), key=lambda kv: (-kv[1], kv[0])))
    click.echo(f"Read {result.read} files: built {result.built} documents, skipped {len(result.skipped)}.")
    click.echo(f"Graph: {result.triples:,} triples; {nodes}.")
    info = len(result.problems) - len(result.warnings)
    click.echo(f"Problems: {len(result.warnings)} warnings, {info} notes (details in {out / 'report.json'}).")
    for s in result.skipped[:10]:
        click.echo(f"  skipped {s.path}: {s.reason}")
    if len(result.skipped) > 10:
        click.echo(f"  ... and {len(result.skipped) - 10} more skipped (see report.json)")
    click.echo("Wrote " + ", ".join(str(out / f) for f in result.files) + ".")
    if "graph.html" in result.files:
        click.echo(f"Open the explorer: {out / 'graph.html'}")


@main.command()
@graph_option
@click.option("--shapes", type=click.Path(path_type=Path, exists=True), default=None,
              help="SHACL shapes file (default: the ontology's shapes.ttl).")
@errors
def validate(graph_dir: Path, shapes: Path | None) -> None:
    """Check a built graph against the SHACL shapes; exit 1 if it does not conform.

    Example: kg validate --graph outputs/
    """
    from kg.validate import validate_graph

    conforms, text = validate_graph(graph_dir, shapes)
    click.echo(text.rstrip())
    if not conforms:
        sys.exit(1)


def _open(graph_dir: Path) -> Any:
    from kg.store import BuiltGraph

    return BuiltGraph(graph_dir)


@main.command()
@graph_option
@format_option("table", "json")
@errors
def stats(graph_dir: Path, fmt: str) -> None:
    """Counts per type, density, components and clusters per level of a built graph.

    Example: kg stats --graph outputs/
    """
    from kg.explore import stats as graph_stats

    data = graph_stats(_open(graph_dir))
    if fmt == "json":
        click.echo(json.dumps(data, indent=2))
        return
    articles = data["articles"]
    rows = [{"measure": "articles", "value": f"{articles['built']:,} from documents, {articles['referenced']:,} more "
             "referenced by Closest links only"}]
    rows += [{"measure": f"nodes: {t}", "value": n} for t, n in data["nodes"].items() if t != "Article"]
    rows += [{"measure": k.replace("_", " "), "value": data[k]} for k in (
        "triples", "vertices", "edges", "density", "components", "largest_component")]
    rows += [{"measure": f"clusters at level {lv}", "value": n} for lv, n in data["clusters_per_level"].items()]
    emit(rows, "table", ["measure", "value"], title="Graph statistics")


@main.command()
@graph_option
@click.option("--type", "types", multiple=True, help="Node type (repeatable); default: every content type.")
@click.option("--class", "cls", type=click.Choice(["rising", "fading", "new", "steady", "burst"]),
              help="Only nodes of this class (burst: with a burst).")
@click.option("--period", type=click.Choice(["month", "quarter", "year"]), default="month", show_default=True)
@click.option("--since", type=ISO_DATE, help="First date of the window; the trends are recomputed over it.")
@click.option("--until", type=ISO_DATE, help="Last date of the window.")
@click.option("--top", "count", type=COUNT, default=20, show_default=True, help="How many nodes.")
@click.option("--plot", type=click.Path(dir_okay=False, path_type=Path), help="Write the weak-signal map (SVG).")
@format_option("table", "json", "csv")
@errors
def trends(graph_dir: Path, types: tuple[str, ...], cls: str | None, period: str, since: str | None,
           until: str | None, count: int, plot: Path | None, fmt: str) -> None:
    """What is rising, fading, new or bursting: each node's share of the period's articles over time.

    Example: kg trends --type Technology --class rising --top 10
    """
    from kg.explore import trend_rows, trends_of

    if since and until and since > until:
        raise click.BadParameter(f"--since {since} is after --until {until}", param_hint="--since")
    result = trends_of(_open(graph_dir), period, since, until)
    rows = trend_rows(result, types, cls, count)
    if plot:
        from kg.trendplot import weak_signal_svg

        n = weak_signal_svg(result, plot, types)
        click.echo(f"Wrote {plot}: {n} nodes on the weak-signal map.", err=True)
    if fmt == "json":
        emit(rows, fmt, [])
        return
    for r in rows:
        r["trend"] = sparkline(binned_shares(r["series"], 24))
        r["bursts"] = ", ".join(f"{b['start'][:7]}..{b['end'][:7]} ({b['strength']:.1f})" for b in r["bursts"])
        r["p"] = "" if r["p"] is None else f"{r['p']:.2g}"
        r["slope"] = "" if r["slope"] is None else f"{r['slope']:+.4f}"
    span = f"{result.periods[0]}..{result.periods[-1]}" if result.periods else "no dated articles"
    emit(rows, fmt, ["label", "type", "class", "slope", "p", "first_seen", "last_seen", "articles", "bursts",
                     "quadrant"] + (["trend"] if fmt == "table" else ["iri"]),
         title=f"Trends by {period}, {span} ({result.undated} undated articles left out); slope: share per year")


@main.command()
@graph_option
@click.option("--type", "types", multiple=True, help="Node type to rank (repeatable); default: content types.")
@click.option("--by", default="pagerank", show_default=True,
              type=click.Choice(["pagerank", "degree", "weighted_degree", "betweenness", "eigenvector"]))
@click.option("-n", "count", type=COUNT, default=10, show_default=True, help="How many nodes.")
@click.option("--referenced", is_flag=True, help="Rank articles known only from Closest links too.")
@format_option("table", "csv", "json")
@errors
def top(graph_dir: Path, types: tuple[str, ...], by: str, count: int, referenced: bool, fmt: str) -> None:
    """The highest-ranked nodes by a centrality metric.

    Example: kg top --type Technology --by betweenness -n 5
    """
    from kg.explore import top as rank

    rows = rank(_open(graph_dir), types, by, count, referenced)
    cols = ["rank", "type", "label", by] + [c for c in ("pagerank", "degree", "betweenness") if c != by]
    cols += [] if types else ["also"]  # the other nodes of each concept family
    emit(rows, fmt, cols, title=f"Top {count} by {by}")


@main.command()
@graph_option
@click.option("--level", type=COUNT, default=None, help="Hierarchy level (0 = coarsest, the default).")
@format_option("table", "csv", "json")
@errors
def clusters(graph_dir: Path, level: int | None, fmt: str) -> None:
    """Clusters of one level: label, size, parent and top members per type.

    Example: kg clusters --level 1
    """
    from kg.explore import cluster_rows

    rows = cluster_rows(_open(graph_dir), level)
    emit(rows, fmt, ["id", "size", "label", "parent", "top"], title=f"Clusters at level {rows[0]['level']}")


@main.command()
@graph_option
@click.option("--top", type=click.IntRange(min=1), default=500, show_default=True,
              help="Most nodes on the page (by PageRank).")
@click.option("--type", "types", multiple=True, help="Only nodes of this type (repeatable).")
@click.option("--cluster", default=None, help="Only this cluster's members and their articles (id from kg clusters).")
@click.option("--focus", default=None, help="A node (any of its names) and its neighbourhood.")
@click.option("--depth", type=COUNT, default=1, show_default=True, help="Neighbourhood depth for --focus.")
@click.option("--out", type=click.Path(path_type=Path), default=None,
              help="Page to write (default: view.html in the graph folder).")
@errors
def html(graph_dir: Path, top: int, types: tuple[str, ...], cluster: str | None, focus: str | None, depth: int,
         out: Path | None) -> None:
    """Write another view of a built graph as a self-contained HTML page.

    Example: kg html --focus "Mistral 7B" --depth 2 --out mistral.html
    """
    from kg.viz import write_view

    target = out or graph_dir / "view.html"
    view = write_view(_open(graph_dir), target, top, types, cluster, focus, depth)
    click.echo(f"Wrote {target}: {len(view.nodes)} of {view.total} nodes ({view.how}), {len(view.edges)} edges.")


@main.command()
@click.argument("text", required=False)
@click.option("-f", "--file", "file", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Read the query from a .rq file.")
@click.option("--name", help="Run a named query (see --list).")
@click.option("--param", "params", multiple=True, metavar="NAME=VALUE", help="Parameter of a named query.")
@click.option("--list", "list_", is_flag=True, help="List the named queries and their parameters.")
@click.option("--endpoint", help="Run on a remote SPARQL endpoint (e.g. http://host:7878/query) instead.")
@graph_option
@format_option("table", "csv", "tsv", "json", "xml", "turtle", "nt")
@click.option("--max-rows", type=COUNT, default=None, help="Stop after this many rows.")
@errors
def query(text: str | None, file: Path | None, name: str | None, params: tuple[str, ...], list_: bool,
          endpoint: str | None, graph_dir: Path, fmt: str, max_rows: int | None) -> None:
    """Run a SPARQL query (our prefixes are predeclared): QUERY text, -f FILE.rq or --name NAME.

    SELECT and ASK print rows; CONSTRUCT and DESCRIBE print Turtle.

    Example: kg query --name concerns-with-technology --param technology="Mistral 7B"
    """
    from kg.sparql import bind, check_syntax, named_queries, named_query, run_local, run_remote

    if list_:
        queries = named_queries()
        rows = [{"name": q.name, "parameters": ", ".join(f"{k}={v}" for k, v in q.params.items()),
                 "description": q.description} for q in queries.values()]
        emit(rows, "csv" if fmt == "csv" else ("json" if fmt == "json" else "table"),
             ["name", "parameters", "description"], title="Named queries")
        return
    given = [x for x in (text, file, name) if x]
    if len(given) != 1:
        raise click.UsageError("give exactly one of QUERY, -f FILE or --name NAME (or --list)")
    if name:
        sparql = bind(named_query(name), param_values(params))
    else:
        if params:
            raise click.UsageError("--param applies to named queries (--name)")
        sparql = file.read_text(encoding="utf-8") if file else str(text)
    if endpoint:
        check_syntax(sparql)
        result = run_remote(endpoint, sparql, max_rows=max_rows)
    else:
        graph = _open(graph_dir)
        result = run_local(graph.store(), sparql, max_rows, base=graph.base)
    show_result(result, fmt)


@main.command()
@graph_option
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", type=click.IntRange(0, 65535), default=7878, show_default=True)
@click.option("--timeout", type=click.FloatRange(min=0, min_open=True), default=10.0, show_default=True,
              help="Seconds a query may run.")
@click.option("--max-rows", type=click.IntRange(min=1), default=10_000, show_default=True,
              help="Rows (or triples) per answer.")
@click.option("--workers", type=click.IntRange(min=1), default=2, show_default=True, help="Query worker processes.")
@errors
def serve(graph_dir: Path, host: str, port: int, timeout: float, max_rows: int, workers: int) -> None:
    """Serve a read-only SPARQL 1.1 endpoint at /sparql and the HTML explorer at /.

    It answers from the build that is live when it starts and switches to each newer build of the folder
    once that one is ready (within a second or so); the build it answers from is never removed under it.

    Example: kg serve --port 7878, then curl 'http://127.0.0.1:7878/sparql?query=ASK{?s?p?o}'
    """
    from kg.serve import Endpoint, Limits

    endpoint = Endpoint(graph_dir, host, port, Limits(timeout=timeout, max_rows=max_rows, workers=workers))
    click.echo(f"SPARQL endpoint: {endpoint.url}/sparql   explorer: {endpoint.url}/   (Ctrl-C to stop)")
    try:
        endpoint.serve_forever()
    except KeyboardInterrupt:
        click.echo("stopped")


@main.command()
@click.option("--store", "store_url", required=True,
              help="Graph Store Protocol endpoint, e.g. http://host:7878/store (Oxigraph) or .../ds/data (Fuseki).")
@graph_option
@click.option("--into", "into", default=None, metavar="IRI",
              help="The named graph to write into (default: the default graph).")
@click.option("--graphs", "per_graph", is_flag=True,
              help="Keep the named graphs: each document's graph into the graph of its name, the corpus facts into "
                   "the default graph (instead of every triple into one graph).")
@click.option("--replace", is_flag=True, help="Replace the graph's content instead of adding to it.")
@click.option("--batch", type=int, default=50_000, show_default=True, help="Triples per request.")
@errors
def push(store_url: str, graph_dir: Path, into: str | None, per_graph: bool, replace: bool, batch: int) -> None:
    """Upload the built graph to a SPARQL server through its Graph Store Protocol endpoint.

    Example: kg push --store http://127.0.0.1:7878/store --into https://example.org/graph/signals --replace
    """
    from kg.sparql import push as gsp_push
    from kg.sparql import push_dataset

    if per_graph and into:
        raise click.UsageError("--graphs writes each graph under its own name; it takes no --into")
    graph = _open(graph_dir)
    total = graph.triple_count()

    def progress(sent: int) -> None:
        share = f" ({100 * sent / total:.0f}%)" if total else ""
        click.echo(f"  sent {sent:,} of {total:,} triples{share}", err=True)

    done = " (replaced)." if replace else "."
    if per_graph:
        sent, named = push_dataset(store_url, graph.quads(), replace, batch, progress=progress)
        click.echo(f"Pushed {sent:,} triples into {named:,} named graphs and the default graph of {store_url}{done}")
        return
    sent = gsp_push(store_url, graph.triples(), into, replace, batch, progress=progress)
    target = f"named graph <{into}>" if into else "the default graph"
    click.echo(f"Pushed {sent:,} triples to {target} of {store_url}{done}")


@main.command(name="export")
@graph_option
@click.option("--format", "fmt", required=True, type=click.Choice(EXPORT_FORMATS))
@click.option("--out", type=click.Path(path_type=Path), default=None,
              help="File to write (a folder for csv); default: export.<ext> in the graph folder.")
@errors
def export_cmd(graph_dir: Path, fmt: str, out: Path | None) -> None:
    """Export the graph for other tools: GraphML/GEXF (Gephi, Cytoscape), CSV tables, JSON-LD and N-Quads (one
    named graph per document, as in graph.trig), N-Triples (every graph merged).

    Example: kg export --format gexf --out graph.gexf
    """
    from kg.export import export

    target, what = export(_open(graph_dir), fmt, out)
    click.echo(f"Wrote {target}: {what}.")


@main.command()
@graph_option
@click.option("--type", "types", multiple=True, help="Only merges of this node type (repeatable).")
@format_option("table", "csv", "json")
@errors
def merges(graph_dir: Path, types: tuple[str, ...], fmt: str) -> None:
    """List every merge of surface forms into one node, with the rule that made it, and what was kept apart.

    Undo a wrong merge with a `forbid` entry in an alias file (kg build --aliases FILE).

    Example: kg merges --type Technology
    """
    data = _open(graph_dir).merges()
    entities = [e for e in data["entities"] if not types or e["type"] in types]
    if fmt == "json":
        click.echo(json.dumps({**data, "entities": entities}, indent=2, ensure_ascii=False))
        return
    rows = [{"type": e["type"], "label": e["label"], "form": f["form"], "count": f["count"], "rule": f["rule"]}
            for e in entities for f in e["forms"] if f["form"] != e["label"]]
    emit(rows, fmt, ["type", "label", "form", "count", "rule"], title=f"{len(entities)} merged nodes")
    if fmt == "table":
        for a in data["ambiguous_acronyms"]:
            click.echo(f"ambiguous {a['type']} acronym {a['acronym']!r}: {'; '.join(a['expansions'])} (not merged)")
        for b in data["blocked"]:
            click.echo(f"kept apart by the alias file ({b['type']}): {' / '.join(b['forms'])}")
        for g in data.get("articles", []):
            click.echo(f"one article under ids {', '.join(g['ids'])} ({'; '.join(g['rules'])})")
        related = data.get("related_across_types", [])
        if related:
            click.echo(f"{len(related)} pairs of nodes of different types name one concept (kgo:relatedConcept, "
                       f"not merged), e.g.:")
            for a_type, a_label, b_type, b_label in related[:5]:
                click.echo(f"  {a_type} {a_label!r} ~ {b_type} {b_label!r}")
        mentions = data.get("technology_mentions", 0)
        if mentions:
            click.echo(f"{mentions} links from signals, concerns, behaviors and issues to the technologies "
                       "they name (kgo:mentionsEntity)")


@main.command(name="diff")
@click.argument("old", required=False, type=click.Path(path_type=Path))
@click.argument("new", required=False, type=click.Path(path_type=Path))
@click.option("--previous", is_flag=True, help="Compare --graph's build with the build it replaced.")
@graph_option
@click.option("--top", "count", type=COUNT, default=10, show_default=True, help="Rows per list (table, md).")
@format_option("table", "json", "md")
@errors
def diff_cmd(old: Path | None, new: Path | None, previous: bool, graph_dir: Path, count: int, fmt: str) -> None:
    """What changed from build OLD to build NEW: documents, nodes, rank movers, clusters, new relations, trends.

    Example: kg diff --previous   (or: kg diff outputs-last-week/ outputs/)
    """
    from kg.api import load

    if previous == bool(old):
        raise click.UsageError("give OLD and NEW build folders, or --previous (with --graph)")
    if old and not new:
        raise click.UsageError("give both OLD and NEW")
    after = load(new or graph_dir)
    before = load(old) if old else after.previous()
    result = after.diff(before, None if fmt == "json" else count)
    if fmt == "json":
        click.echo(json.dumps(result.to_json(), ensure_ascii=False))
        return
    assert before is not None
    if fmt == "md":
        from kg.report import diff_markdown

        click.echo(diff_markdown(result, after.snapshot(), before.snapshot(), count), nl=False)
        return
    a, n, c = result.articles, result.nodes, result.clusters
    click.echo(f"{result.old} -> {result.new}: documents {len(a['added']):,} added, {len(a['removed']):,} removed, "
               f"{len(a['changed']):,} changed; nodes {len(n['added']):,} added, {len(n['removed']):,} removed.")
    for key in ("added", "removed"):
        if n["per_type"][key]:
            click.echo(f"  nodes {key}: " + ", ".join(f"{v:,} {t}" for t, v in n["per_type"][key].items()))
    click.echo(f"Clusters: ARI {c['ari']:.3f}, NMI {c['nmi']:.3f} over {c['common_nodes']:,} nodes in both; "
               f"{c['old']} -> {c['new']} coarse clusters; {len(c['split'])} split, {len(c['merged'])} merged, "
               f"{len(c['appeared'])} appeared, {len(c['vanished'])} vanished.")
    for key in ("added", "removed", "changed"):
        if a[key]:
            emit(a[key][:count], "table", ["id", "title", "date"], title=f"Documents {key}")
    for key in ("added", "removed"):
        rows = [{**r, "articles": len(r["articles"])} for r in n[key][:count]]
        if rows:
            emit(rows, "table", ["type", "label", "articles"], title=f"Nodes {key}")
    movers = result.movers["up"] + result.movers["down"]
    if movers:
        emit(movers, "table", ["type", "label", "old_rank", "new_rank"], title="Rank movers (PageRank)")
    rel = [{"a": f"{r['a']['type']} {r['a']['label']}", "b": f"{r['b']['type']} {r['b']['label']}",
            "support": r["support"]} for r in result.relations["added"]]
    if rel:
        emit(rel, "table", ["a", "b", "support"], title="New relations (never together before)")
    if result.trends:
        emit(result.trends[:count], "table", ["type", "label", "old", "new"], title="Trend class changes")


@main.command(name="gaps")
@graph_option
@click.option("--recent", type=click.IntRange(min=1), default=3, show_default=True,
              help="A category with no signal in the corpus's last this many months is reported.")
@click.option("--top", "count", type=COUNT, default=10, show_default=True, help="Rows per list (table, md).")
@format_option("table", "json", "md")
@errors
def gaps_cmd(graph_dir: Path, recent: int, count: int, fmt: str) -> None:
    """Blind spots: unscrutinised technology clusters, unanswered concerns, categories without outlooks or
    recent signals, one-article signals of rising technologies, signals whose outlooks disagree.

    Example: kg gaps --format md > gaps.md
    """
    from kg.api import load

    graph = load(graph_dir)
    result = graph.gaps(recent)
    if fmt == "json":
        click.echo(json.dumps(result.to_json(), ensure_ascii=False))
        return
    if fmt == "md":
        from kg.report import gaps_markdown

        click.echo(gaps_markdown(result, graph.snapshot(), count), nl=False)
        return
    click.echo(f"{result.count():,} gaps.")

    def section(rows: list[dict[str, Any]], columns: list[str], title: str) -> None:
        if rows:
            emit(rows, "table", columns, title=title)
        else:
            click.echo(f"{title}: none.")

    section([{**r, "technologies": ", ".join(r["technologies"][:6]), "articles": len(r["articles"])}
             for r in result.unscrutinised[:count]], ["level", "label", "technologies", "articles"],
            f"Technology clusters no article links to a concern or issue ({len(result.unscrutinised)})")
    section([{**r, "articles": len(r["articles"])} for r in result.unanswered[:count]], ["label", "articles"],
            f"Concerns no behaviour or issue answers ({len(result.unanswered)})")
    section([{**r, "gaps": "; ".join(r["gaps"])} for r in result.categories],
            ["label", "articles", "signals", "signals_with_outlook", "last_signal", "gaps"],
            "Categories and 10-year outlooks")
    section(result.follow_up[:count], ["label", "technology_label", "title", "date"],
            f"Signals named once whose technology is rising ({len(result.follow_up)})")
    section([{"label": r["label"], "articles": len(r["outlooks"]),
              "outlooks": " / ".join(v["outlook"][:60] for v in r["outlooks"][:3])}
             for r in result.disagreements[:count]], ["label", "articles", "outlooks"],
            f"Signals with different outlooks in several articles ({len(result.disagreements)})")


@main.command(name="report")
@graph_option
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="File to write (default: report.html or report.md in --graph).")
@click.option("--since", type=ISO_DATE, help="Also list what is new since this date.")
@click.option("--compare/--no-compare", default=True, show_default=True,
              help="Say what changed since the previous build, when there is one.")
@format_option("html", "md")
@errors
def report_cmd(graph_dir: Path, out: Path | None, since: str | None, compare: bool, fmt: str) -> None:
    """One page to send: the corpus at a glance, trends with sparklines, the weak-signal map, clusters, gaps
    and what changed; HTML (offline, prints on A4) or Markdown with SVG images beside it.

    Example: kg report --out report.html
    """
    from kg.api import load

    target = out or graph_dir / f"report.{fmt}"
    written = load(graph_dir).report(target, fmt, since, compare)
    click.echo(f"Wrote {target}" + (f" and {len(written) - 1} images in {written[1].parent}" if len(written) > 1
                                     else "") + ".")


@main.command(name="check")
@click.argument("sources", nargs=-1, type=click.Path(path_type=Path))
@graph_option
@click.option("--show", type=int, default=20, show_default=True, help="Losses to list.")
@errors
def check_cmd(sources: tuple[Path, ...], graph_dir: Path, show: int) -> None:
    """Re-read SOURCES (default seeds/) and check that every bullet, cell, title, link and page id is in the
    graph built from them, or named in its report; exit 1 on any silent loss.

    Example: kg check seeds/ --graph outputs/
    """
    from kg.check import check

    result = check(list(sources) or [Path("seeds")], graph_dir)
    click.echo(f"Checked {result.documents} documents ({result.skipped_files} skipped by the build, with reasons): "
               f"{result.atoms:,} pieces of content, {result.found:,} found in the graph, "
               f"{result.reported:,} accounted for by the report, {len(result.losses):,} lost silently.")
    for loss in result.losses[:show]:
        click.echo(f"  lost: {loss.file}:{loss.line}: {loss.atom[:120]!r}")
    if len(result.losses) > show:
        click.echo(f"  ... and {len(result.losses) - show} more")
    if not result.ok:
        sys.exit(1)
