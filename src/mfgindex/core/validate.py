"""Checks of a dataset against a framework. Returns problems; never changes data.

Checks: variables the framework needs but the data lacks; lists it counts but the data lacks; values
impossible for the variable's kind (negative amounts or counts, non-integer counts, shares outside
[0, 1]); denominators of formulas that are zero or negative; unit slips (:func:`unit_slips`: a value far
outside the bulk of its variable that a unit factor — 10², 10³, 10⁴ or 10⁸: %, 千, 万, 亿 — brings back
inside it, e.g. 元 typed where 亿元 is expected). Reading problems (unknown city, duplicates, non-numeric
cells) are found by ``mfgindex.core.ingest``.
"""

from __future__ import annotations

import re
from typing import NamedTuple

import numpy as np
import numpy.typing as npt
import pandas as pd

from mfgindex.core import derive
from mfgindex.core.dataset import Dataset
from mfgindex.core.errors import Problem
from mfgindex.core.framework import Framework

# -- unit slips ----------------------------------------------------------------------------------------------
# A unit slip is a value typed in the wrong unit: value × 10^-k (k = ±2 %/share, ±3 千, ±4 万, ±8 亿) lands
# among the variable's other values while the value itself lies far outside them. On log10|x| of one year's
# non-zero values: m = median, s = a robust standard deviation (IQR / 1.349; from SLIP_TAIL_VALUES values on
# the larger of that and (P90 − P10) / 2.563, so heavy tails widen it), never below SLIP_SPREAD_FLOOR. A value
# is a slip when |log10|x| − m| ≥ SLIP_FAR · s and ≥ SLIP_MIN_DECADES, the factor nearest to that distance
# brings it within the range of the year's other values, and the unit's own other years (if any) are nearer
# the rescaled value than the value. Margins on the project's real data (docs/checks.md): the farthest real
# value a factor would bring back is ASEM's Renew 0.0149 % at 6.9 s (×10³ → 14.9), the farthest real large
# one the listed firms' 2019 net profit (工商银行, in 元) at 5.2 s; 三沙 (0.23 万人, 13 km²) is small in
# every year.
SLIP_FACTORS = (2, 3, 4, 8)  # powers of ten a unit slip can be: % ↔ share, 千, 万, 亿
SLIP_FAR = 8.0  # robust standard deviations of log10|x| from the median: outside the bulk
SLIP_MIN_DECADES = 1.5  # …and at least 1.5 orders of magnitude from the median
SLIP_SPREAD_FLOOR = 0.05  # decades (12 %): a variable of nearly equal values is not infinitely narrow
SLIP_MIN_VALUES = 5  # fewer non-zero values in a year: no bulk to compare with, not checked
SLIP_TAIL_VALUES = 20  # from this many values on, P10 and P90 lie inside the two most extreme each side

_PREFIX = {0: "", 2: "百", 3: "千", 4: "万", 6: "百万", 7: "千万", 8: "亿", 12: "万亿"}
_EXPONENT = {v: k for k, v in _PREFIX.items() if v}
_SUPERSCRIPT = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")


class Slip(NamedTuple):
    """A value that looks like a unit slip: ``value × 10^-factor`` lies among the other values of its year
    (``low``–``high``, median ``median``) while the value itself lies far outside them."""

    position: int  # index into the values checked
    value: float
    factor: int  # k: the value is 10^k times what it should be (k > 0: too large)
    rescaled: float
    low: float
    high: float
    median: float


def _quantile(
    srt: npt.NDArray[np.float64], start: npt.NDArray[np.intp], n: npt.NDArray[np.intp], q: float
) -> npt.NDArray[np.float64]:
    """The q-quantile of each group of the sorted ``srt`` (group g: ``srt[start[g] : start[g] + n[g]]``), by
    numpy's default (linear) rule, for all groups at once."""
    pos = (n - 1) * q
    below = np.floor(pos).astype(np.intp)
    frac = pos - below
    above = np.minimum(below + 1, n - 1)
    return np.asarray(srt[start + below] * (1 - frac) + srt[start + above] * frac, dtype=np.float64)


def _bulk(
    srt: npt.NDArray[np.float64], start: npt.NDArray[np.intp], n: npt.NDArray[np.intp]
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    """(median, robust standard deviation) of each group of the sorted log10 magnitudes ``srt``."""
    q1, m, q3 = (_quantile(srt, start, n, q) for q in (0.25, 0.5, 0.75))
    s = (q3 - q1) / 1.349
    tail = (_quantile(srt, start, n, 0.9) - _quantile(srt, start, n, 0.1)) / 2.563
    s = np.where(n >= SLIP_TAIL_VALUES, np.maximum(s, tail), s)
    return m, np.maximum(s, SLIP_SPREAD_FLOOR)


def _codes(keys: npt.ArrayLike | pd.Series | None, size: int) -> npt.NDArray[np.intp]:
    """Integer codes ≥ 0 of ``keys`` (equal keys, equal codes); a Series without an object-array copy."""
    if keys is None:
        return np.zeros(size, dtype=np.intp)
    arr = keys if isinstance(keys, pd.Series) else np.asarray(keys)
    return np.asarray(pd.factorize(arr, use_na_sentinel=False)[0], dtype=np.intp)  # missing: a code too


def unit_slips(
    values: npt.ArrayLike,
    units: npt.ArrayLike | pd.Series | None = None,
    years: npt.ArrayLike | pd.Series | None = None,
    variables: npt.ArrayLike | pd.Series | None = None,
) -> list[Slip]:
    """The values that look like unit slips (see the module's constants), in the order of ``values``.

    ``variables``: the variable of each value (default: all one variable); each is checked on its own.
    ``years``: the year of each value; the bulk is then each year's cross-section (an index that grows
    from 3 to 300 over ten years is not wide in any one year). ``units``: the unit (city code) of each
    value; a value at the level of the same unit's other values of the variable (its other years) is that
    unit's real level, not a slip (三沙's population, 0.23 万人 in every year), unless those other values
    agree with the rescaled value instead.
    """
    x = np.asarray(values, dtype=np.float64)
    ok = np.isfinite(x) & (x != 0)
    if int(ok.sum()) < SLIP_MIN_VALUES:
        return []
    logs = np.full(x.shape, np.nan)
    logs[ok] = np.log10(np.abs(x[ok]))
    var = _codes(variables, len(x))
    year = _codes(years, len(x))
    # one sort by (variable, year, log): each cross-section is a run of ``srt``, its quantiles by position;
    # one float key (cross-section × 1000 + log10, |log10| < 400 for any float) sorts 3x faster than lexsort
    idx = np.flatnonzero(ok)
    cross = pd.factorize(var[idx].astype(np.int64) * (int(year.max()) + 1) + year[idx])[0]
    order = idx[np.argsort(cross * 1000.0 + logs[idx])]
    srt = logs[order]
    v_o, y_o = var[order], year[order]
    first = np.ones(len(order), dtype=bool)
    first[1:] = (v_o[1:] != v_o[:-1]) | (y_o[1:] != y_o[:-1])
    start = np.flatnonzero(first)
    n = np.diff(np.append(start, len(order)))
    m, s = _bulk(srt, start, n)
    group = np.cumsum(first) - 1  # the cross-section of each sorted value
    dist = srt - m[group]
    far = (n[group] >= SLIP_MIN_VALUES) & (np.abs(dist) >= SLIP_FAR * s[group])
    far &= np.abs(dist) >= SLIP_MIN_DECADES
    if not far.any():
        return []
    # zero is a real value of the variable, or it takes both signs: values near zero are its low tail
    # (ASEM's Elec has four zeros, 2e-06 and 3.6e-05; PKU's usage_depth has -0.26 and 1.63), not slips
    n_var = int(var.max()) + 1
    zero = np.bincount(var[x == 0], minlength=n_var) > 0
    both = (np.bincount(var[ok & (x < 0)], minlength=n_var) > 0) & (
        np.bincount(var[ok & (x > 0)], minlength=n_var) > 0
    )
    far &= ~(zero | both)[v_o] | (dist > 0)
    # a unit's own values of the variable: one integer key per (variable, unit)
    own_key = None if units is None else var.astype(np.int64) * len(x) + _codes(units, len(x))
    out = []
    for j in np.flatnonzero(far):
        g = group[j]
        run = slice(start[g], start[g] + n[g])
        others = srt[run][~far[run]]
        if others.size == 0:
            continue
        lo, hi = float(others.min()), float(others.max())
        sign = 1 if dist[j] > 0 else -1
        fits = [sign * f for f in SLIP_FACTORS if lo <= srt[j] - sign * f <= hi]
        if not fits:
            continue
        i = int(order[j])
        # the factor that brings it nearest the unit's own other values, or else nearest the median
        level = float(m[g])
        if own_key is not None:
            own = ok & (own_key == own_key[i])
            own[i] = False
            if own.any():
                level = float(np.median(logs[own]))
                if min(abs(logs[i] - k - level) for k in fits) >= abs(logs[i] - level):
                    continue  # the unit's own values agree with the value, not with a rescaled one
        k = min(fits, key=lambda f: abs(logs[i] - f - level))
        out.append(Slip(i, float(x[i]), k, float(x[i] / 10.0**k), 10.0**lo, 10.0**hi, 10.0 ** m[g]))
    return sorted(out, key=lambda sl: sl.position)


def _power(k: int) -> str:
    return "10" + str(k).translate(_SUPERSCRIPT)


def _fmt(x: float) -> str:
    a = abs(x)
    if 1e-3 <= a < 1e3:
        return f"{x:.4g}"
    return f"{x:,.0f}" if 1e3 <= a < 1e15 else f"{x:.3g}"


_EXAMPLE = {3: ("元", "千元"), 4: ("元", "万元"), 8: ("元", "亿元")}


def slip_message(name: str, slip: Slip, unit: str = "") -> str:
    """What a unit slip looks like: in the variable's unit when it has a 百/千/万/亿 prefix (``亿元``,
    ``万人``), else by the factor (a percentage for a share; 万: e.g. 元 for 万元)."""
    k = slip.factor
    looks = ""
    match = re.fullmatch(r"(万亿|千万|百万|亿|万|千|百)?([^%％]+)", unit.strip())
    if match:
        exponent = _EXPONENT.get(match.group(1) or "", 0) - k
        if exponent in _PREFIX:
            looks = f"{_PREFIX[exponent]}{match.group(2)} typed where {unit.strip()} is expected"
    if not looks and abs(k) == 2:
        looks = "a percentage typed as a share" if k > 0 else "a share typed as a percentage"
    if not looks:
        small, big = _EXAMPLE[abs(k)]
        typed, expected = (small, big) if k > 0 else (big, small)
        size = "smaller" if k > 0 else "larger"
        looks = f"a unit {_power(abs(k))} times {size} (e.g. {typed} typed for {expected})"
    return (
        f"unit slip? {name} {_fmt(slip.value)} looks like {looks}: ×{_power(-k)} brings it to "
        f"{_fmt(slip.rescaled)}, among the other values ({_fmt(slip.low)}–{_fmt(slip.high)}, median "
        f"{_fmt(slip.median)})"
    )


def _at(row: pd.Series, message: str, value: str, expected: str, severity: str = "error") -> Problem:
    """A problem located at the value's cell (file/sheet/row/column), or at code:year:variable."""
    if isinstance(row.get("file"), str):
        return Problem(
            message,
            file=row["file"],
            sheet=str(row.get("sheet", "")),
            row=int(row["row"]),
            column=str(row["column"]),
            value=value,
            expected=expected,
            severity=severity,
        )
    return Problem(
        message,
        file=f"{row['code']}:{row['year']}:{row['variable']}",
        value=value,
        expected=expected,
        severity=severity,
    )


def _positions(labels: pd.Series) -> dict[str, npt.NDArray[np.intp]]:
    """Label → its positions, ascending (``groupby(labels).indices``, missing labels left out)."""
    codes, names = pd.factorize(labels, sort=True)
    ok = codes >= 0
    order = np.flatnonzero(ok)[np.argsort(codes[ok], kind="stable")]
    ends = np.cumsum(np.bincount(codes[ok], minlength=len(names)))
    return {str(n): order[e - c : e] for n, c, e in zip(names, np.diff(ends, prepend=0), ends, strict=True)}


def check(ds: Dataset, framework: Framework) -> list[Problem]:
    problems: list[Problem] = []
    present = set(ds.variables())
    derived = {i.id for i in framework.indicators()} | {a.id for a in framework.auxiliary}
    for var in framework.raw_variables():
        if var not in present and var not in derived:
            problems.append(
                Problem(
                    f"the framework needs variable {var!r} but the data lacks it",
                    column=var,
                    expected="a column or variable of that name",
                )
            )
    for name in framework.lists():
        if name not in ds.lists:
            problems.append(
                Problem(f"the framework counts list {name!r} but the data has no such list", column=name)
            )
    values = ds.values
    kinds = {k: v.kind for k, v in framework.variables.items()}
    units = {k: v.unit for k, v in framework.variables.items()}
    formulas = [*derive.formulas(framework), *(a.resolved_formula() for a in framework.auxiliary)]
    denominators = {f.den for f in formulas if f.den is not None}
    every = values["value"].to_numpy(dtype=np.float64)
    # positions per variable, in the variables' sorted order; rows are built only for flagged values
    # (building a row per value, or a sub-frame per variable, cost most of a small table's reading time)
    groups = _positions(values["variable"])
    slips: dict[str, list[Slip]] = {}
    for sl in unit_slips(
        every,
        values["code"] if "code" in values.columns else None,
        values["year"].to_numpy() if "year" in values.columns else None,
        values["variable"],
    ):
        slips.setdefault(str(values["variable"].iat[sl.position]), []).append(sl)
    for name in sorted(groups):
        at = groups[name]
        x = every[at]
        kind: str = kinds.get(name, "other")
        bad = np.zeros(len(x), dtype=bool)
        expected = ""
        if kind in ("amount", "count"):
            bad |= x < 0
            expected = "a non-negative value"
        if kind == "count":
            bad |= x != np.round(x)
            expected = "a non-negative whole number"
        if kind == "share":
            bad |= (x < 0) | (x > 1)
            expected = "a share between 0 and 1"
        if name in denominators:
            bad |= x <= 0
            expected = "a positive denominator"
        if bad.any():
            for _, row in values.iloc[at[bad]].iterrows():
                message = f"impossible value for {name} ({kind})"
                problems.append(_at(row, message, f"{row['value']:g}", expected))
        for sl in slips.get(name, ()):
            row = values.iloc[sl.position]
            problems.append(
                _at(
                    row,
                    slip_message(name, sl, units.get(name, "")),
                    f"{row['value']:g}",
                    f"{name} in its unit{f' ({units[name]})' if units.get(name) else ''}",
                    # too large is an error (元 typed where 万元 is expected inflates a city's score);
                    # too small only a warning, as real data have tiny values (三沙, ASEM's Elec)
                    "error" if sl.factor > 0 else "warning",
                )
            )
    return problems
