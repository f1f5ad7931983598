"""Normalisation kernels over arrays shaped ``(..., units, indicators)``; NaNs stay NaN.

Directions are applied first (values of a direction −1 indicator are multiplied by −1, as COINr does), so
every method returns "higher is better". Statistics are taken over the units axis (−2), so a stack of
replications or years is normalised slice by slice; stack years on the units axis for panel-wide
normalisation.

References
----------
OECD/JRC (2008) Handbook on Constructing Composite Indicators, §5. COINr ``n_minmax``, ``n_zscore``,
``n_rank``, ``n_prank``. 功效系数法: 60 + 40·(x − min)/(max − min) (e.g. 国资委 综合绩效评价).
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial

import numpy as np
import numpy.typing as npt

from mfgindex.core.framework import Framework
from mfgindex.core.methods import Methods, NormaliseMethod, NormaliseSpec

Array = npt.NDArray[np.float64]


def _nanminmax(x: Array) -> tuple[Array, Array]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return np.nanmin(x, axis=-2, keepdims=True), np.nanmax(x, axis=-2, keepdims=True)


def minmax(x: Array, lo: float = 0.0, hi: float = 100.0) -> Array:
    """lo + (hi − lo)·(x − min)/(max − min); a constant column gives NaN (it carries no information), and so
    does a column whose range is below the smallest normal float (its quotient would leave [lo, hi])."""
    mn, mx = _nanminmax(x)
    span = mx - mn
    with np.errstate(invalid="ignore", divide="ignore"):
        out = lo + (hi - lo) * (x - mn) / np.where(span < np.finfo(np.float64).tiny, np.nan, span)
    return np.asarray(out, dtype=np.float64)


def zscore(x: Array, mean: float = 0.0, sd: float = 1.0) -> Array:
    """mean + sd·(x − x̄)/s with the sample standard deviation (n − 1), as R's ``sd``."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        mu = np.nanmean(x, axis=-2, keepdims=True)
        s = np.nanstd(x, axis=-2, ddof=1, keepdims=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        out = mean + sd * (x - mu) / np.where(s == 0, np.nan, s)
    return np.asarray(out, dtype=np.float64)


def _ranks(x: Array, method: str) -> Array:
    from scipy.stats import rankdata  # deferred: scipy.stats costs ~1 s at CLI start-up

    r = rankdata(x, axis=-2, method=method, nan_policy="omit")
    return np.asarray(np.where(np.isnan(x), np.nan, r), dtype=np.float64)


def rank(x: Array) -> Array:
    """Rank with ties at the lowest rank (1 = lowest value), as COINr ``n_rank`` (ties "min")."""
    return _ranks(x, "min")


def prank(x: Array) -> Array:
    """Percentile rank in [0, 100]: 100·(rank − 1)/(n − 1) with average ranks for ties."""
    r = _ranks(x, "average")
    n = np.sum(~np.isnan(x), axis=-2, keepdims=True).astype(np.float64)
    with np.errstate(invalid="ignore", divide="ignore"):
        out = 100.0 * (r - 1.0) / np.where(n > 1, n - 1.0, np.nan)
    return np.asarray(out, dtype=np.float64)


def efficacy(x: Array, base: float = 60.0, span: float = 40.0) -> Array:
    """功效系数法: base + span·(x − min)/(max − min)."""
    return minmax(x, base, base + span)


def ratio_to_benchmark(x: Array, directions: Array, targets: Array | None = None) -> Array:
    """100·x/b for "higher is better" and 100·b/x for "lower is better", on the original values.

    The benchmark b is the indicator's target where one is given, else the best value of the sample
    (the maximum, or the minimum for lower-is-better), so the best unit scores 100.
    """
    mn, mx = _nanminmax(x)
    best = np.where(directions < 0, mn, mx)
    bench = best if targets is None else np.where(np.isnan(targets), best, targets)
    with np.errstate(invalid="ignore", divide="ignore"):
        up = 100.0 * x / np.where(bench == 0, np.nan, bench)
        down = 100.0 * bench / np.where(x == 0, np.nan, x)
    return np.asarray(np.where(directions < 0, down, up), dtype=np.float64)


def frontier(x: Array, best: Array | None = None, worst: Array | None = None) -> Array:
    """Distance to frontier, 100·(1 − (best − x)/(best − worst)); best/worst default to this sample's."""
    mn, mx = _nanminmax(x)
    b = mx if best is None else best
    w = mn if worst is None else worst
    with np.errstate(invalid="ignore", divide="ignore"):
        out = 100.0 * (1.0 - (b - x) / np.where(b == w, np.nan, b - w))
    return np.asarray(out, dtype=np.float64)


NormaliseKernel = Callable[[Array, Array, Array, Methods], Array]
"""``kernel(x, directions, targets, methods)``: the original values, the directions (±1), the targets (NaN
where none), the method settings → normalised values, "higher is better". Kernels are module-level
functions (or :class:`functools.partial` of them, or :class:`WithOverrides`), so that everything a compiled
plan holds pickles with plain :mod:`pickle` (process pools, Dask workers)."""


def minmax_kernel(x: Array, d: Array, t: Array, m: Methods) -> Array:
    return minmax(x * d, *m.range)


def zscore_kernel(x: Array, d: Array, t: Array, m: Methods) -> Array:
    return zscore(x * d, *m.zscore)


def rank_kernel(x: Array, d: Array, t: Array, m: Methods) -> Array:
    return rank(x * d)


def prank_kernel(x: Array, d: Array, t: Array, m: Methods) -> Array:
    return prank(x * d)


def efficacy_kernel(x: Array, d: Array, t: Array, m: Methods) -> Array:
    return efficacy(x * d, *m.efficacy)


def ratio_kernel(x: Array, d: Array, t: Array, m: Methods) -> Array:
    return ratio_to_benchmark(x, d, t)


def frontier_kernel(x: Array, d: Array, t: Array, m: Methods) -> Array:
    return frontier(x * d)


NORMALISERS: dict[str, NormaliseKernel] = {
    NormaliseMethod.minmax: minmax_kernel,
    NormaliseMethod.zscore: zscore_kernel,
    NormaliseMethod.rank: rank_kernel,
    NormaliseMethod.prank: prank_kernel,
    NormaliseMethod.efficacy: efficacy_kernel,
    NormaliseMethod.ratio: ratio_kernel,
    NormaliseMethod.frontier: frontier_kernel,
}
"""The one registry of normalisation kernels: method name → kernel. Adding a method: a kernel here and
its name in :class:`~mfgindex.core.methods.NormaliseMethod` (a test checks that the two agree)."""


def goalposts(x: Array, lo: float, hi: float, direction: float, out_lo: float, out_hi: float) -> Array:
    """COINr ``n_goalposts``: cap x to [lo, hi] and map it linearly to [out_lo, out_hi] (hi best; lo best
    for direction −1). Fixed goalposts do not move with the sample."""
    c = np.clip(x, lo, hi)
    share = (c - lo) / (hi - lo) if direction >= 0 else (hi - c) / (hi - lo)
    return np.asarray(out_lo + (out_hi - out_lo) * share, dtype=np.float64)


def specs(framework: Framework) -> list[NormaliseSpec | None]:
    """The framework's per-indicator normalisation overrides, in indicator order."""
    return [i.normalise for i in framework.indicators()]


def goalposts_kernel(x: Array, d: Array, t: Array, m: Methods, *, lo: float, hi: float) -> Array:
    """:func:`goalposts` of one indicator (``d``: its direction) onto the settings' range."""
    return goalposts(x, lo, hi, float(d[0]), *m.range)


@dataclass(frozen=True)
class WithOverrides:
    """The run's kernel with per-indicator kernels (and settings) applied to their columns."""

    default: NormaliseKernel
    own: tuple[tuple[int, NormaliseKernel, Methods], ...]  # (column, kernel, settings)

    def __call__(self, x: Array, d: Array, t: Array, m: Methods) -> Array:
        out = np.array(self.default(x, d, t, m), dtype=np.float64)
        for j, k, settings in self.own:
            out[..., j] = k(x[..., j : j + 1], d[j : j + 1], t[j : j + 1], settings)[..., 0]
        return out


def _override_kernel(spec: NormaliseSpec, methods: Methods) -> tuple[NormaliseKernel, Methods]:
    """The kernel and settings of one indicator's override (resolved once)."""
    rng = spec.range if spec.range is not None else methods.range
    settings = methods.model_copy(update={"range": rng})
    if spec.goalposts is not None:
        lo, hi = spec.goalposts
        return partial(goalposts_kernel, lo=lo, hi=hi), settings
    assert spec.method is not None  # guaranteed by NormaliseSpec validation
    return NORMALISERS[spec.method], settings.model_copy(update={"normalise": spec.method})


def compile_normaliser(methods: Methods, overrides: Sequence[NormaliseSpec | None] = ()) -> NormaliseKernel:
    """One kernel for the run's method with per-indicator ``overrides`` (COINr ``indiv_specs``) applied to
    their columns; method names are resolved here, once."""
    default = NORMALISERS[methods.normalise]
    own = tuple((j, *_override_kernel(s, methods)) for j, s in enumerate(overrides) if s is not None)
    return WithOverrides(default, own) if own else default


def normalise(
    x: Array,
    directions: Array,
    methods: Methods,
    targets: Array | None = None,
    overrides: Sequence[NormaliseSpec | None] = (),
) -> Array:
    """Apply the method chosen in ``methods`` (directions first, so the result is "higher is better") — or,
    for an indicator (column) whose entry in ``overrides`` is given, that indicator's own method.

    ``targets`` (one per indicator, NaN where none) serve as benchmarks for ``ratio``; they are given
    in the indicator's own units and flipped with its direction like the data.
    """
    t = np.full(x.shape[-1], np.nan) if targets is None else targets
    return compile_normaliser(methods, overrides)(x, directions, t, methods)
