"""Computed findings behind the report's 前言, 发展现状 and 发展展望: every sentence of those sections is
bound to one finding here (an id and its numbers), so that no sentence says more than the run shows.

- :func:`development_status` — growth, structure and regional gaps of the ranked cities over the years the
  data covers (value added, its share of GDP, the CV and Theil index of value added by region);
- :func:`outlook_findings` — the weakest dimension of each region and of each development stage (mean score
  against the national mean), the dimension with the largest gap between the top 10 and the rest of the top N,
  and the dimension with the largest mean obstacle degree of the top N.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from mfgindex.analysis.gaps import coefficient_of_variation, theil_decomposition
from mfgindex.analysis.run import RunData

VA = "va_secondary"
GDP = "gdp"
REGIONS = ("东部", "中部", "西部", "东北")


@dataclass(frozen=True)
class StatusYear:
    """Value added of the ranked cities in one year (cities with data that year)."""

    year: int
    n_units: int
    va_total: float
    gdp_total: float
    growth: float | None
    """Nominal growth of the total over the cities with data in both years (None for the first year)."""
    region_share: dict[str, float]
    cv: float
    theil: float
    theil_between_share: float

    @property
    def va_share_of_gdp(self) -> float:
        return self.va_total / self.gdp_total if self.gdp_total else float("nan")


@dataclass(frozen=True)
class DevelopmentStatus:
    """发展现状: the years of the run's data, oldest first."""

    years: tuple[StatusYear, ...]
    label_zh: str = "第二产业增加值"

    @property
    def first(self) -> StatusYear:
        return self.years[0]

    @property
    def last(self) -> StatusYear:
        return self.years[-1]

    @property
    def mean_growth(self) -> float:
        g = [y.growth for y in self.years if y.growth is not None]
        return float(np.mean(g)) if g else float("nan")

    def to_dict(self) -> dict[str, Any]:
        return {"years": [y.__dict__ | {"va_share_of_gdp": y.va_share_of_gdp} for y in self.years]}


def development_status(run: RunData, span: int = 4, min_share: float = 0.9) -> DevelopmentStatus | None:
    """Value added, its share of GDP and its regional gaps for the ranked cities, over the ``span`` years up
    to the run's year in which at least ``min_share`` of the ranked cities have value added (None when fewer
    than two such years exist).

    Totals are sums over the cities with data in that year; the growth of a year compares the same cities
    in both years, so a city entering the data never shows as growth.
    """
    if run.dataset is None or not run.is_cities:
        return None
    panel = run.dataset.panel
    if VA not in panel or GDP not in panel:
        return None
    codes = run.table.index.astype(str)
    va = panel[VA].reindex(codes)
    gdp = panel[GDP].reindex(codes)
    region = run.table["region"].astype(str)
    years = [y for y in range(run.year - span + 1, run.year + 1) if y in va.columns]
    years = [y for y in years if va[y].notna().mean() >= min_share]
    if len(years) < 2:
        return None
    rows: list[StatusYear] = []
    for i, y in enumerate(years):
        v = va[y].dropna().astype(float)
        g = gdp[y].reindex(v.index).astype(float)
        both = g.notna()
        growth = None
        if i > 0 and years[i - 1] == y - 1:
            prev = va[y - 1].astype(float)
            common = v.index[prev.reindex(v.index).notna()]
            growth = float(v[common].sum() / prev[common].sum() - 1.0)
        frame = pd.DataFrame({"v": v, "region": region.reindex(v.index)})
        theil = theil_decomposition(frame["v"], frame["region"])
        shares = {r: float(v[region.reindex(v.index) == r].sum() / v.sum()) for r in REGIONS}
        rows.append(
            StatusYear(
                year=y,
                n_units=len(v),
                va_total=float(v.sum()),
                gdp_total=float(g[both].sum()) if both.all() else float(g.sum()),
                growth=growth,
                region_share=shares,
                cv=float(coefficient_of_variation(v)),
                theil=float(theil.total),
                theil_between_share=float(theil.between_share),
            )
        )
    return DevelopmentStatus(tuple(rows))


@dataclass(frozen=True)
class Finding:
    """One computed finding: ``id`` names the sentence template, ``numbers`` are what it prints."""

    id: str
    subject: str
    dimension: str
    numbers: dict[str, float] = field(default_factory=dict)


def _dims(run: RunData) -> dict[str, str]:
    return {c.id: str(c.name_zh or c.id) for c in run.framework.root.children if c.id in run.table.columns}


def _extreme(values: pd.Series, dims: dict[str, str], largest: bool) -> str | None:
    """The dimension (among the run's) with the largest or the smallest value; None when none has one.
    Every selector of this module picks its dimension here."""
    v = values.reindex(list(dims)).dropna()
    if v.empty:
        return None
    return str(v.idxmax() if largest else v.idxmin())


def weakest_by_group(run: RunData, column: str, groups: tuple[str, ...] | None = None) -> list[Finding]:
    """For each group of ``column`` (region, stage), the dimension whose mean score falls furthest below the
    national mean of the ranked cities (a finding only when some dimension is below it)."""
    t = run.table
    dims = _dims(run)
    if column not in t.columns or not dims:
        return []
    national = t[list(dims)].mean()
    out = []
    for g in groups or tuple(sorted(t[column].dropna().astype(str).unique())):
        sub = t[t[column].astype(str) == g]
        if len(sub) < 3:
            continue
        gap = sub[list(dims)].mean() - national
        d = _extreme(gap, dims, largest=False)
        if d is None or gap[d] >= 0:
            continue
        numbers = {"n": float(len(sub)), "mean": float(sub[d].mean()), "national": float(national[d])}
        out.append(Finding(f"weakest_{column}", g, dims[d], numbers | {"gap": float(-gap[d])}))
    return out


def leader_gap(run: RunData, k: int = 10) -> Finding | None:
    """The dimension with the largest gap between the mean score of the top ``k`` and of the rest of the
    top N."""
    t = run.table
    dims = _dims(run)
    top_k = t[t["rank"] <= k]
    rest = t[(t["rank"] > k) & (t["rank"] <= run.top_n)]
    if top_k.empty or rest.empty:
        return None
    gap = top_k[list(dims)].mean() - rest[list(dims)].mean()
    d = _extreme(gap, dims, largest=True)
    if d is None:
        return None
    numbers = {"k": float(k), "top_mean": float(top_k[d].mean()), "rest_mean": float(rest[d].mean())}
    return Finding("leader_gap", f"前{k}名", dims[d], numbers | {"gap": float(gap[d])})


def obstacle_finding(by_dimension: pd.DataFrame, run: RunData) -> Finding | None:
    """The dimension with the largest mean obstacle degree over the top N cities."""
    dims = _dims(run)
    top = run.table[run.table["rank"] <= run.top_n].index
    mean = by_dimension.reindex(top).mean()
    d = _extreme(mean, dims, largest=True)
    if d is None:
        return None
    others = mean.reindex(list(dims)).dropna().drop(d)
    numbers = {"degree": float(mean[d]), "second": float(others.max()) if len(others) else float("nan")}
    return Finding("obstacle", f"{run.top_n}强城市", dims[d], numbers)


def outlook_findings(run: RunData, obstacle_by_dimension: pd.DataFrame | None = None) -> list[Finding]:
    """The findings 发展展望 is written from, in the order the section uses them."""
    out: list[Finding] = []
    out += weakest_by_group(run, "region", REGIONS)
    if "stage" in run.table.columns:
        # pure stages only: a transition band mixes two weight sets, 未分类 has no GDP per capita
        pure = tuple(
            sorted({s for s in run.table["stage"].dropna().astype(str) if s.endswith("期") and "→" not in s})
        )
        out += weakest_by_group(run, "stage", pure)
    lg = leader_gap(run)
    if lg is not None:
        out.append(lg)
    if obstacle_by_dimension is not None:
        ob = obstacle_finding(obstacle_by_dimension, run)
        if ob is not None:
            out.append(ob)
    return out
