"""kg serve: SPARQL 1.1 Protocol over HTTP, content negotiation, read-only, time limit, row cap, bounds."""

from __future__ import annotations

import json
import socket
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph
import pytest

from kg.pipeline import BuildResult
from kg.serve import Endpoint, Limits, negotiate
from kg.store import BuiltGraph

SLOW = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def endpoint(seeds_build: tuple[Path, BuildResult]) -> Iterator[Endpoint]:
    out, _ = seeds_build
    graph = BuiltGraph(out)
    graph.store()
    ep = Endpoint(str(graph.build_dir / "store"), graph.trig, out / "graph.html", port=free_port(),
                  limits=Limits(timeout=1.5, max_rows=5, max_body=100_000, workers=2))
    thread = threading.Thread(target=ep.httpd.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True)
    thread.start()
    yield ep
    ep.httpd.shutdown()
    ep.close()


def call(ep: Endpoint, path: str, data: bytes | None = None, headers: dict[str, str] | None = None,
         method: str | None = None) -> tuple[int, dict[str, str], bytes]:
    req = urllib.request.Request(ep.url + path, data=data, headers=headers or {}, method=method)
    try:
        with urllib.request.urlopen(req, timeout=30) as resp:
            return resp.status, dict(resp.headers), resp.read()
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers), exc.read()


def get(ep: Endpoint, query: str, accept: str = "", **extra: str) -> tuple[int, dict[str, str], bytes]:
    params = urllib.parse.urlencode({"query": query, **extra})
    return call(ep, f"/sparql?{params}", headers={"Accept": accept} if accept else {})


def test_get_json_is_sparql_results(endpoint: Endpoint) -> None:
    status, headers, body = get(endpoint, 'SELECT ?t WHERE { ?t rdfs:label "Mistral 7B" }',
                                "application/sparql-results+json")
    assert status == 200 and headers["Content-Type"] == "application/sparql-results+json"
    rows = list(pyoxigraph.parse_query_results(body, pyoxigraph.QueryResultsFormat.JSON))
    assert [r["t"].value for r in rows] == ["https://w3id.org/signals-kg/id/technology/mistral-7b"]


@pytest.mark.parametrize("accept, media", [
    ("text/tab-separated-values", "text/tab-separated-values"),
    ("application/sparql-results+xml", "application/sparql-results+xml"),
])
def test_content_negotiation(endpoint: Endpoint, accept: str, media: str) -> None:
    q = "SELECT ?l WHERE { ?c a kgo:Category ; rdfs:label ?l } ORDER BY ?l"
    status, headers, body = get(endpoint, q, accept)
    assert status == 200 and headers["Content-Type"].startswith(media)
    fmt = pyoxigraph.QueryResultsFormat.from_media_type(media)
    assert [r["l"].value for r in pyoxigraph.parse_query_results(body, fmt)] == ["others", "science", "technology"]


@pytest.mark.parametrize("accept", ["text/csv", "text/html;q=0.9, text/csv;q=0.5"])
def test_csv(endpoint: Endpoint, accept: str) -> None:
    status, headers, body = get(endpoint, "SELECT ?l WHERE { ?c a kgo:Category ; rdfs:label ?l } ORDER BY ?l", accept)
    assert status == 200 and headers["Content-Type"].startswith("text/csv")
    assert body.decode().splitlines() == ["l", "others", "science", "technology"]


def test_post_forms_and_construct(endpoint: Endpoint) -> None:
    form = urllib.parse.urlencode({"query": "ASK { ?s a kgo:Article }"}).encode()
    status, _, body = call(endpoint, "/sparql", form, {"Content-Type": "application/x-www-form-urlencoded",
                                                       "Accept": "application/sparql-results+json"})
    assert status == 200 and json.loads(body) == {"head": {}, "boolean": True}
    q = b"CONSTRUCT { ?c rdfs:label ?l } WHERE { ?c a kgo:Category ; rdfs:label ?l }"
    status, headers, body = call(endpoint, "/sparql", q, {"Content-Type": "application/sparql-query",
                                                          "Accept": "text/turtle"})
    assert status == 200 and headers["Content-Type"].startswith("text/turtle")
    assert len(list(pyoxigraph.parse(body, pyoxigraph.RdfFormat.TURTLE))) == 3
    status, headers, body = call(endpoint, "/sparql", q, {"Content-Type": "application/sparql-query",
                                                          "Accept": "application/n-triples"})
    assert status == 200 and len(body.splitlines()) == 3


def test_updates_are_refused(endpoint: Endpoint) -> None:
    update = "INSERT DATA { <urn:a> <urn:b> <urn:c> }"
    assert call(endpoint, "/sparql", update.encode(), {"Content-Type": "application/sparql-update"})[0] == 403
    form = urllib.parse.urlencode({"update": update}).encode()
    assert call(endpoint, "/sparql", form, {"Content-Type": "application/x-www-form-urlencoded"})[0] == 403
    assert get(endpoint, update)[0] == 403
    assert call(endpoint, "/sparql?update=" + urllib.parse.quote(update))[0] == 403
    assert get(endpoint, "ASK { <urn:a> <urn:b> <urn:c> }", "application/sparql-results+json")[2] == (
        b'{"head":{},"boolean":false}')


def test_time_limit_stops_the_query_not_the_server(endpoint: Endpoint) -> None:
    start = time.monotonic()
    status, _, body = get(endpoint, SLOW)
    assert status == 503 and b"longer than the 1.5 s limit" in body
    assert time.monotonic() - start < 10
    assert get(endpoint, "ASK { ?s ?p ?o }")[0] == 200  # the server still answers
    statuses = [get(endpoint, "ASK { ?s ?p ?o }")[0] for _ in range(4)]
    assert statuses == [200] * 4


def test_row_cap(endpoint: Endpoint) -> None:
    status, headers, body = get(endpoint, "SELECT ?s WHERE { ?s a kgo:Keyword }", "text/csv")
    assert status == 200 and headers.get("X-KG-Truncated") == "true"
    assert len(body.decode().splitlines()) == 1 + 5


def test_bad_requests(endpoint: Endpoint) -> None:
    assert get(endpoint, "SELECT ?x WHERE { ?x }")[0] == 400
    _status, _, body = get(endpoint, "SELECT ?x WHERE {\n ?x }")
    assert b"line 2" in body
    assert call(endpoint, "/sparql")[0] == 400
    assert call(endpoint, "/nope")[0] == 404
    assert get(endpoint, "ASK { ?s ?p ?o }", "image/png")[0] == 406
    big = b"x" * 200_000
    assert call(endpoint, "/sparql", big, {"Content-Type": "application/sparql-query"})[0] == 413
    assert call(endpoint, "/sparql", b"ASK{}", {"Content-Type": "text/plain"})[0] == 415


def test_serves_the_explorer(endpoint: Endpoint) -> None:
    status, headers, body = call(endpoint, "/")
    assert status == 200 and headers["Content-Type"].startswith("text/html")
    assert b"Content-Security-Policy" in body


def test_slow_client_is_dropped(endpoint: Endpoint) -> None:
    host, port = endpoint.httpd.server_address[:2]
    endpoint.httpd.limits.read_timeout = 1.0
    with socket.create_connection((host, port), timeout=10) as s:
        s.sendall(b"GET /sparql?query=ASK")  # never finishes the request line
        start = time.monotonic()
        data = s.recv(1024)  # the server closes the connection
        assert data == b"" or data.startswith(b"HTTP/1.")
        assert time.monotonic() - start < 8
    assert get(endpoint, "ASK { ?s ?p ?o }")[0] == 200


def test_negotiate() -> None:
    assert negotiate("", "SELECT") == "json"
    assert negotiate("*/*", "CONSTRUCT") == "turtle"
    assert negotiate("text/csv;q=0.2, application/sparql-results+xml", "SELECT") == "xml"
    assert negotiate("text/turtle", "SELECT") is None
    assert negotiate("", "SELECT", "tsv") == "tsv"


def test_load_smoke_and_abuse(endpoint: Endpoint) -> None:
    """50 concurrent clients for a few seconds, with abuse alongside; every request gets a clear status and the
    server stays up (the full minute-long run is bench/load.py)."""
    from bench.load import big_body, raw, request, run_load

    url = endpoint.url
    results: dict[str, object] = {}

    def hostile() -> None:
        results["body"] = big_body(url, 20 * 2**20)
        results["rows"] = request(url, "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f }", accept="text/csv")[0]
        results["garbage"] = raw(url, b"\x16\x03\x01garbage\r\n\r\n")
        results["malformed"] = request(url, "SELECT ?x WHERE {")[0]

    thread = threading.Thread(target=hostile)
    thread.start()
    load = run_load(url, clients=50, seconds=3)
    thread.join()
    assert load["requests"] > 50
    assert set(load["statuses"]) <= {"200", "503"}  # answered, or told to come back (busy or too long)
    assert load["statuses"].get("200", 0) > load["requests"] // 2
    assert results["body"].startswith("HTTP/1.1 413")
    assert results["rows"] == 200 and results["malformed"] == 400
    assert request(url, "ASK { ?s ?p ?o }")[0] == 200
