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
        k, shift, has_nan = keyed
        order = k & ((1 << shift) - 1)
        key = np.right_shift(k, shift, out=k)  # arithmetic shift: the rounded (negated) score; NaN largest
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


def rank_counts(scores: npt.ArrayLike) -> npt.NDArray[np.int64]:
    """How often each unit has each rank over the rows of ``scores`` (``(…, units)``, one row per
    replication): ``counts[u, k]`` = rows in which unit ``u`` has the competition rank ``k`` of
    :func:`ranks` (``k`` = 1…n; column 0, the unranked, is 0).

    :func:`rank_histogram` of :func:`ranks`, without the ranks: in a row without ties or missing scores
    the unit at sorted position ``p`` has rank ``p + 1``, so the sorted keys are counted directly; the rows
    with ties or NaN are ranked by :func:`ranks`.
    """
    x = np.asarray(scores, dtype=np.float64)
    n = x.shape[-1]
    if n == 0:
        return np.zeros((0, 1), dtype=np.int64)
    rows = x.reshape(-1, n)
    if rows.shape[0] == 0 or n < 2:
        return rank_histogram(ranks(rows), n)
    low, high = np.minimum.reduce(rows, axis=None), np.maximum.reduce(rows, axis=None)
    if np.isnan(low) or np.isnan(high):  # (NaN propagates) the rows with a missing score: ranked apart
        missing = np.isnan(np.add.reduce(rows, axis=-1))
        return rank_counts(rows[~missing]) + rank_histogram(ranks(rows[missing]), n)
    keyed = _keyed_sort(rows, n, max(high, -low))
    if keyed is None:
        return rank_histogram(ranks(rows), n)
    k, shift, _ = keyed
    # sorted keys differ by less than 2^(shift−1) exactly within a tie group (the spacing bit of the keys):
    # the steps between neighbours taken over the flat array (one contiguous subtraction; numpy buffers
    # the rows' offset views), the steps from a row's last key to the next row's first overwritten
    flat = k.reshape(-1)
    step = np.empty(flat.size, dtype=np.int64)
    np.subtract(flat[1:], flat[:-1], out=step[:-1])
    step[n - 1 :: n] = 1 << (shift - 1)  # (not a tie)
    tied = None
    if np.minimum.reduce(step) < 1 << (shift - 1):
        tied = np.flatnonzero(np.minimum.reduce(step.reshape(-1, n), axis=-1) < 1 << (shift - 1))
    np.bitwise_and(k, (1 << shift) - 1, out=k)  # the unit at each sorted position
    _add_rows(k, np.arange(0, n * n, n, dtype=np.int64))  # position p (rank p + 1) → bin p·n + unit
    if tied is not None:
        k[tied] = n * n  # a bin past the others, dropped
    by_rank = np.bincount(k.reshape(-1), minlength=n * n + 1)[: n * n].reshape(n, n)
    counts = np.zeros((n, n + 1), dtype=np.int64)
    counts[:, 1:] = by_rank.T
    if tied is not None:
        counts += rank_histogram(ranks(rows[tied]), n)
    return counts


def _add_rows(a: npt.NDArray[Any], v: npt.NDArray[Any]) -> None:
    """``a += v`` in place, ``v`` ``(n,)`` added to every row of ``a`` (``(…, n)``, C-contiguous). Rows
    of a few dozen elements are added as runs of ``m`` rows against ``v`` repeated ``m`` times, runs at
    least numpy's buffer long: numpy otherwise copies such short rows through its buffer to add them."""
    n = v.shape[0]
    rows = a.reshape(-1, n)
    m = -(-np.getbufsize() // n)
    main = rows.shape[0] - rows.shape[0] % m if m > 1 else 0
    if main:
        runs = rows[:main].reshape(-1, m * n)
        np.add(runs, np.tile(v, m), out=runs)
    if main < rows.shape[0]:
        rest = rows[main:]
        np.add(rest, v, out=rest)


def rank_histogram(rk: npt.NDArray[np.float64], n_units: int) -> npt.NDArray[np.int64]:
    """counts[u, k] = rows of the ranks ``rk`` (``(…, units)``, NaN unranked) in which unit u has rank k
    (k = 1…n; column 0, the unranked, is 0)."""
    ranked = np.empty(rk.shape, dtype=np.intp)  # unranked (NaN) → column 0, dropped below
    np.fmax(rk, 0.0, out=ranked, casting="unsafe")  # the ranks cast as astype(intp) would, no float copy
    ranked += np.arange(n_units, dtype=np.intp) * (n_units + 1)
    counts = np.bincount(ranked.reshape(-1), minlength=n_units * (n_units + 1))
    counts[:: n_units + 1] = 0
    return counts.reshape(n_units, n_units + 1).astype(np.int64)


_SCALE = 10.0**DECIMALS
# ``np.round(s, 9)`` is rint(s · 10^9) / 10^9. Below 2^22 the spacing of floats is under 10^-9, so two
# different integers rint(s · 10^9) never divide to the same rounded score: rounded scores then order and
# tie exactly as those integers do
_EXACT = 2.0**22
# rint(t) for |t| < 2^50 by one addition: t + 1.5·2^52 lies in [2^52, 2^53), where floats are the integers
# and the sum is rounded half to even as rint rounds; its bits are _MAGIC_BITS + rint(t)
_MAGIC = 1.5 * 2.0**52
_MAGIC_BITS = 0x4338000000000000
_MAGIC_LIMIT = 2.0**50


def _keyed_sort(
    x: npt.NDArray[np.float64], n: int, top: float | None = None
) -> tuple[npt.NDArray[np.int64], int, bool] | None:
    """Row-wise sorted integer keys −rint(score·10^9) · 2^shift + position (NaN: a key above all), the
    shift, and whether any score is NaN; ``None`` when the scores are too large for exact keys. ``top``:
    the largest |score|, given by a caller that knows that no score is NaN.

    The positions take ``shift − 1`` bits and one spacing bit is left free above them, so that two sorted
    keys differ by less than 2^(shift−1) exactly when their rounded scores are equal."""
    shift = max(1, int(n - 1).bit_length()) + 1
    big = 1 << (62 - shift)  # above every key: NaN; key · 2^shift + position stays below 2^62
    given = top
    if top is None:  # the largest |score| (NaN only when every score is NaN), without a temporary
        top = max(np.fmax.reduce(x, axis=None), -np.fmin.reduce(x, axis=None))
    if not top < min(_EXACT, _MAGIC_LIMIT / _SCALE, big / _SCALE / 2):
        return None
    y = np.multiply(x, -_SCALE)
    y += _MAGIC  # rounded: the bits are _MAGIC_BITS + rint(−score·10^9)
    u = y.view(np.uint64)  # unsigned: shifts and sums wrap (modulo 2^64) by definition
    u <<= np.uint64(shift)
    # + position − _MAGIC_BITS·2^shift, modulo 2^64: the signed key · 2^shift + position
    _add_rows(u, np.arange(n, dtype=np.uint64) - np.uint64((_MAGIC_BITS << shift) % (1 << 64)))
    k = u.view(np.int64)
    nan = None  # (the sum is NaN if one score is)
    if given is None and np.isnan(np.add.reduce(x, axis=None)):
        nan = np.isnan(x)
    if nan is not None:
        k[nan] = (np.broadcast_to(np.arange(n, dtype=np.int64), x.shape) + (big << shift))[nan]
    k.sort(axis=-1)
    return k, shift, nan is not None


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
