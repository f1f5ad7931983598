"""Provincial capitals (省会首位度): each capital's rank and its share of its province's value added
(primacy), as the seed report's 表 on capitals."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from mfgindex.analysis.table import top
from mfgindex.core import geo


@dataclass(frozen=True)
class CapitalEntry:
    """A provincial capital in the list."""

    code: str
    name: str
    province: str
    region: str
    rank: int
    province_rank: int | None
    first_in_province: bool
    primacy: float | None
    """Industrial VA of the city / industrial VA of its province, as a fraction (None when not given)."""


@dataclass(frozen=True)
class CapitalSummary:
    """Provincial capitals in the top N (the report's 二(二) "中西部省会经济首位度较高")."""

    provinces_in_list: int
    capitals_in_list: int
    capitals_first_in_province: int
    capitals: tuple[CapitalEntry, ...]
    missing: tuple[str, ...]
    """Listed provinces whose capital is not in the list (capital names)."""
    primacy_threshold: float
    above_threshold: tuple[str, ...]
    """Capitals whose primacy exceeds ``primacy_threshold`` (by primacy, desc)."""


def capitals(
    table: pd.DataFrame,
    n: int = 50,
    primacy: pd.Series | None = None,
    primacy_threshold: float = 0.20,
) -> CapitalSummary:
    """Provincial capitals in the top ``n``: how many, how many first in their province, 首位度.

    Parameters
    ----------
    table
        Ranking table; ``province_rank`` decides "first in province" when present (else the rank among
        the listed cities of the province).
    n
        List length.
    primacy
        Optional 首位度 by adcode as a fraction (see :func:`primacy`).
    primacy_threshold
        Threshold for ``above_threshold`` (report: 20 %).
    """
    t = top(table, n)
    units = geo.units()
    caps = t[t["is_capital"].astype(bool)]
    entries: list[CapitalEntry] = []
    for code, r in caps.iterrows():
        prank = r.get("province_rank")
        prank_int = int(prank) if prank is not None and pd.notna(prank) else None
        if prank_int is None:
            prov_rows = t[t["province"] == r["province"]]
            first = int(r["rank"]) == int(prov_rows["rank"].min())
        else:
            first = prank_int == 1
        pv_raw = None if primacy is None else primacy.get(str(code))
        pv = None if pv_raw is None or pd.isna(pv_raw) else float(pv_raw)
        entries.append(
            CapitalEntry(
                code=str(code),
                name=str(r["name"]),
                province=str(r["province"]),
                region=str(r["region"]),
                rank=int(r["rank"]),
                province_rank=prank_int,
                first_in_province=bool(first),
                primacy=pv,
            )
        )
    provinces = list(dict.fromkeys(t["province"]))
    capital_of = units[units["is_capital"]].set_index("province")["name"]
    have = {e.province for e in entries}
    missing = tuple(str(capital_of[p]) for p in provinces if p not in have and p in capital_of.index)
    above = sorted(
        (e for e in entries if e.primacy is not None and e.primacy > primacy_threshold),
        key=lambda e: -(e.primacy or 0),
    )
    return CapitalSummary(
        provinces_in_list=len(provinces),
        capitals_in_list=len(entries),
        capitals_first_in_province=sum(e.first_in_province for e in entries),
        capitals=tuple(entries),
        missing=missing,
        primacy_threshold=primacy_threshold,
        above_threshold=tuple(e.name for e in above),
    )


def primacy(city_va: pd.Series, province_va: pd.Series | None = None) -> pd.Series:
    """首位度: industrial VA of a city / industrial VA of its province (METHODS.md §4).

    Parameters
    ----------
    city_va
        Industrial value added by adcode.
    province_va
        Industrial value added by province short name (江苏). When None, the province total is the sum of
        ``city_va`` over the province's cities (only right when ``city_va`` covers every city).

    Returns
    -------
    pandas.Series
        Fraction by adcode (NaN where the province total is unknown or not positive).
    """
    prov_of = geo.units()["province"]
    provs = prov_of.reindex(city_va.index)
    totals = province_va if province_va is not None else city_va.groupby(provs).sum()
    denom = provs.map(totals).astype(float)
    out = city_va.astype(float) / denom.where(denom > 0)
    out.name = "primacy"
    return out
