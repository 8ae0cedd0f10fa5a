"""The format family's vocabulary as data (kg/format.toml): section headings, column headers, Other keys."""

from __future__ import annotations

import re
import tomllib
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

__all__ = ["column_field", "columns", "is_placeholder", "loose_heading", "norm", "other_field", "section_kind",
           "sections"]

FORMAT_FILE = Path(__file__).with_name("format.toml")
_DASHES = re.compile(r"[_\-]+")
_UNDERLINE = re.compile(r"^\s{0,3}(?:={3,}|-{3,})\s*$")  # a setext heading's second line


def norm(text: str) -> str:
    """A heading or header as the tables list it: lower case, `_`/`-` as spaces, `*`, `_`, `:` around it
    ignored, single spaces."""
    text = text.strip().strip("*_:").strip().lower()
    return " ".join(_DASHES.sub(" ", text).split())


@cache
def _data() -> dict[str, Any]:
    """kg/format.toml, read once."""
    return tomllib.loads(FORMAT_FILE.read_text(encoding="utf-8"))


@cache
def _tables() -> dict[str, dict[str, str]]:
    data = _data()
    out: dict[str, dict[str, str]] = {}
    for table in ("sections", "columns", "other"):
        inverse: dict[str, str] = {}
        for canonical, names in data[table].items():
            for name in names:
                key = norm(name)
                if inverse.setdefault(key, canonical) != canonical:
                    raise ValueError(f"{FORMAT_FILE}: {name!r} names both {inverse[key]!r} and {canonical!r}")
        out[table] = inverse
    return out


def sections() -> dict[str, str]:
    """Every known heading (normalised) -> its canonical section."""
    return _tables()["sections"]


def columns() -> dict[str, str]:
    """Every known column header (normalised) -> its row field."""
    return _tables()["columns"]


@cache
def _placeholders() -> frozenset[str]:
    return frozenset(norm(v) for v in _data()["values"]["placeholders"])


def is_placeholder(value: str) -> bool:
    """Whether a value stands for nothing in particular ("others", "n/a", ...; kg/format.toml)."""
    return norm(value).rstrip(".") in _placeholders()


@lru_cache(maxsize=8192)  # headings, headers and keys repeat from document to document
def section_kind(heading: str) -> str | None:
    """The canonical section of a heading, or None when unknown."""
    return sections().get(norm(heading))


@lru_cache(maxsize=8192)  # headings, headers and keys repeat from document to document
def column_field(header: str) -> str | None:
    """The row field of a column header, or None when unknown."""
    return columns().get(norm(header))


@lru_cache(maxsize=8192)  # headings, headers and keys repeat from document to document
def other_field(key: str) -> str | None:
    """The article field a key of the Other section fills, or None."""
    return _tables()["other"].get(norm(key))


def loose_heading(line: str, after: str = "") -> tuple[str, bool] | None:
    """The section a line stands for when it is a known section's name written as a heading without `#`:
    bold (`**Signals**`, `__Signals__`), ending in a colon (`Signals:`), or underlined by the next line
    `after` (`Signals` over `---` or `===`), and whether `after` is its underline. Anything else (a bullet, a
    table row, a known name inside a sentence) is None."""
    text = line.strip()
    bold = text.startswith(("**", "__"))
    if not text or (text[0] in "#|*+-" and not bold):
        return None
    marked = bold or text.endswith(":")
    if not marked and not _UNDERLINE.match(after):
        return None
    kind = section_kind(text)
    return None if kind is None else (kind, not marked)
