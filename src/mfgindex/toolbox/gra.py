"""灰色关联分析 (grey relational analysis, GRA) and the TOPSIS-GRA combination.

Grey relational coefficient of comparison series j at point k against a reference series x_0:

    ξ_j(k) = (Δmin + ρ Δmax) / (Δ_j(k) + ρ Δmax),   Δ_j(k) = |x_0(k) − x_j(k)|,

with Δmin, Δmax the two-level minimum and maximum of Δ over all series and points and the resolution
(distinguishing) coefficient ρ ∈ (0, 1], 0.5 by default. The grey relational grade is the (weighted)
mean of ξ over the points.

Two uses:

* :func:`gra_scores` — an evaluation method: each unit is a comparison series over the indicators, the
  reference is the ideal unit (column maxima of data oriented so that larger is better); the grade scores the
  unit.
* :func:`gra_relation` — factor analysis: the reference series is the index over the units, each indicator
  a comparison series; the grade says how closely the indicator moves with the index.

Missing values are left out (of Δmin/Δmax and of the means, with the weights rescaled over what is present).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

from mfgindex.core.errors import Problem, UserError
from mfgindex.core.weights.topsis import topsis

Dimensionless = Literal["mean", "initial", "minmax", "none"]


def _check_rho(rho: float) -> None:
    if not 0.0 < rho <= 1.0:
        raise UserError(Problem("resolution coefficient ρ must be in (0, 1]", value=str(rho), column="--rho"))


def relational_coefficients(delta: np.ndarray, rho: float = 0.5) -> np.ndarray:
    """ξ = (Δmin + ρΔmax) / (Δ + ρΔmax) over a matrix of absolute differences (NaN kept as NaN).

    When every difference is 0 (every series equals the reference) the formula is 0/0; every coefficient is
    then defined as 1, a perfect relation. When Δmax is so small that ρΔmax underflows (below the smallest
    normal float, e.g. Δmax = 5e-324) the formula is evaluated scaled by Δmax, (Δmin/Δmax + ρ) /
    (Δ/Δmax + ρ), which is the same ξ without the 0/0; otherwise it is evaluated as written.
    """
    _check_rho(rho)
    finite = delta[np.isfinite(delta)]
    if finite.size == 0:
        return np.full_like(delta, np.nan)
    dmin, dmax = float(finite.min()), float(finite.max())
    if dmax == 0.0:  # all deviations 0: perfect relation
        return np.where(np.isfinite(delta), 1.0, np.nan)
    if rho * dmax < np.finfo(float).tiny:  # ρΔmax underflows: Δ = 0 would give 0/0
        return (dmin / dmax + rho) / (delta / dmax + rho)
    return (dmin + rho * dmax) / (delta + rho * dmax)


def _weighted_mean(xi: np.ndarray, w: np.ndarray) -> np.ndarray:
    present = np.isfinite(xi)
    ww = np.where(present, w, 0.0)
    num = np.nansum(np.where(present, xi, 0.0) * ww, axis=1)
    den = ww.sum(axis=1)
    out: np.ndarray = np.divide(num, den, out=np.full(len(xi), np.nan), where=den > 0)
    return out


@dataclass(frozen=True)
class GraScores:
    """GRA as an evaluation method: coefficients (units × indicators), grade and rank per unit."""

    coefficients: pd.DataFrame
    scores: pd.DataFrame
    reference: pd.Series
    rho: float


def gra_scores(
    x: pd.DataFrame, weights: pd.Series | None = None, rho: float = 0.5, reference: pd.Series | None = None
) -> GraScores:
    """Grey relational grade of each unit against the ideal unit.

    Parameters
    ----------
    x
        Units × indicators, dimensionless and oriented (larger is better), e.g. normalised values.
    weights
        Indicator weights (default equal); rescaled to sum 1 over the indicators a unit has.
    rho
        Resolution coefficient ρ (default 0.5).
    reference
        Reference series (default: the column maxima, the ideal unit).

    Returns
    -------
    GraScores
        Grades in (0, 1]; a unit equal to the reference on every indicator has grade 1, and when every unit
        equals the reference (all deviations 0) every grade is 1 (see :func:`relational_coefficients`).

    References
    ----------
    Deng, J. L. (1982). Control problems of grey systems. *Systems & Control Letters*, 1(5), 288-294.
    Deng, J. L. (1989). Introduction to grey system theory. *The Journal of Grey System*, 1(1), 1-24.
    刘思峰, 等 (2017). 灰色系统理论及其应用（第8版）. 科学出版社.
    """
    a = x.to_numpy(dtype=float)
    ref = x.max() if reference is None else reference.reindex(x.columns).astype(float)
    delta = np.abs(a - ref.to_numpy()[None, :])
    xi = relational_coefficients(delta, rho)
    w = np.ones(a.shape[1]) if weights is None else weights.reindex(x.columns).astype(float).to_numpy()
    if np.any(~np.isfinite(w)) or np.any(w < 0):
        raise UserError(Problem("GRA weights must be non-negative, one per indicator"))
    grade = _weighted_mean(xi, np.broadcast_to(w, a.shape))
    scores = pd.DataFrame({"grade": grade}, index=x.index)
    scores["rank"] = scores["grade"].rank(ascending=False, method="min").astype("Int64")
    return GraScores(
        coefficients=pd.DataFrame(xi, index=x.index, columns=x.columns), scores=scores, reference=ref, rho=rho
    )


def dimensionless(frame: pd.DataFrame, method: Dimensionless) -> pd.DataFrame:
    """Make series comparable: ``mean`` (均值化, x / mean), ``initial`` (初值化, x / first value),
    ``minmax`` ((x − min)/(max − min)) or ``none``. Columns are series, rows the points."""
    f = frame.astype(float)
    if method == "mean":
        m = f.mean()
        return f / m.where(m != 0)
    if method == "initial":
        first = f.iloc[0]
        return f / first.where(first != 0)
    if method == "minmax":
        lo, hi = f.min(), f.max()
        return (f - lo) / (hi - lo).where(hi > lo)
    if method == "none":
        return f
    raise ValueError(f"unknown dimensionless method {method!r}")


def gra_relation(
    reference: pd.Series, factors: pd.DataFrame, rho: float = 0.5, method: Dimensionless = "mean"
) -> pd.DataFrame:
    """Grey relational grade of each factor (column) with a reference series over the same points (rows).

    Parameters
    ----------
    reference
        The system's characteristic series (e.g. the index by city, or by year).
    factors
        Points × factors (e.g. cities × indicators), aligned on the index of ``reference``.
    rho
        Resolution coefficient ρ (default 0.5).
    method
        Dimensionless treatment applied to every series first (default ``mean``, 均值化).

    Returns
    -------
    DataFrame
        Per factor: ``grade`` (mean ξ over the points), ``rank`` (1 = most related) and ``points`` used;
        sorted by rank.

    References
    ----------
    Deng, J. L. (1989). Introduction to grey system theory. *The Journal of Grey System*, 1(1), 1-24.
    刘思峰, 等 (2017). 灰色系统理论及其应用（第8版）. 科学出版社.
    """
    idx = reference.index.intersection(factors.index)
    data = pd.concat([reference.reindex(idx).rename("__ref__"), factors.reindex(idx)], axis=1)
    data = data[data["__ref__"].notna()]
    z = dimensionless(data, method)
    y0 = z["__ref__"].to_numpy()
    comp = z.drop(columns="__ref__")
    delta = np.abs(comp.to_numpy() - y0[:, None])
    xi = relational_coefficients(delta, rho)
    present = np.isfinite(xi)
    points = present.sum(axis=0)
    # a constant or empty factor (e.g. every value treated to 0) has no relational grade: NaN, ranked last
    grade = np.divide(
        np.where(present, xi, 0.0).sum(axis=0), points, out=np.full(xi.shape[1], np.nan), where=points > 0
    )
    out = pd.DataFrame({"grade": grade, "points": points}, index=comp.columns)
    out["rank"] = out["grade"].rank(ascending=False, method="min").astype("Int64")
    out.index.name = "factor"
    return out.sort_values("rank", kind="mergesort")


@dataclass(frozen=True)
class TopsisGraResult:
    """TOPSIS-GRA: distances and grey relational grades to the ideal and anti-ideal, and the closeness."""

    table: pd.DataFrame
    e: float
    rho: float
    filled: int
    """Missing values filled with the indicator mean before TOPSIS (which needs complete data)."""


def topsis_gra(
    x: pd.DataFrame, weights: pd.Series | None = None, rho: float = 0.5, e: float = 0.5
) -> TopsisGraResult:
    """Combine TOPSIS's Euclidean distances with grey relational grades (the TOPSIS-GRA closeness).

    On the weighted normalised matrix v of :func:`mfgindex.core.weights.topsis.topsis` (min-max
    normalisation of the oriented data): D⁺, D⁻ are the Euclidean distances to the ideal / anti-ideal unit
    and R⁺, R⁻ the grey
    relational grades to them (ρ). Each of D⁺, D⁻, R⁺, R⁻ is divided by its maximum, then
    S⁺ = e·D⁻ + (1 − e)·R⁺ (nearness to the ideal), S⁻ = e·D⁺ + (1 − e)·R⁻, and the relative closeness
    C = S⁺ / (S⁺ + S⁻), larger is better. ``e`` weighs position (distance) against shape (relation).

    Parameters
    ----------
    x
        Units × indicators, oriented so that larger is better (e.g. normalised values); missing values are
        filled with the indicator mean (counted in ``filled``).
    weights
        Indicator weights (default equal).
    rho
        Resolution coefficient of the grey relational coefficients.
    e
        Weight of the distance part, in [0, 1] (default 0.5).

    References
    ----------
    Chen, M.-F., & Tzeng, G.-H. (2004). Combining grey relation and TOPSIS concepts for selecting an
    expatriate host country. *Mathematical and Computer Modelling*, 40(13), 1473-1490.
    Hwang, C. L., & Yoon, K. (1981). *Multiple Attribute Decision Making*. Springer.
    """
    if not 0.0 <= e <= 1.0:
        raise UserError(Problem("e must be in [0, 1]", value=str(e), column="--e"))
    filled = int(x.isna().to_numpy().sum())
    full = x.astype(float).fillna(x.mean())
    full = full.fillna(0.0)  # an all-missing indicator carries no information
    w = np.ones(x.shape[1]) if weights is None else weights.reindex(x.columns).astype(float).to_numpy()
    t = topsis(full, w, normalisation="minmax")
    v = t.weighted
    xi_plus = relational_coefficients(np.abs(v - t.ideal[None, :]), rho)
    xi_minus = relational_coefficients(np.abs(v - t.anti_ideal[None, :]), rho)
    r_plus = xi_plus.mean(axis=1)
    r_minus = xi_minus.mean(axis=1)

    def scaled(a: np.ndarray) -> np.ndarray:
        m = float(np.max(a))
        return a / m if m > 0 else np.zeros_like(a)

    s_plus = e * scaled(t.d_minus) + (1 - e) * scaled(r_plus)
    s_minus = e * scaled(t.d_plus) + (1 - e) * scaled(r_minus)
    tot = s_plus + s_minus
    closeness = np.divide(s_plus, tot, out=np.full(len(tot), 0.5), where=tot > 0)
    table = pd.DataFrame(
        {
            "d_plus": t.d_plus,
            "d_minus": t.d_minus,
            "r_plus": r_plus,
            "r_minus": r_minus,
            "s_plus": s_plus,
            "s_minus": s_minus,
            "closeness": closeness,
            "topsis_closeness": t.closeness,
        },
        index=x.index,
    )
    table["rank"] = table["closeness"].rank(ascending=False, method="min").astype(int)
    return TopsisGraResult(table=table, e=e, rho=rho, filled=filled)
