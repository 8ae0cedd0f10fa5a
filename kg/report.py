"""The report an analyst sends: one page of the corpus at a glance, what is rising, fading and bursting (with
sparklines), the weak-signal map, the clusters, the gaps and, given a previous build, what changed. HTML is one
offline file (inline SVG, no script, prints on A4); Markdown is the same content with the images as SVG files
beside it. Every claim links to its articles' sources. The same input gives the same bytes."""

from __future__ import annotations

import html
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from kg.diff import Diff
from kg.gaps import Gaps
from kg.snapshot import Snapshot
from kg.trendplot import map_svg
from kg.trends import NodeTrend

__all__ = ["ROWS", "Report", "diff_markdown", "gaps_markdown", "render"]

ROWS = 10  # rows per list
LINKS = 3  # articles linked per claim


@dataclass
class Report:
    """What the report shows of one build (and, when given, of its comparison with the one before)."""

    snap: Snapshot
    gaps: Gaps
    diff: Diff | None = None
    since: str = ""
    title: str = "Knowledge graph report"
    images: dict[str, str] = field(default_factory=dict)  # file name -> SVG, for Markdown


def _e(text: object) -> str:
    return html.escape(str(text), quote=True)


def sparkline_svg(series: list[int], volume: list[int], bursts: Sequence[tuple[int, int]] = (), width: int = 140,
                  height: int = 22) -> str:
    """A small SVG line of a node's share per period; bursts (first, last period index) shaded."""
    shares = [n / v if v else 0.0 for n, v in zip(series, volume, strict=True)]
    top = max(shares, default=0.0) or 1.0
    step = width / max(1, len(shares) - 1)
    pts = " ".join(f"{i * step:.1f},{height - 2 - s / top * (height - 4):.1f}" for i, s in enumerate(shares))
    shade = "".join(f'<rect x="{a * step:.1f}" y="0" width="{max(step, (b - a) * step):.1f}" height="{height}" '
                    'fill="#f28e2b" opacity="0.25"/>' for a, b in bursts)
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
            f'role="img" aria-label="share per period">{shade}<polyline fill="none" stroke="#4e79a7" '
            f'stroke-width="1.5" points="{pts}"/></svg>')


def _burst_spans(t: NodeTrend, periods: list[str]) -> list[tuple[int, int]]:
    index = {p: i for i, p in enumerate(periods)}
    return [(index.get(s[:7], 0), index.get(e[:7], len(periods) - 1)) for s, e, _ in t.bursts]


def _links_html(snap: Snapshot, arts: list[str]) -> str:
    """Up to LINKS articles, newest first, linked to their sources; then how many more."""
    chosen = sorted(arts, key=lambda a: (snap.articles[a].date if a in snap.articles else "", a), reverse=True)
    out = []
    for a in chosen[:LINKS]:
        info = snap.articles.get(a)
        title = (info.title if info and info.title else a.rsplit("/", 1)[-1])
        date = f" ({info.date})" if info and info.date else ""
        out.append(f'<a href="{_e(info.source)}">{_e(title)}</a>{_e(date)}' if info and info.source
                   else f"{_e(title)}{_e(date)}")
    more = f" and {len(chosen) - LINKS} more" if len(chosen) > LINKS else ""
    return "; ".join(out) + more


def _links_md(snap: Snapshot, arts: list[str]) -> str:
    chosen = sorted(arts, key=lambda a: (snap.articles[a].date if a in snap.articles else "", a), reverse=True)
    out = []
    for a in chosen[:LINKS]:
        info = snap.articles.get(a)
        title = (info.title if info and info.title else a.rsplit("/", 1)[-1]).replace("[", "(").replace("]", ")")
        out.append(f"[{title}]({info.source})" if info and info.source else title)
    more = f" and {len(chosen) - LINKS} more" if len(chosen) > LINKS else ""
    return "; ".join(out) + more


def _trend_lists(snap: Snapshot) -> dict[str, list[NodeTrend]]:
    t = snap.trends.nodes
    rising = sorted((n for n in t if n.cls == "rising"), key=lambda n: (n.p, -n.slope, n.iri))
    fading = sorted((n for n in t if n.cls == "fading"), key=lambda n: (n.p, n.slope, n.iri))
    new = sorted((n for n in t if n.cls == "new"), key=lambda n: (-n.articles, n.iri))
    burst = sorted((n for n in t if n.bursts), key=lambda n: (-max(b[2] for b in n.bursts), n.iri))
    return {"Rising": rising[:ROWS], "Fading": fading[:ROWS], "New": new[:ROWS], "Bursting": burst[:ROWS]}


def _cluster_members(snap: Snapshot) -> dict[str, list[str]]:
    members: dict[str, list[str]] = {}
    ranked = sorted(snap.nodes.values(), key=lambda n: (-(n.pagerank or 0.0), n.iri))
    for n in ranked:
        if n.cluster:
            members.setdefault(n.cluster, []).append(n.iri)
    return members


def _glance(snap: Snapshot) -> list[tuple[str, str]]:
    t = snap.trends
    per_type = Counter(n.type for n in snap.nodes.values())
    rows = [("documents", f"{len(snap.documents):,}"), ("articles", f"{len(snap.articles):,}"),
            ("period", f"{t.periods[0]} to {t.periods[-1]}" if t.periods else "no dated articles"),
            ("undated articles", f"{t.undated:,}")]
    rows += [(f"{k} nodes", f"{v:,}") for k, v in sorted(per_type.items(), key=lambda kv: (-kv[1], kv[0]))]
    rows.append(("clusters (coarsest level)", f"{sum(1 for c in snap.clusters.values() if c.level == 0):,}"))
    return rows


def _map_svg(snap: Snapshot) -> str:
    return map_svg(snap.trends)[0]


CSS = """
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1d2630;max-width:60rem;
margin:1.5rem auto;padding:0 1rem}h1{font-size:1.6rem;margin:.2rem 0}
h2{font-size:1.15rem;border-bottom:2px solid #4e79a7;margin-top:1.6rem}
h3{font-size:1rem;margin:1rem 0 .3rem}table{border-collapse:collapse;width:100%;margin:.3rem 0 .8rem}
th,td{border-bottom:1px solid #d9dee3;padding:.25rem .4rem;text-align:left;vertical-align:top}
th{background:#f2f4f6;font-weight:600}td.n{text-align:right;white-space:nowrap}a{color:#2d5f8f}
.muted{color:#5b6670}table.kv{width:auto;min-width:16rem}table.kv th{background:none;font-weight:400}
.glance{display:flex;gap:3rem;flex-wrap:wrap}.map svg{width:100%;height:auto}nav a{margin-right:.8rem}
@page{size:A4;margin:14mm}@media print{body{margin:0;max-width:none;font-size:10.5pt}nav{display:none}
h2{break-after:avoid}tr,figure{break-inside:avoid}a{color:inherit;text-decoration:none}}
"""


def _table(head: list[str], rows: list[list[str]], numeric: set[int] | None = None) -> str:
    numeric = numeric or set()
    if not any(head):  # a key-value table
        return '<table class="kv"><tbody>' + "".join(
            f'<tr><th scope="row">{r[0]}</th><td class="n">{r[1]}</td></tr>' for r in rows) + "</tbody></table>"
    th = "".join(f"<th>{_e(h)}</th>" for h in head)
    body = "".join("<tr>" + "".join(f'<td class="n">{c}</td>' if i in numeric else f"<td>{c}</td>"
                                    for i, c in enumerate(r)) + "</tr>" for r in rows)
    return f"<table><thead><tr>{th}</tr></thead><tbody>{body}</tbody></table>" if rows else \
        '<p class="muted">None.</p>'


def _html(r: Report) -> str:
    snap, t = r.snap, r.snap.trends
    naming = snap.naming
    out = [f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><meta http-equiv="Content-Security-Policy" '
           f"content=\"default-src 'none'; style-src 'unsafe-inline'; img-src data:\">"
           f'<meta name="viewport" content="width=device-width,initial-scale=1"><title>{_e(r.title)}</title>'
           f"<style>{CSS}</style></head><body><h1>{_e(r.title)}</h1>"]
    sections = ["glance", "trends", "map", "clusters", "gaps"] + (["changes"] if r.diff else []) + \
        (["since"] if r.since else [])
    out.append("<nav>" + "".join(f'<a href="#{s}">{s.title()}</a>' for s in sections) + "</nav>")
    out.append('<h2 id="glance">The corpus at a glance</h2>')
    facts = [[_e(k), _e(v)] for k, v in _glance(snap)]
    split = [i for i, f in enumerate(facts) if f[0].endswith(" nodes")]
    out.append('<div class="glance">' + _table(["", ""], facts[:split[0]] + facts[split[-1] + 1:] if split else facts)
               + (_table(["", ""], facts[split[0]:split[-1] + 1]) if split else "") + "</div>")
    out.append('<h2 id="trends">Rising, fading, new and bursting</h2><p class="muted">Share of each month\'s dated '
               "articles; trend by the Cochran–Armitage test (Benjamini–Hochberg, 5%), bursts by Kleinberg's "
               "automaton (shaded).</p>")
    for name, nodes in _trend_lists(snap).items():
        out.append(f"<h3>{name}</h3>")
        rows = []
        for n in nodes:
            spark = sparkline_svg(n.series, t.volume, _burst_spans(n, t.periods))
            slope = f"{n.slope:+.4f}/yr" if n.tested else ""
            burst = ", ".join(f"{s[:7]}..{e[:7]}" for s, e, _ in n.bursts)
            rows.append([_e(n.label), _e(n.type), spark, _e(slope or burst), f"{n.articles:,}",
                         _links_html(snap, naming.get(n.iri, []))])
        out.append(_table(["node", "type", "share per month", "slope" if name != "Bursting" else "bursts",
                           "articles", "articles naming it"], rows, {4}))
    out.append('<h2 id="map">Weak-signal map</h2><p class="muted">Yoon (2012): visibility (x) against its growth '
               "(y), split at the medians: weak signals are rare and growing fast.</p>")
    out.append(f'<figure class="map">{_map_svg(snap)}</figure>')
    out.append('<h2 id="clusters">Clusters</h2>')
    members = _cluster_members(snap)
    rows = []
    for c in sorted((c for c in snap.clusters.values() if c.level == 0), key=lambda c: (-c.size, c.id)):
        top = members.get(c.id, [])[:6]
        arts = sorted({a for n in top[:3] for a in naming.get(n, [])})
        rows.append([_e(c.label), f"{c.size:,}", _e(", ".join(f"{snap.nodes[n].label} ({snap.nodes[n].type})"
                                                              for n in top)), _links_html(snap, arts)])
    out.append(_table(["cluster", "nodes", "top members", "articles"], rows, {1}))
    out.append('<h2 id="gaps">Gaps</h2>')
    out.append(_gaps_html(r))
    if r.diff:
        out.append('<h2 id="changes">What changed since the previous build</h2>')
        out.append(_diff_html(r))
    if r.since:
        out.append(f'<h2 id="since">New since {_e(r.since)}</h2>')
        recent = sorted((a for a in snap.articles.values() if a.date >= r.since), key=lambda a: (a.date, a.iri),
                        reverse=True)
        out.append(f"<p>{len(recent):,} articles dated on or after {_e(r.since)}.</p>")
        firsts = sorted((n for n in t.nodes if n.first_seen and n.first_seen >= r.since),
                        key=lambda n: (-n.articles, n.iri))[:ROWS]
        out.append(_table(["first seen", "node", "type", "articles"],
                          [[_e(n.first_seen), _e(n.label), _e(n.type), _links_html(snap, naming.get(n.iri, []))]
                           for n in firsts]))
    out.append(f'<p class="muted">Made by kg from {len(snap.documents):,} documents.</p></body></html>')
    return "\n".join(out) + "\n"


def _gaps_html(r: Report) -> str:
    g, snap = r.gaps, r.snap
    parts = ["<h3>Technology clusters no article links to a concern or issue</h3>",
             _table(["cluster", "level", "technologies", "articles"],
                    [[_e(c["label"]), str(c["level"]), _e(", ".join(c["technologies"][:8])),
                      _links_html(snap, c["articles"])] for c in g.unscrutinised[:ROWS]], {1}),
             "<h3>Concerns no behaviour or issue answers</h3>",
             _table(["concern", "articles"], [[_e(c["label"]), _links_html(snap, c["articles"])]
                                               for c in g.unanswered[:ROWS]]),
             "<h3>Categories and 10-year outlooks</h3>",
             _table(["category", "articles", "signals", "with outlook", "last signal", "gap"],
                    [[_e(c["label"]), f"{c['articles']:,}", f"{c['signals']:,}", f"{c['signals_with_outlook']:,}",
                      _e(c["last_signal"]), _e("; ".join(c["gaps"]))] for c in g.categories], {1, 2, 3}),
             "<h3>Signals named once whose technology is rising</h3>",
             _table(["signal", "technology", "article"],
                    [[_e(s["label"]), _e(s["technology_label"]), _links_html(snap, [s["article"]])]
                     for s in g.follow_up[:ROWS]]),
             "<h3>One signal, different outlooks</h3>"]
    rows = []
    for d in g.disagreements[:ROWS]:
        views = "".join(f"<li>{_links_html(snap, [v['article']])}: {_e(v['outlook'])}</li>" for v in d["outlooks"][:4])
        more = f"<li>and {len(d['outlooks']) - 4} more</li>" if len(d["outlooks"]) > 4 else ""
        rows.append([_e(d["label"]), f"<ul>{views}{more}</ul>"])
    parts.append(_table(["signal", "what the articles expect in ten years"], rows))
    return "\n".join(parts)


def _diff_html(r: Report) -> str:
    d, snap = r.diff, r.snap
    assert d is not None
    a, n = d.articles, d.nodes
    parts = [f"<p>{len(a['added']):,} documents added, {len(a['removed']):,} removed, {len(a['changed']):,} changed; "
             f"{len(n['added']):,} nodes added, {len(n['removed']):,} removed. Clusters: adjusted Rand index "
             f"{d.clusters['ari']:.3f}, normalised mutual information {d.clusters['nmi']:.3f} over "
             f"{d.clusters['common_nodes']:,} nodes in both builds.</p>",
             "<h3>New nodes</h3>",
             _table(["node", "type", "articles"], [[_e(x["label"]), _e(x["type"]), _links_html(snap, x["articles"])]
                                                   for x in n["added"][:ROWS]]),
             "<h3>New relations</h3>",
             _table(["", "", "articles"], [[_e(f"{x['a']['label']} ({x['a']['type']})"),
                                            _e(f"{x['b']['label']} ({x['b']['type']})"),
                                            _links_html(snap, x["articles"])] for x in d.relations["added"][:ROWS]]),
             "<h3>Rank movers</h3>",
             _table(["node", "type", "rank before", "rank now"],
                    [[_e(x["label"]), _e(x["type"]), str(x["old_rank"]), str(x["new_rank"])]
                     for x in d.movers["up"][:ROWS // 2] + d.movers["down"][:ROWS // 2]], {2, 3}),
             "<h3>Trend changes</h3>",
             _table(["node", "type", "before", "now"], [[_e(x["label"]), _e(x["type"]), _e(x["old"] or "—"),
                                                         _e(x["new"] or "—")] for x in d.trends[:ROWS]])]
    return "\n".join(parts)


def _md_table(head: list[str], rows: list[list[str]]) -> str:
    if not rows:
        return "None.\n"

    def cell(x: str) -> str:
        return x.replace("|", "\\|").replace("\n", " ")

    return "\n".join(["| " + " | ".join(head) + " |", "|" + "---|" * len(head)] +
                     ["| " + " | ".join(cell(c) for c in r) + " |" for r in rows]) + "\n"


def gaps_markdown(g: Gaps, snap: Snapshot, rows: int = ROWS) -> str:
    """The gaps as Markdown sections."""
    out = ["## Technology clusters no article links to a concern or issue\n",
           _md_table(["cluster", "level", "technologies", "articles"],
                     [[c["label"], str(c["level"]), ", ".join(c["technologies"][:8]), _links_md(snap, c["articles"])]
                      for c in g.unscrutinised[:rows]]),
           "## Concerns no behaviour or issue answers\n",
           _md_table(["concern", "articles"], [[c["label"], _links_md(snap, c["articles"])]
                                               for c in g.unanswered[:rows]]),
           "## Categories and 10-year outlooks\n",
           _md_table(["category", "articles", "signals", "with outlook", "last signal", "gap"],
                     [[c["label"], str(c["articles"]), str(c["signals"]), str(c["signals_with_outlook"]),
                       c["last_signal"], "; ".join(c["gaps"])] for c in g.categories]),
           "## Signals named once whose technology is rising\n",
           _md_table(["signal", "technology", "article"],
                     [[s["label"], s["technology_label"], _links_md(snap, [s["article"]])]
                      for s in g.follow_up[:rows]]),
           "## One signal, different outlooks\n"]
    for d in g.disagreements[:rows]:
        out.append(f"**{d['label']}**\n")
        out += [f"- {_links_md(snap, [v['article']])}: {v['outlook']}" for v in d["outlooks"]]
        out.append("")
    if not g.disagreements:
        out.append("None.\n")
    return "\n".join(out) + "\n"


def diff_markdown(d: Diff, new: Snapshot, old: Snapshot, rows: int = ROWS) -> str:
    """A comparison as Markdown sections."""
    a, n, c = d.articles, d.nodes, d.clusters
    out = [f"# {d.old} → {d.new}\n",
           f"{len(a['added']):,} documents added, {len(a['removed']):,} removed, {len(a['changed']):,} changed; "
           f"{len(n['added']):,} nodes added, {len(n['removed']):,} removed.\n"]
    for key in ("added", "removed", "changed"):
        out += [f"## Documents {key}\n", _md_table(["id", "title", "date"], [
            [x["id"], f"[{x['title'] or x['id']}]({x['source']})" if x["source"] else x["title"] or x["id"],
             x["date"]] for x in a[key][:rows]])]
    for key, snap in (("added", new), ("removed", old)):
        out += [f"## Nodes {key}\n", _md_table(["node", "type", "articles"], [
            [x["label"], x["type"], _links_md(snap, x["articles"])] for x in n[key][:rows]])]
    out += ["## Rank movers\n", _md_table(["node", "type", "rank before", "rank now"], [
        [x["label"], x["type"], str(x["old_rank"]), str(x["new_rank"])] for x in d.movers["up"] + d.movers["down"]])]
    out += ["## Clusters\n", f"Adjusted Rand index {c['ari']:.3f}, normalised mutual information {c['nmi']:.3f} "
            f"over {c['common_nodes']:,} nodes in both; {c['old']} coarse clusters before, {c['new']} now; "
            f"{len(c['split'])} split, {len(c['merged'])} merged, {len(c['appeared'])} appeared, "
            f"{len(c['vanished'])} vanished.\n"]
    out += ["## New relations\n", _md_table(["", "", "support", "articles"], [
        [f"{x['a']['label']} ({x['a']['type']})", f"{x['b']['label']} ({x['b']['type']})", str(x["support"]),
         _links_md(new, x["articles"])] for x in d.relations["added"][:rows]])]
    out += ["## Trend changes\n", _md_table(["node", "type", "before", "now"], [
        [x["label"], x["type"], x["old"] or "—", x["new"] or "—"] for x in d.trends[:rows]])]
    return "\n".join(out)


def _markdown(r: Report, image_dir: str) -> str:
    snap, t = r.snap, r.snap.trends
    naming = snap.naming
    r.images = {"weak-signal-map.svg": _map_svg(snap)}
    out = [f"# {r.title}\n", "## The corpus at a glance\n", _md_table(["", ""], [[k, v] for k, v in _glance(snap)])]
    out.append("## Rising, fading, new and bursting\n")
    for name, nodes in _trend_lists(snap).items():
        out.append(f"### {name}\n")
        rows = []
        for n in nodes:
            img = f"spark-{n.iri.rsplit('/', 2)[-2]}-{n.iri.rsplit('/', 1)[-1]}.svg"
            r.images[img] = sparkline_svg(n.series, t.volume, _burst_spans(n, t.periods))
            slope = f"{n.slope:+.4f}/yr" if n.tested else ", ".join(f"{s[:7]}..{e[:7]}" for s, e, _ in n.bursts)
            rows.append([n.label, n.type, f"![share per month]({image_dir}{img})", slope, str(n.articles),
                         _links_md(snap, naming.get(n.iri, []))])
        out.append(_md_table(["node", "type", "share per month", "slope or bursts", "articles", "articles naming it"],
                             rows))
    out += ["## Weak-signal map\n", f"![Weak-signal map]({image_dir}weak-signal-map.svg)\n", "## Clusters\n"]
    members = _cluster_members(snap)
    rows = []
    for c in sorted((c for c in snap.clusters.values() if c.level == 0), key=lambda c: (-c.size, c.id)):
        top = members.get(c.id, [])[:6]
        arts = sorted({a for n in top[:3] for a in naming.get(n, [])})
        rows.append([c.label, str(c.size), ", ".join(f"{snap.nodes[n].label} ({snap.nodes[n].type})" for n in top),
                     _links_md(snap, arts)])
    out.append(_md_table(["cluster", "nodes", "top members", "articles"], rows))
    out.append("# Gaps\n")
    out.append(gaps_markdown(r.gaps, snap))
    if r.diff:
        out.append("# What changed since the previous build\n")
        out.append(_diff_tail(r.diff, snap))
    if r.since:
        recent = [a for a in snap.articles.values() if a.date >= r.since]
        firsts = sorted((n for n in t.nodes if n.first_seen and n.first_seen >= r.since),
                        key=lambda n: (-n.articles, n.iri))[:ROWS]
        out += [f"## New since {r.since}\n", f"{len(recent):,} articles dated on or after {r.since}.\n",
                _md_table(["first seen", "node", "type", "articles"],
                          [[n.first_seen, n.label, n.type, _links_md(snap, naming.get(n.iri, []))] for n in firsts])]
    return "\n".join(out)


def _diff_tail(d: Diff, snap: Snapshot) -> str:
    a, n = d.articles, d.nodes
    return "\n".join([
        f"{len(a['added']):,} documents added, {len(a['removed']):,} removed, {len(a['changed']):,} changed; "
        f"{len(n['added']):,} nodes added, {len(n['removed']):,} removed; clusters: ARI {d.clusters['ari']:.3f}, "
        f"NMI {d.clusters['nmi']:.3f}.\n",
        "## New nodes\n", _md_table(["node", "type", "articles"],
                                    [[x["label"], x["type"], _links_md(snap, x["articles"])]
                                     for x in n["added"][:ROWS]]),
        "## New relations\n", _md_table(["", "", "articles"], [
            [f"{x['a']['label']} ({x['a']['type']})", f"{x['b']['label']} ({x['b']['type']})",
             _links_md(snap, x["articles"])] for x in d.relations["added"][:ROWS]]),
        "## Trend changes\n", _md_table(["node", "type", "before", "now"], [
            [x["label"], x["type"], x["old"] or "—", x["new"] or "—"] for x in d.trends[:ROWS]])])


def render(report: Report, out: Path, fmt: str = "html") -> list[Path]:
    """Write the report to `out` (HTML, or Markdown with its SVG images in `<out stem>-images/` beside it);
    returns the files written."""
    if fmt == "html":
        out.write_text(_html(report), encoding="utf-8")
        return [out]
    folder = out.with_name(f"{out.stem}-images")
    text = _markdown(report, f"{folder.name}/")
    folder.mkdir(parents=True, exist_ok=True)
    written = [out]
    for name, svg in sorted(report.images.items()):
        head = "" if svg.startswith("<?xml") else '<?xml version="1.0" encoding="utf-8"?>\n'
        (folder / name).write_text(f"{head}{svg}\n", encoding="utf-8")
        written.append(folder / name)
    out.write_text(text, encoding="utf-8")
    return written
