"""Pass 5: the build's files, written into a fresh build folder that is then switched in atomically."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from kg.pipeline.corpus import Corpus
from kg.resources import ontology_dir
from kg.turtle import Triple3, TurtleWriter, turtle_of
from kg.vocab import ONTOLOGY_IRI

__all__ = ["CATALOG", "write_graphs", "write_json", "write_ontology"]

CATALOG = """<?xml version="1.0" encoding="UTF-8" standalone="no"?>
<catalog prefer="public" xmlns="urn:oasis:names:tc:entity:xmlns:xml:catalog">
    <uri id="kg ontology" name="{iri}" uri="kg.ttl"/>
</catalog>
"""


def write_graphs(folder: Path, corpus: Corpus, tail: list[Triple3], prefixes: dict[str, str]) -> None:
    """graph.ttl and graph.trig, in one pass: the prefixes, each document's block from the cache (TriG, and
    the same lines unindented for Turtle), then the corpus block."""
    cache = corpus.cache
    with open(folder / "graph.ttl", "wb") as ttl, open(folder / "graph.trig", "wb") as trig:
        head = "".join(f"@prefix {p}: <{iri}> .\n" for p, iri in sorted(prefixes.items())).encode()
        ttl.write(head)
        trig.write(head)
        for block in cache.blocks("emit", corpus.ekeys):
            trig.write(block)
            ttl.write(turtle_of(block))
        block = TurtleWriter(prefixes).block(tail).encode("utf-8")  # the default graph: the same in TriG
        ttl.write(block)
        trig.write(block)


def write_ontology(folder: Path) -> None:
    """The ontology graph.ttl imports (kg.ttl), and an OASIS XML catalog (catalog-v001.xml, which Protégé and
    the OWL API read) that maps its IRI to that file, so the import resolves offline."""
    shutil.copyfile(ontology_dir() / "kg.ttl", folder / "kg.ttl")
    (folder / "catalog-v001.xml").write_text(CATALOG.format(iri=ONTOLOGY_IRI), encoding="utf-8")


def write_json(path: Path, data: object, indent: int) -> None:
    """A JSON file as the build writes them: UTF-8, not ASCII-escaped, with a final newline."""
    path.write_text(json.dumps(data, indent=indent, ensure_ascii=False) + "\n", encoding="utf-8")
