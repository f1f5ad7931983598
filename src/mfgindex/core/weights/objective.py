"""Objective (data-driven) weights: entropy, CRITIC, standard deviation, CV, PCA, MEREC, equal.

All functions take a decision matrix (units × criteria, ``numpy`` array or ``pandas.DataFrame``) and
return an :class:`ObjectiveWeights`. Missing values are refused (impute first); the weights of a
criterion carry no direction, but entropy (with ``scaling="minmax"``), CRITIC and MEREC need the
direction of each criterion (+1 = larger is better, −1 = smaller is better) to scale the data.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray

from mfgindex.core.errors import Problem, UserError

FloatArray = NDArray[np.float64]
Matrix = pd.DataFrame | ArrayLike


@dataclass(frozen=True)
class ObjectiveWeights:
    """Weights of one method with the intermediate quantities named in ``details``."""

    method: str
    criteria: tuple[str, ...]
    weights: FloatArray
    details: Mapping[str, FloatArray] = field(default_factory=dict)

    def weight_map(self) -> dict[str, float]:
        """Weights keyed by criterion."""
        return {c: float(w) for c, w in zip(self.criteria, self.weights, strict=True)}


def as_decision_matrix(
    x: Matrix, criteria: Sequence[str] | None = None
) -> tuple[FloatArray, tuple[str, ...]]:
    """Return ``(array, criteria)`` from a DataFrame or array; refuse missing or non-finite values."""
    if isinstance(x, pd.DataFrame):
        names = tuple(str(c) for c in x.columns) if criteria is None else tuple(criteria)
        a = x.to_numpy(dtype=float)
    else:
        a = np.asarray(x, dtype=float)
        names = tuple(criteria) if criteria is not None else tuple(f"c{k + 1}" for k in range(a.shape[-1]))
    if a.ndim != 2:
        raise ValueError(f"decision matrix must be 2-D (units x criteria), got shape {a.shape}")
    if len(names) != a.shape[1]:
        raise ValueError(f"{len(names)} criteria names for {a.shape[1]} columns")
    bad = ~np.isfinite(a)
    if bad.any():
        problems = [
            Problem(
                "missing or non-finite value; impute before weighting", row=int(i) + 1, column=names[int(j)]
            )
            for i, j in zip(*np.nonzero(bad), strict=True)
        ]
        raise UserError(problems)
    return a, names


def as_directions(directions: ArrayLike | None, n: int) -> FloatArray:
    """Directions as a float array of ±1 (default all +1)."""
    if directions is None:
        return np.ones(n)
    d = np.asarray(directions, dtype=float).ravel()
    if d.shape != (n,) or not np.all(np.isin(d, (-1.0, 1.0))):
        raise UserError(
            Problem(
                "directions must be +1 or -1, one per criterion",
                value=",".join(f"{v:+g}" for v in d),
                expected=f"{n} values of +1/-1",
            )
        )
    return d


def minmax_scale(a: FloatArray, directions: FloatArray, names: Sequence[str]) -> FloatArray:
    """Min-max scale each column to [0, 1] so that 1 is best (cost criteria are reversed)."""
    lo, hi = a.min(axis=0), a.max(axis=0)
    span = hi - lo
    constant = span == 0
    if constant.any():
        raise UserError(
            [
                Problem("criterion is constant: it carries no information", column=names[int(j)])
                for j in np.flatnonzero(constant)
            ]
        )
    return np.asarray(np.where(directions > 0, (a - lo) / span, (hi - a) / span), dtype=float)


def _normalise(v: FloatArray) -> FloatArray:
    total = v.sum()
    if not np.isfinite(total) or total <= 0:
        raise UserError(Problem("weights are all zero: the criteria do not discriminate between units"))
    return np.asarray(v / total, dtype=float)


def entropy_weights(
    x: Matrix,
    directions: ArrayLike | None = None,
    scaling: Literal["none", "minmax"] = "none",
    shift: float = 0.0,
    criteria: Sequence[str] | None = None,
) -> ObjectiveWeights:
    """Entropy weights.

    ``p_ij = y_ij / Σ_i y_ij``, ``e_j = −(1/ln m) Σ_i p_ij ln p_ij`` with **0 · ln 0 = 0**,
    ``d_j = 1 − e_j``, ``w_j = d_j / Σ d_j``, where ``y`` is

    * ``scaling="none"`` (default, Xu 2004): the raw data (must be ≥ 0; directions are irrelevant because
      entropy depends only on the spread of the shares);
    * ``scaling="minmax"`` (common in Chinese papers): ``(x − min)/(max − min)`` for +1 criteria and
      ``(max − x)/(max − min)`` for −1 criteria;

    plus ``shift`` (e.g. ``1e-4``) added to every cell **after** scaling, the "+0.0001" convention that
    keeps ln defined. With the default ``shift=0`` zeros contribute 0 · ln 0 = 0.

    References
    ----------
    Shannon, C. E. (1948). A mathematical theory of communication. *Bell System Technical Journal*, 27.
    Xu, X. (2004). A note on the subjective and objective integrated approach to determine attribute
    weights. *European Journal of Operational Research*, 156(2), 530-532.
    Zavadskas, E. K., & Podvezko, V. (2016). Integrated determination of objective criteria weights in
    MCDM. *International Journal of Information Technology & Decision Making*, 15(2), 267-283.
    """
    a, names = as_decision_matrix(x, criteria)
    d = as_directions(directions, a.shape[1])
    if shift < 0:
        raise ValueError("shift must be >= 0")
    y = minmax_scale(a, d, names) if scaling == "minmax" else a.copy()
    negative = y < 0
    if negative.any():
        raise UserError(
            [
                Problem(
                    "entropy needs non-negative data; use scaling='minmax' for negative values",
                    row=int(i) + 1,
                    column=names[int(j)],
                    value=f"{a[i, j]:g}",
                )
                for i, j in zip(*np.nonzero(negative), strict=True)
            ]
        )
    y = y + shift
    totals = y.sum(axis=0)
    if np.any(totals <= 0):
        raise UserError(
            [
                Problem("column sums to zero: shares undefined", column=names[int(j)])
                for j in np.flatnonzero(totals <= 0)
            ]
        )
    m = a.shape[0]
    if m < 2:
        raise UserError(Problem("entropy needs at least 2 units"))
    from scipy.special import xlogy  # deferred: scipy.special is slow to import

    p = y / totals
    e = -xlogy(p, p).sum(axis=0) / np.log(m)
    div = 1.0 - e
    return ObjectiveWeights("entropy", names, _normalise(div), {"entropy": e, "divergence": div})


def critic_weights(
    x: Matrix, directions: ArrayLike | None = None, criteria: Sequence[str] | None = None
) -> ObjectiveWeights:
    """CRITIC weights (Criteria Importance Through Intercriteria Correlation).

    Columns are min-max scaled with their directions, ``σ_j`` is the sample standard deviation
    (ddof = 1), ``r_jk`` the Pearson correlation, ``C_j = σ_j Σ_k (1 − r_jk)`` and ``w_j = C_j / Σ C``.

    References
    ----------
    Diakoulaki, D., Mavrotas, G., & Papayannakis, L. (1995). Determining objective weights in multiple
    criteria problems: The CRITIC method. *Computers & Operations Research*, 22(7), 763-770.
    Tuş, A., & Aytaç Adalı, E. (2019). The new combination with CRITIC and WASPAS methods for the time
    and attendance software selection problem. *OPSEARCH*, 56(2), 528-538.
    """
    a, names = as_decision_matrix(x, criteria)
    d = as_directions(directions, a.shape[1])
    if a.shape[0] < 3:
        raise UserError(Problem("CRITIC needs at least 3 units to estimate correlations"))
    z = minmax_scale(a, d, names)
    sigma = z.std(axis=0, ddof=1)
    r = np.corrcoef(z, rowvar=False)
    conflict = (1.0 - r).sum(axis=0)
    info = sigma * conflict
    return ObjectiveWeights(
        "critic", names, _normalise(info), {"sigma": sigma, "conflict": conflict, "information": info}
    )


def std_weights(
    x: Matrix,
    directions: ArrayLike | None = None,
    scaling: Literal["none", "minmax"] = "none",
    criteria: Sequence[str] | None = None,
) -> ObjectiveWeights:
    """Standard-deviation weights ``w_j = σ_j / Σ σ`` (population σ, ddof = 0).

    ``scaling="none"`` uses the raw data, which is only meaningful when the criteria share a unit (e.g.
    already normalised scores); ``scaling="minmax"`` first scales each column to [0, 1].

    References
    ----------
    Diakoulaki, D., Mavrotas, G., & Papayannakis, L. (1995). *Computers & Operations Research*, 22(7),
    763-770 (the standard-deviation method as the basis of CRITIC).
    Sałabun, W., Wątróbski, J., & Shekhovtsov, A. (2020). Are MCDA methods benchmarkable? *Symmetry*,
    12(9), 1549.
    """
    a, names = as_decision_matrix(x, criteria)
    d = as_directions(directions, a.shape[1])
    y = minmax_scale(a, d, names) if scaling == "minmax" else a
    sigma = y.std(axis=0, ddof=0)
    return ObjectiveWeights("std", names, _normalise(sigma), {"sigma": sigma})


def cv_weights(x: Matrix, criteria: Sequence[str] | None = None) -> ObjectiveWeights:
    """Coefficient-of-variation weights ``w_j = CV_j / Σ CV`` with ``CV_j = σ_j / |mean_j|`` (ddof = 1).

    Computed on the raw data (CV is scale-free but needs a ratio scale: no mean of zero).

    References
    ----------
    Shuai, D., Zongzhun, Z., Yongji, W., & Lei, L. (2012). A new angular method to determine the
    objective weights. *24th Chinese Control and Decision Conference (CCDC)*, 3889-3892.
    """
    a, names = as_decision_matrix(x, criteria)
    mean = a.mean(axis=0)
    zero = mean == 0
    if zero.any():
        raise UserError(
            [Problem("mean is zero: CV undefined", column=names[int(j)]) for j in np.flatnonzero(zero)]
        )
    cv = a.std(axis=0, ddof=1) / np.abs(mean)
    return ObjectiveWeights("cv", names, _normalise(cv), {"cv": cv})


def pca_weights(
    x: Matrix, loading: Literal["squared", "absolute"] = "squared", criteria: Sequence[str] | None = None
) -> ObjectiveWeights:
    """Weights from the first principal component of the standardised data.

    The component's coefficients ``v_j`` (unit eigenvector of the correlation matrix) give
    ``w_j = v_j²`` (``loading="squared"``, the OECD/JRC Handbook convention of squared loadings scaled to
    unit sum; they already sum to 1) or ``|v_j| / Σ|v|`` (``"absolute"``). ``details`` holds the
    coefficients and the explained-variance ratio of the first component.

    References
    ----------
    OECD/JRC (2008). *Handbook on Constructing Composite Indicators*, §6.1 (weights from PCA/FA).
    """
    a, names = as_decision_matrix(x, criteria)
    sd = a.std(axis=0, ddof=0)
    if np.any(sd == 0):
        raise UserError(
            [Problem("criterion is constant", column=names[int(j)]) for j in np.flatnonzero(sd == 0)]
        )
    z = (a - a.mean(axis=0)) / sd
    from sklearn.decomposition import PCA  # deferred: scikit-learn is slow to import

    pca = PCA(n_components=1).fit(z)
    v = np.asarray(pca.components_[0], dtype=float)
    raw = v**2 if loading == "squared" else np.abs(v)
    return ObjectiveWeights(
        "pca",
        names,
        _normalise(raw),
        {
            "coefficients": v,
            "explained_variance_ratio": np.asarray(pca.explained_variance_ratio_, dtype=float),
        },
    )


def merec_weights(
    x: Matrix, directions: ArrayLike | None = None, criteria: Sequence[str] | None = None
) -> ObjectiveWeights:
    """MEREC weights (Method based on the Removal Effects of Criteria).

    ``n_ij = min_k x_kj / x_ij`` (benefit) or ``x_ij / max_k x_kj`` (cost);
    ``S_i = ln(1 + (1/c) Σ_j |ln n_ij|)``; ``S'_ij`` the same with criterion j removed;
    ``E_j = Σ_i |S'_ij − S_i|``; ``w_j = E_j / Σ E``. Needs strictly positive data.

    References
    ----------
    Keshavarz-Ghorabaee, M., Amiri, M., Zavadskas, E. K., Turskis, Z., & Antucheviciene, J. (2021).
    Determination of objective weights using a new method based on the removal effects of criteria
    (MEREC). *Symmetry*, 13(4), 525.
    """
    a, names = as_decision_matrix(x, criteria)
    d = as_directions(directions, a.shape[1])
    if np.any(a <= 0):
        i, j = (int(k) for k in np.argwhere(a <= 0)[0])
        raise UserError(
            Problem(
                "MEREC needs strictly positive data", row=i + 1, column=names[int(j)], value=f"{a[i, j]:g}"
            )
        )
    nmat = np.where(d > 0, a.min(axis=0) / a, a / a.max(axis=0))
    ln = np.abs(np.log(nmat))
    c = a.shape[1]
    s = np.log1p(ln.sum(axis=1) / c)
    s_removed = np.log1p((ln.sum(axis=1, keepdims=True) - ln) / c)
    effect = np.abs(s_removed - s[:, None]).sum(axis=0)
    return ObjectiveWeights("merec", names, _normalise(effect), {"removal_effect": effect})


def equal_weights(criteria: Sequence[str] | int) -> ObjectiveWeights:
    """Equal weights ``1/n``.

    References
    ----------
    OECD/JRC (2008). *Handbook on Constructing Composite Indicators*, §6.
    """
    names = tuple(f"c{k + 1}" for k in range(criteria)) if isinstance(criteria, int) else tuple(criteria)
    if not names:
        raise ValueError("no criteria")
    return ObjectiveWeights("equal", names, np.full(len(names), 1.0 / len(names)))


def combine_weights(
    subjective: ArrayLike,
    objective: ArrayLike,
    method: Literal["multiplicative", "linear"] = "multiplicative",
    alpha: float = 0.5,
) -> FloatArray:
    """Combine subjective (e.g. AHP) and objective (e.g. entropy) weights ("AHP-熵权").

    * ``multiplicative``: ``w_j = s_j o_j / Σ_k s_k o_k``;
    * ``linear``: ``w_j = α s_j + (1 − α) o_j`` (both inputs normalised to sum 1 first; α ∈ [0, 1] is the
      share given to the subjective weights).

    References
    ----------
    Xu, X. (2004). *European Journal of Operational Research*, 156(2), 530-532.
    Ma, J., Fan, Z.-P., & Huang, L.-H. (1999). A subjective and objective integrated approach to
    determine attribute weights. *European Journal of Operational Research*, 112(2), 397-404.
    """
    s = np.asarray(subjective, dtype=float)
    o = np.asarray(objective, dtype=float)
    if s.shape != o.shape or s.ndim != 1:
        raise ValueError("subjective and objective weights must be 1-D of the same length")
    if np.any(s < 0) or np.any(o < 0):
        raise ValueError("weights must be non-negative")
    s, o = s / s.sum(), o / o.sum()
    if method == "multiplicative":
        return _normalise(s * o)
    if method == "linear":
        if not 0.0 <= alpha <= 1.0:
            raise ValueError("alpha must be in [0, 1]")
        return np.asarray(alpha * s + (1.0 - alpha) * o, dtype=float)
    raise ValueError(f"unknown combination method {method!r}")
