"""Plain records the parser produces: documents, rows, problems. No RDF here."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

__all__ = [
    "TABLE_KINDS",
    "Bullet",
    "DocSummary",
    "Document",
    "ExtraSection",
    "Link",
    "Problem",
    "Row",
    "Skipped",
    "surface_forms",
]

# Entity kinds that come from tables, in document order, with their section names.
TABLE_KINDS: dict[str, str] = {
    "signals": "Signal",
    "concerns": "Concern",
    "behaviors": "Behavior",
    "technologies": "Technology",
    "issues": "Issue",
}


@dataclass(frozen=True, slots=True)
class Problem:
    """A warning, repair or skip reason, located by file and line (0 = whole file)."""

    file: str
    line: int
    code: str
    message: str
    severity: str = "warning"  # "warning" (data guessed, altered or set aside) or "info" (harmless)
    end_line: int = 0  # last line of a problem that spans several lines (0: just `line`)

    def as_dict(self) -> dict[str, object]:
        """The problem as report.json lists it."""
        out: dict[str, object] = {"file": self.file, "line": self.line}
        if self.end_line > self.line:
            out["end_line"] = self.end_line
        out.update(severity=self.severity, code=self.code, message=self.message)
        return out


@dataclass(slots=True)
class Row:
    """One table row: what one article says about one named thing."""

    kind: str  # Signal, Concern, Behavior, Technology or Issue
    line: int
    name: str
    description: str = ""
    change: str = ""
    ten_year: str = ""
    driving_force: str = ""
    relevancy: int | None = None
    relevancy_text: str = ""  # the cell when it is not an integer 1-5
    src: str = ""
    extra: list[tuple[str, str]] = field(default_factory=list)  # unknown columns: (header, value)
    name_derived: bool = False


@dataclass(slots=True)
class Link:
    """A `## Closest` bullet: a link to another document by id."""

    line: int
    title: str
    target: str


@dataclass(slots=True)
class Bullet:
    """A bullet item of a list section, with its source line."""

    line: int
    text: str


@dataclass(slots=True)
class ExtraSection:
    """A section (or stray text) we do not map, kept verbatim."""

    line: int
    name: str
    text: str


@dataclass(slots=True)
class Document:
    """One parsed article summary."""

    doc_id: str
    path: str  # as given relative to its source root
    sha256: str
    title: str = ""
    title_line: int = 0
    title_is_id: bool = False
    page_id: str = ""
    date: str = ""  # ISO date from a valid YYYYMMDD prefix of page_id
    page_url: str = ""
    external_url: str = ""
    external_line: int = 0
    keywords: list[Bullet] = field(default_factory=list)
    themes: list[Bullet] = field(default_factory=list)
    category: str = ""
    content_type: str = ""
    notes: list[Bullet] = field(default_factory=list)  # Other bullets that are not Category or Type
    summary: str = ""
    summary_lines: tuple[int, int] = (0, 0)  # first and last line of the summary text
    rows: list[Row] = field(default_factory=list)
    closest: list[Link] = field(default_factory=list)
    extras: list[ExtraSection] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


@dataclass(slots=True)
class Skipped:
    """A file that was not built, and why."""

    path: str
    reason: str
    problems: list[Problem] = field(default_factory=list)


@dataclass(slots=True)
class DocSummary:
    """What the corpus-level stages need from one parsed document; kept in memory for every document while
    the document itself stays in the build cache."""

    key: str  # cache key of the parsed document
    doc_id: str
    path: str
    sha256: str
    title: str
    title_is_id: bool
    title_line: int
    date: str
    external_url: str
    external_line: int
    forms: list[tuple[str, str]]  # (type, surface form) of every name it mentions
    closest: list[str]  # targets of its Closest links
    problems: list[Problem]
    paired: list[tuple[str, str, int]] = field(default_factory=list)  # (type, form, line) of "Name (ACR)" forms

    @classmethod
    def of(cls, doc: Document, key: str) -> DocSummary:
        """The summary of a parsed document stored under `key`."""
        paired = [(r.kind, r.name, r.line) for r in doc.rows if r.name.rstrip().endswith(")") and "(" in r.name]
        for kind, bullets in (("Keyword", doc.keywords), ("Theme", doc.themes)):
            paired += [(kind, b.text, b.line) for b in bullets if b.text.rstrip().endswith(")") and "(" in b.text]
        return cls(key, doc.doc_id, doc.path, doc.sha256, doc.title, doc.title_is_id, doc.title_line, doc.date,
                   doc.external_url, doc.external_line, list(surface_forms(doc)), [c.target for c in doc.closest],
                   list(doc.problems), paired)


def surface_forms(doc: Document) -> Iterator[tuple[str, str]]:
    """(kind, surface form) of every named thing a document mentions."""
    for row in doc.rows:
        yield row.kind, row.name
    for b in doc.keywords:
        yield "Keyword", b.text
    for b in doc.themes:
        yield "Theme", b.text
    if doc.category:
        yield "Category", doc.category
    if doc.content_type:
        yield "ContentType", doc.content_type
