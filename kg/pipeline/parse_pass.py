"""Pass 1: find, read and parse every document, reusing the build cache; only summaries stay in memory."""

from __future__ import annotations

import hashlib
import os
import pickle
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kg.cache import Cache, code_version, key_of
from kg.model import DocSummary, Document, Skipped
from kg.parse import PARSER_VERSION, parse_bytes
from kg.pipeline.workers import Progress, run
from kg.sources import Source, find_sources

__all__ = ["Parsed", "doc_key", "parse_all", "read_documents", "read_file"]

PARSE_CODE = ("kg.parse", "kg.tables", "kg.textio", "kg.model", "kg.formats")


def read_file(path: Path, attempts: int = 3) -> tuple[bytes, os.stat_result]:
    """A file's bytes and its stat, read again if it changed while being read."""
    for _ in range(attempts):
        before = os.stat(path)
        with open(path, "rb") as fh:
            data = fh.read()
        after = os.stat(path)
        if before.st_size == after.st_size == len(data) and before.st_mtime_ns == after.st_mtime_ns:
            return data, after
    raise OSError(f"the file kept changing while it was read ({attempts} attempts)")


def doc_key(sha: str, doc_id: str, rel: str) -> str:
    """Cache key of a parsed document: its bytes, id and path, and the parser's code."""
    return key_of(sha, doc_id, rel, PARSER_VERSION, code_version(*PARSE_CODE))


ParseResult = tuple[str, str, Any, tuple[int, int, str] | None, bytes | None]


def parse_task(cache: Cache, task: tuple[str, str, str]) -> ParseResult:
    """(path, rel, doc id) -> (rel, key, DocSummary or Skipped, (size, mtime_ns, sha), the pickled parse result
    when it is new; the main process stores it)."""
    path, rel, doc_id = task
    try:
        data, st = read_file(Path(path))
    except OSError as exc:
        return rel, "", Skipped(rel, f"unreadable: {getattr(exc, 'strerror', None) or exc}"), None, None
    sha = hashlib.sha256(data).hexdigest()
    key = doc_key(sha, doc_id, rel)
    result = cache.get("docs", key)
    new = None
    if result is None:
        result = parse_bytes(data, doc_id, rel)
        new = pickle.dumps(result, protocol=pickle.HIGHEST_PROTOCOL)
    stat = (st.st_size, st.st_mtime_ns, sha)
    if isinstance(result, Skipped):
        return rel, key, result, stat, new
    return rel, key, DocSummary.of(result, key), stat, new


class _Worker:
    """The state of a parse worker process: its own reader of the build cache."""

    cache: Cache | None = None


def _init_worker(cache: Cache) -> None:
    _Worker.cache = cache  # inherited by fork; the cache opens its own connection in this process


def _parse_in_worker(task: tuple[str, str, str]) -> ParseResult:
    assert _Worker.cache is not None, "parse worker started without its initializer"
    return parse_task(_Worker.cache, task)


@dataclass
class Parsed:
    """What pass 1 found: a summary per document built, the files skipped, the cache entries used."""

    summaries: list[DocSummary] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    doc_keys: set[str] = field(default_factory=set)
    parsed: int = 0  # documents parsed in this build (the rest came from the cache)


def _cached(cache: Cache, src: Source, known: tuple[int, int, str] | None,
            summaries: dict[str, DocSummary]) -> tuple[str, DocSummary | Document | Skipped] | None:
    """The cached summary of a file whose size and mtime are unchanged, with its key; None to parse it."""
    if not known:
        return None
    try:
        st = os.stat(src.path)
    except OSError:
        return None
    if (st.st_size, st.st_mtime_ns) != known[:2]:
        return None
    key = doc_key(known[2], src.doc_id, src.rel)
    hit: DocSummary | Document | Skipped | None = summaries.get(key)
    if hit is None or not cache.has("docs", key):
        hit = cache.get("docs", key)
    return (key, hit) if hit is not None else None


def parse_all(sources: list[Path], cache: Cache, workers: int, progress: Progress | None,
              outputs: Sequence[Path] = ()) -> Parsed:
    """Find the documents under `sources` (the `outputs` folders left out) and parse those the cache does not
    know (in worker processes)."""
    found, skipped = find_sources(sources, outputs)
    out = Parsed(skipped=skipped)
    index = cache.load_index()
    known_summaries = cache.load_summaries()
    new_index: dict[str, tuple[int, int, str]] = {}
    pending: list[tuple[str, str, str]] = []
    for src in found:
        hit = _cached(cache, src, index.get(src.rel), known_summaries)
        if hit is None:
            pending.append((str(src.path), src.rel, src.doc_id))
            continue
        key, doc = hit
        new_index[src.rel] = index[src.rel]
        out.doc_keys.add(key)
        if isinstance(doc, Skipped):
            out.skipped.append(doc)
        else:
            out.summaries.append(doc if isinstance(doc, DocSummary) else DocSummary.of(doc, key))
    fresh: list[tuple[str, bytes]] = []
    for rel, key, result, stat, new in run(_parse_in_worker, pending, workers, progress, "parse",
                                           local=lambda t: parse_task(cache, t), initializer=_init_worker,
                                           initargs=(cache,)):
        out.parsed += 1
        if stat:
            new_index[rel] = stat
            out.doc_keys.add(key)
        if new is not None:
            fresh.append((key, new))
            if len(fresh) >= 500:
                cache.put_many("docs", fresh)
                fresh = []
        (out.skipped if isinstance(result, Skipped) else out.summaries).append(result)
    cache.put_many("docs", fresh)
    out.summaries.sort(key=lambda s: s.path)
    out.skipped.sort(key=lambda s: s.path)
    cache.save_index(new_index)
    return out


def read_documents(paths: list[Path], progress: Progress | None = None) -> tuple[list[Document], list[Skipped], int]:
    """Find and parse every source document, uncached (for tools that need whole Documents)."""
    sources, skipped = find_sources(paths)
    docs: list[Document] = []
    for i, src in enumerate(sources):
        try:
            data, _ = read_file(src.path)
        except OSError as exc:
            skipped.append(Skipped(src.rel, f"unreadable: {getattr(exc, 'strerror', None) or exc}"))
            continue
        result = parse_bytes(data, src.doc_id, src.rel)
        if isinstance(result, Skipped):
            skipped.append(result)
        else:
            docs.append(result)
        if progress:
            progress("parse", i + 1, len(sources))
    skipped.sort(key=lambda s: s.path)
    return docs, skipped, len(docs) + len(skipped)
