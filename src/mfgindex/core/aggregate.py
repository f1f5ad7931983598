"""Aggregation kernels over arrays shaped ``(..., units, components)`` and their registry.

Missing components are skipped and the remaining weights renormalised (COINr's behaviour); when the share
of present components is below ``min_share`` the score is missing. Weights may be one vector for all units
or one row per unit (stage-based weights), and broadcast over leading replication axes.

Every kernel has the signature ``kernel(x, base, factor, min_share, methods) → (..., units)``: the weights
are ``base`` (``(k,)`` or ``(units, k)``) times an optional per-replication ``factor`` ``(r, k)`` (weight
noise, excluded components). Given separately, the means over components shared by all replications
(``x`` of shape ``(units, k)``) are one matrix product instead of an ``(r, units, k)`` temporary. The
components ``x`` are one array ``(..., units, k)`` or a tuple of the ``k`` columns ``(..., units)`` (the
scores of child aggregates, as the plan has them); :func:`stacked` turns the columns into the array.

Adding an aggregation method: write a kernel with that signature, add it to :data:`AGGREGATORS` and the
name to :class:`~mfgindex.core.methods.AggregateMethod` (a test checks that the two agree).

References
----------
OECD/JRC (2008) Handbook on Constructing Composite Indicators, §6. COINr ``a_amean``, ``a_gmean``,
``a_hmean`` and ``Aggregate(dat_thresh=)``.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import numpy.typing as npt

from mfgindex.core.methods import AggregateMethod, Methods

Array = npt.NDArray[np.float64]
Components = Array | tuple[Array, ...]  # (..., units, k), or the k columns (..., units)
AggregateKernel = Callable[[Components, Array, Array | None, float, Methods], Array]


def stacked(x: Components) -> Array:
    """The components as one array ``(..., units, k)`` (columns broadcast against each other)."""
    if not isinstance(x, tuple):
        return x
    if all(c.shape == x[0].shape for c in x):
        return np.stack(x, axis=-1)
    shape = np.broadcast_shapes(*(c.shape for c in x))
    return np.stack([np.broadcast_to(c, shape) for c in x], axis=-1)


def _terms(x: Array, present: npt.NDArray[np.bool_], power: int) -> Array:
    """The power mean's terms: x (1), log x (0) or 1/x (−1); 0 where missing, and a non-positive x
    read as 1 (the caller leaves such units unscored)."""
    if power == 1:
        return np.where(present, x, 0.0)
    pos = np.where(present & (x > 0), x, 1.0)
    return np.log(pos) if power == 0 else 1.0 / pos


def _from_terms(mean: Array, power: int) -> Array:
    """The power mean from the weighted mean of its terms."""
    if power == 0:
        return np.asarray(np.exp(mean), dtype=np.float64)
    if power == -1:
        return np.asarray(1.0 / mean, dtype=np.float64)
    return mean


def _mean(x: Components, base: Array, factor: Array | None, min_share: float, power: int) -> Array:
    """Weighted power mean along the last axis: arithmetic (1), geometric (0), harmonic (−1).

    Geometric and harmonic means need positive components: a non-positive present component makes the
    unit's score NaN (the pipeline checks the range beforehand and tells the user).
    """
    if isinstance(x, tuple):
        x = stacked(x)
    # the smallest component: NaN if one is missing, > 0 if all are positive (one pass, no mask)
    if factor is not None and x.ndim == 3 and x.size and not np.isnan(low := np.min(x)):
        # complete components varying by replication (the levels above the noisy weights): one einsum
        w = base[None, ...] * factor[:, None, :]
        total = w.sum(axis=-1)  # (r, 1) or (r, units): the sums over the broadcast weights, once
        with np.errstate(invalid="ignore", divide="ignore"):
            if power == 1:
                out = _dot_last(x, w) / total
            else:
                every = bool(low > 0)  # the usual case: no component to read as 1, no unit to blank
                pos = None if every else x > 0
                safe = x if pos is None else np.where(pos, x, 1.0)
                t = np.log(safe) if power == 0 else 1.0 / safe
                out = _dot_last(t, w) / total
                out = np.exp(out) if power == 0 else 1.0 / out
                if pos is not None:
                    ok = all_last(pos)
                    if not bool(ok.all()):
                        out = np.where(ok, out, np.nan)
        nonpositive = total <= 0
        if bool(nonpositive.any()):
            out = np.where(nonpositive, np.nan, out)
        return np.asarray(out, dtype=np.float64)
    if factor is not None and x.ndim == 2:  # components shared by the r replications: matrix products
        return shared_mean_t(x, base, factor, min_share, power).T
    present = ~np.isnan(x)
    with np.errstate(invalid="ignore", divide="ignore"):
        term = _terms(x, present, power)
        w = base if factor is None else base[None, ...] * factor[:, None, :]
        wp = np.where(present, w, 0.0)  # the weights broadcast against x, 0 where missing
        total = wp.sum(axis=-1)
        out = _from_terms(np.sum(wp * term, axis=-1) / total, power)
    if power != 1:
        out = np.where(np.any(present & (x <= 0), axis=-1), np.nan, out)
    empty = (total <= 0) | _too_few(present, min_share)
    if not bool(empty.any()):
        return np.asarray(out, dtype=np.float64)
    return np.asarray(np.where(empty, np.nan, out), dtype=np.float64)


def _products(factor: Array, terms: Array, wb: Array) -> tuple[Array, Array]:
    """``factor @ terms.T`` and ``factor @ wb.T``: the weighted sums and the total weights ``(r, units)``
    (the totals ``(r, 1)`` when every unit has the same weights: no component missing, no per-unit weights).

    Over fewer than 8 components, one product, the total weights as extra columns of it: OpenBLAS sums each
    element of a product over so few components in one chain of fused multiply-adds, whichever its column,
    so these are the separate products' numbers to the last bit (tested); over more, its kernels sum in
    blocks that depend on the layout, and the products stay separate, as they were."""
    units, k = wb.shape
    if k >= 8 or units < 2:  # (one unit: matrix-vector products, which OpenBLAS sums otherwise)
        return factor @ terms.T, factor @ wb.T
    rows = wb[:1] if bool((wb == wb[0]).all()) else wb
    right = np.concatenate([terms, rows]).T
    # the product written into rows one element longer than it: OpenBLAS then zeroes its output row by
    # row before adding the products (the same numbers) instead of in one memset, which glibc does with
    # `rep stosb` — a byte at a time under callgrind's count
    both = np.empty((factor.shape[0], right.shape[1] + 1))[:, : right.shape[1]]
    np.matmul(factor, right, out=both)
    return both[:, :units], both[:, units:]


_BLAS_RUN = 240  # replications per product in _products_t (a run of 240 doubles: under glibc's 2 KiB)
POWERS: dict[AggregateKernel, int] = {}
"""The power of each power-mean kernel (filled below): the kernels :func:`shared_mean_t` and
:func:`columns_mean_t` compute in the replications-last layout."""


def shared_mean_t(x: Array, base: Array, factor: Array, min_share: float, power: int) -> Array:
    """:func:`_mean` of components ``x`` ``(units, k)`` shared by the ``r`` replications of ``factor``
    ``(r, k)``, laid out replications last: ``(units, r)`` — the same numbers as ``_mean(x, base, factor,
    …).T``, without the ``(r, 1)`` total weights broadcast along each row (numpy buffers such rows)."""
    present = ~np.isnan(x)
    with np.errstate(invalid="ignore", divide="ignore"):
        wb = np.where(present, np.broadcast_to(base, x.shape), 0.0)
        numerator, total = _products_t(factor, wb * _terms(x, present, power), wb)
        out = _from_terms(numerator / total, power)
    unit_bad = _too_few(present, min_share)  # (units,): small, checked once
    if power != 1:
        unit_bad |= np.any(present & (x <= 0), axis=-1)
    nonpositive = total <= 0
    if bool(unit_bad.any()) or bool(nonpositive.any()):
        out = np.where(nonpositive | unit_bad[:, None], np.nan, out)
    return np.asarray(out, dtype=np.float64)


def _products_t(factor: Array, terms: Array, wb: Array) -> tuple[Array, Array]:
    """:func:`_products` transposed: ``terms @ factor.T`` and ``wb @ factor.T`` ``(units, r)`` (the totals
    ``(1, r)`` when every unit has the same weights). Over fewer than 8 components OpenBLAS sums each
    element in one chain of fused multiply-adds whichever operand comes first (the same numbers, tested);
    over more (or for fewer than 4 replications), the products of :func:`_products` are taken and
    transposed."""
    units, k = wb.shape
    r = factor.shape[0]
    if k >= 8 or units < 2 or r < 4:
        numerator, total = _products(factor, terms, wb)
        return numerator.T, total.T
    rows = wb[:1] if bool((wb == wb[0]).all()) else wb
    left = np.concatenate([terms, rows])
    # OpenBLAS zeroes its output before adding the products: in runs of at most _BLAS_RUN replications
    # (at least two runs of equal length, each of at least 2 replications: a matrix product every time),
    # each run a slice of the contiguous result, it zeroes it run by run — in one memset a whole
    # contiguous output, which glibc does with `rep stosb`, a byte at a time under callgrind's count; each
    # element is the same chain of multiply-adds either way. (The result stays contiguous: numpy buffers
    # rows it cannot iterate as one.)
    both = np.empty((left.shape[0], r))
    runs = max(2, -(-r // _BLAS_RUN))
    size, extra = divmod(r, runs)
    a = 0
    for i in range(runs):
        b = a + size + (i < extra)
        np.matmul(left, factor[a:b].T, out=both[:, a:b])
        a = b
    return both[:units], both[units:]


def columns_mean_t(cols: tuple[Array, ...], base: Array, factor: Array, power: int) -> Array | None:
    """:func:`_mean` of one or two complete components that vary by replication, laid out replications
    last (``(units, r)`` each; ``factor`` ``(r, k)``): ``(units, r)``, the same numbers as ``_mean`` of the
    transposed columns, transposed (its sums written out as :func:`_dot_last` has them, on the columns:
    no stacked copy). ``None`` for the other cases (``_mean`` computes those)."""
    if len(cols) > 2 or not cols:
        return None
    shape = cols[0].shape
    if len(shape) != 2 or not all(c.shape == shape for c in cols) or not cols[0].size:
        return None
    low = min(np.minimum.reduce(c, axis=None) for c in cols)  # NaN if a component is missing
    if np.isnan(low) or (power != 1 and not low > 0):
        return None
    w = base[None, ...] * factor[:, None, :]  # (r, 1 | units, k), as _mean has it
    total = w.sum(axis=-1).T  # (1 | units, r)
    # each component's weights as a contiguous row (numpy buffers an operand strided along the inner axis)
    wc = [np.ascontiguousarray(w[..., i].T) for i in range(len(cols))]
    with np.errstate(invalid="ignore", divide="ignore"):
        terms = cols if power == 1 else tuple(np.log(c) if power == 0 else 1.0 / c for c in cols)
        # _dot_last over one or two components, written out: the first product, the second added, 0 added
        out = terms[0] * wc[0]
        if len(cols) == 2:
            out += terms[1] * wc[1]
        out += 0.0
        out /= total
        out = _from_terms(out, power)
    nonpositive = total <= 0
    if bool(nonpositive.any()):
        out = np.where(nonpositive, np.nan, out)
    return np.asarray(out, dtype=np.float64)


def _too_few(present: npt.NDArray[np.bool_], min_share: float) -> npt.NDArray[np.bool_]:
    """Units without a score for want of components: none present, or a share present below
    ``min_share``. The share is the count over the number of components (both exact: the mean of the
    mask to the last bit), taken only when ``min_share`` asks for it."""
    k = present.shape[-1]
    if k == 0:  # no components: the share is undefined (the zero total weight leaves the unit unscored)
        return np.zeros(present.shape[:-1], dtype=bool)
    count = np.count_nonzero(present, axis=-1)
    none = np.asarray(count == 0)
    if min_share <= 0:
        return none
    return np.asarray(none | (count / k < min_share))


def _dot_last(x: Array, w: Array) -> Array:
    """Σ_k x[..., k]·w[..., k] (``w`` broadcast against ``x``), as einsum sums it. Over one or two
    components the sum written out is the same to the last bit — einsum adds the products to 0 one by one:
    the first is exact, the second one addition, and adding 0 last turns −0 into 0 as einsum does — and
    needs no broadcast copy of the weights; over more components, einsum's own order is kept."""
    k = x.shape[-1]
    if k in (1, 2):
        out = x[..., 0] * w[..., 0]
        if k == 2:
            out += x[..., 1] * w[..., 1]
        out += 0.0
        return np.asarray(out, dtype=np.float64)
    w3 = np.broadcast_to(w, np.broadcast_shapes(w.shape, x.shape))
    return np.asarray(np.einsum("...k,...k->...", x, w3), dtype=np.float64)


def all_last(mask: npt.NDArray[np.bool_]) -> npt.NDArray[np.bool_]:
    """``mask.all(axis=-1)``; over a few components as element-wise ands of the columns (a reduction over
    a short last axis is slow in numpy)."""
    k = mask.shape[-1]
    if k == 0 or k > 8:
        return np.asarray(mask.all(axis=-1))
    out = mask[..., 0].copy()
    for i in range(1, k):
        out &= mask[..., i]
    return out


def any_last(mask: npt.NDArray[np.bool_]) -> npt.NDArray[np.bool_]:
    """``mask.any(axis=-1)`` (see :func:`all_last`)."""
    k = mask.shape[-1]
    if k == 0 or k > 8:
        return np.asarray(mask.any(axis=-1))
    out = mask[..., 0].copy()
    for i in range(1, k):
        out |= mask[..., i]
    return out


def arithmetic(x: Components, base: Array, factor: Array | None, min_share: float, methods: Methods) -> Array:
    """Weighted arithmetic mean over the present components."""
    return _mean(x, base, factor, min_share, 1)


def geometric(x: Components, base: Array, factor: Array | None, min_share: float, methods: Methods) -> Array:
    """Weighted geometric mean ``exp(Σ w log x)`` over the present components (NaN over a value ≤ 0)."""
    return _mean(x, base, factor, min_share, 0)


def harmonic(x: Components, base: Array, factor: Array | None, min_share: float, methods: Methods) -> Array:
    """Weighted harmonic mean ``1 / Σ (w / x)`` over the present components (NaN over a value ≤ 0)."""
    return _mean(x, base, factor, min_share, -1)


def topsis(x: Components, base: Array, factor: Array | None, min_share: float, methods: Methods) -> Array:
    """TOPSIS closeness × 100 (:func:`~mfgindex.core.weights.topsis.closeness_scores`); its ideal points
    depend on all units, so replications are scored one at a time."""
    from mfgindex.core.weights.topsis import closeness_scores  # TOPSIS's module: only when a level uses it

    tn = methods.topsis_normalisation
    x = stacked(x)
    if factor is None and x.ndim == 2:
        return closeness_scores(x, base, tn, min_share)
    r = factor.shape[0] if factor is not None else x.shape[0]
    xs = np.broadcast_to(x, (r, *x.shape[-2:]))
    out = np.empty(xs.shape[:-1])
    for i in range(r):
        w = base if factor is None else base * factor[i]
        out[i] = closeness_scores(xs[i], w, tn, min_share)
    return out


AGGREGATORS: dict[str, AggregateKernel] = {
    AggregateMethod.arithmetic: arithmetic,
    AggregateMethod.geometric: geometric,
    AggregateMethod.harmonic: harmonic,
    AggregateMethod.topsis: topsis,
}
"""The one registry of aggregation kernels: method name → kernel."""

POWERS.update({arithmetic: 1, geometric: 0, harmonic: -1})

NEEDS_POSITIVE = frozenset({AggregateMethod.geometric, AggregateMethod.harmonic})
"""Methods undefined over a component ≤ 0 (the pipeline refuses such data; the Monte Carlo engine leaves
the unit unscored in that replication)."""


def aggregate(x: Array, w: Array, method: AggregateMethod | str, min_share: float = 0.0) -> Array:
    """Weighted mean of the components along the last axis with the named method (any registered one)."""
    return AGGREGATORS[method](x, np.asarray(w, dtype=np.float64), None, min_share, Methods())
