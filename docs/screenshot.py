"""Take the README's screenshots of the explorer at 1400x900.

    python docs/screenshot.py SEEDS_PAGE [CORPUS_PAGE]

SEEDS_PAGE (e.g. outputs/graph.html) gives explorer-seeds.png (the default map) and explorer-panel.png (a
signal's panel, opened by its URL); CORPUS_PAGE, a page of 2,000 generated documents, explorer-2000.png.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path
from urllib.parse import quote

from playwright.sync_api import sync_playwright

HERE = Path(__file__).resolve().parent
SIGNAL = "https://w3id.org/signals-kg/id/signal/shift-towards-small-language-model"


def main() -> None:
    seeds = Path(sys.argv[1] if len(sys.argv) > 1 else "outputs/graph.html").resolve()
    corpus = Path(sys.argv[2]).resolve() if len(sys.argv) > 2 else None
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    shots = [(seeds, "", "explorer-seeds.png"), (seeds, "#node=" + quote(SIGNAL, safe=""), "explorer-panel.png")]
    if corpus:
        shots.append((corpus, "", "explorer-2000.png"))
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"])
        for path, fragment, name in shots:
            page = browser.new_page(viewport={"width": 1400, "height": 900})
            page.goto(path.as_uri() + fragment)
            while not page.evaluate("() => !!(window.kg && window.kg.ready)"):  # a function: the CSP forbids eval
                page.wait_for_timeout(20)
            page.screenshot(path=str(HERE / name))
            page.close()
            print(HERE / name)
        browser.close()


if __name__ == "__main__":
    main()
