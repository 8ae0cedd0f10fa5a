"""Pass 4c: the corpus's time series and trends (kg.trends), as quads, trends.csv and a report section."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

from kg.articles import primary_first
from kg.enrich import trend_triples
from kg.pipeline.corpus import Corpus
from kg.project import Link
from kg.rdf import Minter
from kg.trends import Trends, analyse
from kg.turtle import Triple3
from kg.vocab import CONTENT_TYPES

__all__ = ["article_dates", "run_trends", "trends_csv", "write_trends"]


def article_dates(corpus: Corpus) -> tuple[dict[str, str], list[str], int]:
    """Article IRI -> the usable page date of the document describing it (an implausible date, reported by
    the build, is left out), every loaded article, and how many implausible dates were left out."""
    mint = Minter(corpus.base)
    bad = {(p.file, p.line) for p in corpus.problems if p.code == "implausible-date"}
    dates: dict[str, str] = {}
    seen: set[str] = set()
    left_out = 0
    for s in primary_first(corpus.summaries):
        iri = mint.article_iri(corpus.canonical.get(s.doc_id, s.doc_id))
        if iri in seen:
            continue
        seen.add(iri)
        if s.date and (s.path, s.title_line) not in bad:
            dates[iri] = s.date
        elif s.date:
            left_out += 1
    return dates, sorted(seen), left_out


def trends_csv(trends: Trends) -> str:
    """Per node and period: node IRI, type, label, period, articles, share of the period's dated articles."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["iri", "type", "label", "period", "articles", "share"])
    line = io.StringIO()
    node = csv.writer(line, lineterminator="")
    for t in sorted(trends.nodes, key=lambda t: t.iri):
        line.seek(0)
        line.truncate()
        node.writerow([t.iri, t.type, t.label])  # quoted once per node; the other fields never need quotes
        head = line.getvalue()
        buf.writelines(f"{head},{p},{n},{n / vol:.6g}\n"
                       for p, n, vol in zip(trends.periods, t.series, trends.volume, strict=True) if n)
    return buf.getvalue()


def run_trends(corpus: Corpus, types: dict[str, str], labels: dict[str, str], links: list[Link]
               ) -> tuple[list[Triple3], Trends, dict[str, Any]]:
    """Trends of every content node over the build's articles: triples, the result, and the report section."""
    dates, articles, implausible = article_dates(corpus)
    content = {n: t for n, t in types.items() if t in CONTENT_TYPES}
    trends = analyse(dates, ((a, b) for a, b, _, _ in links), content, labels, articles)
    classes: dict[str, int] = {}
    for t in trends.nodes:
        if t.cls:
            classes[t.cls] = classes.get(t.cls, 0) + 1
    info = {"period": trends.period, "periods": len(trends.periods),
            "first": trends.periods[0] if trends.periods else None,
            "last": trends.periods[-1] if trends.periods else None,
            "dated_articles": len(dates), "undated_articles": trends.undated,
            "implausible_dates_left_out": implausible,
            "classes": dict(sorted(classes.items())),
            "bursts": sum(len(t.bursts) for t in trends.nodes),
            "quadrants": dict(sorted({q: sum(1 for t in trends.nodes if t.quadrant == q)
                                      for q in {t.quadrant for t in trends.nodes} if q}.items()))}
    return list(trend_triples(trends, corpus.base)), trends, info


def write_trends(path: Path, trends: Trends) -> None:
    """trends.csv in the build folder."""
    path.write_text(trends_csv(trends), encoding="utf-8")
