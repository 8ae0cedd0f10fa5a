"""The seeds build: facts in the graph, nothing lost, SHACL, determinism, bad files."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pyoxigraph
import pytest
from click.testing import CliRunner

from kg.cli import main
from kg.errors import BaseIriError
from kg.pipeline import BuildResult, build
from kg.textio import decode
from kg.validate import validate_graph
from tests.conftest import SEEDS, ask, select, write_docs

SEED = "000_61f95d86ecc6b6dd"


def sparql_string(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)


def test_seed_facts_by_sparql(seeds_store: pyoxigraph.Store) -> None:
    art = f"<https://w3id.org/signals-kg/id/article/{SEED}>"
    row = select(seeds_store, f"""SELECT ?title ?date ?page ?src WHERE {{
        {art} dcterms:title ?title ; dcterms:date ?date ; kgo:pageId ?page ; dcterms:source ?src }}""")
    assert row == [{"title": "Exploring the Advantages of Small Language Models in AI Applications",
                    "date": "2023-12-03", "page": "20231203",
                    "src": "https://newsletter.nocode.ai/p/emergence-small-language-models"}]
    assert ask(seeds_store, f'ASK {{ {art} dcterms:date "2023-12-03"^^xsd:date }}')
    counts = select(seeds_store, f"""SELECT ?type (COUNT(DISTINCT ?m) AS ?n) WHERE {{
        {art} kgo:mention ?m . ?m kgo:entity ?e . ?e a ?type }} GROUP BY ?type""")
    assert {r["type"].split("#")[1]: int(r["n"]) for r in counts} == {
        "Signal": 5, "Concern": 8, "Behavior": 8, "Technology": 5, "Issue": 8}
    kw = select(seeds_store, f"SELECT ?l WHERE {{ {art} kgo:hasKeyword/rdfs:label ?l }}")
    assert len(kw) == 5
    th = select(seeds_store, f"SELECT ?l WHERE {{ {art} kgo:hasTheme ?t }}")
    assert len(th) == 5
    rel = select(seeds_store, f"""SELECT ?name ?r WHERE {{ {art} kgo:mention ?m . ?m kgo:name ?name ;
        kgo:relevancy ?r ; kgo:entity/a kgo:Technology }}""")
    assert {r["name"]: int(r["r"]) for r in rel} == {
        "Small Language Models (SLMs)": 5, "IBM Granite Models": 4, "Mistral 7B": 4, "watsonx Code Assistant": 4,
        "Phi-2": 4}
    assert ask(seeds_store, 'ASK { ?m dcterms:description ?d FILTER(STRSTARTS(?d, "SLMs’ specificity")) }')
    assert not ask(seeds_store, 'ASK { ?s ?p ?o FILTER(isLiteral(?o) && CONTAINS(STR(?o), "â€")) }')
    tech = select(seeds_store, "SELECT ?t WHERE { ?t a kgo:Technology ; rdfs:label \"Mistral 7B\" }")
    assert tech == [{"t": "https://w3id.org/signals-kg/id/technology/mistral-7b"}]


def _sections(lines: list[str]) -> list[tuple[str, list[tuple[int, str]]]]:
    """Independent of kg.parse: split lines at '## ' headings."""
    out: list[tuple[str, list[tuple[int, str]]]] = [("", [])]
    for n, line in enumerate(lines, 1):
        if line.startswith("## "):
            out.append((line[3:].strip(), []))
        else:
            out[-1][1].append((n, line))
    return out


def _expected_facts(path: Path) -> list[tuple[str, str]]:
    """(kind, text) for every bullet and table cell of a document, read without kg's parser."""
    lines = decode(path.read_bytes(), path.name).lines
    facts: list[tuple[str, str]] = []
    for name, body in _sections(lines):
        bullets = [line[2:].strip() for _, line in body if line.startswith("* ")]
        if bullets and sum(len(b) <= 1 for b in bullets) > 0.7 * len(bullets):  # exploded list
            bullets = [x.strip() for x in "".join(b or " " for b in [line[2:] for _, line in body
                                                                     if line.startswith("* ")]).split(",")]
        for b in bullets:
            if not b:
                continue
            if name == "Closest":
                facts.append(("link", re.match(r"\[.*\]\((.*)\)", b).group(1)))
            elif name == "Other":
                facts.append(("text", b.split(":", 1)[1].strip()))
            else:
                facts.append(("name", b))
        rows = [line for _, line in body if line.startswith("|")]
        for line in rows[2:]:  # skip header and separator
            for cell in (c.strip() for c in line.strip().strip("|").split("|")):
                if cell:
                    facts.append(("cell", cell))
    return facts


@pytest.mark.parametrize("path", sorted(p for p in SEEDS.iterdir() if p.name != "README.md"), ids=lambda p: p.name)
def test_lossless_round_trip(path: Path, seeds_store: pyoxigraph.Store) -> None:
    graph = f"<https://w3id.org/signals-kg/id/graph/{path.stem}>"
    art = f"<https://w3id.org/signals-kg/id/article/{path.stem}>"
    facts = _expected_facts(path)
    assert facts
    missing = []
    for kind, text in facts:
        lit = sparql_string(text)
        if kind == "link":
            found = text == path.stem or ask(seeds_store, f"ASK {{ {art} kgo:closest/dcterms:identifier {lit} }}")
        elif kind == "name":
            found = ask(seeds_store, f"""ASK {{ GRAPH {graph} {{ {art} ?p ?e }}
                {{ ?e rdfs:label {lit} }} UNION {{ ?e skos:altLabel {lit} }} }}""")
        elif re.fullmatch(r"\d+(\.0)?", text):
            found = ask(seeds_store, f"""ASK {{ GRAPH {graph} {{ ?m kgo:relevancy {int(float(text))} }} }}""")
        else:
            found = ask(seeds_store, f"""ASK {{ GRAPH {graph} {{ ?s ?p ?o }}
                FILTER(isLiteral(?o) && CONTAINS(STR(?o), {lit})) }}""") or ask(
                seeds_store, f"ASK {{ GRAPH {graph} {{ {art} ?p ?e }} ?e rdfs:label|skos:altLabel {lit} }}")
        if not found:
            missing.append((kind, text))
    assert missing == []
    title = select(seeds_store, f"SELECT ?t WHERE {{ {art} dcterms:title|dcterms:identifier ?t }}")
    first = decode(path.read_bytes(), path.name).lines[0]
    assert any(r["t"] in first for r in title)


def test_shacl_conforms(seeds_build: tuple[Path, BuildResult]) -> None:
    out, _ = seeds_build
    conforms, text = validate_graph(out)
    assert conforms, text


def test_shacl_catches_a_broken_graph(seeds_build: tuple[Path, BuildResult], tmp_path: Path) -> None:
    out, _ = seeds_build
    text = (out / "graph.ttl").read_text(encoding="utf-8")
    broken = text.replace("kgo:relevancy 4 ;", 'kgo:relevancy "four" ;', 1)
    assert broken != text
    (tmp_path / "graph.ttl").write_text(broken, encoding="utf-8")
    conforms, report = validate_graph(tmp_path)
    assert not conforms and "relevancy" in report


def test_build_is_deterministic(seeds_build: tuple[Path, BuildResult], tmp_path: Path) -> None:
    out, _ = seeds_build
    again = tmp_path / "again"
    build([SEEDS], again)
    for name in ("graph.ttl", "graph.trig", "report.json"):
        assert (out / name).read_bytes() == (again / name).read_bytes(), name


def test_report_lists_skips_and_warnings(seeds_build: tuple[Path, BuildResult]) -> None:
    out, result = seeds_build
    report = json.loads((out / "report.json").read_text())
    assert report["documents"] == {"read": 15, "built": 14, "skipped": 1}
    assert report["skipped"] == [{"file": "seeds/README.md", "reason": result.skipped[0].reason}]
    codes = report["problem_counts"]["by_code"]
    assert codes["mojibake"] == 1 and codes["exploded-list"] == 2 and codes["wrapped-row"] == 4
    assert "warnings" not in report and {p["severity"] for p in report["problems"]} == {"warning", "info"}
    counts = report["problem_counts"]
    assert counts["warning"] + counts["info"] == len(report["problems"])
    assert counts["warning"] == sum(1 for p in report["problems"] if p["severity"] == "warning")
    moj = [w for w in report["problems"] if w["code"] == "mojibake"]
    assert moj[0]["file"] == "seeds/000_61f95d86ecc6b6dd.txt" and moj[0]["line"] == 50


def test_bad_files_are_reported_and_the_rest_builds(tmp_path: Path) -> None:
    good = (SEEDS / f"{SEED}.txt").read_bytes()
    src = write_docs(tmp_path / "src", {
        "good.md": good,
        "empty.md": b"",
        "binary.md": bytes(range(256)) * 50,
        "notes.txt": "shopping list\n- milk\n",
        "report.pdf": b"%PDF-1.4 ...",
        "sub/also-good.txt": good.replace(b"emergence-small-language-models", b"another-url"),
    })
    result = build([src], tmp_path / "out")
    assert result.built == 2
    reasons = {s.path: s.reason for s in result.skipped}
    assert reasons["src/empty.md"] == "empty file"
    assert reasons["src/binary.md"].startswith("binary file")
    assert reasons["src/notes.txt"].startswith("not a summary")
    assert "extension" in reasons["src/report.pdf"]
    report = json.loads((tmp_path / "out" / "report.json").read_text())
    assert report["documents"]["skipped"] == 4


def test_same_url_under_two_ids_is_one_article(tmp_path: Path, seeds_store: pyoxigraph.Store) -> None:
    good = (SEEDS / f"{SEED}.txt").read_bytes()
    src = write_docs(tmp_path / "src", {"aaa.md": good, "bbb.md": good.replace(b"Exploring", b"Explaining")})
    result = build([src], tmp_path / "out")
    assert result.nodes["Article"] == 1
    assert any(p.code == "same-article" and p.file == "src/bbb.md" for p in result.problems)
    store = pyoxigraph.Store()
    store.load(path=str(tmp_path / "out" / "graph.trig"), format=pyoxigraph.RdfFormat.TRIG)
    ids = select(store, "SELECT DISTINCT ?id WHERE { ?a a kgo:Article ; dcterms:identifier ?id } ORDER BY ?id")
    assert [r["id"] for r in ids] == ["aaa", "bbb"]


def test_closest_links_resolve_and_unknown_targets_are_not_loaded(seeds_store: pyoxigraph.Store) -> None:
    rows = select(seeds_store, """SELECT ?id ?loaded WHERE {
        ?a dcterms:identifier "002ee663c73c7add6ce2cabe29e4ae02" ; kgo:closest ?b .
        ?b dcterms:identifier ?id ; kgo:loaded ?loaded }""")
    assert len(rows) == 7 and all(r["loaded"] == "false" for r in rows)
    assert not ask(seeds_store, "ASK { ?a kgo:closest ?a }")
    label = select(seeds_store, """SELECT ?l WHERE { ?b dcterms:identifier "903096f9f71209541fb6fabd6220b72b" ;
        rdfs:label ?l }""")
    assert label == [{"l": "Consequences and Compliance: CNIL's Google Analytics Use Notice"}]


def test_urls_are_kept_exactly_as_written(tmp_path: Path) -> None:
    """A URL that ends in `?` keeps it (the document id is the hash of the URL as written); a URL that is
    not a valid IRI is repaired, and the repair reported."""
    import hashlib

    seed = (SEEDS / f"{SEED}.txt").read_text(encoding="utf-8")
    exact = "https://example.org/story?"
    spaced = "https://example.org/a story"
    docs = {}
    for url in (exact, spaced):
        doc_id = hashlib.md5(url.encode()).hexdigest()
        docs[f"{doc_id}.md"] = re.sub(r"\[External link\]\([^)]*\)", f"[External link]({url})", seed, count=1)
    src = write_docs(tmp_path / "src", docs)
    out = tmp_path / "out"
    build([src], out, analytics=False)
    store = pyoxigraph.Store()
    store.load(path=str(out / "graph.trig"), format=pyoxigraph.RdfFormat.TRIG)
    sources = {r["u"] for r in select(store, "SELECT ?u WHERE { ?a dcterms:source ?u }")}
    assert sources == {exact, "https://example.org/a%20story"}
    report = json.loads((out / "report.json").read_text())
    repairs = [p for p in report["problems"] if p["code"] == "url-repaired"]
    assert len(repairs) == 1 and "a story" in repairs[0]["message"] and repairs[0]["line"] > 0


def test_kg_validate_command(seeds_build: tuple[Path, BuildResult], tmp_path: Path) -> None:
    """The README's second step: `kg validate` on a fresh install (it needs no rdflib store plugin)."""
    from click.testing import CliRunner

    from kg.cli import main

    out, _ = seeds_build
    result = CliRunner().invoke(main, ["validate", "--graph", str(out)])
    assert result.exit_code == 0, result.output
    assert "Conforms: True" in result.output
    missing = CliRunner().invoke(main, ["validate", "--graph", str(tmp_path)])
    assert missing.exit_code == 1 and "no built graph" in missing.output


def test_implausible_page_dates_are_kept_and_reported(tmp_path: Path) -> None:
    seed = (SEEDS / f"{SEED}.txt").read_text(encoding="utf-8")
    docs = {}
    for i, day in enumerate(["20230105", "20230611", "20231203", "20291211"]):
        docs[f"d{i}.md"] = seed.replace("20231203", day).replace("emergence-small-language-models", f"story-{i}")
    src = write_docs(tmp_path / "src", docs)
    result = build([src], tmp_path / "out", analytics=False, html=False)
    flagged = [(p.file, p.code) for p in result.problems if p.code == "implausible-date"]
    assert flagged == [("src/d3.md", "implausible-date")]  # 2029: six years after every other date
    store = pyoxigraph.Store()
    store.load(path=str(tmp_path / "out" / "graph.trig"), format=pyoxigraph.RdfFormat.TRIG)
    assert ask(store, 'ASK { ?a dcterms:date "2029-12-11"^^xsd:date }')  # kept
    result = build([src], tmp_path / "out2", analytics=False, html=False, as_of="2023-06-30")
    assert sorted(p.file for p in result.problems if p.code == "implausible-date") == ["src/d2.md", "src/d3.md"]
    one = build([write_docs(tmp_path / "one", {"a.md": docs["d3.md"]})], tmp_path / "out3", analytics=False)
    assert not [p for p in one.problems if p.code == "implausible-date"]  # one date: nothing to compare with


def test_fewer_collections_sets_and_restores_the_thresholds() -> None:
    import gc

    from kg.pipeline.workers import BUILD_GC_THRESHOLDS, fewer_collections

    before = gc.get_threshold()
    with pytest.raises(RuntimeError), fewer_collections():
        assert gc.get_threshold() == BUILD_GC_THRESHOLDS != before
        raise RuntimeError("a failed build")
    assert gc.get_threshold() == before


@pytest.mark.parametrize("base", ["not an iri", "relative/path/", "http://example.org/a b/"])
def test_a_base_that_is_not_an_absolute_iri_is_refused_before_any_work(tmp_path: Path, base: str) -> None:
    src = write_docs(tmp_path / "src", {"a.md": (SEEDS / "000_61f95d86ecc6b6dd.txt").read_text(encoding="utf-8")})
    with pytest.raises(BaseIriError, match="is not an absolute IRI"):
        build([src], tmp_path / "out", base=base)
    assert not (tmp_path / "out").exists()
    result = CliRunner().invoke(main, ["build", str(src), "--out", str(tmp_path / "out"), "--base", base, "-q"])
    assert result.exit_code == 1 and f"--base {base!r} is not an absolute IRI" in result.output


def test_a_base_of_another_scheme_builds(tmp_path: Path) -> None:
    src = write_docs(tmp_path / "src", {"a.md": (SEEDS / "000_61f95d86ecc6b6dd.txt").read_text(encoding="utf-8")})
    build([src], tmp_path / "out", base="urn:example:kg:")
    assert "<urn:example:kg:technology/" in (tmp_path / "out" / "graph.ttl").read_text(encoding="utf-8")


def test_a_name_written_with_an_html_reference_is_the_same_node(tmp_path: Path) -> None:
    seed = (SEEDS / "000_61f95d86ecc6b6dd.txt").read_text(encoding="utf-8")
    other = seed.replace("https://newsletter.nocode.ai/p/emergence-small-language-models", "https://example.org/b")
    src = write_docs(tmp_path / "src", {"a.md": seed.replace("* benchmarks", "* R&amp;D"),
                                        "b.md": other.replace("* benchmarks", "* R&D")})
    build([src], tmp_path / "out")
    store = pyoxigraph.Store()
    store.bulk_load(path=str(tmp_path / "out" / "graph.ttl"), format=pyoxigraph.RdfFormat.TURTLE)
    labels = [s["l"].value for s in store.query(
        'SELECT ?l WHERE { ?k a <https://w3id.org/signals-kg/ontology#Keyword> ; '
        '<http://www.w3.org/2000/01/rdf-schema#label> ?l FILTER(STRSTARTS(?l, "R")) }')]
    assert labels == ["R&D"]
    from kg.check import check

    assert check([src], tmp_path / "out").ok
