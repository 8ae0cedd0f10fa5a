r"""The loss checker: re-read the documents and find every piece of their content in the built graph.

The reading here is deliberately simple and independent of kg.parse in method; it shares the format's
vocabulary (kg/format.toml) and its rule for splitting a table line into cells, `\|` being a literal pipe.
Every non-empty line that is not structure (a heading of a known section, a table's separator, a blank
line) is split into atoms (table cells, bullet texts, the title's parts, a line of text), and each atom
must be found in the graph: as a substring of a literal of the document's named graph or of a node its
article links to (a named thing; or a Mention: a row two copies of an article share is one Mention, asserted
in the first copy's graph and linked from both), as a relevancy value, or as the id of an article it links
to. An atom that is not found is fine only if the build report names its file and line (or skipped the
whole file) with a reason. Anything else is a silent loss, and `kg check` exits non-zero.
"""

from __future__ import annotations

import functools
import json
import re
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph
from pyoxigraph import DefaultGraph, Literal, NamedNode

from kg.formats import column_field, loose_heading, other_field, section_kind, sections
from kg.identity import doc_segment
from kg.sources import check_outputs, find_sources
from kg.store import BuiltGraph
from kg.tables import relevancy_value, split_cells
from kg.textio import NotText, decode

__all__ = ["CheckResult", "Loss", "atoms", "check"]

_SEPARATOR = re.compile(r"^\s*\|?\s*:?-+:?\s*(\|\s*:?-+:?\s*)*\|?\s*$")
_LINK = re.compile(r"\[([^\]]*)\]\(([^()\s]*(?:\([^()]*\))?[^()\s]*)\s*\)")
@functools.cache
def _table_sections() -> frozenset[str]:
    """The sections whose tables have a header row of column names (all known ones but the Summary)."""
    return frozenset(sections().values()) - {"summary"}


@dataclass
class Loss:
    """A piece of content found neither in the graph nor in the report."""
    file: str
    line: int
    atom: str


@dataclass
class CheckResult:
    """What the checker found: documents checked, atoms found, atoms the report accounts for, silent losses."""

    documents: int = 0
    atoms: int = 0
    found: int = 0
    reported: int = 0
    skipped_files: int = 0
    losses: list[Loss] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """Whether nothing was lost silently."""
        return not self.losses


def _norm(text: str) -> str:
    return " ".join(text.replace("\\|", "|").split()).casefold()


def atoms(lines: list[str]) -> list[tuple[int, str]]:
    """(line number, text) of every piece of content in a document's lines (see the module doc)."""
    out: list[tuple[int, str]] = []
    section = ""
    for n, raw in enumerate(lines, 1):
        line = raw.strip()
        if not line or (_SEPARATOR.match(line) and "-" in line):
            continue
        if loose := loose_heading(line, lines[n] if n < len(lines) else ""):  # `**Signals**`, `Signals:`
            section = loose[0]
            continue
        heading = re.match(r"^(#{1,6})\s+(.*)$", line)
        if heading:
            name = heading.group(2).strip().strip("*_:").strip()
            if len(heading.group(1)) == 1 and n == next(i for i, ln in enumerate(lines, 1) if ln.strip()):
                for label, target in _LINK.findall(name):
                    out += [(n, label.strip()), (n, target.strip())]
                title = re.split(r",?\s*\(?\s*from\s+(?:page\s+)?\(?\s*\[", name, maxsplit=1)[0]
                out.append((n, title.strip().strip("_*").strip()))
            elif section_kind(name) is None:
                out.append((n, name))
            section = section_kind(name) or name.casefold()
            continue
        if line.startswith("|") or (section in _table_sections() and "|" in line.replace("\\|", "")):
            cells = split_cells(line)
            known = [column_field(c) is not None for c in cells]
            header = (n < len(lines) and bool(_SEPARATOR.match(lines[n].strip())) and "-" in lines[n]) or all(known)
            if header and section in _table_sections():
                cells = [c for c, k in zip(cells, known, strict=True) if not k]
            out += [(n, c) for c in cells if c]
            continue
        bullet = re.match(r"^[*+-](?:\s+(.*))?$", line)
        text = (bullet.group(1) or "") if bullet and not line.startswith("**") else line
        links = _LINK.findall(text)
        if links:
            for label, target in links:
                if label.strip().casefold() != "external link":
                    out.append((n, label.strip()))
                out.append((n, target.strip()))
            rest = _LINK.sub(" ", text).strip(" _*.()")
            if rest and not re.fullmatch(r"[\W_]*", rest):
                out.append((n, rest))
            continue
        if section == "other" and ":" in text:
            key, value = text.split(":", 1)
            if other_field(key) and value.strip():
                out.append((n, value.strip()))
                continue
        out.append((n, text.strip()))
    return [(n, a) for n, a in out if re.search(r"\w", a)]


@dataclass
class _Haystack:
    text: str  # every literal, normalized, one per line
    pieces: set[str]  # every literal and every line of one, normalized
    numbers: set[int]  # relevancy values
    ids: set[str]  # IRIs the document's graph points to, and their last path segments


def _haystack(store: pyoxigraph.Store, base: str, doc_id: str) -> _Haystack:
    """All text a document's graph holds (and the names of what its article links to), its relevancy
    values, and the ids and IRIs of the articles and pages it links to."""
    graph = NamedNode(f"{base}graph/{doc_segment(doc_id)}")
    texts: list[str] = []
    numbers: set[int] = set()
    ids: set[str] = set()
    linked: set[str] = set()
    mentions: set[str] = set()
    asserted: set[str] = set()  # the Mentions this graph asserts (their entity and texts are read above)
    for q in store.quads_for_pattern(None, None, None, graph):
        o = q.object
        if isinstance(o, Literal):
            texts.append(o.value)
            if q.predicate.value.endswith("#relevancy"):
                numbers.add(int(o.value))
        elif isinstance(o, NamedNode):
            ids.add(o.value)
            if (q.predicate.value.endswith(("#closest", "#category", "#contentType", "#mention"))
                    or "#has" in q.predicate.value):
                linked.add(o.value)
            if q.predicate.value.endswith("#mention"):
                mentions.add(o.value)
            elif q.predicate.value.endswith("#entity") and isinstance(q.subject, NamedNode):
                asserted.add(q.subject.value)
    for node in linked:
        for q in store.quads_for_pattern(NamedNode(node), None, None, DefaultGraph()):
            if isinstance(q.object, Literal):
                texts.append(q.object.value)
    for node in mentions - asserted:  # a row asserted in the graph of the article's copy that gave it first
        for q in store.quads_for_pattern(NamedNode(node), None, None, None):
            if isinstance(q.object, Literal):
                texts.append(q.object.value)
                if q.predicate.value.endswith("#relevancy"):
                    numbers.add(int(q.object.value))
    ids |= {i.rsplit("/", 1)[-1] for i in ids}
    normalized = [_norm(t) for t in texts]
    pieces = set(normalized) | {_norm(line) for t in texts if "\n" in t for line in t.split("\n")}
    return _Haystack("\n".join(normalized), pieces, numbers, ids)


def _report(graph_dir: Path) -> tuple[dict[str, set[int]], dict[str, str]]:
    """Lines the build report names per file, and the files it skipped with their reasons."""
    report = json.loads((graph_dir / "report.json").read_text(encoding="utf-8"))
    lines: dict[str, set[int]] = defaultdict(set)
    for w in report.get("problems", []):
        first = int(w["line"])
        lines[w["file"]].update(range(first, max(first, int(w.get("end_line", first))) + 1))
    return lines, {s["file"]: s["reason"] for s in report.get("skipped", [])}


def _found(atom: str, hay: _Haystack) -> bool:
    a = _norm(atom)
    if a in hay.pieces or atom.strip() in hay.ids or relevancy_value(a) in hay.numbers:
        return True
    if len(a) < 4:  # short atoms must be whole words, not any substring
        return re.search(rf"(?<!\w){re.escape(a)}(?!\w)", hay.text) is not None
    return a in hay.text


def check(sources: list[Path], graph_dir: Path, base: str | None = None) -> CheckResult:
    """Check the documents under `sources` against the graph built from them in `graph_dir`."""
    graph = BuiltGraph(graph_dir)
    store = graph.store()
    base = base or graph.article_prefix().rsplit("article/", 1)[0]
    reported_lines, skipped = _report(graph_dir)
    result = CheckResult()
    check_outputs(sources, [graph_dir])
    found_sources, not_docs = find_sources(sources, [graph_dir])
    for s in not_docs:
        if s.path not in skipped:
            result.losses.append(Loss(s.path, 0, f"(whole file: {s.reason}, not in the report)"))
    for src in found_sources:
        if src.rel in skipped:
            result.skipped_files += 1
            continue
        try:
            data = src.path.read_bytes()
            lines = decode(data, src.rel).lines
        except (OSError, NotText) as exc:
            result.losses.append(Loss(src.rel, 0, f"(whole file unreadable here: {exc}; not in the report)"))
            continue
        result.documents += 1
        hay = _haystack(store, base, src.doc_id)
        if not hay.text:
            result.losses.append(Loss(src.rel, 0, "(no named graph for this document, and not in the report)"))
            continue
        noted = reported_lines.get(src.rel, set())
        for n, atom in atoms(lines):
            result.atoms += 1
            if _found(atom, hay):
                result.found += 1
            elif n in noted:
                result.reported += 1
            else:
                result.losses.append(Loss(src.rel, n, atom))
    return result
