"""Article versions: several documents of one article are one Article, described by the most recent one;
rows the copies share are one Mention; stable node IRIs as the corpus grows."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pyoxigraph
import pytest

from kg.check import check
from kg.pipeline import build
from kg.resolve import identity_slug
from kg.validate import validate_graph
from tests.conftest import ROOT, SEEDS, select, write_docs

SEED = (SEEDS / "000_61f95d86ecc6b6dd.txt").read_text(encoding="utf-8")
OLD_TITLE = "Exploring the Advantages of Small Language Models in AI Applications"
NEW_TITLE = "Why Small Language Models Win in AI Applications"
CHANGED = "| Mistral 7B                   | An open-source model that excels in benchmarks against larger models"


def _versions() -> dict[str, str]:
    """Three copies of one article (same URL): an old one, a newer one with another title, summary and one
    changed row, and an older copy saved under another name with the old text."""
    newer = (SEED.replace(OLD_TITLE, NEW_TITLE).replace("20231203", "20231210")
             .replace("The article discusses", "The updated article discusses")
             .replace(CHANGED, "| Mistral 7B                   | An open model that now beats far larger models"))
    return {"a-old.md": SEED, "b-new.md": newer, "c-copy.md": SEED}


@pytest.fixture(scope="module")
def versions(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, pyoxigraph.Store]:
    tmp = tmp_path_factory.mktemp("versions")
    src = write_docs(tmp / "src", _versions())
    out = tmp / "out"
    build([src], out)
    store = pyoxigraph.Store()
    store.load(path=str(out / "graph.trig"), format=pyoxigraph.RdfFormat.TRIG)
    return src, out, store


def test_one_article_described_by_its_latest_document(versions: tuple[Path, Path, pyoxigraph.Store]) -> None:
    _, out, store = versions
    rows = select(store, "SELECT DISTINCT ?a WHERE { ?a a kgo:Article ; kgo:loaded true }")
    assert len(rows) == 1
    art = f"<{rows[0]['a']}>"
    assert select(store, f"SELECT DISTINCT ?t WHERE {{ {art} dcterms:title ?t }}") == [{"t": NEW_TITLE}]
    assert select(store, f"SELECT DISTINCT ?d WHERE {{ {art} dcterms:date ?d }}") == [{"d": "2023-12-10"}]
    abstracts = select(store, f"SELECT DISTINCT ?s WHERE {{ {art} dcterms:abstract ?s }}")
    assert len(abstracts) == 1 and abstracts[0]["s"].startswith("The updated article")
    assert select(store, f"SELECT DISTINCT ?t WHERE {{ {art} dcterms:alternative ?t }}") == [{"t": OLD_TITLE}]
    assert select(store, f"SELECT DISTINCT ?l WHERE {{ {art} rdfs:label ?l }}") == [{"l": NEW_TITLE}]
    # the older copies are versions, each with what it said
    vers = select(store, f"""SELECT ?id ?file ?date ?title WHERE {{ {art} dcterms:hasVersion ?v .
        ?v a kgo:ArticleVersion ; dcterms:isVersionOf {art} ; dcterms:identifier ?id ; kgo:sourceFile ?file ;
        dcterms:date ?date ; dcterms:title ?title ; dcterms:abstract ?abstract }} ORDER BY ?id""")
    assert [(v["id"], v["date"], v["title"]) for v in vers] == [
        ("a-old", "2023-12-03", OLD_TITLE), ("c-copy", "2023-12-03", OLD_TITLE)]
    merges = json.loads((out / "merges.json").read_text())
    assert merges["articles"][0]["described_by"] == "b-new"


def test_rows_the_copies_share_are_one_mention(versions: tuple[Path, Path, pyoxigraph.Store]) -> None:
    _, _, store = versions
    mentions = select(store, """SELECT DISTINCT ?m WHERE { ?a a kgo:Article ; kgo:mention ?m }""")
    assert len(mentions) == 34 + 1  # the seed's 34 rows, and the one row the newer copy changed
    shared = select(store, """SELECT ?m (GROUP_CONCAT(DISTINCT ?f; separator=" ") AS ?files)
        (COUNT(DISTINCT ?g) AS ?graphs) WHERE {
        GRAPH ?g { ?a kgo:mention ?m } ?m kgo:sourceFile ?f ; kgo:name "Phi-2" } GROUP BY ?m""")
    assert len(shared) == 1
    assert sorted(shared[0]["files"].split()) == sorted(["src/a-old.md", "src/b-new.md", "src/c-copy.md"])
    assert shared[0]["graphs"] == "3"
    mistral = select(store, """SELECT ?d (GROUP_CONCAT(?f; separator=" ") AS ?files) WHERE {
        ?m kgo:name "Mistral 7B" ; dcterms:description ?d ; kgo:sourceFile ?f } GROUP BY ?d ORDER BY ?d""")
    assert [(r["d"].split()[:3], sorted(r["files"].split())) for r in mistral] == [
        (["An", "open", "model"], ["src/b-new.md"]),
        (["An", "open-source", "model"], ["src/a-old.md", "src/c-copy.md"])]
    # no Mention has two of anything the shapes allow once
    assert not select(store, """SELECT ?m WHERE { ?m a kgo:Mention ; kgo:sourceLine ?x, ?y FILTER(?x != ?y) }""")


def test_an_article_is_counted_once(versions: tuple[Path, Path, pyoxigraph.Store]) -> None:
    _, out, _ = versions
    from kg.api import load

    kg = load(out)
    assert kg.stats()["articles"]["built"] == 1
    top = kg.top("Technology", n=5)
    assert len(top) == 5 and all(row["degree"] == 1 for row in top)  # its one article, once


def test_versions_lose_nothing_and_conform(versions: tuple[Path, Path, pyoxigraph.Store]) -> None:
    src, out, _ = versions
    result = check([src], out)
    assert result.documents == 3 and result.ok, result.losses[:5]
    conforms, text = validate_graph(out)
    assert conforms, text[:2000]


def test_versions_are_deterministic(tmp_path: Path) -> None:
    src = write_docs(tmp_path / "src", _versions())
    build([src], tmp_path / "one", cache=False)
    build([src], tmp_path / "two", cache=False)
    for name in ("graph.trig", "graph.ttl", "merges.json"):
        assert (tmp_path / "one" / name).read_bytes() == (tmp_path / "two" / name).read_bytes(), name


# ---------------------------------------------------------------- stable IRIs


def test_identity_slug_ignores_counts_and_prefers_the_expansion() -> None:
    assert identity_slug(["Solar Kiosks"]) == ("solar-kiosk", [])
    assert identity_slug(["solar kiosk", "Solar Kiosks", "Solar Kiosks"]) == ("solar-kiosk", [])
    assert identity_slug(["AR"]) == ("ar", [])
    assert identity_slug(["AR", "Augmented Reality (AR)"]) == ("augmented-reality", ["ar"])
    assert identity_slug(["Phi-2"]) != identity_slug(["Phi-3"])


def _corpus(folder: Path, docs: int) -> None:
    subprocess.run([sys.executable, str(ROOT / "bench" / "make_corpus.py"), str(folder), "--docs", str(docs)],
                   check=True, capture_output=True)


def test_adding_documents_renames_no_node(tmp_path: Path) -> None:
    """Build N documents, then N + 300: every node of the first build is in the second, or replaced."""
    _corpus(tmp_path / "big", 500)
    files = sorted((tmp_path / "big").rglob("*.txt"))
    assert len(files) == 500
    first = tmp_path / "first"
    for f in files[:200]:
        target = first / f.relative_to(tmp_path / "big")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(f.read_bytes())
    build([first], tmp_path / "out1", analytics=False, html=False)
    build([tmp_path / "big"], tmp_path / "out2", analytics=False, html=False)
    # nodes of the things the documents name; analytic results (bursts, clusters) and counts are recomputed
    # per build
    query = """SELECT DISTINCT ?n WHERE { ?n a ?t FILTER(STRSTARTS(STR(?t), STR(kgo:))
        && ?t NOT IN (kgo:Burst, kgo:Cluster, kgo:MonthlyCount)) }"""

    def store(out: Path) -> pyoxigraph.Store:
        s = pyoxigraph.Store()
        s.load(path=str(out / "graph.ttl"), format=pyoxigraph.RdfFormat.TURTLE)
        return s

    before, after = store(tmp_path / "out1"), store(tmp_path / "out2")
    old = {r["n"] for r in select(before, query)}
    new = {r["n"] for r in select(after, query)}
    replaced = {r["o"]: r["n"] for r in select(after, "SELECT ?o ?n WHERE { ?o dcterms:isReplacedBy ?n }")}
    missing = sorted(n for n in old - new if n not in replaced)
    assert not missing, missing[:10]
    assert all(replaced[o] in new for o in old - new)
    assert len(old) > 1000


def test_an_article_of_many_copies_is_read_once_per_copy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Emitting an article of n documents reads each of them once (each document read the n - 1 others: at
    100,000 documents that quadratic cost was most of the build), and the copies still share their rows."""
    import kg.pipeline.emit_pass as emit_pass

    reads: list[str] = []
    parsed = emit_pass._parsed

    def counting(cache: object, key: str) -> object:
        reads.append(key)
        return parsed(cache, key)  # type: ignore[arg-type]

    monkeypatch.setattr(emit_pass, "_parsed", counting)
    copies = {f"copy-{i:02d}.md": SEED.replace("20231203", f"202312{i + 10:02d}") for i in range(12)}
    build([write_docs(tmp_path / "src", copies)], tmp_path / "out", workers=1, html=False)
    assert len(reads) == 12 and len(set(reads)) == 12
    store = pyoxigraph.Store()
    store.load(path=str(tmp_path / "out" / "graph.trig"), format=pyoxigraph.RdfFormat.TRIG)
    assert len(select(store, "SELECT DISTINCT ?m WHERE { ?a a kgo:Article ; kgo:mention ?m }")) == 34
    assert len(select(store, "SELECT DISTINCT ?v WHERE { ?v a kgo:ArticleVersion }")) == 11
