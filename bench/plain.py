"""The plain pipeline kg is compared with: rdflib + networkx + pyvis, written the obvious way.

What a competent user writes in an afternoon for the same job: read the summaries with a few regular
expressions, add triples to rdflib's default in-memory Graph (one named graph per document in a Dataset for
the TriG), project with rdflib's rdflib_to_networkx_graph (literal nodes included), compute degree,
PageRank, sampled betweenness (k=200) and Louvain clusters with networkx, add the metrics back as triples,
serialize with rdflib, and draw the 500 nodes with the highest PageRank with pyvis' defaults.

    python bench/plain.py SRC OUT        (prints per-stage seconds as JSON)
"""

from __future__ import annotations

import json
import re
import sys
import time
from pathlib import Path

import networkx as nx
from pyvis.network import Network
from rdflib import RDF, RDFS, XSD, Dataset, Literal, Namespace, URIRef
from rdflib.extras.external_graph_libs import rdflib_to_networkx_graph

KGO = Namespace("https://w3id.org/signals-kg/ontology#")
BASE = "https://w3id.org/signals-kg/plain/"
DCT = Namespace("http://purl.org/dc/terms/")
SECTION_TYPE = {"Signals": "Signal", "Concerns": "Concern", "Behaviors": "Behavior", "Technologies": "Technology",
                "Issues": "Issue"}


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "x"


def parse(text: str) -> dict:
    doc: dict = {"title": "", "page": "", "sections": {}}
    m = re.match(r"#\s+(.*?)(?:,?\s*\(?from (?:page )?\(?\[([^\]]*)\])", text)
    if m:
        doc["title"], doc["page"] = m.group(1).strip("_ "), m.group(2).strip()
    for block in re.split(r"\n## ", text)[1:]:
        name, _, body = block.partition("\n")
        doc["sections"][name.strip()] = body
    return doc


def table(body: str) -> list[dict[str, str]]:
    lines = [ln for ln in body.splitlines() if ln.startswith("|")]
    if len(lines) < 2:
        return []
    head = [h.strip().lower() for h in lines[0].strip("|").split("|")]
    return [dict(zip(head, (c.strip() for c in ln.strip("|").split("|")), strict=False)) for ln in lines[2:]]


def bullets(body: str) -> list[str]:
    return [ln[2:].strip() for ln in body.splitlines() if ln.startswith("* ") and ln[2:].strip()]


def run(src: Path, out: Path) -> dict[str, float]:
    out.mkdir(parents=True, exist_ok=True)
    times: dict[str, float] = {}
    t = time.perf_counter()
    docs = {}
    for path in sorted(src.rglob("*")):
        if path.suffix in (".md", ".txt"):
            docs[path.stem] = parse(path.read_text(encoding="utf-8", errors="replace"))
    times["read+parse"] = time.perf_counter() - t

    t = time.perf_counter()
    ds = Dataset()
    union = ds.default_graph
    for doc_id, doc in docs.items():
        g = ds.graph(URIRef(f"{BASE}graph/{doc_id}"))
        art = URIRef(f"{BASE}article/{doc_id}")
        for graph in (g, union):
            graph.add((art, RDF.type, KGO.Article))
            graph.add((art, DCT.title, Literal(doc["title"])))
            graph.add((art, KGO.pageId, Literal(doc["page"])))
        for section, body in doc["sections"].items():
            if section in ("Keywords", "Themes"):
                kind = "Keyword" if section == "Keywords" else "Theme"
                for b in bullets(body):
                    node = URIRef(f"{BASE}{kind.lower()}/{slug(b)}")
                    for graph in (g, union):
                        graph.add((node, RDF.type, KGO[kind]))
                        graph.add((node, RDFS.label, Literal(b)))
                        graph.add((art, KGO[f"has{kind}"], node))
            elif section == "Summary":
                for graph in (g, union):
                    graph.add((art, DCT.abstract, Literal(body.strip())))
            elif section in SECTION_TYPE:
                kind = SECTION_TYPE[section]
                for i, row in enumerate(table(body)):
                    name = row.get("name") or row.get("signal") or row.get("description", "")[:60]
                    node = URIRef(f"{BASE}{kind.lower()}/{slug(name)}")
                    mention = URIRef(f"{BASE}article/{doc_id}/mention/{i}")
                    for graph in (g, union):
                        graph.add((node, RDF.type, KGO[kind]))
                        graph.add((node, RDFS.label, Literal(name)))
                        graph.add((art, KGO[f"has{kind}"], node))
                        graph.add((art, KGO.mention, mention))
                        graph.add((mention, KGO.entity, node))
                        for col, value in row.items():
                            if col == "relevancy" and value.isdigit():
                                graph.add((mention, KGO.relevancy, Literal(int(value))))
                            elif value:
                                graph.add((mention, KGO[slug(col)], Literal(value)))
    times["rdf"] = time.perf_counter() - t

    t = time.perf_counter()
    nxg = rdflib_to_networkx_graph(union)
    pagerank = nx.pagerank(nxg)
    between = nx.betweenness_centrality(nxg, k=min(200, len(nxg)), seed=42)
    communities = nx.community.louvain_communities(nxg, seed=42)
    for node, value in pagerank.items():
        if isinstance(node, URIRef):
            union.add((node, KGO.pagerank, Literal(value, datatype=XSD.double)))
            union.add((node, KGO.betweenness, Literal(between[node], datatype=XSD.double)))
            union.add((node, KGO.degree, Literal(nxg.degree(node))))
    for i, members in enumerate(communities):
        cluster = URIRef(f"{BASE}cluster/{i}")
        for m in members:
            if isinstance(m, URIRef):
                union.add((m, KGO.inCluster, cluster))
    times["analytics"] = time.perf_counter() - t

    t = time.perf_counter()
    union.serialize(out / "graph.ttl", format="turtle")
    ds.serialize(out / "graph.trig", format="trig")
    times["serialise"] = time.perf_counter() - t

    t = time.perf_counter()
    top = sorted((n for n in nxg if isinstance(n, URIRef)), key=lambda n: -pagerank[n])[:500]
    net = Network(height="900px", width="100%")
    net.from_nx(nxg.subgraph(top))
    net.write_html(str(out / "graph.html"))
    times["html"] = time.perf_counter() - t
    times["total"] = sum(times.values())
    return times


if __name__ == "__main__":
    print(json.dumps(run(Path(sys.argv[1]), Path(sys.argv[2]))))
