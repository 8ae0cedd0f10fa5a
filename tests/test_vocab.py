"""kg/vocab.py against ontology/kg.ttl: every declared term exists in the ontology and the other way round;
undeclared names fail."""

from __future__ import annotations

import pyoxigraph
import pytest

from kg.resources import ontology_dir
from kg.vocab import DCTERMS, KGO, KGO_NS, OWL_NS, RDF_NS, SKOS, Namespace

KINDS = {f"{OWL_NS}{k}" for k in ("Class", "ObjectProperty", "DatatypeProperty", "AnnotationProperty",
                                  "NamedIndividual")}


def declared() -> set[str]:
    return {q.subject.value for q in pyoxigraph.parse(path=str(ontology_dir() / "kg.ttl"),
                                                      format=pyoxigraph.RdfFormat.TURTLE)
            if q.predicate.value == f"{RDF_NS}type" and q.object.value in KINDS}


def test_kgo_terms_are_the_ontologys_terms() -> None:
    ontology = {iri[len(KGO_NS):] for iri in declared() if iri.startswith(KGO_NS)}
    assert set(KGO.names()) == ontology


@pytest.mark.parametrize("ns", [SKOS, DCTERMS])
def test_external_terms_the_data_uses_are_declared_in_the_ontology(ns: type[Namespace]) -> None:
    assert {ns.term(n).value for n in ns.names()} <= declared()


def test_undeclared_terms_fail() -> None:
    with pytest.raises(AttributeError):
        KGO.closestTitle  # noqa: B018 - a term that was once made up by accident
    with pytest.raises(KeyError):
        KGO.term("typo")
    assert KGO.term("Technology") == KGO.Technology == pyoxigraph.NamedNode(f"{KGO_NS}Technology")
    assert KGO.local(f"{KGO_NS}pagerank") == "pagerank" and KGO.local(f"{KGO_NS}nope") is None
