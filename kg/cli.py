"""The `kg` command line: click commands that call the library, nothing else."""

from __future__ import annotations

import csv
import functools
import io
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from kg import __version__
from kg.errors import KgError, StrictFailure
from kg.vocab import DEFAULT_BASE

F = TypeVar("F", bound=Callable[..., Any])


def _errors(func: F) -> F:
    """Turn library exceptions into one-line errors with exit code 1 (2 for usage)."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except StrictFailure as exc:
            for line in exc.problems:
                click.echo(f"  {line}", err=True)
            raise click.ClickException(str(exc)) from exc
        except KgError as exc:
            raise click.ClickException(str(exc)) from exc

    return wrapper  # type: ignore[return-value]


def format_option(*choices: str) -> Callable[[F], F]:
    """The --format option of commands that print rows."""
    return click.option("--format", "fmt", type=click.Choice(list(choices)), default=choices[0], show_default=True,
                        help="Terminal table, or a format for scripts.")


def _cell(value: object) -> str:
    if isinstance(value, float):
        return f"{value:.4g}"
    if isinstance(value, dict):
        return "; ".join(f"{k}: {', '.join(v) if isinstance(v, list) else v}" for k, v in value.items())
    return str(value)


def emit(rows: list[dict[str, Any]], fmt: str, columns: list[str], title: str | None = None) -> None:
    """Print rows as a rich table, CSV or JSON."""
    if fmt == "json":
        click.echo(json.dumps(rows, indent=2, ensure_ascii=False))
    elif fmt == "csv":
        buf = io.StringIO()
        writer = csv.writer(buf, lineterminator="\n")
        writer.writerow(columns)
        for row in rows:
            writer.writerow([_cell(row.get(c, "")) for c in columns])
        click.echo(buf.getvalue(), nl=False)
    else:
        from rich.console import Console
        from rich.table import Table

        table = Table(title=title, show_lines=False)
        for c in columns:
            table.add_column(c, overflow="fold")
        for row in rows:
            table.add_row(*[_cell(row.get(c, "")) for c in columns])
        Console(width=max(100, click.get_terminal_size()[0]) if sys.stdout.isatty() else 160).print(table)


def graph_option(func: F) -> F:
    """The --graph option every command that reads a built graph shares."""
    return click.option("--graph", "graph_dir", type=click.Path(path_type=Path), default=Path("outputs"),
                        show_default=True, help="Folder of a built graph (the --out of kg build).")(func)


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
@_errors
def build(sources: tuple[Path, ...], out: Path, base: str, strict: bool, analytics: bool, seed: int,
          resolution: float) -> None:
    """Build the graph from SOURCES (files or folders; default seeds/) into --out.

    Example: kg build seeds/ --out outputs/
    """
    from kg.pipeline import build as run_build

    result = run_build(list(sources) or [Path("seeds")], out, base=base, strict=strict, analytics=analytics,
                       seed=seed, resolution=resolution)
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
@_errors
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
@_errors
def stats(graph_dir: Path, fmt: str) -> None:
    """Counts per type, density, components and clusters per level of a built graph.

    Example: kg stats --graph outputs/
    """
    from kg.explore import stats as graph_stats

    data = graph_stats(_open(graph_dir))
    if fmt == "json":
        click.echo(json.dumps(data, indent=2))
        return
    rows = [{"measure": f"nodes: {t}", "value": n} for t, n in data["nodes"].items()]
    rows += [{"measure": k.replace("_", " "), "value": data[k]} for k in (
        "triples", "vertices", "edges", "density", "components", "largest_component")]
    rows += [{"measure": f"clusters at level {lv}", "value": n} for lv, n in data["clusters_per_level"].items()]
    emit(rows, "table", ["measure", "value"], title="Graph statistics")


@main.command()
@graph_option
@click.option("--type", "types", multiple=True, help="Node type to rank (repeatable); default: content types.")
@click.option("--by", default="pagerank", show_default=True,
              type=click.Choice(["pagerank", "degree", "weighted_degree", "betweenness", "eigenvector"]))
@click.option("-n", "count", type=int, default=10, show_default=True, help="How many nodes.")
@format_option("table", "csv", "json")
@_errors
def top(graph_dir: Path, types: tuple[str, ...], by: str, count: int, fmt: str) -> None:
    """The highest-ranked nodes by a centrality metric.

    Example: kg top --type Technology --by betweenness -n 5
    """
    from kg.explore import top as rank

    rows = rank(_open(graph_dir), types, by, count)
    cols = ["rank", "type", "label", by] + [c for c in ("pagerank", "degree", "betweenness") if c != by]
    emit(rows, fmt, cols, title=f"Top {count} by {by}")


@main.command()
@graph_option
@click.option("--level", type=int, default=None, help="Hierarchy level (0 = coarsest, the default).")
@format_option("table", "csv", "json")
@_errors
def clusters(graph_dir: Path, level: int | None, fmt: str) -> None:
    """Clusters of one level: label, size, parent and top members per type.

    Example: kg clusters --level 1
    """
    from kg.explore import cluster_rows

    rows = cluster_rows(_open(graph_dir), level)
    emit(rows, fmt, ["id", "size", "label", "parent", "top"], title=f"Clusters at level {rows[0]['level']}")


@main.command()
@graph_option
@click.option("--top", type=int, default=500, show_default=True, help="Most nodes on the page (by PageRank).")
@click.option("--type", "types", multiple=True, help="Only nodes of this type (repeatable).")
@click.option("--cluster", default=None, help="Only this cluster's members and their articles (id from kg clusters).")
@click.option("--focus", default=None, help="A node (any of its names) and its neighbourhood.")
@click.option("--depth", type=int, default=1, show_default=True, help="Neighbourhood depth for --focus.")
@click.option("--out", type=click.Path(path_type=Path), default=None,
              help="Page to write (default: view.html in the graph folder).")
@_errors
def html(graph_dir: Path, top: int, types: tuple[str, ...], cluster: str | None, focus: str | None, depth: int,
         out: Path | None) -> None:
    """Write another view of a built graph as a self-contained HTML page.

    Example: kg html --focus "Mistral 7B" --depth 2 --out mistral.html
    """
    from kg.viz import VIEW_PREDICATES, collect, write_html

    graph = _open(graph_dir)
    store = graph.store()
    from pyoxigraph import NamedNode

    quads = (q for p in VIEW_PREDICATES for q in store.quads_for_pattern(None, NamedNode(p), None, None))
    data = collect(quads)
    target = out or graph_dir / "view.html"
    parts = [f"top {top}"] + [f"type {t}" for t in types]
    parts += [f"cluster {cluster}"] if cluster else []
    parts += [f"focus {focus!r} depth {depth}"] if focus else []
    view = write_html(data, target, title=f"Knowledge graph view: {', '.join(parts)}", top=top, types=types,
                      cluster=cluster, focus=focus, depth=depth)
    click.echo(f"Wrote {target}: {len(view.nodes)} of {view.total} nodes ({view.how}), {len(view.edges)} edges.")
