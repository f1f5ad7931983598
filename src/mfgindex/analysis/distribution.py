"""Where the top N are: by region, province and 城市群 (provincial capitals: :mod:`.capitals`); what changed
from last year.

Every function takes a ranking table (see :mod:`mfgindex.analysis.table`) and returns frozen dataclasses
of plain Python values (``to_dict()`` gives JSON). These are the counts of the seed report's sections
二(一) and 二(二) (CAICT 2023).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

import pandas as pd

from mfgindex.analysis.table import top
from mfgindex.core import geo


@dataclass(frozen=True)
class CityRef:
    """A city in a finding: adcode, name and national rank."""

    code: str
    name: str
    rank: int


def city_ref(table: pd.DataFrame, code: str) -> CityRef:
    """The unit ``code`` of a ranking table as a :class:`CityRef`."""
    rank: Any = table.at[code, "rank"]
    return CityRef(str(code), str(table.at[code, "name"]), int(rank))


def city_refs(table: pd.DataFrame, codes: pd.Index | list[str]) -> tuple[CityRef, ...]:
    """The units ``codes`` of a ranking table, by rank."""
    return tuple(sorted((city_ref(table, str(c)) for c in codes), key=lambda r: r.rank))


def _refs(rows: pd.DataFrame) -> tuple[CityRef, ...]:
    return tuple(
        CityRef(str(c), str(r["name"]), int(r["rank"])) for c, r in rows.sort_values("rank").iterrows()
    )


def _n_in(rows: pd.DataFrame, k: int) -> int:
    return int((rows["rank"] <= k).sum())


# ---------------------------------------------------------------- regions


@dataclass(frozen=True)
class RegionCount:
    """One of the four regions in the top N."""

    region: str
    top10: int
    top20: int
    topN: int
    share_of_list: float
    units_in_region: int
    """Prefecture-level units of the region (municipalities excluded, as the report's denominator)."""
    share_of_units: float
    new: int
    """Cities of the region new to the top N (``change == new``)."""
    previous_topN: int | None
    """Count in last year's top N when previous ranks of all cities are known, else None."""
    best: CityRef | None
    cities: tuple[CityRef, ...]


def region_distribution(table: pd.DataFrame, n: int = 50) -> tuple[RegionCount, ...]:
    """Counts of the top ``n`` by the four NBS regions, in the top 10, 20 and ``n`` (东-中-西-东北 order).

    ``share_of_units`` divides by the number of prefecture-level units in the region (the report's
    "占东部 86 个地级行政区比重"; the shipped divisions have 85, see tests). ``previous_topN`` is filled only
    when the table holds every city with ``prev_rank`` (a run), because a published top N does not list
    the cities that dropped out.
    """
    t = top(table, n)
    units = geo.units()
    ranked_units = units[units["unit_type"] != "municipality"]
    full_prev = "prev_rank" in table.columns and len(table) > n and table["prev_rank"].notna().any()
    out: list[RegionCount] = []
    for region in geo.REGION_ORDER:
        rows = t[t["region"] == region]
        n_units = int((ranked_units["region"] == region).sum())
        prev: int | None = None
        if full_prev:
            prev = int(((table["region"] == region) & (table["prev_rank"] <= n)).sum())
        refs = _refs(rows)
        out.append(
            RegionCount(
                region=region,
                top10=_n_in(rows, 10),
                top20=_n_in(rows, 20),
                topN=len(rows),
                share_of_list=len(rows) / len(t) if len(t) else 0.0,
                units_in_region=n_units,
                share_of_units=len(rows) / n_units if n_units else 0.0,
                new=int((rows.get("change", pd.Series(dtype=object)) == "new").sum()),
                previous_topN=prev,
                best=refs[0] if refs else None,
                cities=refs,
            )
        )
    return tuple(out)


# ---------------------------------------------------------------- provinces


@dataclass(frozen=True)
class ProvinceCount:
    """One province's entries in the top N."""

    province: str
    region: str
    count: int
    top10: int
    top20: int
    best: CityRef
    """The province's best-ranked city in the list."""
    first_city: CityRef
    """The city ranked first in the province (province_rank 1 when given; else the best listed city)."""
    up: int
    down: int
    same: int
    new: int
    all_improved: bool
    """Every entry rose or is new (the report's "入围城市均实现位次提升")."""
    majority_improved: bool
    """More than half of the entries rose or are new ("超过半数的入围城市较上年名次有所进步")."""
    cities: tuple[CityRef, ...]


@dataclass(frozen=True)
class ProvinceDistribution:
    """Top N by province."""

    provinces: tuple[ProvinceCount, ...]
    """Listed provinces, by count (desc), then best rank."""
    unlisted: tuple[str, ...]
    """Provinces (municipalities excluded) with no city in the list."""

    @property
    def counts(self) -> dict[str, int]:
        """Province → number of cities."""
        return {p.province: p.count for p in self.provinces}


def province_distribution(table: pd.DataFrame, n: int = 50) -> ProvinceDistribution:
    """Counts of the top ``n`` by province, with the best and first city and last year's movement.

    "Improved" counts ``up`` and ``new`` (a city entering the list has risen); without a ``change``
    column the movement fields are 0 / False.
    """
    t = top(table, n)
    change = t["change"] if "change" in t.columns else pd.Series("", index=t.index)
    out: list[ProvinceCount] = []
    for province, rows in t.groupby("province", sort=False):
        refs = _refs(rows)
        ch = change.loc[rows.index]
        improved = int(((ch == "up") | (ch == "new")).sum())
        first = refs[0]
        if "province_rank" in rows.columns:
            firsts = rows[rows["province_rank"] == 1]
            if len(firsts):
                first = _refs(firsts)[0]
        out.append(
            ProvinceCount(
                province=str(province),
                region=str(rows["region"].iloc[0]),
                count=len(rows),
                top10=_n_in(rows, 10),
                top20=_n_in(rows, 20),
                best=refs[0],
                first_city=first,
                up=int((ch == "up").sum()),
                down=int((ch == "down").sum()),
                same=int((ch == "same").sum()),
                new=int((ch == "new").sum()),
                all_improved=bool("change" in t.columns and improved == len(rows)),
                majority_improved=bool("change" in t.columns and improved > len(rows) / 2),
                cities=refs,
            )
        )
    out.sort(key=lambda p: (-p.count, p.best.rank))
    listed = {p.province for p in out}
    provs = geo.provinces()
    municipal = set(geo.units().loc[geo.units()["unit_type"] == "municipality", "province"])
    order = list(provs.index)
    unlisted = tuple(p for p in order if p not in listed and p not in municipal)
    return ProvinceDistribution(tuple(out), unlisted)


# ---------------------------------------------------------------- 城市群


@dataclass(frozen=True)
class ClusterCount:
    """One 城市群's entries in the top N."""

    cluster_id: str
    cluster: str
    count: int
    top10: int
    top20: int
    share_of_list: float
    share_of_top10: float
    """Share of the top-10 places held by the cluster (the report's "前 10 强的比重")."""
    share_of_top20: float
    members: int
    cities: tuple[CityRef, ...]


@dataclass(frozen=True)
class ClusterDistribution:
    """Top N by 城市群 under a named membership definition (METHODS.md §4)."""

    definition: str
    definition_zh: str
    clusters: tuple[ClusterCount, ...]
    """Clusters with at least one city in the list, by count (desc)."""
    major_min_count: int
    major: tuple[str, ...]
    """Clusters with at least ``major_min_count`` cities (the report's main clusters)."""
    major_total: int
    """Distinct cities in the major clusters (a city in two clusters is counted once)."""
    major_share: float
    outside: tuple[CityRef, ...]
    """Listed cities in no national-plan 城市群."""

    @property
    def counts(self) -> dict[str, int]:
        """城市群 name → number of cities."""
        return {c.cluster: c.count for c in self.clusters}


def cluster_distribution(
    table: pd.DataFrame,
    n: int = 50,
    definition: str = geo.DEFAULT_CLUSTER_DEFINITION,
    major_min_count: int = 5,
) -> ClusterDistribution:
    """Counts of the top ``n`` by 城市群.

    Parameters
    ----------
    table
        Ranking table.
    n
        List length.
    definition
        Membership definition in :data:`mfgindex.core.geo.CLUSTER_DEFINITIONS` (``caict2023`` uses the 27-city
        长三角中心区 whose count matches the report; ``plans2016`` the 26-city 2016 plan).
    major_min_count
        A cluster with at least this many listed cities is "major"; the report's four (长三角, 山东半岛,
        长江中游, 粤港澳) are those with ≥ 5 in 2023.
    """
    t = top(table, n)
    membership = geo.cluster_membership(definition)
    out: list[ClusterCount] = []
    for (cid, name), mem in membership.groupby(["cluster_id", "cluster_zh"], sort=False):
        rows = t[t.index.isin(set(mem["code"]))]
        if rows.empty:
            continue
        out.append(
            ClusterCount(
                cluster_id=str(cid),
                cluster=str(name),
                count=len(rows),
                top10=_n_in(rows, 10),
                top20=_n_in(rows, 20),
                share_of_list=len(rows) / len(t),
                share_of_top10=_n_in(rows, 10) / min(10, len(t)),
                share_of_top20=_n_in(rows, 20) / min(20, len(t)),
                members=int(mem["code"].nunique()),
                cities=_refs(rows),
            )
        )
    out.sort(key=lambda c: (-c.count, min((x.rank for x in c.cities), default=0)))
    major = tuple(c.cluster for c in out if c.count >= major_min_count)
    major_codes = set(membership.loc[membership["cluster_zh"].isin(major), "code"])
    major_total = int(t.index.isin(major_codes).sum())
    outside = t[~t.index.isin(set(membership["code"]))]
    return ClusterDistribution(
        definition=definition,
        definition_zh=geo.CLUSTER_DEFINITIONS[definition],
        clusters=tuple(out),
        major_min_count=major_min_count,
        major=major,
        major_total=major_total,
        major_share=major_total / len(t) if len(t) else 0.0,
        outside=_refs(outside),
    )


# ---------------------------------------------------------------- change from last year


@dataclass(frozen=True)
class Changes:
    """Movement within the top N from the previous year."""

    new_entries: tuple[CityRef, ...]
    up: tuple[CityRef, ...]
    down: tuple[CityRef, ...]
    same: tuple[CityRef, ...]
    risers: tuple[CityRef, ...] | None
    """Cities with Δrank = prev − current ≥ ``min_gain`` (None when previous ranks are unknown)."""
    rise_by: dict[str, int] = field(default_factory=dict)
    """Δrank by adcode for the risers with a known previous rank."""
    min_gain: int = 3
    include_new: bool = True


def changes(table: pd.DataFrame, n: int = 50, min_gain: int = 3, include_new: bool = True) -> Changes:
    """New entries, risers (Δrank ≥ ``min_gain``, METHODS.md §4) and the up/down/same lists.

    Parameters
    ----------
    table
        Ranking table with ``change`` and/or ``prev_rank``.
    n
        List length.
    min_gain
        Minimum rise in places for a "fastest riser" (report: 3).
    include_new
        Count new entries as risers: the report's 12 "进步最快" cities include the three new ones (盐城,
        漳州, 太原), whose previous rank was outside the list.
    """
    t = top(table, n)
    ch = t["change"] if "change" in t.columns else pd.Series("", index=t.index)
    risers: tuple[CityRef, ...] | None = None
    rise_by: dict[str, int] = {}
    if "prev_rank" in t.columns and t["prev_rank"].notna().any():
        gain = t["prev_rank"] - t["rank"]
        sel = gain >= min_gain
        if include_new:
            sel = sel | (ch == "new") | t["prev_rank"].isna()
        rows = t[sel.fillna(False).astype(bool)].copy()
        rows["_gain"] = gain.reindex(rows.index)
        rows = rows.sort_values(["_gain", "rank"], ascending=[False, True], na_position="last")
        risers = tuple(CityRef(str(c), str(r["name"]), int(r["rank"])) for c, r in rows.iterrows())
        rise_by = {str(c): int(v) for c, v in rows["_gain"].dropna().items()}
    return Changes(
        new_entries=_refs(t[ch == "new"]),
        up=_refs(t[ch == "up"]),
        down=_refs(t[ch == "down"]),
        same=_refs(t[ch == "same"]),
        risers=risers,
        rise_by=rise_by,
        min_gain=min_gain,
        include_new=include_new,
    )


# ---------------------------------------------------------------- sub-index leaders


def score_columns(table: pd.DataFrame) -> list[str]:
    """Ids ``x`` with both ``x`` and ``x_rank`` columns (aggregates of a run), in column order."""
    skip = {"rank", "province", "prev", "name", "region", "code"}
    return [
        c
        for c in table.columns
        if f"{c}_rank" in table.columns and c not in skip and pd.api.types.is_numeric_dtype(table[c])
    ]


def subindex_top(
    table: pd.DataFrame, ids: list[str] | None = None, k: int = 10
) -> dict[str, tuple[CityRef, ...]]:
    """The top ``k`` of every sub-index (by its ``<id>_rank``), over all cities of the table.

    ``ids`` default to :func:`score_columns`. The returned ``CityRef.rank`` is the sub-index rank.
    """
    out: dict[str, tuple[CityRef, ...]] = {}
    for sid in ids if ids is not None else score_columns(table):
        r = table[f"{sid}_rank"]
        # assign before filtering: assigning to an empty frame would take r's index (all NA rows)
        rows = table.assign(_r=r)[(r.notna() & (r <= k)).astype(bool)].sort_values("_r")
        out[sid] = tuple(CityRef(str(c), str(x["name"]), int(x["_r"])) for c, x in rows.iterrows())
    return out


def to_jsonable(obj: Any) -> Any:
    """Dataclasses, tuples, numpy scalars → JSON-ready Python values."""
    if hasattr(obj, "__dataclass_fields__"):
        return {k: to_jsonable(v) for k, v in asdict(obj).items()}
    if isinstance(obj, dict):
        return {str(k): to_jsonable(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [to_jsonable(v) for v in obj]
    if hasattr(obj, "item") and not isinstance(obj, str):
        return obj.item()
    if isinstance(obj, float) and obj != obj:
        return None
    return obj
