"""Benchmark of the analytics stage alone (projection, centrality, clusters, write-back) on generated corpora.

    python bench/analytics.py [--docs 1000 10000]

The RDF is built first (not timed); then the stage `kg.pipeline.run_analytics` runs on it, and its
wall time and peak memory (RSS high-water mark of this process during the stage) are printed.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import corpus, measured
from kg.pipeline import BuildResult, prepare, run_analytics


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--docs", type=int, nargs="+", default=[1000, 10000])
    args = ap.parse_args()
    rows = []
    for n in args.docs:
        folder, _ = corpus(n)
        prepared = prepare([folder])
        quads = prepared.quads + prepared.corpus
        result = BuildResult(Path("."))
        stats: dict[str, dict[str, float]] = {}
        with measured(stats, "analytics"):
            extra = run_analytics(quads, prepared.base, 42, 1.0, result)
        rows.append({"docs": n, "quads_in": len(quads), "quads_out": len(extra), **stats["analytics"],
                     "vertices": result.analytics["projection"]["vertices"],
                     "edges": result.analytics["projection"]["edges"],
                     "betweenness": result.analytics["betweenness"],
                     "clusters_per_level": result.analytics["clusters"]["per_level"]})
        print(f"{n:>7} docs: analytics {stats['analytics']['seconds']:.2f} s, "
              f"peak RSS {stats['analytics']['peak_rss_mb']:.0f} MB", file=sys.stderr)
    print(json.dumps(rows, indent=2))


if __name__ == "__main__":
    main()
