"""Bridges from a run's :class:`~mfgindex.core.result.Result` (or a multi-year panel) to the plain frames
that the toolbox methods take.

The engine evaluates one year plus its previous year. For the multi-year methods (kernel density,
convergence, Markov chains, coupling over years) :func:`build_panel` evaluates every requested year with the
same framework and, by default, normalises all years *together* (COINr's panel-wide "global" min-max), so
that scores are comparable over time.

Caveat for the embedded data (see docs/toolbox.md): the list indicators (green factories, green parks,
green supply chains, innovation centres, STAR Market firms, advanced clusters) are *cumulative* counts up to
each year; green lists start in 2017 and the STAR Market opened in 2019, so years before 2019 carry
structural zeros, and the shipped green lists end with the 2021 batch (2022-2023 repeat 2021).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType

import numpy as np
import pandas as pd

from mfgindex.core import pipeline
from mfgindex.core.dataset import Dataset
from mfgindex.core.errors import Problem, UserError
from mfgindex.core.framework import Framework
from mfgindex.core.methods import NormaliseMethod
from mfgindex.core.result import Result, YearResult
from mfgindex.core.weights.classes import global_weights, local_weights

#: Number of years a default panel spans (ending with the evaluated year).
DEFAULT_SPAN = 5


@dataclass(frozen=True)
class Panel:
    """Scores and normalised indicators of several years under one framework.

    Attributes
    ----------
    years
        Years in ascending order.
    scores
        Year → units × aggregate ids (the root id is the index).
    normalised
        Year → units × indicator ids (the framework's normalised scale, e.g. 0-100).
    units
        Unit attributes (name, province, region …) indexed by code.
    framework
        The framework every year was evaluated with.
    comparable
        True when all years were normalised together (scores comparable over time).
    """

    years: tuple[int, ...]
    scores: Mapping[int, pd.DataFrame]
    normalised: Mapping[int, pd.DataFrame]
    units: pd.DataFrame
    framework: Framework
    comparable: bool

    @property
    def root(self) -> str:
        return self.framework.root.id

    def wide(self, column: str | None = None) -> pd.DataFrame:
        """Units × years of one aggregate's score (default: the index)."""
        col = column or self.root
        return pd.DataFrame({y: self.scores[y][col] for y in self.years})

    def dimensions(self) -> list[str]:
        """Ids of the root's children (the dimensions)."""
        return [c.id for c in self.framework.root.children]


def panel_from_result(result: Result) -> Panel:
    """The two years (previous, current) of a run as a :class:`Panel` (comparable only if the run used
    ``--panel``)."""
    years: dict[int, YearResult] = {}
    if result.previous is not None:
        years[result.previous.year] = result.previous
    years[result.current.year] = result.current
    ys = tuple(sorted(years))
    return Panel(
        years=ys,
        scores=MappingProxyType({y: years[y].scores for y in ys}),
        normalised=MappingProxyType({y: years[y].stages["normalised"] for y in ys}),
        units=result.units,
        framework=result.framework,
        comparable=bool(result.framework.methods.panel),
    )


def default_years(ds: Dataset, year: int, span: int = DEFAULT_SPAN) -> tuple[int, ...]:
    """The ``span`` years ending with ``year`` that the data has."""
    have = set(ds.years())
    return tuple(y for y in range(year - span + 1, year + 1) if y in have)


def build_panel(ds: Dataset, framework: Framework, years: Sequence[int], comparable: bool = True) -> Panel:
    """Evaluate each year of ``years`` with ``framework``.

    Parameters
    ----------
    ds, framework
        As for :func:`mfgindex.core.pipeline.evaluate`.
    years
        At least two years present in the data.
    comparable
        Normalise the treated values of all years together (panel-wide min-max / z-score, as COINr's
        ``global = TRUE``), so that a score of 60 means the same in every year. With ``False`` each year is
        normalised on its own (ranks comparable, levels not).

    Returns
    -------
    Panel
    """
    ys = tuple(sorted({int(y) for y in years}))
    have = set(ds.years())
    missing = [y for y in ys if y not in have]
    if missing:
        raise UserError(
            Problem(f"no data for year(s) {missing}", column="--years", expected=f"within {sorted(have)}")
        )
    if len(ys) < 2:
        raise UserError(Problem("a panel needs at least two years", column="--years"))
    codes = pipeline.universe(ds, framework)
    first = {y: pipeline.evaluate_year(ds, framework, y, codes) for y in ys}
    if comparable:
        out: dict[int, YearResult] = {}
        for y in ys:
            others = pd.concat([first[o].stages["treated"] for o in ys if o != y])
            out[y] = pipeline.evaluate_year(ds, framework, y, codes, others)
    else:
        out = first
    return Panel(
        years=ys,
        scores=MappingProxyType({y: out[y].scores for y in ys}),
        normalised=MappingProxyType({y: out[y].stages["normalised"] for y in ys}),
        units=ds.units,
        framework=framework,
        comparable=comparable,
    )


def unit_range(framework: Framework) -> tuple[float, float]:
    """The (lo, hi) range of normalised values and scores under ``framework`` (min-max range; 0-100 else)."""
    m = framework.methods
    if m.normalise is NormaliseMethod.minmax:
        lo, hi = m.range
        return float(lo), float(hi)
    return 0.0, 100.0


def to_unit_interval(frame: pd.DataFrame, framework: Framework) -> pd.DataFrame:
    """Rescale normalised values or scores to [0, 1].

    Under min-max normalisation this divides by the framework's range (so 0-100 → 0-1 exactly); under any
    other normalisation each column is min-max rescaled over the units, which keeps its order.
    """
    if framework.methods.normalise is NormaliseMethod.minmax:
        lo, hi = unit_range(framework)
        return ((frame - lo) / (hi - lo)).clip(0.0, 1.0)
    lo_s, hi_s = frame.min(), frame.max()
    span = (hi_s - lo_s).replace(0.0, np.nan)
    return ((frame - lo_s) / span).fillna(0.0).where(frame.notna())


def unit_indicator_weights(result: Result) -> pd.DataFrame:
    """Each unit's global weight of each indicator (units × indicators).

    With stage-dependent weights (the caict2023 preset's 追赶期/转型期/引领期) the weights of the stage node
    differ by unit; the global weight is then the product of the unit's stage weight and the fixed local
    weights below it. Without stages every row equals ``result.global_weights``.
    """
    cur = result.current
    ids = [i.id for i in result.framework.indicators()]
    index = cur.scores.index
    if not cur.weights:
        g = result.global_weights.reindex(ids)
        return pd.DataFrame(np.tile(g.to_numpy(), (len(index), 1)), index=index, columns=ids)
    local = local_weights(result.framework)
    node, per_unit = next(iter(cur.weights.items()))
    rows = []
    for code in index:
        patched = dict(local)
        patched[node] = per_unit.loc[code]
        rows.append(global_weights(result.framework, patched).reindex(ids).to_numpy())
    return pd.DataFrame(np.vstack(rows), index=index, columns=ids)
