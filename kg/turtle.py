"""Triples as Turtle and TriG text, written byte for byte as pyoxigraph's serializer writes them, without
making a pyoxigraph object per term.

Terms are plain Python values: an IRI is a `str`, a literal a `Lit` (lexical form, datatype IRI or None for
xsd:string). Literals are quoted as N-Triples STRING_LITERAL_QUOTE (RDF 1.1): `"`, `\\`, newline, carriage
return, tab, backspace and form feed as ECHAR, the other C0 controls and DEL as UCHAR (`\\u00XX`), the rest as
is; xsd:integer, decimal, double and boolean literals whose form is a Turtle number or boolean are written
bare, as pyoxigraph does. An IRI is written as a prefixed name under the longest matching prefix when its
local part is a plain name; otherwise pyoxigraph itself is asked, once per IRI, how it writes it (local names
that need backslash escapes, IRIs no prefix fits), so the output never depends on a guess.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import NamedTuple

from pyoxigraph import NamedNode, RdfFormat, Triple, serialize

__all__ = ["MEMO_LIMIT", "Lit", "Object", "Triple3", "TurtleWriter", "iri_ref", "string_literal", "turtle_of"]

MEMO_LIMIT = 100_000  # IRIs whose written form a writer remembers at once
_RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
_XSD = "http://www.w3.org/2001/XMLSchema#"
_ECHAR = {'"': '\\"', "\\": "\\\\", "\n": "\\n", "\r": "\\r", "\t": "\\t", "\b": "\\b", "\f": "\\f"}
_ESCAPES = str.maketrans({**{chr(c): f"\\u{c:04X}" for c in [*range(0x20), 0x7F]}, **_ECHAR})
_NEEDS_ESCAPE = re.compile(r'[\x00-\x1f"\\\x7f]')
_IRI_FORBIDDEN = re.compile(r'[\x00-\x20<>"{}|^`\\]')
_PLAIN_LOCAL = re.compile(r"[A-Za-z0-9_](?:[A-Za-z0-9_.\-]*[A-Za-z0-9_\-])?")
_BARE = {
    _XSD + "integer": re.compile(r"[+-]?[0-9]+"),
    _XSD + "decimal": re.compile(r"[+-]?[0-9]*\.[0-9]+"),
    _XSD + "double": re.compile(r"[+-]?(?:[0-9]+\.[0-9]*|\.[0-9]+|[0-9]+)[eE][+-]?[0-9]+"),
    _XSD + "boolean": re.compile(r"true|false"),
}


def turtle_of(trig: bytes) -> bytes:
    """The Turtle block of a TriG block TurtleWriter.in_graph wrote: its lines without the graph and a tab."""
    if not trig:
        return b""
    return trig[trig.index(b"\n") + 2:-3].replace(b"\n\t", b"\n") + b"\n"


class Lit(NamedTuple):
    """A literal: its lexical form and datatype IRI (None: xsd:string)."""

    value: str
    datatype: str | None = None


Object = str | Lit  # an IRI or a literal
Triple3 = tuple[str, str, Object]


def string_literal(value: str) -> str:
    """A string as an N-Triples/Turtle quoted literal."""
    return f'"{value.translate(_ESCAPES)}"' if _NEEDS_ESCAPE.search(value) else f'"{value}"'


def iri_ref(iri: str) -> str:
    """An IRI as an N-Triples IRIREF; ValueError for characters IRIREF forbids (kg writes only checked IRIs)."""
    if _IRI_FORBIDDEN.search(iri):
        raise ValueError(f"not an IRI: {iri!r}")
    return f"<{iri}>"


class TurtleWriter:
    """Writes blocks of triples as pyoxigraph's Turtle and TriG serializers do under the given prefixes (the
    @prefix lines themselves are the caller's). IRIs' written forms are remembered."""

    def __init__(self, prefixes: Mapping[str, str]) -> None:
        self.prefixes = dict(prefixes)
        self._spaces = sorted(((ns, name) for name, ns in prefixes.items()), key=lambda p: -len(p[0]))
        self._forms: dict[str, str] = {}

    def iri(self, iri: str) -> str:
        """The IRI as a prefixed name or an IRIREF."""
        form = self._forms.get(iri)
        if form is None:
            if len(self._forms) >= MEMO_LIMIT:  # most IRIs are a document's own: keep the memory bounded
                self._forms.clear()
            form = self._forms[iri] = self._iri(iri)
        return form

    def _iri(self, iri: str) -> str:
        for ns, name in self._spaces:
            if iri.startswith(ns):
                local = iri[len(ns):]
                if _PLAIN_LOCAL.fullmatch(local):
                    return f"{name}:{local}"
                return self._ask(iri)
        return iri_ref(iri)

    def _ask(self, iri: str) -> str:
        """How pyoxigraph writes an IRI whose local part needs care."""
        s = NamedNode("urn:kg:s")
        data = serialize([Triple(s, s, NamedNode(iri))], format=RdfFormat.TURTLE, prefixes=self.prefixes)
        assert data is not None
        return data.decode().rstrip("\n").rsplit("\n", 1)[-1].split(" ", 2)[2].removesuffix(" .")

    def literal(self, lit: Lit) -> str:
        """A literal: bare where Turtle allows (numbers, booleans), else quoted with its datatype."""
        value, datatype = lit
        if datatype is None or datatype == _XSD + "string":
            return string_literal(value)
        bare = _BARE.get(datatype)
        if bare is not None and bare.fullmatch(value):
            return value
        return f"{string_literal(value)}^^{self.iri(datatype)}"

    def block(self, triples: Iterable[Triple3], graph: str | None = None) -> str:
        """Triples as Turtle (graph None) or as one TriG graph block: a subject's consecutive triples share
        it (`;`), a predicate's consecutive objects share it (`,`)."""
        out: list[str] = []
        iri, literal = self.iri, self.literal
        last_s = last_p = None
        for s, p, o in triples:
            obj = iri(o) if isinstance(o, str) else literal(o)
            if s == last_s:
                if p == last_p:
                    out.append(f" , {obj}")
                else:
                    out.append(f" ;\n\t{'a' if p == _RDF_TYPE else iri(p)} {obj}")
            else:
                if last_s is not None:
                    out.append(" .\n")
                out.append(f"{iri(s)} {'a' if p == _RDF_TYPE else iri(p)} {obj}")
            last_s, last_p = s, p
        if last_s is None:
            return ""
        out.append(" .\n")
        text = "".join(out)
        return text if graph is None else self.in_graph(text, graph)

    def in_graph(self, turtle: str, graph: str) -> str:
        """A Turtle block of this writer as the TriG block of a named graph: the same lines, indented one tab
        (a written literal holds no line break: newlines in it are escaped)."""
        if not turtle:
            return ""
        return f"{self.iri(graph)} {{\n\t{turtle[:-1].replace(chr(10), chr(10) + chr(9))}\n}}\n"
