"""Helpers shared by the benchmarks: cached corpora and peak-memory measurement."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
CORPORA = HERE / ".corpora"
# The corpus generator of ../shared/tools; bench/make_corpus.py is an unchanged copy for clones without it.
MAKE_CORPUS = next(p for p in (HERE.parent.parent / "shared" / "tools" / "make_corpus.py", HERE / "make_corpus.py")
                   if p.is_file())


def corpus(docs: int, faults: float = 0.0, seed: int = 7) -> tuple[Path, Path]:
    """A generated corpus of `docs` documents (and its truth file), made once and cached."""
    name = f"docs{docs}-f{faults}-s{seed}"
    folder, truth = CORPORA / name, CORPORA / f"{name}.truth.jsonl"
    done = CORPORA / f"{name}.done"
    if not done.exists():
        CORPORA.mkdir(parents=True, exist_ok=True)
        subprocess.run([sys.executable, str(MAKE_CORPUS), str(folder), "--docs", str(docs), "--seed", str(seed),
                        "--faults", str(faults), "--truth", str(truth)], check=True)
        done.touch()
    return folder, truth


def _status(field: str) -> int:
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith(field + ":"):
                return int(line.split()[1]) * 1024
    return 0


def reset_peak() -> None:
    """Reset this process's peak RSS (Linux: write 5 to clear_refs)."""
    with open("/proc/self/clear_refs", "w") as fh:
        fh.write("5")


@contextmanager
def measured(results: dict[str, Any], key: str) -> Iterator[None]:
    """Record wall seconds, RSS before and peak RSS during the block (MB) under results[key]."""
    reset_peak()
    before = _status("VmRSS")
    start = time.perf_counter()
    yield
    results[key] = {"seconds": round(time.perf_counter() - start, 3), "rss_before_mb": round(before / 2**20, 1),
                    "peak_rss_mb": round(_status("VmHWM") / 2**20, 1)}


def timed(func: Callable[[], Any]) -> tuple[Any, float]:
    start = time.perf_counter()
    value = func()
    return value, time.perf_counter() - start


def built_graph(docs: int) -> Path:
    """The graph of the cached corpus of `docs` documents, built (or brought up to date) with `kg build`."""
    folder, _ = corpus(docs)
    out = HERE / "results" / f"graph-{docs}"
    subprocess.run([sys.executable, "-m", "kg", "build", str(folder), "--out", str(out), "-q"], check=True,
                   cwd=HERE.parent, stdout=subprocess.DEVNULL)
    return out


def indexed_graph(docs: int) -> Path:
    """built_graph(docs) with its query store indexed (by a `kg query`), so no clock counts the indexing."""
    out = built_graph(docs)
    subprocess.run([sys.executable, "-m", "kg", "query", "--graph", str(out), "ASK {}"], check=True,
                   capture_output=True, cwd=HERE.parent)
    return out


def tree_rss(pid: int) -> int:
    """Summed RSS (bytes) of a process and its children."""
    total = 0
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as fh:
                ppid = int(fh.read().rsplit(")", 1)[1].split()[1])
            if int(entry) != pid and ppid != pid:
                continue
            with open(f"/proc/{entry}/status") as fh:
                total += next(int(ln.split()[1]) for ln in fh if ln.startswith("VmRSS:")) * 1024
        except (OSError, ValueError, StopIteration):
            pass
    return total
