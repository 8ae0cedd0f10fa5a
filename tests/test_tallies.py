"""kg/tallies.py: the counts written at build time are those SPARQL gives over the graph."""

from __future__ import annotations

from decimal import Decimal

import pytest

from kg.sparql import run_local
from kg.store import BuiltGraph
from kg.tallies import decimal_text


@pytest.mark.parametrize(("total", "count", "text"), [(7, 2, "3.5"), (8, 2, "4.0"), (10, 3, "3.33"),
                                                      (41, 12, "3.42"), (1, 8, "0.13"), (5, 1, "5.0")])
def test_decimal_text(total: int, count: int, text: str) -> None:
    assert decimal_text(total, count) == text
    assert Decimal(text) == (Decimal(total) / count).quantize(Decimal("0.01"), "ROUND_HALF_UP")


def test_relevancy_tallies_are_the_mentions(generated: BuiltGraph) -> None:
    """kgo:maxRelevancy and kgo:meanRelevancy of every node equal MAX and AVG over its mentions giving one."""
    store = generated.store()
    counted = {(str(r[0]), int(r[1].value), Decimal(r[2].value)) for r in run_local(store, """
        SELECT ?n (MAX(?r) AS ?top) (ROUND(AVG(?r) * 100) / 100 AS ?mean)
        WHERE { ?m kgo:entity ?n ; kgo:relevancy ?r } GROUP BY ?n""").rows}  # type: ignore[union-attr]
    tallied = {(str(r[0]), int(r[1].value), Decimal(r[2].value)) for r in run_local(store, """
        SELECT ?n ?top ?mean WHERE { ?n kgo:maxRelevancy ?top ; kgo:meanRelevancy ?mean }""").rows}  # type: ignore[union-attr]
    assert len(counted) > 100 and tallied == counted


def test_category_and_cluster_tallies(generated: BuiltGraph) -> None:
    store = generated.store()
    articles = dict((str(r[0]), int(r[1].value)) for r in run_local(store, """
        SELECT ?c (COUNT(DISTINCT ?a) AS ?n) WHERE { ?a kgo:category ?c } GROUP BY ?c""").rows)  # type: ignore[union-attr]
    tallied = dict((str(r[0]), int(r[1].value)) for r in run_local(store, """
        SELECT ?c ?n WHERE { ?c a kgo:Category ; kgo:articleCount ?n }""").rows)  # type: ignore[union-attr]
    assert articles and tallied == articles
    techs = dict((str(r[0]), int(r[1].value)) for r in run_local(store, """
        SELECT ?c (COUNT(DISTINCT ?t) AS ?n) WHERE { ?t kgo:inCluster ?c ; a kgo:Technology } GROUP BY ?c""").rows)  # type: ignore[union-attr]
    tallied = dict((str(r[0]), int(r[1].value)) for r in run_local(store, """
        SELECT ?c ?n WHERE { ?c kgo:technologyCount ?n }""").rows)  # type: ignore[union-attr]
    assert techs and tallied == techs


def test_label_order_sorts_as_the_labels(generated: BuiltGraph) -> None:
    """kgo:labelOrder numbers the typed nodes 1..n in the order ORDER BY ?label ?node gives."""
    store = generated.store()
    by_label = [str(r[0]) for r in run_local(store, """
        SELECT ?n WHERE { VALUES ?type { kgo:Signal kgo:Technology kgo:Concern kgo:Behavior kgo:Issue kgo:Theme
            kgo:Keyword kgo:Category kgo:ContentType } ?n a ?type ; rdfs:label ?l } ORDER BY ?l ?n""").rows]
    by_order = [(str(r[0]), int(r[1].value)) for r in run_local(store, """
        SELECT ?n ?o WHERE { ?n kgo:labelOrder ?o } ORDER BY ?o""").rows]  # type: ignore[union-attr]
    assert len(by_label) > 1000
    assert [n for n, _ in by_order] == by_label and [o for _, o in by_order] == list(range(1, len(by_label) + 1))


def test_monthly_counts_are_the_articles_of_the_month(generated: BuiltGraph) -> None:
    store = generated.store()
    counted = {(str(r[0]), str(r[1]), int(r[2].value)) for r in run_local(store, """
        SELECT ?t ?m (COUNT(DISTINCT ?a) AS ?n) WHERE { ?a kgo:hasTheme ?t ; kgo:month ?m } GROUP BY ?t ?m""").rows}  # type: ignore[union-attr]
    tallied = {(str(r[0]), str(r[1]), int(r[2].value)) for r in run_local(store, """
        SELECT ?t ?m ?n WHERE { ?c a kgo:MonthlyCount ; kgo:countOf ?t ; kgo:countMonth ?m ;
            kgo:monthArticleCount ?n }""").rows}  # type: ignore[union-attr]
    assert len(counted) > 100 and tallied == counted
    assert any(n > 1 for _, _, n in counted)


def test_strong_signal_order_is_newest_first(generated: BuiltGraph) -> None:
    """kgo:strongSignalOrder numbers the strong signal mentions 1..n as ORDER BY DESC(?date) ?m sorts them."""
    store = generated.store()
    by_date = [str(r[0]) for r in run_local(store, """
        SELECT ?m WHERE { ?a kgo:mention ?m . ?m kgo:relevancy 5 ; kgo:entity ?s . ?s a kgo:Signal .
            ?a a kgo:Article ; kgo:loaded true . OPTIONAL { ?a dcterms:date ?d } } ORDER BY DESC(?d) ?m""").rows]
    by_order = [(str(r[0]), int(r[1].value)) for r in run_local(store, """
        SELECT ?m ?o WHERE { ?m kgo:strongSignalOrder ?o } ORDER BY ?o""").rows]  # type: ignore[union-attr]
    undated = run_local(store, """ASK { ?a kgo:strongSignal ?m FILTER NOT EXISTS { ?a dcterms:date [] } }""")
    assert len(by_date) > 100 and undated.boolean  # the faults leave some articles undated
    assert [m for m, _ in by_order] == by_date and [o for _, o in by_order] == list(range(1, len(by_date) + 1))


def test_bridge_rank_is_betweenness_order(generated: BuiltGraph) -> None:
    """kgo:bridgeRank numbers the nodes with participation >= 0.3 (and a label) 1..n as ORDER BY
    DESC(?betweenness) ?label ?n sorts them; ties in betweenness, as written, are broken by label."""
    store = generated.store()
    by_betweenness = [(str(r[0]), r[1].value) for r in run_local(store, """
        SELECT ?n ?b WHERE { ?n kgo:participation ?p ; kgo:betweenness ?b ; rdfs:label ?l FILTER(?p >= 0.3) }
        ORDER BY DESC(?b) ?l ?n""").rows]  # type: ignore[union-attr]
    by_rank = [(str(r[0]), int(r[1].value)) for r in run_local(store, """
        SELECT ?n ?o WHERE { ?n kgo:bridgeRank ?o } ORDER BY ?o""").rows]  # type: ignore[union-attr]
    assert len(by_betweenness) > 100
    assert len({b for _, b in by_betweenness}) < len(by_betweenness)  # ties, which the label orders
    assert [n for n, _ in by_rank] == [n for n, _ in by_betweenness]
    assert [o for _, o in by_rank] == list(range(1, len(by_rank) + 1))
