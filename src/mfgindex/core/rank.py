"""Rankings: competition ranks (ties share the lower rank: 1, 2, 2, 4), provincial ranks, rank change."""

from __future__ import annotations

import numpy as np
import pandas as pd


def competition_rank(scores: pd.Series) -> pd.Series:
    """Rank 1 = highest score; ties share the best rank ("min"); NaN scores get no rank."""
    return scores.astype(np.float64).rank(method="min", ascending=False, na_option="keep").astype("Int64")


def province_rank(scores: pd.Series, province: pd.Series, abbr: pd.Series) -> pd.Series:
    """Provincial rank labels in the report's style (苏1), from competition ranks within each province."""
    out = pd.Series(pd.NA, index=scores.index, dtype="object")
    for _, idx in province.groupby(province).groups.items():
        ranks = competition_rank(scores.loc[idx])
        for code, r in ranks.items():
            if pd.notna(r):
                out.at[code] = f"{abbr.at[code]}{int(r)}"
    return out


def rank_change(rank: pd.Series, prev_rank: pd.Series, top_n: int) -> tuple[pd.Series, pd.Series]:
    """Δrank = previous − current (positive = up) and a label: up / down / same / new.

    ``new`` marks a unit that was outside the top N (or unranked) in the previous year.
    """
    prev = prev_rank.reindex(rank.index)
    delta = (prev - rank).astype("Int64")
    up = (delta > 0).fillna(False).to_numpy(dtype=bool)
    down = (delta < 0).fillna(False).to_numpy(dtype=bool)
    new = (prev.isna() | (prev > top_n)).fillna(True).to_numpy(dtype=bool)
    values = np.select([new, up, down], ["new", "up", "down"], "same").astype(object)
    values[rank.isna().to_numpy(dtype=bool)] = None
    return delta, pd.Series(values, index=rank.index, dtype="object")


ARROWS = {"up": "↑", "down": "↓", "same": "—", "new": "新增"}
