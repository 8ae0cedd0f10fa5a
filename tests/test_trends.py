"""Time series, trend tests, bursts and the weak-signal map: hand-computed cases, and the planted corpus."""

from __future__ import annotations

import csv
import io
import json
import math
import subprocess
import sys
from pathlib import Path

import numpy as np
import pyoxigraph
import pytest
from click.testing import CliRunner
from scipy.stats import norm

from kg.cli import main
from kg.explore import trend_rows, trends_of
from kg.pipeline import build
from kg.pipeline.timeline import trends_csv
from kg.store import BuiltGraph
from kg.trends import (
    Burst,
    analyse,
    benjamini_hochberg,
    cochran_armitage,
    kleinberg,
    period_of,
    periods_between,
)
from tests.conftest import ROOT, select


def test_periods() -> None:
    assert period_of("2024-11-03") == "2024-11"
    assert period_of("2024-11-03", "quarter") == "2024-Q4" and period_of("2024-11-03", "year") == "2024"
    assert periods_between("2023-11", "2024-02") == ["2023-11", "2023-12", "2024-01", "2024-02"]
    assert periods_between("2023-Q4", "2024-Q1") == ["2023-Q4", "2024-Q1"]


def test_cochran_armitage_by_hand() -> None:
    """Shares 0.1, 0.2, 0.3 of 10 articles each, a year apart: slope 0.1 per year; T = 2, Sxx = 20,
    p-bar = 0.2, z = 2 / sqrt(0.16 * 20)."""
    slope, se, z, p = cochran_armitage(np.array([[1.0, 2.0, 3.0]]), np.array([10, 10, 10]), np.array([0.0, 1, 2]))
    assert slope[0] == pytest.approx(0.1)
    assert z[0] == pytest.approx(2 / math.sqrt(3.2))
    assert p[0] == pytest.approx(2 * norm.sf(2 / math.sqrt(3.2)))
    assert se[0] == pytest.approx(math.sqrt(0.16 / 20))


def test_a_growing_corpus_at_a_constant_share_is_no_trend() -> None:
    """Volume doubles every year and the node keeps a tenth of it: normalised, no trend at all; the same
    counts read as if every period had the same volume (what raw counts do) look like a strong rise."""
    counts = np.array([[10.0, 20, 40, 80, 160]])
    volume = np.array([100, 200, 400, 800, 1600])
    times = np.arange(5.0)
    slope, _, _, p = cochran_armitage(counts, volume, times)
    assert abs(slope[0]) < 1e-12 and p[0] == pytest.approx(1.0)
    _, _, _, raw = cochran_armitage(counts, np.full(5, 1600), times)
    assert raw[0] < 1e-10


def test_benjamini_hochberg_by_hand() -> None:
    q = benjamini_hochberg(np.array([0.01, 0.04, 0.03, 0.5]))
    assert q.tolist() == pytest.approx([0.04, 0.04 * 4 / 3, 0.04 * 4 / 3, 0.5])


def test_kleinberg_by_hand() -> None:
    """Ten periods of 10 articles; the node is in 1 of them, but in 6 in periods 4 and 5. Base rate 0.2, burst
    rate 0.4: each burst period saves (c0 - c1) = 6 ln 2 - 4 ln(4/3) - (cost at 1 of 10) ..., more than the
    ln 10 a step up costs, so one burst, periods 4-5."""
    counts = np.array([[1.0, 1, 1, 1, 6, 6, 1, 1, 1, 1]])
    found = kleinberg(counts, np.full(10, 10))

    def cost(x: float, rate: float) -> float:
        return -(x * math.log(rate) + (10 - x) * math.log(1 - rate))

    strength = 2 * (cost(6, 0.2) - cost(6, 0.4))
    assert found == [[Burst(4, 5, pytest.approx(strength, abs=1e-5))]]  # type: ignore[arg-type]
    assert strength > math.log(10)
    flat = kleinberg(np.array([[2.0] * 10]), np.full(10, 10))
    assert flat == [[]]


def test_too_few_articles_get_no_class() -> None:
    dates = {f"a{i}": f"2024-{1 + i % 12:02d}-01" for i in range(40)}
    links = [(f"a{i}", "t1") for i in range(5)] + [(f"a{i}", "t2") for i in range(40)]
    tr = analyse(dates, links, {"t1": "Technology", "t2": "Technology"}, {}, list(dates))
    by = {t.iri: t for t in tr.nodes}
    assert by["t1"].cls == "" and not by["t1"].tested
    assert by["t2"].cls == "steady" and by["t2"].articles == 40 and by["t2"].first_seen == "2024-01-01"


@pytest.mark.parametrize("window", [{}, {"since": "2022-03-01", "until": "2024-08-31"}])
def test_series_and_map_are_each_nodes_own(window: dict[str, str]) -> None:
    """analyse counts in arrays for every node at once; each node's series, dates and map position are what
    counting its own articles gives (the weak-signal map's formulas of the module doc, one node at a time)."""
    rng = np.random.default_rng(5)
    dates = {f"a{i}": f"{2021 + i % 4}-{1 + i % 12:02d}-{1 + i % 28:02d}" for i in range(300) if i % 7}
    links = [(f"a{rng.integers(300)}", f"n{rng.integers(40)}") for _ in range(2500)]
    types = {f"n{j}": ("Technology", "Concern")[j % 2] for j in range(40)}
    tr = analyse(dates, links, types, {}, [f"a{i}" for i in range(300)], **window)
    arts = {a for a, d in dates.items()
            if d >= window.get("since", "") and d <= window.get("until", "9999")}
    undated = {f"a{i}" for i in range(300)} - set(dates)
    years = sorted({dates[a][:4] for a in arts})
    vol = np.array([sum(1 for a in arts if dates[a][:4] == y) for y in years], dtype=float)
    weight = np.array([1 - 0.05 * (len(years) - (j + 1)) for j in range(len(years))])
    assert tr.nodes
    for t in tr.nodes:
        mine = {a for a, n in links if n == t.iri and (a in arts or a in undated)}
        seen = sorted(dates[a] for a in mine if a in arts)
        assert (t.articles, t.dated, t.first_seen, t.last_seen) == (len(mine), len(seen), seen[0], seen[-1])
        assert t.series == [sum(1 for d in seen if period_of(d) == p) for p in tr.periods]
        if t.quadrant:
            tf = np.array([sum(1 for d in seen if d[:4] == y) for y in years], dtype=float)
            dov = tf / vol * weight
            on = np.flatnonzero(dov > 0)
            assert t.visibility == float(dov.mean())
            assert t.growth == float((dov[on[-1]] / dov[on[0]]) ** (1 / (on[-1] - on[0])) - 1)
    assert sum(1 for t in tr.nodes if t.quadrant) > 10


@pytest.fixture(scope="module")
def planted(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, object]]:
    """3,000 documents with planted rising, fading, bursting and steady technologies, built."""
    tmp = tmp_path_factory.mktemp("planted")
    subprocess.run([sys.executable, str(ROOT / "bench" / "make_corpus.py"), str(tmp / "src"), "--docs", "3000",
                    "--trends", "4", "--trend-truth", str(tmp / "truth.json")], check=True, capture_output=True)
    build([tmp / "src"], tmp / "out", html=False)
    return tmp / "out", json.loads((tmp / "truth.json").read_text())


def test_the_planted_trends_are_found(planted: tuple[Path, dict[str, object]]) -> None:
    out, truth = planted
    tr = trends_of(BuiltGraph(out))
    tech = {t.label: t for t in tr.nodes if t.type == "Technology"}
    rising = [t.label for t in sorted((t for t in tech.values() if t.cls == "rising"), key=lambda t: t.p)]
    k = len(truth["rising"])  # type: ignore[arg-type]
    for name in truth["rising"]:  # type: ignore[attr-defined]
        assert tech[name].cls == "rising" and name in rising[:2 * k], (name, tech[name].cls, tech[name].p)
    for name in truth["fading"]:  # type: ignore[attr-defined]
        assert tech[name].cls == "fading", (name, tech[name].cls, tech[name].p)
    for name, (start, end) in truth["burst_windows"].items():  # type: ignore[attr-defined]
        assert any(b[0] <= end and start <= b[1] for b in tech[name].bursts), (name, tech[name].bursts)
    for name in truth["steady"]:  # type: ignore[attr-defined]
        assert tech[name].cls not in ("rising", "fading"), (name, tech[name].cls, tech[name].p)
    planted_names = {n for key in ("rising", "fading", "burst", "steady") for n in truth[key]}  # type: ignore[attr-defined]
    others = [t for t in tech.values() if t.label not in planted_names and t.dated >= 20]
    assert len(others) > 50
    assert sum(t.cls in ("rising", "fading") for t in others) <= 0.05 * len(others)


def test_trends_are_in_the_graph_and_trends_csv(planted: tuple[Path, dict[str, object]]) -> None:
    out, truth = planted
    store = pyoxigraph.Store()
    store.load(path=str(out / "graph.ttl"), format=pyoxigraph.RdfFormat.TURTLE)
    name = truth["rising"][0]  # type: ignore[index]
    row = select(store, f"""SELECT ?n ?slope ?p ?count ?first WHERE {{ ?n rdfs:label "{name}" ; a kgo:Technology ;
        kgo:trend kgo:Rising ; kgo:trendSlope ?slope ; kgo:trendP ?p ; kgo:articleCount ?count ;
        kgo:firstSeen ?first }}""")
    assert len(row) == 1 and float(row[0]["slope"]) > 0 and float(row[0]["p"]) < 0.05
    burst = truth["burst"][0]  # type: ignore[index]
    bursts = select(store, f"""SELECT ?s ?e ?x WHERE {{ ?n rdfs:label "{burst}" ; a kgo:Technology ; kgo:burst ?b .
        ?b a kgo:Burst ; kgo:start ?s ; kgo:end ?e ; kgo:strength ?x }}""")
    assert bursts and all(float(b["x"]) > 0 for b in bursts)
    quadrants = select(store, "SELECT DISTINCT ?q WHERE { ?n kgo:signalQuadrant ?q }")
    assert {q["q"].rsplit("#", 1)[1] for q in quadrants} == {"WeakSignal", "StrongSignal", "WellKnown", "Latent"}
    lines = (out / "trends.csv").read_text().splitlines()
    assert lines[0] == "iri,type,label,period,articles,share"
    mine = [ln for ln in lines if f",{name}," in ln]
    assert sum(int(ln.split(",")[-2]) for ln in mine) == int(row[0]["count"])
    report = json.loads((out / "report.json").read_text())
    assert report["trends"]["classes"]["rising"] >= 4 and report["trends"]["undated_articles"] == 0


def test_kg_trends_command(planted: tuple[Path, dict[str, object]], tmp_path: Path) -> None:
    out, truth = planted
    runner = CliRunner()
    res = runner.invoke(main, ["trends", "--graph", str(out), "--type", "Technology", "--class", "rising",
                               "--format", "json", "--top", "5", "--plot", str(tmp_path / "map.svg")])
    assert res.exit_code == 0, res.output
    rows = json.loads(res.stdout)
    assert {r["label"] for r in rows} >= set(truth["rising"])  # type: ignore[arg-type]
    keys = {"iri", "label", "type", "class", "slope", "p", "first_seen", "last_seen", "articles", "bursts",
            "quadrant", "series"}
    assert all(keys <= set(r) and r["class"] == "rising" for r in rows)
    assert [r["p"] for r in rows] == sorted(r["p"] for r in rows)
    svg = (tmp_path / "map.svg").read_bytes()
    assert svg.startswith(b"<?xml") and b"Weak-signal map" in svg
    again = runner.invoke(main, ["trends", "--graph", str(out), "--type", "Technology", "--plot",
                                 str(tmp_path / "again.svg"), "--format", "csv"])
    assert again.exit_code == 0 and (tmp_path / "again.svg").read_bytes() == svg  # deterministic
    table = runner.invoke(main, ["trends", "--graph", str(out), "--class", "burst", "--period", "quarter"])
    assert table.exit_code == 0 and "quarter" in table.output
    every = trend_rows(trends_of(BuiltGraph(out)), (), None, 100_000)
    untested = [r for r in every if r["p"] is None]
    assert untested and all(r["slope"] is None and r["class"] in ("", "new") for r in untested)  # no test, no slope
    window = trend_rows(trends_of(BuiltGraph(out), since="2024-01-01"), ("Technology",), None, 3)
    assert all(r["first_seen"] >= "2024-01-01" for r in window)


def test_trends_are_deterministic(tmp_path: Path) -> None:
    subprocess.run([sys.executable, str(ROOT / "bench" / "make_corpus.py"), str(tmp_path / "src"), "--docs", "400",
                    "--trends", "2"], check=True, capture_output=True)
    build([tmp_path / "src"], tmp_path / "a", html=False, cache=False)
    build([tmp_path / "src"], tmp_path / "b", html=False, cache=False)
    for name in ("trends.csv", "graph.ttl", "report.json"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes(), name
    from kg.validate import validate_graph

    conforms, text = validate_graph(tmp_path / "a")
    assert conforms, text[:2000]


def test_trends_csv_quotes_what_needs_quotes() -> None:
    dates = {f"a{i}": f"2024-{1 + i % 3:02d}-01" for i in range(6)}
    label = 'Solar, "perovskite"\ncells'
    tr = analyse(dates, [(a, "n1") for a in dates] + [("a0", "n2")], {"n1": "Technology", "n2": "Concern"},
                 {"n1": label, "n2": "plain"}, list(dates))
    rows = list(csv.reader(io.StringIO(trends_csv(tr))))
    assert rows == [["iri", "type", "label", "period", "articles", "share"],
                    ["n1", "Technology", label, "2024-01", "2", "1"], ["n1", "Technology", label, "2024-02", "2", "1"],
                    ["n1", "Technology", label, "2024-03", "2", "1"], ["n2", "Concern", "plain", "2024-01", "1", "0.5"]]
