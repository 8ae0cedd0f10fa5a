"""The output folder: builds are written aside and switched in atomically, under a lock.

Layout of an output folder OUT:

    OUT/.kg/builds/<id>/    one complete build (graph.ttl, graph.trig, report.json, graph.html, ...)
    OUT/.kg/current         symlink to the live build, replaced atomically (rename) when a build completes
    OUT/.kg/previous        symlink to the build it replaced, kept for `kg diff --previous`
    OUT/.kg/cache/          parsed documents, keyed by content hash
    OUT/.kg/lock            held (flock) while a build runs
    OUT/graph.ttl ...       symlinks through .kg/current, so every file switches at the same instant

A build killed at any moment leaves .kg/current, and so every top-level file, on the previous build.
A reader that must keep a build while newer ones replace it (`kg serve`) pins it: a shared flock on
OUT/.kg/builds/<id>/.pin, which sweep() respects.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import shutil
import time
from collections.abc import Iterator
from pathlib import Path

from kg.errors import BuildLocked, SourceError

__all__ = ["PIN", "PRODUCTS", "OutputDir", "Pin", "pin"]

PIN = ".pin"
# top-level links
PRODUCTS = ("graph.ttl", "graph.trig", "report.json", "graph.html", "merges.json", "kg.ttl", "catalog-v001.xml",
            "trends.csv", "snapshot.json")


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class Pin:
    """A shared lock on a build folder that keeps sweep() from removing it until released."""

    def __init__(self, build: Path) -> None:
        self.build = build
        self._fd: int | None = os.open(build / PIN, os.O_RDWR | os.O_CREAT, 0o644)
        fcntl.flock(self._fd, fcntl.LOCK_SH)  # waits while a sweep is removing this build

    @property
    def intact(self) -> bool:
        """Whether the build is still there (a sweep may have removed it just before the pin was taken)."""
        return (self.build / "graph.trig").is_file()

    def release(self) -> None:
        """Let sweep() remove the build again."""
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None


def pin(build: Path) -> Pin | None:
    """Pin a build folder, or None if it is gone (or cannot be pinned because it is not writable: then
    it is not an output folder's build, and nothing sweeps it)."""
    try:
        p = Pin(build)
    except (FileNotFoundError, PermissionError):
        return None
    if not p.intact:
        p.release()
        return None
    return p


class OutputDir:
    """Atomic, locked writes of whole builds into one output folder."""

    def __init__(self, out: Path) -> None:
        self.out = out
        self.meta = out / ".kg"
        self.builds = self.meta / "builds"
        self.cache = self.meta / "cache"

    @contextlib.contextmanager
    def locked(self) -> Iterator[None]:
        """Hold the build lock; a second build on the same folder fails at once with BuildLocked."""
        if self.out.exists() and not self.out.is_dir():
            raise SourceError(f"--out {self.out} is a file, not a folder")
        self.meta.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.meta / "lock", os.O_RDWR | os.O_CREAT, 0o644)
        try:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                holder = os.pread(fd, 64, 0).decode(errors="replace").strip() or "another process"
                raise BuildLocked(
                    f"another build is writing to {self.out} (pid {holder}); try again when it ends") from None
            os.ftruncate(fd, 0)
            os.pwrite(fd, str(os.getpid()).encode(), 0)
            yield
        finally:
            os.close(fd)

    def new_build(self) -> Path:
        """A fresh, empty folder for the next build (call while holding the lock)."""
        self.builds.mkdir(parents=True, exist_ok=True)
        self.sweep()
        path = self.builds / f"{time.strftime('%Y%m%dT%H%M%S')}-{os.getpid()}-{time.monotonic_ns() % 10**6}"
        path.mkdir()
        return path

    def current(self) -> Path | None:
        """The live build's folder, or None before the first build."""
        link = self.meta / "current"
        return link.resolve() if link.is_symlink() and link.resolve().is_dir() else None

    def previous(self) -> Path | None:
        """The build the live one replaced, or None."""
        link = self.meta / "previous"
        return link.resolve() if link.is_symlink() and link.resolve().is_dir() else None

    def _link(self, name: str, build: Path) -> None:
        tmp = self.meta / f"{name}.{os.getpid()}.tmp"
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
        tmp.symlink_to(Path("builds") / build.name)
        os.replace(tmp, self.meta / name)

    def commit(self, build: Path, products: tuple[str, ...] = PRODUCTS) -> None:
        """Make `build` the live build in one atomic rename (the build it replaces becomes the previous one),
        then drop older builds."""
        for name in os.listdir(build):
            path = build / name
            if path.is_file():
                with open(path, "rb") as fh:
                    os.fsync(fh.fileno())
        _fsync_dir(build)
        live = self.current()
        if live is not None and live != build.resolve():
            self._link("previous", live)
        self._link("current", build)
        _fsync_dir(self.meta)
        for name in products:
            top = self.out / name
            target = Path(".kg") / "current" / name
            if (build / name).exists():
                if not (top.is_symlink() and Path(os.readlink(top)) == target):
                    tmp = self.out / f".{name}.{os.getpid()}.tmp"
                    with contextlib.suppress(FileNotFoundError):
                        tmp.unlink()
                    tmp.symlink_to(target)
                    os.replace(tmp, top)
            elif top.is_symlink() and Path(os.readlink(top)) == target:
                top.unlink()
        _fsync_dir(self.out)
        self.sweep()

    def sweep(self) -> None:
        """Remove builds that are neither live, previous nor pinned (left by killed or superseded builds)."""
        kept = {p for p in (self.current(), self.previous()) if p is not None}
        if not self.builds.is_dir():
            return
        for path in sorted(self.builds.iterdir()):
            if path.resolve() in kept:
                continue
            try:
                fd = os.open(path / PIN, os.O_RDWR)
            except OSError:
                fd = None
            try:
                if fd is not None:
                    try:
                        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    except BlockingIOError:
                        continue  # a server answers from this build
                shutil.rmtree(path, ignore_errors=True)
            finally:
                if fd is not None:
                    os.close(fd)
