"""The build cache: parsed documents and emitted RDF blocks, keyed by content, reused by later builds.

One SQLite database, OUT/.kg/cache/v<N>/cache.sqlite (WAL mode, so worker processes read while the build
writes; 64 KiB pages, since most values are blobs of several KiB; no fsync, since a cache lost in a power
cut is only a slower next build: a database that will not open is deleted and started afresh), with tables
    docs(key, value)               a parsed Document (or Skipped) per (content hash, document id, path, code)
    emit(key, compact, view, trig) a document's TriG block (its Turtle block is the same lines, unindented),
                                   what the rest of the build needs from it (links, outlooks, texts,
                                   problems, counts) and what the explorer shows of it (summary, sources)
    analytics(key, value)          metrics and clusters of a graph
    meta(name, value)              path -> (size, mtime_ns, sha256) of every file, and document summaries
Only the build's main process writes; worker processes read. Entries the last build did not use are deleted
after it, so the cache tracks the corpus. (One database rather than a file per document: on this kind of
machine each small file costs about a millisecond to create.)
"""

from __future__ import annotations

import functools
import hashlib
import importlib.util
import os
import pickle
import sqlite3
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import orjson

__all__ = ["CACHE_VERSION", "Cache", "code_version", "data_key", "key_of"]

CACHE_VERSION = "7"
_TABLES = {"docs": ("value",), "emit": ("compact", "view", "trig"), "analytics": ("value",)}


@functools.cache
def code_version(*modules: str) -> str:
    """A hash of the source of some kg modules, so cached results are not reused after the code changes."""
    h = hashlib.sha256()
    for name in modules:
        spec = importlib.util.find_spec(name)
        if spec and spec.origin:
            h.update(Path(spec.origin).read_bytes())
    return h.hexdigest()[:16]


def key_of(*parts: object) -> str:
    """A stable hex key of some values."""
    h = hashlib.sha256()
    for p in parts:
        h.update(repr(p).encode("utf-8"))
        h.update(b"\0")
    return h.hexdigest()[:40]


def data_key(*parts: object) -> str:
    """A stable hex key of JSON-like values (str, int, float, bool, None, lists and tuples of them, dicts with
    str keys), hashed as their JSON text: four times as fast as key_of for a corpus's links."""
    return hashlib.sha256(orjson.dumps(parts)).hexdigest()[:40]


def _dumps(value: Any) -> bytes:
    return pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)


def _loads(data: bytes | None) -> Any:
    if data is None:
        return None
    try:
        return pickle.loads(data)
    except (pickle.UnpicklingError, EOFError, AttributeError, ValueError, ImportError, IndexError):
        return None


def _parts(keys: Iterable[str], chunk: int) -> Iterator[list[str]]:
    """The keys in lists of `chunk`, in order."""
    keys = list(keys)
    for start in range(0, len(keys), chunk):
        yield keys[start:start + chunk]


def _column(kind: str, column: str | None) -> str:
    """The column asked for (default: the kind's first), checked against the kind's table."""
    column = column or _TABLES[kind][0]
    if column not in _TABLES[kind]:
        raise ValueError(f"{kind} entries have no {column!r}")
    return column


def _open(path: Path) -> sqlite3.Connection:
    """A connection to the cache database at `path`, its tables created if new."""
    conn = sqlite3.connect(path, timeout=60, isolation_level=None)
    try:
        conn.execute("PRAGMA page_size=65536")  # takes effect only while the database is empty
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=OFF")
        for table, cols in _TABLES.items():
            conn.execute(f"CREATE TABLE IF NOT EXISTS {table} (key TEXT PRIMARY KEY, "
                         + ", ".join(f"{c} BLOB" for c in cols) + ")")
        conn.execute("CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value BLOB)")
    except sqlite3.DatabaseError:
        conn.close()
        raise
    return conn


class Cache:
    """Content-keyed cache of parse, emit and analytics results (see the module doc)."""

    def __init__(self, root: Path | None) -> None:
        self.root = root / f"v{CACHE_VERSION}" if root else None
        self.used: set[tuple[str, str]] = set()
        self._conn: sqlite3.Connection | None = None
        self._pid = 0

    @property
    def db(self) -> sqlite3.Connection:
        """This process's connection (a forked worker opens its own)."""
        if self._conn is None or self._pid != os.getpid():
            assert self.root is not None
            self.root.mkdir(parents=True, exist_ok=True)
            path = self.root / "cache.sqlite"
            try:
                conn = _open(path)
            except sqlite3.DatabaseError:  # not a database, or damaged: a cache can start again
                for stale in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
                    stale.unlink(missing_ok=True)
                conn = _open(path)
            self._conn, self._pid = conn, os.getpid()
        return self._conn

    def close(self) -> None:
        """Close this process's connection."""
        if self._conn is not None and self._pid == os.getpid():
            self._conn.close()
        self._conn = None

    # -- meta: file index and summaries of the last build

    def _meta(self, name: str) -> Any:
        if not self.root:
            return None
        try:
            row = self.db.execute("SELECT value FROM meta WHERE name = ?", (name,)).fetchone()
        except sqlite3.DatabaseError:
            return None
        return _loads(row[0]) if row else None

    def _set_meta(self, name: str, value: Any) -> None:
        if self.root:
            self.db.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (name, _dumps(value)))

    def load_index(self) -> dict[str, tuple[int, int, str]]:
        """The last build's file index: path -> (size, mtime_ns, sha256)."""
        data = self._meta("index")
        return data if isinstance(data, dict) else {}

    def save_index(self, index: dict[str, tuple[int, int, str]]) -> None:
        """Store the file index for the next build."""
        self._set_meta("index", index)

    def load_summaries(self) -> dict[str, Any]:
        """The last build's document summaries by cache key."""
        data = self._meta("summaries")
        return data if isinstance(data, dict) else {}

    def save_summaries(self, summaries: dict[str, Any]) -> None:
        """Store the document summaries for the next build."""
        self._set_meta("summaries", summaries)

    # -- entries

    def get(self, kind: str, key: str, column: str | None = None) -> Any:
        """A cached object (of the kind's first column, or of `column`), or None (a missing or unreadable entry
        is a miss)."""
        if not self.root:
            return None
        column = _column(kind, column)
        try:
            row = self.db.execute(f"SELECT {column} FROM {kind} WHERE key = ?", (key,)).fetchone()
        except sqlite3.DatabaseError:
            return None
        value = _loads(row[0]) if row else None
        if value is not None:
            self.used.add((kind, key))
        return value

    def get_many(self, kind: str, keys: Iterable[str], column: str | None = None,
                 chunk: int = 500) -> Iterator[tuple[str, Any]]:
        """(key, cached object or None) for each key, in the order given, read `chunk` keys per query."""
        column = _column(kind, column)
        for part in _parts(keys, chunk):
            rows: dict[str, Any] = {}
            if self.root:
                try:
                    rows = self._rows(kind, column, part)
                except sqlite3.DatabaseError:
                    rows = {}
            for k in part:
                value = _loads(rows.get(k))
                if value is not None:
                    self.used.add((kind, k))
                yield k, value

    def _rows(self, kind: str, column: str, keys: list[str]) -> dict[str, Any]:
        """Key -> stored value of a column, for those of the keys that are cached (one query)."""
        unique = list(dict.fromkeys(keys))
        marks = ", ".join("?" for _ in unique)
        return dict(self.db.execute(f"SELECT key, {column} FROM {kind} WHERE key IN ({marks})", unique))

    def has(self, kind: str, key: str) -> bool:
        """Whether an entry is cached."""
        if not self.root:
            return False
        try:
            return self.db.execute(f"SELECT 1 FROM {kind} WHERE key = ?", (key,)).fetchone() is not None
        except sqlite3.DatabaseError:
            return False

    def put(self, kind: str, key: str, value: Any, *blocks: bytes) -> None:
        """Store an object (and, for emissions, its TriG block)."""
        self.put_many(kind, [(key, _dumps(value), *blocks)])

    def put_many(self, kind: str, rows: Iterable[tuple[Any, ...]]) -> None:
        """Store rows (key, pickled value, blocks...) in one transaction."""
        if not self.root:
            return
        rows = list(rows)
        if not rows:
            return
        marks = ", ".join("?" for _ in range(1 + len(_TABLES[kind])))
        db = self.db
        db.execute("BEGIN")
        db.executemany(f"INSERT OR REPLACE INTO {kind} VALUES ({marks})", rows)
        db.execute("COMMIT")
        self.used.update((kind, r[0]) for r in rows)

    def blocks(self, kind: str, keys: Iterable[str], chunk: int = 500) -> Iterator[bytes]:
        """The TriG block of each cached emission, in the order given, read `chunk` keys per query; KeyError
        for a key not in the cache."""
        for part in _parts(keys, chunk):
            rows = self._rows(kind, "trig", part)
            for k in part:
                if k not in rows:
                    raise KeyError(f"{kind} {k} is not in the build cache")
                yield bytes(rows[k])

    def mark(self, kind: str, key: str) -> None:
        """Keep an entry at the next prune()."""
        self.used.add((kind, key))

    def mark_many(self, kind: str, keys: Iterable[str]) -> None:
        """Keep these entries at the next prune()."""
        self.used.update((kind, k) for k in keys)

    def prune(self) -> None:
        """Delete entries the last build did not use."""
        if not self.root:
            return
        db = self.db
        db.execute("BEGIN")
        db.execute("CREATE TEMP TABLE IF NOT EXISTS used (kind TEXT, key TEXT)")
        db.execute("DELETE FROM used")
        db.executemany("INSERT INTO used VALUES (?, ?)", sorted(self.used))
        for table in _TABLES:
            db.execute(f"DELETE FROM {table} WHERE key NOT IN (SELECT key FROM used WHERE kind = ?)", (table,))
        db.execute("COMMIT")
        for old in self.root.parent.iterdir():
            if old.is_dir() and old.name.startswith("v") and old != self.root:
                import shutil

                shutil.rmtree(old, ignore_errors=True)
