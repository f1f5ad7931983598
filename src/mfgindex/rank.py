"""Rankings: competition ranks (ties share the lower rank: 1, 2, 2, 4), provincial ranks, rank change."""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.stats import rankdata


def competition_rank(scores: pd.Series) -> pd.Series:
    """Rank 1 = highest score; ties share the best rank ("min"); NaN scores get no rank."""
    values = scores.to_numpy(dtype=np.float64)
    r = rankdata(-values, method="min", nan_policy="omit")
    out = pd.Series(np.where(np.isnan(values), np.nan, r), index=scores.index)
    return out.astype("Int64")


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
    """Δrank = previous − current (positive = up) and a label: up / down / same / new (outside the top N before)."""
    prev = prev_rank.reindex(rank.index)
    delta = (prev - rank).astype("Int64")
    label = pd.Series("same", index=rank.index, dtype="object")
    label[delta > 0] = "up"
    label[delta < 0] = "down"
    label[prev.isna() | (prev > top_n)] = "new"
    label[rank.isna()] = pd.NA
    return delta, label


ARROWS = {"up": "↑", "down": "↓", "same": "—", "new": "新增"}
