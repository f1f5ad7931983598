"""Regional gap statistics: shares by region, coefficient of variation, Theil index and its split.

METHODS.md §4 ("Regional gap"). All functions are pure and accept plain arrays / Series.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray


def coefficient_of_variation(values: ArrayLike, ddof: int = 0) -> float:
    """Coefficient of variation σ / μ.

    Parameters
    ----------
    values
        Observations (finite).
    ddof
        Delta degrees of freedom of σ: 0 (population, default, as in the inequality literature) or 1.

    Returns
    -------
    float
        σ/μ; NaN when the mean is 0 or there are fewer than ``ddof + 1`` values.
    """
    x = np.asarray(values, dtype=float)
    if x.size <= ddof:
        return float("nan")
    mu = float(x.mean())
    if mu == 0.0:
        return float("nan")
    return float(x.std(ddof=ddof) / mu)


def _check_values(x: NDArray[np.float64], w: NDArray[np.float64]) -> None:
    if x.shape != w.shape:
        raise ValueError("values and weights must have the same length")
    if x.size == 0:
        raise ValueError("Theil index of an empty set is undefined")
    if not (np.all(np.isfinite(x)) and np.all(np.isfinite(w))):
        raise ValueError("Theil index needs finite values and weights")
    if np.any(x < 0) or np.any(w < 0):
        raise ValueError("Theil index needs non-negative values and weights")
    if float(np.sum(w * x)) <= 0.0:
        raise ValueError("Theil index needs a positive total")


def theil(values: ArrayLike, weights: ArrayLike | None = None) -> float:
    """Theil T index (GE(1)) of ``values``, optionally with unit weights (e.g. population).

    T = Σ_i s_i ln(x_i / μ), with s_i = w_i x_i / Σ w x the unit's share of the total and μ = Σ w x / Σ w
    the weighted mean; 0·ln 0 = 0. With equal weights this is (1/n) Σ (x_i/μ) ln(x_i/μ).

    Parameters
    ----------
    values
        Non-negative values with a positive total.
    weights
        Non-negative unit weights (default 1 for every unit).

    Returns
    -------
    float
        T ≥ 0; 0 when all values are equal; at most ln(n) with equal weights.

    References
    ----------
    Theil, H. (1967). *Economics and Information Theory*. North-Holland.
    Shorrocks, A. F. (1980). The class of additively decomposable inequality measures.
    *Econometrica*, 48(3), 613-625.
    """
    x = np.asarray(values, dtype=float)
    w = np.ones_like(x) if weights is None else np.asarray(weights, dtype=float)
    _check_values(x, w)
    mu = float(np.sum(w * x) / np.sum(w))
    s = w * x / float(np.sum(w * x))
    pos = s > 0
    return float(np.sum(s[pos] * np.log(x[pos] / mu)))


@dataclass(frozen=True)
class TheilDecomposition:
    """Theil T split into between-group and within-group parts (total = between + within)."""

    total: float
    between: float
    within: float
    by_group: dict[str, float]
    """Each group's own Theil index T_g."""
    group_share: dict[str, float]
    """Each group's share S_g of the total."""
    within_contribution: dict[str, float]
    """S_g · T_g, the group's contribution to the within part."""

    @property
    def between_share(self) -> float:
        """Between part as a share of the total (NaN when the total is 0)."""
        return self.between / self.total if self.total > 0 else float("nan")

    def to_dict(self) -> dict[str, Any]:
        """JSON-serialisable dict."""
        d = asdict(self)
        d["between_share"] = self.between_share
        return d


def theil_decomposition(
    values: ArrayLike, groups: ArrayLike, weights: ArrayLike | None = None
) -> TheilDecomposition:
    """Decompose the Theil T index into between-group and within-group inequality.

    between = Σ_g S_g ln(μ_g / μ), within = Σ_g S_g T_g, where S_g is group g's share of the (weighted)
    total, μ_g its weighted mean and T_g its own Theil index. between + within = total exactly.

    Parameters
    ----------
    values
        Non-negative values with a positive total.
    groups
        Group label of each value (e.g. region).
    weights
        Optional unit weights (population).

    Returns
    -------
    TheilDecomposition

    References
    ----------
    Shorrocks, A. F. (1980). The class of additively decomposable inequality measures.
    *Econometrica*, 48(3), 613-625.
    """
    x = np.asarray(values, dtype=float)
    w = np.ones_like(x) if weights is None else np.asarray(weights, dtype=float)
    g = np.asarray(groups).astype(str)
    _check_values(x, w)
    if g.shape != x.shape:
        raise ValueError("values and groups must have the same length")
    total_value = float(np.sum(w * x))
    mu = total_value / float(np.sum(w))
    between = 0.0
    within = 0.0
    by_group: dict[str, float] = {}
    shares: dict[str, float] = {}
    contrib: dict[str, float] = {}
    for label in sorted(set(g.tolist())):
        m = g == label
        gv = float(np.sum(w[m] * x[m]))
        share = gv / total_value
        shares[label] = share
        if gv <= 0.0:
            by_group[label] = 0.0
            contrib[label] = 0.0
            continue
        mu_g = gv / float(np.sum(w[m]))
        t_g = theil(x[m], w[m])
        by_group[label] = t_g
        contrib[label] = share * t_g
        between += share * float(np.log(mu_g / mu))
        within += share * t_g
    return TheilDecomposition(
        total=theil(x, w),
        between=between,
        within=within,
        by_group=by_group,
        group_share=shares,
        within_contribution=contrib,
    )


@dataclass(frozen=True)
class RegionalGap:
    """Regional gap statistics of one value column over a set of cities."""

    column: str
    n: int
    total: float
    share_by_region: dict[str, float]
    mean_by_region: dict[str, float]
    count_by_region: dict[str, int]
    cv: float
    cv_by_region: dict[str, float]
    cv_of_region_means: float
    theil: TheilDecomposition

    def to_dict(self) -> dict[str, Any]:
        """JSON-serialisable dict."""
        d = asdict(self)
        d["theil"] = self.theil.to_dict()
        return d


def regional_gap(
    table: pd.DataFrame, column: str, group: str = "region", weights: str | None = None, ddof: int = 0
) -> RegionalGap:
    """Shares, CV and Theil decomposition of ``table[column]`` by ``table[group]``.

    Rows with a missing value are left out (``n`` says how many were used).

    Parameters
    ----------
    table
        Ranking table (or any frame) with the value and group columns.
    column
        Value column, e.g. industrial value added or the index score.
    group
        Grouping column (default ``region``: 东部/中部/西部/东北).
    weights
        Optional weight column for the Theil index (e.g. population).
    ddof
        Degrees of freedom of the standard deviation in the CVs.
    """
    if column not in table.columns:
        raise KeyError(f"column {column!r} not in table")
    cols = [column, group] + ([weights] if weights else [])
    d = table[cols].dropna()
    x = d[column].astype(float)
    total = float(x.sum())
    grouped = x.groupby(d[group])
    return RegionalGap(
        column=column,
        n=len(d),
        total=total,
        share_by_region={str(k): float(v) / total for k, v in grouped.sum().items()},
        mean_by_region={str(k): float(v) for k, v in grouped.mean().items()},
        count_by_region={str(k): int(v) for k, v in grouped.size().items()},
        cv=coefficient_of_variation(x.to_numpy(), ddof=ddof),
        cv_by_region={str(k): coefficient_of_variation(v.to_numpy(), ddof=ddof) for k, v in grouped},
        cv_of_region_means=coefficient_of_variation(grouped.mean().to_numpy(), ddof=ddof),
        theil=theil_decomposition(
            x.to_numpy(), d[group].to_numpy(), None if weights is None else d[weights].to_numpy()
        ),
    )


def gap_change(current: RegionalGap, previous: RegionalGap) -> dict[str, Any]:
    """Change of the gap statistics from the previous year (current − previous)."""
    regions = sorted(set(current.share_by_region) | set(previous.share_by_region))
    return {
        "cv": current.cv - previous.cv,
        "theil_total": current.theil.total - previous.theil.total,
        "theil_between": current.theil.between - previous.theil.between,
        "theil_within": current.theil.within - previous.theil.within,
        "share_by_region": {
            r: current.share_by_region.get(r, 0.0) - previous.share_by_region.get(r, 0.0) for r in regions
        },
    }
