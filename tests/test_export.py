"""kg export: GraphML and GEXF against their schemas and real readers, CSV tables, JSON-LD and N-Triples."""

from __future__ import annotations

import csv
from pathlib import Path

import igraph
import networkx as nx
import pyoxigraph
import pytest
import rdflib
from click.testing import CliRunner
from lxml import etree
from rdflib.compare import isomorphic

from kg.cli import main
from kg.pipeline import BuildResult

SCHEMAS = Path(__file__).resolve().parent / "schemas"


def export(out: Path, fmt: str, target: Path) -> None:
    result = CliRunner().invoke(main, ["export", "--graph", str(out), "--format", fmt, "--out", str(target)])
    assert result.exit_code == 0, result.output


def validate(path: Path, schema: str) -> None:
    xsd = etree.XMLSchema(etree.parse(str(SCHEMAS / schema)))
    doc = etree.parse(str(path))
    assert xsd.validate(doc), xsd.error_log


def test_graphml(seeds_build: tuple[Path, BuildResult], tmp_path: Path) -> None:
    out, result = seeds_build
    path = tmp_path / "g.graphml"
    export(out, "graphml", path)
    validate(path, "graphml.xsd")
    g = nx.read_graphml(path)
    assert g.number_of_nodes() == result.analytics["projection"]["vertices"]
    node = g.nodes["https://w3id.org/signals-kg/id/technology/mistral-7b"]
    assert node["type"] == "Technology" and node["label"] == "Mistral 7B"
    assert isinstance(node["pagerank"], float) and node["pagerank"] > 0 and node["cluster"].startswith("l0-")
    assert {d["relation"] for _, _, d in g.edges(data=True)} >= {"hasTechnology", "hasKeyword", "closest"}
    ig = igraph.Graph.Read_GraphML(str(path))  # a second, independent reader (libxml2)
    assert ig.vcount() == g.number_of_nodes() and ig.ecount() == g.number_of_edges()


def test_gexf(seeds_build: tuple[Path, BuildResult], tmp_path: Path) -> None:
    out, result = seeds_build
    path = tmp_path / "g.gexf"
    export(out, "gexf", path)
    validate(path, "gexf.xsd")
    g = nx.read_gexf(path)
    assert g.number_of_nodes() == result.analytics["projection"]["vertices"]
    node = g.nodes["https://w3id.org/signals-kg/id/technology/mistral-7b"]
    assert node["label"] == "Mistral 7B" and node["type"] == "Technology" and node["degree"] == 1
    first = path.read_bytes()
    export(out, "gexf", path)
    assert path.read_bytes() == first  # no write date: reruns give the same bytes


def test_schemas_reject_broken_files(tmp_path: Path) -> None:
    bad = tmp_path / "bad.graphml"
    bad.write_text('<graphml xmlns="http://graphml.graphdrawing.org/xmlns"><graph edgedefault="undirected">'
                   '<node id="a"/><edge source="a" target="missing"/></graph></graphml>')
    with pytest.raises(AssertionError):
        validate(bad, "graphml.xsd")
    bad = tmp_path / "bad.gexf"
    bad.write_text('<gexf xmlns="http://www.gexf.net/1.2draft" version="1.2"><graph><edges>'
                   '<edge id="0" source="a" target="b" type="hasTheme"/></edges></graph></gexf>')
    with pytest.raises(AssertionError):
        validate(bad, "gexf.xsd")


def test_csv_tables(seeds_build: tuple[Path, BuildResult], tmp_path: Path) -> None:
    out, result = seeds_build
    export(out, "csv", tmp_path / "tables")
    with open(tmp_path / "tables" / "nodes.csv", newline="", encoding="utf-8") as fh:
        nodes = list(csv.DictReader(fh))
    with open(tmp_path / "tables" / "edges.csv", newline="", encoding="utf-8") as fh:
        edges = list(csv.DictReader(fh))
    assert len(nodes) == result.analytics["projection"]["vertices"]
    assert len(edges) == result.analytics["projection"]["edges"]
    assert list(nodes[0]) == ["id", "type", "label", "pagerank", "degree", "weighted_degree", "betweenness",
                              "eigenvector", "cluster", "cluster_label", "clusters"]
    ids = {n["id"] for n in nodes}
    assert all(e["source"] in ids and e["target"] in ids for e in edges)


def test_jsonld_and_ntriples_hold_the_same_graph(seeds_build: tuple[Path, BuildResult], tmp_path: Path) -> None:
    out, result = seeds_build
    export(out, "jsonld", tmp_path / "g.jsonld")
    export(out, "nt", tmp_path / "g.nt")
    text = (tmp_path / "g.jsonld").read_text(encoding="utf-8")
    assert text.startswith('{\n"@context": {') and '"technology": "https://w3id.org/signals-kg/id/technology/"' in text
    from_jsonld = rdflib.Graph().parse(tmp_path / "g.jsonld", format="json-ld")
    from_nt = rdflib.Graph().parse(tmp_path / "g.nt", format="nt")
    from_ttl = rdflib.Graph().parse(out / "graph.ttl", format="turtle")
    assert len(from_nt) == len(from_ttl) == result.triples
    assert isomorphic(from_jsonld, from_nt)
    assert isomorphic(from_nt, from_ttl)
    ox = list(pyoxigraph.parse(path=str(tmp_path / "g.jsonld"), format=pyoxigraph.RdfFormat.JSON_LD))
    assert len(ox) == result.triples  # a second JSON-LD processor agrees
