"""The statistics of COINr's outlier rule: sample skewness and excess kurtosis of type 2 (``e1071``/COINr),
of one column or of every column of an array at once.

References
----------
Becker, W. et al. (2022). COINr 1.x, ``check_SkewKurt()``. Joanes, D. N. and Gill, C. A. (1998), Comparing
measures of sample skewness and kurtosis, *The Statistician* 47(1), 183-189 (type 2: G1, G2).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

Array = npt.NDArray[np.float64]


def skew_kurt(x: Array) -> tuple[float, float]:
    """(:func:`skewness`, :func:`kurtosis`) of one column, from one pass over its centred values."""
    v = x[~np.isnan(x)]
    n = v.size
    if n < 3:
        return float("nan"), float("nan")
    d = v - v.sum() / n
    m2 = (d**2).sum() / n
    if m2 * m2 == 0:  # constant (or numerically constant) column
        return 0.0, (0.0 if n >= 4 else float("nan"))
    g1 = (d**3).sum() / n / m2**1.5
    skew = float(g1 * np.sqrt(n * (n - 1)) / (n - 2))
    if n < 4:
        return skew, float("nan")
    g2 = (d**4).sum() / n / m2**2 - 3.0
    return skew, float(((n + 1) * g2 + 6) * (n - 1) / ((n - 2) * (n - 3)))


def skewness(x: Array) -> float:
    """Sample skewness of type 2 (G1, bias-corrected), NaNs ignored; NaN for fewer than 3 values.

    G1 = g1·√(n(n−1))/(n−2) with g1 = m3/m2^{3/2}, m_k the k-th central moment (divisor n); 0 for a
    constant column.
    """
    return skew_kurt(x)[0]


def kurtosis(x: Array) -> float:
    """Sample excess kurtosis of type 2 (G2, bias-corrected), NaNs ignored; NaN for fewer than 4 values.

    G2 = ((n+1)·g2 + 6)·(n−1)/((n−2)(n−3)) with g2 = m4/m2² − 3; 0 for a constant column.
    """
    return skew_kurt(x)[1]


def moments(x: Array) -> tuple[Array, Array]:
    """:func:`skewness` and :func:`kurtosis` of every column of ``x`` (``(units, k)``) at once.

    The same formulas, column-vectorised: equal to the one-column functions up to rounding (the sums over
    a column with missing values are taken in another order).
    """
    return _moments(np.ascontiguousarray(np.asarray(x, dtype=np.float64).T))


def _moments(xt: Array) -> tuple[Array, Array]:
    """:func:`moments` of the rows of ``xt`` (``(k, units)``; sums along contiguous rows)."""
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
        total = xt.sum(axis=1) if xt.flags.c_contiguous else None
        n: Any
        if total is not None and not np.isnan(total).any():
            # no missing value (a NaN would make its row's sum NaN): the sums as they are, n one number
            n = xt.shape[1]
            d = xt - (total / n)[:, None]
        else:
            present = ~np.isnan(xt)
            n = present.sum(axis=1)
            if n.size and bool((n == n[0]).all()):
                n = n[0]  # the same count in every row: the factors of n computed once
            mean = np.where(present, xt, 0.0).sum(axis=1) / n
            d = np.where(present, xt - mean[:, None], 0.0)
        d2 = d * d
        m2 = d2.sum(axis=1) / n
        m3 = (d2 * d).sum(axis=1) / n  # products, not pow: 30× faster, equal up to rounding
        m4 = (d2 * d2).sum(axis=1) / n
        flat = m2 * m2 == 0  # constant (or numerically constant) column
        g1 = m3 / m2**1.5
        skew = g1 * np.sqrt(n * (n - 1)) / (n - 2)
        g2 = m4 / m2**2 - 3.0
        kurt = ((n + 1) * g2 + 6) * (n - 1) / ((n - 2) * (n - 3))
    if bool(flat.any()):
        skew[flat] = 0.0
        kurt[flat] = 0.0
    if np.ndim(n):
        skew[n < 3] = np.nan
        kurt[n < 4] = np.nan
    else:
        if n < 3:
            skew[:] = np.nan
        if n < 4:
            kurt[:] = np.nan
    return np.asarray(skew, dtype=np.float64), np.asarray(kurt, dtype=np.float64)
