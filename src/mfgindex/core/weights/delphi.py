"""Delphi (专家调查法) statistics per round and the weights they give.

One round is a table experts × items of scores: Likert ratings (default 1-5) or a 0-100 allocation
(each expert's row sums to 100). Per item: mean M_j, full-score frequency K_j, standard deviation
σ_j (ddof = 1), coefficient of variation CV_j = σ_j / M_j (flagged when ≥ 0.25). Agreement: Kendall's
W with tie correction, χ² = m(n − 1)W on n − 1 degrees of freedom. Authority per expert:
Cr = (Ca + Cs)/2 (accepted when ≥ 0.7). Weights: w_j = M_j / Σ M, optionally with M_j the
Cr-weighted mean.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray

from mfgindex.core.errors import Problem, UserError

FloatArray = NDArray[np.float64]
Scale = Literal["likert", "allocation"]

CV_THRESHOLD = 0.25
AUTHORITY_THRESHOLD = 0.7
ALLOCATION_TOTAL = 100.0


@dataclass(frozen=True)
class KendallW:
    """Kendall's coefficient of concordance with its χ² test."""

    w: float
    chi2: float
    df: int
    p_value: float
    m: int
    n: int
    s: float
    ties: float


def kendall_w(scores: ArrayLike) -> KendallW:
    """Kendall's W for ``m`` experts (rows) ranking ``n`` items (columns), with tie correction.

    Each expert's scores are turned into ranks (ties get the average rank, ``scipy.stats.rankdata``);
    ``R_j`` is the rank sum of item j, ``S = Σ_j (R_j − m(n + 1)/2)²``, ``T_k = Σ (t³ − t)`` over the
    groups of ``t`` tied items of expert k, and

    ``W = 12 S / (m² (n³ − n) − m Σ_k T_k)``, ``χ² = m (n − 1) W`` with ``n − 1`` degrees of freedom.

    The direction of ranking (best = 1 or best = n) does not change W.

    References
    ----------
    Kendall, M. G., & Babington Smith, B. (1939). The problem of m rankings. *Annals of Mathematical
    Statistics*, 10(3), 275-287.
    Siegel, S., & Castellan, N. J. (1988). *Nonparametric Statistics for the Behavioral Sciences*
    (2nd ed.), §9.4 (tie correction).
    """
    x = np.asarray(scores, dtype=float)
    if x.ndim != 2 or x.shape[0] < 2 or x.shape[1] < 2:
        raise UserError(Problem("Kendall's W needs at least 2 experts and 2 items", value=str(x.shape)))
    if not np.isfinite(x).all():
        raise UserError(Problem("Kendall's W needs a complete score table (no empty cells)"))
    m, n = x.shape
    from scipy.stats import rankdata  # deferred: scipy.stats is slow to import

    ranks = rankdata(x, axis=1)
    rank_sums = ranks.sum(axis=0)
    s = float(((rank_sums - m * (n + 1) / 2.0) ** 2).sum())
    ties = 0.0
    for row in x:
        _, counts = np.unique(row, return_counts=True)
        ties += float((counts**3 - counts).sum())
    denominator = m**2 * (n**3 - n) - m * ties
    # denominator 0: every expert gave every item the same score, so there is no ranking information.
    w = float("nan") if denominator <= 0 else 12.0 * s / denominator
    statistic = m * (n - 1) * w
    from scipy.stats import chi2  # deferred: scipy.stats is slow to import

    return KendallW(
        w=w,
        chi2=statistic,
        df=n - 1,
        p_value=float(chi2.sf(statistic, n - 1)),
        m=m,
        n=n,
        s=s,
        ties=ties,
    )


def authority(ca: ArrayLike, cs: ArrayLike) -> FloatArray:
    """Authority coefficient ``Cr = (Ca + Cs) / 2`` per expert.

    ``Ca`` is the judgement basis (依据, e.g. 0.8 theory … 0.3 intuition summed over sources) and ``Cs`` the
    self-rated familiarity (熟悉程度, 0-1).

    References
    ----------
    曾光 (1994). 现代流行病学方法与应用. 北京医科大学中国协和医科大学联合出版社 (Delphi authority
    coefficient Cr = (Ca + Cs)/2, accepted when ≥ 0.7).
    """
    a = np.asarray(ca, dtype=float)
    s = np.asarray(cs, dtype=float)
    if a.shape != s.shape:
        raise ValueError("Ca and Cs must have the same length")
    return np.asarray((a + s) / 2.0, dtype=float)


@dataclass(frozen=True)
class DelphiRound:
    """Statistics of one Delphi round (item arrays follow ``items``, expert arrays follow ``experts``)."""

    items: tuple[str, ...]
    experts: tuple[str, ...]
    scale: str
    mean: FloatArray
    sd: FloatArray
    cv: FloatArray
    cv_flag: NDArray[np.bool_]
    full_score_frequency: FloatArray
    kendall: KendallW
    authority: FloatArray | None
    authority_accepted: NDArray[np.bool_] | None
    weights: FloatArray
    authority_weighted: bool

    def weight_map(self) -> dict[str, float]:
        """Weights keyed by item."""
        return {c: float(w) for c, w in zip(self.items, self.weights, strict=True)}

    def item_table(self) -> pd.DataFrame:
        """Per-item statistics as a table."""
        return pd.DataFrame(
            {
                "mean": self.mean,
                "sd": self.sd,
                "cv": self.cv,
                "cv_flag": self.cv_flag,
                "full_score_frequency": self.full_score_frequency,
                "weight": self.weights,
            },
            index=pd.Index(self.items, name="item"),
        )

    def to_dict(self) -> dict[str, object]:
        """JSON-ready statistics."""

        def num(v: float) -> float | None:
            return None if not np.isfinite(v) else float(v)

        out: dict[str, object] = {
            "scale": self.scale,
            "experts": len(self.experts),
            "items": {
                item: {
                    "mean": num(self.mean[k]),
                    "sd": num(self.sd[k]),
                    "cv": num(self.cv[k]),
                    "cv_flag": bool(self.cv_flag[k]),
                    "full_score_frequency": num(self.full_score_frequency[k]),
                }
                for k, item in enumerate(self.items)
            },
            "kendall_w": num(self.kendall.w),
            "chi2": num(self.kendall.chi2),
            "df": self.kendall.df,
            "p_value": num(self.kendall.p_value),
            "authority_weighted": self.authority_weighted,
        }
        if self.authority is not None and self.authority_accepted is not None:
            out["authority"] = {
                e: {"cr": float(c), "accepted": bool(ok)}
                for e, c, ok in zip(self.experts, self.authority, self.authority_accepted, strict=True)
            }
        return out


def delphi_round(
    scores: pd.DataFrame | ArrayLike,
    ca: ArrayLike | None = None,
    cs: ArrayLike | None = None,
    scale: Scale = "likert",
    full_score: float | None = 5.0,
    authority_weighted: bool = False,
    cv_threshold: float = CV_THRESHOLD,
    authority_threshold: float = AUTHORITY_THRESHOLD,
    items: Sequence[str] | None = None,
    experts: Sequence[str] | None = None,
    allocation_tolerance: float = 0.5,
) -> DelphiRound:
    """Statistics and weights of one Delphi round.

    Parameters
    ----------
    scores : DataFrame or array_like, shape (experts, items)
        Scores of each expert for each item (index = experts, columns = items for a DataFrame).
    ca, cs : array_like, optional
        Judgement basis and familiarity per expert; both or neither.
    scale : {"likert", "allocation"}
        For ``"allocation"`` every expert's row must sum to 100 (± ``allocation_tolerance``).
    full_score : float or None
        The top of the Likert scale, for the full-score frequency K_j (share of experts giving it);
        ``None`` (or an allocation scale) leaves K_j undefined (NaN).
    authority_weighted : bool
        Use the Cr-weighted mean ``Σ_k Cr_k x_kj / Σ_k Cr_k`` for the weights.

    References
    ----------
    Dalkey, N., & Helmer, O. (1963). An experimental application of the Delphi method to the use of
    experts. *Management Science*, 9(3), 458-467.
    Kendall, M. G., & Babington Smith, B. (1939). *Annals of Mathematical Statistics*, 10(3), 275-287.
    """
    if isinstance(scores, pd.DataFrame):
        x = scores.to_numpy(dtype=float)
        item_names = tuple(str(c) for c in scores.columns) if items is None else tuple(items)
        expert_names = tuple(str(i) for i in scores.index) if experts is None else tuple(experts)
    else:
        x = np.asarray(scores, dtype=float)
        item_names = tuple(items) if items is not None else tuple(f"i{k + 1}" for k in range(x.shape[1]))
        expert_names = (
            tuple(experts) if experts is not None else tuple(f"e{k + 1}" for k in range(x.shape[0]))
        )
    if x.ndim != 2 or x.shape != (len(expert_names), len(item_names)):
        raise ValueError("scores must be a 2-D table experts x items matching the names")
    missing = ~np.isfinite(x)
    if missing.any():
        raise UserError(
            [
                Problem("missing score", row=int(i) + 1, column=item_names[int(j)], expected="a number")
                for i, j in zip(*np.nonzero(missing), strict=True)
            ]
        )
    if np.any(x < 0):
        i, j = (int(k) for k in np.argwhere(x < 0)[0])
        raise UserError(Problem("negative score", row=i + 1, column=item_names[j], value=f"{x[i, j]:g}"))
    if scale == "allocation":
        totals = x.sum(axis=1)
        off = np.abs(totals - ALLOCATION_TOTAL) > allocation_tolerance
        if off.any():
            raise UserError(
                [
                    Problem(
                        f"allocation of expert {expert_names[int(i)]} does not sum to 100",
                        row=int(i) + 1,
                        value=f"{totals[i]:g}",
                        expected="100",
                    )
                    for i in np.flatnonzero(off)
                ]
            )
    elif scale != "likert":
        raise ValueError(f"unknown scale {scale!r}")

    mean = x.mean(axis=0)
    sd = x.std(axis=0, ddof=1) if x.shape[0] > 1 else np.full(x.shape[1], np.nan)
    with np.errstate(divide="ignore", invalid="ignore"):
        cv = np.where(mean > 0, sd / mean, np.nan)
    cv_flag = np.asarray(np.nan_to_num(cv, nan=np.inf) >= cv_threshold)
    if scale == "likert" and full_score is not None:
        full = np.asarray((x == full_score).mean(axis=0), dtype=float)
    else:
        full = np.full(x.shape[1], np.nan)

    cr: FloatArray | None = None
    accepted: NDArray[np.bool_] | None = None
    if (ca is None) != (cs is None):
        raise ValueError("give both Ca and Cs, or neither")
    if ca is not None and cs is not None:
        cr = authority(ca, cs)
        if cr.shape != (x.shape[0],):
            raise ValueError("Ca/Cs need one value per expert")
        accepted = np.asarray(cr >= authority_threshold)
    if authority_weighted:
        if cr is None:
            raise UserError(Problem("authority weighting needs Ca and Cs for every expert"))
        centre = (cr[:, None] * x).sum(axis=0) / cr.sum()
    else:
        centre = mean
    total = centre.sum()
    if total <= 0:
        raise UserError(Problem("all item scores are zero: no weights"))
    return DelphiRound(
        items=item_names,
        experts=expert_names,
        scale=scale,
        mean=mean,
        sd=sd,
        cv=cv,
        cv_flag=cv_flag,
        full_score_frequency=full,
        kendall=kendall_w(x),
        authority=cr,
        authority_accepted=accepted,
        weights=np.asarray(centre / total, dtype=float),
        authority_weighted=authority_weighted,
    )
