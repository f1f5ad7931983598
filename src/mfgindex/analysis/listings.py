"""Entries of the national lists held by the ranked cities: counts by region (表12), the top cities by
a list count, and the named innovation centres and clusters of the top N (表5, 表10 analogues).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

import pandas as pd

from mfgindex.analysis.distribution import CityRef, city_ref
from mfgindex.analysis.run import RunData
from mfgindex.analysis.table import top
from mfgindex.core import geo

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
    values: pd.Series = order["v"]
    return tuple(
        RankedValue(int(comp[c]), str(c), str(t.at[c, "name"]), float(values[c])) for c in order.index
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


@dataclass(frozen=True)
class _NamedList:
    """A shipped national list with named entries: its file and the columns read."""

    file: str
    year: str  # the column whose first four characters are the year of the entry
    code: str
    name: str
    detail: Callable[[pd.DataFrame], Iterable[str]]


NAMED_LISTS: dict[str, _NamedList] = {
    "centres": _NamedList(
        "manufacturing_innovation_centers_2022.csv",
        "approved",
        "adcode",
        "center",
        lambda df: ["共建" if role == "co-builder" else "" for role in df["role"]],
    ),
    "clusters": _NamedList(
        "advanced_mfg_clusters_partial.csv", "batch", "member_adcode", "cluster", lambda df: df["field"]
    ),
}


def named_entries(run: RunData, kind: str) -> tuple[NamedEntries, ...]:
    """表5 (kind ``centres``) / 表10 (``clusters``): top-N cities with the names of their entries.

    Names come from the shipped national lists, so only for the embedded data.
    """
    from mfgindex.core import dataset as dataset_mod

    if run.dataset is None or run.dataset is not dataset_mod.default():
        return ()
    t = top(run.table, run.top_n)
    spec = NAMED_LISTS[kind]
    df = pd.read_csv(geo.data_path("national_lists", spec.file), dtype=str, keep_default_na=False)
    df = df[pd.to_numeric(df[spec.year].str[:4], errors="coerce").fillna(0) <= run.year]
    by_city: dict[str, list[tuple[str, str]]] = {}
    for code, name, detail in zip(df[spec.code], df[spec.name], spec.detail(df), strict=True):
        if str(code) in t.index:
            by_city.setdefault(str(code), []).append((str(name), str(detail)))
    rows = [NamedEntries(city_ref(t, c), tuple(v)) for c, v in by_city.items()]
    rows.sort(key=lambda r: (-len(r.entries), r.city.rank))
    return tuple(rows)
