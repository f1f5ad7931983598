"""Checks of a dataset against a framework. Returns problems; never changes data.

Checks: variables the framework needs but the data lacks; lists it counts but the data lacks; values
impossible for the variable's kind (negative amounts or counts, non-integer counts, shares outside
[0, 1]); denominators of formulas that are zero or negative; values 10⁴ times away from the variable's
median (a unit slip, e.g. 元 typed as 亿元). Reading problems (unknown city, duplicates, non-numeric cells)
are found by ``mfgindex.core.ingest``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from mfgindex.core.dataset import Dataset
from mfgindex.core.errors import Problem
from mfgindex.core.framework import Framework

SLIP_ORDERS = 4.0


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
    denominators = {
        f.den
        for i in [*framework.indicators(), *framework.auxiliary]
        if (f := i.resolved_formula()).den is not None
    }
    every = values["value"].to_numpy(dtype=np.float64)
    # positions per variable, in the variables' sorted order; rows are built only for flagged values
    # (building a row per value, or a sub-frame per variable, cost most of a small table's reading time)
    groups = {str(k): at for k, at in values.groupby("variable", sort=True).indices.items()}
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
        nz = np.abs(x[x != 0])
        if nz.size >= 5:
            med = float(np.median(nz))
            with np.errstate(divide="ignore"):
                orders = np.abs(np.log10(np.abs(x) / med))
            # far above the median is an error (万元 typed as 元); far below is only a warning, as
            # real data have values near zero (e.g. ASEM's Elec)
            slip = (x != 0) & (orders >= SLIP_ORDERS)
            if not slip.any():
                continue
            for (_, row), big in zip(values.iloc[at[slip]].iterrows(), np.abs(x[slip]) > med, strict=True):
                problems.append(
                    _at(
                        row,
                        f"value is 10⁴ times away from the median of {name} ({med:g}): unit slip?",
                        f"{row['value']:g}",
                        "the variable's unit",
                        "error" if big else "warning",
                    )
                )
    return problems
