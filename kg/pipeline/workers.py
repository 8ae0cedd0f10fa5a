"""Running a pass over many tasks in worker processes (fork) when there is enough work, else here; and one
function in a forked process beside this one (Child), so that the corpus-level stages use both cores."""

from __future__ import annotations

import gc
import multiprocessing as mp
import pickle
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from typing import Any, Generic, TypeVar

__all__ = ["BUILD_GC_THRESHOLDS", "PARALLEL_MIN", "Child", "Progress", "fewer_collections", "parallel", "run"]

T = TypeVar("T")

Progress = Callable[[str, int, int], None]
PARALLEL_MIN = 64  # fewer tasks than this are run in this process
# A build makes millions of objects that live until it ends; at CPython's default thresholds (700, 10, 10) the
# collector runs every 700 allocations and often walks them all again (at 10,000 documents about a sixth of
# the build's time). Cycles are still collected, 140 times less often in the youngest generation.
BUILD_GC_THRESHOLDS = (100_000, 50, 1000)


@contextmanager
def fewer_collections(thresholds: tuple[int, int, int] = BUILD_GC_THRESHOLDS) -> Iterator[None]:
    """Run the block (and the processes it forks) with these garbage collector thresholds; restored after."""
    before = gc.get_threshold()
    gc.set_threshold(*thresholds)
    try:
        yield
    finally:
        gc.set_threshold(*before)


def parallel(workers: int, tasks: int) -> bool:
    """Whether this much work goes to other processes (else it runs in this one)."""
    return workers > 1 and tasks >= PARALLEL_MIN


def run(func: Callable[[Any], Any], tasks: list[Any], workers: int, progress: Progress | None, stage: str,
        local: Callable[[Any], Any] | None = None, initializer: Callable[..., None] | None = None,
        initargs: tuple[Any, ...] = (), size: Callable[[Any], int] | None = None) -> Iterator[Any]:
    """Results of func over tasks, in order. In worker processes each worker's state is set once by
    `initializer(*initargs)`; in this process `local` (func with that state bound) runs instead. Progress
    counts tasks, or what `size` says each task holds (documents)."""
    sizes = [size(t) for t in tasks] if size else [1] * len(tasks)
    total, done = sum(sizes), 0
    if not parallel(workers, len(tasks)):
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


class Child(Generic[T]):
    """`func()` run in a forked process (it sees this process's memory as it was at the fork) while this one
    goes on; result() waits for its value, or raises its error. With `inline`, func runs here, in result()."""

    def __init__(self, func: Callable[[], T], inline: bool = False) -> None:
        self.func = func
        self.proc: Any = None
        if inline:
            return
        ctx = mp.get_context("fork")
        self.recv, send = ctx.Pipe(duplex=False)
        self.proc = ctx.Process(target=_child_main, args=(func, send), daemon=True)
        self.proc.start()
        send.close()  # the child holds the other end: its exit without an answer is an EOF here

    def result(self) -> T:
        """The value func returned (in the child: sent back pickled)."""
        if self.proc is None:
            return self.func()
        try:
            data = self.recv.recv_bytes()
        except EOFError:
            raise RuntimeError("a build worker process ended without an answer") from None
        finally:
            self.recv.close()
            self.proc.join()
        ok, value = pickle.loads(data)
        if not ok:
            raise value
        return value


def _child_main(func: Callable[[], Any], send: Any) -> None:
    try:
        data = pickle.dumps((True, func()), protocol=pickle.HIGHEST_PROTOCOL)
    except BaseException as exc:  # sent back whole when it pickles, else as its text
        try:
            data = pickle.dumps((False, exc))
        except Exception:
            data = pickle.dumps((False, RuntimeError(f"{type(exc).__name__}: {exc}")))
    send.send_bytes(data)
    send.close()
