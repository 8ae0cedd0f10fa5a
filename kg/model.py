"""Plain records the parser produces: documents, rows, problems. No RDF here."""

from __future__ import annotations

from dataclasses import dataclass, field

# Entity kinds that come from tables, in document order, with their section names.
TABLE_KINDS: dict[str, str] = {
    "signals": "Signal",
    "concerns": "Concern",
    "behaviors": "Behavior",
    "technologies": "Technology",
    "issues": "Issue",
}
# Every node type that has a canonical name (and so goes through entity resolution).
ENTITY_KINDS: tuple[str, ...] = (
    "Signal", "Technology", "Concern", "Behavior", "Issue", "Theme", "Keyword", "Category", "ContentType",
)
# Canonical table fields, in output order.
FIELDS: tuple[str, ...] = ("name", "description", "change", "ten_year", "driving_force", "relevancy", "src")


@dataclass(frozen=True, slots=True)
class Problem:
    """A warning, repair or skip reason, located by file and line (0 = whole file)."""

    file: str
    line: int
    code: str
    message: str
    severity: str = "warning"  # "warning" (data guessed, altered or set aside) or "info" (harmless)

    def as_dict(self) -> dict[str, object]:
        return {"file": self.file, "line": self.line, "severity": self.severity, "code": self.code,
                "message": self.message}


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
