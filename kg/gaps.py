"""Blind spots of a corpus, each defined by a named query in ontology/queries/ (`gap-*.rq`) and computed here
from the build's snapshot, which gives the same rows (tested) in a fraction of the time:

- clusters of technologies that no article links to any concern or issue (adoption without scrutiny);
- concerns that no behaviour or issue answers (no article naming the concern names one);
- categories whose signals carry no 10-year outlook, that have no signal, or none in the last periods;
- signals named in one article only that name a rising technology (candidates for follow-up);
- signals with different outlooks from several articles, side by side.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, fields
from typing import Any

from kg.snapshot import Snapshot
from kg.tallies import ANSWERS, articles_naming, category_signals, cluster_technologies
from kg.trends import period_of

__all__ = ["QUERIES", "RECENT", "Gaps", "gaps"]

QUERIES = {"unscrutinised": "gap-unscrutinised-clusters", "unanswered": "gap-unanswered-concerns",
           "categories": "gap-category-outlooks", "follow_up": "gap-follow-up-signals",
           "disagreements": "gap-disagreeing-outlooks"}
RECENT = 3  # a category with no signal in the corpus's last this many months is silent


@dataclass
class Gaps:
    """The blind spots of one build; each list sorted, the largest gap first."""

    unscrutinised: list[dict[str, Any]]
    unanswered: list[dict[str, Any]]
    categories: list[dict[str, Any]]
    follow_up: list[dict[str, Any]]
    disagreements: list[dict[str, Any]]

    def to_json(self) -> dict[str, Any]:
        """The gaps as JSON data."""
        return {f.name: getattr(self, f.name) for f in fields(self)}  # already JSON data: no deep copy

    def count(self) -> int:
        """How many gaps there are in all (a category counts once per flag)."""
        return (len(self.unscrutinised) + len(self.unanswered) + sum(len(c["gaps"]) for c in self.categories)
                + len(self.follow_up) + len(self.disagreements))


def _article(snap: Snapshot, iri: str) -> dict[str, str]:
    a = snap.articles.get(iri)
    return {"article": iri, "title": a.title if a else "", "date": a.date if a else "",
            "source": a.source if a else ""}


def _unscrutinised(snap: Snapshot) -> list[dict[str, Any]]:
    naming = snap.naming
    techs, scrutinised = cluster_technologies(snap)
    found = {c for c, ts in techs.items() if not scrutinised.intersection(ts)}
    rows: list[dict[str, Any]] = []
    for c in sorted(found, key=lambda c: (snap.clusters[c].level, -len(techs[c]), c)):
        info = snap.clusters[c]
        if info.parent in found:
            continue  # its parent is a gap already: report the largest blind cluster
        arts = sorted({a for t in techs[c] for a in naming.get(t, ())})
        rows.append({"cluster": c, "level": info.level, "label": info.label, "size": info.size,
                     "technologies": sorted(snap.nodes[t].label for t in techs[c]), "articles": arts})
    return rows


def _unanswered(snap: Snapshot) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for n, arts in snap.naming.items():
        info = snap.nodes[n]
        if info.type == "Concern" and not articles_naming(snap, arts, ANSWERS):
            rows.append({"iri": n, "label": info.label, "articles": arts})
    rows.sort(key=lambda r: (-len(r["articles"]), r["label"], r["iri"]))
    return rows


def _categories(snap: Snapshot, recent: int) -> list[dict[str, Any]]:
    with_outlook = {(a, n) for a, n, _ in snap.outlooks}
    span = snap.trends.periods if snap.trends.period == "month" else []  # the months of the usable dates
    since = span[-min(recent, len(span))] if span and recent else ""
    rows: list[dict[str, Any]] = []
    for n, arts in snap.naming.items():
        info = snap.nodes[n]
        if info.type != "Category":
            continue
        signals, outlooked, last = category_signals(snap, arts, with_outlook)
        flags = []
        if not signals:
            flags.append("no signal")
        elif not outlooked:
            flags.append("no outlook")
        if signals and since and (not last or period_of(last) < since):
            flags.append(f"no signal since {since}")
        rows.append({"iri": n, "label": info.label, "articles": len(arts), "signals": len(signals),
                     "signals_with_outlook": len(outlooked), "last_signal": last, "gaps": flags})
    rows.sort(key=lambda r: (-len(r["gaps"]), r["label"], r["iri"]))
    return rows


def _follow_up(snap: Snapshot) -> list[dict[str, Any]]:
    slopes = {t.iri: t.slope for t in snap.trends.nodes}
    rows: list[dict[str, Any]] = []
    for n, arts in snap.naming.items():
        info = snap.nodes[n]
        if info.type != "Signal" or len(arts) != 1:
            continue
        for t in snap.names.get(n, ()):
            tech = snap.nodes.get(t)
            if tech and tech.type == "Technology" and tech.trend == "rising":
                rows.append({"iri": n, "label": info.label, **_article(snap, arts[0]), "technology": t,
                             "technology_label": tech.label, "slope": round(slopes.get(t, 0.0), 6)})
    rows.sort(key=lambda r: (-r["slope"], r["technology_label"], r["label"], r["iri"]))
    return rows


def _disagreements(snap: Snapshot) -> list[dict[str, Any]]:
    said: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for a, n, outlook in snap.outlooks:
        if snap.nodes.get(n) and snap.nodes[n].type == "Signal":
            said[n].append((a, outlook))
    rows: list[dict[str, Any]] = []
    for n, pairs in said.items():
        if len({a for a, _ in pairs}) > 1 and len({o for _, o in pairs}) > 1:
            views = [{**_article(snap, a), "outlook": o} for a, o in pairs]
            views.sort(key=lambda v: (v["date"], v["article"]), reverse=True)
            rows.append({"iri": n, "label": snap.nodes[n].label, "outlooks": views})
    rows.sort(key=lambda r: (-len(r["outlooks"]), r["label"], r["iri"]))
    return rows


def gaps(snap: Snapshot, recent: int = RECENT) -> Gaps:
    """Every gap of a build (`recent`: the months a category must have a signal in)."""
    return Gaps(_unscrutinised(snap), _unanswered(snap), _categories(snap, recent), _follow_up(snap),
                _disagreements(snap))
