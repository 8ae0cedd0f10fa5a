"""Article identity: the documents that are copies of one article (same URL, or same title and date)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Protocol, TypeVar

from kg.identity import fold
from kg.model import DocSummary, Document, Problem

__all__ = ["ArticleIds", "primary_first", "resolve_articles"]



class _Dated(Protocol):
    @property
    def date(self) -> str: ...
    @property
    def path(self) -> str: ...


_D = TypeVar("_D", bound=_Dated)


@dataclass(slots=True)
class ArticleIds:
    """Which Article each document id is, after merging copies of one article."""

    canonical: dict[str, str]  # doc id -> article id
    problems: list[Problem]
    groups: list[dict[str, Any]] = field(default_factory=list)
    primary: dict[str, str] = field(default_factory=dict)  # article id -> the document that describes it


def primary_first(docs: Iterable[_D]) -> list[_D]:
    """The documents of one article, the one that describes the Article first: the latest page date, then
    the last file name; the others follow in the same order."""
    return sorted(docs, key=lambda d: (d.date, d.path), reverse=True)


def _url_key(url: str) -> str:
    url = url.strip()
    if "?" in url:  # tracking parameters do not make another article
        base, _, query = url.partition("?")
        kept = [p for p in query.split("&") if p and not p.lower().startswith("utm_")]
        url = base + ("?" + "&".join(kept) if kept else "")
    return url.rstrip("/").lower()


def resolve_articles(docs: Iterable[Document | DocSummary]) -> ArticleIds:
    """One Article per external URL, and per (title, date): copies saved under two ids share the first id."""
    docs = sorted(docs, key=lambda d: d.doc_id)
    parent = {d.doc_id: d.doc_id for d in docs}
    reason: dict[str, str] = {}

    def find(x: str) -> str:
        while parent[x] != x:
            x = parent[x]
        return x

    def join(group: list[Document | DocSummary], why: str) -> None:
        for d in group[1:]:
            a, b = find(group[0].doc_id), find(d.doc_id)
            if a != b:
                parent[max(a, b)] = min(a, b)
                reason.setdefault(d.doc_id, why)

    by_url: dict[str, list[Document | DocSummary]] = defaultdict(list)
    by_title: dict[tuple[str, str], list[Document | DocSummary]] = defaultdict(list)
    for d in docs:
        if d.external_url:
            by_url[_url_key(d.external_url)].append(d)
        if d.title and not d.title_is_id and d.date:
            by_title[(fold(d.title), d.date)].append(d)
    for group in by_url.values():
        join(group, "same external URL")
    for group in by_title.values():
        join(group, "same title and date")
    canonical = {d.doc_id: find(d.doc_id) for d in docs}
    members: dict[str, list[str]] = defaultdict(list)
    for doc_id, root in canonical.items():
        members[root].append(doc_id)
    problems = []
    groups = []
    by_id = {d.doc_id: d for d in docs}
    primary = {root: primary_first(by_id[i] for i in ids)[0].doc_id for root, ids in members.items() if len(ids) > 1}
    for d in docs:
        root = canonical[d.doc_id]
        if root != d.doc_id:
            why = reason.get(d.doc_id, "same article")
            problems.append(Problem(d.path, d.external_line or d.title_line, "same-article",
                                    f"{why} as document {root}; merged into one Article"))
    for root, ids in sorted(members.items()):
        if len(ids) > 1:
            groups.append({"article": root, "ids": sorted(ids), "described_by": primary[root],
                           "rules": sorted({reason.get(i, "") for i in ids} - {""})})
    return ArticleIds(canonical, problems, groups, primary)
