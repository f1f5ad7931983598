"""Rank dynamics: Markov transition matrix of rank classes between years.

Each year the units are put in ``k`` classes by rank (class 1 = the lowest ``1/k`` of units, class k = the
top; the usual quartile classes for k = 4). Transitions are counted between consecutive years and pooled;
P_ij = n_ij / n_i is the probability of moving from class i to class j in one step (a homogeneous
first-order chain, estimated by maximum likelihood).
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import pairwise

import numpy as np
import pandas as pd

from mfgindex.core.errors import Problem, UserError


def rank_classes(values: pd.Series, k: int = 4) -> pd.Series:
    """Class 1..k of each unit by its rank in ``values`` (higher value → higher class); ties share the
    lower rank (competition ranking); missing values stay missing."""
    v = values.dropna()
    n = len(v)
    if n < k:
        raise UserError(Problem(f"{n} units cannot form {k} classes"))
    r = v.rank(ascending=True, method="min")  # 1 = lowest
    cls = pd.Series(np.ceil(r.to_numpy() / n * k).clip(1, k).astype(int), index=v.index)
    return cls.reindex(values.index).astype("Int64")


@dataclass(frozen=True)
class MarkovResult:
    """Transition counts, probabilities, the stationary distribution and shares moving up or down."""

    counts: pd.DataFrame
    probabilities: pd.DataFrame
    steady_state: pd.Series
    moves: pd.DataFrame
    """Per year pair: units, up, down, same (counts and shares)."""
    classes: pd.DataFrame
    """Units × years: the class of each unit."""


def markov_chain(wide: pd.DataFrame, k: int = 4) -> MarkovResult:
    """Markov transition matrix of rank classes over consecutive year columns of ``wide`` (units × years).

    References
    ----------
    Quah, D. T. (1993). Empirical cross-section dynamics in economic growth. *European Economic Review*,
    37(2-3), 426-434.
    Rey, S. J. (2001). Spatial analysis of regional income inequality. *Geographical Analysis*, 33(3),
    195-214.
    """
    years = sorted(wide.columns)
    if len(years) < 2:
        raise UserError(Problem("a Markov chain needs at least two years"))
    classes = pd.DataFrame({y: rank_classes(wide[y], k) for y in years})
    counts = np.zeros((k, k), dtype=int)
    rows = []
    for a, b in pairwise(years):
        pair = classes[[a, b]].dropna()
        fr = pair[a].to_numpy(dtype=int)
        to = pair[b].to_numpy(dtype=int)
        np.add.at(counts, (fr - 1, to - 1), 1)
        n = len(pair)
        up, down = int((to > fr).sum()), int((to < fr).sum())
        rows.append(
            {
                "from": a,
                "to": b,
                "units": n,
                "up": up,
                "down": down,
                "same": n - up - down,
                "up_share": up / n if n else np.nan,
                "down_share": down / n if n else np.nan,
                "same_share": (n - up - down) / n if n else np.nan,
            }
        )
    labels = pd.Index([f"C{i}" for i in range(1, k + 1)], name="from")
    cols = pd.Index([f"C{i}" for i in range(1, k + 1)], name="to")
    cnt = pd.DataFrame(counts, index=labels, columns=cols)
    totals = counts.sum(axis=1, keepdims=True)
    prob = np.divide(counts, totals, out=np.zeros((k, k)), where=totals > 0)
    pdf = pd.DataFrame(prob, index=labels, columns=cols)
    return MarkovResult(
        counts=cnt,
        probabilities=pdf,
        steady_state=steady_state(pdf),
        moves=pd.DataFrame(rows),
        classes=classes,
    )


def steady_state(p: pd.DataFrame) -> pd.Series:
    """Stationary distribution π = π P (left eigenvector for eigenvalue 1, normalised to sum 1); NaN if the
    chain has no unique one (a row without transitions)."""
    a = p.to_numpy(dtype=float)
    if np.any(a.sum(axis=1) == 0):
        return pd.Series(np.nan, index=p.index, name="steady_state")
    vals, vecs = np.linalg.eig(a.T)
    i = int(np.argmin(np.abs(vals - 1.0)))
    v = np.real(vecs[:, i])
    v = v / v.sum()
    return pd.Series(v, index=p.index, name="steady_state")
