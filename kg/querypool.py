"""Worker processes that run SPARQL queries on one build's store under a time limit; a worker that runs past
the limit is killed and replaced, so the server itself never blocks on a query."""

from __future__ import annotations

import contextlib
import multiprocessing as mp
import queue
import signal
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

import pyoxigraph

from kg.errors import KgError
from kg.protocol import TEXT, Request, answer
from kg.store import load_graph
from kg.vocab import DEFAULT_BASE

__all__ = ["Answer", "Limits", "QueryPool", "ResultCache"]

Answer = tuple[int, str, bytes, bool]  # status, media type, body, truncated

@dataclass
class Limits:
    """What one request may use."""

    timeout: float = 10.0  # seconds a query may run
    max_rows: int = 10_000  # rows (or triples) in one answer
    max_body: int = 1_000_000  # bytes of a request body
    max_connections: int = 64  # requests handled at once; more get 503
    read_timeout: float = 10.0  # seconds to send the request (slow clients)
    workers: int = 2
    ask_workers: int = 1  # a lane of its own for ASK queries, so a cheap ASK never waits behind a slow query
    cache_bytes: int = 256 * 2**20  # answers kept per build (0: none)


# Media types a client may ask for, per kind of answer, and the short `format` values clients send.

def _worker(conn: Connection, store_path: str | None, trig: str, base: str) -> None:
    """Answer (Request, max_rows) messages on a read-only store until the pipe closes."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        if store_path:
            store = pyoxigraph.Store.read_only(store_path)
        else:
            store = pyoxigraph.Store()
            load_graph(store, Path(trig))
    except (OSError, ValueError) as exc:
        with contextlib.suppress(OSError):
            conn.send(("failed", str(exc)))
        return
    conn.send(("ready",))
    while True:
        try:
            req, max_rows = conn.recv()
        except (EOFError, OSError):
            return
        conn.send(answer(store, req, max_rows, base))


class _Worker:
    def __init__(self, ctx: Any, store_path: str | None, trig: str, base: str) -> None:
        self.conn, child = ctx.Pipe()
        self.proc = ctx.Process(target=_worker, args=(child, store_path, trig, base), daemon=True)
        self.proc.start()
        child.close()
        try:
            ready = self.conn.poll(120) and self.conn.recv() == ("ready",)
        except (EOFError, OSError):
            ready = False
        if not ready:
            self.kill()
            raise KgError(f"a query worker failed to open {store_path or trig}")

    def kill(self) -> None:
        """Stop the worker process and close its pipe."""
        with contextlib.suppress(Exception):
            self.proc.kill()
            self.proc.join(5)
        with contextlib.suppress(Exception):
            self.conn.close()


class ResultCache:
    """Answers of one build, by request. A build's graph never changes, so an answer stays right for as long
    as the build is served; a new build gets a new cache. Bounded in bytes (the least recently used answer
    goes first). Identical requests that arrive while one runs wait for it instead of running again. Only
    answers that depend on the query alone are kept (200, 400, 406), never a time-out or a busy worker."""

    KEEP = frozenset({200, 400, 406})

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self.size = 0
        self.hits = self.misses = 0
        self._answers: OrderedDict[Any, Answer] = OrderedDict()
        self._running: dict[Any, threading.Event] = {}
        self._lock = threading.Lock()

    def get(self, key: Any, run: Callable[[], Answer | None]) -> Answer | None:
        """The kept answer to a request, or run's (kept if it may be)."""
        if self.max_bytes <= 0:
            return run()
        with self._lock:
            found = self._hit(key)
            if found is not None:
                return found
            running = self._running.get(key)
            if running is None:
                self._running[key] = threading.Event()
        if running is not None:  # the same request is running: wait for its answer
            running.wait()
            with self._lock:
                found = self._hit(key)
            if found is not None:
                return found
            return run()  # its answer was not one to keep
        answer: Answer | None = None
        try:
            answer = run()
        finally:
            with self._lock:
                self.misses += 1
                if answer is not None and answer[0] in self.KEEP and len(answer[2]) <= self.max_bytes:
                    self._answers[key] = answer
                    self.size += len(answer[2])
                    while self.size > self.max_bytes:
                        _, old = self._answers.popitem(last=False)
                        self.size -= len(old[2])
                self._running.pop(key).set()
        return answer

    def _hit(self, key: Any) -> Answer | None:
        found = self._answers.get(key)
        if found is not None:
            self._answers.move_to_end(key)
            self.hits += 1
        return found


class QueryPool:
    """Worker processes that run queries on one build under a time limit. A worker that runs past the limit
    is killed and replaced; one that cannot be replaced now is started again on a later request."""

    def __init__(self, store_path: str | None, trig: str, limits: Limits, base: str = DEFAULT_BASE) -> None:
        self.limits = limits
        self._ctx = mp.get_context("spawn")
        self._args = (store_path, trig, base)
        self._idle: queue.Queue[_Worker] = queue.Queue()
        self._all: list[_Worker] = []
        self._lock = threading.Lock()
        self.retired = False
        for _ in range(max(1, limits.workers)):
            self._start_one()

    def idle(self) -> int:
        """How many workers wait for a query now."""
        return self._idle.qsize()

    def _start_one(self) -> bool:
        try:
            w = _Worker(self._ctx, *self._args)
        except KgError:
            return False
        with self._lock:
            self._all.append(w)
        self._idle.put(w)
        return True

    def run(self, req: Request) -> tuple[int, str, bytes, bool] | None:
        """(status, media type, body, truncated) of one query; None if the pool was retired meanwhile."""
        with self._lock:
            missing = max(1, self.limits.workers) - len(self._all)
        if missing > 0 and not self.retired and self._idle.empty():
            self._start_one()
        try:
            worker = self._idle.get(timeout=self.limits.timeout)
        except queue.Empty:
            if self.retired:
                return None
            return 503, TEXT, b"all query workers are busy; try again\n", False
        try:
            worker.conn.send((req, self.limits.max_rows))
            if worker.conn.poll(self.limits.timeout):
                result: tuple[int, str, bytes, bool] = worker.conn.recv()
                self._idle.put(worker)
                return result
            msg = f"query stopped: it ran longer than the {self.limits.timeout:g} s limit\n"
        except (EOFError, OSError):
            msg = "the query worker died; try again\n"
        self._drop(worker)
        if not self.retired:
            self._start_one()
        return 503, TEXT, msg.encode(), False

    def _drop(self, worker: _Worker) -> None:
        worker.kill()
        with self._lock:
            self._all = [w for w in self._all if w is not worker]

    def retire(self) -> None:
        """Stop taking new queries, let running ones finish (up to the time limit), then stop the workers."""
        self.retired = True
        deadline = time.monotonic() + self.limits.timeout + 1
        while True:
            with self._lock:
                left = len(self._all)
            if not left:
                return
            try:
                w = self._idle.get(timeout=max(0.0, deadline - time.monotonic()))
            except queue.Empty:
                break
            self._drop(w)
        self.close()

    def close(self) -> None:
        """Stop every worker."""
        with self._lock:
            workers, self._all = self._all, []
        for w in workers:
            w.kill()

