"""Imputation of missing indicator values; every imputed cell is flagged.

References
----------
OECD/JRC (2008) Handbook, §4. COINr ``i_mean``, ``i_median``, ``i_mean_grp``, ``i_median_grp``: the
mean/median of the indicator over all units, or over the units of the same group; a unit whose group has
no value stays missing.
"""

from __future__ import annotations

import importlib
import warnings
from collections.abc import Callable, Sequence

import numpy as np
import numpy.typing as npt
import pandas as pd

from mfgindex.core.methods import ImputeMethod

Array = npt.NDArray[np.float64]
Bools = npt.NDArray[np.bool_]


def _fill(x: Array, method: ImputeMethod) -> Array:
    """Each column's mean or median over its present values (NaN for a column without any).

    The mean sums each column as one contiguous row with the missing values as 0, as pandas'
    ``DataFrame.mean`` does, so that the imputed values are the same to the last bit.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # an all-missing column: NaN, nothing to fill
        if method is ImputeMethod.mean:
            present = ~np.isnan(x)
            total = np.ascontiguousarray(np.where(present, x, 0.0).T).sum(axis=1)
            with np.errstate(invalid="ignore", divide="ignore"):
                return np.asarray(total / present.sum(axis=0), dtype=np.float64)
        return np.asarray(np.nanmedian(x, axis=0), dtype=np.float64)


def _group_means(x: Array, codes: npt.NDArray[np.intp], groups: int) -> Array:
    """Per group (rows) the mean of each column over its present values (NaN where a group has none), as
    pandas' grouped mean computes it (``DataFrame.groupby(codes).mean()``, units with code −1 left out),
    to the last bit, without building the frame and the grouper."""
    # pandas' grouped mean kernel (``DataFrame.groupby(codes).mean()`` runs it): the compensated (Kahan) sums
    # in the units' order, one call. A private function, not in the type stubs: looked up here, so that a
    # pandas without it fails this imputation only, not the package's import; the tests compare it with
    # ``groupby().mean()`` on the pandas version pyproject.toml asks for (3.x)
    group_mean: Callable[..., None] = importlib.import_module("pandas._libs.groupby").group_mean
    out = np.empty((groups, x.shape[1]), dtype=np.float64)
    counts = np.zeros(groups, dtype=np.int64)
    values = np.ascontiguousarray(x, dtype=np.float64)
    group_mean(out, counts, values, np.ascontiguousarray(codes, dtype=np.intp), min_count=-1)
    return out


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
        codes, uniques = pd.factorize(np.asarray(groups, dtype=object), use_na_sentinel=True)
        codes = np.asarray(codes, dtype=np.intp)
        grouped = codes >= 0
        # the group statistics of the columns with a value to fill (each column's are its own)
        cols = np.flatnonzero(missing[grouped].any(axis=0))
        sub = x[:, cols]
        if method is ImputeMethod.group_mean:
            fill = _group_means(sub, codes, len(uniques))
        else:
            fill = np.full((len(uniques), cols.size), np.nan)
            for g in range(len(uniques)):
                fill[g] = _fill(sub[codes == g], method)
        rows = np.flatnonzero(grouped)
        out[np.ix_(rows, cols)] = np.where(missing[np.ix_(rows, cols)], fill[codes[rows]], sub[rows])
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
