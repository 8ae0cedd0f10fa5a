"""kg diff, kg gaps and kg report: builds compared, planted gaps found (and none where there is none), the
report in a browser; the snapshot the build writes equals the one read back from its graph."""

from __future__ import annotations

import json
import random
import shutil
import subprocess
import sys
from pathlib import Path

import pyoxigraph
import pytest
from click.testing import CliRunner

from kg.api import load
from kg.cli import main
from kg.diff import adjusted_rand, normalized_mutual_info
from kg.explore import select
from kg.gaps import QUERIES
from kg.pipeline import build
from kg.snapshot import SNAPSHOT, _read
from kg.sparql import bind, named_query
from kg.store import BuiltGraph
from tests.conftest import ROOT, copy_seeds
from tests.test_query_speed import BEFORE, disagreeing_as_before, same_rows_as_before

ENTITY_NODES = """SELECT ?n WHERE { VALUES ?t { kgo:Signal kgo:Technology kgo:Concern kgo:Behavior kgo:Issue
    kgo:Theme kgo:Keyword kgo:Category kgo:ContentType } ?n a ?t }"""


def _nodes(folder: Path) -> set[str]:
    return {r["n"] for r in select(BuiltGraph(folder).store(), ENTITY_NODES)}


# ---------------------------------------------------------------- the snapshot


def test_the_snapshot_the_build_writes_is_what_its_graph_says(seeds_build: tuple[Path, object]) -> None:
    out, _ = seeds_build
    graph = BuiltGraph(out)
    written = json.loads((graph.build_dir / SNAPSHOT).read_text(encoding="utf-8"))
    assert written == json.loads(json.dumps(_read(graph).to_json()))
    assert len(written["documents"]) == 14 and written["outlooks"]


# ---------------------------------------------------------------- ARI and NMI


def test_ari_and_nmi_by_hand_and_against_scikit_learn() -> None:
    assert adjusted_rand(list("aabb"), list("xxyz")) == pytest.approx(0.5714285714285715)  # sklearn's doc example
    assert adjusted_rand(list("aabb"), list("yyxx")) == 1.0
    assert normalized_mutual_info(list("aabb"), list("yyxx")) == 1.0
    assert normalized_mutual_info(list("aaaa"), list("abcd")) == 0.0  # one side tells nothing
    metrics = pytest.importorskip("sklearn.metrics")
    rng = random.Random(3)
    for _ in range(30):
        n = rng.randint(2, 300)
        a = [str(rng.randint(0, rng.randint(1, 8))) for _ in range(n)]
        b = [str(rng.randint(0, rng.randint(1, 8))) for _ in range(n)]
        assert adjusted_rand(a, b) == pytest.approx(metrics.adjusted_rand_score(a, b), abs=1e-12)
        assert normalized_mutual_info(a, b) == pytest.approx(metrics.normalized_mutual_info_score(a, b), abs=1e-12)


# ---------------------------------------------------------------- kg diff


@pytest.fixture(scope="module")
def grown(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, Path]:
    """One output folder built twice: the first 500 files of a corpus that grows with time, then all 600.
    Returns the folder and the two build folders (the first kept as the previous build)."""
    tmp = tmp_path_factory.mktemp("grown")
    src = tmp / "all"
    subprocess.run([sys.executable, str(ROOT / "bench" / "make_corpus.py"), str(src), "--docs", "600",
                    "--trends", "2", "--trend-truth", str(tmp / "truth.json")], check=True, capture_output=True)
    first = tmp / "first"
    first.mkdir()
    for f in sorted(src.iterdir())[:500]:
        shutil.copy(f, first / f.name)
    out = tmp / "out"
    build([first], out, cache=False)
    build([src], out, cache=False)
    return out, (out / ".kg" / "previous").resolve(), (out / ".kg" / "current").resolve()


def test_diff_of_a_corpus_grown_by_100_documents(grown: tuple[Path, Path, Path]) -> None:
    out, old, new = grown
    res = CliRunner().invoke(main, ["diff", "--previous", "--graph", str(out), "--format", "json"])
    assert res.exit_code == 0, res.output
    d = json.loads(res.output)
    assert d["old"] == f"{out} (previous build)" and d["new"] == str(out)
    added = {a["id"] for a in d["articles"]["added"]}
    assert added == {p.stem for p in sorted((out.parent / "all").iterdir())[500:]}
    assert d["articles"]["removed"] == [] and d["articles"]["changed"] == []
    new_nodes, old_nodes = _nodes(new), _nodes(old)
    assert {n["iri"] for n in d["nodes"]["added"]} == new_nodes - old_nodes  # exactly the typed nodes new in NEW
    assert {n["iri"] for n in d["nodes"]["removed"]} == old_nodes - new_nodes == set()
    assert all(n["articles"] and set(n["articles"]) <= {a["article"] for a in d["articles"]["added"]}
               for n in d["nodes"]["added"])  # brought by the new articles
    assert 0.0 <= d["clusters"]["nmi"] <= 1.0 and -1.0 <= d["clusters"]["ari"] <= 1.0
    assert 0 < d["clusters"]["common_nodes"] <= len(old_nodes & new_nodes)
    store_old, store_new = BuiltGraph(old).store(), BuiltGraph(new).store()
    for rel in d["relations"]["added"][:20]:  # together in a new article, never in an old one
        a, b = rel["a"]["iri"], rel["b"]["iri"]
        together = f"SELECT ?x WHERE {{ ?x ?p <{a}> ; ?q <{b}> . ?x a kgo:Article }}"
        assert select(store_old, together) == []
        assert len({r["x"] for r in select(store_new, together)}) == rel["support"]
    assert {"up", "down"} <= d["movers"].keys() and isinstance(d["trends"], list)
    # the same builds swapped: the mirror image
    mirror = json.loads(CliRunner().invoke(main, ["diff", str(new), str(old), "--format", "json"]).output)
    assert {a["id"] for a in mirror["articles"]["removed"]} == added and mirror["articles"]["added"] == []
    assert {n["iri"] for n in mirror["nodes"]["removed"]} == new_nodes - old_nodes and mirror["nodes"]["added"] == []
    assert mirror["relations"]["removed"] == d["relations"]["added"] or \
        {(r["a"]["iri"], r["b"]["iri"]) for r in mirror["relations"]["removed"]} == \
        {(r["a"]["iri"], r["b"]["iri"]) for r in d["relations"]["added"]}
    assert mirror["clusters"]["ari"] == d["clusters"]["ari"] and mirror["clusters"]["nmi"] == d["clusters"]["nmi"]
    table = CliRunner().invoke(main, ["diff", "--previous", "--graph", str(out)])
    assert table.exit_code == 0 and "100 added, 0 removed, 0 changed" in table.output
    md = CliRunner().invoke(main, ["diff", "--previous", "--graph", str(out), "--format", "md"])
    assert md.exit_code == 0 and "## New relations" in md.output


def test_diff_of_an_edited_and_a_deleted_document(tmp_path: Path) -> None:
    src = copy_seeds(tmp_path / "src")
    out = tmp_path / "out"
    build([src], out, analytics=False)
    docs = sorted(p for p in src.glob("*.md") if p.name != "README.md")
    edited, deleted = docs[0], docs[1]
    text = edited.read_text(encoding="utf-8")
    edited.write_text(text.replace("## Keywords\n", "## Keywords\n\n* edited keyword\n", 1), encoding="utf-8")
    deleted.unlink()
    build([src], out, analytics=False)
    d = load(out).diff()
    assert [a["id"] for a in d.articles["changed"]] == [edited.stem]
    assert [a["id"] for a in d.articles["removed"]] == [deleted.stem] and d.articles["added"] == []
    assert any(n["label"] == "edited keyword" and n["type"] == "Keyword" for n in d.nodes["added"])
    res = CliRunner().invoke(main, ["diff", "--graph", str(tmp_path / "nowhere"), "--previous"])
    assert res.exit_code == 1
    res = CliRunner().invoke(main, ["diff", str(out)])
    assert res.exit_code == 2  # OLD without NEW


# ---------------------------------------------------------------- kg gaps

HEAD = "| name | description | change | 10-year | driving-force | relevancy |\n|---|---|---|---|---|---|\n"
PLAIN = "| name | description | relevancy |\n|---|---|---|\n"


def _doc(title: str, date: str, category: str, signals: list[tuple[str, str]] = (),  # type: ignore[assignment]
         techs: list[str] = (), concerns: list[str] = (), behaviors: list[str] = (),  # type: ignore[assignment]
         issues: list[str] = ()) -> str:  # type: ignore[assignment]
    slug = title.lower().replace(" ", "-")
    out = [f"# __{title}__, (from page [{date}](https://example.org/p/{date}).)\n",
           f"__[External link](https://news.example.org/{slug})__\n", "## Keywords\n", f"* {title.split()[0]}\n",
           "## Other\n", f"* Category: {category}\n", "## Summary\n", f"About {title}.\n"]
    if signals:
        out.append("## Signals\n\n" + HEAD + "".join(f"| {s} | {s} grows | more | {o} | demand | 4 |\n"
                                                       for s, o in signals))
    for head, rows in (("Technologies", techs), ("Concerns", concerns), ("Behaviors", behaviors), ("Issues", issues)):
        if rows:
            out.append(f"## {head}\n\n" + PLAIN + "".join(f"| {r} | about {r} | 3 |\n" for r in rows))
    return "\n".join(out)


def _gap_corpus(folder: Path, planted: bool) -> Path:
    """Twelve months of articles about solar and wind, every concern answered, every technology scrutinised,
    every category with outlooks and recent signals; `planted` adds one of each gap."""
    folder.mkdir(parents=True)
    months = [f"2024{m:02d}" for m in range(1, 13)]
    for i, m in enumerate(months):
        for j in range(3):
            n = i * 3 + j
            solar = j < i // 3  # Perovskite Panels in 0, 0, 0, 1, 1, 1, 2, ... of each month's 3: rising
            techs = ["Perovskite Panels"] if solar else ["Wind Turbines"]
            (folder / f"{m}{j:02d}_a{n:03d}.md").write_text(_doc(
                f"Grid story {n}", f"{m}{10 + j}", "energy", [(f"Signal {n % 5}", "grids get smarter")],
                techs, [f"Grid Risk {n % 4}"], [f"Behavior {n % 3}"], [f"Issue {n % 2}"]), encoding="utf-8")
    if planted:
        for k in range(2):  # a technology cluster that no article links to a concern or issue
            (folder / f"20240615_b{k}.md").write_text(_doc(
                f"Drone post {k}", "20240615", "energy", [("Signal 0", "grids get smarter")],
                ["Delivery Drones", "Drone Docks"]), encoding="utf-8")
        (folder / "20240701_c.md").write_text(_doc(  # a concern no behaviour or issue answers
            "Lonely worry", "20240701", "energy", [("Signal 1", "grids get smarter")], ["Wind Turbines"],
            ["Orphan Worry"]), encoding="utf-8")
        (folder / "20240201_d.md").write_text(_doc(  # a category whose signals carry no outlook, silent since
            "Old farm news", "20240201", "farming", [("Soil Sensing Boom", "")], ["Wind Turbines"], ["Grid Risk 1"],
            ["Behavior 1"]), encoding="utf-8")
        (folder / "20241220_e.md").write_text(_doc(  # one-article signal naming the rising technology
            "Panels again", "20241220", "energy", [("Cheaper Perovskite Panels", "grids get smarter")],
            ["Perovskite Panels"], ["Grid Risk 2"], ["Behavior 2"]), encoding="utf-8")
        (folder / "20241221_f.md").write_text(_doc(  # the same signal, another outlook
            "A darker view", "20241221", "energy", [("Signal 3", "grids fail in heatwaves")], ["Wind Turbines"],
            ["Grid Risk 3"], ["Behavior 0"]), encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def gap_builds(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    tmp = tmp_path_factory.mktemp("gaps")
    outs = []
    for planted in (False, True):
        out = tmp / f"out-{planted}"
        build([_gap_corpus(tmp / f"src-{planted}", planted)], out, cache=False)
        outs.append(out)
    return outs[0], outs[1]


def test_no_false_gaps(gap_builds: tuple[Path, Path]) -> None:
    g = load(gap_builds[0]).gaps()
    assert g.unscrutinised == [] and g.unanswered == [] and g.follow_up == []
    assert g.disagreements == []
    assert [c["label"] for c in g.categories] == ["energy"] and g.categories[0]["gaps"] == []


def test_planted_gaps_are_found(gap_builds: tuple[Path, Path]) -> None:
    kg = load(gap_builds[1])
    g = kg.gaps()
    assert kg.snapshot().nodes[next(i for i, n in kg.snapshot().nodes.items()
                                    if n.label == "Perovskite Panels")].trend == "rising"
    assert any(set(c["technologies"]) == {"Delivery Drones", "Drone Docks"} for c in g.unscrutinised)
    assert all("Perovskite Panels" not in c["technologies"] and "Wind Turbines" not in c["technologies"]
               for c in g.unscrutinised)
    assert [c["label"] for c in g.unanswered] == ["Orphan Worry"]
    farming = next(c for c in g.categories if c["label"] == "farming")
    assert farming["gaps"] == ["no outlook", "no signal since 2024-10"]
    assert next(c for c in g.categories if c["label"] == "energy")["gaps"] == []
    assert [(s["label"], s["technology_label"]) for s in g.follow_up] == [("Cheaper Perovskite Panels",
                                                                            "Perovskite Panels")]
    assert [d["label"] for d in g.disagreements] == ["Signal 3"]
    assert {v["outlook"] for v in g.disagreements[0]["outlooks"]} == {"grids get smarter", "grids fail in heatwaves"}
    res = CliRunner().invoke(main, ["gaps", "--graph", str(gap_builds[1])])
    assert res.exit_code == 0 and "Orphan Worry" in res.output and "Delivery Drones" in res.output


def test_each_gap_is_its_named_query(gap_builds: tuple[Path, Path]) -> None:
    """The Python gaps give the rows of the named queries in ontology/queries/."""
    for out in gap_builds:
        kg = load(out)
        g, store = kg.gaps(), kg.store

        def rows(key: str, store: pyoxigraph.Store = store) -> list[dict[str, str]]:
            return select(store, named_query(QUERIES[key]).text)

        found = {r["cluster"].rsplit("/", 1)[-1] for r in rows("unscrutinised")}
        coarsest = {c for c in found if kg.snapshot().clusters[c].parent not in found}
        assert {c["cluster"] for c in g.unscrutinised} == coarsest
        assert {r["concern"] for r in rows("unanswered")} == {c["iri"] for c in g.unanswered}
        assert {(r["category"], int(r["signals"]), int(r["signals_with_outlook"]), r["last_signal"])
                for r in rows("categories")} == {(c["iri"], c["signals"], c["signals_with_outlook"], c["last_signal"])
                                                  for c in g.categories}
        assert {(r["signal"], r["technology"]) for r in rows("follow_up")} == {(s["iri"], s["technology"])
                                                                               for s in g.follow_up}
        assert {(r["signal"], int(r["outlooks"])) for r in rows("disagreements")} == {
            (d["iri"], len({v["outlook"] for v in d["outlooks"]})) for d in g.disagreements}
        for d in g.disagreements:
            side = select(store, bind(named_query("signal-outlooks"), {"signal": d["label"]}))
            assert {(r["article"], r["outlook"]) for r in side if r["node"] == d["iri"]} == {
                (v["article"], v["outlook"]) for v in d["outlooks"]}
        for name in BEFORE:  # the tallies the queries read give the rows the full counts gave
            new, before = same_rows_as_before(BuiltGraph(out), name)
            assert new == before, name
        now, before = disagreeing_as_before(BuiltGraph(out))
        assert now == before


# ---------------------------------------------------------------- kg report


def test_report_html_and_markdown(gap_builds: tuple[Path, Path], tmp_path: Path) -> None:
    out = gap_builds[1]
    first, second = tmp_path / "a.html", tmp_path / "b.html"
    for path in (first, second):
        res = CliRunner().invoke(main, ["report", "--graph", str(out), "--out", str(path), "--since", "2024-12-01"])
        assert res.exit_code == 0, res.output
    assert first.read_bytes() == second.read_bytes()
    text = first.read_text(encoding="utf-8")
    for section in ("glance", "trends", "map", "clusters", "gaps", "since"):
        assert f'id="{section}"' in text
    assert "<script" not in text and "https://news.example.org/" in text and "Orphan Worry" in text
    md = tmp_path / "r" / "report.md"
    res = CliRunner().invoke(main, ["report", "--graph", str(out), "--out", str(md), "--format", "md"])
    assert res.exit_code == 0, res.output
    images = sorted((tmp_path / "r" / "report-images").iterdir())
    assert any(p.name == "weak-signal-map.svg" for p in images)
    body = md.read_text(encoding="utf-8")
    assert all(f"report-images/{p.name}" in body for p in images) and "## Concerns no behaviour" in body


def test_report_with_changes(grown: tuple[Path, Path, Path], tmp_path: Path) -> None:
    out, _, _ = grown
    path = tmp_path / "r.html"
    written = load(out).report(path)
    assert written == [path]
    text = path.read_text(encoding="utf-8")
    assert 'id="changes"' in text and "100 documents added" in text


def test_report_in_a_browser(gap_builds: tuple[Path, Path], tmp_path: Path) -> None:
    from tests.test_html import CHROMIUM

    if not CHROMIUM:
        pytest.skip("no Chromium")
    from playwright.sync_api import sync_playwright

    path = tmp_path / "report.html"
    load(gap_builds[1]).report(path)
    requests: list[str] = []
    errors: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 900})
            page.on("request", lambda r: requests.append(r.url))
            page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.goto(path.as_uri())
            page.wait_for_load_state("load")
            heads = page.eval_on_selector_all("h2", "els => els.map(e => e.textContent)")
            svgs = page.eval_on_selector_all("svg", "els => els.length")
            pdf = page.pdf(format="A4")
        finally:
            browser.close()
    assert requests == [path.as_uri()] and errors == []
    assert heads[:5] == ["The corpus at a glance", "Rising, fading, new and bursting", "Weak-signal map", "Clusters",
                         "Gaps"]
    assert svgs >= 2 and pdf.startswith(b"%PDF")


def test_python_api_gives_frames(gap_builds: tuple[Path, Path]) -> None:
    pytest.importorskip("pandas")
    from kg.api import frame

    g = load(gap_builds[1]).gaps()
    df = frame(g.unanswered)
    assert list(df["label"]) == ["Orphan Worry"]


def test_seeds_report_and_gaps_run(seeds_build: tuple[Path, object]) -> None:
    out, _ = seeds_build
    res = CliRunner().invoke(main, ["gaps", "--graph", str(out), "--format", "json"])
    assert res.exit_code == 0
    assert set(json.loads(res.output)) == {"unscrutinised", "unanswered", "categories", "follow_up", "disagreements"}
