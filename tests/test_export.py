"""kg export: GraphML and GEXF against their schemas and real readers, CSV tables, JSON-LD and N-Triples."""

from __future__ import annotations

import csv
from collections import Counter
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


GEXF_XSD = SCHEMAS / "gexf" / "1.3" / "gexf.xsd"  # the official schema, copied unchanged from ../shared/schemas


def test_gexf_schema_is_the_official_one() -> None:
    shared = SCHEMAS.parents[2] / "shared" / "schemas" / "gexf" / "1.3"
    if not shared.is_dir():
        pytest.skip("../shared/schemas not beside this checkout")
    for path in (SCHEMAS / "gexf" / "1.3").iterdir():
        assert path.read_bytes() == (shared / path.name).read_bytes(), path.name


def test_gexf_13(seeds_build: tuple[Path, BuildResult], tmp_path: Path) -> None:
    out, result = seeds_build
    path = tmp_path / "g.gexf"
    export(out, "gexf", path)
    xsd = etree.XMLSchema(etree.parse(str(GEXF_XSD)))
    doc = etree.parse(str(path))
    assert xsd.validate(doc), xsd.error_log
    ns = {"g": "http://gexf.net/1.3"}
    assert doc.getroot().get("version") == "1.3"
    nodes = doc.findall(".//g:node", ns)
    assert len(nodes) == result.analytics["projection"]["vertices"]
    assert all(n.get("label") for n in nodes)  # no empty name
    assert all(v.get("value") != "" for v in doc.iter("{http://gexf.net/1.3}attvalue"))
    assert all(a.get("title") for a in doc.iter("{http://gexf.net/1.3}attribute"))
    for n in nodes:  # drawn: a colour, a size and a position on every node
        assert n.find("g:color", ns) is not None and n.find("g:size", ns) is not None
        assert n.find("g:position", ns) is not None
    by_type: dict[str, set[tuple[str | None, ...]]] = {}
    for n in nodes:
        kind = n.find("g:attvalues/g:attvalue[@for='0']", ns).get("value")
        c = n.find("g:color", ns)
        by_type.setdefault(kind, set()).add((c.get("r"), c.get("g"), c.get("b")))
    assert all(len(c) == 1 for c in by_type.values())  # colour by type
    assert len(set().union(*by_type.values())) == len(by_type) > 3
    mistral = next(n for n in nodes if n.get("id") == "https://w3id.org/signals-kg/id/technology/mistral-7b")
    assert mistral.get("label") == "Mistral 7B"
    sizes = [float(n.find("g:size", ns).get("value")) for n in nodes]
    assert min(sizes) >= 4.0 and max(sizes) == pytest.approx(40.0)
    xs = {n.find("g:position", ns).get("x") for n in nodes}
    assert len(xs) > len(nodes) // 2  # laid out, not piled up
    first = path.read_bytes()
    export(out, "gexf", path)
    assert path.read_bytes() == first  # no write date: reruns give the same bytes
    g = nx.read_gexf(path)  # an independent reader
    assert g.number_of_nodes() == len(nodes) and g.number_of_edges() == result.analytics["projection"]["edges"]
    node = g.nodes["https://w3id.org/signals-kg/id/technology/mistral-7b"]
    assert node["label"] == "Mistral 7B" and node["type"] == "Technology" and node["degree"] == 1


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


def test_jsonld_nquads_and_ntriples(seeds_build: tuple[Path, BuildResult], tmp_path: Path) -> None:
    out, result = seeds_build
    export(out, "jsonld", tmp_path / "g.jsonld")
    export(out, "nquads", tmp_path / "g.nq")
    export(out, "nt", tmp_path / "g.nt")
    text = (tmp_path / "g.jsonld").read_text(encoding="utf-8")
    assert text.startswith('{\n"@context": {') and '"technology": "https://w3id.org/signals-kg/id/technology/"' in text
    trig = set(pyoxigraph.parse(path=str(out / "graph.trig"), format=pyoxigraph.RdfFormat.TRIG))
    # the named graphs survive: N-Quads and JSON-LD hold the dataset TriG holds, graph by graph
    nq = set(pyoxigraph.parse(path=str(tmp_path / "g.nq"), format=pyoxigraph.RdfFormat.N_QUADS))
    jsonld = set(pyoxigraph.parse(path=str(tmp_path / "g.jsonld"), format=pyoxigraph.RdfFormat.JSON_LD))
    assert nq == trig and jsonld == trig
    graphs = {q.graph_name.value for q in jsonld if not isinstance(q.graph_name, pyoxigraph.DefaultGraph)}
    assert len(graphs) == result.built  # one named graph per document
    ds = rdflib.Dataset()  # a second JSON-LD processor agrees, graph by graph
    ds.parse(tmp_path / "g.jsonld", format="json-ld")
    per_graph = Counter(str(getattr(g, "identifier", g)) for _, _, _, g in ds.quads((None, None, None, None)))
    expected = Counter("urn:x-rdflib:default" if isinstance(q.graph_name, pyoxigraph.DefaultGraph)
                       else q.graph_name.value for q in trig)
    assert per_graph == expected
    from_nt = rdflib.Graph().parse(tmp_path / "g.nt", format="nt")
    from_ttl = rdflib.Graph().parse(out / "graph.ttl", format="turtle")
    assert len(from_nt) == len(from_ttl) == result.triples
    assert isomorphic(from_nt, from_ttl)


def test_the_cli_offers_every_export_format() -> None:
    from kg.cli import EXPORT_FORMATS
    from kg.export import FORMATS

    assert list(FORMATS) == EXPORT_FORMATS


def test_characters_xml_cannot_hold_never_reach_an_xml_output(tmp_path: Path) -> None:
    """Control characters in a document (a vertical tab, U+0001, U+FFFE) are replaced by spaces when it is read,
    each line reported, so that GEXF, GraphML and SPARQL XML results stay well-formed and valid."""
    from kg.pipeline import build
    from tests.conftest import SEEDS, write_docs

    seed = (SEEDS / "000_61f95d86ecc6b6dd.txt").read_text(encoding="utf-8")
    text = seed.replace("Bias and Toxicity", "Bias\x0band\x01Toxicity\ufffe")
    text = text.replace("* benchmarks", "* bench\x08marks")
    src = write_docs(tmp_path / "src", {"a.md": text})
    out = tmp_path / "out"
    result = build([src], out)
    flagged = {p.line for p in result.problems if p.code == "control-characters"}
    assert flagged == {n for n, line in enumerate(text.split("\n"), 1) if "\x01" in line or "\x08" in line}
    export(out, "gexf", tmp_path / "g.gexf")
    assert etree.XMLSchema(etree.parse(str(GEXF_XSD))).validate(etree.parse(str(tmp_path / "g.gexf")))
    assert any("Bias and Toxicity" in d["label"] for _, d in nx.read_gexf(tmp_path / "g.gexf").nodes(data=True))
    export(out, "graphml", tmp_path / "g.graphml")
    validate(tmp_path / "g.graphml", "graphml.xsd")
    query = 'SELECT ?l WHERE { ?s rdfs:label ?l FILTER(CONTAINS(?l, "Toxicity")) }'
    answer = CliRunner().invoke(main, ["query", "--graph", str(out), "--format", "xml", query])
    assert answer.exit_code == 0, answer.output
    labels = etree.fromstring(answer.stdout_bytes).findall(".//{http://www.w3.org/2005/sparql-results#}literal")
    assert labels and all("\x01" not in (e.text or "") for e in labels)


@pytest.mark.parametrize("args", [["export", "--format", "gexf", "--out", "{tmp}/missing/g.gexf"],
                                  ["html", "--out", "{tmp}/missing/v.html"],
                                  ["trends", "--plot", "{tmp}/missing/map.svg"],
                                  ["report", "--out", "{tmp}/missing/r.html"]])
def test_a_file_that_cannot_be_written_is_a_one_line_error(seeds_build: tuple[Path, BuildResult], tmp_path: Path,
                                                         args: list[str]) -> None:
    out, _ = seeds_build
    cli = [a.replace("{tmp}", str(tmp_path)) for a in args]
    result = CliRunner().invoke(main, [cli[0], "--graph", str(out), *cli[1:]])
    assert result.exit_code == 1 and f"No such file or directory: {tmp_path}/missing/" in result.output
    assert "Traceback" not in result.output
