"""The weak-signal map (Yoon 2012) of a trends result as a small, deterministic SVG: one circle per node, written
as text (a scatter plot needs no plotting library, and the report draws it in milliseconds)."""

from __future__ import annotations

import html
import math
from pathlib import Path
from statistics import median
from typing import IO

from kg.trends import NodeTrend, Trends

__all__ = ["QUADRANT_COLORS", "map_svg", "weak_signal_svg"]

QUADRANT_COLORS = {"WeakSignal": "#e15759", "StrongSignal": "#f28e2b", "WellKnown": "#4e79a7", "Latent": "#bab0ac"}
LABELLED = 3  # points labelled per quadrant: those with most articles
W, H = 900, 620
LEFT, RIGHT, TOP, BOTTOM = 70, 20, 40, 60


def _ticks(lo: float, hi: float, n: int = 6) -> list[float]:
    """About n round values between lo and hi."""
    if hi <= lo:
        return [lo]
    raw = (hi - lo) / n
    mag = 10 ** math.floor(math.log10(raw))
    step = next(m * mag for m in (1, 2, 2.5, 5, 10) if m * mag >= raw)
    start = math.ceil(lo / step) * step
    return [round(start + i * step, 10) for i in range(int((hi - start) / step + 1e-9) + 1)]


def _fmt(v: float) -> str:
    return f"{v:.3g}"


def map_svg(trends: Trends, types: tuple[str, ...] = (), title: str = "") -> tuple[str, int]:
    """The map of the nodes with a quadrant (of some types) as SVG text, and how many points it has.
    x: average degree of visibility (log scale when every value is positive), y: its geometric-mean growth per
    year; dashed lines at the medians."""
    points = sorted((t for t in trends.nodes if t.quadrant and (not types or t.type in types)), key=lambda t: t.iri)
    log = bool(points) and min(t.visibility for t in points) > 0
    xs = [math.log10(t.visibility) if log else t.visibility for t in points] or [0.0, 1.0]
    ys = [t.growth for t in points] or [0.0, 1.0]
    x0, x1 = min(xs), max(xs)
    y0, y1 = min(ys), max(ys)
    if x1 == x0:
        x0, x1 = x0 - 1, x1 + 1
    if y1 == y0:
        y0, y1 = y0 - 1, y1 + 1
    pad_x, pad_y = (x1 - x0) * 0.03, (y1 - y0) * 0.05
    x0, x1, y0, y1 = x0 - pad_x, x1 + pad_x, y0 - pad_y, y1 + pad_y

    def px(v: float) -> float:
        return LEFT + (v - x0) / (x1 - x0) * (W - LEFT - RIGHT)

    def py(v: float) -> float:
        return H - BOTTOM - (v - y0) / (y1 - y0) * (H - TOP - BOTTOM)

    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{W}" height="{H}" viewBox="0 0 {W} {H}" role="img" '
           f'aria-label="Weak-signal map" font-family="sans-serif" font-size="11">',
           f'<title>{html.escape(title or "Weak-signal map (Yoon 2012)")}</title>',
           f'<rect x="0" y="0" width="{W}" height="{H}" fill="#ffffff"/>',
           f'<text x="{W / 2:.0f}" y="22" text-anchor="middle" font-size="15">'
           f'{html.escape(title or "Weak-signal map (Yoon 2012)")}</text>',
           f'<rect x="{LEFT}" y="{TOP}" width="{W - LEFT - RIGHT}" height="{H - TOP - BOTTOM}" fill="none" '
           'stroke="#888888"/>']
    if log:
        ticks = [float(k) for k in range(math.ceil(x0), math.floor(x1) + 1)] or [round((x0 + x1) / 2, 2)]
        labels = [f"1e{int(k)}" if k == int(k) else _fmt(10 ** k) for k in ticks]
    else:
        ticks = _ticks(x0, x1)
        labels = [_fmt(k) for k in ticks]
    for k, label in zip(ticks, labels, strict=True):
        out.append(f'<line x1="{px(k):.1f}" y1="{H - BOTTOM}" x2="{px(k):.1f}" y2="{H - BOTTOM + 5}" stroke="#555555"/>'
                   f'<text x="{px(k):.1f}" y="{H - BOTTOM + 18}" text-anchor="middle">{label}</text>')
    for k in _ticks(y0, y1):
        out.append(f'<line x1="{LEFT - 5}" y1="{py(k):.1f}" x2="{LEFT}" y2="{py(k):.1f}" stroke="#555555"/>'
                   f'<text x="{LEFT - 8}" y="{py(k) + 4:.1f}" text-anchor="end">{_fmt(k)}</text>')
    out.append(f'<text x="{(LEFT + W - RIGHT) / 2:.0f}" y="{H - 18}" text-anchor="middle">average degree of visibility '
               "(share of the year's articles, time-weighted)</text>")
    out.append(f'<text transform="translate(18 {(TOP + H - BOTTOM) / 2:.0f}) rotate(-90)" text-anchor="middle">'
               "geometric-mean growth of visibility per year</text>")
    if points:
        mx, my = median(xs), median(ys)
        out.append(f'<line x1="{px(mx):.1f}" y1="{TOP}" x2="{px(mx):.1f}" y2="{H - BOTTOM}" stroke="#888888" '
                   'stroke-dasharray="5 4"/>')
        out.append(f'<line x1="{LEFT}" y1="{py(my):.1f}" x2="{W - RIGHT}" y2="{py(my):.1f}" stroke="#888888" '
                   'stroke-dasharray="5 4"/>')
    labelled: list[tuple[NodeTrend, float, float]] = []
    for q, color in QUADRANT_COLORS.items():
        mine = [(t, x, y) for t, x, y in zip(points, xs, ys, strict=False) if t.quadrant == q]
        out.append(f'<g fill="{color}" fill-opacity="0.75">' + "".join(
            f'<circle cx="{px(x):.1f}" cy="{py(y):.1f}" r="2.6"/>' for _, x, y in mine) + "</g>")
        labelled += sorted(mine, key=lambda p: (-p[0].articles, p[0].iri))[:LABELLED]
    for t, x, y in labelled:  # near the right edge, the label ends at its point
        right = px(x) > LEFT + 0.75 * (W - LEFT - RIGHT)
        anchor = ' text-anchor="end"' if right else ""
        out.append(f'<text x="{px(x) + (-4 if right else 4):.1f}" y="{py(y) - 4:.1f}" font-size="10"{anchor}>'
                   f"{html.escape(t.label)}</text>")
    for i, (q, color) in enumerate(QUADRANT_COLORS.items()):
        n = sum(1 for t in points if t.quadrant == q)
        y = TOP + 16 + i * 16
        out.append(f'<circle cx="{W - RIGHT - 150}" cy="{y - 4}" r="4" fill="{color}"/>'
                   f'<text x="{W - RIGHT - 140}" y="{y}">{q} ({n})</text>')
    out.append("</svg>")
    return "\n".join(out) + "\n", len(points)


def weak_signal_svg(trends: Trends, path: Path | IO[bytes], types: tuple[str, ...] = (), title: str = "") -> int:
    """Write the map (`map_svg`) as an SVG file to `path` (a file or a binary stream); returns its points."""
    svg, n = map_svg(trends, types, title)
    data = ('<?xml version="1.0" encoding="utf-8"?>\n' + svg).encode("utf-8")
    if isinstance(path, Path):
        path.write_bytes(data)
    else:
        path.write(data)
    return n
