"""Namespaces and terms of the ontology (ontology/kg.ttl), as pyoxigraph nodes."""

from __future__ import annotations

from pyoxigraph import NamedNode

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
SH_NS = "http://www.w3.org/ns/shacl#"

# Path segment of each node type under the base IRI.
SEGMENTS: dict[str, str] = {
    "Article": "article", "Mention": "mention", "Signal": "signal", "Technology": "technology",
    "Concern": "concern", "Behavior": "behavior", "Issue": "issue", "Theme": "theme", "Keyword": "keyword",
    "Category": "category", "ContentType": "content-type", "Cluster": "cluster", "Section": "section",
    "Cell": "cell", "graph": "graph",
}


def prefixes(base: str = DEFAULT_BASE) -> dict[str, str]:
    """Prefixes used in queries and in written Turtle/TriG."""
    out = {
        "kgo": KGO_NS, "kg": base, "dcterms": DCTERMS_NS, "skos": SKOS_NS, "rdfs": RDFS_NS, "rdf": RDF_NS,
        "xsd": XSD_NS, "prov": PROV_NS, "owl": OWL_NS,
    }
    return out


def output_prefixes(base: str = DEFAULT_BASE) -> dict[str, str]:
    """Query prefixes plus one prefix per node type, so Turtle shows `technology:mistral-7b`."""
    out = prefixes(base)
    out.update({seg: f"{base}{seg}/" for seg in SEGMENTS.values()})
    return out


class _Terms:
    """Attribute access to terms of one namespace as NamedNodes, created once."""

    def __init__(self, ns: str, names: str) -> None:
        self._ns = ns
        for name in names.split():
            setattr(self, name.replace("-", "_"), NamedNode(ns + name))

    def __getitem__(self, name: str) -> NamedNode:
        return NamedNode(self._ns + name)


KGO = _Terms(KGO_NS, """
    Article Signal Technology Concern Behavior Issue Theme Keyword Category ContentType Mention Cluster Section
    Cell Entity
    pageId pageUrl sourceText category contentType hasKeyword hasTheme hasSignal hasTechnology hasConcern
    hasBehavior hasIssue closest closestTitle mention entity relevancy relevancyText change tenYearOutlook
    drivingForce name nameDerived sourceLine src cell column note section sectionName content sourceFile
    contentSha256 loaded relatedConcept mentionsEntity
    degree weightedDegree pagerank betweenness eigenvector participation inCluster size level parentCluster
""")
RDF = _Terms(RDF_NS, "type value")
RDFS = _Terms(RDFS_NS, "label comment")
SKOS = _Terms(SKOS_NS, "altLabel hiddenLabel related")
DCTERMS = _Terms(DCTERMS_NS, "title source date abstract identifier description")
PROV = _Terms(PROV_NS, "wasDerivedFrom")
XSD = _Terms(XSD_NS, "integer double date boolean string")
OWL = _Terms(OWL_NS, "Ontology imports")

HAS: dict[str, NamedNode] = {
    "Signal": KGO.hasSignal, "Technology": KGO.hasTechnology, "Concern": KGO.hasConcern,
    "Behavior": KGO.hasBehavior, "Issue": KGO.hasIssue, "Theme": KGO.hasTheme, "Keyword": KGO.hasKeyword,
    "Category": KGO.category, "ContentType": KGO.contentType,
}
