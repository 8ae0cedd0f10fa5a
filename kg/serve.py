"""A read-only SPARQL 1.1 Protocol endpoint over a built graph, plus the HTML explorer at `/`.

Queries run in worker processes that open the graph's store read-only. A query that runs past the time
limit is stopped by killing its worker (a fresh one takes its place), so the server itself never blocks
on a query. Answers stop at a row cap (header `X-KG-Truncated: true` when they do). Requests are bounded:
body size, header read time (slow clients), connections at once, and queries waiting for a worker.
Updates are refused with 403.
"""

from __future__ import annotations

import contextlib
import multiprocessing as mp
import queue
import signal
import threading
import urllib.parse
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from kg.errors import KgError, QueryError, QuerySyntaxError
from kg.sparql import GRAPH_FORMATS, RESULT_FORMATS, query_form, run_local, write_result

_MEDIA = {
    "application/sparql-results+json": "json", "application/json": "json",
    "application/sparql-results+xml": "xml", "application/xml": "xml", "text/xml": "xml",
    "text/csv": "csv", "text/tab-separated-values": "tsv",
    "text/turtle": "turtle", "application/x-turtle": "turtle", "application/n-triples": "nt", "text/plain": "nt",
    "application/ld+json": "jsonld", "application/rdf+xml": "rdfxml",
}


@dataclass
class Limits:
    """What one request may use."""

    timeout: float = 10.0  # seconds a query may run
    max_rows: int = 10_000  # rows (or triples) in one answer
    max_body: int = 1_000_000  # bytes of a request body
    max_connections: int = 64  # requests handled at once; more get 503
    read_timeout: float = 10.0  # seconds to send the request (slow clients)
    workers: int = 2


def negotiate(accept: str, form: str, explicit: str | None = None) -> str | None:
    """The format to answer in: an explicit `format` parameter, else the best Accept match, else the default."""
    allowed = set(GRAPH_FORMATS) if form in ("CONSTRUCT", "DESCRIBE") else set(RESULT_FORMATS)
    if explicit:
        return explicit if explicit in allowed else None
    best: tuple[float, int, str] | None = None
    for i, part in enumerate((accept or "*/*").split(",")):
        media, *params = [p.strip() for p in part.split(";")]
        q = 1.0
        for p in params:
            if p.startswith("q="):
                with contextlib.suppress(ValueError):
                    q = float(p[2:])
        media = media.lower()
        if media in ("*/*", "application/*", "text/*"):
            fmt = "turtle" if form in ("CONSTRUCT", "DESCRIBE") else "json"
        else:
            fmt = _MEDIA.get(media, "")
        if fmt in allowed and q > 0 and (best is None or (q, -i) > (best[0], best[1])):
            best = (q, -i, fmt)
    return best[2] if best else None


# ------------------------------------------------------------------ workers

def _worker(conn: Connection, store_path: str | None, trig: str) -> None:
    """Answer (query, accept, explicit, max_rows) requests on a read-only store until the pipe closes."""
    import pyoxigraph

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if store_path:
        store = pyoxigraph.Store.read_only(store_path)
    else:
        store = pyoxigraph.Store()
        store.bulk_load(path=trig, format=pyoxigraph.RdfFormat.TRIG)
    conn.send(("ready",))
    while True:
        try:
            query, accept, explicit, max_rows = conn.recv()
        except (EOFError, OSError):
            return
        try:
            form = query_form(query)
            fmt = negotiate(accept, form, explicit)
            if fmt is None:
                conn.send((406, "text/plain; charset=utf-8", b"no acceptable format for a " + form.encode() +
                           b" answer\n", False))
                continue
            result = run_local(store, query, max_rows)
            body, media = write_result(result, fmt)
            conn.send((200, media, body, result.truncated))
        except QuerySyntaxError as exc:
            conn.send((400, "text/plain; charset=utf-8", (str(exc) + "\n").encode(), False))
        except QueryError as exc:
            code = 403 if "read-only" in str(exc) else 400
            conn.send((code, "text/plain; charset=utf-8", (str(exc) + "\n").encode(), False))
        except Exception as exc:  # a failed query must not take the worker down
            conn.send((500, "text/plain; charset=utf-8", f"query failed: {exc}\n".encode(), False))


class _Worker:
    def __init__(self, ctx: Any, store_path: str | None, trig: str) -> None:
        self.conn, child = ctx.Pipe()
        self.proc = ctx.Process(target=_worker, args=(child, store_path, trig), daemon=True)
        self.proc.start()
        child.close()
        if not self.conn.poll(120) or self.conn.recv() != ("ready",):
            self.kill()
            raise KgError("a query worker failed to start")

    def kill(self) -> None:
        with contextlib.suppress(Exception):
            self.proc.kill()
            self.proc.join(5)
        with contextlib.suppress(Exception):
            self.conn.close()


class QueryPool:
    """Worker processes that run queries under a time limit."""

    def __init__(self, store_path: str | None, trig: str, limits: Limits) -> None:
        self.limits = limits
        self._ctx = mp.get_context("spawn")
        self._args = (store_path, trig)
        self._idle: queue.Queue[_Worker] = queue.Queue()
        self._all: list[_Worker] = []
        self._lock = threading.Lock()
        for _ in range(max(1, limits.workers)):
            w = _Worker(self._ctx, *self._args)
            self._all.append(w)
            self._idle.put(w)

    def run(self, query: str, accept: str, explicit: str | None) -> tuple[int, str, bytes, bool]:
        """(status, media type, body, truncated) of one query."""
        try:
            worker = self._idle.get(timeout=self.limits.timeout)
        except queue.Empty:
            return 503, "text/plain; charset=utf-8", b"all query workers are busy; try again\n", False
        try:
            worker.conn.send((query, accept, explicit, self.limits.max_rows))
            if worker.conn.poll(self.limits.timeout):
                answer = worker.conn.recv()
                self._idle.put(worker)
                return answer
        except (EOFError, OSError, BrokenPipeError):
            pass
        self._replace(worker)
        msg = f"query stopped: it ran longer than the {self.limits.timeout:g} s limit\n"
        return 503, "text/plain; charset=utf-8", msg.encode(), False

    def _replace(self, worker: _Worker) -> None:
        worker.kill()
        fresh = _Worker(self._ctx, *self._args)
        with self._lock:
            self._all = [w for w in self._all if w is not worker] + [fresh]
        self._idle.put(fresh)

    def close(self) -> None:
        for w in self._all:
            w.kill()


# ------------------------------------------------------------------ HTTP

class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128

    def __init__(self, addr: tuple[str, int], pool: QueryPool, html: Path | None, limits: Limits) -> None:
        super().__init__(addr, _Handler)
        self.pool = pool
        self.html = html
        self.limits = limits
        self.slots = threading.BoundedSemaphore(limits.max_connections)
        self.stats = {"requests": 0, "errors": 0}

    def process_request(self, request: Any, client_address: Any) -> None:
        if not self.slots.acquire(blocking=False):
            with contextlib.suppress(OSError):
                request.sendall(b"HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/plain\r\n"
                                b"Content-Length: 24\r\nConnection: close\r\n\r\ntoo many requests at once")
            self.shutdown_request(request)
            return
        super().process_request(request, client_address)

    def process_request_thread(self, request: Any, client_address: Any) -> None:
        try:
            super().process_request_thread(request, client_address)
        finally:
            self.slots.release()


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"
    server_version = "kg-sparql"

    def setup(self) -> None:
        super().setup()
        self.connection.settimeout(self.server.limits.read_timeout)

    def log_message(self, format: str, *args: Any) -> None:  # quiet by default
        return

    def _send(self, status: int, media: str, body: bytes, extra: dict[str, str] | None = None) -> None:
        self.server.stats["requests"] += 1
        if status >= 400:
            self.server.stats["errors"] += 1
        try:
            self.send_response(status)
            self.send_header("Content-Type", media)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Access-Control-Allow-Origin", "*")
            for k, v in (extra or {}).items():
                self.send_header(k, v)
            if status >= 400:
                self.send_header("Connection", "close")
                self.close_connection = True
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(body)
        except (TimeoutError, BrokenPipeError, ConnectionResetError, OSError):
            self.close_connection = True

    def _text(self, status: int, message: str) -> None:
        self._send(status, "text/plain; charset=utf-8", (message + "\n").encode())

    def do_OPTIONS(self) -> None:  # CORS preflight
        self._send(204, "text/plain", b"", {"Access-Control-Allow-Methods": "GET, POST, OPTIONS",
                                            "Access-Control-Allow-Headers": "Content-Type, Accept"})

    def do_HEAD(self) -> None:
        self.do_GET()

    def do_GET(self) -> None:
        url = urllib.parse.urlsplit(self.path)
        if url.path in ("/", "/index.html", "/graph.html"):
            if self.server.html is None or not self.server.html.is_file():
                self._text(404, "no graph.html in this build")
                return
            self._send(200, "text/html; charset=utf-8", self.server.html.read_bytes())
            return
        if url.path != "/sparql":
            self._text(404, "not found: the SPARQL endpoint is /sparql, the explorer is /")
            return
        params = urllib.parse.parse_qs(url.query, keep_blank_values=True)
        if "update" in params:
            self._text(403, "this endpoint is read-only: updates are refused")
            return
        if not params.get("query"):
            self._text(400, "missing query parameter (SPARQL 1.1 Protocol: /sparql?query=...)")
            return
        self._query(params["query"][0], (params.get("format") or [None])[0])

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
            params.update(urllib.parse.parse_qs(body, keep_blank_values=True))
            if "update" in params:
                self._text(403, "this endpoint is read-only: updates are refused")
                return
            query = (params.get("query") or [""])[0]
        elif ctype == "application/sparql-query":
            query = body
        else:
            self._text(415, "POST application/sparql-query or application/x-www-form-urlencoded")
            return
        if not query.strip():
            self._text(400, "missing query")
            return
        self._query(query, (params.get("format") or [None])[0])

    def _query(self, query: str, explicit: str | None) -> None:
        status, media, body, truncated = self.server.pool.run(query, self.headers.get("Accept", ""), explicit)
        extra = {"X-KG-Truncated": "true", "X-KG-Max-Rows": str(self.server.limits.max_rows)} if truncated else {}
        self._send(status, media, body, extra)


class Endpoint:
    """A running endpoint: start it, serve until stopped."""

    def __init__(self, store_path: str | None, trig: Path, html: Path | None, host: str = "127.0.0.1",
                 port: int = 7878, limits: Limits | None = None) -> None:
        self.limits = limits or Limits()
        self.pool = QueryPool(store_path, str(trig), self.limits)
        self.httpd = _Server((host, port), self.pool, html, self.limits)

    @property
    def url(self) -> str:
        host, port = self.httpd.server_address[:2]
        return f"http://{host}:{port}"

    def serve_forever(self) -> None:
        try:
            self.httpd.serve_forever(poll_interval=0.2)
        finally:
            self.close()

    def close(self) -> None:
        self.httpd.server_close()
        self.pool.close()
