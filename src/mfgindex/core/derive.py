"""Derived indicators (growth rates, per-capita values, shares, intensities, list counts) from raw variables.

Every formula is computed from the dataset's panel for one year; a value needing a missing operand is
missing (never filled here: imputation is its own, flagged, stage).

The work is done on plain arrays: the long values are put once per dataset into a cube (variables × units ×
years, :func:`cube`) and each list's counts per unit are taken once per year; a year's values of the
units asked for are then a fancy index into the cube. The pandas
functions (:func:`compute`, :func:`raw_matrix`, :func:`auxiliary`) wrap the array functions
(:func:`values`, :func:`raw_values`, :func:`auxiliary_values`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt
import pandas as pd

from mfgindex.core import memo
from mfgindex.core.dataset import Dataset
from mfgindex.core.errors import Problem, UserError
from mfgindex.core.framework import Formula, FormulaOp, Framework, Indicator

Array = npt.NDArray[np.float64]
Positions = npt.NDArray[np.intp]

_ROWS_MEMO = 8  # code lists whose row positions a cube keeps


@dataclass(frozen=True)
class _Plain:
    """A framework's formulas on a cube: the plain variables (``cols`` of the result, ``var`` of the
    cube, ``scale``) taken with one fancy index, and the ``other`` columns computed one by one."""

    cols: Positions
    var: Positions
    scale: Array
    other: tuple[int, ...]


@dataclass(frozen=True, eq=False, repr=False)
class Cube:
    """The dataset's panel as one array: ``data[v, i, t]`` is variable ``v`` of unit ``codes[i]`` in
    ``years[t]``; row ``len(codes)`` is all-NaN, the row of a unit the panel does not have."""

    codes: pd.Index
    variables: dict[str, int]
    years: dict[int, int]
    data: Array
    _rows: dict[tuple[str, ...], Positions] = field(default_factory=dict, repr=False)
    # per framework (by identity, the framework kept with it): its plain variables' columns, variables and
    # scales, and the columns of the other formulas
    _plain: dict[int, tuple[Framework, _Plain]] = field(default_factory=dict, repr=False)

    def rows(self, index: pd.Index) -> Positions:
        """Row of each unit of ``index`` (the NaN row where the panel has no such unit)."""
        key = tuple(map(str, index))
        pos = self._rows.get(key)
        if pos is None:
            pos = np.asarray(self.codes.get_indexer(pd.Index(key, dtype=object)), dtype=np.intp)
            pos[pos < 0] = len(self.codes)
            if len(self._rows) >= _ROWS_MEMO:
                self._rows.pop(next(iter(self._rows)))
            self._rows[key] = pos
        return pos

    def get(self, name: str, year: int, rows: Positions) -> Array | None:
        """Variable ``name`` in ``year`` at ``rows`` (a fresh array); None: no such variable."""
        v = self.variables.get(name)
        if v is None:
            return None
        t = self.years.get(year)
        if t is None:
            return np.full(rows.shape, np.nan)
        out: Array = self.data[v, rows, t]
        return out


def cube(ds: Dataset) -> Cube:
    """The dataset's :class:`Cube`, built once per dataset (kept on the instance, as its panel is).

    Built from the long values directly, with the panel's contents (:attr:`Dataset.panel`: the first
    non-missing value of each unit, variable and year; units, variables and years with no value left out),
    without pivoting the panel: pivoting cost more than the rest of reading and checking a small table.
    """
    kept = ds.__dict__.get("_derive_cube")
    if kept is not None:
        return kept  # type: ignore[no-any-return]
    values = ds.values
    x = values["value"].to_numpy(dtype=np.float64)
    ok = ~np.isnan(x)
    var, variables = pd.factorize(values["variable"].to_numpy(dtype=object)[ok], sort=True)
    unit, codes = pd.factorize(values["code"].to_numpy(dtype=object)[ok], sort=True)
    year, years = pd.factorize(values["year"].to_numpy(dtype=np.int64)[ok], sort=True)
    n_units, n_years = len(codes), len(years)
    # the first value of a repeated (variable, unit, year), as the panel's ``aggfunc="first"`` takes it
    _, first = np.unique((var * n_units + unit) * n_years + year, return_index=True)
    data = np.full((len(variables), n_units + 1, n_years), np.nan)
    data[var[first], unit[first], year[first]] = x[ok][first]
    out = Cube(
        pd.Index([str(c) for c in codes], dtype=object),
        {str(k): v for v, k in enumerate(variables)},
        {int(y): t for t, y in enumerate(years)},
        data,
    )
    ds.__dict__["_derive_cube"] = out  # the dataset is frozen; like its cached panel, the cube is derived
    return out


def _list_counts(ds: Dataset, f: Formula, year: int) -> pd.Series:
    """Count (or sum of the weight column) of the list's entries per unit code in ``year``; computed once
    per dataset, list, weight column and year."""
    assert f.entries is not None  # guaranteed by Formula validation
    kept: dict[tuple[str, str | None, int, bool], pd.Series] = ds.__dict__.setdefault("_derive_counts", {})
    key = (f.entries, f.weight_column, year, f.cumulative)
    counts = kept.get(key)
    if counts is None:
        entries = ds.lists[f.entries]
        # entries without a known year (0) are counted in every year
        keep = (entries["year"] <= year) if f.cumulative else entries["year"].isin([year, 0])
        sub = entries[keep]
        if f.weight_column:
            counts = sub.groupby("code")[f.weight_column].sum(min_count=1)
        elif "weight" in sub.columns:
            counts = sub.groupby("code")["weight"].sum()
        else:
            counts = sub.groupby("code").size().astype(np.float64)
        counts = pd.Series(
            counts.to_numpy(dtype=np.float64, na_value=np.nan),
            index=pd.Index([str(c) for c in counts.index], dtype=object),
        )
        kept[key] = counts
    return counts


def _count(ds: Dataset, f: Formula, year: int, index: pd.Index, rows: Positions) -> Array:
    if f.entries not in ds.lists:
        raise UserError(Problem(f"the data has no list {f.entries!r}", expected=", ".join(sorted(ds.lists))))
    counts = _list_counts(ds, f, year)
    c = cube(ds)
    if bool((rows < len(c.codes)).all()):
        # positions of the counts in the cube's rows, once per counts
        aligned = ds.__dict__.setdefault("_derive_aligned", {})
        got = aligned.get(id(counts))
        if got is None or got[0] is not counts:
            got = aligned[id(counts)] = (counts, counts.reindex(c.codes).to_numpy(dtype=np.float64))
        out = got[1][rows]
    else:  # units the panel does not have
        out = counts.reindex(pd.Index([str(u) for u in index], dtype=object)).to_numpy(dtype=np.float64)
    # a unit with no entry has a count of zero: the list is the complete population of entries
    out = np.where(np.isnan(out), 0.0, out) * f.scale
    return np.asarray(out, dtype=np.float64)


def _var(
    ds: Dataset, name: str, year: int, index: pd.Index, framework: Framework | None, rows: Positions
) -> Array:
    got = cube(ds).get(name, year, rows)
    if got is not None:
        return got
    if framework is not None:
        for ind in [*framework.indicators(), *framework.auxiliary]:
            if ind.id == name and ind.resolved_formula().var != name:
                return _values(ds, ind.resolved_formula(), year, index, framework, rows)
    raise UserError(
        Problem(f"the data has no variable {name!r}", expected="a column or variable of that name")
    )


def _values(
    ds: Dataset, f: Formula, year: int, index: pd.Index, framework: Framework | None, rows: Positions
) -> Array:
    op = f.op
    if op is FormulaOp.list_count:
        return _count(ds, f, year, index, rows)
    if op in (FormulaOp.value, FormulaOp.growth, FormulaOp.index_growth):
        assert f.var is not None
        x = _var(ds, f.var, year, index, framework, rows)
        if op is FormulaOp.value:
            return x * f.scale
        if op is FormulaOp.index_growth:
            return (x - 100.0) * f.scale
        prev = _var(ds, f.var, year - f.lag, index, framework, rows)
        with np.errstate(divide="ignore", invalid="ignore"):
            out = 100.0 * (x / np.where(prev > 0, prev, np.nan) - 1.0)
        return out * f.scale
    assert f.num is not None and f.den is not None
    num = _var(ds, f.num, year, index, framework, rows)
    den = _var(ds, f.den, year, index, framework, rows)
    with np.errstate(divide="ignore", invalid="ignore"):
        return f.scale * num / np.where(den > 0, den, np.nan)


def values(ds: Dataset, f: Formula, year: int, index: pd.Index, framework: Framework | None = None) -> Array:
    """Value of one formula for every unit in ``index`` in ``year``, as an array (see :func:`compute`)."""
    return _values(ds, f, year, index, framework, cube(ds).rows(index))


def compute(
    ds: Dataset, f: Formula, year: int, index: pd.Index, framework: Framework | None = None
) -> pd.Series:
    """Value of one formula for every unit in ``index`` in ``year``.

    Operands are raw variables of the data or, when ``framework`` is given, other derived indicators.
    """
    return pd.Series(values(ds, f, year, index, framework), index=index, dtype=np.float64)


def formulas(framework: Framework) -> tuple[Formula, ...]:
    """The indicators' resolved formulas in the framework's order (compiled once per framework)."""
    return memo.per_object(
        framework, "formulas", lambda: tuple(ind.resolved_formula() for ind in framework.indicators())
    )


def raw_values(
    ds: Dataset, framework: Framework, year: int, codes: pd.Index, rows: Positions | None = None
) -> Array:
    """Units × indicators of raw (derived) values for one year, in the framework's indicator order
    (``rows``: the codes' rows in the :func:`cube`, when known)."""
    c = cube(ds)
    rows = c.rows(codes) if rows is None else rows
    fs: Sequence[Formula] = formulas(framework)
    out = np.empty((len(codes), len(fs)))
    t = c.years.get(year)
    plain = _plain(c, framework, fs)
    if plain.cols.size and t is not None:  # plain variables of the panel: one fancy index for all of them
        out[:, plain.cols] = c.data[plain.var[:, None], rows[None, :], t].T * plain.scale
    for j in range(len(fs)) if t is None else plain.other:
        out[:, j] = _values(ds, fs[j], year, codes, framework, rows)
    return out


def _plain(c: Cube, framework: Framework, fs: Sequence[Formula]) -> _Plain:
    """The framework's :class:`_Plain` on the cube, found once."""
    hit = c._plain.get(id(framework))
    if hit is not None and hit[0] is framework:
        return hit[1]
    plain = [
        (j, c.variables[f.var], f.scale)
        for j, f in enumerate(fs)
        if f.op is FormulaOp.value and f.var is not None and f.var in c.variables
    ]
    done = {j for j, _, _ in plain}
    found = _Plain(
        cols=np.array([j for j, _, _ in plain], dtype=np.intp),
        var=np.array([v for _, v, _ in plain], dtype=np.intp),
        scale=np.array([s for _, _, s in plain], dtype=np.float64),
        other=tuple(j for j in range(len(fs)) if j not in done),
    )
    if len(c._plain) >= _ROWS_MEMO:
        c._plain.pop(next(iter(c._plain)))
    c._plain[id(framework)] = (framework, found)
    return found


def raw_matrix(ds: Dataset, framework: Framework, year: int, codes: pd.Index) -> pd.DataFrame:
    """Units × indicators of raw (derived) values for one year, in the framework's indicator order."""
    ids = [ind.id for ind in framework.indicators()]
    return pd.DataFrame(raw_values(ds, framework, year, codes), index=codes, columns=pd.Index(ids))


def auxiliary_values(
    ds: Dataset,
    name: str | Indicator,
    year: int,
    codes: pd.Index,
    framework: Framework,
    rows: Positions | None = None,
) -> Array:
    """:func:`auxiliary` as an array (``rows``: the codes' rows in the :func:`cube`, when known)."""
    rows = cube(ds).rows(codes) if rows is None else rows
    if isinstance(name, Indicator):
        return _values(ds, name.resolved_formula(), year, codes, framework, rows)
    return _var(ds, name, year, codes, framework, rows)


def variables_values(
    ds: Dataset, names: Sequence[str], year: int, codes: pd.Index, framework: Framework, rows: Positions
) -> Array:
    """Units × ``names`` of :func:`auxiliary_values` (raw variables or derived values), the panel's variables
    taken with one fancy index."""
    c = cube(ds)
    t = c.years.get(year)
    out = np.full((len(codes), len(names)), np.nan)
    inside = [(k, c.variables[n]) for k, n in enumerate(names) if n in c.variables]
    if inside and t is not None:
        cols, var = (list(v) for v in zip(*inside, strict=True))
        out[:, cols] = c.data[np.asarray(var)[:, None], rows[None, :], t].T
    for k, n in enumerate(names):
        if n not in c.variables:
            out[:, k] = _var(ds, n, year, codes, framework, rows)
    return out


def auxiliary(
    ds: Dataset, name: str | Indicator, year: int, codes: pd.Index, framework: Framework
) -> pd.Series:
    """A raw variable or an indicator's derived value (e.g. the stage variable) for one year."""
    return pd.Series(auxiliary_values(ds, name, year, codes, framework), index=codes, dtype=np.float64)
