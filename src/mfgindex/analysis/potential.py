"""发展潜力城市 (cities with development potential) by a configurable, documented rule.

CAICT publishes ten 发展潜力城市 but no rule (METHODS.md §4). Ours: among the cities ranked just outside the
top N (default places 51-100), take the ``k`` with the strongest momentum, measured by one of

- ``rank_gain``: places gained since last year (prev_rank − rank), ties by current rank;
- ``score_gain``: index score gained since last year (needs ``<index>_prev``);
- ``residual``: positive residual of the index score on log GDP per capita (the Global Innovation Index
  "achievers" idea: doing better than the development level predicts).

The rule's description (Chinese) goes into every output that lists the cities.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

from mfgindex.analysis.distribution import CityRef

Method = Literal["rank_gain", "score_gain", "residual"]


@dataclass(frozen=True)
class PotentialRule:
    """The rule that picks 发展潜力城市.

    Attributes
    ----------
    first, last
        Window of national ranks considered (inclusive), default 51-100.
    k
        Number of cities.
    method
        ``rank_gain``, ``score_gain`` or ``residual`` (see the module docstring).
    index_id
        Index score column.
    gdp_per_capita
        Column of GDP per capita (``residual`` only).
    """

    first: int = 51
    last: int = 100
    k: int = 10
    method: Method = "rank_gain"
    index_id: str = "index"
    gdp_per_capita: str = "gdp_per_capita"

    def describe(self) -> str:
        """The rule in one Chinese sentence, for reports."""
        what = {
            "rank_gain": "较上年排名提升位次最多",
            "score_gain": "较上年指数得分提升最多",
            "residual": "指数得分高于按人均GDP预测水平最多（指数对人均GDP对数回归的正残差最大）",
        }[self.method]
        return f"在全国排名第{self.first}-{self.last}位的城市中，选取{what}的{self.k}个城市。"

    def references(self) -> str:
        """Source of the idea behind the rule."""
        return (
            "Cornell University, INSEAD & WIPO, The Global Innovation Index "
            "(innovation achievers relative to GDP per capita); rule otherwise ours (METHODS.md §4)."
        )


@dataclass(frozen=True)
class PotentialCities:
    """Result of :func:`potential_cities`."""

    rule: str
    method: str
    cities: tuple[CityRef, ...]
    momentum: tuple[float, ...]


def potential_cities(table: pd.DataFrame, rule: PotentialRule | None = None) -> PotentialCities:
    """Pick 发展潜力城市 by ``rule`` (default :class:`PotentialRule`).

    Raises
    ------
    ValueError
        When a column the method needs is missing.
    """
    rule = rule or PotentialRule()
    window = table[(table["rank"] >= rule.first) & (table["rank"] <= rule.last)]
    if rule.method == "rank_gain":
        if "prev_rank" not in table.columns:
            raise ValueError("rank_gain needs prev_rank")
        momentum = window["prev_rank"] - window["rank"]
    elif rule.method == "score_gain":
        prev = f"{rule.index_id}_prev"
        if prev not in table.columns or rule.index_id not in table.columns:
            raise ValueError(f"score_gain needs {rule.index_id} and {prev}")
        momentum = window[rule.index_id] - window[prev]
    else:
        for col in (rule.index_id, rule.gdp_per_capita):
            if col not in table.columns:
                raise ValueError(f"residual needs column {col}")
        d = table[[rule.index_id, rule.gdp_per_capita]].dropna()
        d = d[d[rule.gdp_per_capita] > 0]
        x = np.log(d[rule.gdp_per_capita].to_numpy(dtype=float))
        y = d[rule.index_id].to_numpy(dtype=float)
        slope, intercept = np.polyfit(x, y, 1)
        resid = pd.Series(y - (intercept + slope * x), index=d.index)
        momentum = resid.reindex(window.index)
    m = pd.DataFrame({"m": momentum, "rank": window["rank"]}).dropna()
    m = m.sort_values(["m", "rank"], ascending=[False, True]).head(rule.k)
    return PotentialCities(
        rule=rule.describe(),
        method=rule.method,
        cities=tuple(CityRef(str(c), str(table.at[c, "name"]), int(r["rank"])) for c, r in m.iterrows()),
        momentum=tuple(float(v) for v in m["m"]),
    )
