"""Rankings: competition ranks (ties share the lower rank: 1, 2, 2, 4), provincial ranks, rank change.

:func:`ranks` is the one rank function of the package (pipeline, what-if, Monte Carlo). Scores are
rounded to 1e-9 first, so that sums that differ only by floating-point order (a batched matrix product
against a sequential sum) tie the same way.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

DECIMALS = 9


def ranks(scores: npt.ArrayLike) -> npt.NDArray[np.float64]:
    """Competition ranks along the last axis: 1 = highest score, ties share the best rank, NaN unranked.

    Batch-capable: ``scores`` of shape ``(…, units)`` (one row per replication) is ranked row by row in one
    sort (NaN sorts last, so it never shifts the ranks of the scored units; the order inside a tie group
    does not matter, each member gets the group's first position).
    """
    x = np.asarray(scores, dtype=np.float64)
    n = x.shape[-1]
    if x.size == 0:
        return np.empty(x.shape, dtype=np.float64)
    keyed = _keyed_sort(x, n)
    has_nan = True
    if keyed is not None:  # the positions ride in the low bits of integer keys: one sort, no argsort
        key, order, has_nan = keyed
    else:
        r = np.round(x, DECIMALS)
        np.negative(r, out=r)
        order = np.argsort(r, axis=-1)
        key = np.sort(r, axis=-1)  # the values in ``order`` (sorting again is cheaper than gathering)
    tie = key[..., 1:] == key[..., :-1]
    first = np.empty(key.shape, dtype=np.float64)  # by sorted position: the rank of its tie group's first
    first[...] = np.arange(1, n + 1, dtype=np.float64)
    if bool(tie.any()):
        first[..., 1:][tie] = 0.0
        np.maximum.accumulate(first, axis=-1, out=first)
    out = np.empty(x.shape, dtype=np.float64)
    if x.ndim == 1:
        out[order] = first
    else:
        rows = order.reshape(-1, n)
        rows += (np.arange(x.size // n, dtype=rows.dtype) * n)[:, None]
        out.reshape(-1)[rows.reshape(-1)] = first.reshape(-1)
    if has_nan:
        out[np.isnan(x)] = np.nan
    return out


_SCALE = 10.0**DECIMALS
# ``np.round(s, 9)`` is rint(s · 10^9) / 10^9. Below 2^22 the spacing of floats is under 10^-9, so two
# different integers rint(s · 10^9) never divide to the same rounded score: rounded scores then order and
# tie exactly as those integers do
_EXACT = 2.0**22


def _keyed_sort(x: npt.NDArray[np.float64], n: int) -> tuple[Any, Any, bool] | None:
    """Sorted keys, the positions they came from and whether any score is NaN, by one integer sort:
    key = −rint(score·10^9) with the position in the low bits (NaN last). ``None`` when the scores are too
    large for exact integer keys."""
    bits = max(1, int(n - 1).bit_length())
    big = 1 << (61 - bits)  # above every key: NaN; key << bits + position stays below 2^62
    # the largest |score| (NaN only when every score is NaN), without a temporary
    top = max(np.fmax.reduce(x, axis=None), -np.fmin.reduce(x, axis=None))
    if not top < min(_EXACT, big / _SCALE / 2):
        return None
    y = np.multiply(x, -_SCALE)
    np.rint(y, out=y)
    nan = np.isnan(y) if np.isnan(np.add.reduce(y, axis=None)) else None  # the sum is NaN if one is
    if nan is not None:
        y[nan] = 0.0
    k = y.astype(np.int64)
    if nan is not None:
        k[nan] = big
    np.left_shift(k, bits, out=k)
    k += np.arange(n, dtype=np.int64)
    k.sort(axis=-1)
    order = k & ((1 << bits) - 1)
    np.right_shift(k, bits, out=k)  # arithmetic shift: the rounded (negated) score; NaN stays largest
    return k, order, nan is not None


def rank_array(scores: npt.ArrayLike) -> pd.arrays.IntegerArray:
    """:func:`ranks` of a 1-D array as nullable integers (``Int64``; NaN scores get no rank)."""
    r = ranks(scores)
    missing = np.isnan(r)
    return pd.arrays.IntegerArray(np.where(missing, 0, r).astype(np.int64), missing)


def competition_rank(scores: pd.Series) -> pd.Series:
    """:func:`ranks` of a Series (nullable integers, NaN scores get no rank)."""
    return pd.Series(rank_array(scores.to_numpy(dtype=np.float64, na_value=np.nan)), index=scores.index)


def province_rank(scores: pd.Series, province: pd.Series, abbr: pd.Series) -> pd.Series:
    """Provincial rank labels in the report's style (苏1), from competition ranks within each province.

    :func:`ranks` within each province, all provinces at once: the units are sorted by province, then by
    score (rounded as :func:`ranks` does); a unit's rank is the position of its tie group in its province.
    """
    values = np.round(scores.to_numpy(dtype=np.float64, na_value=np.nan), DECIMALS)
    group, _ = pd.factorize(province.reindex(scores.index), use_na_sentinel=True)
    ok = np.flatnonzero((group >= 0) & ~np.isnan(values))
    order = ok[np.lexsort((-values[ok], group[ok]))]
    g, x = group[order], values[order]
    at = np.arange(order.size)
    new_group = np.ones(order.size, dtype=bool)
    new_group[1:] = g[1:] != g[:-1]
    new_tie = new_group.copy()
    new_tie[1:] |= x[1:] != x[:-1]
    first = np.maximum.accumulate(np.where(new_group, at, 0))
    tie = np.maximum.accumulate(np.where(new_tie, at, 0))
    labels = np.full(len(values), pd.NA, dtype=object)
    short = abbr.reindex(scores.index).to_numpy(dtype=object)
    labels[order] = [
        f"{short[u]}{k}" for u, k in zip(order.tolist(), (tie - first + 1).tolist(), strict=True)
    ]
    return pd.Series(labels, index=scores.index, dtype="object")


def rank_change(rank: pd.Series, prev_rank: pd.Series, top_n: int) -> tuple[pd.Series, pd.Series]:
    """Δrank = previous − current (positive = up) and a label: up / down / same / new.

    ``new`` (新增, 首次入围) marks a unit in the top N now that was outside it (or unranked) in the previous
    year; a unit outside the top N now is up, down or same by its rank change, never new.
    """
    prev = prev_rank.reindex(rank.index).to_numpy(dtype=np.float64, na_value=np.nan)
    now = rank.to_numpy(dtype=np.float64, na_value=np.nan)
    change = prev - now
    unknown = np.isnan(change)
    delta = pd.Series(
        pd.arrays.IntegerArray(np.where(unknown, 0, change).astype(np.int64), unknown), index=rank.index
    )
    with np.errstate(invalid="ignore"):
        up, down, inside = change > 0, change < 0, now <= top_n
        new = (np.isnan(prev) | (prev > top_n)) & inside
    values = np.select([new, up, down], ["new", "up", "down"], "same").astype(object)
    values[np.isnan(now)] = None
    return delta, pd.Series(values, index=rank.index, dtype="object")


ARROWS = {"up": "↑", "down": "↓", "same": "—", "new": "新增"}
