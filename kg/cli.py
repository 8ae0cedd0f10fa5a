"""The `kg` command line: click commands that call the library, nothing else."""

from __future__ import annotations

import functools
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
@_errors
def build(sources: tuple[Path, ...], out: Path, base: str, strict: bool) -> None:
    """Build the graph from SOURCES (files or folders; default seeds/) into --out.

    Example: kg build seeds/ --out outputs/
    """
    from kg.pipeline import build as run_build

    result = run_build(list(sources) or [Path("seeds")], out, base=base, strict=strict)
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
