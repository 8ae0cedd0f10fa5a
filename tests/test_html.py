"""The HTML explorer, checked in headless Chromium opened from disk with the network blocked."""

from __future__ import annotations

import os
import re
import shutil
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from kg.pipeline import BuildResult, build
from kg.store import BuiltGraph
from kg.viewdata import collect
from kg.viewselect import select
from kg.viz import write_html
from tests.conftest import SEEDS, write_docs

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")
XSS_SCRIPT = "<script>alert(1)</script>"
XSS_IMG = "<img src=x onerror=alert(1)>"


def test_page_is_self_contained(seeds_build: tuple[Path, BuildResult]) -> None:
    out, _ = seeds_build
    page = (out / "graph.html").read_text(encoding="utf-8")
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", page)
    assert "@import" not in page and not re.search(r"url\(\s*['\"]?(https?:)?//", page)
    assert "Content-Security-Policy" in page and "default-src 'none'" in page
    assert len(re.findall(r"^<script", page, re.M)) == 3  # data, vis-network, explorer


def test_default_view_caps_nodes_and_keeps_clusters(seeds_build: tuple[Path, BuildResult]) -> None:
    out, _ = seeds_build
    data = collect(BuiltGraph(out).quads())
    view = select(data, top=60)
    assert len(view.nodes) == 60 and view.total == len(data.types)
    level0 = {c for c, i in data.clusters.items() if i.get("level") == 0}
    assert {data.cluster_of(n) for n in view.nodes} >= level0
    assert "every cluster represented" in view.how
    chosen = set(view.nodes)
    assert all(a in chosen and b in chosen for a, b, _, _ in view.edges)


def test_an_article_whose_copies_differ_in_a_relevancy_gets_its_page(tmp_path: Path) -> None:
    """Two documents of one article name a concern, one with a relevancy and one without (a cell left empty):
    the explorer's rows for that concern hold a number and a blank, and the page is still written."""
    seed = (SEEDS / "000_61f95d86ecc6b6dd.txt").read_text(encoding="utf-8")
    row = next(line for line in seed.splitlines() if line.startswith("| Bias and Toxicity in AI Outputs"))
    cut = row.rstrip().rstrip("|").rstrip().rfind("|") + 1
    blank, relevancy = row[:cut] + " |", row[cut:].strip(" |")
    src = write_docs(tmp_path / "src", {"a.md": seed, "b.md": seed.replace(row, blank).replace(
        "societal norms negatively", "the norms of society")})
    result = build([src], tmp_path / "out")
    assert result.built == 2 and (tmp_path / "out" / "graph.html").stat().st_size > 0
    store = BuiltGraph(tmp_path / "out").store()
    given = {str(b["r"].value) if b["r"] else "" for b in store.query(
        "PREFIX kgo: <https://w3id.org/signals-kg/ontology#> PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>"
        " SELECT ?r WHERE { GRAPH ?g { ?m kgo:entity ?c . OPTIONAL { ?m kgo:relevancy ?r } } "
        "?c rdfs:label 'Bias and Toxicity in AI Outputs' }")}
    assert given == {"", relevancy} and relevancy.isdigit()


@pytest.fixture(scope="module")
def xss_build(tmp_path_factory: pytest.TempPathFactory) -> Path:
    seed = (SEEDS / "000_61f95d86ecc6b6dd.txt").read_text(encoding="utf-8")
    evil = (seed.replace("| Mistral 7B                   |", f"| {XSS_IMG} |")
            .replace("* benchmarks", f"* {XSS_SCRIPT}")
            .replace("Exploring the Advantages", f"{XSS_IMG} Exploring the Advantages")
            .replace("An open-source model that excels", f"{XSS_SCRIPT} An open-source model that excels"))
    src = write_docs(tmp_path_factory.mktemp("xss") / "src", {"evil.md": evil})
    out = src.parent / "out"
    build([src], out)
    page = (out / "graph.html").read_text(encoding="utf-8")
    assert XSS_SCRIPT not in page and XSS_IMG not in page  # only escaped forms reach the file
    return out


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if CHROMIUM is None:
        if os.environ.get("KG_REQUIRE_BROWSER"):
            pytest.fail("Chromium is required (KG_REQUIRE_BROWSER is set) but not installed")
        pytest.skip("Chromium is not installed")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
            "--disable-sync", "--no-first-run", "--disable-dev-shm-usage"])
        yield b
        b.close()


class Page:
    """A page opened from disk with every request outside it refused and recorded."""

    def __init__(self, browser: Any, path: Path | str, hash_: str = "") -> None:
        self.context = browser.new_context(viewport={"width": 1400, "height": 900}, accept_downloads=True)
        self.blocked: list[str] = []
        self.errors: list[str] = []
        self.dialogs: list[str] = []
        url = path if isinstance(path, str) else path.resolve().as_uri()
        self.allowed: list[str] = []

        def route(r: Any) -> None:
            if r.request.url.split("#")[0] == url or r.request.url in self.allowed:
                r.continue_()
            else:
                self.blocked.append(r.request.url)
                r.abort()

        self.context.route("**/*", route)
        self.page = self.context.new_page()
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on("dialog", lambda d: (self.dialogs.append(d.message), d.dismiss()))
        self.page.goto(url + hash_)
        # polled with a function: a string would be eval'd in the page, which its CSP forbids
        deadline = time.monotonic() + 60
        while not self.page.evaluate("() => !!(window.kg && window.kg.ready)"):
            assert time.monotonic() < deadline and not self.errors, f"page not ready: {self.errors}"
            self.page.wait_for_timeout(20)

    def js(self, expr: str, arg: Any = None) -> Any:
        return self.page.evaluate(expr, arg)

    def close(self) -> None:
        self.context.close()


@pytest.fixture()
def seeds_page(browser: Any, seeds_build: tuple[Path, BuildResult]) -> Iterator[Page]:
    out, _ = seeds_build
    page = Page(browser, out / "graph.html")
    yield page
    page.close()


OVERLAPS = """() => {
  const pos = kg.network.getPositions(), ids = kg.nodes.getIds({filter: n => !n.hidden}), bad = [];
  for (let i = 0; i < ids.length; i++) for (let j = i + 1; j < ids.length; j++) {
    const a = ids[i], b = ids[j];
    const ra = kg.network.body.nodes[a].options.size, rb = kg.network.body.nodes[b].options.size;
    if (Math.hypot(pos[a].x - pos[b].x, pos[a].y - pos[b].y) < ra + rb) bad.push([a, b]);
  }
  return bad;
}"""
LABEL_CLASHES = """() => {
  const ls = kg.labels(), bad = [];
  for (let i = 0; i < ls.length; i++) for (let j = i + 1; j < ls.length; j++) {
    const a = ls[i], b = ls[j];
    if (a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h) bad.push([a.text, b.text]);
  }
  return bad;
}"""


def _concepts(out: Path) -> int:
    return len(select(collect(BuiltGraph(out).quads())).nodes)


@pytest.mark.browser
def test_renders_the_concept_map_offline_without_errors(seeds_page: Page,
                                                         seeds_build: tuple[Path, BuildResult]) -> None:
    out, result = seeds_build
    vertices = result.analytics["projection"]["vertices"]
    drawn = _concepts(out)
    assert seeds_page.js("kg.nodes.length") == drawn == seeds_page.js("kg.visibleCount()")
    assert seeds_page.js("kg.network.body.nodeIndices.length") == drawn  # drawn by vis-network
    assert seeds_page.js("kg.nodes.get().filter(n => n.kgType === 'Article' || n.kgType === 'Category').length") == 0
    assert seeds_page.js("kg.index.iri.length") == vertices  # the index holds every node of the graph
    assert seeds_page.blocked == [] and seeds_page.errors == []
    assert f"Showing {drawn} of {drawn} drawn nodes" in seeds_page.page.inner_text("#notice")
    assert seeds_page.js(OVERLAPS) == []
    labels = seeds_page.js("kg.labels()")
    assert len(labels) > 20 and seeds_page.js(LABEL_CLASHES) == []


@pytest.mark.browser
def test_a_concept_family_is_one_node(seeds_page: Page, seeds_store: Any) -> None:
    from tests.conftest import select as sparql

    pairs = sparql(seeds_store, "SELECT ?a ?b WHERE { ?a kgo:relatedConcept ?b }")
    assert pairs
    drawn = set(seeds_page.js("kg.nodes.getIds().map(i => kg.index.iri[i])"))
    assert not any(p["a"] in drawn and p["b"] in drawn for p in pairs)
    typed = seeds_page.js("kg.edges.get().filter(e => e.kgType === 'mentionsEntity').length")
    assert typed > 0  # signals, concerns... that name a technology: drawn as typed (dashed) links
    multi = seeds_page.js("kg.nodes.get().filter(n => n.kgTypes.length > 1).map(n => n.kgTypes)")
    assert multi and all(len(set(t)) == len(t) > 1 for t in multi)


@pytest.mark.browser
def test_search_lists_ranked_matches_and_folds_punctuation(seeds_page: Page) -> None:
    seeds_page.page.fill("#search", "mistral 7b")
    seeds_page.page.press("#search", "Enter")
    target = "https://w3id.org/signals-kg/id/technology/mistral-7b"
    assert seeds_page.js("kg.focused") == target
    assert seeds_page.js("kg.network.getSelectedNodes().map(i => kg.index.iri[i])") == [target]
    assert "Mistral 7B" in seeds_page.page.inner_text("#details")
    faded = seeds_page.js("kg.nodes.get().filter(n => n.color === '#e4e4e4').length")
    assert faded > 0  # the rest of the map is dimmed around the focused node's neighbours
    for query, label in (("phi2", "Phi-2"), ("Language-Models", "Small Language Models (SLMs)"),
                         ("SMALL   language models", "Small Language Models (SLMs)")):
        hits = seeds_page.js("q => kg.matches(q, 20).map(i => kg.index.label[i])", query)
        assert label in hits, (query, hits[:5])
    seeds_page.page.fill("#search", "")
    seeds_page.page.type("#search", "language")
    items = seeds_page.page.locator("#search-results li")
    assert items.count() > 3 and "article" in items.first.inner_text()
    assert seeds_page.js("kg.search('zzqx no such thing')") is None
    assert "Not in this graph" in seeds_page.page.inner_text("#search-msg")


@pytest.mark.browser
def test_search_brings_a_node_outside_the_view_in(seeds_page: Page) -> None:
    doc = "000_61f95d86ecc6b6dd"
    before = seeds_page.js("kg.nodes.length")
    iri = seeds_page.js(f"kg.search('{doc}')")
    assert iri.endswith(f"/article/{doc}")  # articles are not drawn by default, but every one is findable
    assert seeds_page.js("kg.nodes.length") > before
    assert seeds_page.js("kg.network.getSelectedNodes().map(i => kg.index.iri[i])") == [iri]
    details = seeds_page.page.inner_text("#details").casefold()  # headings are drawn in capitals
    assert "summary" in details and "signals (5)" in details and "keywords" in details
    assert seeds_page.js(OVERLAPS) == []


@pytest.mark.browser
def test_the_url_opens_a_signals_panel_with_its_texts(browser: Any, seeds_build: tuple[Path, BuildResult],
                                                     seeds_store: Any) -> None:
    from urllib.parse import quote

    from tests.conftest import select as sparql

    out, _ = seeds_build
    row = sparql(seeds_store, """SELECT ?s ?outlook ?force ?change WHERE { ?s a kgo:Signal .
        ?m kgo:entity ?s ; kgo:tenYearOutlook ?outlook ; kgo:drivingForce ?force ; kgo:change ?change }
        ORDER BY ?s LIMIT 1""")[0]
    page = Page(browser, out / "graph.html", "#node=" + quote(row["s"], safe=""))
    try:
        details = page.page.inner_text("#details")
        for text in (row["outlook"], row["force"], row["change"]):
            assert " ".join(text.split()) in " ".join(details.split())
        assert "10-year outlook" in details and "Driving force" in details
        assert page.js("kg.focused") == row["s"]
        assert page.errors == [] and page.blocked == []
    finally:
        page.close()


@pytest.mark.browser
def test_an_articles_panel_shows_its_summary_and_counts_are_articles(browser: Any, seeds_store: Any,
                                                                     seeds_build: tuple[Path, BuildResult]) -> None:
    from urllib.parse import quote

    from tests.conftest import select as sparql

    out, _ = seeds_build
    art = sparql(seeds_store, """SELECT ?a ?abstract WHERE { ?a a kgo:Article ; dcterms:abstract ?abstract }
        ORDER BY ?a LIMIT 1""")[0]
    page = Page(browser, out / "graph.html", "#node=" + quote(art["a"], safe=""))
    try:
        assert " ".join(art["abstract"].split())[:300] in " ".join(page.page.inner_text("#details").split())
        tech = sparql(seeds_store, """SELECT ?t (COUNT(DISTINCT ?a) AS ?n) WHERE { ?a kgo:hasTechnology ?t }
            GROUP BY ?t ORDER BY DESC(?n) ?t LIMIT 1""")[0]
        page.js("iri => kg.choose(kg.index.iri.indexOf(iri))", tech["t"])
        n = int(tech["n"])
        assert f"{n} article{'s' if n > 1 else ''} name it" in page.page.inner_text("#details")
    finally:
        page.close()


@pytest.mark.browser
def test_type_filter_hides_nodes_and_refits(seeds_page: Page) -> None:
    before = seeds_page.js("kg.visibleCount()")
    only = seeds_page.js("kg.nodes.get().filter(n => n.kgTypes.length === 1 && n.kgTypes[0] === 'Keyword').length")
    assert only > 0
    scale = seeds_page.js("kg.network.getScale()")
    seeds_page.page.uncheck("input[data-type='Keyword']")
    assert seeds_page.js("kg.visibleCount()") == before - only
    assert seeds_page.js("kg.network.getScale()") != scale  # the view was fitted to what is left
    assert "hide=Keyword" in seeds_page.js("location.hash")
    seeds_page.page.check("input[data-type='Keyword']")
    assert seeds_page.js("kg.visibleCount()") == before


@pytest.mark.browser
def test_cluster_filter_and_overview(seeds_page: Page, seeds_build: tuple[Path, BuildResult]) -> None:
    _, result = seeds_build
    level0 = result.analytics["clusters"]["per_level"][0]
    first = seeds_page.js("document.querySelector('#cluster-filter').options[1].value")
    seeds_page.page.select_option("#cluster-filter", first)
    shown = seeds_page.js("kg.visibleCount()")
    assert 0 < shown < seeds_page.js("kg.nodes.length")
    assert "cluster=" in seeds_page.js("location.hash")
    seeds_page.page.click("#view-toggle")
    assert seeds_page.js("kg.network.body.nodeIndices.length") == level0
    seeds_page.page.click("#view-toggle")
    assert seeds_page.js("kg.network.body.nodeIndices.length") == shown  # back, the cluster filter still on
    assert seeds_page.errors == []


@pytest.mark.browser
def test_articles_on_demand_and_cluster_regions(seeds_page: Page) -> None:
    before = seeds_page.js("kg.nodes.length")
    seeds_page.js("kg.choose(kg.index.iri.indexOf('https://w3id.org/signals-kg/id/technology/mistral-7b'))")
    seeds_page.page.click("text=these articles on the map")
    assert seeds_page.js("kg.articlesShown") == 1
    assert seeds_page.js("kg.nodes.get().filter(n => n.kgType === 'Article' && !n.hidden).length") == 1
    assert seeds_page.js("kg.nodes.length") == before + 1 and seeds_page.js(OVERLAPS) == []
    seeds_page.page.select_option("#color-mode", "cluster")
    assert "color=cluster" in seeds_page.js("location.hash") and seeds_page.errors == []


@pytest.mark.browser
def test_the_time_range_hides_and_shows_nodes_and_the_panel_has_a_sparkline(seeds_page: Page) -> None:
    months = seeds_page.js("kg.months")
    assert len(months) > 3 and months == sorted(months)
    before = seeds_page.js("kg.visibleCount()")
    seeds_page.page.select_option("#time-from", months[-1])
    inside = seeds_page.js("kg.visibleCount()")
    assert 0 < inside < before
    assert f"from={months[-1]}" in seeds_page.js("location.hash")
    seeds_page.js("kg.choose(kg.index.iri.indexOf('https://w3id.org/signals-kg/id/technology/mistral-7b'))")
    details = seeds_page.page.inner_text("#details")
    assert "First seen" in details and "Last seen" in details
    assert seeds_page.js("document.querySelectorAll('#details svg.spark polyline').length") == 1
    seeds_page.page.select_option("#time-from", "")
    assert seeds_page.js("kg.visibleCount()") == before
    seeds_page.page.select_option("#color-mode", "trend")
    seeds_page.page.select_option("#color-mode", "date")
    assert seeds_page.errors == [] and seeds_page.blocked == []


@pytest.mark.browser
def test_keyboard_csv_and_png(seeds_page: Page) -> None:
    page = seeds_page.page
    page.focus("#graph")
    page.keyboard.press("ArrowRight")
    first = seeds_page.js("kg.network.getSelectedNodes()")
    assert len(first) == 1
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    sel = seeds_page.js("kg.network.getSelectedNodes()[0]")
    assert seeds_page.js("i => kg.index.label[i]", sel) in page.inner_text("#details")
    page.keyboard.press("Escape")
    assert "Click a node" in page.inner_text("#details")
    csv = seeds_page.js("kg.csv()").splitlines()
    assert csv[0] == "node,type,iri,articles,article,date,url" and len(csv) > seeds_page.js("kg.visibleCount()")
    with page.expect_download() as dl:
        page.click("#export-png")
    assert dl.value.suggested_filename == "kg-view.png"
    assert page.get_attribute("#export-csv", "aria-label")


@pytest.fixture(scope="module")
def corpus_2000(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A generated corpus of 2,000 documents, built."""
    import subprocess
    import sys

    from tests.conftest import ROOT

    tmp = tmp_path_factory.mktemp("c2000")
    subprocess.run([sys.executable, str(ROOT / "bench" / "make_corpus.py"), str(tmp / "src"), "--docs", "2000"],
                   check=True, capture_output=True)
    build([tmp / "src"], tmp / "out")
    return tmp / "out"


# Every drawn node, its label included, within the visible canvas (DOM pixels).
INSIDE_CANVAS = """() => { const c = document.getElementById('graph'), ids = kg.network.body.nodeIndices;
    return ids.length > 0 && ids.every(id => { const b = kg.network.getBoundingBox(id);
      const a = kg.network.canvasToDOM({x: b.left, y: b.top}), z = kg.network.canvasToDOM({x: b.right, y: b.bottom});
      return a.x >= -1 && a.y >= -1 && z.x <= c.clientWidth + 1 && z.y <= c.clientHeight + 1; }); }"""


@pytest.mark.browser
def test_the_map_of_2000_documents(browser: Any, corpus_2000: Path) -> None:
    from urllib.parse import quote

    import pyoxigraph

    from tests.conftest import select as sparql

    page = Page(browser, corpus_2000 / "graph.html")
    try:
        assert page.js("kg.nodes.length") == 500 and page.errors == [] and page.blocked == []
        assert page.js(OVERLAPS) == []
        assert len(page.js("kg.labels()")) > 40 and page.js(LABEL_CLASHES) == []
        # a technology far outside the default view: found, listed, brought in with its neighbours
        far = page.js("""() => { const drawn = new Set(kg.nodes.getIds());
            for (let i = kg.index.iri.length - 1; i >= 0; i--)
              if (kg.panel.types[kg.index.type[i]] === 'Technology' && !drawn.has(i) && kg.index.articles[i] > 0)
                return kg.index.label[i]; }""")
        before = page.js("kg.nodes.length")
        iri = page.js("q => kg.search(q)", far)
        assert iri and page.js("i => kg.index.label[kg.index.iri.indexOf(i)]", iri) == far
        assert page.js("kg.nodes.length") > before  # it, and those of its neighbours not drawn yet
        assert page.js("kg.network.getConnectedNodes(kg.network.getSelectedNodes()[0]).length") > 0
        assert page.js(OVERLAPS) == []
        assert "article" in page.page.inner_text("#details")
        page.page.click("#view-toggle")  # the cluster overview: every cluster and its label inside the canvas
        page.page.wait_for_function(INSIDE_CANVAS, timeout=10_000)
        assert page.errors == []
    finally:
        page.close()
    store = pyoxigraph.Store()
    store.load(path=str(corpus_2000 / "graph.ttl"), format=pyoxigraph.RdfFormat.TURTLE)
    row = sparql(store, """SELECT ?s ?outlook ?force WHERE { ?s a kgo:Signal .
        ?m kgo:entity ?s ; kgo:tenYearOutlook ?outlook ; kgo:drivingForce ?force } ORDER BY DESC(?s) LIMIT 1""")[0]
    page = Page(browser, corpus_2000 / "graph.html", "#node=" + quote(row["s"], safe=""))
    try:
        details = " ".join(page.page.inner_text("#details").split())
        assert " ".join(row["outlook"].split()) in details and " ".join(row["force"].split()) in details
        assert page.errors == []
    finally:
        page.close()


@pytest.mark.browser
def test_served_page_asks_the_endpoint_for_what_it_does_not_hold(browser: Any, tmp_path: Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    """A page that holds panels for the drawn nodes only (a corpus above FULL_DOCS; here FULL_DOCS is set to 1),
    served by kg serve, fetches any other node's panel from the endpoint, and only from there."""
    import threading

    import kg.viz
    from kg.serve import Endpoint, Limits
    from tests.test_serve import free_port

    out = tmp_path / "out"
    build([SEEDS], out)
    monkeypatch.setattr(kg.viz, "FULL_DOCS", 1)
    write_html(collect(BuiltGraph(out).quads()), (out / "graph.html").resolve(), top=30)
    ep = Endpoint(out, port=free_port(), limits=Limits(timeout=5, max_rows=1000, max_body=100_000, workers=1),
                  watch=None)
    thread = threading.Thread(target=ep.httpd.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True)
    thread.start()
    try:
        page = Page(browser, ep.url + "/")
        page.allowed.append(ep.url + "/sparql")
        try:
            assert page.js("kg.panel.full") is False
            outlook = ("In ten years, SLMs may dominate business AI applications due to their efficiency and "
                       "cost-effectiveness.")
            signal = "https://w3id.org/signals-kg/id/signal/shift-towards-small-language-model"
            assert page.js("iri => kg.panel.rows.filter(r => kg.index.iri[r[1]] === iri).length", signal) == 0
            page.js("iri => kg.choose(kg.index.iri.indexOf(iri))", signal)
            page.page.wait_for_function("t => document.querySelector('#details').innerText.includes(t)", arg=outlook,
                                        timeout=10000)
            assert page.errors == [] and page.blocked == []
        finally:
            page.close()
    finally:
        ep.httpd.shutdown()
        ep.close()


@pytest.mark.browser
def test_xss_document_fires_no_dialog(browser: Any, xss_build: Path) -> None:
    page = Page(browser, xss_build / "graph.html")
    try:
        node = page.js("q => kg.search(q)", XSS_IMG)
        assert node is not None
        details = page.page.inner_text("#details")
        assert XSS_IMG in details  # shown as text
        page.js("q => kg.search(q)", XSS_SCRIPT)
        assert XSS_SCRIPT in page.page.inner_text("#details")
        page.page.hover("#graph")
        assert page.dialogs == []
        assert page.js("document.querySelectorAll('#details img, #details script').length") == 0
        assert page.errors == [] and page.blocked == []
    finally:
        page.close()


@pytest.mark.browser
def test_truncated_view_says_what_is_hidden(browser: Any, seeds_build: tuple[Path, BuildResult],
                                           tmp_path: Path) -> None:
    out, _ = seeds_build
    data = collect(BuiltGraph(out).quads())
    view = write_html(data, tmp_path / "small.html", top=40)
    page = Page(browser, tmp_path / "small.html")
    try:
        assert page.js("kg.visibleCount()") == 40 == len(view.nodes)
        notice = page.page.inner_text("#notice")
        assert "Showing 40 of 40 drawn nodes, standing for" in notice and f"{len(data.types)} nodes" in notice
        assert "kg html --top" in notice and "--focus" in notice and "--cluster" in notice
    finally:
        page.close()


def test_the_explorer_data_is_the_same_from_the_build_and_from_the_graph(seeds_build: tuple[Path, BuildResult],
                                                                      tmp_path: Path) -> None:
    """One explorer data: the page the build draws from its in-memory data (pipeline.view) is byte for byte the
    page drawn from the written graph (viz.collect, what `kg html` uses), metrics at the graph's precision."""
    from pyoxigraph import NamedNode

    from kg.store import BuiltGraph
    from kg.viewdata import VIEW_PREDICATES, collect
    from kg.viz import write_html

    out, result = seeds_build
    store = BuiltGraph(out).store()
    data = collect(q for p in VIEW_PREDICATES for q in store.quads_for_pattern(None, NamedNode(p), None, None))
    page = tmp_path / "from-graph.html"
    write_html(data, page, title=f"Knowledge graph of seeds ({result.built} documents)", seed=42)
    assert page.read_bytes() == (out / "graph.html").read_bytes()


def test_a_selection_counts_the_nodes_it_stands_for(seeds_build: tuple[Path, BuildResult]) -> None:
    """A focus view's total is the nodes its concepts stand for (families unfolded), never fewer than the
    drawn nodes stand for (the page said "standing for 230 of the graph's 207 nodes")."""
    out, _ = seeds_build
    data = collect(BuiltGraph(out).quads())
    view = select(data, focus="Small Language Models (SLMs)", depth=2)
    stands_for = {m for n in view.nodes for m in view.members.get(n, [n])}
    assert not view.whole and len(view.nodes) < len(stands_for) <= view.total < len(data.types)
    assert select(data).whole
