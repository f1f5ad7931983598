"""障碍度模型 (obstacle degree model): which indicators and dimensions hold each city back.

For unit i and indicator j with factor contribution F_j (the indicator's global weight in the index) and
deviation degree I_ij = 1 − x_ij (x on [0, 1], larger is better after normalisation), the obstacle degree is

    O_ij = F_j I_ij / Σ_j F_j I_ij,

so each unit's obstacle degrees sum to 1 (100 %). The obstacle degree of a dimension is the sum over its
indicators. Missing values are left out of the unit's sum (its degrees still sum to 1 over the indicators it
has); a unit at the best value of every indicator has no obstacles (all NaN).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from mfgindex.core.result import Result
from mfgindex.toolbox.panel import to_unit_interval, unit_indicator_weights


@dataclass(frozen=True)
class ObstacleResult:
    """Obstacle degrees and their summaries.

    Attributes
    ----------
    degrees
        Units × indicators, O_ij (rows sum to 1).
    deviation
        Units × indicators, I_ij = 1 − x_ij.
    by_dimension
        Units × dimensions, sums of O_ij over each dimension's indicators.
    top
        Long table ``code, position, indicator, degree`` of each unit's ``k`` largest obstacles.
    frequency
        Per indicator: how many units have it among their top ``k`` (``count``, ``share``) and its mean
        degree.
    """

    degrees: pd.DataFrame
    deviation: pd.DataFrame
    by_dimension: pd.DataFrame
    top: pd.DataFrame
    frequency: pd.DataFrame


def obstacle_degree(
    normalised: pd.DataFrame,
    weights: pd.Series | pd.DataFrame,
    groups: Mapping[str, Sequence[str]] | None = None,
    k: int = 5,
) -> ObstacleResult:
    """Obstacle degrees of every unit and indicator.

    Parameters
    ----------
    normalised
        Units × indicators on [0, 1], oriented so that 1 is best (NaN = missing).
    weights
        Factor contributions F_j: one weight per indicator (Series), or per unit and indicator (DataFrame,
        e.g. stage-dependent weights). Rescaling the weights does not change the degrees.
    groups
        Dimension id → its indicator ids, for ``by_dimension`` (default: none, an empty frame).
    k
        How many top obstacles to list per unit.

    Returns
    -------
    ObstacleResult

    References
    ----------
    杨丽, 孙之淳 (2015). 基于熵值法的西部新型城镇化发展水平测评. 经济问题, (3), 115-119.
    鲁春阳, 文枫, 杨庆媛, 等 (2011). 基于改进TOPSIS法的城市土地利用绩效评价及障碍因子诊断.
    资源科学, 33(3), 535-541.
    """
    x = normalised.astype(float)
    if bool(((x < -1e-12) | (x > 1 + 1e-12)).to_numpy().any()):
        raise ValueError("normalised values must lie in [0, 1]; rescale first (to_unit_interval)")
    if isinstance(weights, pd.DataFrame):
        f = weights.reindex(index=x.index, columns=x.columns).astype(float)
    else:
        w = weights.reindex(x.columns).astype(float)
        f = pd.DataFrame(np.tile(w.to_numpy(), (len(x), 1)), index=x.index, columns=x.columns)
    if bool((f < 0).to_numpy().any()) or bool(f.isna().to_numpy().any()):
        raise ValueError("weights must be given (non-negative) for every indicator")
    deviation = 1.0 - x
    contrib = f * deviation
    total = contrib.sum(axis=1, min_count=1)
    degrees = contrib.div(total.where(total > 0), axis=0)
    by_dim = pd.DataFrame(index=x.index)
    for gid, members in (groups or {}).items():
        cols = [c for c in members if c in degrees.columns]
        by_dim[gid] = degrees[cols].sum(axis=1, min_count=1)
    rows = []
    for code, row in degrees.iterrows():
        s = row.dropna()
        s = s[s > 0].sort_values(ascending=False, kind="mergesort").head(k)
        for pos, (ind, val) in enumerate(s.items(), start=1):
            rows.append({"code": code, "position": pos, "indicator": ind, "degree": float(val)})
    top = pd.DataFrame(rows, columns=["code", "position", "indicator", "degree"])
    n_units = int(degrees.notna().any(axis=1).sum())
    counts = top["indicator"].value_counts().reindex(x.columns, fill_value=0)
    frequency = pd.DataFrame(
        {
            "count": counts.astype(int),
            "share": counts / max(n_units, 1),
            "mean_degree": degrees.mean(),
            "first_count": top.loc[top["position"] == 1, "indicator"]
            .value_counts()
            .reindex(x.columns, fill_value=0),
        }
    ).sort_values(["count", "mean_degree"], ascending=False, kind="mergesort")
    frequency.index.name = "indicator"
    return ObstacleResult(
        degrees=degrees, deviation=deviation, by_dimension=by_dim, top=top, frequency=frequency
    )


def dimension_groups(result: Result) -> dict[str, list[str]]:
    """Dimension id (children of the root) → the ids of the indicators below it."""
    from mfgindex.core.framework import Aggregate, Indicator, walk

    out: dict[str, list[str]] = {}
    for child in result.framework.root.children:
        if isinstance(child, Indicator):
            out[child.id] = [child.id]
        elif isinstance(child, Aggregate):
            out[child.id] = [n.id for n in walk(child) if isinstance(n, Indicator)]
    return out


def obstacle_from_result(result: Result, k: int = 5) -> ObstacleResult:
    """Obstacle degrees of a run: normalised values rescaled to [0, 1] and each unit's global weights.

    The factor contribution is the indicator's global weight for that unit (stage weights included, see
    :func:`~mfgindex.toolbox.panel.unit_indicator_weights`).
    """
    norm = to_unit_interval(result.current.stages["normalised"], result.framework)
    weights = unit_indicator_weights(result).reindex(norm.index)
    return obstacle_degree(norm, weights, dimension_groups(result), k=k)
