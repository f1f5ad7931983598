"""Imputation of missing indicator values; every imputed cell is flagged.

References
----------
OECD/JRC (2008) Handbook, §4. COINr ``i_mean``, ``i_median``, ``i_mean_grp``, ``i_median_grp``: the
mean/median of the indicator over all units, or over the units of the same group; a unit whose group has
no value stays missing.
"""

from __future__ import annotations

import pandas as pd

from mfgindex.core.framework import ImputeMethod


def impute(
    frame: pd.DataFrame,
    method: ImputeMethod,
    groups: pd.Series | None = None,
    history: list[pd.DataFrame] | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Return (imputed frame, imputed flags). ``history`` = earlier years' frames, most recent first."""
    missing = frame.isna()
    if method is ImputeMethod.none:
        return frame.copy(), missing & False
    if method is ImputeMethod.mean:
        out = frame.fillna(frame.mean())
    elif method is ImputeMethod.median:
        out = frame.fillna(frame.median())
    elif method in (ImputeMethod.group_mean, ImputeMethod.group_median):
        if groups is None:
            raise ValueError("group imputation needs a grouping column")
        grouped = frame.groupby(groups.reindex(frame.index))
        fill = grouped.transform("mean") if method is ImputeMethod.group_mean else grouped.transform("median")
        out = frame.fillna(fill)
    elif method is ImputeMethod.last_year:
        out = frame.copy()
        for earlier in history or []:
            out = out.fillna(earlier.reindex(index=out.index, columns=out.columns))
    else:  # pragma: no cover
        raise ValueError(method)
    return out, missing & out.notna()
