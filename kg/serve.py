"""A read-only SPARQL 1.1 Protocol endpoint over a built graph, plus the HTML explorer at `/`.

Queries run in worker processes that open the graph's store read-only. A query that runs past the time
limit is stopped by killing its worker (a fresh one takes its place), so the server itself never blocks
on a query. Answers stop at a row cap (header `X-KG-Truncated: true` when they do). Requests are bounded:
body size, header read time (slow clients), connections at once, and queries waiting for a worker.
Updates are refused with 403. A GET without a query returns the SPARQL 1.1 Service Description.

The endpoint serves an output folder: it pins the live build and keeps answering from it while new builds
are written, then switches to the new build atomically (see Endpoint).
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import threading
import urllib.parse
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from kg.errors import KgError
from kg.outputs import Pin, pin
from kg.protocol import TEXT, Request, negotiate, service_description
from kg.querypool import Answer, Limits, QueryPool, ResultCache
from kg.sparql import is_absolute_iri, query_form
from kg.store import BuiltGraph

__all__ = ["Endpoint", "Limits", "negotiate", "served_page"]


def served_page(page: bytes) -> bytes:
    """The explorer as this server sends it: its CSP lets it ask this origin (and only this one) for the panels
    a page above FULL_DOCS documents does not hold."""
    return page.replace(b"connect-src 'none'", b"connect-src 'self'", 1)


@dataclass
class Live:
    """The build an endpoint answers from: pinned, with its pool of workers."""

    build: Path
    pool: QueryPool
    ask: QueryPool  # ASK queries only
    pin: Pin | None
    graphs: list[str]  # named graphs, for the service description
    cache: ResultCache

    def retire(self) -> None:
        """Let the old build's queries finish, stop its workers and release its pin."""
        self.pool.retire()
        self.ask.retire()
        if self.pin is not None:
            self.pin.release()


# ------------------------------------------------------------------ HTTP

class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128

    def __init__(self, addr: tuple[str, int], endpoint: Endpoint, limits: Limits) -> None:
        super().__init__(addr, _Handler)
        self.endpoint = endpoint
        self.limits = limits
        self.slots = threading.BoundedSemaphore(limits.max_connections)

    def process_request(self, request: Any, client_address: Any) -> None:
        if not self.slots.acquire(blocking=False):
            with contextlib.suppress(OSError):
                request.sendall(b"HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/plain\r\n"
                                b"Access-Control-Allow-Origin: *\r\n"
                                b"Content-Length: 24\r\nConnection: close\r\n\r\ntoo many requests at once")
            self.shutdown_request(request)
            return
        super().process_request(request, client_address)

    def process_request_thread(self, request: Any, client_address: Any) -> None:
        try:
            super().process_request_thread(request, client_address)
        finally:
            self.slots.release()


_CORS = {"Access-Control-Allow-Origin": "*", "Access-Control-Expose-Headers": "X-KG-Truncated, X-KG-Max-Rows"}


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"
    server_version = "kg-sparql"

    def setup(self) -> None:
        super().setup()
        self.connection.settimeout(self.server.limits.read_timeout)

    def log_message(self, format: str, *args: Any) -> None:  # quiet by default
        return

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        """Errors http.server raises itself (a bad request line, a header too long) also carry CORS."""
        self._text(code, message or self.responses.get(code, ("error",))[0])

    def _send(self, status: int, media: str, body: bytes, extra: dict[str, str] | None = None) -> None:
        try:
            self.send_response(status)
            self.send_header("Content-Type", media)
            self.send_header("Content-Length", str(len(body)))
            for k, v in {**_CORS, **(extra or {})}.items():
                self.send_header(k, v)
            if status >= 400:
                self.send_header("Connection", "close")
                self.close_connection = True
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(body)
        except (TimeoutError, BrokenPipeError, ConnectionResetError, OSError):
            self.close_connection = True

    def _text(self, status: int, message: str, extra: dict[str, str] | None = None) -> None:
        self._send(status, TEXT, (message + "\n").encode(), extra)

    def do_OPTIONS(self) -> None:  # CORS preflight
        self._send(204, "text/plain", b"", {"Access-Control-Allow-Methods": "GET, POST, OPTIONS",
                                            "Access-Control-Allow-Headers": "Content-Type, Accept"})

    def do_HEAD(self) -> None:
        self.do_GET()

    def _read_only(self) -> None:
        """PUT, DELETE and PATCH (the Graph Store Protocol's writes): refused, with the methods there are."""
        self._text(405, "this endpoint is read-only: use GET or POST to query", {"Allow": "GET, HEAD, POST, OPTIONS"})

    do_PUT = do_DELETE = do_PATCH = _read_only

    def do_GET(self) -> None:
        url = urllib.parse.urlsplit(self.path)
        if url.path in ("/", "/index.html", "/graph.html"):
            html = self.server.endpoint.live.build / "graph.html"
            if not html.is_file():
                self._text(404, "no graph.html in this build")
                return
            self._send(200, "text/html; charset=utf-8", served_page(html.read_bytes()))
            return
        if url.path != "/sparql":
            self._text(404, "not found: the SPARQL endpoint is /sparql, the explorer is /")
            return
        params = urllib.parse.parse_qs(url.query, keep_blank_values=True)
        if "update" in params:
            self._text(403, "this endpoint is read-only: updates are refused")
            return
        if "query" not in params:
            self._service_description()
            return
        self._dispatch(params, None)

    def do_POST(self) -> None:
        url = urllib.parse.urlsplit(self.path)
        if url.path != "/sparql":
            self._text(404, "not found: the SPARQL endpoint is /sparql")
            return
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            self._text(411, "send a Content-Length (chunked request bodies are not accepted)")
            return
        try:
            length = int(self.headers.get("Content-Length", "0"))
        except ValueError:
            self._text(400, "bad Content-Length")
            return
        if length > self.server.limits.max_body:
            self._text(413, f"request body too large ({length} bytes; the limit is {self.server.limits.max_body})")
            return
        ctype = self.headers.get("Content-Type", "").split(";")[0].strip().lower()
        if ctype == "application/sparql-update":
            self._text(403, "this endpoint is read-only: updates are refused")
            return
        try:
            body = self.rfile.read(length).decode("utf-8")
        except (TimeoutError, OSError):
            self.close_connection = True
            return
        except UnicodeDecodeError:
            self._text(400, "request body is not UTF-8")
            return
        params = urllib.parse.parse_qs(url.query, keep_blank_values=True)
        if ctype == "application/x-www-form-urlencoded":
            form = urllib.parse.parse_qs(body, keep_blank_values=True)
            if "update" in form or "update" in params:
                self._text(403, "this endpoint is read-only: updates are refused")
                return
            for k, v in form.items():
                params[k] = params.get(k, []) + v
            self._dispatch(params, None)
        elif ctype == "application/sparql-query":
            if "query" in params:
                self._text(400, "a query in the body and another in the URL (SPARQL 1.1 Protocol §2.1.3)")
                return
            self._dispatch(params, body)
        else:
            self._text(415, "POST application/sparql-query or application/x-www-form-urlencoded")

    def _dispatch(self, params: dict[str, list[str]], body_query: str | None) -> None:
        """Check a query request (Protocol §2.1) and run it."""
        queries = [body_query] if body_query is not None else params.get("query", [])
        if len(queries) != 1:
            self._text(400, f"{len(queries)} query parameters; give exactly one (SPARQL 1.1 Protocol §2.1)")
            return
        query = queries[0]
        if not query.strip():
            self._text(400, "missing query")
            return
        if query_form(query) == "UPDATE":
            self._text(400, "an update sent as a query: the query operation takes SELECT, ASK, CONSTRUCT or "
                            "DESCRIBE (this endpoint has no update operation)")
            return
        defaults, named = params.get("default-graph-uri"), params.get("named-graph-uri")
        for iri in (defaults or []) + (named or []):
            if not is_absolute_iri(iri):
                self._text(400, f"not an absolute IRI: {iri!r}")
                return
        formats = tuple(params.get("format", []) + params.get("output", []) + params.get("results", []))
        req = Request(query, self.headers.get("Accept", ""), formats,
                      tuple(defaults) if defaults is not None else None,
                      tuple(named) if named is not None else None)
        status, media, body, truncated = self.server.endpoint.run(req)
        extra = {"Vary": "Accept"}
        if truncated:
            extra.update({"X-KG-Truncated": "true", "X-KG-Max-Rows": str(self.server.limits.max_rows)})
        self._send(status, media, body, extra)

    def _service_description(self) -> None:
        """SPARQL 1.1 Service Description of this endpoint (Turtle unless Accept asks for another graph format)."""
        fmt = negotiate(self.headers.get("Accept", ""), "DESCRIBE") or "turtle"
        host = self.headers.get("Host") or "{}:{}".format(*self.server.server_address[:2])
        body, media = service_description(f"http://{host}/sparql", self.server.endpoint.live.graphs, fmt)
        self._send(200, media, body, {"Vary": "Accept"})


class Endpoint:
    """A running endpoint over an output folder: it answers from the build that was live when it opened
    it (pinned, so a rebuild cannot remove it), and switches to a newer build once that one's workers are
    ready; queries already running finish on the old one."""

    def __init__(self, folder: Path, host: str = "127.0.0.1", port: int = 7878, limits: Limits | None = None,
                 watch: float | None = 1.0) -> None:
        self.folder = folder
        self.limits = limits or Limits()
        self._reload_lock = threading.Lock()
        self.retiring: threading.Thread | None = None  # the old build's pool finishing its queries
        self.live = self._open()
        self.generation = 0
        self.switched = threading.Condition()
        self.httpd = _Server((host, port), self, self.limits)
        self._stop = threading.Event()
        self._watcher: threading.Thread | None = None
        if watch:
            self._watcher = threading.Thread(target=self._watch, args=(watch,), daemon=True)
            self._watcher.start()

    def _open(self) -> Live:
        for _ in range(10):  # a build may be swept between reading .kg/current and pinning it: read again
            build = BuiltGraph(self.folder).build_dir
            in_output_folder = build.parent.name == "builds" and build.parent.parent.name == ".kg"
            held = pin(build) if in_output_folder else None  # a folder of our own: nothing sweeps it
            if held is None and not (build / "graph.trig").is_file():
                continue
            graph = BuiltGraph(build)
            try:
                pool = QueryPool(graph.store_path(), str(graph.trig), self.limits, graph.base)
                try:
                    ask = QueryPool(graph.store_path(), str(graph.trig),
                                    dataclasses.replace(self.limits, workers=self.limits.ask_workers), graph.base)
                except BaseException:
                    pool.close()
                    raise
                return Live(build, pool, ask, held, graph.graph_names(), ResultCache(self.limits.cache_bytes))
            except BaseException:
                if held is not None:
                    held.release()
                raise
        raise KgError(f"the build in {self.folder} kept changing while it was opened")

    def run(self, req: Request) -> Answer:
        """Answer one query on the live build (on the next one if it switched while the query waited): from
        the build's cache, or in its ASK lane or its pool of workers."""
        ask = query_form(req.query) == "ASK"
        while True:
            live = self.live
            pool = live.ask if ask else live.pool
            result = live.cache.get((req, self.limits.max_rows), functools.partial(pool.run, req))
            if result is not None:
                return result

    def reload(self) -> bool:
        """Switch to the output folder's live build if it is newer than the one served; True if it was."""
        with self._reload_lock:
            try:
                current = BuiltGraph(self.folder).build_dir
            except KgError:
                return False
            if current == self.live.build:
                return False
            try:
                fresh = self._open()
            except (KgError, OSError):
                return False  # keep serving the build we have
            old, self.live = self.live, fresh
            self.retiring = threading.Thread(target=old.retire, daemon=True)
            self.retiring.start()
        with self.switched:
            self.generation += 1
            self.switched.notify_all()
        return True

    def _watch(self, interval: float) -> None:
        while not self._stop.wait(interval):
            with contextlib.suppress(Exception):
                self.reload()

    @property
    def url(self) -> str:
        """The endpoint's base URL."""
        host, port = self.httpd.server_address[:2]
        return f"http://{host.decode() if isinstance(host, bytes) else host}:{port}"

    def serve_forever(self) -> None:
        """Answer requests until stopped, then close."""
        try:
            self.httpd.serve_forever(poll_interval=0.2)
        finally:
            self.close()

    def close(self) -> None:
        """Stop watching, close the socket, stop the workers and release the pin."""
        self._stop.set()
        self.httpd.server_close()
        self.live.pool.close()
        self.live.ask.close()
        if self.live.pin is not None:
            self.live.pin.release()
