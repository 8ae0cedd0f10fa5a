"""Load and abuse test of `kg serve` on 127.0.0.1 (never another address).

    python bench/load.py [--docs 2000] [--clients 50] [--seconds 60]

Builds (once) a graph of generated documents, starts `kg serve` on a free local port, and for --seconds runs
--clients concurrent clients sending a mix of named queries (GET and POST), while an abuser sends malformed
queries, a huge query, a query that would return a million rows, a 100 MB body, updates and slow clients.
Reports latency percentiles and status counts per kind of request, whether the server stayed up, and the
peak memory of the server (process and workers, sampled every 100 ms). JSON on stdout.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter, defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import contextlib

from bench.common import HERE, indexed_graph, tree_rss
from kg.sparql import bind, named_queries

HOST = "127.0.0.1"
ASK = "ASK { ?s a kgo:Article }"


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def request(url: str, query: str, method: str = "GET", accept: str = "application/sparql-results+json",
            timeout: float = 60, path: str = "/sparql") -> tuple[int, float, int]:
    """(status, seconds, bytes) of one SPARQL request; network errors (a time-out too) count as status 0."""
    start = time.perf_counter()
    if method == "GET":
        req = urllib.request.Request(f"{url}{path}?{urllib.parse.urlencode({'query': query})}",
                                     headers={"Accept": accept})
    else:
        req = urllib.request.Request(f"{url}{path}", data=query.encode(), method="POST",
                                     headers={"Accept": accept, "Content-Type": "application/sparql-query"})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            body = resp.read()
            return resp.status, time.perf_counter() - start, len(body)
    except urllib.error.HTTPError as exc:
        exc.read()
        return exc.code, time.perf_counter() - start, 0
    except OSError:
        return 0, time.perf_counter() - start, 0


def workload() -> list[tuple[str, str]]:
    """(name, query) pairs clients pick from: the named queries with their defaults, plus small lookups."""
    queries = [(q.name, bind(q, {})) for q in named_queries().values()]
    queries += [("ask", ASK), ("lookup", 'SELECT ?t WHERE { ?t skos:hiddenLabel "mistral 7b" }'),
                ("top-pagerank", "SELECT ?n ?p WHERE { ?n kgo:pagerank ?p } ORDER BY DESC(?p) LIMIT 10")]
    return queries


def run_load(url: str, clients: int, seconds: float, seed: int = 1, queries: list[tuple[str, str]] | None = None,
             path: str = "/sparql", timeout: float = 60) -> dict:
    """Clients sending the workload for some seconds; latency percentiles and statuses per query name."""
    queries = queries or workload()
    stop = time.monotonic() + seconds
    samples: dict[str, list[float]] = defaultdict(list)
    statuses: Counter[str] = Counter()
    lock = threading.Lock()

    def client(i: int) -> None:
        rng = random.Random(seed * 1000 + i)
        while time.monotonic() < stop:
            name, q = rng.choice(queries)
            status, secs, _ = request(url, q, rng.choice(["GET", "POST"]), timeout=timeout, path=path)
            with lock:
                samples[name].append(secs)
                samples["*"].append(secs)
                statuses[str(status)] += 1

    threads = [threading.Thread(target=client, args=(i,), daemon=True) for i in range(clients)]
    start = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.monotonic() - start

    def pct(values: list[float], p: float) -> float:
        values = sorted(values)
        return round(values[min(len(values) - 1, int(p * len(values)))] * 1000, 1) if values else 0.0

    every = samples.get("*", [])
    return {
        "clients": clients, "seconds": round(elapsed, 1), "requests": len(every),
        "requests_per_s": round(len(every) / elapsed, 1), "statuses": dict(statuses),
        "p50_ms": pct(every, 0.50), "p95_ms": pct(every, 0.95), "p99_ms": pct(every, 0.99),
        "max_ms": pct(every, 1.0), "mean_ms": round(statistics.mean(every) * 1000, 1) if every else 0.0,
        "per_query_p50_ms": {k: pct(v, 0.5) for k, v in sorted(samples.items()) if k != "*"},
    }


def raw(url: str, payload: bytes, read_timeout: float = 30) -> str:
    """Send raw bytes, return the status line of the answer ('' if the connection closed without one)."""
    host, port = urllib.parse.urlsplit(url).netloc.split(":")
    with socket.create_connection((host, int(port)), timeout=read_timeout) as s:
        with contextlib.suppress(OSError):
            s.sendall(payload)
        try:
            data = s.recv(200)
        except OSError:
            data = b""
    return data.split(b"\r\n", 1)[0].decode("latin-1")


def big_body(url: str, size: int = 100 * 2**20) -> str:
    """POST a body of `size` bytes; the status line of the answer."""
    host, port = urllib.parse.urlsplit(url).netloc.split(":")
    head = (f"POST /sparql HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/sparql-query\r\n"
            f"Content-Length: {size}\r\n\r\n").encode()
    chunk = b"#" * (1 << 20)
    with socket.create_connection((host, int(port)), timeout=30) as s:
        s.sendall(head)
        sent = 0
        try:
            while sent < size:
                s.sendall(chunk)
                sent += len(chunk)
        except OSError:
            pass  # the server answered and closed: it does not read what it refused
        try:
            data = s.recv(200)
        except OSError:
            data = b""
    return data.split(b"\r\n", 1)[0].decode("latin-1")


def slow_client(url: str, hold: float) -> str:
    """Open a connection and send half a request line, byte by byte, slower than the server's patience."""
    host, port = urllib.parse.urlsplit(url).netloc.split(":")
    start = time.monotonic()
    with socket.create_connection((host, int(port)), timeout=hold + 30) as s:
        try:
            for ch in b"GET /sparql?query=ASK":
                s.sendall(bytes([ch]))
                time.sleep(hold / 20)
            data = s.recv(200)
        except OSError:
            data = b""
    return f"closed after {time.monotonic() - start:.1f} s: {data[:30]!r}"


def abuse(url: str) -> dict[str, object]:
    """Bad and hostile requests, each answered with a clear status (or the connection closed)."""
    out: dict[str, object] = {}
    out["malformed"] = Counter(str(request(url, q)[0]) for q in (
        "SELECT", "SELECT ?x WHERE { ?x }", "}{", "SELECT * WHERE { ?s ?p ?o } LIMIT -1", "\x00\x01\x02",
        "PREFIX x: <bad iri> SELECT * {}", "SELECT * WHERE { ?s <http://a> \"unterminated }"))
    huge = "SELECT * WHERE { VALUES ?x { " + " ".join(f'"v{i}"' for i in range(60_000)) + " } } LIMIT 1"
    out["huge_query_bytes"] = len(huge)
    out["huge_query"] = request(url, huge, "POST")[0]
    too_huge = "ASK { " + "#" * 2_000_000 + " }"
    out["too_huge_query"] = request(url, too_huge, "POST")[0]
    status, secs, size = request(url, "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f }", accept="text/csv")
    out["million_rows"] = {"status": status, "seconds": round(secs, 2), "bytes": size}
    status, secs, _ = request(url, "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }")
    out["endless_query"] = {"status": status, "seconds": round(secs, 1)}
    out["body_100mb"] = big_body(url)
    out["update_post"] = raw(url, b"POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Type: application/sparql-update\r\n"
                                  b"Content-Length: 5\r\n\r\nCLEAR")
    out["update_get"] = request(url, "DELETE WHERE { ?s ?p ?o }")[0]
    out["garbage_request"] = raw(url, b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03" + os.urandom(200))
    out["slow_client"] = slow_client(url, 15)
    out["still_up"] = request(url, ASK)[0] == 200
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--docs", type=int, default=2000)
    ap.add_argument("--clients", type=int, default=50)
    ap.add_argument("--seconds", type=float, default=60)
    args = ap.parse_args()
    out = indexed_graph(args.docs)
    port = free_port()
    server = subprocess.Popen([sys.executable, "-m", "kg", "serve", "--graph", str(out), "--host", HOST,
                               "--port", str(port)], stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    url = f"http://{HOST}:{port}"
    for _ in range(300):
        if request(url, ASK, timeout=2)[0] == 200:
            break
        time.sleep(0.1)
    peak = [0]
    done = threading.Event()

    def sample() -> None:
        while not done.is_set():
            peak[0] = max(peak[0], tree_rss(server.pid))
            time.sleep(0.1)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    idle = tree_rss(server.pid)
    abuse_result: dict[str, object] = {}
    abuser = threading.Thread(target=lambda: abuse_result.update(abuse(url)), daemon=True)
    abuser.start()
    load = run_load(url, args.clients, args.seconds)
    abuser.join()
    after = request(url, ASK)[0]
    done.set()
    sampler.join()
    server.terminate()
    server.wait(10)
    result = {"docs": args.docs, "load": load, "abuse": abuse_result, "server_up_after": after == 200,
              "server_rss_idle_mb": round(idle / 2**20), "server_rss_peak_mb": round(peak[0] / 2**20)}
    print(f"{args.clients} clients, {load['seconds']} s: {load['requests']} requests, "
          f"p50 {load['p50_ms']} ms, p99 {load['p99_ms']} ms, statuses {load['statuses']}; "
          f"server peak {result['server_rss_peak_mb']} MB", file=sys.stderr)
    (HERE / "results").mkdir(exist_ok=True)
    (HERE / "results" / "load.json").write_text(json.dumps(result, indent=2, default=str))
    print(json.dumps(result, indent=2, default=str))


if __name__ == "__main__":
    main()
