"""Comparable over time: the index of two years normalised on one scale (a panel-normalised index).

The per-year index (each year min-maxed on its own) is the ranking; its level is not comparable across
years — a city can rank the same and score lower only because the leader moved. Statements about change
in the index level ("X % of cities raised their index") use this panel index: both years' treated
indicator values are normalised together (``methods.panel``: the bounds are taken over the two years), so
a higher score means a higher value on the common scale. Stage weights follow each year's own stage.
:func:`panel_index` does the same over any number of years (the dashboard's trend lines).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd

from mfgindex.analysis.run import RunData
from mfgindex.core import framework as fw_mod
from mfgindex.core import pipeline
from mfgindex.core.dataset import Dataset
from mfgindex.core.errors import UserError
from mfgindex.core.framework import Framework
from mfgindex.core.plan import compile_plan
from mfgindex.core.weights.classes import local_weights


@dataclass(frozen=True)
class PanelChange:
    """Change of the panel-normalised index between two years."""

    year: int
    previous_year: int
    top_n: int
    n_top: int
    """Top-N cities (by the per-year ranking) with a panel score in both years."""
    rose_top: int
    n_all: int
    rose_all: int

    @property
    def share_top(self) -> float:
        return self.rose_top / self.n_top if self.n_top else float("nan")

    @property
    def share_all(self) -> float:
        return self.rose_all / self.n_all if self.n_all else float("nan")


def panel_scores(run: RunData) -> pd.DataFrame | None:
    """Units × (``index``, ``index_prev``): the panel-normalised index of the run's year and previous year;
    None when the run has no previous year or its data cannot be reloaded."""
    if run.previous_year is None or run.dataset is None:
        return None
    fw = fw_mod.with_methods(run.framework, panel=True)
    try:
        res = pipeline.evaluate(run.dataset, fw, run.year, run.previous_year)
    except UserError:
        return None
    if res.previous is None:
        return None
    root = run.index_id
    return pd.DataFrame({"index": res.current.scores[root], "index_prev": res.previous.scores[root]})


def panel_change(run: RunData) -> PanelChange | None:
    """How many cities raised their panel-normalised index, in the top N and among all ranked cities."""
    scores = panel_scores(run)
    if scores is None or run.previous_year is None:
        return None
    both = scores.dropna()
    ranked = run.table[run.table["rank"].notna()]
    top = ranked[ranked["rank"] <= run.top_n].index
    in_top = both.reindex([c for c in top if c in both.index])
    in_all = both.reindex([c for c in ranked.index if c in both.index])
    return PanelChange(
        year=run.year,
        previous_year=run.previous_year,
        top_n=run.top_n,
        n_top=len(in_top),
        rose_top=int((in_top["index"] > in_top["index_prev"]).sum()),
        n_all=len(in_all),
        rose_all=int((in_all["index"] > in_all["index_prev"]).sum()),
    )


def panel_index(ds: Dataset, framework: Framework, years: Sequence[int]) -> pd.DataFrame:
    """Units × years: the index of every year with the indicators normalised on the bounds of all the years'
    treated values together (what ``methods.panel`` does for two years, over ``years``), so a line over the
    years compares levels. Units a year does not rank are missing in that year.

    Each year is evaluated once on its own (treated values), then again with the other years' treated
    values as the normalisation's panel.
    """
    codes = pipeline.universe(ds, framework)
    local = local_weights(framework)
    plan = compile_plan(framework, local)
    years = sorted(set(years))
    own = {y: pipeline.evaluate_year(ds, framework, y, codes, local=local, plan=plan) for y in years}
    root = framework.root.id
    out: dict[int, pd.Series] = {}
    for y in years:
        others = [own[o].stages["treated"] for o in years if o != y]
        panel_with = pd.concat(others, ignore_index=True) if others else None
        res = pipeline.evaluate_year(ds, framework, y, codes, panel_with, local=local, plan=plan)
        out[y] = res.scores[root]
    return pd.DataFrame(out).reindex(codes)
