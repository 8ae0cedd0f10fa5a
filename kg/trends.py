"""Time: each node's share of the dated articles per period, a trend test with the false discovery rate
controlled, Kleinberg bursts, and the Yoon (2012) weak-signal map.

Inputs are plain: article -> ISO date, and (article, node) links (an article merged from several documents
is one article). Every series is normalised by its period's article count, since corpora grow:

- **Trend**: the Cochran-Armitage test for trend in proportions over the periods (each period weighted by its
  articles), two-sided, its p-values adjusted by Benjamini-Hochberg over every tested node. The slope is the
  weighted least-squares change in share per year, with a 95% interval. A node with fewer than MIN_ARTICLES
  dated articles gets no class. `new`: first seen in the last NEW_PERIODS periods, with at least NEW_MIN
  articles; otherwise `rising` / `fading` when the adjusted p is below ALPHA, else `steady`.
- **Bursts**: Kleinberg's two-state automaton on batched arrivals (articles naming the node out of the
  period's articles): base rate the node's overall share, burst rate BURST_S times it, a step up costs
  BURST_GAMMA * ln(periods). Each run of the burst state is a burst; its strength is the cost the burst
  state saves over the run. Bursts weaker than MIN_STRENGTH are not reported.
- **Weak-signal map** (Yoon 2012, "degree of visibility"): per year j of n, DoV = share * (1 - TW * (n - j));
  x = the average DoV, y = the geometric-mean growth of DoV between the first and the last year the node has
  articles; split at the medians of its type into WeakSignal (x low, y high), StrongSignal (both high),
  WellKnown (x high, y low) and Latent (both low). Nodes seen in fewer than two years get no quadrant.
"""

from __future__ import annotations

import calendar
import math
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from itertools import chain

import numpy as np
from scipy.special import ndtr  # the normal CDF: scipy.stats.norm.sf(x) is ndtr(-x), and imports in 1/4 the time

__all__ = [
    "ALPHA",
    "BURST_GAMMA",
    "BURST_S",
    "MIN_ARTICLES",
    "NEW_MIN",
    "NEW_PERIODS",
    "TERMS",
    "Burst",
    "NodeTrend",
    "Trends",
    "analyse",
    "benjamini_hochberg",
    "cochran_armitage",
    "kleinberg",
    "period_of",
    "period_start",
    "periods_between",
]

ALPHA = 0.05
MIN_ARTICLES = 10
NEW_PERIODS = 3
NEW_MIN = 5
BURST_S = 2.0
BURST_GAMMA = 1.0
MIN_STRENGTH = 3.0
MIN_BURST_ARTICLES = 5  # nodes with fewer dated articles are not searched for bursts
TW = 0.05
TERMS = {"rising": "Rising", "fading": "Fading", "steady": "Steady", "new": "New"}  # class -> its kgo term
PER_YEAR = {"month": 12, "quarter": 4, "year": 1}


def period_of(date: str, period: str = "month") -> str:
    """The period of an ISO date: 2024-03, 2024-Q1 or 2024."""
    year, month = date[:4], int(date[5:7])
    if period == "month":
        return f"{year}-{month:02d}"
    if period == "quarter":
        return f"{year}-Q{(month - 1) // 3 + 1}"
    if period == "year":
        return year
    raise ValueError(f"unknown period {period!r}; choose month, quarter or year")


def _ordinal(p: str) -> tuple[int, int, int]:
    """(year, index within year, periods per year) of a period name."""
    if "-Q" in p:
        return int(p[:4]), int(p[6:]) - 1, 4
    if "-" in p:
        return int(p[:4]), int(p[5:7]) - 1, 12
    return int(p), 0, 1


def periods_between(first: str, last: str) -> list[str]:
    """Every period from first to last, gaps included."""
    y, i, k = _ordinal(first)
    ly, li, _ = _ordinal(last)
    out = []
    while (y, i) <= (ly, li):
        out.append(f"{y}-Q{i + 1}" if k == 4 else f"{y}-{i + 1:02d}" if k == 12 else str(y))
        i += 1
        if i == k:
            y, i = y + 1, 0
    return out


def period_start(p: str) -> str:
    """The first day of a period, ISO."""
    y, i, k = _ordinal(p)
    month = i * (12 // k) + 1
    return f"{y}-{month:02d}-01"


def period_end(p: str) -> str:
    """The last day of a period, ISO."""
    y, i, k = _ordinal(p)
    month = (i + 1) * (12 // k)
    return f"{y}-{month:02d}-{calendar.monthrange(y, month)[1]:02d}"


def cochran_armitage(counts: np.ndarray, volume: np.ndarray, times: np.ndarray
                     ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Per row of `counts` (nodes x periods), against `volume` (articles per period) at `times` (years):
    the weighted least-squares slope of the share, its standard error, the Cochran-Armitage z and the
    two-sided p-value."""
    n = volume.astype(float)
    total = n.sum()
    tbar = float((n * times).sum() / total)
    dt = times - tbar
    sxx = float((n * dt * dt).sum())
    stat = counts @ dt
    pbar = counts.sum(axis=1) / total
    var = pbar * (1 - pbar)
    with np.errstate(divide="ignore", invalid="ignore"):
        slope = stat / sxx if sxx > 0 else np.zeros_like(stat)
        se = np.sqrt(var / sxx) if sxx > 0 else np.zeros_like(stat)
        z = np.where(var > 0, stat / np.sqrt(var * sxx), 0.0) if sxx > 0 else np.zeros_like(stat)
    p = 2 * ndtr(-np.abs(z))
    return slope, se, z, p


def benjamini_hochberg(p: np.ndarray) -> np.ndarray:
    """Benjamini-Hochberg adjusted p-values (the step-up procedure's q-values), in the input order."""
    m = len(p)
    if not m:
        return p
    order = np.argsort(p, kind="stable")
    ranked = p[order] * m / np.arange(1, m + 1)
    q = np.minimum.accumulate(ranked[::-1])[::-1]
    out = np.empty(m)
    out[order] = np.minimum(q, 1.0)
    return out


@dataclass(frozen=True)
class Burst:
    """A run of periods in the burst state."""

    start: int  # index of the first period
    end: int  # index of the last period
    strength: float


def _costs(x: np.ndarray, n: np.ndarray, rate: np.ndarray) -> np.ndarray:
    """-ln of the binomial likelihood of x of n at a rate (its coefficient left out: the same in both states)."""
    r = np.clip(rate, 1e-12, 1 - 1e-12)
    return -(x * np.log(r) + (n - x) * np.log1p(-r))


def kleinberg(counts: np.ndarray, volume: np.ndarray, s: float = BURST_S, gamma: float = BURST_GAMMA,
              min_strength: float = MIN_STRENGTH) -> list[list[Burst]]:
    """Kleinberg's two-state burst detection on batched arrivals, for each row of `counts` (nodes x periods)
    against `volume`; the Viterbi path computed for all rows at once."""
    counts = np.atleast_2d(counts).astype(float)
    rows, periods = counts.shape
    n = np.broadcast_to(volume.astype(float), counts.shape)
    base = counts.sum(axis=1) / max(float(volume.sum()), 1.0)
    c0 = _costs(counts, n, base[:, None])
    c1 = _costs(counts, n, np.minimum(base * s, 0.9999)[:, None])
    up = gamma * math.log(max(periods, 2))
    best0, best1 = np.zeros(rows), np.full(rows, np.inf)
    back0 = np.zeros((rows, periods), dtype=bool)  # True: came from state 1
    back1 = np.zeros((rows, periods), dtype=bool)
    for t in range(periods):
        from1 = best1 < best0
        n0 = np.where(from1, best1, best0) + c0[:, t]
        stay1 = best1 <= best0 + up
        n1 = np.where(stay1, best1, best0 + up) + c1[:, t]
        back0[:, t], back1[:, t] = from1, stay1
        best0, best1 = n0, n1
    state = best1 < best0
    path = np.zeros((rows, periods), dtype=bool)
    for t in range(periods - 1, -1, -1):
        path[:, t] = state
        state = np.where(state, back1[:, t], back0[:, t])
    saved = c0 - c1
    out: list[list[Burst]] = []
    for r in range(rows):
        found: list[Burst] = []
        on = np.flatnonzero(path[r])
        if on.size:
            runs = np.split(on, np.flatnonzero(np.diff(on) > 1) + 1)
            for run in runs:
                strength = float(saved[r, run].sum())
                if strength >= min_strength:
                    found.append(Burst(int(run[0]), int(run[-1]), round(strength, 6)))
        out.append(found)
    return out


@dataclass
class NodeTrend:
    """What time says of one node."""

    iri: str
    type: str
    label: str
    articles: int  # distinct articles naming it, dated or not
    dated: int  # of them, with a date the series use
    first_seen: str = ""
    last_seen: str = ""
    cls: str = ""  # rising, fading, steady, new, or "" (too few articles)
    slope: float = 0.0  # change in share per year
    slope_low: float = 0.0
    slope_high: float = 0.0
    p: float = 1.0  # BH-adjusted
    tested: bool = False
    bursts: list[tuple[str, str, float]] = field(default_factory=list)  # (start date, end date, strength)
    quadrant: str = ""
    visibility: float = 0.0  # the map's x
    growth: float = 0.0  # the map's y
    series: list[int] = field(default_factory=list)  # articles per period


@dataclass
class Trends:
    """Every node's trend, with the periods and their volumes."""

    period: str
    periods: list[str]
    volume: list[int]
    nodes: list[NodeTrend]
    undated: int  # articles without a usable date (left out of the series, counted in totals)


def analyse(dates: Mapping[str, str], links: Iterable[tuple[str, str]], types: Mapping[str, str],
            labels: Mapping[str, str], articles: Iterable[str], period: str = "month", since: str | None = None,
            until: str | None = None) -> Trends:
    """Trends of every node of `types` named by a link from one of `articles`. `dates` holds the usable date
    of each dated article (implausible ones left out by the caller); `since`/`until` (ISO dates) cut the
    window."""
    arts = set(articles)
    window = {a: d for a, d in dates.items() if a in arts and (not since or d >= since) and (not until or d <= until)}
    named: dict[str, set[str]] = defaultdict(set)
    for a, node in links:
        if a in arts and node in types:
            named[node].add(a)
    in_window = arts if not (since or until) else set(window) | (arts - set(dates))
    if not window:
        nodes = [NodeTrend(n, types[n], labels.get(n, n), len(named[n] & in_window), 0)
                 for n in sorted(named) if named[n] & in_window]
        return Trends(period, [], [], nodes, len(in_window - set(window)))
    first, last = min(window.values()), max(window.values())
    periods = periods_between(period_of(first, period), period_of(last, period))
    col = {p: i for i, p in enumerate(periods)}
    art_col = {a: col[period_of(d, period)] for a, d in window.items()}
    volume = np.zeros(len(periods), dtype=np.int64)
    for c in art_col.values():
        volume[c] += 1
    every = in_window is arts  # then every link's article is in the window: no set to intersect
    order = sorted(n for n in named if every or named[n] & in_window)
    mines = [named[n] if every else named[n] & in_window for n in order]
    dated = sorted(window)  # each dated article's place, in order
    place = {a: i for i, a in enumerate(dated)}
    cells = [[place[a] for a in mine if a in place] for mine in mines]
    lengths = np.array([len(c) for c in cells], dtype=np.int64)
    rows = np.repeat(np.arange(len(cells), dtype=np.int64), lengths)  # node rows[i] is named by flat[i]
    flat = np.fromiter(chain.from_iterable(cells), dtype=np.int64, count=len(rows))
    series = _tally(rows, np.array([art_col[a] for a in dated], dtype=np.int64)[flat], len(cells), len(periods))
    days, day = np.unique(np.array([window[a] for a in dated]), return_inverse=True)
    earliest, latest = np.full(len(cells), -1), np.full(len(cells), -1)  # each node's first and last day
    some = lengths > 0
    if some.any():
        starts = (np.cumsum(lengths) - lengths)[some]
        earliest[some], latest[some] = np.minimum.reduceat(day[flat], starts), np.maximum.reduceat(day[flat], starts)
    out = [NodeTrend(n, types[n], labels.get(n, n), len(mine), size, str(days[f]) if f >= 0 else "",
                     str(days[t]) if t >= 0 else "")
           for n, mine, size, f, t in zip(order, mines, lengths.tolist(), earliest.tolist(), latest.tolist(),
                                             strict=True)]
    counts = series.astype(float)
    per_year = PER_YEAR[period]
    times = np.array([_ordinal(p)[0] + _ordinal(p)[1] / per_year for p in periods])
    tested = np.array([t.dated >= MIN_ARTICLES for t in out], dtype=bool)
    slope, se, _, p = cochran_armitage(counts, volume, times)
    q = np.ones(len(out))
    if tested.any():
        q[tested] = benjamini_hochberg(p[tested])
    newest = set(periods[-NEW_PERIODS:])
    burst_rows = [r for r, t in enumerate(out) if t.dated >= MIN_BURST_ARTICLES]
    bursts = kleinberg(counts[burst_rows], volume) if burst_rows else []
    for r, found in zip(burst_rows, bursts, strict=True):
        out[r].bursts = [(period_start(periods[b.start]), period_end(periods[b.end]), b.strength) for b in found]
    low, high = (slope - 1.96 * se).tolist(), (slope + 1.96 * se).tolist()
    for t, row, b, lo, hi, adjusted, test in zip(out, series.tolist(), slope.tolist(), low, high, q.tolist(),
                                                  tested.tolist(), strict=True):
        t.series, t.slope, t.slope_low, t.slope_high, t.p, t.tested = row, b, lo, hi, adjusted, test
        recent = bool(t.first_seen) and period_of(t.first_seen, period) in newest
        if recent and t.dated >= NEW_MIN and len(periods) > NEW_PERIODS:
            t.cls = "new"
        elif t.tested:
            t.cls = ("rising" if t.slope > 0 else "fading") if t.p < ALPHA else "steady"
    _quadrants(out, [window[a][:4] for a in dated], rows, flat)
    return Trends(period, periods, [int(v) for v in volume], out, len(in_window - set(window)))


def _tally(rows: np.ndarray, cols: np.ndarray, height: int, width: int) -> np.ndarray:
    """The height x width matrix of how often each (row, column) pair occurs."""
    return np.bincount(rows * width + cols, minlength=height * width).reshape(height, width)


def _quadrants(out: list[NodeTrend], year: list[str], rows: np.ndarray, flat: np.ndarray) -> None:
    """The weak-signal map (see the module doc), on yearly shares, medians per type. `year` holds each dated
    article's year; node out[rows[i]] is named by dated article flat[i]."""
    years = sorted(set(year))
    if len(years) < 2:
        return
    at = {y: i for i, y in enumerate(years)}
    of = np.array([at[y] for y in year], dtype=np.int64)
    vol = np.bincount(of, minlength=len(years)).astype(float)
    weight = np.array([1 - TW * (len(years) - (j + 1)) for j in range(len(years))])
    placed: dict[str, list[NodeTrend]] = defaultdict(list)
    mapped = [r for r, t in enumerate(out) if t.dated >= MIN_ARTICLES]
    tf = _tally(rows, of[flat], len(out), len(years))[mapped].astype(float)
    dov = np.where(vol > 0, tf / np.maximum(vol, 1), 0.0) * weight  # one row per node, as each node's alone
    seen = dov > 0
    count, first_seen = seen.sum(axis=1).tolist(), seen.argmax(axis=1).tolist()
    last_seen = (len(years) - 1 - seen[:, ::-1].argmax(axis=1)).tolist()
    for r, row, size, first, last in zip(mapped, dov, count, first_seen, last_seen, strict=True):
        if size < 2:
            continue
        t = out[r]
        t.visibility = float(row.mean())
        t.growth = float((row[last] / row[first]) ** (1 / (last - first)) - 1)
        placed[t.type].append(t)
    for group in placed.values():
        mx = float(np.median([t.visibility for t in group]))
        my = float(np.median([t.growth for t in group]))
        for t in group:
            high_x, high_y = t.visibility >= mx, t.growth > my
            if high_y:
                t.quadrant = "StrongSignal" if high_x else "WeakSignal"
            else:
                t.quadrant = "WellKnown" if high_x else "Latent"
