"""The HTML explorer, checked in headless Chromium opened from disk with the network blocked."""

from __future__ import annotations

import os
import re
import shutil
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

    def __init__(self, browser: Any, path: Path) -> None:
        self.context = browser.new_context(viewport={"width": 1400, "height": 900})
        self.blocked: list[str] = []
        self.errors: list[str] = []
        self.dialogs: list[str] = []
        url = path.resolve().as_uri()

        def route(r: Any) -> None:
            if r.request.url == url:
                r.continue_()
            else:
                self.blocked.append(r.request.url)
                r.abort()

        self.context.route("**/*", route)
        self.page = self.context.new_page()
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on("dialog", lambda d: (self.dialogs.append(d.message), d.dismiss()))
        self.page.goto(url)
        self.page.wait_for_function("window.kg && window.kg.ready === true", timeout=30000)

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


@pytest.mark.browser
def test_renders_expected_nodes_offline_without_errors(seeds_page: Page,
                                                       seeds_build: tuple[Path, BuildResult]) -> None:
    _, result = seeds_build
    vertices = result.analytics["projection"]["vertices"]
    assert seeds_page.js("kg.nodes.length") == vertices
    assert seeds_page.js("kg.visibleCount()") == vertices
    assert seeds_page.js("kg.edges.length") == result.analytics["projection"]["edges"]
    assert seeds_page.js("kg.network.body.nodeIndices.length") == vertices  # drawn by vis-network
    assert seeds_page.blocked == []
    assert seeds_page.errors == []
    assert f"Showing {vertices} of {vertices} nodes" in seeds_page.page.inner_text("#notice")


@pytest.mark.browser
def test_search_focuses_the_right_node(seeds_page: Page) -> None:
    seeds_page.page.fill("#search", "mistral 7b")
    seeds_page.page.press("#search", "Enter")
    target = "https://w3id.org/signals-kg/id/technology/mistral-7b"
    assert seeds_page.js("kg.focused") == target
    assert seeds_page.js("kg.network.getSelectedNodes()") == [target]
    assert "Mistral 7B" in seeds_page.page.inner_text("#details")
    # any name works: an article by its document id, a node by another surface form
    doc = "01dd20372573227317c7126faacfec9b"
    assert seeds_page.js(f"kg.search('{doc}')").endswith(f"/article/{doc}")
    faded = seeds_page.js("kg.nodes.get().filter(n => n.color === '#e4e4e4').length")
    assert faded > 0  # the rest of the graph is dimmed around the focused node's neighbours


@pytest.mark.browser
def test_type_filter_hides_nodes(seeds_page: Page) -> None:
    before = seeds_page.js("kg.visibleCount()")
    keywords = seeds_page.js("kg.nodes.get().filter(n => n.kgType === 'Keyword').length")
    assert keywords > 0
    seeds_page.page.uncheck("input[data-type='Keyword']")
    assert seeds_page.js("kg.visibleCount()") == before - keywords
    assert seeds_page.js("kg.nodes.get().filter(n => n.kgType === 'Keyword' && !n.hidden).length") == 0
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
    seeds_page.page.click("#view-toggle")
    assert seeds_page.js("kg.network.body.nodeIndices.length") == level0
    seeds_page.page.click("#view-toggle")
    assert seeds_page.js("kg.network.body.nodeIndices.length") == shown  # back, the cluster filter still on
    assert seeds_page.errors == []


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
        assert f"Showing 40 of {len(data.types)} nodes" in notice
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
