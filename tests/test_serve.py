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
from tests.conftest import copy_seeds

SLOW = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def endpoint(seeds_build: tuple[Path, BuildResult]) -> Iterator[Endpoint]:
    out, _ = seeds_build
    ep = Endpoint(out, port=free_port(), limits=Limits(timeout=1.5, max_rows=5, max_body=100_000, workers=2),
                  watch=None)
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
    assert get(endpoint, update)[0] == 400  # an update sent as a query is a malformed query request
    assert call(endpoint, "/sparql?update=" + urllib.parse.quote(update))[0] == 403
    assert get(endpoint, "ASK { <urn:a> <urn:b> <urn:c> }", "application/sparql-results+json")[2] == (
        b'{"head":{},"boolean":false}')
    for method in ("PUT", "DELETE", "PATCH"):  # the Graph Store Protocol's writes
        status, headers, _ = call(endpoint, "/sparql?default", b"<urn:a> <urn:b> <urn:c> .",
                                  {"Content-Type": "application/n-triples"}, method=method)
        assert status == 405 and headers["Allow"] == "GET, HEAD, POST, OPTIONS"


def test_time_limit_stops_the_query_not_the_server(endpoint: Endpoint) -> None:
    start = time.monotonic()
    status, _, body = get(endpoint, SLOW)
    assert status == 503 and b"longer than the 1.5 s limit" in body
    assert time.monotonic() - start < 10
    assert get(endpoint, "ASK { ?s ?p ?o }")[0] == 200  # the server still answers
    statuses = [get(endpoint, "ASK { ?s ?p ?o }")[0] for _ in range(4)]
    assert statuses == [200] * 4


def test_ask_never_waits_behind_slow_queries(endpoint: Endpoint) -> None:
    """Both query workers busy with queries that run to the time limit: an ASK still answers at once."""
    slow = [threading.Thread(target=get, args=(endpoint, SLOW + f" # {i}")) for i in range(2)]
    for t in slow:
        t.start()
    deadline = time.monotonic() + 5
    while endpoint.live.pool.idle() and time.monotonic() < deadline:  # until both workers are busy
        time.sleep(0.01)
    assert endpoint.live.pool.idle() == 0
    start = time.monotonic()
    status, _, body = get(endpoint, "ASK { ?s a <https://w3id.org/signals-kg/ontology#Article> }",
                          accept="application/sparql-results+json")
    waited = time.monotonic() - start
    for t in slow:
        t.join()
    assert status == 200 and json.loads(body)["boolean"] is True
    assert waited < 1.0, f"the ASK waited {waited:.2f} s behind the slow queries"


def test_answers_are_cached_per_build_and_request(endpoint: Endpoint) -> None:
    cache = endpoint.live.cache
    query = "SELECT ?l WHERE { ?c a <https://w3id.org/signals-kg/ontology#Category> ; rdfs:label ?l } ORDER BY ?l"
    hits, misses = cache.hits, cache.misses
    first = get(endpoint, query, accept="application/sparql-results+json")
    again = get(endpoint, query, accept="application/sparql-results+json")
    assert first[0] == 200 and first[2] == again[2]
    assert (cache.hits - hits, cache.misses - misses) == (1, 1)
    as_csv = get(endpoint, query, accept="text/csv")  # another answer: another entry
    assert as_csv[0] == 200 and as_csv[2] != first[2] and cache.misses - misses == 2
    assert get(endpoint, SLOW)[0] == 503 and get(endpoint, SLOW)[0] == 503  # a time-out is never kept
    together = []
    threads = [threading.Thread(target=lambda: together.append(get(endpoint, query + " LIMIT 3")[2]))
               for _ in range(8)]
    misses = cache.misses
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(set(together)) == 1 and cache.misses - misses == 1  # eight at once: run once


def test_row_cap(endpoint: Endpoint) -> None:
    status, headers, body = get(endpoint, "SELECT ?s WHERE { ?s a kgo:Keyword }", "text/csv")
    assert status == 200 and headers.get("X-KG-Truncated") == "true"
    assert len(body.decode().splitlines()) == 1 + 5


def test_bad_requests(endpoint: Endpoint) -> None:
    assert get(endpoint, "SELECT ?x WHERE { ?x }")[0] == 400
    _status, _, body = get(endpoint, "SELECT ?x WHERE {\n ?x }")
    assert b"line 2" in body
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
    assert negotiate("", "SELECT", ["tsv"]) == "tsv"
    assert negotiate("*/*", "SELECT", ["text/tab-separated-values"]) == "tsv"
    assert negotiate("", "CONSTRUCT", ["xml"]) == "rdfxml"  # what SPARQLWrapper sends for RDF/XML
    assert negotiate("text/turtle", "CONSTRUCT", ["xml"]) == "turtle"  # Accept decides, not `format`
    assert negotiate("application/sparql-results+json", "SELECT", ["nonsense"]) == "json"
    assert negotiate("", "SELECT", ["nonsense"]) == "json"  # an unknown format value is ignored
    assert negotiate("image/png, */*;q=0.1", "SELECT") == "json"
    assert negotiate("application/x-json+ld", "DESCRIBE") == "jsonld"


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


# ------------------------------------------------------------------ SPARQL 1.1 Protocol details

DOC_GRAPH = "https://w3id.org/signals-kg/id/graph/000_61f95d86ecc6b6dd"
COUNT = "SELECT (COUNT(*) AS ?n) {from} WHERE {{ ?s ?p ?o }}"


def count_of(body: bytes) -> int:
    rows = list(pyoxigraph.parse_query_results(body, pyoxigraph.QueryResultsFormat.JSON))
    return int(rows[0]["n"].value)


def test_from_and_dataset_parameters(endpoint: Endpoint, seeds_store: pyoxigraph.Store) -> None:
    in_graph = len(list(seeds_store.quads_for_pattern(None, None, None, pyoxigraph.NamedNode(DOC_GRAPH))))
    union = count_of(get(endpoint, COUNT.format(**{"from": ""}), "application/json")[2])
    assert in_graph > 0 and union > in_graph  # no dataset named: the union of all graphs
    status, _, body = get(endpoint, COUNT.format(**{"from": f"FROM <{DOC_GRAPH}>"}), "application/json")
    assert status == 200 and count_of(body) == in_graph  # Query §13: FROM names the default graph
    body = get(endpoint, COUNT.format(**{"from": ""}), "application/json", **{"default-graph-uri": DOC_GRAPH})[2]
    assert count_of(body) == in_graph  # Protocol §2.1.4
    q = "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }"
    status, _, body = get(endpoint, q, "text/csv", **{"named-graph-uri": DOC_GRAPH})
    assert body.decode().splitlines() == ["g", DOC_GRAPH]
    q = f"SELECT DISTINCT ?g FROM NAMED <{DOC_GRAPH}> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}"
    assert get(endpoint, q, "text/csv")[2].decode().splitlines() == ["g", DOC_GRAPH]
    # the protocol's parameters win over the query's FROM (Protocol §2.1.4)
    body = get(endpoint, COUNT.format(**{"from": "FROM <urn:nothing>"}), "application/json",
               **{"default-graph-uri": DOC_GRAPH})[2]
    assert count_of(body) == in_graph
    assert get(endpoint, "ASK {}", "", **{"default-graph-uri": "not an iri"})[0] == 400


def test_protocol_errors_and_headers(endpoint: Endpoint) -> None:
    both = urllib.parse.urlencode([("query", "ASK {}"), ("query", "ASK { ?s ?p ?o }")])
    status, headers, _ = call(endpoint, f"/sparql?{both}")
    assert status == 400 and headers["Access-Control-Allow-Origin"] == "*"
    form = urllib.parse.urlencode({"query": "ASK {}"}).encode()
    assert call(endpoint, "/sparql?query=ASK%7B%7D", form, {"Content-Type": "application/x-www-form-urlencoded"})[
        0] == 400  # one in the URL, one in the body: two queries
    status, headers, _ = get(endpoint, "DELETE WHERE { ?s ?p ?o }")
    assert status == 400 and headers["Access-Control-Allow-Origin"] == "*"
    for path, code in (("/nope", 404), ("/sparql?update=CLEAR%20ALL", 403)):
        status, headers, _ = call(endpoint, path)
        assert status == code and headers["Access-Control-Allow-Origin"] == "*"
    status, headers, _ = get(endpoint, "ASK {}", "image/png")
    assert status == 406 and headers["Access-Control-Allow-Origin"] == "*" and headers["Vary"] == "Accept"
    status, headers, _ = get(endpoint, "ASK {}", "application/sparql-results+xml")
    assert status == 200 and headers["Vary"] == "Accept" and headers["Access-Control-Allow-Origin"] == "*"
    status, headers, _ = call(endpoint, "/sparql", b"x" * 200_000, {"Content-Type": "application/sparql-query"})
    assert status == 413 and headers["Access-Control-Allow-Origin"] == "*"


def test_format_parameter_does_not_override_accept(endpoint: Endpoint) -> None:
    q = "CONSTRUCT { ?c rdfs:label ?l } WHERE { ?c a kgo:Category ; rdfs:label ?l }"
    status, headers, body = get(endpoint, q, "text/turtle", format="xml")
    assert status == 200 and headers["Content-Type"].startswith("text/turtle")
    status, headers, body = get(endpoint, q, "", format="xml")  # no Accept: `format` may choose
    assert status == 200 and headers["Content-Type"] == "application/rdf+xml"
    assert len(list(pyoxigraph.parse(body, pyoxigraph.RdfFormat.RDF_XML))) == 3
    status, headers, _ = get(endpoint, "ASK {}", "application/sparql-results+json", format="bogus")
    assert status == 200 and headers["Content-Type"] == "application/sparql-results+json"


def test_service_description(endpoint: Endpoint) -> None:
    status, headers, body = call(endpoint, "/sparql")
    assert status == 200 and headers["Content-Type"].startswith("text/turtle")
    store = pyoxigraph.Store()
    store.load(body, pyoxigraph.RdfFormat.TURTLE)
    sd = "PREFIX sd: <http://www.w3.org/ns/sparql-service-description#> "
    assert store.query(sd + f"ASK {{ ?s a sd:Service ; sd:endpoint <{endpoint.url}/sparql> ; "
                            "sd:supportedLanguage sd:SPARQL11Query ; sd:feature sd:UnionDefaultGraph }")
    names = {r["g"].value for r in store.query(sd + "SELECT ?g { ?s sd:defaultDataset/sd:namedGraph/sd:name ?g }")}
    assert DOC_GRAPH in names and len(names) == 14  # one named graph per document
    status, headers, body = call(endpoint, "/sparql", headers={"Accept": "application/rdf+xml"})
    assert status == 200 and headers["Content-Type"] == "application/rdf+xml"


# ------------------------------------------------------------------ an independent client: SPARQLWrapper

def wrapper(ep: Endpoint, query: str, fmt: str, method: str = "GET") -> object:
    from SPARQLWrapper import SPARQLWrapper

    sw = SPARQLWrapper(ep.url + "/sparql")
    sw.setQuery(query)
    sw.setReturnFormat(fmt)
    sw.setMethod(method)
    return sw.query().convert()


CATEGORIES = "SELECT ?l WHERE { ?c a kgo:Category ; rdfs:label ?l } ORDER BY ?l"


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_sparqlwrapper_select_in_every_result_format(endpoint: Endpoint, method: str) -> None:
    from SPARQLWrapper import CSV, JSON, TSV, XML

    res = wrapper(endpoint, CATEGORIES, JSON, method)
    assert [b["l"]["value"] for b in res["results"]["bindings"]] == ["others", "science", "technology"]
    doc = wrapper(endpoint, CATEGORIES, XML, method)
    assert [n.firstChild.data for n in doc.getElementsByTagName("literal")] == ["others", "science", "technology"]
    assert wrapper(endpoint, CATEGORIES, CSV, method).decode().splitlines() == ["l", "others", "science",
                                                                                 "technology"]
    assert wrapper(endpoint, CATEGORIES, TSV, method).decode().splitlines() == [
        "?l", '"others"', '"science"', '"technology"']


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_sparqlwrapper_construct_in_rdfxml_turtle_and_jsonld(endpoint: Endpoint, method: str) -> None:
    import rdflib
    from SPARQLWrapper import JSONLD, RDFXML, TURTLE

    q = "CONSTRUCT { ?c rdfs:label ?l } WHERE { ?c a kgo:Category ; rdfs:label ?l }"
    expected = {"others", "science", "technology"}
    g = wrapper(endpoint, q, RDFXML, method)
    assert isinstance(g, rdflib.Graph) and {str(o) for o in g.objects()} == expected
    ttl = wrapper(endpoint, q, TURTLE, method)
    assert {str(o) for o in rdflib.Graph().parse(data=ttl, format="turtle").objects()} == expected
    g = wrapper(endpoint, q, JSONLD, method)
    assert isinstance(g, rdflib.Graph) and {str(o) for o in g.objects()} == expected
    g = wrapper(endpoint, f"DESCRIBE <{DOC_GRAPH.replace('/graph/', '/article/')}>", RDFXML, method)
    assert len(g) > 0


def test_sparqlwrapper_from_query(endpoint: Endpoint, seeds_store: pyoxigraph.Store) -> None:
    from SPARQLWrapper import JSON

    in_graph = len(list(seeds_store.quads_for_pattern(None, None, None, pyoxigraph.NamedNode(DOC_GRAPH))))
    res = wrapper(endpoint, COUNT.format(**{"from": f"FROM <{DOC_GRAPH}>"}), JSON)
    assert int(res["results"]["bindings"][0]["n"]["value"]) == in_graph


# ------------------------------------------------------------------ serving while the folder is rebuilt

def test_serve_survives_rebuilds_and_timeouts(tmp_path: Path) -> None:
    from kg.pipeline import build

    src = copy_seeds(tmp_path / "src")
    out = tmp_path / "out"
    build([src], out, analytics=False)
    ep = Endpoint(out, port=free_port(), limits=Limits(timeout=1.5, workers=1), watch=None)
    thread = threading.Thread(target=ep.httpd.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True)
    thread.start()
    articles = "SELECT (COUNT(DISTINCT ?a) AS ?n) WHERE { ?a a kgo:Article ; dcterms:title ?t }"
    try:
        before = count_of(get(ep, articles, "application/json")[2])
        first = ep.live.build
        victim = sorted(src.glob("0*.md"))[0]
        victim.unlink()
        build([src], out, analytics=False)  # commit() and sweep() run while the endpoint serves
        assert first.is_dir()  # pinned: not swept
        assert count_of(get(ep, articles, "application/json")[2]) == before  # still the build it opened
        assert get(ep, SLOW)[0] == 503  # a timeout: the worker is killed and replaced on the same build
        status, _, body = get(ep, articles, "application/json")
        assert status == 200 and count_of(body) == before
        assert ep.reload()  # the switch to the new build
        assert ep.live.build != first and count_of(get(ep, articles, "application/json")[2]) == before - 1
        assert get(ep, SLOW)[0] == 503
        assert count_of(get(ep, articles, "application/json")[2]) == before - 1
        assert not ep.reload()  # nothing newer
    finally:
        ep.httpd.shutdown()
        ep.close()


def test_serve_switches_by_itself_and_releases_the_old_build(tmp_path: Path) -> None:
    from kg.pipeline import build

    src = copy_seeds(tmp_path / "src")
    out = tmp_path / "out"
    build([src], out, analytics=False)
    ep = Endpoint(out, port=free_port(), limits=Limits(timeout=1.5, workers=1), watch=0.2)
    try:
        first = ep.live.build
        sorted(src.glob("0*.md"))[0].unlink()
        build([src], out, analytics=False)
        with ep.switched:
            assert ep.switched.wait_for(lambda: ep.generation == 1, timeout=60)
        assert ep.live.build != first
        assert ep.retiring is not None
        ep.retiring.join(30)
        build([src], out, analytics=False, cache=False)  # the next build sweeps the released one
        assert not first.exists()
    finally:
        ep.close()


def test_a_federated_query_is_refused_and_nothing_is_fetched(endpoint: Endpoint) -> None:
    """SERVICE would make the server fetch whatever URL a client names (its own network included): 400, and the
    named endpoint never hears from it. The word in an IRI, a string or a comment is no SERVICE call."""
    import http.server

    asked: list[str] = []

    class Listener(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            asked.append(self.path)
            self.send_response(500)
            self.end_headers()

        do_POST = do_GET

        def log_message(self, *args: object) -> None:
            pass

    other = http.server.HTTPServer(("127.0.0.1", 0), Listener)
    thread = threading.Thread(target=other.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        target = f"http://127.0.0.1:{other.server_address[1]}/sparql"
        for query in (f"SELECT * WHERE {{ SERVICE <{target}> {{ ?s ?p ?o }} }}",
                      f"select * where {{ service silent <{target}> {{ ?s ?p ?o }} }}"):
            status, _, body = get(endpoint, query)
            assert status == 400 and b"SERVICE is not allowed" in body
    finally:
        other.shutdown()
    assert asked == []
    status, _, _ = get(endpoint, 'SELECT * WHERE { ?s <http://ex.org/SERVICE> "SERVICE" } # SERVICE')
    assert status == 200
