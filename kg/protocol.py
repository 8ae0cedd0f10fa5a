"""The SPARQL 1.1 Protocol's rules, apart from HTTP: content negotiation, what one query request is and how it
is answered on a store, and the Service Description of an endpoint."""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from typing import Any

from kg.errors import QueryError, QuerySyntaxError
from kg.sparql import Result, query_form, run_local, write_result
from kg.vocab import RDF

__all__ = ["GRAPH_FORMS", "TEXT", "Request", "answer", "negotiate", "service_description"]

_RESULT_MEDIA = {
    "application/sparql-results+json": "json", "application/json": "json", "text/javascript": "json",
    "application/javascript": "json", "application/sparql-results+xml": "xml", "application/xml": "xml",
    "text/xml": "xml", "text/csv": "csv", "text/tab-separated-values": "tsv",
}
_GRAPH_MEDIA = {
    "text/turtle": "turtle", "application/turtle": "turtle", "application/x-turtle": "turtle",
    "application/n-triples": "nt", "text/plain": "nt", "application/ld+json": "jsonld",
    "application/x-json+ld": "jsonld", "application/rdf+xml": "rdfxml", "application/xml": "rdfxml",
    "text/xml": "rdfxml",
}
_RESULT_NAMES = {"json": "json", "xml": "xml", "csv": "csv", "tsv": "tsv", "srj": "json", "srx": "xml"}
_GRAPH_NAMES = {"turtle": "turtle", "ttl": "turtle", "nt": "nt", "ntriples": "nt", "n-triples": "nt",
                "jsonld": "jsonld", "json-ld": "jsonld", "json": "jsonld", "rdfxml": "rdfxml", "rdf+xml": "rdfxml",
                "rdf/xml": "rdfxml", "xml": "rdfxml", "rdf": "rdfxml"}
GRAPH_FORMS = ("CONSTRUCT", "DESCRIBE")


def negotiate(accept: str, form: str, formats: list[str] | None = None) -> str | None:
    """The format to answer in, following Accept (RFC 9110 q-values, first listed wins a tie). A `format`
    parameter (a short name or a media type; several allowed) decides only where Accept names no format we
    offer but allows any; values we do not know are ignored. None: nothing acceptable (406)."""
    graph = form in GRAPH_FORMS
    media_map, names = (_GRAPH_MEDIA, _GRAPH_NAMES) if graph else (_RESULT_MEDIA, _RESULT_NAMES)
    default = "turtle" if graph else "json"
    best: tuple[float, int, str] | None = None
    wildcard = not accept.strip()
    for i, part in enumerate(accept.split(",") if accept.strip() else []):
        media, *params = [p.strip() for p in part.split(";")]
        q = 1.0
        for p in params:
            if p.lower().startswith("q="):
                with contextlib.suppress(ValueError):
                    q = float(p[2:])
        media = media.lower()
        if q <= 0:
            continue
        if media in ("*/*", "application/*", "text/*"):
            wildcard = True
            continue
        fmt = media_map.get(media)
        if fmt and (best is None or (q, -i) > (best[0], best[1])):
            best = (q, -i, fmt)
    if best:
        return best[2]
    if not wildcard:
        return None
    for value in formats or ():
        v = value.strip().lower()
        fmt = names.get(v) or media_map.get(v.split(";")[0].strip())
        if fmt:
            return fmt
    return default


@dataclass(frozen=True)
class Request:
    """One query as the worker runs it."""

    query: str
    accept: str = ""
    formats: tuple[str, ...] = ()
    default_graphs: tuple[str, ...] | None = None  # default-graph-uri (None: not given)
    named_graphs: tuple[str, ...] | None = None  # named-graph-uri (None: not given)


TEXT = "text/plain; charset=utf-8"


def answer(store: Any, req: Request, max_rows: int, base: str) -> tuple[int, str, bytes, bool]:
    """(status, media type, body, truncated) of one request on a store."""
    try:
        form = query_form(req.query)
        fmt = negotiate(req.accept, form, list(req.formats))
        if fmt is None:
            return 406, TEXT, b"no acceptable format for a " + form.encode() + b" answer\n", False
        result = run_local(store, req.query, max_rows, base, req.default_graphs, req.named_graphs, federated=False)
        body, media = write_result(result, fmt)
        return 200, media, body, result.truncated
    except (QuerySyntaxError, QueryError) as exc:
        return 400, TEXT, (str(exc) + "\n").encode(), False
    except Exception as exc:  # a failed query must not take the worker down
        return 500, TEXT, f"query failed: {exc}\n".encode(), False


SD = "http://www.w3.org/ns/sparql-service-description#"
FORMATS = "http://www.w3.org/ns/formats/"


def service_description(endpoint: str, graphs: list[str], fmt: str = "turtle") -> tuple[bytes, str]:
    """The service description (SPARQL 1.1 Service Description) of an endpoint serving `graphs`."""
    from pyoxigraph import BlankNode, NamedNode, Triple

    a = RDF.type
    svc, dataset, default = NamedNode(endpoint), BlankNode("dataset"), BlankNode("default")

    def sd(name: str) -> NamedNode:
        return NamedNode(SD + name)

    triples = [Triple(svc, a, sd("Service")), Triple(svc, sd("endpoint"), svc),
               Triple(svc, sd("supportedLanguage"), sd("SPARQL11Query")),
               Triple(svc, sd("feature"), sd("UnionDefaultGraph"))]
    for f in ("SPARQL_Results_JSON", "SPARQL_Results_XML", "SPARQL_Results_CSV", "SPARQL_Results_TSV", "Turtle",
              "N-Triples", "JSON-LD", "RDF_XML"):
        triples.append(Triple(svc, sd("resultFormat"), NamedNode(FORMATS + f)))
    triples += [Triple(svc, sd("defaultDataset"), dataset), Triple(dataset, a, sd("Dataset")),
                Triple(dataset, sd("defaultGraph"), default), Triple(default, a, sd("Graph"))]
    for i, g in enumerate(graphs):
        node = BlankNode(f"g{i}")
        triples += [Triple(dataset, sd("namedGraph"), node), Triple(node, a, sd("NamedGraph")),
                    Triple(node, sd("name"), NamedNode(g))]
    return write_result(Result("CONSTRUCT", triples=triples), fmt)
