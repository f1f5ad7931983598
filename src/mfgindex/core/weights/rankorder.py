"""Rank-order weights: ROC, rank-sum and rank-reciprocal, with ties sharing averaged weights."""

from __future__ import annotations

from collections.abc import Callable
from typing import Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray

FloatArray = NDArray[np.float64]
RankMethod = Literal["roc", "rank_sum", "rank_reciprocal"]


def _roc(n: int) -> FloatArray:
    # w_r = (1/n) Σ_{k=r}^{n} 1/k: reverse cumulative sum of the harmonic terms.
    inv = 1.0 / np.arange(1, n + 1)
    return np.asarray(np.cumsum(inv[::-1])[::-1] / n, dtype=float)


def _rank_sum(n: int) -> FloatArray:
    r = np.arange(1, n + 1)
    return np.asarray(2.0 * (n + 1 - r) / (n * (n + 1)), dtype=float)


def _rank_reciprocal(n: int) -> FloatArray:
    inv = 1.0 / np.arange(1, n + 1)
    return np.asarray(inv / inv.sum(), dtype=float)


_POSITION_WEIGHTS: dict[str, Callable[[int], FloatArray]] = {
    "roc": _roc,
    "rank_sum": _rank_sum,
    "rank_reciprocal": _rank_reciprocal,
}


def rank_order_weights(ranks: ArrayLike, method: RankMethod = "roc") -> FloatArray:
    """Weights from an importance ranking (1 = most important).

    With ``n`` criteria the weight of position ``r`` is

    * ROC (rank order centroid): ``(1/n) Σ_{k=r}^{n} 1/k``;
    * rank-sum: ``2(n + 1 − r) / (n(n + 1))``;
    * rank-reciprocal: ``(1/r) / Σ_k 1/k``.

    Tied criteria occupy consecutive positions and share the mean of those positions' weights, so the
    weights still sum to 1 (e.g. ranks ``[1, 2, 2]`` give the 2nd and 3rd position weights averaged).
    Ranks only need to be ordered (``[1, 2, 2, 4]`` and ``[1, 2, 2, 3]`` are the same ranking).

    References
    ----------
    Barron, F. H., & Barrett, B. E. (1996). Decision quality using ranked attribute weights.
    *Management Science*, 42(11), 1515-1523.
    Stillwell, W. G., Seaver, D. A., & Edwards, W. (1981). A comparison of weight approximation
    techniques in multiattribute utility decision making. *Organizational Behavior and Human
    Performance*, 28(1), 62-77.
    """
    r = np.asarray(ranks, dtype=float)
    if r.ndim != 1 or r.size == 0 or not np.all(np.isfinite(r)):
        raise ValueError("ranks must be a non-empty 1-D array of finite numbers")
    try:
        position_weights = _POSITION_WEIGHTS[method](r.size)
    except KeyError:
        raise ValueError(
            f"unknown rank-order method {method!r}; choose {sorted(_POSITION_WEIGHTS)}"
        ) from None
    order = np.argsort(r, kind="stable")
    w = np.empty(r.size)
    w[order] = position_weights
    for value in np.unique(r):
        tied = r == value
        w[tied] = w[tied].mean()
    return w
