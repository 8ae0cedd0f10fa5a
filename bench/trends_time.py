"""Time and memory of the time stage (kg.trends over every content node) at a corpus size.

    python bench/trends_time.py [--docs 10000]

Gathers the corpus with the build's own passes (cache in bench/results), then runs the stage the build runs
(pipeline.timeline.run_trends: dates, series, trend tests, bursts, the map, the quads) three times and
reports the median time and the peak memory the stage allocates (tracemalloc).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import HERE, corpus
from kg.pipeline.corpus import corpus_level, gather, vertices
from kg.pipeline.timeline import run_trends


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--docs", type=int, default=10000)
    args = ap.parse_args()
    folder, _ = corpus(args.docs)
    c = gather([folder], cache_root=HERE / "results" / f"trends-cache-{args.docs}")
    try:
        _, linked = corpus_level(c)
        types, labels = vertices(c, linked)
        runs = []
        for _ in range(3):
            start = time.perf_counter()
            quads, trends, info = run_trends(c, types, labels, c.links)
            runs.append(time.perf_counter() - start)
        tracemalloc.start()
        run_trends(c, types, labels, c.links)
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    finally:
        c.cache.close()
    print(json.dumps({"docs": args.docs, "nodes": len(trends.nodes), "periods": len(trends.periods),
                      "quads": len(quads), "classes": info["classes"], "bursts": info["bursts"],
                      "seconds": round(statistics.median(runs), 2), "runs": [round(r, 2) for r in runs],
                      "peak_mb": round(peak / 2**20, 1)}, indent=2))


if __name__ == "__main__":
    main()
