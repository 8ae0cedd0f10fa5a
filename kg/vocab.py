"""The vocabulary: the ontology's terms (ontology/kg.ttl) and the W3C terms kg writes, as declared pyoxigraph
NamedNodes (a term that is not declared is an error, for the type checker and at run time), and the facts
built on them that several stages share: node types and IRI segments, link predicates, metric names,
cluster and graph IRIs, prefixes, literal helpers."""

from __future__ import annotations

import inspect
from typing import ClassVar

from pyoxigraph import DefaultGraph, NamedNode

from kg.turtle import Lit

__all__ = [
    "CONTENT_TYPES",
    "DCTERMS",
    "DEFAULT",
    "DEFAULT_BASE",
    "ENTITY_TYPES",
    "FACET_TYPES",
    "HAS",
    "KGO",
    "KGO_NS",
    "LINKS",
    "LINK_NAMES",
    "METRICS",
    "NODE_TYPES",
    "ONTOLOGY_IRI",
    "OWL",
    "RDF",
    "RDFS",
    "SEGMENTS",
    "SKOS",
    "STRONG_RELEVANCY",
    "XSD",
    "Namespace",
    "Terms",
    "as_written",
    "boolean",
    "cluster_iri",
    "derived_iri",
    "double",
    "double_text",
    "integer",
    "output_prefixes",
    "prefixes",
]

KGO_NS = "https://w3id.org/signals-kg/ontology#"
ONTOLOGY_IRI = "https://w3id.org/signals-kg/ontology"  # owl:Ontology of ontology/kg.ttl
DEFAULT_BASE = "https://w3id.org/signals-kg/id/"
RDF_NS = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS_NS = "http://www.w3.org/2000/01/rdf-schema#"
XSD_NS = "http://www.w3.org/2001/XMLSchema#"
OWL_NS = "http://www.w3.org/2002/07/owl#"
SKOS_NS = "http://www.w3.org/2004/02/skos/core#"
DCTERMS_NS = "http://purl.org/dc/terms/"
PROV_NS = "http://www.w3.org/ns/prov#"
DEFAULT = DefaultGraph()


class Namespace:
    """A closed namespace in the style of rdflib's DefinedNamespace with `_fail = True`: its terms are the
    class's annotations, each a NamedNode; any other name is an AttributeError (and a type error)."""

    _NS: ClassVar[str] = ""
    _TERMS: ClassVar[frozenset[str]] = frozenset()

    def __init_subclass__(cls) -> None:
        super().__init_subclass__()
        cls._TERMS = frozenset(n for n in inspect.get_annotations(cls) if not n.startswith("_"))
        for name in cls._TERMS:
            setattr(cls, name, NamedNode(cls._NS + name))

    @classmethod
    def term(cls, name: str) -> NamedNode:
        """The term of a name known only at run time (a node type, say); KeyError if it is not declared."""
        if name not in cls._TERMS:
            raise KeyError(f"{cls._NS}{name} is not a term of {cls.__name__}")
        node: NamedNode = getattr(cls, name)
        return node

    @classmethod
    def names(cls) -> frozenset[str]:
        """The local names of every declared term."""
        return cls._TERMS

    @classmethod
    def local(cls, iri: str) -> str | None:
        """The local name of a term's IRI, or None if the IRI is not a declared term."""
        if iri.startswith(cls._NS) and iri[len(cls._NS):] in cls._TERMS:
            return iri[len(cls._NS):]
        return None


class KGO(Namespace):
    """Terms of ontology/kg.ttl (checked both ways by tests/test_vocab.py)."""

    _NS = KGO_NS
    # classes
    Article: NamedNode
    ArticleVersion: NamedNode
    Signal: NamedNode
    Technology: NamedNode
    Concern: NamedNode
    Behavior: NamedNode
    Issue: NamedNode
    Theme: NamedNode
    Keyword: NamedNode
    Category: NamedNode
    ContentType: NamedNode
    Mention: NamedNode
    Cluster: NamedNode
    Section: NamedNode
    Cell: NamedNode
    Entity: NamedNode
    # article -> node links
    hasKeyword: NamedNode
    hasTheme: NamedNode
    hasSignal: NamedNode
    hasTechnology: NamedNode
    hasConcern: NamedNode
    hasBehavior: NamedNode
    hasIssue: NamedNode
    category: NamedNode
    contentType: NamedNode
    closest: NamedNode
    # articles and mentions
    pageId: NamedNode
    pageUrl: NamedNode
    sourceText: NamedNode
    mention: NamedNode
    entity: NamedNode
    relevancy: NamedNode
    relevancyText: NamedNode
    change: NamedNode
    tenYearOutlook: NamedNode
    drivingForce: NamedNode
    name: NamedNode
    nameDerived: NamedNode
    sourceLine: NamedNode
    src: NamedNode
    cell: NamedNode
    column: NamedNode
    note: NamedNode
    section: NamedNode
    sectionName: NamedNode
    content: NamedNode
    sourceFile: NamedNode
    contentSha256: NamedNode
    loaded: NamedNode
    relatedConcept: NamedNode
    mentionsEntity: NamedNode
    # analytics
    degree: NamedNode
    weightedDegree: NamedNode
    pagerank: NamedNode
    betweenness: NamedNode
    eigenvector: NamedNode
    participation: NamedNode
    bridgeRank: NamedNode
    inCluster: NamedNode
    size: NamedNode
    level: NamedNode
    parentCluster: NamedNode
    # time
    firstSeen: NamedNode
    lastSeen: NamedNode
    articleCount: NamedNode
    trend: NamedNode
    trendSlope: NamedNode
    trendP: NamedNode
    burst: NamedNode
    start: NamedNode
    end: NamedNode
    strength: NamedNode
    signalQuadrant: NamedNode
    Burst: NamedNode
    TrendClass: NamedNode
    Rising: NamedNode
    Fading: NamedNode
    Steady: NamedNode
    New: NamedNode
    Quadrant: NamedNode
    WeakSignal: NamedNode
    StrongSignal: NamedNode
    WellKnown: NamedNode
    Latent: NamedNode
    # tallies (kg/tallies.py)
    month: NamedNode
    strongSignal: NamedNode
    strongSignalOrder: NamedNode
    signalCount: NamedNode
    outlookSignalCount: NamedNode
    lastSignalDate: NamedNode
    outlookCount: NamedNode
    outlookArticleCount: NamedNode
    disagreementRank: NamedNode
    answeringArticleCount: NamedNode
    technologyCount: NamedNode
    scrutinisedTechnologyCount: NamedNode
    maxRelevancy: NamedNode
    meanRelevancy: NamedNode
    labelOrder: NamedNode
    MonthlyCount: NamedNode
    countOf: NamedNode
    countMonth: NamedNode
    monthArticleCount: NamedNode


class RDF(Namespace):
    """The RDF terms kg writes."""
    _NS = RDF_NS
    type: NamedNode
    value: NamedNode


class RDFS(Namespace):
    """The RDFS terms kg writes."""
    _NS = RDFS_NS
    label: NamedNode
    comment: NamedNode


class SKOS(Namespace):
    """The SKOS terms kg writes."""
    _NS = SKOS_NS
    altLabel: NamedNode
    hiddenLabel: NamedNode
    related: NamedNode


class DCTERMS(Namespace):
    """The DCMI terms kg writes."""
    _NS = DCTERMS_NS
    title: NamedNode
    source: NamedNode
    date: NamedNode
    abstract: NamedNode
    identifier: NamedNode
    description: NamedNode
    alternative: NamedNode
    isReplacedBy: NamedNode
    hasVersion: NamedNode
    isVersionOf: NamedNode


class XSD(Namespace):
    """The XSD datatypes kg writes."""
    _NS = XSD_NS
    integer: NamedNode
    double: NamedNode
    decimal: NamedNode
    date: NamedNode
    gYearMonth: NamedNode
    boolean: NamedNode
    string: NamedNode


class OWL(Namespace):
    """The OWL terms kg writes."""
    _NS = OWL_NS
    Ontology: NamedNode
    imports: NamedNode


# ---------------------------------------------------------------- node types and IRIs

ENTITY_TYPES = ("Signal", "Technology", "Concern", "Behavior", "Issue", "Theme", "Keyword", "Category",
                "ContentType")
NODE_TYPES = frozenset({"Article", *ENTITY_TYPES})  # the vertices of the article-entity view
FACET_TYPES = frozenset({"Category", "ContentType"})  # what an article is, not what it says
# What articles say: the types `kg top` ranks when none is asked for.
STRONG_RELEVANCY = 5  # the relevancy of a strong signal (of the 1-5 scale)
CONTENT_TYPES = ("Technology", "Signal", "Concern", "Behavior", "Issue", "Theme", "Keyword")
# Path segment of each node type under the base IRI.
SEGMENTS: dict[str, str] = {
    "Article": "article", "Mention": "mention", "Signal": "signal", "Technology": "technology",
    "Concern": "concern", "Behavior": "behavior", "Issue": "issue", "Theme": "theme", "Keyword": "keyword",
    "Category": "category", "ContentType": "content-type", "Cluster": "cluster", "Section": "section",
    "Cell": "cell", "ArticleVersion": "version", "Burst": "burst", "MonthlyCount": "month-count",
    "graph": "graph",
}
# Article -> node link per node type, and every link predicate with its local name.
HAS: dict[str, NamedNode] = {
    "Signal": KGO.hasSignal, "Technology": KGO.hasTechnology, "Concern": KGO.hasConcern,
    "Behavior": KGO.hasBehavior, "Issue": KGO.hasIssue, "Theme": KGO.hasTheme, "Keyword": KGO.hasKeyword,
    "Category": KGO.category, "ContentType": KGO.contentType,
}
LINKS: tuple[NamedNode, ...] = (KGO.hasKeyword, KGO.hasTheme, KGO.hasSignal, KGO.hasTechnology, KGO.hasConcern,
                                KGO.hasBehavior, KGO.hasIssue, KGO.category, KGO.contentType, KGO.closest)
LINK_NAMES: dict[str, str] = {t.value: t.value[len(KGO_NS):] for t in LINKS}  # IRI -> hasKeyword, ...
# Metrics written per vertex: the name the code uses -> the term.
METRICS: dict[str, NamedNode] = {"degree": KGO.degree, "weighted_degree": KGO.weightedDegree,
                                 "pagerank": KGO.pagerank, "betweenness": KGO.betweenness,
                                 "eigenvector": KGO.eigenvector}


def derived_iri(base: str, kind: str, node: str, suffix: str) -> str:
    """The IRI of a node made from another (a kgo:Burst, a kgo:MonthlyCount): under the base, the kind's
    segment, then the node's path below the base (its last segment if elsewhere) with "/" as "-", and suffix."""
    local = node[len(base):].replace("/", "-") if node.startswith(base) else node.rsplit("/", 1)[-1]
    return f"{base}{SEGMENTS[kind]}/{local}-{suffix}"


def cluster_iri(base: str, cid: str) -> str:
    """The IRI of a cluster (`l0-3`, ...) under a base."""
    return f"{base}{SEGMENTS['Cluster']}/{cid}"


class Terms:
    """The IRIs of a namespace's terms as strings (`Terms(KGO).pagerank`), each looked up once: what the
    writers of text triples (kg.turtle) use."""

    def __init__(self, ns: type[Namespace]) -> None:
        self._ns = ns

    def __getattr__(self, name: str) -> str:
        value: str = getattr(self._ns, name).value
        setattr(self, name, value)
        return value


def prefixes(base: str = DEFAULT_BASE) -> dict[str, str]:
    """Prefixes used in queries and in written Turtle/TriG."""
    return {
        "kgo": KGO_NS, "kg": base, "dcterms": DCTERMS_NS, "skos": SKOS_NS, "rdfs": RDFS_NS, "rdf": RDF_NS,
        "xsd": XSD_NS, "prov": PROV_NS, "owl": OWL_NS,
    }


def output_prefixes(base: str = DEFAULT_BASE) -> dict[str, str]:
    """Query prefixes plus one prefix per node type, so Turtle shows `technology:mistral-7b`."""
    out = prefixes(base)
    out.update({seg: f"{base}{seg}/" for seg in SEGMENTS.values()})
    return out


# ---------------------------------------------------------------- literals

TRUE = Lit("true", XSD_NS + "boolean")
FALSE = Lit("false", XSD_NS + "boolean")


def double_text(x: float) -> str:
    """The lexical form kg writes a double in: 10 significant digits, so reruns print the same text."""
    text = f"{x:.10g}"
    if "e" not in text and "." not in text and "n" not in text:
        text += ".0"
    return text


def as_written(x: float) -> float:
    """A double as the graph holds it (double_text), read back."""
    return float(double_text(x))


def double(x: float) -> Lit:
    """An xsd:double literal (see double_text)."""
    return Lit(double_text(x), XSD_NS + "double")


def integer(n: int) -> Lit:
    """An xsd:integer literal."""
    return Lit(str(n), XSD_NS + "integer")


def boolean(b: bool) -> Lit:
    """An xsd:boolean literal."""
    return TRUE if b else FALSE
