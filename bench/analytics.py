"""Benchmark of the analytics stage alone (projection, centrality, clusters, write-back) on generated corpora.

    python bench/analytics.py [--docs 1000 10000]

The documents are parsed and emitted first (not timed); then the stage `kg.pipeline.run_analytics` runs on
the article links, and its wall time and peak memory (RSS high-water mark of this process during the stage,
and the RSS before it) are printed.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import corpus, measured
from kg.pipeline import corpus_level, gather, run_analytics, vertices


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--docs", type=int, nargs="+", default=[1000, 10000])
    args = ap.parse_args()
    rows = []
    for n in args.docs:
        folder, _ = corpus(n)
        built = gather([folder])
        _, linked = corpus_level(built)
        types, labels = vertices(built, linked)
        links = built.links
        stats: dict[str, dict[str, float]] = {}
        with measured(stats, "analytics"):
            extra, _, _, info = run_analytics(types, labels, links, built.base, 42, 1.0)
        if built.tmp is not None:
            built.tmp.cleanup()
        rows.append({"docs": n, "links_in": len(links), "quads_out": len(extra), **stats["analytics"],
                     "vertices": info["projection"]["vertices"],
                     "edges": info["projection"]["edges"],
                     "betweenness": info["betweenness"],
                     "clusters_per_level": info["clusters"]["per_level"]})
        print(f"{n:>7} docs: analytics {stats['analytics']['seconds']:.2f} s, "
              f"peak RSS {stats['analytics']['peak_rss_mb']:.0f} MB", file=sys.stderr)
    print(json.dumps(rows, indent=2))


if __name__ == "__main__":
    main()
