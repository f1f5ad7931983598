"""Aggregation kernels over arrays shaped ``(..., units, components)``.

Missing components are skipped and the remaining weights renormalised (COINr's behaviour); when the share
of present components is below ``min_share`` the score is missing. Weights may be one vector for all units
or one row per unit (stage-based weights), and broadcast over leading replication axes.

References
----------
OECD/JRC (2008) Handbook on Constructing Composite Indicators, §6. COINr ``a_amean``, ``a_gmean``,
``a_hmean`` and ``Aggregate(dat_thresh=)``.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from mfgindex.core.framework import AggregateMethod

Array = npt.NDArray[np.float64]


def aggregate(x: Array, w: Array, method: AggregateMethod, min_share: float = 0.0) -> Array:
    """Weighted mean of the components along the last axis.

    Geometric and harmonic means need positive components: a non-positive present component makes the
    unit's score NaN (the caller checks the range beforehand and tells the user).
    """
    present = ~np.isnan(x)
    weights = np.broadcast_to(w, x.shape)
    wp = np.where(present, weights, 0.0)
    total = wp.sum(axis=-1)
    share = present.mean(axis=-1)
    with np.errstate(invalid="ignore", divide="ignore"):
        wn = wp / total[..., None]
        xz = np.where(present, x, 0.0)
        if method is AggregateMethod.arithmetic:
            out = np.sum(wn * xz, axis=-1)
        elif method is AggregateMethod.geometric:
            bad = np.any(present & (x <= 0), axis=-1)
            out = np.exp(np.sum(wn * np.log(np.where(present & (x > 0), x, 1.0)), axis=-1))
            out = np.where(bad, np.nan, out)
        elif method is AggregateMethod.harmonic:
            bad = np.any(present & (x <= 0), axis=-1)
            out = 1.0 / np.sum(wn / np.where(present & (x > 0), x, 1.0), axis=-1)
            out = np.where(bad, np.nan, out)
        else:  # pragma: no cover - enum is exhaustive
            raise ValueError(method)
    empty = (total <= 0) | (share < min_share) | (share == 0)
    return np.asarray(np.where(empty, np.nan, out), dtype=np.float64)
