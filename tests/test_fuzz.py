"""Property-based tests: random markdown, random tables and random bytes never crash the parser, and whatever
parses survives the trip through RDF (quads -> TriG -> quads) unchanged."""

from __future__ import annotations

import re
import string

import pyoxigraph
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kg import textio
from kg.identity import _fold_unicode, fold
from kg.model import Document, Skipped
from kg.parse import parse_bytes
from kg.rdf import Minter, document_quads
from kg.resolve import resolve
from kg.tables import pipe_positions, split_cells

SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# Text that looks like what documents hold, including the characters that matter to the format.
ALPHABET = string.ascii_letters + string.digits + " .,;:!?()[]{}<>*_#|\\/'\"-–—’“”€éüçñ漢字\t"
words = st.text(alphabet=ALPHABET, min_size=0, max_size=40)
SECTIONS = ["Keywords", "Themes", "Other", "Summary", "Signals", "Concerns", "Behaviors", "Technologies",
            "Issues", "Closest", "Notes", "Random Stuff"]
HEADERS = ["name", "description", "relevancy", "change", "10-year", "driving-force", "Signal", "Change",
           "10y horizon", "Driving force", "src", "extra column"]


@st.composite
def tables(draw: st.DrawFn) -> str:
    cols = draw(st.lists(st.sampled_from(HEADERS), min_size=1, max_size=6))
    rows = draw(st.lists(st.lists(words, min_size=0, max_size=len(cols) + 2), max_size=8))
    lines = ["| " + " | ".join(cols) + " |", "|" + "|".join("---" for _ in cols) + "|"]
    lines += ["| " + " | ".join(c.replace("|", "\\|") for c in r) + " |" for r in rows]
    return "\n".join(lines)


@st.composite
def documents(draw: st.DrawFn) -> str:
    parts = []
    if draw(st.booleans()):
        title = draw(words)
        page = draw(st.sampled_from(["20240102", "20250622d", "15526.0", "2029 0911", "", "x"]))
        form = draw(st.sampled_from(["# __{t}__, (from page [{p}](https://x.test/p/{p}).)",
                                     "# __{t}__, from ([{p}](https://x.test/p/{p}).)", "# {t}", "{t}"]))
        parts.append(form.format(t=title, p=page))
    if draw(st.booleans()):
        parts.append("__[External link](" + draw(st.sampled_from(["https://a.test/x", "nota url", "",
                                                                  "https://a.test/(paren)"])) + ")__")
    for _ in range(draw(st.integers(0, 6))):
        parts.append("## " + draw(st.sampled_from(SECTIONS)))
        kind = draw(st.sampled_from(["bullets", "table", "text", "links", "empty"]))
        if kind == "bullets":
            parts += ["* " + draw(words) for _ in range(draw(st.integers(0, 8)))]
        elif kind == "table":
            parts.append(draw(tables()))
        elif kind == "text":
            parts.append(draw(words))
        elif kind == "links":
            parts += [f"* [{draw(words)}]({draw(words)})" for _ in range(draw(st.integers(0, 4)))]
    newline = draw(st.sampled_from(["\n", "\r\n", "\n\n"]))
    return newline.join(parts)


def round_trip(doc: Document) -> None:
    """Quads for the document, written as TriG and read back: the same quads, and every name and cell there."""
    res = resolve([doc])
    mint = Minter()
    quads = document_quads(doc, res.slugs(), {doc.doc_id: doc.doc_id}, mint).quads
    data = pyoxigraph.serialize(quads, format=pyoxigraph.RdfFormat.TRIG)
    back = list(pyoxigraph.parse(data, pyoxigraph.RdfFormat.TRIG))
    assert set(back) == set(quads)
    literals = {q.object.value for q in back if isinstance(q.object, pyoxigraph.Literal)}
    for row in doc.rows:
        assert row.name in literals
        for value in (row.description, row.change, row.ten_year, row.driving_force, row.relevancy_text):
            if value:
                assert value in literals
    if doc.summary:
        assert doc.summary in literals


@SETTINGS
@given(documents())
def test_random_markdown_parses_and_round_trips(text: str) -> None:
    result = parse_bytes(text.encode("utf-8"), "doc", "doc.md")
    assert isinstance(result, Document | Skipped)
    if isinstance(result, Document):
        round_trip(result)


@SETTINGS
@given(tables())
def test_random_tables_keep_every_cell(table: str) -> None:
    text = "# __T__, (from page [20240102](https://x.test/p/20240102).)\n\n## Technologies\n\n" + table
    doc = parse_bytes(text.encode("utf-8"), "doc", "doc.md")
    assert isinstance(doc, Document)
    round_trip(doc)
    kept = " ".join([r.name + " " + r.description + " " + r.change + " " + r.ten_year + " " + r.driving_force + " "
                     + r.src + " " + r.relevancy_text + " " + str(r.relevancy or "") + " "
                     + " ".join(v for _, v in r.extra) for r in doc.rows] + [e.text for e in doc.extras])
    reported = {p.line for p in doc.problems}
    for n, line in enumerate(text.splitlines()[6:], 7):  # the data rows
        for cell in split_cells(line):
            if cell.strip():
                assert cell.strip() in kept or n in reported, (n, cell)


@SETTINGS
@given(st.binary(max_size=4000))
def test_random_bytes_never_crash(data: bytes) -> None:
    result = parse_bytes(data, "doc", "doc.md")
    assert isinstance(result, Document | Skipped)
    if isinstance(result, Document):
        round_trip(result)


@SETTINGS
@given(st.text(max_size=3000))
def test_random_text_never_crashes(text: str) -> None:
    result = parse_bytes(text.encode("utf-8", "surrogatepass"), "doc", "doc.md")
    assert isinstance(result, Document | Skipped)


@settings(max_examples=2000, deadline=None)
@given(st.text(alphabet=st.characters(max_codepoint=127), max_size=60))
def test_ascii_fold_equals_the_unicode_fold(text: str) -> None:
    assert fold(text) == _fold_unicode(text)


def test_fold_examples() -> None:
    assert fold("C++ and C#: the `Ed-Tech'  market_size") == "c plusplus and c sharp the ed tech market size"
    assert fold("AT&T's 5G\tRoll-out (100%)") == "at and ts 5g roll out 100 percent"
    assert fold("Café “Déjà vu”") == "cafe deja vu"


@settings(max_examples=1000, deadline=None)
@given(st.text(alphabet=st.characters(max_codepoint=0xA0), max_size=80))
def test_control_share_by_byte_table_equals_the_pattern(text: str) -> None:
    expected = len(textio._CONTROL.findall(text)) / len(text) if text else 0.0
    assert textio._control_share(text) == expected


@given(st.lists(st.tuples(st.integers(0, 4), st.integers(0, 4), st.integers(0, 5) | st.just(""),
                          st.text(alphabet="ab", max_size=2)), max_size=60))
def test_explorer_rows_sort_as_sorted_does(cells: list[tuple[int, int, int | str, str]]) -> None:
    """The explorer's mention rows (vertex, vertex, relevancy or "" for none, texts) come out in sorted()'s
    order, ties on both vertices included, a missing relevancy after every number."""
    from kg.viz import _sorted_rows

    rows = [list(c) for c in cells]
    numbered = [[a, b, 6 if r == "" else r, t] for a, b, r, t in rows]  # "" sorts as if above the 1-5 scale
    expected = [[a, b, "" if r == 6 else r, t] for a, b, r, t in sorted(numbered)]
    assert _sorted_rows([list(r) for r in rows]) == expected


@given(st.text(alphabet=st.sampled_from("|\\ a\u00e9|"), max_size=60) | st.text(max_size=200))
def test_pipe_positions_are_the_unescaped_pipes(line: str) -> None:
    assert pipe_positions(line) == [m.start() for m in re.finditer(r"(?<!\\)\|", line)]


@given(st.text(alphabet=st.characters(max_codepoint=0x7F) | st.sampled_from("\ufffe\uffff\u00e9\x85"), max_size=80))
def test_decoded_text_holds_only_characters_xml_can_hold(text: str) -> None:
    assert textio._has_not_xml(text) == bool(textio._NOT_XML.search(text))
    data = ("# __T__\n\n## Summary\n\n" + text.replace("\x00", "") + "\n").encode("utf-8")
    try:
        decoded = textio.decode(data, "f.md")
    except textio.NotText:
        return  # mostly control characters: a binary file, skipped
    assert not any(textio._NOT_XML.search(line) for line in decoded.lines)
    changed = {p.line for p in decoded.problems if p.code == "control-characters"}
    lines = re.split(r"\r\n|\r|\n", data.decode())
    assert changed == {n for n, line in enumerate(lines, 1) if textio._NOT_XML.search(line)}
