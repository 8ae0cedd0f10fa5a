"""The weak-signal map (Yoon 2012) of a trends result as a deterministic SVG (matplotlib, no date in it)."""

from __future__ import annotations

from pathlib import Path
from statistics import median
from typing import IO

from kg.trends import Trends

__all__ = ["QUADRANT_COLORS", "weak_signal_svg"]

QUADRANT_COLORS = {"WeakSignal": "#e15759", "StrongSignal": "#f28e2b", "WellKnown": "#4e79a7", "Latent": "#bab0ac"}
LABELLED = 3  # points labelled per quadrant: those with most articles


def weak_signal_svg(trends: Trends, path: Path | IO[bytes], types: tuple[str, ...] = (), title: str = "") -> int:
    """Write the map of the nodes with a quadrant (of some types) to `path` (a file or a binary stream);
    returns how many points it has. x: average degree of visibility, y: its geometric-mean growth per year;
    dashed lines at the medians."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    points = sorted((t for t in trends.nodes if t.quadrant and (not types or t.type in types)), key=lambda t: t.iri)
    matplotlib.rcParams["svg.hashsalt"] = "kg"  # fixed ids: the same input gives the same bytes
    fig, ax = plt.subplots(figsize=(9, 6.5))
    try:
        for q, color in QUADRANT_COLORS.items():
            mine = [t for t in points if t.quadrant == q]
            ax.scatter([t.visibility for t in mine], [t.growth for t in mine], s=14, c=color, alpha=0.75,
                       label=f"{q} ({len(mine)})", linewidths=0)
            for t in sorted(mine, key=lambda t: (-t.articles, t.iri))[:LABELLED]:
                ax.annotate(t.label, (t.visibility, t.growth), fontsize=7, xytext=(3, 3), textcoords="offset points")
        if points:
            ax.axvline(median(t.visibility for t in points), color="#888888", linestyle="--", linewidth=0.8)
            ax.axhline(median(t.growth for t in points), color="#888888", linestyle="--", linewidth=0.8)
        if points and min(t.visibility for t in points) > 0:  # log needs positive values (a tiny corpus may not)
            ax.set_xscale("log")
        ax.set_xlabel("average degree of visibility (share of the year's articles, time-weighted)")
        ax.set_ylabel("geometric-mean growth of visibility per year")
        ax.set_title(title or "Weak-signal map (Yoon 2012)")
        ax.legend(loc="upper right", fontsize=8, frameon=False)
        fig.tight_layout()
        fig.savefig(path, format="svg", metadata={"Date": None, "Creator": None})
    finally:
        plt.close(fig)
    return len(points)
