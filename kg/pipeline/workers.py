"""Running a pass over many tasks: in worker processes (fork) when there is enough work, else here."""

from __future__ import annotations

import multiprocessing as mp
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from typing import Any

__all__ = ["PARALLEL_MIN", "Progress", "run"]

Progress = Callable[[str, int, int], None]
PARALLEL_MIN = 64  # fewer tasks than this are run in this process


def run(func: Callable[[Any], Any], tasks: list[Any], workers: int, progress: Progress | None, stage: str,
        local: Callable[[Any], Any] | None = None, initializer: Callable[..., None] | None = None,
        initargs: tuple[Any, ...] = (), size: Callable[[Any], int] | None = None) -> Iterator[Any]:
    """Results of func over tasks, in order. In worker processes each worker's state is set once by
    `initializer(*initargs)`; in this process `local` (func with that state bound) runs instead. Progress
    counts tasks, or what `size` says each task holds (documents)."""
    sizes = [size(t) for t in tasks] if size else [1] * len(tasks)
    total, done = sum(sizes), 0
    if workers <= 1 or len(tasks) < PARALLEL_MIN:
        here = local or func
        for t, n in zip(tasks, sizes, strict=True):
            result = here(t)
            done += n
            if progress:
                progress(stage, done, total)
            yield result
        return
    ctx = mp.get_context("fork")
    chunk = max(1, min(64, len(tasks) // (workers * 8)))
    with ProcessPoolExecutor(max_workers=workers, mp_context=ctx, initializer=initializer,
                             initargs=initargs) as pool:
        for i, (result, n) in enumerate(zip(pool.map(func, tasks, chunksize=chunk), sizes, strict=True), 1):
            done += n
            if progress and (i % 50 == 0 or i == len(tasks)):
                progress(stage, done, total)
            yield result
