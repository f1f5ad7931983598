"""The economy of the ranked cities (the report's section 二(三) and 表11): value added, GDP and
population of the top N as a share of the national totals, value added by region, and regional gaps.

National totals are sums over every unit of the context dataset (``RunData.dataset``) with a value in the
year — for the embedded data, the 337 prefecture-level units *including* the four municipalities (330 of
them have value added for 2022). This is stated wherever a national share is shown.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from mfgindex.analysis.distribution import CityRef, city_refs
from mfgindex.analysis.gaps import RegionalGap, gap_change, regional_gap
from mfgindex.analysis.run import RunData
from mfgindex.analysis.table import top
from mfgindex.core import geo
from mfgindex.core.framework import Indicator

VA = "va_secondary"

GDP = "gdp"

POP = "population"


@dataclass(frozen=True)
class Aggregates:
    """The top N as a whole (seed 二(三)): shares of the national totals, averages, per-capita values."""

    year: int
    n: int
    va_label: str
    va_proxy: str
    national_units_va: int
    national_units_gdp: int
    va_total: float
    gdp_total: float
    va_national: float
    gdp_national: float
    va_share_national: float
    gdp_share_national: float
    va_mean: float
    va_per_capita: float | None
    """元 per resident over the top-N cities with population data."""
    national_va_per_capita: float | None
    per_capita_premium: float | None
    """va_per_capita / national_va_per_capita − 1."""
    va_share_of_gdp: float
    national_va_share_of_gdp: float
    va_share_of_gdp_prev: float | None
    """Same cities, previous year."""
    top10_share_of_topn_va: float
    over_5000: tuple[CityRef, ...]
    over_10000: tuple[CityRef, ...]
    growth_national: float | None
    """Nominal growth of the national total over units with both years (fraction)."""
    above_national_growth: tuple[CityRef, ...]
    double_digit_growth: tuple[CityRef, ...]
    share_over_40: tuple[CityRef, ...]
    share_over_50: tuple[CityRef, ...]
    share_rose: int
    """Top-N cities whose value-added share of GDP rose from the previous year."""


@dataclass(frozen=True)
class RegionValueAdded:
    """Value added of the top-N cities of a region, this year and last (表11)."""

    region: str
    n_prev: int | None
    n_cur: int
    va_prev: float | None
    va_cur: float
    share_prev: float | None
    share_cur: float


@dataclass(frozen=True)
class GapSummary:
    """Regional gap of one variable over the ranked units, with the change from the previous year."""

    variable: str
    label_zh: str
    label_en: str
    current: RegionalGap
    previous: RegionalGap | None
    change: dict[str, Any] | None


def year_values(run: RunData, variable: str, year: int | None) -> pd.Series | None:
    """Values of a raw variable for every unit of the context dataset in ``year`` (None if absent)."""
    if run.dataset is None or year is None:
        return None
    panel = run.dataset.panel
    if variable not in panel or year not in panel[variable].columns:
        return None
    s = panel[variable][year].dropna().astype(float)
    s.index = s.index.astype(str)
    return s


def context_frame(run: RunData) -> pd.DataFrame:
    """Value added, GDP, population, growth and share of every ranked unit (NaN where unknown)."""
    idx = run.table.index
    cols: dict[str, pd.Series] = {}
    for name, var, yr in (
        ("va", VA, run.year),
        ("va_prev", VA, run.previous_year),
        ("gdp", GDP, run.year),
        ("gdp_prev", GDP, run.previous_year),
        ("population", POP, run.year),
    ):
        s = year_values(run, var, yr)
        cols[name] = s.reindex(idx) if s is not None else pd.Series(np.nan, index=idx)
    out = pd.DataFrame(cols, index=idx, dtype=float)
    out["growth"] = out["va"] / out["va_prev"] - 1.0
    out["share"] = out["va"] / out["gdp"]
    out["share_prev"] = out["va_prev"] / out["gdp_prev"]
    return out


def va_proxy(run: RunData) -> tuple[str, str]:
    try:
        node = run.framework.find(VA)
    except KeyError:
        return "第二产业增加值", "代替工业增加值"
    proxy = node.proxy if isinstance(node, Indicator) and node.proxy else ""
    return node.name_zh or "第二产业增加值", proxy


def aggregates(run: RunData, ctx: pd.DataFrame) -> Aggregates | None:
    """Aggregates of the top N (None without value added and GDP in the context dataset)."""
    va_all = year_values(run, VA, run.year)
    gdp_all = year_values(run, GDP, run.year)
    if va_all is None or gdp_all is None:
        return None
    t = top(run.table, run.top_n)
    c = ctx.loc[t.index]
    va_total = float(c["va"].sum())
    gdp_total = float(c["gdp"].sum())
    pop_all = year_values(run, POP, run.year)
    per_capita = nat_pc = premium = None
    if pop_all is not None:
        have = c[["va", "population"]].dropna()
        if len(have):
            per_capita = float(have["va"].sum() / have["population"].sum() * 1e4)  # 亿元/万人 → 元/人
        both = pd.concat([va_all, pop_all], axis=1, keys=["va", "pop"]).dropna()
        if len(both):
            nat_pc = float(both["va"].sum() / both["pop"].sum() * 1e4)
        if per_capita is not None and nat_pc:
            premium = per_capita / nat_pc - 1.0
    va_prev_all = year_values(run, VA, run.previous_year)
    growth_nat = None
    if va_prev_all is not None:
        both = pd.concat([va_all, va_prev_all], axis=1, keys=["cur", "prev"]).dropna()
        growth_nat = float(both["cur"].sum() / both["prev"].sum() - 1.0) if len(both) else None
    prev_c = c[["va_prev", "gdp_prev"]].dropna()
    label, proxy = va_proxy(run)
    nat_both = pd.concat([va_all, gdp_all], axis=1, keys=["va", "gdp"]).dropna()
    top10 = top(t, 10)
    return Aggregates(
        year=run.year,
        n=len(t),
        va_label=label,
        va_proxy=proxy,
        national_units_va=len(va_all),
        national_units_gdp=len(gdp_all),
        va_total=va_total,
        gdp_total=gdp_total,
        va_national=float(va_all.sum()),
        gdp_national=float(gdp_all.sum()),
        va_share_national=va_total / float(va_all.sum()),
        gdp_share_national=gdp_total / float(gdp_all.sum()),
        va_mean=float(c["va"].mean()),
        va_per_capita=per_capita,
        national_va_per_capita=nat_pc,
        per_capita_premium=premium,
        va_share_of_gdp=va_total / gdp_total if gdp_total else float("nan"),
        national_va_share_of_gdp=float(nat_both["va"].sum() / nat_both["gdp"].sum()),
        va_share_of_gdp_prev=float(prev_c["va_prev"].sum() / prev_c["gdp_prev"].sum())
        if len(prev_c)
        else None,
        top10_share_of_topn_va=float(ctx.loc[top10.index, "va"].sum()) / va_total
        if va_total
        else float("nan"),
        over_5000=city_refs(t, c.index[c["va"] > 5000]),
        over_10000=city_refs(t, c.index[c["va"] > 10000]),
        growth_national=growth_nat,
        above_national_growth=() if growth_nat is None else city_refs(t, c.index[c["growth"] > growth_nat]),
        double_digit_growth=city_refs(t, c.index[c["growth"] >= 0.10]),
        share_over_40=city_refs(t, c.index[c["share"] > 0.40]),
        share_over_50=city_refs(t, c.index[c["share"] > 0.50]),
        share_rose=int((c["share"] > c["share_prev"]).sum()),
    )


def region_value_added(run: RunData, ctx: pd.DataFrame) -> tuple[RegionValueAdded, ...] | None:
    """表11: value added of each region's top-N cities, this year (this year's list) and last year
    (last year's list, from ``prev_rank``), and the region's share of the list's total."""
    if not ctx["va"].notna().any():
        return None
    t = run.table
    cur = t[t["rank"] <= run.top_n]
    has_prev = (
        "prev_rank" in t.columns
        and t["prev_rank"].notna().sum() >= run.top_n
        and ctx["va_prev"].notna().any()
    )
    prev = t[t["prev_rank"] <= run.top_n] if has_prev else None
    cur_total = float(ctx.loc[cur.index, "va"].sum())
    prev_total = float(ctx.loc[prev.index, "va_prev"].sum()) if prev is not None else None
    out: list[RegionValueAdded] = []
    for region in geo.REGION_ORDER:
        rc = cur[cur["region"] == region]
        va_c = float(ctx.loc[rc.index, "va"].sum())
        n_p = va_p = sh_p = None
        if prev is not None and prev_total:
            rp = prev[prev["region"] == region]
            n_p = len(rp)
            va_p = float(ctx.loc[rp.index, "va_prev"].sum())
            sh_p = va_p / prev_total
        out.append(
            RegionValueAdded(
                region=region,
                n_prev=n_p,
                n_cur=len(rc),
                va_prev=va_p,
                va_cur=va_c,
                share_prev=sh_p,
                share_cur=va_c / cur_total if cur_total else 0.0,
            )
        )
    return tuple(out)


def regional_gaps(run: RunData, ctx: pd.DataFrame) -> tuple[GapSummary, ...]:
    """CV and Theil (between/within regions) of the value-added proxy and of the index over ranked units."""
    out: list[GapSummary] = []
    t = run.table
    label, _ = va_proxy(run)
    if ctx["va"].notna().sum() > 1:
        cur_frame = pd.DataFrame({"v": ctx["va"], "region": t["region"]})
        cur = regional_gap(cur_frame, "v")
        prev = ch = None
        if ctx["va_prev"].notna().sum() > 1:
            prev = regional_gap(pd.DataFrame({"v": ctx["va_prev"], "region": t["region"]}), "v")
            ch = gap_change(cur, prev)
        out.append(GapSummary(VA, label, "Value added (proxy)", cur, prev, ch))
    idx = run.index_id
    if idx in t.columns:
        frame = pd.DataFrame({"v": t[idx].clip(lower=0), "region": t["region"]})
        out.append(
            GapSummary(
                idx,
                run.framework.root.name_zh or idx,
                run.framework.root.name_en or idx,
                regional_gap(frame, "v"),
                None,
                None,
            )
        )
    return tuple(out)
