"""What the CLI prints and how its commands share options: tables, CSV and JSON rows, build progress, query
results, and the errors wrapper that turns library exceptions into one-line messages."""

from __future__ import annotations

import csv
import functools
import io
import json
import shutil
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, ClassVar, TypeVar

import click

from kg.errors import KgError, StrictFailure

__all__ = [
    "F",
    "Reporter",
    "binned_shares",
    "emit",
    "errors",
    "format_option",
    "graph_option",
    "param_values",
    "show_result",
    "sparkline",
]

F = TypeVar("F", bound=Callable[..., Any])


def errors(func: F) -> F:
    """Turn library exceptions, and a file that cannot be read or written, into one-line errors with exit code 1
    (2 for usage)."""

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
        except OSError as exc:  # a file we were asked to write or read: its path and why, not a traceback
            if exc.filename is None:
                raise
            raise click.ClickException(f"{exc.strerror or exc}: {exc.filename}") from exc

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


_BARS = "▁▂▃▄▅▆▇█"


def sparkline(values: list[float]) -> str:
    """A row of block characters, one per value, scaled to the largest."""
    top = max(values, default=0.0)
    if top <= 0:
        return _BARS[0] * len(values)
    return "".join(_BARS[min(len(_BARS) - 1, int(v / top * (len(_BARS) - 1) + 0.5))] for v in values)


def binned_shares(series: list[dict[str, Any]], bins: int) -> list[float]:
    """Shares over at most `bins` runs of consecutive periods (articles and volumes summed), for a sparkline."""
    size = max(1, -(-len(series) // bins))
    out = []
    for i in range(0, len(series), size):
        chunk = series[i:i + size]
        n = sum(s["articles"] for s in chunk)
        vol = sum(s["volume"] for s in chunk)
        out.append(n / vol if vol else 0.0)
    return out


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
        Console(width=max(100, shutil.get_terminal_size()[0]) if sys.stdout.isatty() else 160).print(table)


class Reporter:
    """Build progress on stderr: a bar with counts and rate on a terminal, plain lines otherwise."""

    NAMES: ClassVar[dict[str, str]] = {"parse": "reading and parsing", "emit": "making RDF",
                                       "analytics": "analytics", "write": "writing outputs",
                                       "html": "drawing the explorer"}

    def __init__(self, quiet: bool) -> None:

        self.quiet = quiet
        self.tty = sys.stderr.isatty()
        self.bar: Any = None
        self.tasks: dict[str, Any] = {}
        self.last: dict[str, float] = {}
        self.start: dict[str, float] = {}
        self.clock = time.monotonic

    def __call__(self, stage: str, done: int, total: int) -> None:
        if self.quiet:
            return
        name = self.NAMES.get(stage, stage)
        now = self.clock()
        self.start.setdefault(stage, now)
        if self.tty:
            if self.bar is None:
                from rich.console import Console
                from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

                self.bar = Progress(TextColumn("{task.description:22}"), BarColumn(), MofNCompleteColumn(),
                                    TextColumn("{task.fields[rate]}"), TimeElapsedColumn(),
                                    console=Console(stderr=True), transient=False)
                self.bar.start()
            if stage not in self.tasks:
                self.tasks[stage] = self.bar.add_task(name, total=total, rate="")
            elapsed = max(now - self.start[stage], 1e-9)
            rate = f"{done / elapsed:,.0f}/s" if stage in ("parse", "emit") and done else ""
            self.bar.update(self.tasks[stage], completed=done, total=total, rate=rate)
            return
        first = stage not in self.last
        if first or done == total or now - self.last[stage] >= 5:
            self.last[stage] = now
            elapsed = now - self.start[stage]
            if stage in ("parse", "emit"):
                rate = f", {done / elapsed:,.0f} documents/s" if elapsed > 0 and done else ""
                click.echo(f"{name}: {done:,}/{total:,}{rate}", err=True)
            elif first:
                click.echo(f"{name} ...", err=True)

    def close(self) -> None:
        """Stop the progress bar."""
        if self.bar is not None:
            self.bar.stop()


def graph_option(func: F) -> F:
    """The --graph option every command that reads a built graph shares."""
    return click.option("--graph", "graph_dir", type=click.Path(path_type=Path), default=Path("outputs"),
                        show_default=True, help="Folder of a built graph (the --out of kg build).")(func)


def param_values(pairs: tuple[str, ...]) -> dict[str, str]:
    """NAME=VALUE pairs of --param as a dict."""
    out = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name:
            raise click.BadParameter(f"{pair!r} is not NAME=VALUE", param_hint="--param")
        out[name.strip()] = value
    return out


def show_result(result: Any, fmt: str) -> None:
    """Print a query result: a table, a result format, or Turtle / N-Triples for graphs."""
    from kg.sparql import write_result
    from kg.vocab import output_prefixes

    if result.form == "CONSTRUCT":
        body, _ = write_result(result, "nt" if fmt == "nt" else "turtle")
        click.echo(body.decode("utf-8"), nl=False)
    elif fmt == "table":
        if result.form == "ASK":
            click.echo("true" if result.boolean else "false")
            return
        ctx = sorted(output_prefixes().items(), key=lambda kv: -len(kv[1]))

        def short(term: Any) -> str:
            if term is None:
                return ""
            value = term.value
            if type(term).__name__ == "NamedNode":
                for prefix, ns in ctx:
                    if value.startswith(ns):
                        return f"{prefix}:{value[len(ns):]}"
            return value

        rows = [{v: short(t) for v, t in zip(result.variables, row, strict=True)} for row in result.rows]
        emit(rows, "table", result.variables, title=f"{len(rows)} rows")
    else:
        body, _ = write_result(result, fmt)
        click.echo(body.decode("utf-8"), nl=not body.endswith(b"\n"))
    if result.truncated:
        click.echo(f"(stopped at {len(result.rows) or len(result.triples)} rows)", err=True)

