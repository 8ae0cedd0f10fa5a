"""Named-query latency on a built graph: kg's engine (pyoxigraph on-disk store, indexed once), the Oxigraph
server (`oxigraph serve-read-only` on the same store, one client over HTTP) and rdflib's default in-memory
store, in the same run.

    python bench/queries.py [--docs 10000] [--repeat 3] [--rdflib-timeout 300] [--skip-rdflib]

The corpus comes from make_corpus.py (cached under bench/.corpora); it is built with `kg build` if needed.
Each named query runs with its default parameters; the median of --repeat runs is reported. rdflib queries
that run past --rdflib-timeout seconds are stopped (SIGALRM) and reported as such.
"""

from __future__ import annotations

import argparse
import json
import shutil
import signal
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import HERE, built_graph
from kg.sparql import named_queries, run_local
from kg.store import BuiltGraph
from kg.vocab import prefixes


class Timeout(Exception):
    pass


def _alarm(signum: int, frame: object) -> None:
    raise Timeout


def oxigraph_server(graph: BuiltGraph, queries: dict, results: dict, repeat: int, timeout: float) -> None:
    """Each named query against `oxigraph serve-read-only` on the same store, one at a time over HTTP."""
    from bench.load import HOST, free_port, request

    exe = shutil.which("oxigraph") or str(Path(sys.executable).parent / "oxigraph")
    port = free_port()
    proc = subprocess.Popen([exe, "serve-read-only", "--location", str(graph.store_path()), "--bind",
                             f"{HOST}:{port}"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url, head = f"http://{HOST}:{port}", "".join(f"PREFIX {p}: <{iri}>\n" for p, iri in prefixes().items())
    try:
        for _ in range(300):
            if request(url, head + "ASK {}", timeout=2, path="/query")[0] == 200:
                break
            time.sleep(0.1)
        for name, q in queries.items():
            times = []
            for _ in range(repeat):
                status, secs, _ = request(url, head + q.text, timeout=timeout, path="/query")
                times.append(secs if status == 200 else float("inf"))
                if status != 200:
                    break
            med = statistics.median(times)
            results[name]["oxigraph_server_s"] = None if med == float("inf") else round(med, 4)
            print(f"oxigraph {name:27s} {med:8.3f} s", file=sys.stderr)
    finally:
        proc.terminate()
        proc.wait(10)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--docs", type=int, default=10000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--rdflib-timeout", type=int, default=300)
    ap.add_argument("--skip-rdflib", action="store_true")
    ap.add_argument("--timeout", type=float, default=120, help="seconds an Oxigraph server query may take")
    args = ap.parse_args()
    out = built_graph(args.docs)
    graph = BuiltGraph(out)
    t = time.perf_counter()
    store = graph.store()
    index_s = time.perf_counter() - t
    queries = named_queries()
    results: dict[str, dict[str, object]] = {}
    for name, q in queries.items():
        times, rows = [], 0
        for _ in range(args.repeat):
            t = time.perf_counter()
            res = run_local(store, q.text)
            times.append(time.perf_counter() - t)
            rows = len(res.rows)
        results[name] = {"kg_s": round(statistics.median(times), 4), "max_s": round(max(times), 4), "rows": rows}
        print(f"kg      {name:28s} {statistics.median(times):8.3f} s  {rows} rows", file=sys.stderr)
    oxigraph_server(graph, queries, results, args.repeat, args.timeout)
    load_s = None
    if not args.skip_rdflib:
        import rdflib

        t = time.perf_counter()
        g = rdflib.Graph()
        g.parse(out / "graph.ttl", format="turtle")
        load_s = time.perf_counter() - t
        print(f"rdflib loaded {len(g):,} triples in {load_s:.1f} s", file=sys.stderr)
        ns = prefixes()
        signal.signal(signal.SIGALRM, _alarm)
        for name, q in queries.items():
            times = []
            rows = None
            for _ in range(args.repeat):
                signal.alarm(args.rdflib_timeout)
                t = time.perf_counter()
                try:
                    rows = len(list(g.query(q.text, initNs=ns)))
                    times.append(time.perf_counter() - t)
                except Timeout:
                    times.append(float("inf"))
                    break
                finally:
                    signal.alarm(0)
            med = statistics.median(times)
            results[name]["rdflib_s"] = None if med == float("inf") else round(med, 4)
            results[name]["rdflib_rows"] = rows
            if med != float("inf"):
                results[name]["speedup"] = round(med / max(results[name]["kg_s"], 1e-6), 1)
            shown = f"{med:8.3f} s" if med != float("inf") else f"> {args.rdflib_timeout} s (stopped)"
            print(f"rdflib  {name:28s} {shown}", file=sys.stderr)
    kg_times = sorted(float(str(r["kg_s"])) for r in results.values())
    report = {"docs": args.docs, "kg_index_s": round(index_s, 2),
              "rdflib_load_s": None if load_s is None else round(load_s, 1),
              "kg_p50_s": round(statistics.median(kg_times), 4), "kg_worst_s": round(kg_times[-1], 4),
              "queries": results}
    (HERE / "results").mkdir(exist_ok=True)
    (HERE / "results" / "queries.json").write_text(json.dumps(report, indent=2))
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
