"""Records -> RDF quads: one named graph per document, corpus-level facts in the default graph."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import cast

from pyoxigraph import Literal, NamedNode, Quad

from kg.articles import primary_first
from kg.identity import doc_segment, fold, safe_iri
from kg.model import Document, Problem, Row
from kg.resolve import Entity, Resolution
from kg.turtle import Lit, Object, Triple3
from kg.vocab import (
    DCTERMS,
    DEFAULT_BASE,
    FALSE,
    HAS,
    KGO,
    KGO_NS,
    LINK_NAMES,
    ONTOLOGY_IRI,
    OWL,
    RDF,
    RDFS,
    SEGMENTS,
    SKOS,
    STRONG_RELEVANCY,
    TRUE,
    XSD,
    XSD_NS,
    Terms,
    integer,
)

__all__ = ["MAX_LITERAL", "Copies", "Emitted", "Minter", "as_literal", "copies_of", "corpus_triples", "document_quads",
           "shared_rows"]

_ROW_LETTER = {"Signal": "s", "Concern": "c", "Behavior": "b", "Technology": "t", "Issue": "i"}


MAX_LITERAL = 1 << 21  # characters: RDF parsers cap a token's size (Oxigraph at 16 MB), so longer texts are cut


def _chunks(text: str, size: int) -> list[str]:
    """Pieces of at most `size` characters, cut after a newline (or a space) where there is one."""
    out = []
    while len(text) > size:
        cut = text.rfind("\n", 0, size) + 1 or text.rfind(" ", 0, size) + 1 or size
        out.append(text[:cut])
        text = text[cut:]
    return [*out, text]


def as_literal(text: str) -> str:
    """The part of a text that is the value of its literal (the rest of a longer one goes to Sections)."""
    return text if len(text) <= MAX_LITERAL else _chunks(text, MAX_LITERAL)[0]


@dataclass
class Minter:
    """IRIs of every node under one base IRI, as strings (`*_iri`) or NamedNodes; entity nodes are cached."""

    base: str = DEFAULT_BASE
    _cache: dict[tuple[str, str], NamedNode] = field(default_factory=dict)
    _iris: dict[tuple[str, str], str] = field(default_factory=dict)

    def iri(self, kind: str, local: str) -> str:
        """The IRI of a node of a type by its local name."""
        key = (kind, local)
        iri = self._iris.get(key)
        if iri is None:
            iri = self._iris[key] = f"{self.base}{SEGMENTS[kind]}/{local}"
        return iri

    def node(self, kind: str, local: str) -> NamedNode:
        """The node of a type by its local name."""
        key = (kind, local)
        n = self._cache.get(key)
        if n is None:
            n = self._cache[key] = NamedNode(self.iri(kind, local))
        return n

    def article_iri(self, doc_id: str) -> str:
        """The IRI of the Article of a document id."""
        return self.iri("Article", doc_segment(doc_id))

    def article(self, doc_id: str) -> NamedNode:
        """The Article node of a document id."""
        return self.node("Article", doc_segment(doc_id))

    def graph_iri(self, doc_id: str) -> str:
        """The IRI of a document's named graph."""
        return f"{self.base}graph/{doc_segment(doc_id)}"

    def graph(self, doc_id: str) -> NamedNode:
        """A document's named graph."""
        return NamedNode(self.graph_iri(doc_id))

    def entity_iri(self, e: Entity) -> str:
        """The IRI of a resolved entity's node."""
        return self.iri(e.kind, e.slug)

    def entity(self, e: Entity) -> NamedNode:
        """The node of a resolved entity."""
        return self.node(e.kind, e.slug)

    def local_iri(self, kind: str, doc_id: str, suffix: str) -> str:
        """The IRI of a node that belongs to one document (a mention, section or cell)."""
        return f"{self.base}{SEGMENTS[kind]}/{doc_segment(doc_id)}-{suffix}"

    def local(self, kind: str, doc_id: str, suffix: str) -> NamedNode:
        """A node that belongs to one document (a mention, section or cell)."""
        return NamedNode(self.local_iri(kind, doc_id, suffix))


K, D, W, S = Terms(KGO), Terms(DCTERMS), Terms(OWL), Terms(SKOS)
_LABEL = RDFS.label.value
_TYPE, _VALUE, _MENTION = RDF.type.value, RDF.value.value, KGO.mention.value
_HAS = {kind: term.value for kind, term in HAS.items()}
_INTEGER, _DATE = XSD.integer.value, XSD.date.value


def _term(o: Object) -> NamedNode | Literal:
    return NamedNode(o) if isinstance(o, str) else Literal(o.value, datatype=NamedNode(o.datatype or XSD_NS + "string"))


def _row_suffixes(doc: Document) -> list[str]:
    """The mention suffix (s1, t2, ...) of each of a document's rows, in order."""
    counters: dict[str, int] = defaultdict(int)
    out = []
    for row in doc.rows:
        letter = _ROW_LETTER[row.kind]
        counters[letter] += 1
        out.append(f"{letter}{counters[letter]}")
    return out


def _row_text(row: Row) -> tuple[object, ...]:
    """What a row says, spacing aside: rows of two copies of an article that say the same are one Mention."""
    def norm(t: str) -> str:
        return " ".join(t.split())
    return (row.kind, norm(row.name), norm(row.description), norm(row.change), norm(row.ten_year),
            norm(row.driving_force), row.relevancy, norm(row.relevancy_text), norm(row.src),
            tuple((norm(c), norm(v)) for c, v in row.extra), row.name_derived)


def shared_rows(versions: Sequence[Document]) -> dict[tuple[str, int], tuple[str, str]]:
    """(document id, row index) -> (document id, mention suffix) of the Mention each row of the documents of
    one article is: a row equal to a row of a document before it (primary_first order) is that row's Mention;
    any other row is a Mention of its own."""
    out: dict[tuple[str, int], tuple[str, str]] = {}
    free: dict[tuple[object, ...], list[tuple[str, str]]] = defaultdict(list)  # rows earlier documents said
    for doc in primary_first(versions):
        mine: dict[tuple[object, ...], list[tuple[str, str]]] = defaultdict(list)
        taken: Counter[tuple[object, ...]] = Counter()  # a row said twice in one copy is two Mentions
        for i, (row, suffix) in enumerate(zip(doc.rows, _row_suffixes(doc), strict=True)):
            text = _row_text(row)
            if taken[text] < len(free.get(text, ())):
                out[(doc.doc_id, i)] = free[text][taken[text]]
                taken[text] += 1
            else:
                out[(doc.doc_id, i)] = (doc.doc_id, suffix)
                mine[text].append((doc.doc_id, suffix))
        for text, owners in mine.items():
            free[text].extend(owners)
    return out


@dataclass(frozen=True)
class Copies:
    """What the documents of one article share, made once for all of them (see copies_of)."""

    primary: Document  # the one that describes the Article
    shared: dict[tuple[str, int], tuple[str, str]]  # shared_rows of the documents


def copies_of(versions: Sequence[Document]) -> Copies:
    """The Copies of an article's documents (two or more)."""
    return Copies(primary_first(versions)[0], shared_rows(versions))


@dataclass
class Emitted:
    """Triples of one document's named graph plus what the corpus level needs from it, gathered while the
    triples are made."""

    graph: str  # the IRI of the document's named graph
    triples: list[Triple3]
    closest: list[tuple[str, str]]  # (target article id, link title) of links kept
    problems: list[Problem]
    article_quads: int = 0  # the first triples, whose subject is the article
    links: list[tuple[str, str]] = field(default_factory=list)  # (node IRI, link name) of the article's links
    # (entity, relevancy, name, description, change, ten-year outlook, driving force) of each Mention it owns
    sources: list[tuple[str, int | None, str, str, str, str, str]] = field(default_factory=list)
    strong: list[tuple[str, str]] = field(default_factory=list)  # (Mention, entity) of each with relevancy 5
    describes: bool = True  # whether this document describes its Article (the most recent of its copies)
    counts: dict[str, int] = field(default_factory=dict)  # nodes of this document by type (Mention, ...)

    @property
    def quads(self) -> list[Quad]:
        """The triples as pyoxigraph quads in the document's named graph."""
        g = NamedNode(self.graph)
        return [Quad(NamedNode(s), NamedNode(p), _term(o), g) for s, p, o in self.triples]


class _Emitter:
    """Makes one document's quads in its named graph: the article's own first, grouped by property, so that
    Turtle writes each subject once."""

    def __init__(self, doc: Document, slugs: Mapping[tuple[str, str], str], canonical: Mapping[str, str],
                 mint: Minter, copies: Copies | None = None) -> None:
        self.doc, self.slugs, self.canonical, self.mint = doc, slugs, canonical, mint
        self.g = mint.graph_iri(doc.doc_id)
        self.art = mint.article_iri(canonical.get(doc.doc_id, doc.doc_id))
        self.primary = copies.primary if copies else doc
        self.merged = copies is not None
        self.shared = copies.shared if copies else {}
        self.head: list[Triple3] = []
        self.mentions: list[Triple3] = []
        self.body: list[Triple3] = []
        self.seen: set[tuple[str, str]] = set()
        self.out = Emitted(self.g, [], [], [])
        self.overflow: list[tuple[str, str, int]] = []  # (property, text, line) of what long texts did not fit
        self.counts: Counter[str] = Counter()

    def add(self, s: str, p: str, o: Object) -> None:
        if s != self.art:
            self.body.append((s, p, o))
            if p == _TYPE:
                self.counts[cast(str, o)[len(KGO_NS):]] += 1
        elif p == _MENTION:
            self.mentions.append((s, p, o))
        elif (key := (p, o if isinstance(o, str) else o.value)) not in self.seen:  # a table may name one entity twice
            self.seen.add(key)
            self.head.append((s, p, o))
            if p in LINK_NAMES:
                self.out.links.append((cast(str, o), LINK_NAMES[p]))

    def problem(self, line: int, code: str, message: str, severity: str = "warning", end: int = 0) -> None:
        self.out.problems.append(Problem(self.doc.path, line, code, message, severity, end))

    def text(self, s: str, p: str, value: str, line: int, end: int = 0) -> None:
        """A text literal; one longer than MAX_LITERAL is cut, the rest continues in Section nodes."""
        if len(value) <= MAX_LITERAL:
            self.add(s, p, Lit(value))
            return
        chunks = _chunks(value, MAX_LITERAL)
        self.add(s, p, Lit(chunks[0]))
        self.overflow.extend((p, c, line) for c in chunks[1:])
        self.problem(line, "long-text", f"a text of {len(value):,} characters: its first {len(chunks[0]):,} are "
                     f"the value of <{p}>, the rest continues in {len(chunks) - 1} kgo:Section nodes", end=end)

    def url(self, s: str, prop: str, url: str, line: int, what: str, fallback: str, kept: str,
            tail: str = "") -> None:
        """A link as an IRI (repaired where IRIs forbid a character, and reported), or kept as text."""
        iri = safe_iri(url)
        if iri:
            self.add(s, prop, iri)
            if iri != url.strip():
                self.problem(line, "url-repaired", f"{what} {url!r} written as the IRI <{iri}>", "info")
        else:
            self.add(s, fallback, Lit(kept))
            self.problem(line, "bad-url", f"{what} {url!r} is not an IRI{tail}")

    def article(self) -> None:
        """The Article's quads from this document: its own description when it is the article's most recent
        document, else a kgo:ArticleVersion with what this copy says, and its title as an alternative."""
        doc, art, add = self.doc, self.art, self.add
        add(art, _TYPE, K.Article)
        add(art, D.identifier, Lit(doc.doc_id))
        titled = bool(doc.title) and not doc.title_is_id
        about = art
        if doc is not self.primary:
            self.out.describes = False
            about = self.mint.iri("ArticleVersion", doc_segment(doc.doc_id))
            add(art, D.hasVersion, about)
            add(about, _TYPE, K.ArticleVersion)
            add(about, D.isVersionOf, art)
            add(about, D.identifier, Lit(doc.doc_id))
            add(about, K.sourceFile, Lit(doc.path))
            primary = self.primary
            if titled and (primary.title_is_id or fold(doc.title) != fold(primary.title)):
                add(art, D.alternative, Lit(doc.title))
        if titled:
            add(about, D.title, Lit(doc.title))
        if doc.page_id:
            add(about, K.pageId, Lit(doc.page_id))
        if doc.date:
            add(about, D.date, Lit(doc.date, _DATE))
        if doc.page_url:
            self.url(about, K.pageUrl, doc.page_url, doc.title_line, "page link", K.note,
                     f"page link: {doc.page_url}")
        if doc.external_url:
            self.url(about, D.source, doc.external_url, doc.external_line, "external link", K.sourceText,
                     doc.external_url, "; kept as text")
        if doc.summary:
            self.text(about, D.abstract, doc.summary, *doc.summary_lines)
        add(art, K.sourceFile, Lit(doc.path))
        add(art, K.contentSha256, Lit(doc.sha256))
        for kind, value in (("Category", doc.category), ("ContentType", doc.content_type)):
            if value:
                add(art, _HAS[kind], self.mint.iri(kind, self.slugs[(kind, value)]))
        for kind, bullets in (("Keyword", doc.keywords), ("Theme", doc.themes)):
            for b in bullets:
                add(art, _HAS[kind], self.mint.iri(kind, self.slugs[(kind, b.text)]))
        for b in doc.notes:
            self.text(art, K.note, b.text, b.line)

    def closest(self) -> None:
        targets: set[str] = set()
        own = self.canonical.get(self.doc.doc_id, self.doc.doc_id)
        for link in self.doc.closest:
            target = self.canonical.get(link.target, link.target)
            if target == own:
                self.problem(link.line, "self-link", "Closest link to the document itself skipped", "info")
            elif target in targets:
                self.problem(link.line, "duplicate-link", "repeated Closest link skipped", "info")
            else:
                targets.add(target)
                self.add(self.art, K.closest, self.mint.article_iri(target))
                self.out.closest.append((target, link.title))

    def section(self, k: int, name: str, line: int, content: str, cut: bool = False) -> None:
        sec = self.mint.local_iri("Section", self.doc.doc_id, str(k))
        self.add(self.art, K.section, sec)
        self.add(sec, _TYPE, K.Section)
        self.add(sec, K.sectionName, Lit(name))
        if cut:  # a continuation of a long text: already cut to size
            self.add(sec, K.content, Lit(content))
        else:
            self.text(sec, K.content, content, line)
        self.add(sec, K.sourceLine, integer(line))

    def rows(self) -> None:
        doc = self.doc
        for i, (row, suffix) in enumerate(zip(doc.rows, _row_suffixes(doc), strict=True)):
            owner, owned = self.shared.get((doc.doc_id, i), (doc.doc_id, suffix))
            m = self.mint.local_iri("Mention", owner, owned)
            ent = self.mint.iri(row.kind, self.slugs[(row.kind, row.name)])
            if self.merged:
                self.add(m, K.sourceFile, Lit(doc.path))
            if owner != doc.doc_id:  # the row an earlier copy of the article says: that Mention, this file too
                self.add(self.art, _HAS[row.kind], ent)
                self.add(self.art, K.mention, m)
                continue
            self.row(row, m, ent)
            self.out.sources.append((ent, row.relevancy, row.name, as_literal(row.description),
                                     as_literal(row.change), as_literal(row.ten_year), as_literal(row.driving_force)))
            if row.relevancy == STRONG_RELEVANCY:
                self.out.strong.append((m, ent))

    def row(self, row: Row, m: str, ent: str) -> None:
        add = self.add
        add(self.art, _HAS[row.kind], ent)
        add(self.art, K.mention, m)
        add(m, _TYPE, K.Mention)
        add(m, K.entity, ent)
        add(m, K.name, Lit(row.name))
        if row.name_derived:
            add(m, K.nameDerived, TRUE)
        for prop, value in ((D.description, row.description), (K.change, row.change),
                            (K.tenYearOutlook, row.ten_year), (K.drivingForce, row.driving_force),
                            (K.src, row.src), (K.relevancyText, row.relevancy_text)):
            if value:
                self.text(m, prop, value, row.line)
        if row.relevancy is not None:
            add(m, K.relevancy, integer(row.relevancy))
        add(m, K.sourceLine, integer(row.line))
        for j, (column, value) in enumerate(row.extra, 1):
            cell = f"{m}-x{j}"
            add(m, K.cell, cell)
            add(cell, _TYPE, K.Cell)
            add(cell, K.column, Lit(column))
            self.text(cell, _VALUE, value, row.line)

    def run(self) -> Emitted:
        self.article()
        self.closest()
        for k, extra in enumerate(self.doc.extras, 1):
            self.section(k, extra.name, extra.line, extra.text)
        self.rows()
        for k, (prop, chunk, line) in enumerate(self.overflow, len(self.doc.extras) + 1):
            self.section(k, f"continued: {prop}", line, chunk, cut=True)
        out = self.out
        out.triples = self.head + self.mentions + self.body
        out.article_quads = len(self.head) + len(self.mentions)
        out.counts = dict(self.counts)
        return out


def document_quads(doc: Document, slugs: Mapping[tuple[str, str], str], canonical: Mapping[str, str],
                   mint: Minter, copies: Copies | None = None) -> Emitted:
    """All quads one document asserts, in its own named graph, and what the corpus level needs from them.
    `slugs` gives each (type, surface form) its node, `canonical` each document id its Article (ids not in
    the build are their own Article), `copies` what it shares with the other documents of its article."""
    return _Emitter(doc, slugs, canonical, mint, copies).run()


def corpus_triples(res: Resolution, labels: Mapping[str, str], linked: Mapping[str, Mapping[str, int]],
                   mint: Minter) -> Iterator[Triple3]:
    """Default-graph triples: node types and labels, related concepts and technology mentions, article labels
    (`labels`: article id -> label), and articles only known from Closest links (`linked`: target article id
    -> link title -> count). The graph is an OWL ontology (its base IRI) that imports ontology/kg.ttl."""
    data = mint.base
    yield data, _TYPE, W.Ontology
    yield data, W.imports, ONTOLOGY_IRI
    related: dict[tuple[str, str], list[str]] = defaultdict(list)
    for a, b in res.related:
        related[(a.kind, a.slug)].append(mint.iri(b.kind, b.slug))
        related[(b.kind, b.slug)].append(mint.iri(a.kind, a.slug))
    mentions: dict[tuple[str, str], list[str]] = defaultdict(list)
    for a, tech in res.mentions:
        mentions[(a.kind, a.slug)].append(mint.iri(tech.kind, tech.slug))
    for e in res.entities:
        node = mint.iri(e.kind, e.slug)
        yield node, _TYPE, getattr(K, e.kind)
        yield node, _LABEL, Lit(e.label)
        for alt in e.alt_labels:
            yield node, S.altLabel, Lit(alt)
        for hidden in sorted(e.names | {f.lower() for f in e.forms}):  # for case-insensitive lookups by name
            yield node, S.hiddenLabel, Lit(hidden)
        for other in sorted(related.get((e.kind, e.slug), [])):
            yield node, K.relatedConcept, other
        for named in mentions.get((e.kind, e.slug), []):
            yield node, K.mentionsEntity, named
        for old in e.retired:
            yield mint.iri(e.kind, old), D.isReplacedBy, node
    for aid in sorted(labels):
        node = mint.article_iri(aid)
        yield node, _LABEL, Lit(labels[aid])
        yield node, K.loaded, TRUE
        for title in sorted(linked.get(aid, {})):
            if title != labels[aid]:
                yield node, S.altLabel, Lit(title)
    for target in sorted(set(linked) - set(labels)):
        node = mint.article_iri(target)
        titles = linked[target]
        yield node, _TYPE, K.Article
        yield node, D.identifier, Lit(target)
        label = min(titles, key=lambda t: (-titles[t], t)) if titles else target
        yield node, _LABEL, Lit(label)
        for title in sorted(titles):
            if title != label:
                yield node, S.altLabel, Lit(title)
        yield node, K.loaded, FALSE
