"""Counts the named queries would otherwise make over the whole graph at every call, made once per build from
its snapshot and written as default-graph triples: a build's graph never changes, so a count stays true.

- articles: kgo:month (of the page date) and kgo:strongSignal (to each mention of a signal with relevancy 5),
  and on those mentions kgo:strongSignalOrder, their place newest first (what strongest-signals lists);
- categories and content types: kgo:articleCount; categories also kgo:signalCount, kgo:outlookSignalCount and
  kgo:lastSignalDate (what gap-category-outlooks reports);
- signals: kgo:outlookCount and kgo:outlookArticleCount, and where both exceed 1 kgo:disagreementRank, the
  place in the order gap-disagreeing-outlooks lists them in (most outlooks, then articles, then label);
- concerns: kgo:answeringArticleCount (gap-unanswered-concerns);
- clusters: kgo:technologyCount and kgo:scrutinisedTechnologyCount (gap-unscrutinised-clusters);
- every node a mention gives a relevancy: kgo:maxRelevancy and kgo:meanRelevancy (top-concerns,
  top-technologies), over the mentions that give one;
- every typed node: kgo:labelOrder, its place in label order, so that a query sorts by an integer instead of
  reading each label from the store at every comparison (a sort by label cost 0.3 s on 3,519 rows);
- themes: a kgo:MonthlyCount per month an article names them in (themes-per-month reads 2,576 counts instead
  of joining 48,144 article-theme links at 10,000 documents).
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Iterator
from decimal import ROUND_HALF_UP, Decimal

from kg.enrich import rank_triples
from kg.snapshot import Snapshot
from kg.turtle import Lit, Triple3
from kg.vocab import KGO, RDF, XSD, Terms, cluster_iri, derived_iri, integer

__all__ = ["ANSWERS", "SCRUTINY", "articles_naming", "category_signals", "cluster_technologies", "decimal_text",
           "tally_triples"]

SCRUTINY = frozenset({"Concern", "Issue"})  # what an article must name for its technologies to be scrutinised
ANSWERS = frozenset({"Behavior", "Issue"})  # what answers a concern
_MONTH = re.compile(r"\d{4}-\d{2}")
K = Terms(KGO)
_TYPE, _DATE, _YEAR_MONTH, _DECIMAL = RDF.type.value, XSD.date.value, XSD.gYearMonth.value, XSD.decimal.value


def _articles(snap: Snapshot, strong: Iterable[tuple[str, str, str]]) -> Iterator[Triple3]:
    signals: defaultdict[str, list[str]] = defaultdict(list)
    for a, m, n in strong:
        if (info := snap.nodes.get(n)) and info.type == "Signal":
            signals[a].append(m)
    for a in sorted(snap.articles):
        if _MONTH.fullmatch(month := snap.articles[a].date[:7]):
            yield a, K.month, Lit(month, _YEAR_MONTH)
        for m in sorted(signals.get(a, ())):
            yield a, K.strongSignal, m
    dated = sorted((m, snap.articles[a].date) for a, ms in signals.items() if a in snap.articles for m in ms)
    dated.sort(key=lambda md: md[1], reverse=True)  # stable: newest first, ties by IRI; undated ("") last
    for place, (m, _) in enumerate(dated, 1):
        yield m, K.strongSignalOrder, integer(place)


def category_signals(snap: Snapshot, arts: Iterable[str], with_outlook: set[tuple[str, str]]
                     ) -> tuple[set[str], set[str], str]:
    """Of a category's articles: the signals they name, those of them to which one of them gives an outlook
    (`with_outlook`: (article, node) pairs), and the last page date of one naming a signal ("" if none)."""
    signals: set[str] = set()
    outlooked: set[str] = set()
    last = ""
    for a in arts:
        mine = [s for s in snap.links.get(a, ()) if snap.nodes[s].type == "Signal"]
        signals.update(mine)
        outlooked.update(s for s in mine if (a, s) in with_outlook)
        if mine:
            last = max(last, snap.articles[a].date)
    return signals, outlooked, last


def _facets(snap: Snapshot) -> Iterator[Triple3]:
    with_outlook = {(a, n) for a, n, _ in snap.outlooks}
    for n, arts in sorted(snap.naming.items()):
        kind = snap.nodes[n].type
        if kind not in ("Category", "ContentType"):
            continue
        yield n, K.articleCount, integer(len(arts))
        if kind != "Category":
            continue
        signals, outlooked, last = category_signals(snap, arts, with_outlook)
        yield n, K.signalCount, integer(len(signals))
        yield n, K.outlookSignalCount, integer(len(outlooked))
        if last:
            yield n, K.lastSignalDate, Lit(last, _DATE)


def _signals(snap: Snapshot) -> Iterator[Triple3]:
    said: defaultdict[str, list[tuple[str, str]]] = defaultdict(list)
    for a, n, outlook in snap.outlooks:
        if (info := snap.nodes.get(n)) and info.type == "Signal":
            said[n].append((a, outlook))
    counts = {n: (len({o for _, o in pairs}), len({a for a, _ in pairs})) for n, pairs in said.items()}
    disputed = sorted((n for n, (o, a) in counts.items() if o > 1 and a > 1),
                      key=lambda n: (-counts[n][0], -counts[n][1], snap.nodes[n].label, n))
    rank = {n: i for i, n in enumerate(disputed, 1)}
    for n in sorted(counts):
        yield n, K.outlookCount, integer(counts[n][0])
        yield n, K.outlookArticleCount, integer(counts[n][1])
        if n in rank:
            yield n, K.disagreementRank, integer(rank[n])


def articles_naming(snap: Snapshot, arts: Iterable[str], kinds: frozenset[str]) -> int:
    """How many of the articles link to a node of one of the types."""
    return sum(1 for a in arts if not kinds.isdisjoint(snap.kinds.get(a, ())))


def cluster_technologies(snap: Snapshot) -> tuple[dict[str, list[str]], set[str]]:
    """Cluster id -> its member technologies (of any level), and the technologies some article names together
    with a concern or an issue."""
    techs: defaultdict[str, list[str]] = defaultdict(list)
    for n, cs in snap.member_of.items():
        if snap.nodes[n].type == "Technology":
            for c in cs:
                techs[c].append(n)
    members = {t for ts in techs.values() for t in ts}
    return dict(techs), {t for t in members if articles_naming(snap, snap.naming.get(t, ()), SCRUTINY)}


def _concerns(snap: Snapshot) -> Iterator[Triple3]:
    for n, arts in sorted(snap.naming.items()):
        if snap.nodes[n].type == "Concern":
            yield n, K.answeringArticleCount, integer(articles_naming(snap, arts, ANSWERS))


def _clusters(snap: Snapshot) -> Iterator[Triple3]:
    techs, scrutinised = cluster_technologies(snap)
    for c in sorted(techs):
        node = cluster_iri(snap.base, c)
        yield node, K.technologyCount, integer(len(techs[c]))
        yield node, K.scrutinisedTechnologyCount, integer(len(scrutinised.intersection(techs[c])))


def _relevancy(relevancy: dict[str, list[int]]) -> Iterator[Triple3]:
    for n in sorted(relevancy):
        total, count, top = relevancy[n]
        yield n, K.maxRelevancy, integer(top)
        yield n, K.meanRelevancy, Lit(decimal_text(total, count), _DECIMAL)


def _label_order(snap: Snapshot) -> Iterator[Triple3]:
    yield from rank_triples([n.iri for n in sorted(snap.nodes.values(), key=lambda n: (n.label, n.iri))], K.labelOrder)


def _monthly(snap: Snapshot, kind: str = "Theme") -> Iterator[Triple3]:
    for n, arts in sorted(snap.naming.items()):
        if snap.nodes[n].type != kind:
            continue
        months: defaultdict[str, int] = defaultdict(int)
        for a in arts:
            if _MONTH.fullmatch(month := snap.articles[a].date[:7]):
                months[month] += 1
        for month, count in sorted(months.items()):
            c = derived_iri(snap.base, "MonthlyCount", n, month)
            yield c, _TYPE, K.MonthlyCount
            yield c, K.countOf, n
            yield c, K.countMonth, Lit(month, _YEAR_MONTH)
            yield c, K.monthArticleCount, integer(count)


def decimal_text(total: int, count: int) -> str:
    """total / count rounded half up to two decimals, as a canonical xsd:decimal ("3.45", "4.0")."""
    text = format((Decimal(total) / Decimal(count)).quantize(Decimal("0.01"), ROUND_HALF_UP), "f").rstrip("0")
    return text + "0" if text.endswith(".") else text


def tally_triples(snap: Snapshot, strong: Iterable[tuple[str, str, str]], relevancy: dict[str, list[int]]
                ) -> Iterator[Triple3]:
    """The counts of a build; `strong`: (article, Mention, node) of every mention with relevancy 5;
    `relevancy`: node -> [sum, count, max] of the relevancies its mentions give."""
    yield from _articles(snap, strong)
    yield from _relevancy(relevancy)
    yield from _facets(snap)
    yield from _signals(snap)
    yield from _concerns(snap)
    yield from _clusters(snap)
    yield from _label_order(snap)
    yield from _monthly(snap)
