"""SPARQL: named queries, parameters, running queries locally or remotely, and result formats.

Results are written by pyoxigraph's serializers (SPARQL 1.1 Query Results JSON, XML, CSV, TSV; Turtle and
N-Triples for graphs). A row cap is applied by handing pyoxigraph only the first rows, as TSV, whose term
syntax is N-Triples, so every format comes out of the same serializer.
"""

from __future__ import annotations

import io
import re
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyoxigraph
from pyoxigraph import QueryBoolean, QueryResultsFormat, QuerySolutions, QueryTriples, RdfFormat

from kg.errors import EndpointError, NamedQueryNotFound, QueryError, QuerySyntaxError, UpdateRefused
from kg.resources import ontology_dir
from kg.vocab import DEFAULT_BASE, output_prefixes, prefixes

__all__ = [
    "GRAPH_FORMATS",
    "RESULT_FORMATS",
    "NamedQuery",
    "Result",
    "bind",
    "check_syntax",
    "collect",
    "graph_store_url",
    "has_dataset_clause",
    "is_absolute_iri",
    "is_federated",
    "named_queries",
    "named_query",
    "ntriples",
    "push",
    "push_dataset",
    "query_form",
    "run_local",
    "run_remote",
    "sparql_term",
    "syntax_error",
    "write_result",
]

RESULT_FORMATS = {
    "json": (QueryResultsFormat.JSON, "application/sparql-results+json"),
    "xml": (QueryResultsFormat.XML, "application/sparql-results+xml"),
    "csv": (QueryResultsFormat.CSV, "text/csv; charset=utf-8"),
    "tsv": (QueryResultsFormat.TSV, "text/tab-separated-values; charset=utf-8"),
}
GRAPH_FORMATS = {
    "turtle": (RdfFormat.TURTLE, "text/turtle; charset=utf-8"),
    "nt": (RdfFormat.N_TRIPLES, "application/n-triples"),
    "jsonld": (RdfFormat.JSON_LD, "application/ld+json"),
    "rdfxml": (RdfFormat.RDF_XML, "application/rdf+xml"),
}
_ERROR_AT = re.compile(r"error at (\d+):(\d+): ?(.*)", re.S)
_VALUES = re.compile(r"VALUES\s+\?(\w+)\s*\{\s*([^}]*?)\s*\}", re.I)
_FORM = re.compile(r"\b(SELECT|ASK|CONSTRUCT|DESCRIBE|INSERT|DELETE|LOAD|CLEAR|CREATE|DROP|COPY|MOVE|ADD|WITH)\b",
                   re.I)


@dataclass
class NamedQuery:
    """A query file of ontology/queries: its name, first comment line, text and parameters (with defaults)."""

    name: str
    description: str
    text: str
    params: dict[str, str] = field(default_factory=dict)


def named_queries(folder: Path | None = None) -> dict[str, NamedQuery]:
    """Every .rq file under ontology/queries, by file stem."""
    out: dict[str, NamedQuery] = {}
    for path in sorted((folder or ontology_dir() / "queries").glob("*.rq")):
        text = path.read_text(encoding="utf-8")
        first = next((ln.lstrip("# ").strip() for ln in text.splitlines() if ln.startswith("#")), "")
        params = {m.group(1): m.group(2) for m in _VALUES.finditer(text)}
        out[path.stem] = NamedQuery(path.stem, first, text, params)
    return out


def named_query(name: str, folder: Path | None = None) -> NamedQuery:
    """The named query of that name, or NamedQueryNotFound."""
    queries = named_queries(folder)
    if name not in queries:
        raise NamedQueryNotFound(f"no named query {name!r}; see kg query --list")
    return queries[name]


def sparql_term(raw: str, like: str) -> str:
    """A parameter value as SPARQL, in the kind of its default: an IRI, a number, or a string literal."""
    like = like.strip()
    if like.startswith("<") or raw.startswith(("http://", "https://")):
        iri = raw.strip().strip("<>")
        if re.search(r"[\s<>\"{}|\\^`]", iri):
            raise QueryError(f"not an IRI: {raw!r}")
        return f"<{iri}>"
    if re.fullmatch(r"[+-]?\d+(\.\d+)?", like) and re.fullmatch(r"[+-]?\d+(\.\d+)?", raw.strip()):
        return raw.strip()
    escaped = raw.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r")
    return f'"{escaped}"'


def bind(query: NamedQuery, values: dict[str, str]) -> str:
    """The query text with `VALUES ?name { default }` replaced by the given values."""
    unknown = sorted(set(values) - set(query.params))
    if unknown:
        known = ", ".join(query.params) or "none"
        raise QueryError(f"query {query.name!r} has no parameter {unknown[0]!r} (parameters: {known})")

    def repl(m: re.Match[str]) -> str:
        name = m.group(1)
        if name not in values:
            return m.group(0)
        return f"VALUES ?{name} {{ {sparql_term(values[name], m.group(2))} }}"

    return _VALUES.sub(repl, query.text)


def syntax_error(exc: SyntaxError, query: str) -> QuerySyntaxError:
    """Our error for a pyoxigraph SyntaxError: the line and column, and the line itself with a caret."""
    text = str(exc)
    m = _ERROR_AT.search(text)
    if not m:
        return QuerySyntaxError(f"SPARQL syntax error: {text}")
    line, col, what = int(m.group(1)), int(m.group(2)), " ".join(m.group(3).split())
    if len(what) > 160:
        what = what[:157] + "..."
    lines = query.splitlines() or [""]
    shown = lines[line - 1] if 0 < line <= len(lines) else ""
    caret = " " * max(0, col - 1) + "^"
    return QuerySyntaxError(f"SPARQL syntax error at line {line}, column {col}: {what}\n  {shown}\n  {caret}",
                            line, col)


_LEXEMES = re.compile(r'''<[^<>"{}|^`\\\s]*>|"""(?:[^"\\]|\\.|"(?!""))*"""|\'\'\'(?:[^\'\\]|\\.|\'(?!\'\'))*\'\'\''''
                      r'''|"(?:[^"\\\n]|\\.)*"|\'(?:[^\'\\\n]|\\.)*\'|\#[^\n]*''')


def _keywords_only(query: str) -> str:
    """The query with IRIs, strings and comments blanked out, read left to right as the SPARQL lexer does."""
    return _LEXEMES.sub(lambda m: " " if m.group(0)[0] == "#" else ("<>" if m.group(0)[0] == "<" else '""'), query)


def query_form(query: str) -> str:
    """SELECT, ASK, CONSTRUCT, DESCRIBE, or UPDATE, read from the first keyword after the prologue."""
    m = _FORM.search(_keywords_only(query))
    if not m:
        return "SELECT"
    word = m.group(1).upper()
    return word if word in ("SELECT", "ASK", "CONSTRUCT", "DESCRIBE") else "UPDATE"


@dataclass
class Result:
    """A query result held in memory: rows (SELECT), a boolean (ASK) or triples (CONSTRUCT/DESCRIBE)."""

    form: str
    variables: list[str] = field(default_factory=list)
    rows: list[list[pyoxigraph.NamedNode | pyoxigraph.BlankNode | pyoxigraph.Literal | None]] = field(
        default_factory=list)
    boolean: bool | None = None
    triples: list[pyoxigraph.Triple] = field(default_factory=list)
    truncated: bool = False


def collect(answer: QuerySolutions | QueryBoolean | QueryTriples, max_rows: int | None = None) -> Result:
    """Read a pyoxigraph answer into a Result, stopping after max_rows rows or triples."""
    if isinstance(answer, QueryBoolean):
        return Result("ASK", boolean=bool(answer))
    if isinstance(answer, QueryTriples):
        triples: list[pyoxigraph.Triple] = []
        for t in answer:
            if max_rows is not None and len(triples) >= max_rows:
                return Result("CONSTRUCT", triples=triples, truncated=True)
            triples.append(t)
        return Result("CONSTRUCT", triples=triples)
    names = [v.value for v in answer.variables]
    rows: list[list[Any]] = []
    for sol in answer:
        if max_rows is not None and len(rows) >= max_rows:
            return Result("SELECT", names, rows, truncated=True)
        rows.append(list(sol))  # the values in the order of the variables, None where unbound
    return Result("SELECT", names, rows)


_DATASET = re.compile(r"(?<![\w?$:])FROM(?![\w:-])", re.I)


def has_dataset_clause(query: str) -> bool:
    """Whether the query names its own dataset (FROM or FROM NAMED)."""
    return _DATASET.search(_keywords_only(query)) is not None


_SERVICE = re.compile(r"(?<![\w?$:])SERVICE(?![\w:-])", re.I)


def is_federated(query: str) -> bool:
    """Whether the query calls another endpoint (SPARQL 1.1 Federated Query: SERVICE)."""
    return _SERVICE.search(_keywords_only(query)) is not None


def run_local(store: pyoxigraph.Store, query: str, max_rows: int | None = None, base: str = DEFAULT_BASE,
              default_graphs: Sequence[str] | None = None, named_graphs: Sequence[str] | None = None,
              union: bool = False, federated: bool = True) -> Result:
    """Run a query on a store with our prefixes (for the graph's `base`) predeclared.

    The dataset (SPARQL 1.1 Query §13, Protocol §2.1.4): `default_graphs`/`named_graphs` (the protocol's
    default-graph-uri and named-graph-uri) when given, else the query's FROM / FROM NAMED, else the store's
    default graph (in a built graph's store, the union of all graphs: kg.store.load_graph) and every named
    graph. `union` asks for the union of the graphs instead, for a store that holds it nowhere. Without
    `federated`, a query that calls another endpoint (SERVICE) is refused: a server must not fetch what its
    clients name."""
    if query_form(query) == "UPDATE":
        raise UpdateRefused("updates are not allowed: kg queries are read-only")
    if not federated and is_federated(query):
        raise QueryError("SERVICE is not allowed here: this endpoint does not call other endpoints")
    dataset: dict[str, object] = {}
    if default_graphs is not None or named_graphs is not None:
        dataset["default_graph"] = [pyoxigraph.NamedNode(g) for g in default_graphs or ()]
        dataset["named_graphs"] = [pyoxigraph.NamedNode(g) for g in named_graphs or ()]
    elif union and not has_dataset_clause(query):
        dataset["use_default_graph_as_union"] = True
    try:
        answer = store.query(query, prefixes=prefixes(base), **dataset)  # type: ignore[arg-type]
        return collect(answer, max_rows)  # evaluated as it is read: a SERVICE call fails here
    except SyntaxError as exc:
        raise syntax_error(exc, query) from None
    except (OSError, ValueError) as exc:
        raise QueryError(f"query failed: {exc}") from None


def check_syntax(query: str) -> None:
    """Raise QuerySyntaxError if the query does not parse (checked on an empty store)."""
    run_local(pyoxigraph.Store(), query, max_rows=0)


def _tsv(result: Result) -> bytes:
    lines = ["\t".join(f"?{v}" for v in result.variables)]
    lines += ["\t".join("" if t is None else str(t) for t in row) for row in result.rows]
    return ("\n".join(lines) + "\n").encode("utf-8")


def write_result(result: Result, fmt: str) -> tuple[bytes, str]:
    """Serialize a result: json/xml/csv/tsv for SELECT and ASK, turtle/nt/jsonld/rdfxml for graphs.
    Returns the bytes and the media type."""
    if result.form == "CONSTRUCT":
        rdf_format, media = GRAPH_FORMATS.get(fmt, GRAPH_FORMATS["turtle"])
        buf = io.BytesIO()
        pyoxigraph.serialize(result.triples, buf, rdf_format,
                             prefixes=output_prefixes() if rdf_format == RdfFormat.TURTLE else None)
        return buf.getvalue(), media
    res_format, media = RESULT_FORMATS.get(fmt, RESULT_FORMATS["json"])
    if result.form == "ASK":
        data = b"true\n" if result.boolean else b"false\n"
        answer = pyoxigraph.parse_query_results(data, QueryResultsFormat.TSV)
    else:
        answer = pyoxigraph.parse_query_results(_tsv(result), QueryResultsFormat.TSV)
    buf = io.BytesIO()
    answer.serialize(buf, res_format)
    return buf.getvalue(), media


# ------------------------------------------------------------------ remote endpoints (SPARQL 1.1 Protocol)

def _http(req: urllib.request.Request, timeout: float) -> tuple[bytes, str]:
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            return resp.read(), resp.headers.get("Content-Type", "")
    except urllib.error.HTTPError as exc:
        body = exc.read()[:300].decode("utf-8", "replace").strip()
        raise EndpointError(f"{req.full_url} answered {exc.code} {exc.reason}: {body}") from None
    except (urllib.error.URLError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise EndpointError(f"cannot reach {req.full_url}: {reason}") from None


def run_remote(endpoint: str, query: str, timeout: float = 60.0, max_rows: int | None = None) -> Result:
    """Run a query on a SPARQL 1.1 Protocol endpoint (POST, form-encoded) and read the answer."""
    form = query_form(query)
    if form == "UPDATE":
        raise UpdateRefused("updates are not allowed: kg queries are read-only")
    accept = ("application/n-triples, text/turtle;q=0.9" if form in ("CONSTRUCT", "DESCRIBE")
              else "application/sparql-results+json")
    full = "".join(f"PREFIX {p}: <{iri}>\n" for p, iri in prefixes().items()) + query
    data = urllib.parse.urlencode({"query": full}).encode()
    req = urllib.request.Request(endpoint, data=data, method="POST", headers={
        "Content-Type": "application/x-www-form-urlencoded", "Accept": accept})
    body, ctype = _http(req, timeout)
    if form in ("CONSTRUCT", "DESCRIBE"):
        fmt = RdfFormat.TURTLE if "turtle" in ctype else RdfFormat.N_TRIPLES
        triples = [q.triple for q in pyoxigraph.parse(body, fmt)]
        cut = max_rows is not None and len(triples) > max_rows
        return Result("CONSTRUCT", triples=triples[:max_rows] if cut else triples, truncated=cut)
    answer = pyoxigraph.parse_query_results(body, QueryResultsFormat.JSON)
    return collect(answer, max_rows)


_ABSOLUTE_IRI = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:[^\s<>\"{}|\\^`]+")


def is_absolute_iri(text: str) -> bool:
    """Whether a text is an absolute IRI (a named graph's name, a default-graph-uri)."""
    return _ABSOLUTE_IRI.fullmatch(text) is not None


def ntriples(triples: Iterable[pyoxigraph.Triple]) -> bytes:
    """Triples as an N-Triples document."""
    data = pyoxigraph.serialize(triples, format=RdfFormat.N_TRIPLES)
    assert data is not None  # serialize returns the bytes when given no output
    return data


def graph_store_url(store: str, graph: str | None) -> str:
    """The Graph Store Protocol URL of the default graph or of a named graph (an absolute IRI)."""
    if graph is not None and not is_absolute_iri(graph):
        raise QueryError(f"not an absolute IRI for a named graph: {graph!r}")
    sep = "&" if "?" in store else "?"
    return f"{store}{sep}default" if not graph else f"{store}{sep}graph={urllib.parse.quote(graph, safe='')}"


def _batches(triples: Iterable[tuple[str | None, pyoxigraph.Triple]],
             batch: int) -> Iterator[tuple[str | None, list[pyoxigraph.Triple]]]:
    """(graph, triples) runs of at most `batch` triples, a new run wherever the graph changes."""
    current: str | None = None
    chunk: list[pyoxigraph.Triple] = []
    for name, t in triples:
        if chunk and (name != current or len(chunk) >= batch):
            yield current, chunk
            chunk = []
        current = name
        chunk.append(t)
    if chunk:
        yield current, chunk


def _upload(store: str, batches: Iterable[tuple[str | None, list[pyoxigraph.Triple]]], replace: bool,
            timeout: float, progress: object) -> tuple[int, set[str | None]]:
    """Send each batch to its graph (PUT on a graph's first batch when replacing, POST otherwise); returns the
    triples sent and the graphs written (None: the default graph)."""
    sent = 0
    started: set[str | None] = set()
    for name, chunk in batches:
        method = "PUT" if replace and name not in started else "POST"
        started.add(name)
        _http(urllib.request.Request(graph_store_url(store, name), data=ntriples(chunk), method=method,
                                     headers={"Content-Type": "application/n-triples"}), timeout)
        sent += len(chunk)
        if callable(progress):
            progress(sent)
    return sent, started


def push(store: str, triples: Iterable[pyoxigraph.Triple], graph: str | None = None, replace: bool = False,
         batch: int = 50_000, timeout: float = 300.0, progress: object = None) -> int:
    """Upload triples into one graph of a Graph Store Protocol endpoint, in batches; `replace` replaces the
    graph's content (nothing to send empties it). Returns the number of triples sent."""
    url = graph_store_url(store, graph)  # a bad graph name fails before anything is sent
    sent, started = _upload(store, _batches(((graph, t) for t in triples), batch), replace, timeout, progress)
    if replace and not started:
        _http(urllib.request.Request(url, data=b"", method="PUT", headers={"Content-Type": "application/n-triples"}),
              timeout)
    return sent


def push_dataset(store: str, quads: Iterable[pyoxigraph.Quad], replace: bool = False, batch: int = 50_000,
                 timeout: float = 300.0, progress: object = None) -> tuple[int, int]:
    """Upload a dataset through the Graph Store Protocol, each named graph into the graph of its name and the
    default graph into the default graph. Returns (triples sent, named graphs written)."""
    named = ((None if isinstance(q.graph_name, pyoxigraph.DefaultGraph) else q.graph_name.value, q.triple)
             for q in quads)
    sent, started = _upload(store, _batches(named, batch), replace, timeout, progress)
    return sent, len(started - {None})
