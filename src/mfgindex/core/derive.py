"""Derived indicators (growth rates, per-capita values, shares, intensities, list counts) from raw variables.

Every formula is computed from the dataset's panel for one year; a value needing a missing operand is
missing (never filled here: imputation is its own, flagged, stage).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from mfgindex.core.dataset import Dataset
from mfgindex.core.errors import Problem, UserError
from mfgindex.core.framework import Formula, FormulaOp, Framework, Indicator


def _var(ds: Dataset, name: str, year: int, index: pd.Index, framework: Framework | None = None) -> pd.Series:
    frame = ds.panel.get(name)
    if frame is None and framework is not None:
        for ind in [*framework.indicators(), *framework.auxiliary]:
            if ind.id == name and ind.resolved_formula().var != name:
                return compute(ds, ind.resolved_formula(), year, index, framework)
    if frame is None:
        raise UserError(
            Problem(f"the data has no variable {name!r}", expected="a column or variable of that name")
        )
    if year not in frame.columns:
        return pd.Series(np.nan, index=index, dtype=np.float64)
    return frame[year].reindex(index).astype(np.float64)


def _count(ds: Dataset, f: Formula, year: int, index: pd.Index) -> pd.Series:
    assert f.entries is not None  # guaranteed by Formula validation
    if f.entries not in ds.lists:
        raise UserError(Problem(f"the data has no list {f.entries!r}", expected=", ".join(sorted(ds.lists))))
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
    # a unit with no entry has a count of zero: the list is the complete population of entries
    return counts.reindex(index).fillna(0.0).astype(np.float64) * f.scale


def compute(
    ds: Dataset, f: Formula, year: int, index: pd.Index, framework: Framework | None = None
) -> pd.Series:
    """Value of one formula for every unit in ``index`` in ``year``.

    Operands are raw variables of the data or, when ``framework`` is given, other derived indicators.
    """
    op = f.op
    if op is FormulaOp.list_count:
        return _count(ds, f, year, index)
    if op in (FormulaOp.value, FormulaOp.growth, FormulaOp.index_growth):
        assert f.var is not None
        x = _var(ds, f.var, year, index, framework)
        if op is FormulaOp.value:
            return x * f.scale
        if op is FormulaOp.index_growth:
            return (x - 100.0) * f.scale
        prev = _var(ds, f.var, year - f.lag, index, framework)
        with np.errstate(divide="ignore", invalid="ignore"):
            out = 100.0 * (x / prev.where(prev > 0) - 1.0)
        return out * f.scale
    assert f.num is not None and f.den is not None
    num = _var(ds, f.num, year, index, framework)
    den = _var(ds, f.den, year, index, framework)
    return f.scale * num / den.where(den > 0)


def raw_matrix(ds: Dataset, framework: Framework, year: int, codes: pd.Index) -> pd.DataFrame:
    """Units × indicators of raw (derived) values for one year, in the framework's indicator order."""
    cols = {
        ind.id: compute(ds, ind.resolved_formula(), year, codes, framework) for ind in framework.indicators()
    }
    return pd.DataFrame(cols, index=codes)


def auxiliary(
    ds: Dataset, name: str | Indicator, year: int, codes: pd.Index, framework: Framework
) -> pd.Series:
    """A raw variable or an indicator's derived value (e.g. the stage variable) for one year."""
    if isinstance(name, Indicator):
        return compute(ds, name.resolved_formula(), year, codes, framework)
    return _var(ds, name, year, codes, framework)
