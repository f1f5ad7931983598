"""Coverage gates: a year is evaluated only when every dimension has at least half of its data cells.

A dimension's cells are the evaluated units × the dimension's indicators, counted on the raw (derived,
not imputed) values. A year in which a dimension has less than ``MIN_SHARE`` of them would rank cities
on imputed or missing values there, so ``run`` refuses it unless the user allows thin years; the report
and the dashboard mark such years (and a year slider offers only the passing ones).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from types import MappingProxyType
from typing import Any, NamedTuple

import numpy as np

from mfgindex.core import derive
from mfgindex.core.dataset import Dataset
from mfgindex.core.errors import Problem
from mfgindex.core.framework import Aggregate, Framework, walk

MIN_SHARE = 0.5


class YearGate(NamedTuple):
    """One year's gate: share of data cells per dimension, and the dimensions below the threshold."""

    year: int
    shares: Mapping[str, float]
    thin: tuple[str, ...]
    names: Mapping[str, str] = MappingProxyType({})

    @property
    def passed(self) -> bool:
        return not self.thin

    def describe(self) -> str:
        """``规模速度 0 %、质量效益 12 %`` for the thin dimensions."""
        return "、".join(f"{self.names.get(d, d)} ({d}) {self.shares[d]:.0%}" for d in self.thin)

    def record(self) -> dict[str, Any]:
        return {
            "year": self.year,
            "passed": self.passed,
            "thin": list(self.thin),
            "shares": {k: round(v, 6) for k, v in self.shares.items()},
            "min_share": MIN_SHARE,
        }

    def problem(self) -> Problem:
        return Problem(
            f"{self.year} 年数据过薄 (thin year): {self.describe()} 的数据单元格不足 {MIN_SHARE:.0%} "
            f"(dimensions with less than {MIN_SHARE:.0%} of their cells); 加 --allow-thin 仍可计算 "
            "(evaluate anyway with --allow-thin)",
            column="--year",
            value=str(self.year),
            expected=f"a year where every dimension has ≥ {MIN_SHARE:.0%} of its cells",
        )


def dimensions(framework: Framework) -> list[Aggregate]:
    """The root's children that are aggregates (the dimensions, 维度)."""
    return [c for c in framework.root.children if isinstance(c, Aggregate)]


def gate(ds: Dataset, framework: Framework, years: Iterable[int] | None = None) -> list[YearGate]:
    """The coverage gate of each year (default: every year of the data), in year order."""
    from mfgindex.core.pipeline import universe  # pipeline imports much; only needed here

    codes = universe(ds, framework)
    dims = dimensions(framework)
    position = {ind.id: j for j, ind in enumerate(framework.indicators())}  # raw_values' column order
    members = {d.id: [position[n.id] for n in walk(d) if not isinstance(n, Aggregate)] for d in dims}
    names = MappingProxyType({d.id: d.name_zh or d.id for d in dims})
    out = []
    for year in sorted(set(ds.years()) if years is None else {int(y) for y in years}):
        present = ~np.isnan(derive.raw_values(ds, framework, year, codes))
        # the share of present cells (a mean of 0/1 values: exact in any order)
        shares = {
            d: float(present[:, cols].mean()) if cols and len(codes) else 0.0 for d, cols in members.items()
        }
        thin = tuple(d for d, s in shares.items() if s < MIN_SHARE)
        out.append(YearGate(year, MappingProxyType(shares), thin, names))
    return out


def passing_years(ds: Dataset, framework: Framework) -> list[int]:
    """Years every dimension of which has at least half of its cells (for a year slider)."""
    return [g.year for g in gate(ds, framework) if g.passed]
