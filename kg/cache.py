"""The build cache: parsed documents and emitted RDF blocks, keyed by content, reused by later builds.

Layout under OUT/.kg/cache/v<N>/:
    index.pkl            path -> (size, mtime_ns, sha256): files whose size and mtime did not change are
                         not read again to learn their hash
    docs/ab/<key>.pkl    a parsed Document (or Skipped) per (content hash, document id, path)
    emit/ab/<key>.ttl    a document's Turtle block; .trig its TriG block; .pkl what the rest of the build
                         needs from it (links, sources, texts, problems, counts)
Entries not used by the last build are removed after it, so the cache tracks the corpus.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import importlib.util
import os
import pickle
import shutil
from pathlib import Path
from typing import Any

CACHE_VERSION = "3"


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


def _atomic_write(path: Path, data: bytes) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    with open(tmp, "wb") as fh:
        fh.write(data)
    os.replace(tmp, path)


class Cache:
    """Content-keyed cache of parse and emit results (see the module doc)."""

    def __init__(self, root: Path | None) -> None:
        self.root = root / f"v{CACHE_VERSION}" if root else None
        self.used: set[str] = set()

    @property
    def enabled(self) -> bool:
        return self.root is not None

    def _path(self, kind: str, key: str, ext: str) -> Path:
        assert self.root is not None
        folder = self.root / kind / key[:2]
        return folder / f"{key}{ext}"

    def load_index(self) -> dict[str, tuple[int, int, str]]:
        if not self.root:
            return {}
        try:
            with open(self.root / "index.pkl", "rb") as fh:
                data = pickle.load(fh)
            return data if isinstance(data, dict) else {}
        except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ValueError):
            return {}

    def save_index(self, index: dict[str, tuple[int, int, str]]) -> None:
        if self.root:
            self.root.mkdir(parents=True, exist_ok=True)
            _atomic_write(self.root / "index.pkl", pickle.dumps(index, protocol=pickle.HIGHEST_PROTOCOL))

    def load_summaries(self) -> dict[str, Any]:
        """Document summaries of the last build, by document key."""
        if not self.root:
            return {}
        try:
            with open(self.root / "summaries.pkl", "rb") as fh:
                data = pickle.load(fh)
            return data if isinstance(data, dict) else {}
        except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ValueError, ImportError):
            return {}

    def save_summaries(self, summaries: dict[str, Any]) -> None:
        if self.root:
            self.root.mkdir(parents=True, exist_ok=True)
            _atomic_write(self.root / "summaries.pkl", pickle.dumps(summaries, protocol=pickle.HIGHEST_PROTOCOL))

    def has(self, kind: str, key: str, *exts: str) -> bool:
        """Whether an entry and its byte blocks are all present."""
        return bool(self.root) and all(self._path(kind, key, ext).is_file() for ext in (".pkl", *exts))

    def get(self, kind: str, key: str) -> Any:
        """A cached object, or None (missing or unreadable entries are a miss)."""
        if not self.root:
            return None
        try:
            with open(self._path(kind, key, ".pkl"), "rb") as fh:
                value = pickle.load(fh)
        except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ValueError, ImportError):
            return None
        self.used.add(f"{kind}/{key}")
        return value

    def put(self, kind: str, key: str, value: Any, blocks: dict[str, bytes] | None = None) -> None:
        """Store an object (and byte blocks next to it, as <key><ext>); blocks first, so a hit finds them."""
        if not self.root:
            return
        path = self._path(kind, key, ".pkl")
        path.parent.mkdir(parents=True, exist_ok=True)
        for ext, data in (blocks or {}).items():
            _atomic_write(self._path(kind, key, ext), data)
        _atomic_write(path, pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL))
        self.used.add(f"{kind}/{key}")

    def block(self, kind: str, key: str, ext: str) -> Path:
        return self._path(kind, key, ext)

    def mark(self, kind: str, key: str) -> None:
        self.used.add(f"{kind}/{key}")

    def prune(self) -> None:
        """Remove entries the last build did not use."""
        if not self.root:
            return
        for kind in ("docs", "emit", "analytics"):
            top = self.root / kind
            if not top.is_dir():
                continue
            for sub in top.iterdir():
                for f in sub.iterdir():
                    key = f.name.split(".", 1)[0]
                    if f.name.startswith(".") or f"{kind}/{key}" not in self.used:
                        with contextlib.suppress(OSError):
                            f.unlink()
        parent = self.root.parent
        for old in parent.iterdir() if parent.is_dir() else []:
            if old.is_dir() and old.name.startswith("v") and old != self.root:
                shutil.rmtree(old, ignore_errors=True)
