"""Pipe tables of the format family: cells (a bare `|` put back by the header's column boundaries), headers
mapped to row fields by kg/format.toml, wrapped, repeated, duplicate and nameless rows."""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable
from functools import lru_cache

from kg.formats import column_field, norm
from kg.model import Row

__all__ = ["Warn", "derive_name", "looks_like_header", "pipe_positions", "read_table", "relevancy_value",
           "split_aligned", "split_cells"]

Warn = Callable[..., None]  # (line, code, message[, severity]) -> None: the parser's way to report
_RELEVANCY = re.compile(r"^\+?(\d+)(?:\.0*)?(?:\s*(?:/|out of)\s*5)?$", re.I)  # 4, 4.0, 4/5, 4 out of 5
_WORD_END = re.compile(r"[\s,;:.!?]+$")
_STOP_TAIL = {"a", "an", "and", "as", "at", "by", "for", "from", "in", "into", "of", "on", "or", "the", "to", "with",
              "which", "that", "who", "whose", "where", "while", "because", "but", "so", "than", "via", "its",
              "their", "our", "this", "these", "those", "is", "are", "was", "were", "be"}
_BOUNDARY = (_STOP_TAIL - {"a", "an", "the"}) | {"which", "that", "who", "whose", "where", "while", "because",
                                                 "but", "so", "than", "through", "across", "about", "over", "under",
                                                 "within", "without", "between", "among", "via", "during", "after",
                                                 "before", "against", "towards", "toward"}
_ROW_NAMES = ("signal", "concern", "behavior", "behaviour", "technology", "issue")


_PIPE = re.compile(r"(?<!\\)\|")  # an unescaped pipe


def split_cells(line: str) -> list[str]:
    """Cells of a pipe-table line; `\\|` is a literal pipe."""
    s = line.strip()
    if s.startswith("|"):
        s = s[1:]
    if s.endswith("|") and not s.endswith("\\|"):
        s = s[:-1]
    if "\\" not in s:  # no escaped pipe: a plain split
        return [c.strip() for c in s.split("|")]
    return [c.strip().replace("\\|", "|") for c in _PIPE.split(s)]


def pipe_positions(line: str) -> list[int]:
    """Offsets of the unescaped pipes of a table line (those no backslash comes just before)."""
    out = []
    i = line.find("|")
    while i >= 0:
        if not i or line[i - 1] != "\\":
            out.append(i)
        i = line.find("|", i + 1)
    return out


def split_aligned(line: str, boundaries: list[int]) -> list[str] | None:
    """Cells of a row of a padded table (pandas `to_markdown`) cut only at the header's pipe offsets, so that a
    bare `|` inside a cell stays in it; None if the row's pipes do not line up with the header's."""
    pipes = set(pipe_positions(line))
    if len(boundaries) < 2 or not set(boundaries) <= pipes:
        return None
    inner = [p for p in pipes if p not in boundaries]
    if any(p < boundaries[0] or p > boundaries[-1] for p in inner):
        return None
    edges = boundaries if line.lstrip().startswith("|") else [-1, *boundaries]
    if not line.rstrip().endswith("|"):
        edges = [*edges, len(line)]
    return [line[a + 1:b].strip().replace("\\|", "|") for a, b in itertools.pairwise(edges)]


def derive_name(text: str, words: int = 10, least: int = 4) -> str:
    """A short deterministic name for a nameless row, from its description: the first sentence if it has at
    most `words` words; else cut at the last clause boundary (a comma, semicolon, colon or dash, or before a
    preposition, conjunction or relative word) that leaves at least `least` words, else after `words`
    words. Always whole words, never ending on a function word or punctuation."""
    first = re.split(r"(?<=[.!?;:])\s", text.strip(), maxsplit=1)[0]
    parts = first.split()
    if len(parts) > words:
        cuts = [k for k in range(least, words + 1)
                if parts[k].lower().strip(",;:") in _BOUNDARY or parts[k - 1][-1:] in ",;:" or parts[k] in "-–—"]
        parts = parts[:cuts[-1] if cuts else words]
    while len(parts) > 1 and (parts[-1].lower().strip(",;:") in _STOP_TAIL or parts[-1] in "-–—"):
        parts.pop()
    name = " ".join(parts)
    return _WORD_END.sub("", name) or text.strip()[:60]


def looks_like_header(line: str) -> bool:
    """A table line made of known column names, with a name or a description column among them."""
    fields = [column_field(c) for c in split_cells(line)]
    known = [f for f in fields if f]
    return len(known) >= 2 and len(known) == len(fields) and bool({"name", "description"} & set(known))


header_norm = lru_cache(maxsize=8192)(norm)  # norm() of a header: headers repeat from table to table


def _fields(kind: str, heading: str, headers: list[str], line: int, warn: Warn) -> list[str | None]:
    """The row field of each column (None: kept as extra cells), each field once."""
    fields: list[str | None] = []
    seen: set[str] = set()
    for h in headers:
        key = header_norm(h)
        f = column_field(h)
        if f == "name" and key not in ("name", "title", kind.lower()):
            f = f if key in _ROW_NAMES else None
        if f is None or f in seen:
            fields.append(None)
            if h:
                warn(line, "unknown-column", f"{heading}: column {h!r} kept as extra cells")
        else:
            fields.append(f)
            seen.add(f)
    return fields


def _cells(line: str, n: int, heading: str, headers: list[str], boundaries: list[int], warn: Warn) -> list[str]:
    """A row's cells, a bare pipe inside a cell put back where the header's boundaries place it; a long row
    that cannot be mended keeps its extra cells."""
    cells = split_cells(line)
    if len(cells) > len(headers):
        aligned = split_aligned(line, boundaries)
        if aligned is not None and len(aligned) == len(headers):
            warn(n, "pipe-in-cell", f"{heading}: a bare '|' inside a cell kept in its cell (the header's column "
                 "boundaries place it)", "info")
            return aligned
        warn(n, "long-row", f"{heading}: row has {len(cells)} cells, header has {len(headers)}; extra cells kept")
    return cells


def relevancy_value(cell: str) -> int | None:
    """The relevancy a cell gives (an integer 1-5, written `4`, `4.0`, `4/5` or `4 out of 5`), or None."""
    m = _RELEVANCY.match(cell.strip())
    return int(m[1]) if m and 1 <= int(m[1]) <= 5 else None


def _relevancy(row: Row, cell: str, heading: str, warn: Warn) -> None:
    value = relevancy_value(cell)
    if value is not None:
        row.relevancy = value
    else:
        row.relevancy_text = cell
        warn(row.line, "relevancy", f"{heading}: relevancy {cell!r} is not an integer 1-5; kept as text")


def read_table(kind: str, heading: str, lines: list[tuple[int, str]], warn: Warn) -> list[Row]:
    """The rows of a table (its first line the header), every dropped, joined or guessed row reported."""
    header_line, header = lines[0]
    headers = split_cells(header)
    fields = _fields(kind, heading, headers, header_line, warn)
    header_key = [header_norm(h) for h in headers]
    first_word = header_key[0].split(" ")[0] if header_key else ""
    sure = first_word.isascii()  # then a cell that norm()s to the first header holds its first word, lower-cased
    boundaries = pipe_positions(header)
    rows: list[Row] = []
    seen_rows: set[tuple[str, ...]] = set()
    for n, line in lines[1:]:
        cells = _cells(line, n, heading, headers, boundaries, warn)
        if (len(cells) == len(header_key) and (not sure or first_word in cells[0].lower())  # cheap tests first
                and norm(cells[0]) == header_key[0] and [norm(c) for c in cells] == header_key):
            warn(n, "repeated-header", f"{heading}: the header row again; skipped", "info")
            continue
        if len(cells) < len(headers):
            warn(n, "short-row", f"{heading}: row has {len(cells)} cells, header has {len(headers)}")
            cells += [""] * (len(headers) - len(cells))
        if not any(cells):
            warn(n, "empty-row", f"{heading}: empty row", "info")
            continue
        values: dict[str, str] = {}
        extra: list[tuple[str, str]] = []
        for i, cell in enumerate(cells):
            f = fields[i] if i < len(fields) else None
            if f is not None:
                values[f] = cell
            elif cell:
                extra.append((headers[i] if i < len(headers) and headers[i] else f"column {i + 1}", cell))
        if rows and not cells[0] and not values.get("name") and not values.get("relevancy"):
            prev = rows[-1]
            for f, v in values.items():
                if v and f not in ("relevancy", "name"):
                    setattr(prev, f, f"{getattr(prev, f)} {v}".strip())
            prev.extra.extend(extra)
            warn(n, "wrapped-row", f"{heading}: continuation row joined to the row of line {prev.line}")
            continue
        if tuple(cells) in seen_rows:
            warn(n, "duplicate-row", f"{heading}: duplicate row dropped (same cells as an earlier row)")
            continue
        seen_rows.add(tuple(cells))
        row = Row(kind, n, values.get("name", ""), values.get("description", ""), values.get("change", ""),
                  values.get("ten_year", ""), values.get("driving_force", ""), src=values.get("src", ""), extra=extra)
        if values.get("relevancy"):
            _relevancy(row, values["relevancy"], heading, warn)
        rows.append(row)
    for row in rows:
        if not row.name:
            source = row.description or row.change or row.ten_year or row.driving_force
            row.name = derive_name(source or next((v for _, v in row.extra), "") or row.src)
            row.name_derived = True
            warn(row.line, "derived-name", f"{heading}: row has no name; named {row.name!r} from its text")
    return rows
