"""Shared fixtures: the seeds build, graph loading, and small document builders."""

from __future__ import annotations

import shutil
from pathlib import Path

import pyoxigraph
import pytest

from kg.pipeline import BuildResult, build
from kg.store import BuiltGraph
from kg.vocab import prefixes

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
DATA = Path(__file__).resolve().parent / "data"


@pytest.fixture(scope="session")
def seeds_build(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, BuildResult]:
    """The seeds/ folder built once per session (with analytics and HTML)."""
    out = tmp_path_factory.mktemp("seeds-out")
    return out, build([SEEDS], out)


@pytest.fixture(scope="session")
def generated(tmp_path_factory: pytest.TempPathFactory) -> BuiltGraph:
    """A 300-document generated corpus with faults (seed 11), built without HTML."""
    from tests.test_robust import make_corpus

    folder = tmp_path_factory.mktemp("generated")
    make_corpus(folder / "docs", 300, faults=0.3, seed=11)
    build([folder / "docs"], folder / "out", html=False)
    return BuiltGraph(folder / "out")


@pytest.fixture(scope="session")
def seeds_store(seeds_build: tuple[Path, BuildResult]) -> pyoxigraph.Store:
    """The seeds build loaded into an in-memory store (union of all graphs as default graph)."""
    out, _ = seeds_build
    store = pyoxigraph.Store()
    store.load(path=str(out / "graph.trig"), format=pyoxigraph.RdfFormat.TRIG)
    return store


def select(store: pyoxigraph.Store, query: str) -> list[dict[str, str]]:
    """Rows of a SELECT as plain strings."""
    result = store.query(query, prefixes=prefixes(), use_default_graph_as_union=True)
    names = [v.value for v in result.variables]
    return [{n: row[n].value for n in names if row[n] is not None} for row in result]


def ask(store: pyoxigraph.Store, query: str) -> bool:
    return bool(store.query(query, prefixes=prefixes(), use_default_graph_as_union=True))


def write_docs(folder: Path, docs: dict[str, str | bytes]) -> Path:
    """Write named documents (text or bytes) into a folder."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, content in docs.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
    return folder


def copy_seeds(dest: Path) -> Path:
    shutil.copytree(SEEDS, dest)
    return dest
