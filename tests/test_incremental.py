"""Incremental builds equal full rebuilds; parallel builds equal sequential ones; progress output."""

from __future__ import annotations

import os
import pickle
import shutil
import subprocess
import sys
from pathlib import Path

import networkx as nx
import pytest
from click.testing import CliRunner

from bench.common import MAKE_CORPUS
from kg import analyze
from kg.cli import main
from kg.errors import KgError
from kg.pipeline import build
from kg.pipeline.workers import Child

PRODUCTS = ("graph.ttl", "graph.trig", "report.json", "merges.json", "graph.html")


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """120 generated documents (enough to use worker processes), made once."""
    folder = tmp_path_factory.mktemp("gen") / "corpus"
    subprocess.run([sys.executable, str(MAKE_CORPUS), str(folder), "--docs", "120", "--seed", "3"], check=True)
    return folder


def same_outputs(a: Path, b: Path) -> None:
    for name in PRODUCTS:
        assert (a / name).read_bytes() == (b / name).read_bytes(), name


def test_incremental_equals_full_rebuild(generated: Path, tmp_path: Path) -> None:
    src = tmp_path / "src"
    shutil.copytree(generated, src)
    names = sorted(p.name for p in src.iterdir())
    held_back = [src / n for n in names[:5]]
    kept = {p.name: p.read_bytes() for p in held_back}
    for p in held_back:
        p.unlink()
    out = tmp_path / "out"
    first = build([src], out)
    assert first.parsed == first.built == 115 and first.emitted == 115

    for name, data in kept.items():  # add documents
        (src / name).write_bytes(data)
    changed = src / names[10]  # change one
    changed.write_text(changed.read_text(encoding="utf-8").replace("## Summary", "## Summary\n\nAn edited line."),
                       encoding="utf-8")
    (src / names[20]).unlink()  # remove one
    again = build([src], out, workers=2)  # the cached documents' texts are searched in a process aside
    assert again.parsed == 6  # 5 added, 1 changed; nothing else read again
    assert again.emitted < 20  # those, and the few documents whose node IRIs moved
    full = build([src], tmp_path / "full", cache=False)
    assert full.parsed == full.built == 119
    same_outputs(out, tmp_path / "full")

    nothing = build([src], out)  # no change at all
    assert nothing.parsed == 0 and nothing.emitted == 0
    same_outputs(out, tmp_path / "full")


def test_parallel_equals_sequential(generated: Path, tmp_path: Path) -> None:
    build([generated], tmp_path / "one", workers=1, cache=False)
    build([generated], tmp_path / "two", workers=2, cache=False)
    same_outputs(tmp_path / "one", tmp_path / "two")


def test_parallel_betweenness_equals_inline(monkeypatch: pytest.MonkeyPatch) -> None:
    g = nx.relabel_nodes(nx.barabasi_albert_graph(400, 3, seed=2), lambda i: f"n{i:03d}")
    nx.set_edge_attributes(g, 2, "weight")
    inline = analyze.centrality(g)
    monkeypatch.setattr(analyze, "PARALLEL_NODES", 10)
    forked = analyze.centrality(g)
    assert forked.betweenness == inline.betweenness and forked.pagerank == inline.pagerank


def test_progress_lines_when_not_a_terminal(generated: Path, tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["build", str(generated), "--out", str(tmp_path / "o")])
    assert result.exit_code == 0, result.output
    err = result.stderr
    assert "reading and parsing: 120/120" in err and "documents/s" in err
    assert "making RDF: 120/120" in err and "analytics ..." in err
    quiet = CliRunner().invoke(main, ["build", str(generated), "--out", str(tmp_path / "o"), "--quiet"])
    assert quiet.exit_code == 0 and quiet.stderr == ""
    assert "Read 120 files: built 120 documents" in quiet.stdout


def test_damaged_cache_is_started_again(generated: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    build([generated], out)
    databases = list((out / ".kg" / "cache").glob("v*/cache.sqlite"))
    assert len(databases) == 1
    for stale in databases[0].parent.glob("cache.sqlite-*"):
        stale.unlink()
    databases[0].write_bytes(b"not a database, as a power cut might leave it" * 100)
    again = build([generated], out)
    assert again.parsed == again.built == 120  # nothing could be reused, and nothing failed
    build([generated], tmp_path / "full", cache=False)
    same_outputs(out, tmp_path / "full")
    assert build([generated], out).parsed == 0  # the new cache serves the next build


def test_child_process_returns_its_value_or_raises_its_error() -> None:
    data = list(range(10))
    assert Child(lambda: sum(data)).result() == 45  # the child sees this process's memory
    assert Child(lambda: sum(data), inline=True).result() == 45

    def fails() -> None:
        raise KgError("no such thing")

    with pytest.raises(KgError, match="no such thing"):
        Child(fails).result()

    def dies() -> None:
        os._exit(3)

    with pytest.raises(RuntimeError, match="ended without an answer"):
        Child(dies).result()


def test_data_key_is_the_data() -> None:
    """Equal data gives one key whatever its objects; a changed weight, an added link or a list for a string
    gives another."""
    from kg.cache import data_key

    links = [("http://x/a", "http://x/" + "b", "hasSignal", 3), ("http://x/a", "http://x/c", "closest", 5)]
    again = [tuple(list(t)) for t in links]
    key = data_key("1", 42, 1.0, links)
    assert key == data_key("1", 42, 1.0, again) and len(key) == 40
    assert key != data_key("1", 42, 1.0, [links[0], (*links[1][:3], 4)])
    assert key != data_key("1", 42, 1.0, [*links, ("http://x/a", "http://x/d", "closest", 3)])
    assert key != data_key("1", 42, 1.0, [links]) != data_key(["1"], 42, 1.0, links)


def test_get_many_reads_entries_in_the_order_asked(tmp_path: Path) -> None:
    from kg.cache import Cache

    cache = Cache(tmp_path / "cache")
    cache.put_many("emit", [(f"k{i}", pickle.dumps({"n": i}), b"view%d" % i, b"") for i in range(7)])
    cache.put_many("emit", [("bad", b"not a pickle", b"", b"")])
    cache.used.clear()
    asked = ["k5", "missing", "k0", "k5", "bad", "k3", "k6", "k1"]
    list(cache.get_many("emit", asked, chunk=3))
    assert cache.used == {("emit", k) for k in ("k0", "k1", "k3", "k5", "k6")}  # what was found is kept
    for chunk in (1, 3, 500):  # chunk boundaries anywhere, a key asked twice within or across them
        got = list(cache.get_many("emit", asked, chunk=chunk))
        assert got == [(k, cache.get("emit", k)) for k in asked]
        assert [k for k, _ in got] == asked and got[0][1] == {"n": 5} and got[1][1] is None and got[4][1] is None
    with pytest.raises(ValueError):
        next(cache.get_many("emit", ["k0"], "nothing"))
    assert list(Cache(None).get_many("emit", ["k0"])) == [("k0", None)]  # no cache: every key a miss


def test_blocks_are_read_in_the_order_asked(tmp_path: Path) -> None:
    from kg.cache import Cache

    cache = Cache(tmp_path / "cache")
    cache.put_many("emit", [(f"k{i}", b"", b"", b"block %d\n" % i) for i in range(7)])
    asked = ["k5", "k0", "k5", "k3", "k6", "k1"]
    for chunk in (1, 4, 500):  # chunk boundaries anywhere, a key asked twice within or across them
        assert list(cache.blocks("emit", asked, chunk=chunk)) == [b"block %d\n" % int(k[1]) for k in asked]
    with pytest.raises(KeyError, match="missing"):
        list(cache.blocks("emit", ["k0", "missing"]))
