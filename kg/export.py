"""Writers for the built graph: Turtle (union of all graphs) and TriG (one named graph per document)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path

from pyoxigraph import Quad, RdfFormat, Triple, serialize


def union_triples(quads: Iterable[Quad], shared_prefix: str) -> Iterator[Triple]:
    """Triples of all graphs; a triple several graphs assert (only possible for subjects under
    `shared_prefix`, i.e. articles) is given once."""
    seen: set[Triple] = set()
    for q in quads:
        t = q.triple
        if q.subject.value.startswith(shared_prefix):
            if t in seen:
                continue
            seen.add(t)
        yield t


def write_turtle(quads: Iterable[Quad], path: Path, prefixes: dict[str, str], shared_prefix: str) -> int:
    """All triples, every graph merged, as Turtle; returns the number of triples written."""
    count = 0

    def counted() -> Iterator[Triple]:
        nonlocal count
        for t in union_triples(quads, shared_prefix):
            count += 1
            yield t

    with open(path, "wb") as fh:
        serialize(counted(), fh, RdfFormat.TURTLE, prefixes=prefixes)
    return count


def write_trig(quads: Iterable[Quad], path: Path, prefixes: dict[str, str]) -> None:
    """All quads as TriG: each document's named graph, corpus facts in the default graph."""
    with open(path, "wb") as fh:
        serialize(quads, fh, RdfFormat.TRIG, prefixes=prefixes)
