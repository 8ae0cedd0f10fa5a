"""Records -> RDF quads: one named graph per document, corpus-level facts in the default graph."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field

from pyoxigraph import DefaultGraph, Literal, NamedNode, Quad

from kg.identity import doc_segment, safe_iri
from kg.model import Document, Problem
from kg.resolve import Entity, Resolution
from kg.vocab import DCTERMS, DEFAULT_BASE, HAS, KGO, ONTOLOGY_IRI, OWL, RDF, RDFS, SEGMENTS, SKOS, XSD

_ROW_LETTER = {"Signal": "s", "Concern": "c", "Behavior": "b", "Technology": "t", "Issue": "i"}
_TRUE = Literal("true", datatype=XSD.boolean)
_FALSE = Literal("false", datatype=XSD.boolean)
DEFAULT = DefaultGraph()


MAX_LITERAL = 1 << 21  # characters: RDF parsers cap a token's size (Oxigraph at 16 MB), so longer texts are cut


def _chunks(text: str, size: int) -> list[str]:
    """Pieces of at most `size` characters, cut after a newline (or a space) where there is one."""
    out = []
    while len(text) > size:
        cut = text.rfind("\n", 0, size) + 1 or text.rfind(" ", 0, size) + 1 or size
        out.append(text[:cut])
        text = text[cut:]
    return [*out, text]


def _int(n: int) -> Literal:
    return Literal(str(n), datatype=XSD.integer)


@dataclass
class Minter:
    """IRIs of every node under one base IRI; entity nodes are cached."""

    base: str = DEFAULT_BASE
    _cache: dict[tuple[str, str], NamedNode] = field(default_factory=dict)

    def node(self, kind: str, local: str) -> NamedNode:
        key = (kind, local)
        n = self._cache.get(key)
        if n is None:
            n = self._cache[key] = NamedNode(f"{self.base}{SEGMENTS[kind]}/{local}")
        return n

    def article(self, doc_id: str) -> NamedNode:
        return self.node("Article", doc_segment(doc_id))

    def graph(self, doc_id: str) -> NamedNode:
        return NamedNode(f"{self.base}graph/{doc_segment(doc_id)}")

    def entity(self, e: Entity) -> NamedNode:
        return self.node(e.kind, e.slug)

    def local(self, kind: str, doc_id: str, suffix: str) -> NamedNode:
        return NamedNode(f"{self.base}{SEGMENTS[kind]}/{doc_segment(doc_id)}-{suffix}")


@dataclass
class Emitted:
    """Quads of one document plus what the corpus level needs from it."""

    quads: list[Quad]
    closest: list[tuple[str, str]]  # (target article id, link title) of links kept
    problems: list[Problem]


def document_quads(doc: Document, slugs: Mapping[tuple[str, str], str], canonical: Mapping[str, str],
                   mint: Minter) -> Emitted:
    """All quads one document asserts, in its own named graph. `slugs` gives each (type, surface form) its
    node, `canonical` each document id its Article (ids not in the build are their own Article)."""
    g = mint.graph(doc.doc_id)
    art = mint.article(canonical.get(doc.doc_id, doc.doc_id))
    # The article's own triples come first, grouped by property, so Turtle writes each subject once.
    head: list[Quad] = []
    links: list[Quad] = []
    body: list[Quad] = []
    seen: set[tuple[str, str]] = set()
    problems: list[Problem] = []

    def add(s: NamedNode, p: NamedNode, o: NamedNode | Literal) -> None:
        if s is not art:
            body.append(Quad(s, p, o, g))
        elif p is KGO.mention:
            links.append(Quad(s, p, o, g))
        elif (p.value, o.value) not in seen:  # a table may name one entity twice
            seen.add((p.value, o.value))
            head.append(Quad(s, p, o, g))

    overflow: list[tuple[str, str, int]] = []  # (property, text, line) of what long texts did not fit

    def text(s: NamedNode, p: NamedNode, value: str, line: int, end: int = 0) -> None:
        """A text literal; one longer than MAX_LITERAL is cut, the rest continues in Section nodes."""
        if len(value) <= MAX_LITERAL:
            add(s, p, Literal(value))
            return
        chunks = _chunks(value, MAX_LITERAL)
        add(s, p, Literal(chunks[0]))
        overflow.extend((p.value, c, line) for c in chunks[1:])
        problems.append(Problem(doc.path, line, "long-text",
                                f"a text of {len(value):,} characters: its first {len(chunks[0]):,} are the value of "
                                f"<{p.value}>, the rest continues in {len(chunks) - 1} kgo:Section nodes",
                                end_line=end))

    add(art, RDF.type, KGO.Article)
    add(art, DCTERMS.identifier, Literal(doc.doc_id))
    if doc.title and not doc.title_is_id:
        add(art, DCTERMS.title, Literal(doc.title))
    if doc.page_id:
        add(art, KGO.pageId, Literal(doc.page_id))
    if doc.date:
        add(art, DCTERMS.date, Literal(doc.date, datatype=XSD.date))
    if doc.page_url:
        iri = safe_iri(doc.page_url)
        if iri:
            add(art, KGO.pageUrl, NamedNode(iri))
            if iri != doc.page_url.strip():
                problems.append(Problem(doc.path, doc.title_line, "url-repaired",
                                        f"page link {doc.page_url!r} written as the IRI <{iri}>", "info"))
        else:
            add(art, KGO.note, Literal(f"page link: {doc.page_url}"))
            problems.append(Problem(doc.path, doc.title_line, "bad-url", f"page link {doc.page_url!r} is not an IRI"))
    if doc.external_url:
        iri = safe_iri(doc.external_url)
        if iri:
            add(art, DCTERMS.source, NamedNode(iri))
            if iri != doc.external_url.strip():
                problems.append(Problem(doc.path, doc.external_line, "url-repaired",
                                        f"external link {doc.external_url!r} written as the IRI <{iri}>", "info"))
        else:
            add(art, KGO.sourceText, Literal(doc.external_url))
            problems.append(Problem(doc.path, doc.external_line, "bad-url",
                                    f"external link {doc.external_url!r} is not an IRI; kept as text"))
    if doc.summary:
        text(art, DCTERMS.abstract, doc.summary, *doc.summary_lines)
    add(art, KGO.sourceFile, Literal(doc.path))
    add(art, KGO.contentSha256, Literal(doc.sha256))
    for kind, value in (("Category", doc.category), ("ContentType", doc.content_type)):
        if value:
            add(art, HAS[kind], mint.node(kind, slugs[(kind, value)]))
    for kind, bullets in (("Keyword", doc.keywords), ("Theme", doc.themes)):
        for b in bullets:
            add(art, HAS[kind], mint.node(kind, slugs[(kind, b.text)]))
    for b in doc.notes:
        text(art, KGO.note, b.text, b.line)
    closest: list[tuple[str, str]] = []
    targets: set[str] = set()
    for link in doc.closest:
        target = canonical.get(link.target, link.target)
        if target == canonical.get(doc.doc_id, doc.doc_id):
            problems.append(Problem(doc.path, link.line, "self-link", "Closest link to the document itself skipped",
                                    "info"))
            continue
        if target in targets:
            problems.append(Problem(doc.path, link.line, "duplicate-link", "repeated Closest link skipped", "info"))
            continue
        targets.add(target)
        add(art, KGO.closest, mint.article(target))
        closest.append((target, link.title))
    for k, extra in enumerate(doc.extras, 1):
        sec = mint.local("Section", doc.doc_id, str(k))
        add(art, KGO.section, sec)
        add(sec, RDF.type, KGO.Section)
        add(sec, KGO.sectionName, Literal(extra.name))
        text(sec, KGO.content, extra.text, extra.line)
        add(sec, KGO.sourceLine, _int(extra.line))
    counters: dict[str, int] = defaultdict(int)
    for row in doc.rows:
        letter = _ROW_LETTER[row.kind]
        counters[letter] += 1
        m = mint.local("Mention", doc.doc_id, f"{letter}{counters[letter]}")
        ent = mint.node(row.kind, slugs[(row.kind, row.name)])
        add(art, HAS[row.kind], ent)
        add(art, KGO.mention, m)
        add(m, RDF.type, KGO.Mention)
        add(m, KGO.entity, ent)
        add(m, KGO.name, Literal(row.name))
        if row.name_derived:
            add(m, KGO.nameDerived, _TRUE)
        for prop, value in ((DCTERMS.description, row.description), (KGO.change, row.change),
                            (KGO.tenYearOutlook, row.ten_year), (KGO.drivingForce, row.driving_force),
                            (KGO.src, row.src), (KGO.relevancyText, row.relevancy_text)):
            if value:
                text(m, prop, value, row.line)
        if row.relevancy is not None:
            add(m, KGO.relevancy, _int(row.relevancy))
        add(m, KGO.sourceLine, _int(row.line))
        for j, (column, value) in enumerate(row.extra, 1):
            cell = NamedNode(f"{m.value}-x{j}")
            add(m, KGO.cell, cell)
            add(cell, RDF.type, KGO.Cell)
            add(cell, KGO.column, Literal(column))
            text(cell, RDF.value, value, row.line)
    for k, (prop, chunk, line) in enumerate(overflow, len(doc.extras) + 1):
        sec = mint.local("Section", doc.doc_id, str(k))
        add(art, KGO.section, sec)
        add(sec, RDF.type, KGO.Section)
        add(sec, KGO.sectionName, Literal(f"continued: {prop}"))
        add(sec, KGO.content, Literal(chunk))
        add(sec, KGO.sourceLine, _int(line))
    return Emitted(head + links + body, closest, problems)


def corpus_quads(res: Resolution, labels: Mapping[str, str], linked: Mapping[str, Mapping[str, int]],
                 mint: Minter) -> Iterator[Quad]:
    """Default-graph quads: node types and labels, related concepts and technology mentions, article labels
    (`labels`: article id -> label), and articles only known from Closest links (`linked`: target article id
    -> link title -> count). The graph is an OWL ontology (its base IRI) that imports ontology/kg.ttl."""
    data = NamedNode(mint.base)
    yield Quad(data, RDF.type, OWL.Ontology, DEFAULT)
    yield Quad(data, OWL.imports, NamedNode(ONTOLOGY_IRI), DEFAULT)
    related: dict[tuple[str, str], list[NamedNode]] = defaultdict(list)
    for a, b in res.related:
        related[(a.kind, a.slug)].append(mint.entity(b))
        related[(b.kind, b.slug)].append(mint.entity(a))
    mentions: dict[tuple[str, str], list[NamedNode]] = defaultdict(list)
    for a, tech in res.mentions:
        mentions[(a.kind, a.slug)].append(mint.entity(tech))
    for e in res.entities:
        node = mint.entity(e)
        yield Quad(node, RDF.type, KGO[e.kind], DEFAULT)
        yield Quad(node, RDFS.label, Literal(e.label), DEFAULT)
        for alt in e.alt_labels:
            yield Quad(node, SKOS.altLabel, Literal(alt), DEFAULT)
        for hidden in sorted(e.names | {f.lower() for f in e.forms}):  # for case-insensitive lookups by name
            yield Quad(node, SKOS.hiddenLabel, Literal(hidden), DEFAULT)
        for other in sorted(related.get((e.kind, e.slug), []), key=lambda n: n.value):
            yield Quad(node, KGO.relatedConcept, other, DEFAULT)
        for tech in mentions.get((e.kind, e.slug), []):
            yield Quad(node, KGO.mentionsEntity, tech, DEFAULT)
    for aid in sorted(labels):
        node = mint.article(aid)
        yield Quad(node, RDFS.label, Literal(labels[aid]), DEFAULT)
        yield Quad(node, KGO.loaded, _TRUE, DEFAULT)
        for title in sorted(linked.get(aid, {})):
            if title != labels[aid]:
                yield Quad(node, SKOS.altLabel, Literal(title), DEFAULT)
    for target in sorted(set(linked) - set(labels)):
        node = mint.article(target)
        titles = linked[target]
        yield Quad(node, RDF.type, KGO.Article, DEFAULT)
        yield Quad(node, DCTERMS.identifier, Literal(target), DEFAULT)
        label = min(titles, key=lambda t: (-titles[t], t)) if titles else target
        yield Quad(node, RDFS.label, Literal(label), DEFAULT)
        for title in sorted(titles):
            if title != label:
                yield Quad(node, SKOS.altLabel, Literal(title), DEFAULT)
        yield Quad(node, KGO.loaded, _FALSE, DEFAULT)
