"""kg query: formats, syntax errors, named queries on the seeds build with their expected rows, the Python API."""

from __future__ import annotations

import json
from pathlib import Path

import pyoxigraph
import pytest
from click.testing import CliRunner

import kg
from kg.cli import main
from kg.pipeline import BuildResult
from kg.sparql import bind, named_queries

SEED = "000_61f95d86ecc6b6dd"


def run(out: Path, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, [*args, "--graph", str(out)])
    return result.exit_code, result.output


def test_select_formats(seeds_build: tuple[Path, BuildResult]) -> None:
    out, _ = seeds_build
    q = 'SELECT ?l WHERE { ?t a kgo:Technology ; rdfs:label ?l FILTER(STRSTARTS(?l, "Mistral")) }'
    code, table = run(out, "query", q)
    assert code == 0 and "Mistral 7B" in table
    code, text = run(out, "query", q, "--format", "json")
    parsed = pyoxigraph.parse_query_results(text.encode(), pyoxigraph.QueryResultsFormat.JSON)
    assert [s["l"].value for s in parsed] == ["Mistral 7B"]
    code, text = run(out, "query", q, "--format", "csv")
    assert text.splitlines() == ["l", "Mistral 7B"]
    code, text = run(out, "query", q, "--format", "tsv")
    assert text.splitlines() == ["?l", '"Mistral 7B"']


def test_ask_and_construct(seeds_build: tuple[Path, BuildResult]) -> None:
    out, _ = seeds_build
    code, text = run(out, "query", 'ASK { ?t rdfs:label "Phi-2" }')
    assert code == 0 and text.strip() == "true"
    code, text = run(out, "query", 'ASK { ?t rdfs:label "Phi-2" }', "--format", "json")
    assert json.loads(text) == {"head": {}, "boolean": True}
    code, text = run(out, "query", "CONSTRUCT { ?c rdfs:label ?l } WHERE { ?c a kgo:Category ; rdfs:label ?l }")
    assert code == 0
    triples = list(pyoxigraph.parse(text.encode(), pyoxigraph.RdfFormat.TURTLE))
    assert sorted(t.object.value for t in triples) == ["others", "science", "technology"]
    code, text = run(out, "query", "DESCRIBE <https://w3id.org/signals-kg/id/technology/phi-2>")
    assert code == 0 and "Phi-2" in text


def test_syntax_error_gives_line_and_column(seeds_build: tuple[Path, BuildResult]) -> None:
    out, _ = seeds_build
    code, text = run(out, "query", "SELECT ?x\nWHERE {\n  ?x a kgo:Technology .\n  ?x ?y }")
    assert code == 1
    assert "line 4, column 10" in text and "  ?x ?y }" in text  # the object is missing at '}' (pyoxigraph's column)
    assert text.splitlines()[-1] == "  " + " " * 9 + "^"
    code, text = run(out, "query", "SELECT ?x WHERE { ?x nope:thing ?y }")
    assert code == 1 and "line 1, column" in text


def test_updates_are_refused(seeds_build: tuple[Path, BuildResult]) -> None:
    out, _ = seeds_build
    code, text = run(out, "query", "INSERT DATA { <urn:a> <urn:b> <urn:c> }")
    assert code == 1 and "read-only" in text


def test_query_from_file(seeds_build: tuple[Path, BuildResult], tmp_path: Path) -> None:
    out, _ = seeds_build
    f = tmp_path / "q.rq"
    f.write_text("SELECT (COUNT(DISTINCT ?a) AS ?n) WHERE { ?a a kgo:Article ; kgo:loaded true }")
    _code, text = run(out, "query", "-f", str(f), "--format", "csv")
    assert text.splitlines() == ["n", "14"]


def test_named_queries_are_listed_with_descriptions(seeds_build: tuple[Path, BuildResult]) -> None:
    out, _ = seeds_build
    queries = named_queries()
    assert len(queries) >= 12
    assert all(q.description for q in queries.values())
    code, text = run(out, "query", "--list", "--format", "json")
    assert code == 0 and {r["name"] for r in json.loads(text)} == set(queries)


def rows(out: Path, name: str, **params: str) -> list[dict[str, str]]:
    args = ["query", "--name", name, "--format", "json"]
    for k, v in params.items():
        args += ["--param", f"{k}={v}"]
    code, text = run(out, *args)
    assert code == 0, text
    data = json.loads(text)
    return [{k: v["value"] for k, v in b.items()} for b in data["results"]["bindings"]]


# Expected rows, read off the seed documents by hand.
def test_named_query_expected_rows(seeds_build: tuple[Path, BuildResult]) -> None:
    out, _ = seeds_build
    top = rows(out, "top-technologies")
    assert len(top) == 25 and all(r["articles"] == "1" for r in top)  # no technology is in two seed articles
    means = [float(r["mean_relevancy"]) for r in top if "mean_relevancy" in r]  # tables without relevancy: none
    assert means == sorted(means, reverse=True) and set(means) <= {1, 2, 3, 4, 5}
    labels = {r["label"]: float(r.get("mean_relevancy", 0)) for r in top}
    assert labels.get("IBM Granite Models", 4) == 4 and labels.get("Phi-2", 4) == 4

    strong = rows(out, "strongest-signals")
    names = {r["signal"] for r in strong}
    assert "Cost reduction in AI deployment" in names  # the seed's only relevancy-5 signal
    seed_row = next(r for r in strong if r["signal"] == "Cost reduction in AI deployment")
    assert seed_row["driving_force"].startswith("Economic pressures and the need for budget-friendly")
    assert seed_row["date"] == "2023-12-03"
    assert all(r["signal"] != "Shift towards Small Language Models (SLMs)" for r in strong)  # relevancy 4

    concerns = rows(out, "concerns-with-technology")  # default: Small Language Models (SLMs), the seed's 8
    assert len(concerns) == 8 and concerns[0]["max_relevancy"] == "5"
    assert {r["concern"] for r in concerns} >= {"Bias and Toxicity in AI Outputs", "Data Scarcity for Training SLMs"}
    assert rows(out, "concerns-with-technology", technology="watsonx code assistant")  # case-insensitive
    assert rows(out, "concerns-with-technology", technology="no such thing") == []

    months = rows(out, "themes-per-month")
    seed_month = [r for r in months if r["month"] == "2023-12"]
    assert len(seed_month) == 5 and all(r["articles"] == "1" for r in seed_month)

    timeline = rows(out, "articles-per-month")
    assert sum(int(r["articles"]) for r in timeline) == 12  # 14 articles; 15526.0 and 20002.0 give no date

    closest = rows(out, "closest-links")
    assert len(closest) == 15  # 7 from 002ee663, 3 from 01dd2037, 5 from c346127b; self-links skipped
    assert {r["to_loaded"] for r in closest} == {"false"}

    outlooks = rows(out, "outlooks-for-theme")
    assert len(outlooks) == 5 and all(r["date"] == "2023-12-03" for r in outlooks)

    cats = {(r["category"], r["content_type"]): int(r["articles"]) for r in rows(out, "articles-per-category")}
    assert cats[("(none)", "(none)")] == 5 and cats[("science", "research article")] == 2
    assert sum(cats.values()) == 14

    kw = rows(out, "articles-by-keyword")
    assert {r["keyword"] for r in kw} == {"small language models", "large language models"}
    assert rows(out, "articles-by-keyword", text="cookies")[0]["id"] == "002ee663c73c7add6ce2cabe29e4ae02"

    profile = rows(out, "article-profile")
    assert len(profile) == 34 and profile[0]["line"] == "36"
    assert rows(out, "article-profile", id="c346127b59f55385f443e5e27e93bc78")[1]["name"] == (
        "Hospital-acquired adverse events")

    derived = rows(out, "derived-names")
    assert len(derived) == 7  # 2 in 001b195b, 5 in 0248f1b6
    assert rows(out, "unmapped-content") == []

    members = rows(out, "cluster-members")
    assert members and len({r["cluster_label"] for r in members}) == 1
    assert float(members[0]["pagerank"]) >= float(members[-1]["pagerank"])

    bridges = rows(out, "bridge-nodes")
    assert bridges[0]["label"] == "AI" and float(bridges[0]["participation"]) >= 0.3  # keyword of 3 articles

    in_signals = rows(out, "technology-in-signals")  # default: Small Language Models (SLMs)
    assert {r["label"] for r in in_signals} >= {"Shift towards Small Language Models (SLMs)",
                                                "Data Scarcity for Training SLMs"}
    assert rows(out, "technology-in-signals", technology="slms") == in_signals  # any name, any case

    related = rows(out, "related-concepts")
    assert any(r["label"] == "Small Language Models (SLMs)" and r["other_label"] == "small language models"
               for r in related)

    top_concerns = rows(out, "top-concerns")
    assert len(top_concerns) == 25 and top_concerns[0]["max_relevancy"] == "5"


def test_every_named_query_runs_with_its_defaults(seeds_build: tuple[Path, BuildResult]) -> None:
    out, _ = seeds_build
    for name in named_queries():
        code, text = run(out, "query", "--name", name, "--format", "csv")
        assert code == 0, (name, text)


def test_parameter_binding_escapes_values() -> None:
    q = named_queries()["concerns-with-technology"]
    text = bind(q, {"technology": 'a "quoted" \\ name'})
    assert 'VALUES ?technology { "a \\"quoted\\" \\\\ name" }' in text
    with pytest.raises(Exception, match="no parameter"):
        bind(q, {"nope": "x"})


def test_python_api(seeds_build: tuple[Path, BuildResult]) -> None:
    out, _ = seeds_build
    g = kg.load(out)
    assert g.query(f'ASK {{ ?a dcterms:identifier "{SEED}" }}') is True
    rel = g.query(f"""SELECT ?name ?r WHERE {{ ?a dcterms:identifier "{SEED}" ; kgo:mention ?m .
        ?m kgo:name ?name ; kgo:relevancy ?r }} ORDER BY ?name LIMIT 2""")
    assert isinstance(rel, list) and isinstance(rel[0]["r"], int)
    df = g.df("SELECT ?l ?pr WHERE { ?t a kgo:Technology ; rdfs:label ?l ; kgo:pagerank ?pr } ORDER BY DESC(?pr)")
    assert list(df.columns) == ["l", "pr"] and len(df) == 39 and df["pr"].dtype.kind == "f"
    assert g.named("concerns-with-technology", technology="Phi-2")
    assert g.top("Technology", n=3)[0]["type"] == "Technology"
    assert g.stats()["nodes"]["Article"] == 29


def test_named_queries_follow_the_graphs_base(tmp_path: Path) -> None:
    """A graph built with another --base: `kg:` in named queries is that base (cluster-members found 0 rows)."""
    from tests.conftest import SEEDS

    out = tmp_path / "out"
    base = "https://example.org/kb/"
    assert CliRunner().invoke(main, ["build", str(SEEDS), "--out", str(out), "--base", base, "-q"]).exit_code == 0
    code, text = run(out, "query", "--name", "cluster-members", "--format", "json")
    assert code == 0, text
    rows = json.loads(text)["results"]["bindings"]
    assert rows and all(r["cluster_label"]["value"] for r in rows)
    code, text = run(out, "query", "SELECT ?c WHERE { ?c a kgo:Cluster FILTER(STRSTARTS(STR(?c), STR(kg:))) } LIMIT 1",
                     "--format", "csv")
    assert code == 0 and text.splitlines()[1].startswith(base)
    assert kg.load(out).named("cluster-members")  # the Python API too


def test_the_python_api_offers_what_the_cli_does(seeds_build: tuple[Path, BuildResult], tmp_path: Path) -> None:
    from tests.conftest import SEEDS

    out, _ = seeds_build
    g = kg.load(out)
    assert g.validate()[0] is True
    assert g.merges()["related_across_types"]
    path = g.export("nquads", tmp_path / "g.nq")
    assert path.stat().st_size > 0
    view = g.html(tmp_path / "v.html", focus="Mistral 7B")
    assert "Mistral 7B" in (tmp_path / "v.html").read_text(encoding="utf-8") and view.nodes
    assert g.check(SEEDS).ok


def test_referenced_articles_are_counted_apart_and_not_ranked(seeds_build: tuple[Path, BuildResult]) -> None:
    out, _ = seeds_build
    g = kg.load(out)
    assert g.stats()["articles"] == {"built": 14, "referenced": 15}
    assert len(g.top("Article", n=100)) == 14  # stubs from Closest links are no articles of the corpus
    assert len(g.top("Article", n=100, referenced=True)) == 29
    code, text = run(out, "stats")
    assert code == 0 and "14 from documents, 15 more referenced by Closest links only" in text


def test_top_without_types_ranks_concepts_not_nodes(seeds_build: tuple[Path, BuildResult],
                                                    seeds_store: pyoxigraph.Store) -> None:
    """Nodes of different types that name one concept are one row of `kg top` (the others in `also`)."""
    from tests.conftest import select

    out, _ = seeds_build
    rows = kg.load(out).top(n=30)
    assert [r["rank"] for r in rows] == list(range(1, 31))
    related = {(r["a"], r["b"]) for r in select(seeds_store, "SELECT ?a ?b WHERE { ?a kgo:relatedConcept ?b }")}
    iris = [str(r["iri"]) for r in rows]
    assert not any((a, b) in related for a in iris for b in iris)  # no family twice
    folded = next(r for r in rows if r["label"] == "Public Engagement with Science")
    assert folded["type"] == "Signal" and folded["also"] == "Behavior 'Public Engagement with Science'"
    assert all(r.get("also", "") == "" for r in kg.load(out).top("Signal", n=30))  # a type asked for: nodes


@pytest.mark.parametrize(("args", "message"), [
    (["top", "-n", "-3"], "-3 is not in the range x>=0"),
    (["trends", "--since", "garbage"], "'garbage' is not a date written YYYY-MM-DD"),
    (["trends", "--since", "2024-02-30"], "'2024-02-30' is not a date written YYYY-MM-DD"),
    (["trends", "--since", "2024-05-01", "--until", "2023-01-01"], "--since 2024-05-01 is after --until 2023-01-01"),
    (["report", "--since", "last week"], "'last week' is not a date written YYYY-MM-DD"),
    (["html", "--focus", "AI", "--depth", "-1"], "-1 is not in the range x>=0"),
    (["html", "--top", "0"], "0 is not in the range x>=1"),
    (["gaps", "--recent", "0"], "0 is not in the range x>=1"),
    (["query", "--max-rows", "-1", "ASK {}"], "-1 is not in the range x>=0"),
])
def test_bad_option_values_are_usage_errors(seeds_build: tuple[Path, BuildResult], args: list[str],
                                            message: str) -> None:
    """A negative count or a date that is not YYYY-MM-DD is refused before any work, with the option named."""
    out, _ = seeds_build
    result = CliRunner().invoke(main, [args[0], "--graph", str(out), *args[1:]])
    assert result.exit_code == 2 and message in result.output, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)


def test_a_window_given_as_dates_is_applied(seeds_build: tuple[Path, BuildResult]) -> None:
    out, _ = seeds_build
    rows = json.loads(CliRunner().invoke(main, ["trends", "--graph", str(out), "--since", "2025-01-01", "--format",
                                                "json", "--top", "500"]).output)
    everything = json.loads(CliRunner().invoke(main, ["trends", "--graph", str(out), "--format", "json", "--top",
                                                      "500"]).output)
    assert rows and len(rows) < len(everything)
    assert all(r["first_seen"] >= "2025-01-01" for r in rows if r["first_seen"])  # undated articles stay in
    assert any(r["first_seen"] for r in rows)


def test_the_api_refuses_a_negative_count(seeds_build: tuple[Path, BuildResult]) -> None:
    out, _ = seeds_build
    with pytest.raises(kg.errors.KgError, match="n must be 0 or more"):
        kg.load(out).top(n=-3)
    assert kg.load(out).top(n=0) == []


def test_a_service_that_cannot_be_reached_is_a_query_error(seeds_build: tuple[Path, BuildResult]) -> None:
    out, _ = seeds_build
    result = CliRunner().invoke(main, ["query", "--graph", str(out),
                                       "SELECT * WHERE { SERVICE <http://127.0.0.1:1/sparql> { ?s ?p ?o } }"])
    assert result.exit_code == 1 and "query failed" in result.output
    assert isinstance(result.exception, SystemExit)
