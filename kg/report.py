"""The report an analyst sends: one page of the corpus at a glance, what is rising, fading and bursting (with
sparklines), the weak-signal map, the clusters, the gaps and, given a previous build, what changed. HTML is one
offline file (inline SVG, no script, prints on A4); Markdown is the same content with the images as SVG files
beside it. Every claim links to its articles' sources. The same input gives the same bytes."""

from __future__ import annotations

import html
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

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


class Format(Protocol):
    """How a section's pieces are written: HTML or Markdown. Sections are built once, by the functions below."""

    def heading(self, level: int, title: str, anchor: str = "") -> str: ...
    def para(self, text: str, muted: bool = False) -> str: ...
    def text(self, value: object) -> str: ...
    def links(self, arts: list[str]) -> str: ...
    def image(self, name: str, svg: str, alt: str) -> str: ...
    def figure(self, content: str) -> str: ...
    def side_by_side(self, parts: list[str]) -> str: ...
    def table(self, head: list[str], rows: list[list[str]], numeric: frozenset[int] = frozenset()) -> str: ...
    def groups(self, head: list[str], groups: list[tuple[str, list[str]]]) -> str: ...


def _newest(snap: Snapshot, arts: list[str]) -> tuple[list[tuple[str, str, str]], int]:
    """Up to LINKS articles, newest first, as (title, date, source URL), and how many more there are."""
    chosen = sorted(arts, key=lambda a: (snap.articles[a].date if a in snap.articles else "", a), reverse=True)
    out = []
    for a in chosen[:LINKS]:
        info = snap.articles.get(a)
        out.append((info.title if info and info.title else a.rsplit("/", 1)[-1], info.date if info else "",
                    info.source if info else ""))
    return out, max(0, len(chosen) - LINKS)


class Html:
    """Sections as HTML: escaped text, inline SVG, links to the articles' sources."""

    def __init__(self, snap: Snapshot) -> None:
        self.snap = snap

    def heading(self, level: int, title: str, anchor: str = "") -> str:
        ident = f' id="{anchor}"' if anchor else ""
        return f"<h{level}{ident}>{_e(title)}</h{level}>"

    def para(self, text: str, muted: bool = False) -> str:
        return f'<p class="muted">{_e(text)}</p>' if muted else f"<p>{_e(text)}</p>"

    def text(self, value: object) -> str:
        return _e(value)

    def links(self, arts: list[str]) -> str:
        chosen, more = _newest(self.snap, arts)
        out = [(f'<a href="{_e(src)}">{_e(title)}</a>' if src else _e(title)) + (f" ({_e(date)})" if date else "")
               for title, date, src in chosen]
        return "; ".join(out) + (f" and {more} more" if more else "")

    def image(self, name: str, svg: str, alt: str) -> str:
        return svg

    def figure(self, content: str) -> str:
        return f'<figure class="map">{content}</figure>'

    def side_by_side(self, parts: list[str]) -> str:
        return '<div class="glance">' + "".join(parts) + "</div>"

    def table(self, head: list[str], rows: list[list[str]], numeric: frozenset[int] = frozenset()) -> str:
        if not rows:
            return '<p class="muted">None.</p>'
        if not any(head):  # a key-value table
            return '<table class="kv"><tbody>' + "".join(
                f'<tr><th scope="row">{r[0]}</th><td class="n">{r[1]}</td></tr>' for r in rows) + "</tbody></table>"
        th = "".join(f"<th>{_e(h)}</th>" for h in head)
        body = "".join("<tr>" + "".join(f'<td class="n">{c}</td>' if i in numeric else f"<td>{c}</td>"
                                        for i, c in enumerate(r)) + "</tr>" for r in rows)
        return f"<table><thead><tr>{th}</tr></thead><tbody>{body}</tbody></table>"

    def groups(self, head: list[str], groups: list[tuple[str, list[str]]]) -> str:
        return self.table(head, [[label, "<ul>" + "".join(f"<li>{i}</li>" for i in items) + "</ul>"]
                                 for label, items in groups])


class Markdown:
    """Sections as Markdown; images become SVG files in `image_dir`, collected in `images`."""

    def __init__(self, snap: Snapshot, image_dir: str = "") -> None:
        self.snap, self.image_dir = snap, image_dir
        self.images: dict[str, str] = {}

    def heading(self, level: int, title: str, anchor: str = "") -> str:
        return f"{'#' * level} {title}\n"

    def para(self, text: str, muted: bool = False) -> str:
        return f"{text}\n"

    def text(self, value: object) -> str:
        return str(value)

    def links(self, arts: list[str]) -> str:
        chosen, more = _newest(self.snap, arts)
        out = []
        for title, _, src in chosen:
            plain = title.replace("[", "(").replace("]", ")")
            out.append(f"[{plain}]({src})" if src else plain)
        return "; ".join(out) + (f" and {more} more" if more else "")

    def image(self, name: str, svg: str, alt: str) -> str:
        self.images[name] = svg
        return f"![{alt}]({self.image_dir}{name})"

    def figure(self, content: str) -> str:
        return f"{content}\n"

    def side_by_side(self, parts: list[str]) -> str:
        return "\n".join(parts)

    def table(self, head: list[str], rows: list[list[str]], numeric: frozenset[int] = frozenset()) -> str:
        if not rows:
            return "None.\n"

        def cell(x: str) -> str:
            return x.replace("|", "\\|").replace("\n", " ")

        return "\n".join(["| " + " | ".join(head) + " |", "|" + "---|" * len(head)] +
                         ["| " + " | ".join(cell(c) for c in r) + " |" for r in rows]) + "\n"

    def groups(self, head: list[str], groups: list[tuple[str, list[str]]]) -> str:
        if not groups:
            return "None.\n"
        return "\n".join(f"**{label}**\n\n" + "\n".join(f"- {i}" for i in items) + "\n" for label, items in groups)


def _glance_section(snap: Snapshot, f: Format) -> list[str]:
    facts = [[f.text(k), f.text(v)] for k, v in _glance(snap)]
    split = [i for i, row in enumerate(facts) if row[0].endswith(" nodes")]
    if not split:
        return [f.table(["", ""], facts)]
    first, last = split[0], split[-1] + 1
    return [f.side_by_side([f.table(["", ""], facts[:first] + facts[last:]), f.table(["", ""], facts[first:last])])]


def _trend_sections(snap: Snapshot, f: Format) -> list[str]:
    t, naming = snap.trends, snap.naming
    out = [f.para("Share of each month's dated articles; trend by the Cochran–Armitage test (Benjamini–Hochberg, "
                  "5%), bursts by Kleinberg's automaton (shaded).", muted=True)]
    for name, nodes in _trend_lists(snap).items():
        out.append(f.heading(3, name))
        rows = []
        for n in nodes:
            spark = f.image(f"spark-{n.iri.rsplit('/', 2)[-2]}-{n.iri.rsplit('/', 1)[-1]}.svg",
                            sparkline_svg(n.series, t.volume, _burst_spans(n, t.periods)), "share per month")
            slope = f"{n.slope:+.4f}/yr" if n.tested else ", ".join(f"{s[:7]}..{e[:7]}" for s, e, _ in n.bursts)
            rows.append([f.text(n.label), f.text(n.type), spark, f.text(slope), f"{n.articles:,}",
                         f.links(naming.get(n.iri, []))])
        out.append(f.table(["node", "type", "share per month", "slope or bursts", "articles", "articles naming it"],
                           rows, frozenset({4})))
    return out


def _cluster_section(snap: Snapshot, f: Format) -> list[str]:
    members, naming = _cluster_members(snap), snap.naming
    rows = []
    for c in sorted((c for c in snap.clusters.values() if c.level == 0), key=lambda c: (-c.size, c.id)):
        top = members.get(c.id, [])[:6]
        arts = sorted({a for n in top[:3] for a in naming.get(n, [])})
        rows.append([f.text(c.label), f"{c.size:,}",
                     f.text(", ".join(f"{snap.nodes[n].label} ({snap.nodes[n].type})" for n in top)), f.links(arts)])
    return [f.table(["cluster", "nodes", "top members", "articles"], rows, frozenset({1}))]


def _gaps_sections(g: Gaps, f: Format, level: int = 3, rows: int = ROWS) -> list[str]:
    return [
        f.heading(level, "Technology clusters no article links to a concern or issue"),
        f.table(["cluster", "level", "technologies", "articles"],
                [[f.text(c["label"]), str(c["level"]), f.text(", ".join(c["technologies"][:8])), f.links(c["articles"])]
                 for c in g.unscrutinised[:rows]], frozenset({1})),
        f.heading(level, "Concerns no behaviour or issue answers"),
        f.table(["concern", "articles"], [[f.text(c["label"]), f.links(c["articles"])] for c in g.unanswered[:rows]]),
        f.heading(level, "Categories and 10-year outlooks"),
        f.table(["category", "articles", "signals", "with outlook", "last signal", "gap"],
                [[f.text(c["label"]), f"{c['articles']:,}", f"{c['signals']:,}", f"{c['signals_with_outlook']:,}",
                  f.text(c["last_signal"]), f.text("; ".join(c["gaps"]))] for c in g.categories],
                frozenset({1, 2, 3})),
        f.heading(level, "Signals named once whose technology is rising"),
        f.table(["signal", "technology", "article"],
                [[f.text(s["label"]), f.text(s["technology_label"]), f.links([s["article"]])]
                 for s in g.follow_up[:rows]]),
        f.heading(level, "One signal, different outlooks"),
        f.groups(["signal", "what the articles expect in ten years"],
                 [(f.text(d["label"]), [f"{f.links([v['article']])}: {f.text(v['outlook'])}" for v in d["outlooks"][:4]]
                   + ([f"and {len(d['outlooks']) - 4} more"] if len(d["outlooks"]) > 4 else []))
                  for d in g.disagreements[:rows]]),
    ]


def _summary(d: Diff) -> str:
    a, n, c = d.articles, d.nodes, d.clusters
    return (f"{len(a['added']):,} documents added, {len(a['removed']):,} removed, {len(a['changed']):,} changed; "
            f"{len(n['added']):,} nodes added, {len(n['removed']):,} removed. Clusters: adjusted Rand index "
            f"{c['ari']:.3f}, normalised mutual information {c['nmi']:.3f} over {c['common_nodes']:,} nodes in both "
            f"builds; {c['old']} coarse clusters before, {c['new']} now; {len(c['split'])} split, "
            f"{len(c['merged'])} merged, {len(c['appeared'])} appeared, {len(c['vanished'])} vanished.")


def _diff_sections(d: Diff, f: Format, g: Format, level: int, rows: int, full: bool) -> list[str]:
    """What changed; `f` writes what NEW names, `g` what OLD names. `full` adds the documents and the removed
    nodes (for `kg diff`); the report shows what is new."""
    out = [f.para(_summary(d))]
    if full:
        for key in ("added", "removed", "changed"):
            out += [f.heading(level, f"Documents {key}"), f.table(["id", "title", "date"], [
                [f.text(x["id"]), f.links([x["article"]]) if key != "removed" else g.links([x["article"]]),
                 f.text(x["date"])] for x in d.articles[key][:rows]])]
    for key, fmt in (("added", f), ("removed", g)) if full else (("added", f),):
        out += [f.heading(level, f"Nodes {key}"), f.table(["node", "type", "articles"], [
            [f.text(x["label"]), f.text(x["type"]), fmt.links(x["articles"])] for x in d.nodes[key][:rows]])]
    out += [f.heading(level, "New relations"), f.table(["", "", "support", "articles"], [
        [f.text(f"{x['a']['label']} ({x['a']['type']})"), f.text(f"{x['b']['label']} ({x['b']['type']})"),
         str(x["support"]), f.links(x["articles"])] for x in d.relations["added"][:rows]], frozenset({2}))]
    out += [f.heading(level, "Rank movers"), f.table(["node", "type", "rank before", "rank now"], [
        [f.text(x["label"]), f.text(x["type"]), str(x["old_rank"]), str(x["new_rank"])]
        for x in d.movers["up"][:rows // 2] + d.movers["down"][:rows // 2]], frozenset({2, 3}))]
    out += [f.heading(level, "Trend changes"), f.table(["node", "type", "before", "now"], [
        [f.text(x["label"]), f.text(x["type"]), f.text(x["old"] or "—"), f.text(x["new"] or "—")]
        for x in d.trends[:rows]])]
    return out


def _since_section(snap: Snapshot, since: str, f: Format) -> list[str]:
    recent = [a for a in snap.articles.values() if a.date >= since]
    firsts = sorted((n for n in snap.trends.nodes if n.first_seen and n.first_seen >= since),
                    key=lambda n: (-n.articles, n.iri))[:ROWS]
    return [f.para(f"{len(recent):,} articles dated on or after {since}."),
            f.table(["first seen", "node", "type", "articles"],
                    [[f.text(n.first_seen), f.text(n.label), f.text(n.type), f.links(snap.naming.get(n.iri, []))]
                     for n in firsts])]


def _sections(r: Report, f: Format, g: Format | None) -> list[str]:
    """The whole report, in one format (`g` writes the previous build's links)."""
    out = [f.heading(2, "The corpus at a glance", "glance"), *_glance_section(r.snap, f),
           f.heading(2, "Rising, fading, new and bursting", "trends"), *_trend_sections(r.snap, f),
           f.heading(2, "Weak-signal map", "map"),
           f.para("Yoon (2012): visibility (x) against its growth (y), split at the medians: weak signals are rare "
                  "and growing fast.", muted=True),
           f.figure(f.image("weak-signal-map.svg", map_svg(r.snap.trends)[0], "Weak-signal map")),
           f.heading(2, "Clusters", "clusters"), *_cluster_section(r.snap, f),
           f.heading(2, "Gaps", "gaps"), *_gaps_sections(r.gaps, f)]
    if r.diff and g is not None:
        out += [f.heading(2, "What changed since the previous build", "changes"),
                *_diff_sections(r.diff, f, g, 3, ROWS, False)]
    if r.since:
        out += [f.heading(2, f"New since {r.since}", "since"), *_since_section(r.snap, r.since, f)]
    return out


def _html(r: Report) -> str:
    f = Html(r.snap)
    anchors = ["glance", "trends", "map", "clusters", "gaps"] + (["changes"] if r.diff else []) + \
        (["since"] if r.since else [])
    return "\n".join([
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><meta http-equiv="Content-Security-Policy" '
        "content=\"default-src 'none'; style-src 'unsafe-inline'; img-src data:\">"
        f'<meta name="viewport" content="width=device-width,initial-scale=1"><title>{_e(r.title)}</title>'
        f"<style>{CSS}</style></head><body><h1>{_e(r.title)}</h1>",
        "<nav>" + "".join(f'<a href="#{s}">{s.title()}</a>' for s in anchors) + "</nav>",
        *_sections(r, f, f), f'<p class="muted">Made by kg from {len(r.snap.documents):,} documents.</p></body></html>'
    ]) + "\n"


def gaps_markdown(g: Gaps, snap: Snapshot, rows: int = ROWS) -> str:
    """The gaps as Markdown sections."""
    return "\n".join(_gaps_sections(g, Markdown(snap), 2, rows)) + "\n"


def diff_markdown(d: Diff, new: Snapshot, old: Snapshot, rows: int = ROWS) -> str:
    """A comparison as Markdown sections."""
    return "\n".join([f"# {d.old} → {d.new}\n", *_diff_sections(d, Markdown(new), Markdown(old), 2, rows, True)]) + "\n"


def render(report: Report, out: Path, fmt: str = "html") -> list[Path]:
    """Write the report to `out` (HTML, or Markdown with its SVG images in `<out stem>-images/` beside it);
    returns the files written."""
    if fmt == "html":
        out.write_text(_html(report), encoding="utf-8")
        return [out]
    folder = out.with_name(f"{out.stem}-images")
    md = Markdown(report.snap, f"{folder.name}/")
    text = "\n".join([f"# {report.title}\n", *_sections(report, md, md)]) + "\n"
    folder.mkdir(parents=True, exist_ok=True)
    written = [out]
    for name, svg in sorted(md.images.items()):
        head = "" if svg.startswith("<?xml") else '<?xml version="1.0" encoding="utf-8"?>\n'
        (folder / name).write_text(f"{head}{svg}\n", encoding="utf-8")
        written.append(folder / name)
    out.write_text(text, encoding="utf-8")
    return written
