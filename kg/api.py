"""A small Python API for notebooks: load a built graph, run SPARQL, get rows or a pandas DataFrame.

    >>> import kg
    >>> g = kg.load("outputs")
    >>> g.query("SELECT ?l WHERE { ?t a kgo:Technology ; rdfs:label ?l } LIMIT 3")   # doctest: +SKIP
    [{'l': 'Mistral 7B'}, ...]
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

import pyoxigraph
from pyoxigraph import Literal, NamedNode

from kg.diff import Diff, diff
from kg.errors import GraphNotFound
from kg.explore import cluster_rows, stats, top
from kg.gaps import RECENT, Gaps, gaps
from kg.outputs import OutputDir
from kg.report import Report, render
from kg.snapshot import Snapshot, snapshot
from kg.sparql import Result, bind, named_query, run_local
from kg.store import BuiltGraph

__all__ = ["KnowledgeGraph", "frame", "load", "to_python"]

_NUMERIC = {"integer": int, "int": int, "long": int, "short": int, "decimal": float, "double": float,
            "float": float}


def to_python(term: Any) -> Any:
    """A term as a Python value: IRIs and strings as str, numbers as int/float, booleans as bool."""
    if term is None:
        return None
    if isinstance(term, Literal):
        kind = term.datatype.value.rsplit("#", 1)[-1]
        if kind in _NUMERIC:
            try:
                return _NUMERIC[kind](term.value)
            except ValueError:
                return term.value
        if kind == "boolean":
            return term.value == "true"
        return term.value
    if isinstance(term, NamedNode):
        return term.value
    return f"_:{term.value}"


class KnowledgeGraph:
    """A built graph opened for queries (the store is indexed once, then reused)."""

    def __init__(self, folder: str | Path = "outputs") -> None:
        self.graph = BuiltGraph(Path(folder))
        self.folder = Path(folder)

    @functools.cached_property
    def store(self) -> pyoxigraph.Store:
        """The indexed store of the graph (made on first use)."""
        return self.graph.store()

    def snapshot(self) -> Snapshot:
        """What diff, gaps and report read of this build (kg.snapshot), loaded once."""
        return self._snapshot

    @functools.cached_property
    def _snapshot(self) -> Snapshot:
        return snapshot(self.graph)

    def previous(self) -> KnowledgeGraph | None:
        """The build this one replaced in its output folder (kept for `kg diff --previous`), or None."""
        return self._previous

    @functools.cached_property
    def _previous(self) -> KnowledgeGraph | None:
        prev = OutputDir(self.folder).previous()
        return KnowledgeGraph(prev) if prev is not None else None

    def diff(self, old: KnowledgeGraph | str | Path | None = None, top: int | None = None) -> Diff:
        """What changed from `old` (another build, default: the previous one) to this build (`kg diff`)."""
        if old is None:
            old = self.previous()
            if old is None:
                raise GraphNotFound(f"no previous build in {self.folder}: it is kept from the second build on")
        before = old if isinstance(old, KnowledgeGraph) else KnowledgeGraph(old)
        return diff(before.snapshot(), self.snapshot(), self._name(before), str(self.folder), top)

    def _name(self, other: KnowledgeGraph) -> str:
        """How to call another build: its folder, or this folder's previous build."""
        return f"{self.folder} (previous build)" if other is self.previous() else str(other.folder)

    def gaps(self, recent: int = RECENT) -> Gaps:
        """The blind spots of this build (`kg gaps`)."""
        return gaps(self.snapshot(), recent)

    def report(self, out: str | Path, fmt: str = "html", since: str | None = None, compare: bool = True,
               title: str | None = None) -> list[Path]:
        """Write the report (`kg report`): HTML, or Markdown with its images beside it; with `compare`, what
        changed since the previous build, when there is one. Returns the files written."""
        snap = self.snapshot()
        prev = self.previous() if compare else None
        changes = (diff(prev.snapshot(), snap, self._name(prev), str(self.folder), removed_relations=False)
                   if prev is not None else None)
        name = title or f"Knowledge graph report: {self.folder.resolve().name}"
        return render(Report(snap, gaps(snap), changes, since or "", name), Path(out), fmt)

    def run(self, sparql: str, max_rows: int | None = None) -> Result:
        """The raw Result of a query (rows of pyoxigraph terms, a boolean, or triples)."""
        return run_local(self.store, sparql, max_rows, base=self.graph.base)

    def query(self, sparql: str, max_rows: int | None = None) -> list[dict[str, Any]] | bool:
        """Rows of a SELECT as dicts of Python values, or the boolean of an ASK."""
        result = self.run(sparql, max_rows)
        if result.form == "ASK":
            return bool(result.boolean)
        if result.form == "CONSTRUCT":
            return [{"subject": to_python(t.subject), "predicate": to_python(t.predicate),
                     "object": to_python(t.object)} for t in result.triples]
        return [{v: to_python(t) for v, t in zip(result.variables, row, strict=True)} for row in result.rows]

    def named(self, name: str, **params: str) -> list[dict[str, Any]] | bool:
        """Run a named query from ontology/queries with parameters."""
        return self.query(bind(named_query(name), {k: str(v) for k, v in params.items()}))

    def df(self, sparql: str, max_rows: int | None = None) -> Any:
        """A pandas DataFrame of a SELECT (needs pandas: pip install 'kg[pandas]')."""
        try:
            import pandas as pd
        except ImportError as exc:
            raise ImportError("KnowledgeGraph.df needs pandas: pip install pandas") from exc
        result = self.run(sparql, max_rows)
        rows = [[to_python(t) for t in row] for row in result.rows]
        return pd.DataFrame(rows, columns=result.variables)

    def top(self, *types: str, by: str = "pagerank", n: int = 10, referenced: bool = False) -> list[dict[str, object]]:
        """The highest-ranked nodes by a metric, as `kg top` lists them."""
        return top(self.graph, types, by, n, referenced)

    def stats(self) -> dict[str, object]:
        """Counts, density, components and clusters per level, as `kg stats` gives them."""
        return stats(self.graph)

    def clusters(self, level: int | None = None) -> list[dict[str, object]]:
        """The clusters of one level, as `kg clusters` lists them."""
        return cluster_rows(self.graph, level)

    def merges(self) -> dict[str, Any]:
        """Every merge with its forms and rules, and what was kept apart (`kg merges`)."""
        return self.graph.merges()

    def validate(self, shapes: str | Path | None = None) -> tuple[bool, str]:
        """SHACL validation (`kg validate`): whether the graph conforms, and the report."""
        from kg.validate import validate_graph

        return validate_graph(self.graph.folder, Path(shapes) if shapes else None)

    def export(self, fmt: str, path: str | Path | None = None) -> Path:
        """Write an export (`kg export`: graphml, gexf, csv, jsonld, nquads, nt); returns where."""
        from kg.export import export

        return export(self.graph, fmt, Path(path) if path else None)[0]

    def html(self, path: str | Path, top: int = 500, types: tuple[str, ...] = (), cluster: str | None = None,
             focus: str | None = None, depth: int = 1) -> Any:
        """Write another view of the graph as a page (`kg html`); returns the View it shows."""
        from kg.viz import write_view

        return write_view(self.graph, Path(path), top, types, cluster, focus, depth)

    def check(self, *sources: str | Path) -> Any:
        """Re-read the documents and find their content in the graph (`kg check`); returns the CheckResult."""
        from kg.check import check

        return check([Path(s) for s in sources] or [Path("seeds")], self.graph.folder)

    def push(self, store: str, into: str | None = None, graphs: bool = False, replace: bool = False) -> int:
        """Upload through the Graph Store Protocol (`kg push`); returns the number of triples sent."""
        from kg.sparql import push, push_dataset

        if graphs:
            return push_dataset(store, self.graph.quads(), replace)[0]
        return push(store, self.graph.triples(), into, replace)


def frame(rows: list[dict[str, Any]]) -> Any:
    """A pandas DataFrame of rows such as `Diff.nodes["added"]` or `Gaps.unanswered` (needs pandas)."""
    try:
        import pandas as pd
    except ImportError as exc:
        raise ImportError("frame needs pandas: pip install pandas") from exc
    return pd.DataFrame(rows)


def load(folder: str | Path = "outputs") -> KnowledgeGraph:
    """Open a graph built by `kg build` (its --out folder)."""
    return KnowledgeGraph(folder)
