"""The text emitter (kg.turtle) against pyoxigraph's own serializer: the same bytes for arbitrary IRIs, local
names and literals (Unicode, controls, quotes, backslashes, long strings), and the text parses back to the
same triples."""

from __future__ import annotations

import string

import pyoxigraph
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pyoxigraph import Literal, NamedNode, RdfFormat, Triple

from kg.turtle import Lit, TurtleWriter, iri_ref, string_literal, turtle_of
from kg.vocab import DEFAULT_BASE, XSD_NS, output_prefixes

PREFIXES = output_prefixes(DEFAULT_BASE)
WRITER = TurtleWriter(PREFIXES)


def strip_prefixes(data: bytes) -> bytes:
    """A serialization without its @prefix lines (kg writes them once, at the top of the file)."""
    lines = data.split(b"\n")
    i = 0
    while i < len(lines) and lines[i].startswith(b"@prefix "):
        i += 1
    return b"\n".join(lines[i:])


SETTINGS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# Local names: the characters of kg's slugs and ids, those Turtle must escape or refuse, and other scripts.
LOCAL = string.ascii_letters + string.digits + "-_.~!$&'()*+,;=/?#@%:éß漢·‿" + "\u00b7\u0300\u2070\U0001f600"
NAMESPACES = [*sorted(set(PREFIXES.values())), "http://example.org/", "urn:x:", "https://w3id.org/signals-kg/"]
texts = st.text(max_size=200) | st.text(alphabet=st.characters(max_codepoint=0x9F), max_size=60)


def _iri(ns: str, local: str) -> str | None:
    """The IRI, if pyoxigraph accepts it (percent signs must start a valid escape)."""
    try:
        return NamedNode(ns + local).value
    except ValueError:
        return None


iris = st.builds(_iri, st.sampled_from(NAMESPACES), st.text(alphabet=LOCAL, max_size=12)).filter(bool)
datatypes = st.sampled_from([None, "integer", "decimal", "double", "boolean", "date", "string", "http://x.test/dt"])
numbers = st.from_regex(r"[+-]?[0-9]{0,4}(\.[0-9]{0,3})?([eE][+-]?[0-9]{0,2})?", fullmatch=True)


def _datatype(name: str | None) -> str | None:
    return None if name is None else name if ":" in name else XSD_NS + name


literals = st.builds(lambda v, d: Lit(v, _datatype(d)), texts | numbers | st.sampled_from(["true", "false", "1"]),
                     datatypes)
triples = st.tuples(iris, iris, iris | literals)


def _term(o: str | Lit) -> NamedNode | Literal:
    if isinstance(o, str):
        return NamedNode(o)
    return Literal(o.value, datatype=NamedNode(o.datatype or XSD_NS + "string"))


def _reference(rows: list[tuple[str, str, str | Lit]], graph: str | None) -> bytes:
    ts = [Triple(NamedNode(s), NamedNode(p), _term(o)) for s, p, o in rows]
    if graph is None:
        data = pyoxigraph.serialize(ts, format=RdfFormat.TURTLE, prefixes=PREFIXES)
    else:
        g = NamedNode(graph)
        data = pyoxigraph.serialize([pyoxigraph.Quad(t.subject, t.predicate, t.object, g) for t in ts],
                                    format=RdfFormat.TRIG, prefixes=PREFIXES)
    assert data is not None
    return strip_prefixes(data)


@SETTINGS
@given(st.text(max_size=500))
def test_string_literal_is_pyoxigraph_s(value: str) -> None:
    assert string_literal(value) == str(Literal(value))
    back = list(pyoxigraph.parse(f"<urn:s> <urn:p> {string_literal(value)} .", RdfFormat.N_TRIPLES))
    assert back[0].object.value == value


def test_every_control_character_and_long_strings() -> None:
    every = "".join(chr(c) for c in range(0x80)) + "\u2028\u2029\ufeff\U0010fffd"
    assert string_literal(every) == str(Literal(every))
    long = ('"\\\n' + "x" * 5000) * 200
    assert string_literal(long) == str(Literal(long))


@SETTINGS
@given(iris)
def test_iri_forms_are_pyoxigraph_s(iri: str) -> None:
    assert _reference([(iri, iri, iri)], None) == WRITER.block([(iri, iri, iri)]).encode()


@SETTINGS
@given(st.lists(triples, max_size=12), st.booleans(), st.booleans())
def test_blocks_are_byte_identical(rows: list[tuple[str, str, str | Lit]], named: bool, grouped: bool) -> None:
    if grouped:  # runs of one subject and one predicate, as kg's emitter writes them
        rows = sorted(rows, key=lambda t: (t[0], t[1]))
    graph = "https://w3id.org/signals-kg/id/graph/g-1" if named else None
    ours = WRITER.block(rows, graph).encode()
    assert ours == _reference(rows, graph)
    if named:
        assert turtle_of(ours) == _reference(rows, None)
    if rows:
        text = "".join(f"@prefix {p}: <{ns}> .\n" for p, ns in PREFIXES.items()) + ours.decode()
        back = set(pyoxigraph.parse(text, RdfFormat.TRIG if named else RdfFormat.TURTLE))
        expect = {(s, p, _term(o)) for s, p, o in rows}
        assert {(q.subject.value, q.predicate.value, q.object) for q in back} == {
            (s, p, o) for s, p, o in expect}


@SETTINGS
@given(st.lists(triples, max_size=12))
def test_a_turtle_block_is_the_default_graph_of_trig(rows: list[tuple[str, str, str | Lit]]) -> None:
    """graph.trig carries the corpus-level triples (the default graph) as the same text as graph.ttl."""
    quads = [pyoxigraph.Quad(NamedNode(s), NamedNode(p), _term(o), pyoxigraph.DefaultGraph()) for s, p, o in rows]
    trig = pyoxigraph.serialize(quads, format=RdfFormat.TRIG, prefixes=PREFIXES)
    assert trig is not None
    assert WRITER.block(rows).encode() == strip_prefixes(trig)


def test_in_graph_indents_the_turtle_block() -> None:
    a, b, title = (f"{DEFAULT_BASE}article/a", f"{DEFAULT_BASE}article/b", "http://purl.org/dc/terms/title")
    rows: list[tuple[str, str, str | Lit]] = [
        (a, "http://www.w3.org/1999/02/22-rdf-syntax-ns#type", "https://w3id.org/signals-kg/ontology#Article"),
        (a, title, Lit('A\nB "c"')), (b, title, Lit("3", XSD_NS + "integer"))]
    turtle = 'article:a a kgo:Article ;\n\tdcterms:title "A\\nB \\"c\\"" .\narticle:b dcterms:title 3 .\n'
    assert WRITER.block(rows) == turtle
    trig = WRITER.block(rows, f"{DEFAULT_BASE}graph/a")
    assert trig == ('graph:a {\n\tarticle:a a kgo:Article ;\n\t\tdcterms:title "A\\nB \\"c\\"" .\n'
                    '\tarticle:b dcterms:title 3 .\n}\n')
    assert turtle_of(trig.encode()) == turtle.encode()
    assert WRITER.block([]) == "" and WRITER.in_graph("", "urn:g") == "" and turtle_of(b"") == b""


def test_the_memo_of_written_iris_stays_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("kg.turtle.MEMO_LIMIT", 10)
    writer = TurtleWriter(PREFIXES)
    for i in range(35):
        assert writer.iri(f"{DEFAULT_BASE}mention/d-{i}") == f"mention:d-{i}"
    assert len(writer._forms) <= 10


def test_iri_ref_refuses_what_iris_forbid() -> None:
    assert iri_ref("http://x.test/a") == "<http://x.test/a>"
    for bad in ("http://x.test/a b", "http://x.test/<", 'http://x.test/"', "http://x.test/\\", "http://x.test/\n"):
        with pytest.raises(ValueError):
            iri_ref(bad)
