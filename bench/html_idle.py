"""How big the explorer page of a built graph is, and how long headless Chromium takes until it is idle.

    python bench/html_idle.py [--docs 10000]

Builds the corpus's graph (bench/results/graph-<docs>, brought up to date), opens graph.html from disk with
every request blocked, and reports the file size and the time from navigation until the page is interactive
(its data inflated and indexed, the map drawn once; physics is off, so the page is idle from then on), median
of 3 loads.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import built_graph


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--docs", type=int, default=10000)
    args = ap.parse_args()
    out = built_graph(args.docs)
    page = (out / "graph.html").resolve()
    from playwright.sync_api import sync_playwright

    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    times, requests, errors = [], [], []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"])
        for _ in range(3):
            ctx = browser.new_context(viewport={"width": 1400, "height": 900})
            ctx.route("**/*", lambda r: r.continue_() if r.request.url == page.as_uri() else (
                requests.append(r.request.url), r.abort()))
            tab = ctx.new_page()
            tab.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            start = time.perf_counter()
            tab.goto(page.as_uri())
            while not tab.evaluate("() => !!(window.kg && window.kg.ready)"):  # a function: no eval under the CSP
                if time.perf_counter() - start > 120:
                    raise TimeoutError("the page was not ready within 120 s")
                time.sleep(0.02)
            times.append(time.perf_counter() - start)
            nodes = tab.evaluate("kg.nodes.length")
            ctx.close()
        browser.close()
    result = {"docs": args.docs, "html_mb": round(page.stat().st_size / 2**20, 2), "nodes": nodes,
              "idle_s": round(statistics.median(times), 2), "runs_s": [round(t, 2) for t in times],
              "blocked_requests": requests, "console_errors": errors}
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
