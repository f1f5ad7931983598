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
from mfgindex.core.moments import _moments, skew_kurt
from mfgindex.core.moments import (
    kurtosis as kurtosis,  # the rule's statistics, importable from here as before
)
from mfgindex.core.moments import moments as moments
from mfgindex.core.moments import skewness as skewness

Array = npt.NDArray[np.float64]


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
    def _many(cls, *columns: Sequence[Any]) -> list[TreatLog]:
        """Logs from their fields given as columns (one sequence per field, in order), each written into
        its instance's dict at once: the frozen dataclass's ``__init__`` sets each field through
        ``object.__setattr__`` (a third of the time)."""
        new, out = object.__new__, []
        for values in zip(*columns, strict=True):
            log = new(cls)
            log.__dict__.update(zip(_LOG_FIELDS, values, strict=True))
            out.append(log)
        return out


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
    """:func:`winsorise` on every row of ``xt`` (``(k, units)``) at once (``stats``: the rows'
    :func:`_moments`, when known).

    After ``a`` steps in the high tail and ``b`` in the low one, a row is its values clipped to
    ``[w[b], w[D − 1 − a]]`` (``w``: its ``D`` distinct values, ascending), and the points moved at the
    last step in a tail are those at or beyond the tail's bound before it. The rule's path through these
    states is followed row by row on plain numbers; the statistics of the states are computed for all rows
    together, the states along each row's current tail that the rule may reach at once (a row's statistics
    are the same computed alone or with other rows: each row's own sums).
    """
    rows = len(xt)
    s0, k0 = _moments(xt) if stats is None else stats
    # each row's distinct values ascending (``w``) and how many of its values lie below each (``below``)
    srt = np.sort(xt, axis=1)  # NaN last
    first = ~np.isnan(srt)
    n_present = first.sum(axis=1).tolist()
    first[:, 1:] &= srt[:, 1:] != srt[:, :-1]
    at_r, at_c = first.nonzero()
    flat_w, flat_below = srt[at_r, at_c].tolist(), at_c.tolist()
    w: list[list[float]] = []
    below: list[list[int]] = []
    d_ = first.sum(axis=1).tolist()
    off = 0
    for d, n in zip(d_, n_present, strict=True):
        w.append(flat_w[off : off + d])
        below.append([*flat_below[off : off + d], n])
        off += d
    wmax, st_, kt_ = winmax.tolist(), skew_t.tolist(), kurt_t.tolist()
    s_, k_ = s0.tolist(), k0.tolist()
    tol_s = [_MARGIN * max(1.0, abs(t)) for t in st_]  # _near's tolerances
    tol_k = [_MARGIN * max(1.0, abs(t)) for t in kt_]
    close = [
        abs(abs(s) - t) <= ts or abs(k - u) <= tk
        for s, k, t, u, ts, tk in zip(s_, k_, st_, kt_, tol_s, tol_k, strict=True)
    ]
    fail = [abs(s) >= t and k >= u for s, k, t, u in zip(s_, k_, st_, kt_, strict=True)]
    a, b = [0] * rows, [0] * rows  # steps taken in the high and the low tail
    hi_n, lo_n = [0] * rows, [0] * rows  # points moved at the last step in the high and the low tail
    untreated = [False] * rows
    # the statistics of the states ahead along the tail of a row's last step (the next one last), and
    # whether a step was taken whose state's statistics are still to be read
    ahead: list[list[tuple[float, float]]] = [[] for _ in range(rows)]
    ahead_high, due = [True] * rows, [False] * rows
    todo = [r for r in range(rows) if fail[r]]
    while todo:
        waiting: list[int] = []
        counts: list[int] = []
        at: list[int] = []
        lows: list[float] = []
        tops: list[float] = []
        for r in todo:  # follow the row's path until it ends or waits for the statistics of its state
            ar, br, s, st, kt, wr, stepped = a[r], b[r], s_[r], st_[r], kt_[r], w[r], due[r]
            while True:
                if stepped:  # the statistics of the state reached decide next
                    if not ahead[r]:  # this state and the next ones along the tail the rule may reach
                        n = max(min(wmax[r] - hi_n[r] - lo_n[r], d_[r] - ar - br - 2, _AHEAD), 0) + 1
                        top = d_[r] - 1 - ar
                        if s >= 0:
                            tops += wr[top - n + 1 : top + 1][::-1]
                            lows += [wr[br]] * n
                        else:
                            tops += [wr[top]] * n
                            lows += wr[br : br + n]
                        at += [r] * n
                        counts.append(n)
                        waiting.append(r)
                        ahead_high[r] = s >= 0
                        break
                    s_[r], k_[r] = s, k = ahead[r].pop()
                    if abs(abs(s) - st) <= tol_s[r] or abs(k - kt) <= tol_k[r]:
                        close[r] = True
                    fail[r] = abs(s) >= st and k >= kt
                    stepped = False
                if not (fail[r] and hi_n[r] + lo_n[r] < wmax[r]):
                    break
                if abs(s) <= _MARGIN:  # the sign of the skew (the tail) close to call
                    close[r] = True
                if d_[r] - ar - br <= 2:  # the row would become constant: untreated (see winsorise)
                    untreated[r] = True
                    break
                if (s >= 0) is not ahead_high[r]:  # the tail changed: the states ahead are of the other
                    ahead[r] = []
                if s >= 0:
                    hi_n[r] = n_present[r] - below[r][d_[r] - 1 - ar]
                    ar += 1
                else:
                    lo_n[r] = below[r][br + 1]
                    br += 1
                stepped = True
            a[r], b[r], due[r] = ar, br, stepped
        if waiting:
            got = _clipped_moments(xt, at, lows, tops)
            pos = 0
            for r, n in zip(waiting, counts, strict=True):
                ahead[r] = got[pos : pos + n][::-1]
                pos += n
        todo = waiting
    logged = [f and not u for f, u in zip(fail, untreated, strict=True)]
    kept = [not (g or u) for g, u in zip(logged, untreated, strict=True)]  # winsorised, or as it was
    inf = float("inf")
    top, bottom, was_top, was_bottom = [inf] * rows, [-inf] * rows, [inf] * rows, [-inf] * rows
    for r in range(rows):
        if kept[r] and a[r]:
            top[r], was_top[r] = w[r][d_[r] - 1 - a[r]], w[r][d_[r] - a[r]]
        if kept[r] and b[r]:
            bottom[r], was_bottom[r] = w[r][b[r]], w[r][b[r] - 1]
    values = _clip(xt, bottom, top)
    # the points moved at the last step in each tail: at or beyond the tail's bound before it
    changed = (xt >= np.array(was_top)[:, None]) | (xt <= np.array(was_bottom)[:, None])
    logs = np.array(logged, dtype=bool)
    if any(logged):
        values[logs] = np.stack([log_ct(r) for r in xt[logs]])
        changed[logs] = ~np.isnan(xt[logs])
    return _Many(
        values,
        changed,
        np.array([h if k else 0 for h, k in zip(hi_n, kept, strict=True)], dtype=np.intp),
        np.array([lo if k else 0 for lo, k in zip(lo_n, kept, strict=True)], dtype=np.intp),
        logs,
        np.array(untreated, dtype=bool) & (winmax > 0),
        np.array(close, dtype=bool),
        np.array(s_, dtype=np.float64),
        np.array(k_, dtype=np.float64),
    )


_AHEAD = 8  # at most this many states beyond the one due are computed at once, per row


def _clip(xt: Array, bottom: Sequence[float], top: Sequence[float]) -> Array:
    """``xt``'s rows clipped to ``[bottom, top]`` (±inf: no bound); NaN stays NaN."""
    out: Array = np.maximum(np.minimum(xt, np.array(top)[:, None]), np.array(bottom)[:, None])
    return out


def _clipped_moments(
    xt: Array, rows: list[int], bottom: list[float], top: list[float]
) -> list[tuple[float, float]]:
    """:func:`_moments` of the rows ``rows`` of ``xt`` clipped to ``[bottom, top]`` (one bound each)."""
    skew, kurt = _moments(_clip(xt[rows], bottom, top))
    return list(zip(skew.tolist(), kurt.tolist(), strict=True))


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
    fields = [
        [str(c) for c in columns],
        *(v.tolist() for v in (skew, kurt, high, low, logged, after_s, after_k)),
        [notes.get(j, "") for j in range(k)],
    ]
    if len(listed) < k:
        fields = [[f[j] for j in listed] for f in fields]
    logs.extend(TreatLog._many(*fields))
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
