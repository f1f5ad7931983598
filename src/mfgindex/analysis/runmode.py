"""Run-mode analyses: everything the report's section 二 states, computed from a run's results.

:func:`analyze_run` reads a :class:`~mfgindex.analysis.run.RunData` and returns a :class:`RunAnalysis`:
the list-level analyses of :func:`~mfgindex.analysis.summary.analyze_ranking` (regions, provinces, 城市群,
capitals with 首位度 on the value-added proxy), the top 10 of every sub-index with its Chinese name, risers
and new entries, 发展潜力城市, the aggregates of the top N (share of national GDP and value added, averages,
per-capita values), value added and list entries by region (表11, 表12), enterprise tables (表5-10
analogues on the lists the data has), regional gaps with their change, and a diagnosis of every top-N city
at dimension and indicator level.

National totals are sums over every unit of the context dataset with a value in the year — for the
embedded data, the 337 prefecture-level units *including* the four municipalities (330 of them have value
added for 2022). This is stated wherever a national share is shown.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import pandas as pd

from mfgindex.analysis import strengths as sw
from mfgindex.analysis.city import CityProfile, city_profile
from mfgindex.analysis.distribution import CityRef, primacy, to_jsonable
from mfgindex.analysis.gaps import RegionalGap, gap_change, regional_gap
from mfgindex.analysis.panel import PanelChange, panel_change
from mfgindex.analysis.potential import PotentialCities, PotentialRule, potential_cities
from mfgindex.analysis.run import RunData
from mfgindex.analysis.summary import RankingAnalysis, analyze_ranking
from mfgindex.analysis.table import top
from mfgindex.core import geo
from mfgindex.core.framework import Aggregate, Indicator

VA = "va_secondary"
GDP = "gdp"
POP = "population"

# Lists counted by region (表12) and ranked by city (表5-10 analogues): id → (zh, en, unit).
LISTS: dict[str, tuple[str, str, str]] = {
    "listed_manufacturers": ("制造业上市公司", "Listed manufacturers", "家"),
    "green_factories": ("国家级绿色工厂", "National green factories", "家"),
    "innovation_centres": ("国家制造业创新中心", "National manufacturing innovation centres", "家"),
    "advanced_clusters": (
        "国家先进制造业集群（成员城市次）",
        "Advanced manufacturing clusters (memberships)",
        "个",
    ),
    "star_market_firms": ("科创板上市企业", "STAR Market firms", "家"),
    "green_parks": ("国家级绿色工业园区", "National green industrial parks", "家"),
}
REGION_LISTS = ("listed_manufacturers", "green_factories", "innovation_centres", "advanced_clusters")


@dataclass(frozen=True)
class SubIndexLeaders:
    """The top ``k`` of one sub-index over all ranked units."""

    id: str
    name_zh: str
    name_en: str
    cities: tuple[CityRef, ...]
    """``rank`` is the sub-index rank."""
    scores: tuple[float, ...]
    in_top_n: int
    """How many of the leaders are in the overall top N."""


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
class ListCount:
    """Entries of a list held by the top-N cities, by region (表12)."""

    list_id: str
    label_zh: str
    label_en: str
    counts: dict[str, int]
    shares: dict[str, float]
    total: int
    national_total: int
    share_of_national: float


@dataclass(frozen=True)
class RankedValue:
    rank: int
    code: str
    name: str
    value: float


@dataclass(frozen=True)
class ListTop:
    """Top ``k`` of the top-N cities by a list count (ties at the boundary kept, as the report does)."""

    list_id: str
    label_zh: str
    label_en: str
    unit: str
    scope_zh: str
    scope_en: str
    rows: tuple[RankedValue, ...]


@dataclass(frozen=True)
class NamedEntries:
    """A top-N city and the named entries it holds (innovation centres 表5, clusters 表10)."""

    city: CityRef
    entries: tuple[tuple[str, str], ...]
    """(name, detail) pairs; detail is the field of a cluster or the role of a centre."""


@dataclass(frozen=True)
class GapSummary:
    """Regional gap of one variable over the ranked units, with the change from the previous year."""

    variable: str
    label_zh: str
    label_en: str
    current: RegionalGap
    previous: RegionalGap | None
    change: dict[str, Any] | None


@dataclass(frozen=True)
class IndicatorPosition:
    indicator: str
    name_zh: str
    name_en: str
    dimension: str
    rank: int
    rank_vs_overall: int
    normalised: float
    tied: int = 1
    """Cities sharing the rank (1: no tie)."""


@dataclass(frozen=True)
class CityDiagnosis:
    """A city's profile (dimensions, peers, gaps) plus its strongest and weakest indicators."""

    profile: CityProfile
    strong_indicators: tuple[IndicatorPosition, ...]
    weak_indicators: tuple[IndicatorPosition, ...]


@dataclass(frozen=True)
class RunAnalysis:
    """All run-mode analyses of one run (see the module docstring)."""

    year: int
    previous_year: int | None
    top_n: int
    n_ranked: int
    ranking: RankingAnalysis | None
    leaders: tuple[SubIndexLeaders, ...]
    risers: tuple[CityRef, ...]
    rise_by: dict[str, int]
    new_entries: tuple[CityRef, ...]
    potential: PotentialCities | None
    potential_rule: PotentialRule
    aggregates: Aggregates | None
    region_va: tuple[RegionValueAdded, ...] | None
    list_counts: tuple[ListCount, ...]
    list_tops: tuple[ListTop, ...]
    centres: tuple[NamedEntries, ...]
    clusters: tuple[NamedEntries, ...]
    gaps: tuple[GapSummary, ...]
    profiles: tuple[CityDiagnosis, ...]
    primacy: dict[str, float]
    min_gain: int
    strength_rule: str
    panel: PanelChange | None
    """Change of the panel-normalised index (the "index rose" statements; ranks use the yearly index)."""
    context: pd.DataFrame = field(repr=False, compare=False)
    """Ranked units × ``va, va_prev, gdp, gdp_prev, population, growth, share, share_prev`` (NaN: absent)."""

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict (the context frame left out)."""
        out: dict[str, Any] = {}
        for k in self.__dataclass_fields__:
            if k == "context":
                continue
            v = getattr(self, k)
            out[k] = v.to_dict() if isinstance(v, RankingAnalysis) else to_jsonable(v)
        return out


# ------------------------------------------------------------------------------------------- helpers


def _float(x: Any) -> float:
    return float(x)


def _int(x: Any) -> int:
    return int(x)


def _ref(table: pd.DataFrame, code: str) -> CityRef:
    return CityRef(str(code), str(table.at[code, "name"]), _int(table.at[code, "rank"]))


def _refs(table: pd.DataFrame, codes: pd.Index | list[str]) -> tuple[CityRef, ...]:
    return tuple(sorted((_ref(table, str(c)) for c in codes), key=lambda r: r.rank))


def _year_values(run: RunData, variable: str, year: int | None) -> pd.Series | None:
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
        s = _year_values(run, var, yr)
        cols[name] = s.reindex(idx) if s is not None else pd.Series(np.nan, index=idx)
    out = pd.DataFrame(cols, index=idx, dtype=float)
    out["growth"] = out["va"] / out["va_prev"] - 1.0
    out["share"] = out["va"] / out["gdp"]
    out["share_prev"] = out["va_prev"] / out["gdp_prev"]
    return out


def _va_proxy(run: RunData) -> tuple[str, str]:
    try:
        node = run.framework.find(VA)
    except KeyError:
        return "第二产业增加值", "代替工业增加值"
    proxy = node.proxy if isinstance(node, Indicator) and node.proxy else ""
    return node.name_zh or "第二产业增加值", proxy


# ------------------------------------------------------------------------------------------- parts


def subindex_leaders(run: RunData, k: int = 10) -> tuple[SubIndexLeaders, ...]:
    """The top ``k`` of every dimension (children of the root), with the names from the framework."""
    t = run.table
    out: list[SubIndexLeaders] = []
    for child in run.framework.root.children:
        if f"{child.id}_rank" not in t.columns:
            continue
        r = t[f"{child.id}_rank"]
        # assign before filtering: assigning to an empty frame would take r's index (all NA rows)
        rows = t.assign(_r=r)[(r.notna() & (r <= k)).astype(bool)].sort_values(["_r", "rank"])
        out.append(
            SubIndexLeaders(
                id=child.id,
                name_zh=child.name_zh or child.id,
                name_en=child.name_en or child.id,
                cities=tuple(CityRef(str(c), str(x["name"]), int(x["_r"])) for c, x in rows.iterrows()),
                scores=tuple(float(x[child.id]) for _, x in rows.iterrows()),
                in_top_n=int((rows["rank"] <= run.top_n).sum()),
            )
        )
    return tuple(out)


def aggregates(run: RunData, ctx: pd.DataFrame) -> Aggregates | None:
    """Aggregates of the top N (None without value added and GDP in the context dataset)."""
    va_all = _year_values(run, VA, run.year)
    gdp_all = _year_values(run, GDP, run.year)
    if va_all is None or gdp_all is None:
        return None
    t = top(run.table, run.top_n)
    c = ctx.loc[t.index]
    va_total = float(c["va"].sum())
    gdp_total = float(c["gdp"].sum())
    pop_all = _year_values(run, POP, run.year)
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
    va_prev_all = _year_values(run, VA, run.previous_year)
    growth_nat = None
    if va_prev_all is not None:
        both = pd.concat([va_all, va_prev_all], axis=1, keys=["cur", "prev"]).dropna()
        growth_nat = float(both["cur"].sum() / both["prev"].sum() - 1.0) if len(both) else None
    prev_c = c[["va_prev", "gdp_prev"]].dropna()
    label, proxy = _va_proxy(run)
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
        over_5000=_refs(t, c.index[c["va"] > 5000]),
        over_10000=_refs(t, c.index[c["va"] > 10000]),
        growth_national=growth_nat,
        above_national_growth=() if growth_nat is None else _refs(t, c.index[c["growth"] > growth_nat]),
        double_digit_growth=_refs(t, c.index[c["growth"] >= 0.10]),
        share_over_40=_refs(t, c.index[c["share"] > 0.40]),
        share_over_50=_refs(t, c.index[c["share"] > 0.50]),
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


def _list_entries(run: RunData, list_id: str, year: int | None = None) -> pd.DataFrame | None:
    """Entries of a list up to the run's year (entries of unknown year, coded 0, always count)."""
    if run.dataset is None or list_id not in run.dataset.lists:
        return None
    e = run.dataset.lists[list_id]
    y = run.year if year is None else year
    e = e[e["year"] <= y].copy()
    e["code"] = e["code"].astype(str)
    return e


def list_counts(run: RunData) -> tuple[ListCount, ...]:
    """表12: entries of each list held by the top-N cities, by region, with shares."""
    t = top(run.table, run.top_n)
    out: list[ListCount] = []
    for list_id in REGION_LISTS:
        e = _list_entries(run, list_id)
        if e is None:
            continue
        mine = e[e["code"].isin(set(t.index))]
        region = t["region"].reindex(mine["code"]).to_numpy()
        counts = {r: int((region == r).sum()) for r in geo.REGION_ORDER}
        total = sum(counts.values())
        zh, en, _ = LISTS[list_id]
        out.append(
            ListCount(
                list_id=list_id,
                label_zh=zh,
                label_en=en,
                counts=counts,
                shares={r: (v / total if total else 0.0) for r, v in counts.items()},
                total=total,
                national_total=len(e),
                share_of_national=total / len(e) if len(e) else 0.0,
            )
        )
    return tuple(out)


def _top_k(t: pd.DataFrame, counts: pd.Series, k: int) -> tuple[RankedValue, ...]:
    s = counts.reindex(t.index).fillna(0)
    s = s[s > 0]
    if s.empty:
        return ()
    order = pd.DataFrame({"v": s, "rank": t.loc[s.index, "rank"]}).sort_values(
        ["v", "rank"], ascending=[False, True]
    )
    kth = float(order["v"].iloc[min(k, len(order)) - 1])
    order = order[order["v"] >= kth]
    comp = order["v"].rank(method="min", ascending=False).astype(int)
    if len(order) > k + 2:  # a long tie at the boundary: keep the places above it (the table says so)
        above = order[comp < comp.max()]
        order = above if len(above) else order.head(k)
    return tuple(
        RankedValue(int(comp[c]), str(c), str(t.at[c, "name"]), _float(order.at[c, "v"])) for c in order.index
    )


def list_tops(run: RunData, k: int = 10) -> tuple[ListTop, ...]:
    """表6/8/9 analogues: the top ``k`` top-N cities by each list (cumulative, and the newest batch)."""
    t = top(run.table, run.top_n)
    out: list[ListTop] = []
    for list_id, (zh, en, unit) in LISTS.items():
        if list_id in ("innovation_centres", "advanced_clusters") and named_entries(run, "centres"):
            continue  # shown with their names (表5, 表10)
        e = _list_entries(run, list_id)
        if e is None or e.empty:
            continue
        counts = e.groupby("code").size().astype(float)
        out.append(
            ListTop(
                list_id,
                zh,
                en,
                unit,
                f"累计，截至{run.year}年",
                f"cumulative to {run.year}",
                _top_k(t, counts, k),
            )
        )
        if list_id in ("green_factories", "listed_manufacturers"):
            known = e[e["year"] > 0]
            if known.empty:
                continue
            latest = int(known["year"].max())
            new = known[known["year"] == latest].groupby("code").size().astype(float)
            out.append(
                ListTop(
                    list_id + "_new",
                    zh,
                    en,
                    unit,
                    f"{latest}年新增，数据中最新一批",
                    f"new in {latest} (latest batch in the data)",
                    _top_k(t, new, k),
                )
            )
    return tuple(out)


def named_entries(run: RunData, kind: str) -> tuple[NamedEntries, ...]:
    """表5 (kind ``centres``) / 表10 (``clusters``): top-N cities with the names of their entries.

    Names come from the shipped national lists, so only for the embedded data.
    """
    from mfgindex.core import dataset as dataset_mod

    if run.dataset is None or run.dataset is not dataset_mod.default():
        return ()
    t = top(run.table, run.top_n)
    if kind == "centres":
        df = pd.read_csv(
            geo.data_path("national_lists", "manufacturing_innovation_centers_2022.csv"),
            dtype=str,
            keep_default_na=False,
        )
        year = pd.to_numeric(df["approved"].str[:4], errors="coerce").fillna(0)
        df = df[year <= run.year]
        pairs = [
            (str(r["adcode"]), str(r["center"]), "共建" if r["role"] == "co-builder" else "")
            for _, r in df.iterrows()
        ]
    else:
        df = pd.read_csv(
            geo.data_path("national_lists", "advanced_mfg_clusters_partial.csv"),
            dtype=str,
            keep_default_na=False,
        )
        year = pd.to_numeric(df["batch"].str[:4], errors="coerce").fillna(0)
        df = df[year <= run.year]
        pairs = [(str(r["member_adcode"]), str(r["cluster"]), str(r["field"])) for _, r in df.iterrows()]
    by_city: dict[str, list[tuple[str, str]]] = {}
    for code, name, detail in pairs:
        if code in t.index:
            by_city.setdefault(code, []).append((name, detail))
    rows = [NamedEntries(_ref(t, c), tuple(v)) for c, v in by_city.items()]
    rows.sort(key=lambda r: (-len(r.entries), r.city.rank))
    return tuple(rows)


def regional_gaps(run: RunData, ctx: pd.DataFrame) -> tuple[GapSummary, ...]:
    """CV and Theil (between/within regions) of the value-added proxy and of the index over ranked units."""
    out: list[GapSummary] = []
    t = run.table
    label, _ = _va_proxy(run)
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


def diagnose(run: RunData, code: str, k: int = 3) -> CityDiagnosis:
    """Dimension profile plus the ``k`` strongest and weakest indicators, by the one strengths/weaknesses
    rule (:mod:`mfgindex.analysis.strengths`) applied to the normalised indicators."""
    t = run.table
    dims = [c.id for c in run.framework.root.children if c.id in t.columns and f"{c.id}_rank" in t.columns]
    profile = city_profile(t, code, dims=dims, index_id=run.index_id)
    norm = run.normalised.reindex(t.index)
    overall = _int(t.at[code, "rank"])
    parent: dict[str, str] = {}
    for child in run.framework.root.children:
        if isinstance(child, Aggregate):
            for ind in run.framework.indicators():
                if any(n.id == ind.id for n in _walk(child)):
                    parent[ind.id] = child.id
    inds = {i.id: i for i in run.framework.indicators() if i.id in norm.columns}
    items = sw.standings(norm[list(inds)], t["rank"], code)

    def position(s: sw.Standing) -> IndicatorPosition:
        ind = inds[s.item]
        return IndicatorPosition(
            indicator=ind.id,
            name_zh=ind.name_zh or ind.id,
            name_en=ind.name_en or ind.id,
            dimension=parent.get(ind.id, ""),
            rank=s.rank,
            rank_vs_overall=overall - s.rank,
            normalised=s.score,
            tied=s.tied,
        )

    strong = [position(s) for s in sw.strengths(items)]
    weak = [position(s) for s in sw.weaknesses(items)]
    return CityDiagnosis(profile, tuple(strong[:k]), tuple(weak[:k]))


def _walk(node: Aggregate | Indicator) -> list[Aggregate | Indicator]:
    out: list[Aggregate | Indicator] = [node]
    if isinstance(node, Aggregate):
        for c in node.children:
            out.extend(_walk(c))
    return out


# ------------------------------------------------------------------------------------------- entry point


def analyze_run(
    run: RunData,
    n: int | None = None,
    min_gain: int = 3,
    potential_rule: PotentialRule | None = None,
    clusters: str = geo.DEFAULT_CLUSTER_DEFINITION,
    panel: bool = True,
) -> RunAnalysis:
    """Every run-mode analysis of ``run``.

    Parameters
    ----------
    run
        The run (:func:`~mfgindex.analysis.run.from_result` or :func:`~mfgindex.analysis.run.load_run_dir`).
    n
        Length of the list (default: the framework's ``top_n``, 50).
    min_gain
        Places gained for a "fastest riser" (METHODS.md §4: Δrank = rank_{t−1} − rank_t ≥ 3).
    potential_rule
        Rule for 发展潜力城市 (default: places N+1…2N, the 10 with the largest rank gain).
    clusters
        城市群 definition.
    panel
        Compute the panel-normalised index change (one more evaluation of both years; the report's
        "index rose" statement needs it, the Excel report sheets do not).
    """
    if n is not None and n != run.top_n:
        run = replace(run, framework=run.framework.model_copy(update={"top_n": n}))
    n = run.top_n
    t = run.table
    ctx = context_frame(run)
    rule = potential_rule or PotentialRule(first=n + 1, last=2 * n, index_id=run.index_id)
    prim: pd.Series | None = None
    va_all = _year_values(run, VA, run.year)
    if run.is_cities and va_all is not None:
        prim = primacy(va_all)
    ranking = (
        analyze_ranking(t, n=n, clusters=clusters, primacy=prim, min_gain=min_gain) if run.is_cities else None
    )
    tn = top(t, n)
    rise_by: dict[str, int] = {}
    risers: tuple[CityRef, ...] = ()
    if "prev_rank" in tn.columns:
        gain = (tn["prev_rank"] - tn["rank"]).dropna()
        sel = gain[gain >= min_gain]
        order = sorted(sel.index, key=lambda c: (-int(sel[c]), _int(tn.at[c, "rank"])))
        risers = tuple(_ref(tn, str(c)) for c in order)
        rise_by = {str(c): int(sel[c]) for c in order}
    change = tn["change"] if "change" in tn.columns else pd.Series("", index=tn.index)
    new_entries = _refs(tn, tn.index[change == "new"])
    try:
        potential: PotentialCities | None = potential_cities(t, rule)
    except ValueError:
        potential = None
    agg = aggregates(run, ctx) if run.is_cities else None
    return RunAnalysis(
        year=run.year,
        previous_year=run.previous_year,
        top_n=n,
        n_ranked=len(t),
        ranking=ranking,
        leaders=subindex_leaders(run),
        risers=risers,
        rise_by=rise_by,
        new_entries=new_entries,
        potential=potential,
        potential_rule=rule,
        aggregates=agg,
        region_va=region_value_added(run, ctx) if run.is_cities else None,
        list_counts=list_counts(run) if run.is_cities else (),
        list_tops=list_tops(run),
        centres=named_entries(run, "centres"),
        clusters=named_entries(run, "clusters"),
        gaps=regional_gaps(run, ctx) if run.is_cities else (),
        profiles=tuple(diagnose(run, str(c)) for c in tn.index),
        primacy={} if prim is None else {str(k): float(v) for k, v in prim.dropna().items() if k in tn.index},
        min_gain=min_gain,
        strength_rule=sw.rule_text(),
        panel=panel_change(run) if panel and run.previous_year is not None else None,
        context=ctx,
    )
