"""Outlier treatment: COINr's default winsorisation rule with a log-transform fallback.

An indicator fails when |skewness| > ``skew_thresh`` **and** kurtosis > ``kurt_thresh`` (sample statistics of
type 2, as ``e1071``/COINr). A failing indicator is winsorised one point at a time, always in the tail
given by
the sign of the skew (positive skew → the largest value(s) are set to the next largest; ties move together),
until it passes or ``winmax`` points have been winsorised. If it still fails, the winsorisation is undone and
the original values are log-transformed instead (``log_CT``, see :func:`log_ct`).

References
----------
Becker, W. et al. (2022). COINr 1.x, ``Treat()``, ``winsorise()``, ``check_SkewKurt()``, ``log_CT()``.
OECD/JRC (2008) Handbook on Constructing Composite Indicators, §3.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, fields
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from mfgindex.core.framework import Framework
from mfgindex.core.methods import Methods, TreatMethod, TreatSpec

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


def _fails(stats: tuple[float, float], skew_thresh: float, kurt_thresh: float) -> bool:
    return bool(abs(stats[0]) >= skew_thresh and stats[1] >= kurt_thresh)


def fails(x: Array, skew_thresh: float, kurt_thresh: float) -> bool:
    """COINr's outlier rule (``check_SkewKurt``): fails iff |skew| ≥ threshold and kurtosis ≥ threshold."""
    return _fails(skew_kurt(x), skew_thresh, kurt_thresh)


def log_ct(x: Array) -> Array:
    """COINr's ``log_CT``: ln(x − min + 0.01·(max − min)), min and max over the present values."""
    v = x[~np.isnan(x)]
    if v.size == 0:
        return x.copy()
    lo, hi = float(v.min()), float(v.max())
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.asarray(np.log(x - lo + 0.01 * (hi - lo)), dtype=np.float64)


@dataclass(frozen=True)
class TreatLog:
    """What happened to one indicator."""

    indicator: str
    skew_before: float
    kurt_before: float
    winsorised_high: int
    winsorised_low: int
    log_transformed: bool
    skew_after: float
    kurt_after: float
    note: str = ""

    @property
    def treated(self) -> bool:
        return self.log_transformed or (self.winsorised_high + self.winsorised_low) > 0

    @classmethod
    def _of(cls, *values: Any) -> TreatLog:
        """A log from its fields in order, written into the instance's dict at once: the frozen
        dataclass's ``__init__`` sets each field through ``object.__setattr__`` (a third of the time)."""
        log = object.__new__(cls)
        log.__dict__.update(zip(_LOG_FIELDS, values, strict=True))
        return log


_LOG_FIELDS = tuple(f.name for f in fields(TreatLog))


def winsorise(
    x: Array, winmax: int = 5, skew_thresh: float = 2.0, kurt_thresh: float = 3.5
) -> tuple[Array, npt.NDArray[np.bool_], int, int, bool]:
    """Treat one column. Returns (values, changed mask, n high, n low, log-transformed).

    While the column fails and fewer than ``winmax`` points are winsorised, all points tied at the
    extreme of the tail given by the skew's sign (≥ 0 → high) take the next distinct value. Points
    already winsorised stay tied with the extreme, so the count is cumulative and may pass ``winmax``
    when ties move together (COINr counts them the same way). If the column still fails, the log
    transform of the *original* column replaces it.
    """
    y = x.astype(np.float64, copy=True)
    present = ~np.isnan(y)
    hi_set = np.zeros(y.shape, dtype=bool)
    lo_set = np.zeros(y.shape, dtype=bool)
    stats = skew_kurt(y)
    if not _fails(stats, skew_thresh, kurt_thresh):
        return y, hi_set, 0, 0, False
    while _fails(stats, skew_thresh, kurt_thresh) and int(hi_set.sum() + lo_set.sum()) < winmax:
        high = stats[0] >= 0
        v = y[present]
        idx = present & (y == (v.max() if high else v.min()))
        rest = y[present & ~idx]
        if rest.size == 0 or np.ptp(rest) == 0:
            # the column would become constant: its skewness is then undefined and COINr's Treat() returns
            # the column untreated (with a warning); do the same, and say so in the treatment log
            return x.astype(np.float64, copy=True), np.zeros(y.shape, dtype=bool), 0, 0, False
        y[idx] = rest.max() if high else rest.min()
        if high:
            hi_set = idx
        else:
            lo_set = idx
        stats = skew_kurt(y)
    if _fails(stats, skew_thresh, kurt_thresh):
        return log_ct(x), present.copy(), 0, 0, True
    return y, hi_set | lo_set, int(hi_set.sum()), int(lo_set.sum()), False


def treat(
    frame: pd.DataFrame, winmax: int = 5, skew_thresh: float = 2.0, kurt_thresh: float = 3.5
) -> tuple[pd.DataFrame, pd.DataFrame, list[TreatLog]]:
    """COINr's rule on every column of a units × indicators frame, with these settings and no per-indicator
    overrides (:func:`treat_frame`). Returns (treated, changed flags, logs)."""
    methods = Methods(winmax=winmax, skew_thresh=skew_thresh, kurt_thresh=kurt_thresh)
    return treat_frame(frame, methods)


def specs(framework: Framework) -> dict[str, TreatSpec]:
    """The framework's per-indicator treatment overrides, by indicator id."""
    return {i.id: i.treat for i in framework.indicators() if i.treat is not None}


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


# The column-vectorised statistics may differ from the one-column functions by rounding: a column for which
# a decision of the rule (|skew| ≥ threshold, kurtosis ≥ threshold, the sign of the skew) is this close to
# call is decided by the one-column functions (:func:`winsorise`) instead, so the outcome is always theirs.
_MARGIN = 1e-9


def _near(value: Array, threshold: Array) -> npt.NDArray[np.bool_]:
    with np.errstate(invalid="ignore"):
        return np.asarray(
            np.abs(value - threshold) <= _MARGIN * np.maximum(1.0, np.abs(threshold)), dtype=bool
        )


@dataclass(frozen=True, eq=False, repr=False)
class _Many:
    """:func:`winsorise` of many columns (rows here): the values, changed masks, counts, log flags, the
    columns winsorising would make constant (left untreated) and those too close to call."""

    values: Array
    changed: npt.NDArray[np.bool_]
    high: npt.NDArray[np.intp]
    low: npt.NDArray[np.intp]
    logged: npt.NDArray[np.bool_]
    untreated: npt.NDArray[np.bool_]
    close: npt.NDArray[np.bool_]
    skew: Array  # the statistics of the winsorised values (not of the log-transformed ones)
    kurt: Array


def _winsorise_rows(
    xt: Array,
    winmax: npt.NDArray[np.intp],
    skew_t: Array,
    kurt_t: Array,
    stats: tuple[Array, Array] | None = None,
) -> _Many:
    """:func:`winsorise` on every row of ``xt`` (``(k, units)``) at once, step by step for all rows
    (``stats``: the rows' :func:`_moments`, when known)."""
    y = xt.copy()
    present = ~np.isnan(y)
    hi_set = np.zeros(y.shape, dtype=bool)
    lo_set = np.zeros(y.shape, dtype=bool)
    s, k = _moments(y) if stats is None else (stats[0].copy(), stats[1].copy())
    # _near's tolerances, once: |value − threshold| ≤ tol is the test
    tol_s = _MARGIN * np.maximum(1.0, np.abs(skew_t))
    tol_k = _MARGIN * np.maximum(1.0, np.abs(kurt_t))
    close = _near(np.abs(s), skew_t) | _near(k, kurt_t)
    fail = (np.abs(s) >= skew_t) & (k >= kurt_t)
    untreated = np.zeros(len(y), dtype=bool)
    active = fail.copy()
    complete = bool(present.all())
    # each step's statistics, kept to find the decisions too close to call once after the loop
    signs: list[tuple[npt.NDArray[np.bool_], Array]] = []  # (rows stepping, their skew: its sign decides)
    steps: list[tuple[npt.NDArray[np.bool_], Array, Array]] = []  # (rows moved, their new skew, kurtosis)
    while True:
        step = active & fail & (hi_set.sum(axis=1) + lo_set.sum(axis=1) < winmax)
        if not step.any():
            break
        high = s >= 0
        signs.append((step, s.copy()))
        with np.errstate(invalid="ignore"):
            if complete:  # no missing value: the extremes and the masks without masking
                idx = y == np.where(high, y.max(axis=1), y.min(axis=1))[:, None]
                rest = ~idx
            else:
                top = np.where(present, y, -np.inf).max(axis=1)
                bottom = np.where(present, y, np.inf).min(axis=1)
                idx = present & (y == np.where(high, top, bottom)[:, None])
                rest = present & ~idx
            rest_top = np.where(rest, y, -np.inf).max(axis=1)
            rest_bottom = np.where(rest, y, np.inf).min(axis=1)
        # the row would become constant: untreated (see winsorise)
        flat = ~rest.any(axis=1) | (rest_top - rest_bottom == 0)
        untreated |= step & flat
        active &= ~(step & flat)
        go = step & ~flat
        y = np.where(go[:, None] & idx, np.where(high, rest_top, rest_bottom)[:, None], y)
        hi_set = np.where((go & high)[:, None], idx, hi_set)
        lo_set = np.where((go & ~high)[:, None], idx, lo_set)
        s_new, k_new = _moments(y[go])
        s[go], k[go] = s_new, k_new
        steps.append((go, s_new, k_new))
        with np.errstate(invalid="ignore"):
            fail[go] = (np.abs(s_new) >= skew_t[go]) & (k_new >= kurt_t[go])
    if signs:
        with np.errstate(invalid="ignore"):
            # _near(s, 0) where a row stepped: the sign of its skew (the tail) was close to call
            stepped, before = np.array([v for v, _ in signs]), np.array([v for _, v in signs])
            close |= (stepped & (np.abs(before) <= _MARGIN)).any(axis=0)
            # _near of the statistics after each step against the thresholds
            moved = np.concatenate([go.nonzero()[0] for go, _, _ in steps])
            s_all = np.concatenate([v for _, v, _ in steps])
            k_all = np.concatenate([v for _, _, v in steps])
            near = (np.abs(np.abs(s_all) - skew_t[moved]) <= tol_s[moved]) | (
                np.abs(k_all - kurt_t[moved]) <= tol_k[moved]
            )
            close[moved[near]] = True
    logged = active & fail
    values = np.where(untreated[:, None], xt, y)
    changed = np.where(untreated[:, None], False, hi_set | lo_set)
    if logged.any():
        values[logged] = np.stack([log_ct(r) for r in xt[logged]])
        changed[logged] = present[logged]
    high_n = np.where(logged | untreated, 0, hi_set.sum(axis=1))
    low_n = np.where(logged | untreated, 0, lo_set.sum(axis=1))
    return _Many(values, changed, high_n, low_n, logged, untreated & (winmax > 0), close, s, k)


_UNTREATED = "fails the outlier rule but left untreated: winsorising would make it constant"


def treat_values(
    x: Array,
    columns: Sequence[str],
    methods: Methods,
    overrides: Mapping[str, TreatSpec] | None = None,
) -> tuple[Array, npt.NDArray[np.bool_], list[TreatLog]]:
    """:func:`treat_frame` on a ``(units, k)`` array whose columns are named ``columns``.

    The rule runs on all columns at once (statistics column-vectorised, one winsorisation step for every
    failing column at a time); a column whose decision is too close to call with rounded statistics goes
    through the one-column :func:`winsorise`.
    """
    overrides = overrides or {}
    x = np.asarray(x, dtype=np.float64)
    out = x.copy()
    flags = np.zeros(x.shape, dtype=bool)
    logs: list[TreatLog] = []
    if methods.treat is TreatMethod.none and not any(str(c) in overrides for c in columns):
        return out, flags, logs
    xt = np.ascontiguousarray(x.T)
    skew, kurt = _moments(xt)
    k = len(columns)
    notes: dict[int, str] = {}
    logged = np.zeros(k, dtype=bool)
    high = np.zeros(k, dtype=np.intp)
    low = np.zeros(k, dtype=np.intp)
    if not overrides:  # every column follows the run's rule
        listed = rule = list(range(k))
        winmax = np.full(k, methods.winmax, dtype=np.intp)
        skew_t, kurt_t = np.full(k, float(methods.skew_thresh)), np.full(k, float(methods.kurt_thresh))
    else:
        listed, rule, limits = [], [], []
        for j, col in enumerate(columns):
            spec = overrides.get(str(col))
            if spec is None and methods.treat is TreatMethod.none:
                continue
            listed.append(j)
            if spec is not None and spec.method == "none":
                notes[j] = "per-indicator treatment: none" + (f" ({spec.reason})" if spec.reason else "")
            elif spec is not None and spec.method == "log":
                out[:, j], flags[:, j], logged[j] = log_ct(x[:, j]), ~np.isnan(x[:, j]), True
                notes[j] = "per-indicator treatment: log" + (f" ({spec.reason})" if spec.reason else "")
            else:
                rule.append(j)
                limits.append(
                    (
                        spec.winmax if spec and spec.winmax is not None else methods.winmax,
                        spec.skew_thresh if spec and spec.skew_thresh is not None else methods.skew_thresh,
                        spec.kurt_thresh if spec and spec.kurt_thresh is not None else methods.kurt_thresh,
                    )
                )
        winmax = np.array([lim[0] for lim in limits], dtype=np.intp)
        skew_t = np.array([lim[1] for lim in limits], dtype=np.float64)
        kurt_t = np.array([lim[2] for lim in limits], dtype=np.float64)
    after_s, after_k = skew.copy(), kurt.copy()
    known = np.zeros(k, dtype=bool)  # columns whose statistics after treatment are known
    if rule:
        stat_s, stat_k = skew[rule], kurt[rule]
        candidate = (
            ((np.abs(stat_s) >= skew_t) & (stat_k >= kurt_t))
            | _near(np.abs(stat_s), skew_t)
            | _near(stat_k, kurt_t)
        )
        sel = candidate.nonzero()[0]
        if sel.size:
            picked = [rule[i] for i in sel.tolist()]
            # (a row's statistics are the same computed alone or with other rows: each row's own sums)
            many = _winsorise_rows(
                xt[picked], winmax[sel], skew_t[sel], kurt_t[sel], (skew[picked], kurt[picked])
            )
            sure = ~many.close  # decided with the column-vectorised statistics: written at once
            at = np.asarray(picked, dtype=np.intp)[sure]
            out[:, at], flags[:, at] = many.values[sure].T, many.changed[sure].T
            high[at], low[at], logged[at] = many.high[sure], many.low[sure], many.logged[sure]
            # the statistics after winsorising: those of the last step
            done = sure & ~many.logged & ~many.untreated
            after_s[at_done := np.asarray(picked, dtype=np.intp)[done]] = many.skew[done]
            after_k[at_done] = many.kurt[done]
            known[at_done] = True
            for r in np.flatnonzero(sure & many.untreated).tolist():
                notes[picked[r]] = _UNTREATED
            for r in np.flatnonzero(many.close).tolist():  # too close to call: the one-column rule decides
                i, j = int(sel[r]), picked[r]
                m, st, kt = int(winmax[i]), float(skew_t[i]), float(kurt_t[i])
                y, changed, h, lo_n, lg = winsorise(x[:, j], m, st, kt)
                out[:, j], flags[:, j], high[j], low[j], logged[j] = y, changed, h, lo_n, lg
                if fails(x[:, j], st, kt) and not lg and h + lo_n == 0 and m > 0:
                    notes[j] = _UNTREATED
    moves = (~known & (logged | (high + low > 0))).tolist()
    moved = [j for j in listed if moves[j]]
    if moved:
        after_s[moved], after_k[moved] = _moments(np.ascontiguousarray(out[:, moved].T))
    cols = [str(c) for c in columns]
    s0, k0, s1, k1 = skew.tolist(), kurt.tolist(), after_s.tolist(), after_k.tolist()
    hs, ls, lg_ = high.tolist(), low.tolist(), logged.tolist()
    make = TreatLog._of
    logs.extend(
        make(cols[j], s0[j], k0[j], hs[j], ls[j], lg_[j], s1[j], k1[j], notes.get(j, "")) for j in listed
    )
    return out, flags, logs


def treat_frame(
    frame: pd.DataFrame, methods: Methods, overrides: Mapping[str, TreatSpec] | None = None
) -> tuple[pd.DataFrame, pd.DataFrame, list[TreatLog]]:
    """Treat a units × indicators frame as the run's ``methods`` say, with per-indicator ``overrides``.

    The one treatment step of the pipeline, the uncertainty engine and what-if: columns without an override
    follow ``methods`` (winsorise, or nothing when ``methods.treat`` is none); an override's ``none`` leaves
    its column alone and ``log`` always log-transforms it, whatever ``methods.treat`` is.
    """
    y, flags, logs = treat_values(frame.to_numpy(dtype=np.float64), list(frame.columns), methods, overrides)
    return (
        pd.DataFrame(y, index=frame.index, columns=frame.columns),
        pd.DataFrame(flags, index=frame.index, columns=frame.columns),
        logs,
    )
