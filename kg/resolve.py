"""Entity resolution: surface forms across documents -> one node per real thing."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from kg.identity import name_key, slug
from kg.model import Document, Problem


@dataclass(slots=True)
class Entity:
    """One node: its type, IRI slug, canonical label and every surface form seen (with counts)."""

    kind: str
    slug: str
    label: str
    forms: dict[str, int]
    rules: dict[str, str] = field(default_factory=dict)  # surface form -> rule that merged it into the label

    @property
    def alt_labels(self) -> list[str]:
        return sorted(f for f in self.forms if f != self.label)


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


def choose_label(forms: Counter[str] | dict[str, int]) -> str:
    """The most frequent form; ties go to a form with capitals, then the alphabetically first."""
    return min(forms, key=lambda f: (-forms[f], f == f.lower(), f))


class Resolution:
    """Lookup from (kind, surface form) to its Entity."""

    def __init__(self, entities: Iterable[Entity]) -> None:
        self.entities = sorted(entities, key=lambda e: (e.kind, e.slug))
        self._by_form: dict[tuple[str, str], Entity] = {}
        for e in self.entities:
            for f in e.forms:
                self._by_form[(e.kind, f)] = e

    def entity(self, kind: str, surface: str) -> Entity:
        return self._by_form[(kind, surface)]


def resolve(docs: Iterable[Document]) -> Resolution:
    """Merge surface forms of one type whose names normalise alike."""
    counts: dict[str, Counter[str]] = defaultdict(Counter)
    for doc in docs:
        for kind, form in surface_forms(doc):
            counts[kind][form] += 1
    entities: list[Entity] = []
    for kind, forms in counts.items():
        groups: dict[str, dict[str, int]] = defaultdict(dict)
        for form, n in forms.items():
            groups[name_key(form)][form] = n
        for key, group in groups.items():
            label = choose_label(group)
            rules = {f: "normalised name" for f in group if f != label}
            entities.append(Entity(kind, slug(key), label, group, rules))
    return Resolution(entities)


@dataclass(slots=True)
class ArticleIds:
    """Which Article each document id is, after merging copies of one article."""

    canonical: dict[str, str]  # doc id -> article id
    problems: list[Problem]


def _url_key(url: str) -> str:
    url = url.strip()
    if "?" in url:  # tracking parameters do not make another article
        base, _, query = url.partition("?")
        kept = [p for p in query.split("&") if p and not p.lower().startswith("utm_")]
        url = base + ("?" + "&".join(kept) if kept else "")
    return url.rstrip("/").lower()


def resolve_articles(docs: Iterable[Document]) -> ArticleIds:
    """One Article per external URL: documents saved under two ids share the first id."""
    by_url: dict[str, list[Document]] = defaultdict(list)
    canonical: dict[str, str] = {}
    for doc in docs:
        canonical[doc.doc_id] = doc.doc_id
        if doc.external_url:
            by_url[_url_key(doc.external_url)].append(doc)
    problems: list[Problem] = []
    for group in by_url.values():
        if len(group) < 2:
            continue
        ids = sorted(d.doc_id for d in group)
        for d in group:
            canonical[d.doc_id] = ids[0]
            if d.doc_id != ids[0]:
                problems.append(Problem(d.path, d.external_line, "same-article",
                                        f"same external URL as document {ids[0]}; merged into one Article"))
    return ArticleIds(canonical, problems)
