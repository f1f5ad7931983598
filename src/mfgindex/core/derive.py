"""Derived indicators (growth rates, per-capita values, shares, intensities, list counts) from raw variables.

Every formula is computed from the dataset's panel for one year; a value needing a missing operand is
missing (never filled here: imputation is its own, flagged, stage).

The work is done on plain arrays: the panel is pivoted once per dataset into a cube (variables × units ×
years, :func:`cube`) and each list's entries are coded once (:func:`_coded_list`); a year's values of the
units asked for are then a fancy index into the cube, and a list count one ``bincount``. The pandas
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


@dataclass(frozen=True, eq=False)
class Cube:
    """The dataset's panel as one array: ``data[v, i, t]`` is variable ``v`` of unit ``codes[i]`` in
    ``years[t]``; row ``len(codes)`` is all-NaN, the row of a unit the panel does not have."""

    codes: pd.Index
    variables: dict[str, int]
    years: dict[int, int]
    data: Array
    _rows: dict[tuple[str, ...], Positions] = field(default_factory=dict, repr=False)

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
    """The dataset's :class:`Cube`, built once per dataset (kept on the instance, as its panel is)."""
    kept = ds.__dict__.get("_derive_cube")
    if kept is not None:
        return kept  # type: ignore[no-any-return]
    panel = ds.panel
    seen: dict[str, None] = {}
    for frame in panel.values():  # the panel's frames share one index; a union in case they do not
        seen.update(dict.fromkeys(map(str, frame.index)))
    codes = pd.Index(list(seen), dtype=object)
    years = sorted({int(y) for frame in panel.values() for y in frame.columns})
    year_pos = {y: k for k, y in enumerate(years)}
    data = np.full((len(panel), len(codes) + 1, len(years)), np.nan)
    for v, frame in enumerate(panel.values()):
        rows = codes.get_indexer(pd.Index([str(c) for c in frame.index], dtype=object))
        cols = [year_pos[int(y)] for y in frame.columns]
        data[v, rows[:, None], cols] = frame.to_numpy(dtype=np.float64, na_value=np.nan)
    out = Cube(codes, {str(k): v for v, k in enumerate(panel)}, year_pos, data)
    ds.__dict__["_derive_cube"] = out  # the dataset is frozen; like its cached panel, the cube is derived
    return out


@dataclass(frozen=True, eq=False)
class _List:
    codes: pd.Index  # distinct codes of the entries
    entry_code: Positions  # per entry: position in ``codes``
    year: npt.NDArray[np.int64]
    weights: dict[str | None, Array]  # column (None: the "weight" column or 1) → per entry, NaN as 0


def _coded_list(ds: Dataset, name: str, weight_column: str | None) -> _List:
    kept: dict[str, _List] = ds.__dict__.setdefault("_derive_lists", {})
    coded = kept.get(name)
    if coded is None:
        entries = ds.lists[name]
        entry_code, uniques = pd.factorize(entries["code"].astype(str).to_numpy(dtype=object))
        coded = _List(
            pd.Index(uniques, dtype=object),
            np.asarray(entry_code, dtype=np.intp),
            entries["year"].to_numpy(dtype=np.int64),
            {},
        )
        kept[name] = coded
    if weight_column not in coded.weights:
        entries = ds.lists[name]
        col = weight_column or ("weight" if "weight" in entries.columns else None)
        w = np.ones(len(entries)) if col is None else entries[col].to_numpy(dtype=np.float64, na_value=np.nan)
        # a sum skips missing values; a unit whose entries all miss it counts zero (as a unit without entries)
        coded.weights[weight_column] = np.where(np.isnan(w), 0.0, w)
    return coded


def _count(ds: Dataset, f: Formula, year: int, index: pd.Index) -> Array:
    assert f.entries is not None  # guaranteed by Formula validation
    if f.entries not in ds.lists:
        raise UserError(Problem(f"the data has no list {f.entries!r}", expected=", ".join(sorted(ds.lists))))
    coded = _coded_list(ds, f.entries, f.weight_column)
    # entries without a known year (0) are counted in every year
    keep = (coded.year <= year) if f.cumulative else ((coded.year == year) | (coded.year == 0))
    unit = coded.codes.get_indexer(pd.Index([str(c) for c in index], dtype=object))  # distinct code → row
    where = np.full(len(coded.codes), -1, dtype=np.intp)
    hit = unit >= 0
    where[unit[hit]] = np.flatnonzero(hit)
    row = where[coded.entry_code]
    keep &= row >= 0
    # a unit with no entry has a count of zero: the list is the complete population of entries
    counts = np.bincount(row[keep], weights=coded.weights[f.weight_column][keep], minlength=len(index))
    out: Array = counts.astype(np.float64) * f.scale
    return out


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
        return _count(ds, f, year, index)
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


def raw_values(ds: Dataset, framework: Framework, year: int, codes: pd.Index) -> Array:
    """Units × indicators of raw (derived) values for one year, in the framework's indicator order."""
    rows = cube(ds).rows(codes)
    fs: Sequence[Formula] = formulas(framework)
    out = np.empty((len(codes), len(fs)))
    for j, f in enumerate(fs):
        out[:, j] = _values(ds, f, year, codes, framework, rows)
    return out


def raw_matrix(ds: Dataset, framework: Framework, year: int, codes: pd.Index) -> pd.DataFrame:
    """Units × indicators of raw (derived) values for one year, in the framework's indicator order."""
    ids = [ind.id for ind in framework.indicators()]
    return pd.DataFrame(raw_values(ds, framework, year, codes), index=codes, columns=pd.Index(ids))


def auxiliary_values(
    ds: Dataset, name: str | Indicator, year: int, codes: pd.Index, framework: Framework
) -> Array:
    """:func:`auxiliary` as an array."""
    rows = cube(ds).rows(codes)
    if isinstance(name, Indicator):
        return _values(ds, name.resolved_formula(), year, codes, framework, rows)
    return _var(ds, name, year, codes, framework, rows)


def auxiliary(
    ds: Dataset, name: str | Indicator, year: int, codes: pd.Index, framework: Framework
) -> pd.Series:
    """A raw variable or an indicator's derived value (e.g. the stage variable) for one year."""
    return pd.Series(auxiliary_values(ds, name, year, codes, framework), index=codes, dtype=np.float64)
