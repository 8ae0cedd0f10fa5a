"""kg push and kg query --endpoint against a real Oxigraph server (from PyPI) started by the test."""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from kg.cli import main
from kg.pipeline import BuildResult

OXIGRAPH = shutil.which("oxigraph")
pytestmark = pytest.mark.server


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def oxigraph(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    if OXIGRAPH is None:
        pytest.fail("the oxigraph server is not installed (pip install oxigraph)")
    port = free_port()
    location = tmp_path_factory.mktemp("oxigraph")
    proc = subprocess.Popen([OXIGRAPH, "serve", "--location", str(location), "--bind", f"127.0.0.1:{port}"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            urllib.request.urlopen(f"{url}/query?query=ASK%7B%7D", timeout=2).read()
            break
        except OSError:
            if proc.poll() is not None or time.monotonic() > deadline:
                proc.kill()
                pytest.fail(f"oxigraph did not start: {proc.stderr.read().decode() if proc.stderr else ''}")
            time.sleep(0.1)
    yield url
    proc.terminate()
    proc.wait(10)


def kg(*args: str) -> str:
    result = CliRunner().invoke(main, list(args))
    assert result.exit_code == 0, result.output
    return result.output


def count(endpoint: str, where: str = "?s ?p ?o") -> int:
    out = kg("query", "--endpoint", f"{endpoint}/query", f"SELECT (COUNT(*) AS ?n) WHERE {{ {where} }}",
             "--format", "csv")
    return int(out.splitlines()[1])


def test_push_then_query_gives_the_local_counts(oxigraph: str, seeds_build: tuple[Path, BuildResult]) -> None:
    out, result = seeds_build
    text = kg("push", "--graph", str(out), "--store", f"{oxigraph}/store", "--batch", "1000")
    assert f"Pushed {result.triples:,} triples to the default graph" in text
    assert count(oxigraph) == result.triples
    local = kg("query", "--graph", str(out), "--name", "top-technologies", "--format", "csv")
    remote = kg("query", "--endpoint", f"{oxigraph}/query", "--name", "top-technologies", "--format", "csv")
    assert remote == local
    for kind in ("Article", "Technology", "Mention"):
        q = f"SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE {{ ?s a kgo:{kind} }}"
        here = kg("query", "--graph", str(out), q, "--format", "csv")
        there = kg("query", "--endpoint", f"{oxigraph}/query", q, "--format", "csv")
        assert here == there


def test_push_into_a_named_graph_and_replace(oxigraph: str, seeds_build: tuple[Path, BuildResult]) -> None:
    out, result = seeds_build
    g = "https://example.org/graphs/seeds"
    kg("push", "--graph", str(out), "--store", f"{oxigraph}/store", "--into", g)
    kg("push", "--graph", str(out), "--store", f"{oxigraph}/store", "--into", g)  # adding again: same set
    assert count(oxigraph, f"GRAPH <{g}> {{ ?s ?p ?o }}") == result.triples
    kg("push", "--graph", str(out), "--store", f"{oxigraph}/store", "--into", g, "--replace", "--batch", "500")
    assert count(oxigraph, f"GRAPH <{g}> {{ ?s ?p ?o }}") == result.triples


def test_remote_construct_and_errors(oxigraph: str, seeds_build: tuple[Path, BuildResult]) -> None:
    _out, _ = seeds_build
    text = kg("query", "--endpoint", f"{oxigraph}/query",
              "CONSTRUCT { ?c rdfs:label ?l } WHERE { ?c a kgo:Category ; rdfs:label ?l }")
    assert "category:science" in text
    bad = CliRunner().invoke(main, ["query", "--endpoint", f"{oxigraph}/query", "SELECT ?x WHERE { ?x }"])
    assert bad.exit_code == 1 and "line 1" in bad.output  # checked before sending
    gone = CliRunner().invoke(main, ["query", "--endpoint", "http://127.0.0.1:9/query", "ASK { ?s ?p ?o }"])
    assert gone.exit_code == 1 and "cannot reach" in gone.output


def test_push_keeps_the_named_graphs(oxigraph: str, seeds_build: tuple[Path, BuildResult]) -> None:
    out, result = seeds_build
    import pyoxigraph

    trig = list(pyoxigraph.parse(path=str(out / "graph.trig"), format=pyoxigraph.RdfFormat.TRIG))
    named = {q.graph_name.value for q in trig if not isinstance(q.graph_name, pyoxigraph.DefaultGraph)}
    text = kg("push", "--graph", str(out), "--store", f"{oxigraph}/store", "--graphs", "--replace", "--batch", "100")
    assert f"into {len(named)} named graphs and the default graph" in text
    doc = "https://w3id.org/signals-kg/id/graph/000_61f95d86ecc6b6dd"
    expected = sum(1 for q in trig if q.graph_name == pyoxigraph.NamedNode(doc))
    assert count(oxigraph, f"GRAPH <{doc}> {{ ?s ?p ?o }}") == expected
    out_csv = kg("query", "--endpoint", f"{oxigraph}/query",
                 "SELECT (COUNT(DISTINCT ?g) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } FILTER(STRSTARTS(STR(?g), "
                 "'https://w3id.org/signals-kg/id/graph/')) }", "--format", "csv")
    assert int(out_csv.splitlines()[1]) == len(named) == result.built
    kg("push", "--graph", str(out), "--store", f"{oxigraph}/store", "--graphs", "--replace")  # again: same sets
    assert count(oxigraph, f"GRAPH <{doc}> {{ ?s ?p ?o }}") == expected
    bad = CliRunner().invoke(main, ["push", "--graph", str(out), "--store", f"{oxigraph}/store", "--graphs",
                                    "--into", "https://example.org/g"])
    assert bad.exit_code == 2
    bad = CliRunner().invoke(main, ["push", "--graph", str(out), "--store", f"{oxigraph}/store",
                                    "--into", "not an iri"])
    assert bad.exit_code == 1 and "not an absolute IRI" in bad.output
