"""Find source documents: files and folders, recursively, safely."""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from kg.errors import SourceError
from kg.model import Skipped

__all__ = ["EXTENSIONS", "Source", "check_outputs", "find_sources"]

EXTENSIONS = (".md", ".txt")


@dataclass(frozen=True, slots=True)
class Source:
    """A document file, its path as reported, and its document id (the file stem)."""

    path: Path
    rel: str
    doc_id: str


def _rel(path: Path, root: Path, root_label: str) -> str:
    try:
        inner = path.relative_to(root).as_posix()
    except ValueError:
        inner = path.name
    return f"{root_label}/{inner}" if root_label else inner


def _identity(path: Path) -> tuple[int, int] | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return st.st_dev, st.st_ino


def check_outputs(paths: Iterable[Path], outputs: Iterable[Path]) -> None:
    """Refuse an output folder (a build's --out) that is also one of the source folders."""
    own = {i for p in outputs if (i := _identity(p)) is not None}
    for given in paths:
        if given.is_dir() and _identity(given) in own:
            raise SourceError(f"{given} is both a source and the output folder; build into another folder")


def find_sources(paths: list[Path], outputs: Iterable[Path] = ()) -> tuple[list[Source], list[Skipped]]:
    """Documents under the given files and folders, sorted by path; what we cannot read is reported. The
    `outputs` folders (a build's --out) are left out where they lie inside a source folder (check_outputs
    refuses one that is a source folder)."""
    found: list[Source] = []
    skipped: list[Skipped] = []
    own = {i for p in outputs if (i := _identity(p)) is not None}
    for given in paths:
        if not given.exists() and not given.is_symlink():
            raise SourceError(f"source not found: {given}")
        label = given.resolve().name  # paths in outputs do not depend on where the sources live
        if given.is_file():
            found.append(Source(given, label, given.stem))
            continue
        if not given.is_dir():
            skipped.append(Skipped(label, "not a regular file or folder"))
            continue
        seen_dirs: set[tuple[int, int]] = set()
        errors: list[OSError] = []
        for dirpath, dirnames, filenames in os.walk(given, followlinks=True, onerror=errors.append):
            st = os.stat(dirpath)
            if (st.st_dev, st.st_ino) in own:
                dirnames[:] = []  # the build's own outputs
                continue
            if (st.st_dev, st.st_ino) in seen_dirs:
                skipped.append(Skipped(_rel(Path(dirpath), given, label), "folder already visited (symlink loop)"))
                dirnames[:] = []
                continue
            seen_dirs.add((st.st_dev, st.st_ino))
            dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
            for name in sorted(filenames):
                if name.startswith("."):
                    continue
                path = Path(dirpath) / name
                rel = _rel(path, given, label)
                if path.suffix.lower() not in EXTENSIONS:
                    ext = path.suffix or "(none)"
                    skipped.append(Skipped(rel, f"not a document: extension {ext} is not .md or .txt"))
                    continue
                if not path.is_file():
                    skipped.append(Skipped(rel, "not a regular file (broken link or special file)"))
                    continue
                found.append(Source(path, rel, path.stem))
        for err in errors:
            where = _rel(Path(err.filename or given), given, label)
            skipped.append(Skipped(where, f"unreadable folder: {err.strerror}"))
    found.sort(key=lambda s: s.rel)
    unique: list[Source] = []
    by_id: dict[str, Source] = {}
    for src in found:
        first = by_id.get(src.doc_id)
        if first is None:
            by_id[src.doc_id] = src
            unique.append(src)
        elif first.path.resolve() != src.path.resolve():
            skipped.append(Skipped(src.rel, f"document id {src.doc_id!r} already used by {first.rel}"))
    return unique, sorted(skipped, key=lambda s: s.path)
