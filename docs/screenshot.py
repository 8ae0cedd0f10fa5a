"""Take the README's screenshot of the seeds explorer: python docs/screenshot.py [outputs/graph.html]."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

HERE = Path(__file__).resolve().parent


def main() -> None:
    page_path = Path(sys.argv[1] if len(sys.argv) > 1 else "outputs/graph.html").resolve()
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"])
        page = browser.new_page(viewport={"width": 1400, "height": 860})
        page.goto(page_path.as_uri())
        page.wait_for_function("window.kg && window.kg.ready === true")
        page.evaluate("kg.showDetails(kg.findNode('Small Language Models (SLMs)'))")
        page.screenshot(path=str(HERE / "explorer-seeds.png"))
        browser.close()
    print(HERE / "explorer-seeds.png")


if __name__ == "__main__":
    main()
