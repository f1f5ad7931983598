"""Imputation of missing indicator values; every imputed cell is flagged.

References
----------
OECD/JRC (2008) Handbook, §4. COINr ``i_mean``, ``i_median``, ``i_mean_grp``, ``i_median_grp``: the
mean/median of the indicator over all units, or over the units of the same group; a unit whose group has
no value stays missing.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence

import numpy as np
import numpy.typing as npt
import pandas as pd

from mfgindex.core.framework import ImputeMethod

Array = npt.NDArray[np.float64]
Bools = npt.NDArray[np.bool_]


def _fill(x: Array, method: ImputeMethod) -> Array:
    """Each column's mean or median over its present values (NaN for a column without any)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # an all-missing column: NaN, nothing to fill
        if method in (ImputeMethod.mean, ImputeMethod.group_mean):
            present = ~np.isnan(x)
            with np.errstate(invalid="ignore", divide="ignore"):
                return np.asarray(
                    np.where(present, x, 0.0).sum(axis=0) / present.sum(axis=0), dtype=np.float64
                )
        return np.asarray(np.nanmedian(x, axis=0), dtype=np.float64)


def impute_values(
    x: Array,
    method: ImputeMethod,
    groups: npt.ArrayLike | None = None,
    history: Sequence[Array] = (),
) -> tuple[Array, Bools]:
    """:func:`impute` on a ``(units, k)`` array: ``groups`` one label per unit (missing: no group),
    ``history`` earlier years' arrays of the same units and columns, most recent first."""
    x = np.asarray(x, dtype=np.float64)
    missing = np.isnan(x)
    if method is ImputeMethod.none or not missing.any():
        return x.copy(), np.zeros(x.shape, dtype=bool)
    out = x.copy()
    if method in (ImputeMethod.mean, ImputeMethod.median):
        out = np.where(missing, _fill(x, method)[None, :], x)
    elif method in (ImputeMethod.group_mean, ImputeMethod.group_median):
        if groups is None:
            raise ValueError("group imputation needs a grouping column")
        codes, _ = pd.factorize(pd.Series(groups, dtype=object).to_numpy(), use_na_sentinel=True)
        for g in range(int(codes.max(initial=-1)) + 1):
            rows = np.flatnonzero(codes == g)
            block = x[rows]
            out[rows] = np.where(np.isnan(block), _fill(block, method)[None, :], block)
    elif method is ImputeMethod.last_year:
        for earlier in history:
            out = np.where(np.isnan(out), earlier, out)
    else:  # pragma: no cover
        raise ValueError(method)
    return out, missing & ~np.isnan(out)


def impute(
    frame: pd.DataFrame,
    method: ImputeMethod,
    groups: pd.Series | None = None,
    history: list[pd.DataFrame] | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Return (imputed frame, imputed flags). ``history`` = earlier years' frames, most recent first."""
    group_labels = None if groups is None else groups.reindex(frame.index).to_numpy(dtype=object)
    earlier = [
        h.reindex(index=frame.index, columns=frame.columns).to_numpy(dtype=np.float64) for h in history or []
    ]
    out, flags = impute_values(frame.to_numpy(dtype=np.float64), method, group_labels, earlier)
    return (
        pd.DataFrame(out, index=frame.index, columns=frame.columns),
        pd.DataFrame(flags, index=frame.index, columns=frame.columns),
    )
