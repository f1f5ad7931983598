"""梯队: the ranking cut into rank bands — the top 10, the rest of the top N, the next N (the band the report
searches for 发展潜力城市) and everyone else — with each band's size, index range and mean, and its cities by
region."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from mfgindex.analysis.distribution import CityRef
from mfgindex.core.geo import REGION_ORDER

NAMES_ZH = ("第一梯队", "第二梯队", "第三梯队", "第四梯队")
NAMES_EN = ("Tier 1", "Tier 2", "Tier 3", "Tier 4")


@dataclass(frozen=True)
class Tier:
    """One rank band of the ranking."""

    name_zh: str
    name_en: str
    first: int
    """Best rank of the band (1-based, inclusive)."""
    last: int | None
    """Worst rank of the band (inclusive); None for the open last band."""
    count: int
    index_max: float
    index_min: float
    index_mean: float
    regions: dict[str, int]
    """Cities of the band by the four regions (东部, 中部, 西部, 东北; zero counts kept)."""
    cities: tuple[CityRef, ...]


def tier_bounds(n: int, ranked: int) -> tuple[tuple[int, int | None], ...]:
    """Bands for a top-``n`` list: 1–10, 11–n, n+1–2n, the rest (bands that would be empty are dropped)."""
    bands: list[tuple[int, int | None]] = [
        (1, min(10, n)),
        (min(10, n) + 1, n),
        (n + 1, 2 * n),
        (2 * n + 1, None),
    ]
    return tuple((a, b) for a, b in bands if a <= ranked and (b is None or b >= a))


def tiers(table: pd.DataFrame, n: int, index_col: str = "index") -> tuple[Tier, ...]:
    """The ranking ``table`` (``rank``, ``name``, ``region`` and the index column) in 梯队 by rank."""
    ranked = table[table["rank"].notna()].sort_values("rank")
    out = []
    for i, (first, last) in enumerate(tier_bounds(n, len(ranked))):
        rank = ranked["rank"].astype(int)
        rows = ranked[(rank >= first) & ((rank <= last) if last is not None else True)]
        if rows.empty:
            continue
        scores = rows[index_col].astype(float)
        region = rows["region"] if "region" in rows.columns else pd.Series("", index=rows.index)
        out.append(
            Tier(
                name_zh=NAMES_ZH[i],
                name_en=NAMES_EN[i],
                first=first,
                last=last,
                count=len(rows),
                index_max=float(scores.max()),
                index_min=float(scores.min()),
                index_mean=float(scores.mean()),
                regions={r: int((region == r).sum()) for r in REGION_ORDER},
                cities=tuple(CityRef(str(c), str(r["name"]), int(r["rank"])) for c, r in rows.iterrows()),
            )
        )
    return tuple(out)
