"""The ontology and the built graph are OWL 2 DL: every entity declared with one kind, data used as declared,
graph.ttl an ontology that imports kg.ttl; checked in Python and by the OWL API's OWL 2 DL profile checker."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections import defaultdict
from pathlib import Path

import pyoxigraph
import pytest
from pyoxigraph import Literal, NamedNode

from kg.pipeline import BuildResult, build
from kg.resources import ontology_dir
from kg.vocab import ONTOLOGY_IRI, OWL_NS, RDF_NS, RDFS_NS, XSD_NS
from tests.test_robust import make_corpus

KINDS = {f"{OWL_NS}{k}" for k in ("Class", "ObjectProperty", "DatatypeProperty", "AnnotationProperty",
                                  "NamedIndividual")}
BUILTIN = {f"{RDF_NS}type", f"{RDFS_NS}label", f"{RDFS_NS}comment", f"{RDFS_NS}subClassOf", f"{RDFS_NS}domain",
           f"{RDFS_NS}range", f"{RDFS_NS}subPropertyOf", f"{RDFS_NS}isDefinedBy", f"{OWL_NS}imports",
           f"{OWL_NS}versionInfo"}
# The OWL 2 datatype map (OWL 2 Structural Specification §4), the datatypes we could use.
DATATYPES = {f"{XSD_NS}{t}" for t in ("string", "boolean", "integer", "double", "float", "decimal", "long", "int",
                                      "nonNegativeInteger", "anyURI", "dateTime", "dateTimeStamp")}
DATATYPES |= {f"{RDF_NS}langString", f"{RDFS_NS}Literal"}


def triples(path: Path) -> list[pyoxigraph.Quad]:
    with open(path, "rb") as fh:
        return list(pyoxigraph.parse(fh, pyoxigraph.RdfFormat.TURTLE))


def declarations() -> dict[str, set[str]]:
    kinds: dict[str, set[str]] = defaultdict(set)
    for q in triples(ontology_dir() / "kg.ttl"):
        if q.predicate.value == f"{RDF_NS}type" and q.object.value in KINDS:
            kinds[q.subject.value].add(q.object.value)
    return kinds


def test_every_entity_of_the_ontology_is_declared_once() -> None:
    kinds = declarations()
    assert all(len(k) == 1 for k in kinds.values()), {e: k for e, k in kinds.items() if len(k) > 1}
    for q in triples(ontology_dir() / "kg.ttl"):
        assert q.predicate.value in kinds or q.predicate.value in BUILTIN, q.predicate.value
        if q.predicate.value in (f"{RDFS_NS}subClassOf", f"{RDFS_NS}domain", f"{RDFS_NS}subPropertyOf"):
            assert q.object.value in kinds, f"{q.subject.value} uses undeclared {q.object.value}"
        if q.predicate.value == f"{RDFS_NS}range":
            assert q.object.value in kinds or q.object.value in DATATYPES, q.object.value
    assert f"{ONTOLOGY_IRI}" in {q.subject.value for q in triples(ontology_dir() / "kg.ttl")
                                 if q.object.value == f"{OWL_NS}Ontology"}


@pytest.fixture(scope="module")
def faulty_build(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A generated corpus with defects, so that sections, cells, derived names and relevancy text occur."""
    folder = tmp_path_factory.mktemp("owl")
    make_corpus(folder / "docs", 120, faults=0.6, seed=3)
    build([folder / "docs"], folder / "out", analytics=True)
    return folder / "out"


@pytest.mark.parametrize("which", ["seeds", "faulty"])
def test_graph_uses_terms_as_declared(which: str, seeds_build: tuple[Path, BuildResult], faulty_build: Path) -> None:
    out = seeds_build[0] if which == "seeds" else faulty_build
    kinds = {e: next(iter(k)) for e, k in declarations().items()}
    data = triples(out / "graph.ttl")
    headers = [q for q in data if q.object.value == f"{OWL_NS}Ontology"]
    assert len(headers) == 1
    assert any(q.subject == headers[0].subject and q.predicate.value == f"{OWL_NS}imports"
               and q.object.value == ONTOLOGY_IRI for q in data)
    for q in data:
        p, o = q.predicate.value, q.object
        if p == f"{RDF_NS}type":
            assert kinds.get(o.value) == f"{OWL_NS}Class" or o.value == f"{OWL_NS}Ontology", o.value
            continue
        if p in (f"{RDFS_NS}label", f"{OWL_NS}imports"):
            continue
        assert p in kinds, f"undeclared property {p}"
        if kinds[p] == f"{OWL_NS}ObjectProperty":
            assert isinstance(o, NamedNode), (p, o)
        elif kinds[p] == f"{OWL_NS}DatatypeProperty":
            assert isinstance(o, Literal) and o.datatype.value in DATATYPES, (p, o)


def owlapi() -> tuple[str, str] | None:
    """javac, java and the OWL API jars (Debian's libowlapi-java), or None."""
    javac, java = shutil.which("javac"), shutil.which("java")
    if javac and java and Path("/usr/share/java/owlapi-distribution.jar").is_file():
        return javac, java
    return None


@pytest.fixture(scope="module")
def profile_check(tmp_path_factory: pytest.TempPathFactory) -> list[str]:
    tools = owlapi()
    if tools is None:
        if os.environ.get("KG_REQUIRE_OWLAPI"):
            pytest.fail("KG_REQUIRE_OWLAPI is set but java/javac or libowlapi-java is missing")
        pytest.skip("needs a JDK and Debian's libowlapi-java (tests/install.sh installs them)")
    classes = tmp_path_factory.mktemp("owlapi")
    source = Path(__file__).parent / "owl" / "ProfileCheck.java"
    subprocess.run([tools[0], "-cp", "/usr/share/java/*", "-d", str(classes), str(source)], check=True)
    return [tools[1], "-cp", f"{classes}:/usr/share/java/*", "ProfileCheck"]


@pytest.mark.parametrize("which", ["ontology", "seeds", "faulty"])
def test_owl_api_finds_owl2_dl(which: str, profile_check: list[str], seeds_build: tuple[Path, BuildResult],
                               faulty_build: Path) -> None:
    path = {"ontology": ontology_dir() / "kg.ttl", "seeds": seeds_build[0] / "graph.ttl",
            "faulty": faulty_build / "graph.ttl"}[which]
    run = subprocess.run([*profile_check, str(path)], capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    assert "violation" not in run.stdout
    if which != "ontology":
        assert "imports 1" in run.stdout  # kg.ttl found through catalog-v001.xml, as Protégé finds it
