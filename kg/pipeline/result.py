"""What a build did: counts, problems, timings, and the deterministic report.json made of them."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from kg import __version__
from kg.model import Problem, Skipped

__all__ = ["BuildResult"]


@dataclass
class BuildResult:
    """What a build did: counts, problems, and where it wrote."""

    out: Path
    read: int = 0
    built: int = 0
    skipped: list[Skipped] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    triples: int = 0
    nodes: dict[str, int] = field(default_factory=dict)
    timings: dict[str, float] = field(default_factory=dict)
    files: list[str] = field(default_factory=list)
    analytics: dict[str, object] = field(default_factory=dict)
    trends: dict[str, object] = field(default_factory=dict)  # what kg.trends found, in counts
    parsed: int = 0  # documents parsed in this build (the rest came from the cache)
    emitted: int = 0  # documents whose RDF was made in this build

    @property
    def warnings(self) -> list[Problem]:
        """The problems of severity `warning` (the rest are notes)."""
        return [p for p in self.problems if p.severity == "warning"]

    def report(self) -> dict[str, object]:
        """The deterministic build report (no timings, no absolute paths, nothing about the cache)."""
        codes = Counter(p.code for p in self.problems)
        return {
            "kg_version": __version__,
            "documents": {"read": self.read, "built": self.built, "skipped": len(self.skipped)},
            "skipped": [{"file": s.path, "reason": s.reason} for s in self.skipped],
            "graph": {"triples": self.triples, "nodes": dict(sorted(self.nodes.items()))},
            "analytics": self.analytics,
            "trends": self.trends,
            "problem_counts": {"warning": len(self.warnings), "info": len(self.problems) - len(self.warnings),
                               "by_code": dict(sorted(codes.items()))},
            "problems": [p.as_dict() for p in self.problems],  # each with its severity: warning or info
        }

    def strict_failure(self) -> list[str] | None:
        """What makes a --strict build fail (skips and warnings), or None."""
        if not (self.warnings or self.skipped):
            return None
        return ([f"{s.path}: skipped: {s.reason}" for s in self.skipped]
                + [f"{p.file}:{p.line}: {p.code}: {p.message}" for p in self.warnings])
