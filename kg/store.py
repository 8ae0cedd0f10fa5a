"""Open a built graph: its files, its report, and a pyoxigraph store indexed once and reused."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyoxigraph
from pyoxigraph import Quad, RdfFormat, Triple

from kg.errors import GraphNotFound

__all__ = ["STORE_DIR", "BuiltGraph", "load_graph"]

STORE_DIR = "store-2"  # the on-disk index's folder in a build; 2: the union is in the default graph


def load_graph(store: pyoxigraph.Store, trig: Path) -> None:
    """Load a built graph into a store: graph.trig's named graphs and default graph, and the union of all its
    graphs (graph.ttl, next to it) in the default graph too. A query without FROM or GRAPH then reads one
    graph, as SPARQL's union-default-graph would give it, without merging ten thousand graphs per pattern."""
    store.bulk_load(path=str(trig), format=RdfFormat.TRIG)
    union = trig.with_name("graph.ttl")
    if union.is_file():
        store.bulk_load(path=str(union), format=RdfFormat.TURTLE)
    else:  # a folder with graph.trig alone: the union from the TriG itself, each quad's triple
        with open(trig, "rb") as fh:
            store.extend(Quad(q.subject, q.predicate, q.object) for q in pyoxigraph.parse(fh, RdfFormat.TRIG))


class BuiltGraph:
    """A folder written by `kg build` (or any folder holding graph.trig)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.trig = folder / "graph.trig"
        if not self.trig.is_file():
            raise GraphNotFound(f"no built graph in {folder} (missing graph.trig); run `kg build --out {folder}` first")
        self._store: pyoxigraph.Store | None = None

    def report(self) -> dict[str, Any]:
        """report.json of the build ({} if there is none)."""
        path = self.folder / "report.json"
        data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}
        return data

    def triple_count(self) -> int:
        """The number of distinct triples, as the build report gives it (0 if unknown)."""
        return int(self.report().get("graph", {}).get("triples", 0) or 0)

    def quads(self) -> Iterator[Quad]:
        """Every quad of the graph, streamed from graph.trig."""
        with open(self.trig, "rb") as fh:
            yield from pyoxigraph.parse(fh, RdfFormat.TRIG)

    def triples(self) -> Iterator[Triple]:
        """Every triple of the graph, its graphs merged: a triple two documents assert (only possible for an
        article two documents describe) is given once."""
        shared = self.article_prefix()
        seen: set[Triple] = set()
        for q in self.quads():
            t = q.triple
            if q.subject.value.startswith(shared):  # type: ignore[union-attr]  # kg writes no RDF-star
                if t in seen:
                    continue
                seen.add(t)
            yield t

    def graph_names(self) -> list[str]:
        """The IRIs of the named graphs (one per document), sorted."""
        return sorted(g.value for g in self.store().named_graphs() if isinstance(g, pyoxigraph.NamedNode))

    def merges(self) -> dict[str, Any]:
        """merges.json: every entity merge with its forms and rules, and what was kept apart."""
        path = self.folder / "merges.json"
        if not path.is_file():
            raise GraphNotFound(f"no merges.json in {self.folder}; run kg build --out {self.folder} first")
        data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
        return data

    def article_prefix(self) -> str:
        """IRI prefix of this graph's articles (from its base IRI, read off the Turtle prefixes)."""
        with open(self.folder / "graph.ttl" if (self.folder / "graph.ttl").is_file() else self.trig, "rb") as fh:
            for raw in fh:
                line = raw.decode("utf-8", "replace")
                if line.startswith("@prefix article:"):
                    return line.split("<", 1)[1].split(">", 1)[0]
                if not line.startswith("@prefix"):
                    break
        from kg.vocab import DEFAULT_BASE

        return f"{DEFAULT_BASE}article/"

    @property
    def base(self) -> str:
        """The base IRI the graph was built with (`kg build --base`)."""
        return self.article_prefix().removesuffix("article/")

    @property
    def build_dir(self) -> Path:
        """The immutable folder of this build (resolving the output folder's symlinks)."""
        return self.trig.resolve().parent

    def store(self) -> pyoxigraph.Store:
        """A read-only store of the graph (see load_graph: the default graph holds the union). The first call
        on a build indexes it into an on-disk store next to it (written aside, then renamed in); later calls
        open it at once. Where that folder is not writable, the graph is loaded in memory."""
        if self._store is not None:
            return self._store
        path = self.store_path()
        if path is None:
            mem = pyoxigraph.Store()
            load_graph(mem, self.trig)
            self._store = mem
        else:
            self._store = pyoxigraph.Store.read_only(path)
        return self._store

    def store_path(self) -> str | None:
        """The folder of this build's on-disk index, made if missing; None where it cannot be written."""
        target = self.build_dir / STORE_DIR
        if not (target / "CURRENT").is_file():
            try:
                self._index(target)
            except OSError:
                return None
        return str(target)

    def _index(self, target: Path) -> None:
        tmp = target.with_name(f"{STORE_DIR}.{os.getpid()}.tmp")
        shutil.rmtree(tmp, ignore_errors=True)
        store = pyoxigraph.Store(str(tmp))
        load_graph(store, self.trig)
        store.optimize()  # compacted once: lookups read half as many files (queries about twice as fast)
        store.flush()
        del store
        try:
            os.rename(tmp, target)
        except OSError:
            shutil.rmtree(tmp, ignore_errors=True)  # another process indexed it first
            if not (target / "CURRENT").is_file():
                raise
        with contextlib.suppress(OSError):
            fd = os.open(target.parent, os.O_RDONLY)
            os.fsync(fd)
            os.close(fd)
