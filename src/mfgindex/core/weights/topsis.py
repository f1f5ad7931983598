"""TOPSIS as an alternative scoring method, returning every intermediate for explained reports."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray

from mfgindex.core.errors import Problem, UserError
from mfgindex.core.weights.objective import Matrix, as_decision_matrix, as_directions

FloatArray = NDArray[np.float64]
Normalisation = Literal["vector", "minmax"]


@dataclass(frozen=True)
class TopsisResult:
    """All steps of a TOPSIS evaluation (rows = alternatives, columns = criteria)."""

    alternatives: tuple[str, ...]
    criteria: tuple[str, ...]
    normalisation: str
    weights: FloatArray
    directions: FloatArray
    normalised: FloatArray
    weighted: FloatArray
    ideal: FloatArray
    anti_ideal: FloatArray
    d_plus: FloatArray
    d_minus: FloatArray
    closeness: FloatArray

    @property
    def ranks(self) -> FloatArray:
        """Rank of each alternative by closeness (1 = best; ties share the best rank)."""
        from scipy.stats import rankdata  # deferred: scipy.stats is slow to import

        return np.asarray(rankdata(-self.closeness, method="min"), dtype=float)

    def to_frame(self) -> pd.DataFrame:
        """Distances, closeness and rank per alternative."""
        return pd.DataFrame(
            {"d_plus": self.d_plus, "d_minus": self.d_minus, "closeness": self.closeness, "rank": self.ranks},
            index=pd.Index(self.alternatives, name="alternative"),
        )


def topsis(
    x: Matrix,
    weights: ArrayLike,
    directions: ArrayLike | None = None,
    normalisation: Normalisation = "vector",
    criteria: Sequence[str] | None = None,
    alternatives: Sequence[str] | None = None,
) -> TopsisResult:
    """Technique for Order Preference by Similarity to Ideal Solution.

    1. Normalise: ``vector`` ``r_ij = x_ij / sqrt(Σ_i x_ij²)`` (direction kept in the ideal), or
       ``minmax`` ``(x − min)/(max − min)`` for +1 and ``(max − x)/(max − min)`` for −1 criteria (a constant
       criterion scales to 0 and does not discriminate).
    2. Weight: ``v_ij = w_j r_ij`` (weights normalised to sum 1; this does not change the closeness).
    3. Ideal ``A+`` / anti-ideal ``A−``: column max/min of ``v`` for +1 criteria, min/max for −1 criteria
       under vector normalisation; column max/min under min-max (already oriented).
    4. Euclidean distances ``D+``, ``D−``; closeness ``C = D− / (D+ + D−)``, in [0, 1], larger is better.
       If every criterion is constant, all alternatives tie at C = 0.5.

    References
    ----------
    Hwang, C. L., & Yoon, K. (1981). *Multiple Attribute Decision Making*. Springer.
    Tzeng, G.-H., & Huang, J.-J. (2011). *Multiple Attribute Decision Making: Methods and Applications*.
    CRC Press.
    Opricovic, S., & Tzeng, G.-H. (2004). Compromise solution by MCDM methods: A comparative analysis of
    VIKOR and TOPSIS. *European Journal of Operational Research*, 156(2), 445-455.
    """
    a, names = as_decision_matrix(x, criteria)
    m, n = a.shape
    if alternatives is None:
        alts = (
            tuple(str(i) for i in x.index)
            if isinstance(x, pd.DataFrame)
            else tuple(f"a{i + 1}" for i in range(m))
        )
    else:
        alts = tuple(alternatives)
    if len(alts) != m:
        raise ValueError(f"{len(alts)} alternative names for {m} rows")
    d = as_directions(directions, n)
    w = np.asarray(weights, dtype=float).ravel()
    if w.shape != (n,) or np.any(w < 0) or not np.isfinite(w).all() or w.sum() <= 0:
        raise UserError(
            Problem("weights must be non-negative, one per criterion, not all zero", expected=f"{n} weights")
        )
    w = w / w.sum()
    if normalisation == "vector":
        norm = np.sqrt((a**2).sum(axis=0))
        zero = norm == 0
        r = np.divide(a, norm, out=np.zeros_like(a), where=~zero)
        v = r * w
        ideal = np.where(d > 0, v.max(axis=0), v.min(axis=0))
        anti = np.where(d > 0, v.min(axis=0), v.max(axis=0))
    elif normalisation == "minmax":
        lo, hi = a.min(axis=0), a.max(axis=0)
        span = hi - lo
        safe = np.where(span == 0, 1.0, span)
        r = np.where(d > 0, (a - lo) / safe, (hi - a) / safe)
        r[:, span == 0] = 0.0
        v = r * w
        ideal, anti = v.max(axis=0), v.min(axis=0)
    else:
        raise ValueError(f"unknown normalisation {normalisation!r}; choose 'vector' or 'minmax'")
    d_plus = np.sqrt(((v - ideal) ** 2).sum(axis=1))
    d_minus = np.sqrt(((v - anti) ** 2).sum(axis=1))
    total = d_plus + d_minus
    closeness = np.divide(d_minus, total, out=np.full(m, 0.5), where=total > 0)
    return TopsisResult(
        alternatives=alts,
        criteria=names,
        normalisation=normalisation,
        weights=w,
        directions=d,
        normalised=r,
        weighted=v,
        ideal=ideal,
        anti_ideal=anti,
        d_plus=d_plus,
        d_minus=d_minus,
        closeness=closeness,
    )


def closeness_scores(
    x: ArrayLike,
    weights: ArrayLike,
    normalisation: Normalisation = "vector",
    min_share: float = 0.0,
) -> FloatArray:
    """TOPSIS closeness × 100 of units (rows) over components (columns) already oriented (larger = better).

    The scoring used when a framework aggregates a node by ``topsis``. For complete data with one weight
    vector it equals ``100 · topsis(x, weights, normalisation=…).closeness``. Two generalisations:

    * ``weights`` may have one row per unit (stage weights): distances are
      ``D±_i = sqrt(Σ_j w_ij² (r_ij − r±_j)²)`` with the ideal ``r+_j = max_i r_ij`` and anti-ideal
      ``r−_j = min_i r_ij`` of the normalised values (for a common weight vector this is the usual
      ``v = w·r`` form, since ``max_i w_j r_ij = w_j max_i r_ij``);
    * missing components are skipped: the normalisation and ideals use the units that have the
      component, the distances sum over the components a unit has (its weights renormalised); a unit
      with a share of present components below ``min_share`` (or none) gets NaN.

    References
    ----------
    Hwang, C. L., & Yoon, K. (1981). *Multiple Attribute Decision Making*. Springer.
    Tzeng, G.-H., & Huang, J.-J. (2011). *Multiple Attribute Decision Making: Methods and Applications*.
    CRC Press.
    """
    a = np.asarray(x, dtype=float)
    if a.ndim != 2:
        raise ValueError("x must be units x components")
    w = np.broadcast_to(np.asarray(weights, dtype=float), a.shape)
    present = ~np.isnan(a)
    if normalisation == "vector":
        norm = np.sqrt(np.nansum(a**2, axis=0))
        r = np.divide(a, norm, out=np.zeros_like(a), where=(norm > 0) & present)
    elif normalisation == "minmax":
        with np.errstate(all="ignore"):
            lo, hi = (
                np.nanmin(np.where(present, a, np.inf), axis=0),
                np.nanmax(np.where(present, a, -np.inf), axis=0),
            )
        span = hi - lo
        ok = np.isfinite(span) & (span > 0)
        r = np.divide(a - lo, span, out=np.zeros_like(a), where=ok & present)
    else:
        raise ValueError(f"unknown normalisation {normalisation!r}; choose 'vector' or 'minmax'")
    r = np.where(present, r, np.nan)
    with np.errstate(all="ignore"):
        best = np.nanmax(np.where(present, r, -np.inf), axis=0)
        worst = np.nanmin(np.where(present, r, np.inf), axis=0)
    wp = np.where(present, w, 0.0)
    total = wp.sum(axis=1)
    wn = np.divide(wp, total[:, None], out=np.zeros_like(wp), where=total[:, None] > 0)
    rz = np.where(present, r, 0.0)
    d_plus = np.sqrt(np.sum(np.where(present, (wn * (rz - best)) ** 2, 0.0), axis=1))
    d_minus = np.sqrt(np.sum(np.where(present, (wn * (rz - worst)) ** 2, 0.0), axis=1))
    dist = d_plus + d_minus
    c = np.divide(d_minus, dist, out=np.full(len(a), 0.5), where=dist > 0)
    share = present.mean(axis=1)
    empty = (total <= 0) | (share == 0) | (share < min_share)
    return np.asarray(np.where(empty, np.nan, 100.0 * c), dtype=np.float64)
