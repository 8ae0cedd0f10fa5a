"""`kg serve` against `oxigraph serve-read-only` (the `oxigraph` package's SPARQL server) on the same graph, the
same query mix and the same clients, in one run: throughput, p50 and p99 latency, statuses.

    python bench/serve_vs_oxigraph.py [--docs 10000] [--clients 50] [--seconds 60]

Both servers read the same on-disk store (kg's, made once by `kg query`), whose default graph holds the union
of all graphs, which is what kg's queries read. The mix is bench/load.py's: every named
query with its defaults, an ASK, a label lookup and a top-10 (each with kg's PREFIX declarations, which
Oxigraph needs). Each client picks the same sequence of queries against both servers (same seeds). kg runs
first, then Oxigraph, so neither shares the CPUs with the other. Requests time out after --timeout seconds
on the client side (Oxigraph has no server-side limit; kg stops a query at its own). JSON on stdout, a table
on stderr, and bench/results/serve_vs_oxigraph.json.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import HERE, indexed_graph
from bench.load import ASK, HOST, free_port, request, run_load, workload
from kg.store import BuiltGraph
from kg.vocab import prefixes


def wait_up(url: str, path: str, proc: subprocess.Popen[bytes], ask: str) -> None:
    for _ in range(600):
        if proc.poll() is not None:
            raise SystemExit(f"the server at {url} exited: {proc.stdout.read().decode() if proc.stdout else ''}")
        if request(url, ask, timeout=2, path=path)[0] == 200:
            return
        time.sleep(0.1)
    raise SystemExit(f"the server at {url} did not answer")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--docs", type=int, default=10000)
    ap.add_argument("--clients", type=int, default=50)
    ap.add_argument("--seconds", type=float, default=60)
    ap.add_argument("--timeout", type=float, default=30)
    args = ap.parse_args()
    out = indexed_graph(args.docs)
    store = BuiltGraph(out).store_path()
    oxigraph = shutil.which("oxigraph") or str(Path(sys.executable).parent / "oxigraph")
    head = "".join(f"PREFIX {p}: <{iri}>\n" for p, iri in prefixes().items())
    mix = [(name, head + q) for name, q in workload()]
    results = {}
    for name, cmd, path in (
        ("kg serve", [sys.executable, "-m", "kg", "serve", "--graph", str(out), "--host", HOST], "/sparql"),
        ("oxigraph serve-read-only", [oxigraph, "serve-read-only", "--location", str(store)], "/query"),
    ):
        port = free_port()
        full = [*cmd, "--port", str(port)] if name == "kg serve" else [*cmd, "--bind", f"{HOST}:{port}"]
        proc = subprocess.Popen(full, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        url = f"http://{HOST}:{port}"
        try:
            wait_up(url, path, proc, head + ASK)
            results[name] = run_load(url, args.clients, args.seconds, queries=mix, path=path, timeout=args.timeout)
        finally:
            proc.terminate()
            proc.wait(10)
        r = results[name]
        print(f"{name:26s} {r['requests']:6d} requests in {r['seconds']} s = {r['requests_per_s']:7.1f}/s, "
              f"p50 {r['p50_ms']} ms, p99 {r['p99_ms']} ms, statuses {r['statuses']}", file=sys.stderr)
    report = {"docs": args.docs, "clients": args.clients, "seconds": args.seconds, "timeout_s": args.timeout,
              "queries": [n for n, _ in mix], "results": results}
    (HERE / "results").mkdir(exist_ok=True)
    (HERE / "results" / "serve_vs_oxigraph.json").write_text(json.dumps(report, indent=2))
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
