"""Stage-based weights (分类赋权): development stages by a variable, with linear transition bands.

A unit whose stage variable lies below boundary k's ``lo`` is in stage k; above its ``hi``, in stage k+1;
in between, its weights are the mix (1 − t)·w_k + t·w_{k+1} with t = (x − lo)/(hi − lo). This keeps a
city's score continuous in the stage variable (WEF Global Competitiveness Index, 2004-2017).

References
----------
Sala-i-Martin, X. et al. (2004-2017). The Global Competitiveness Report, WEF: stage weights and
transition stages.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from mfgindex.core.framework import StageRule

UNCLASSIFIED = "未分类"


def stage_mix(values: pd.Series, rule: StageRule) -> tuple[pd.DataFrame, pd.Series]:
    """Return (units × stages mixing shares summing to 1, stage label per unit).

    Labels are the stage's ``name_zh`` (or id), ``A→B`` in a transition band, 未分类 when the variable is
    missing (those units take the fallback stage's weights, or the middle stage's).
    """
    ids = [s.id for s in rule.stages]
    names = [s.name_zh or s.id for s in rule.stages]
    x = values.to_numpy(dtype=np.float64)
    n, nb = len(x), len(rule.boundaries)
    lo = np.array([b[0] for b in rule.boundaries], dtype=np.float64)
    hi = np.array([b[1] for b in rule.boundaries], dtype=np.float64)
    # the boundaries are read in order: a unit passes boundary b while it is at or above its hi
    passed = np.cumprod(x[:, None] >= hi[None, :], axis=1, dtype=bool) if nb else np.zeros((n, 0), dtype=bool)
    k = passed.sum(axis=1)  # its stage, or the lower stage of its band
    inside = k < nb
    band = np.zeros(n, dtype=bool)
    band[inside] = x[inside] > lo[k[inside]]
    t = np.zeros(n)
    with np.errstate(invalid="ignore", divide="ignore"):
        t[band] = (x[band] - lo[k[band]]) / (hi[k[band]] - lo[k[band]])
    missing = np.isnan(x)
    fallback = ids.index(rule.fallback) if rule.fallback else len(ids) // 2
    k = np.where(missing, fallback, k)
    t = np.where(missing, 0.0, t)
    mix = np.zeros((n, len(ids)))
    rows = np.arange(n)
    mix[rows, k] += 1.0 - t
    up = t > 0
    mix[rows[up], k[up] + 1] += t[up]
    labels = [
        UNCLASSIFIED if miss else (f"{names[s]}→{names[s + 1]}" if b else names[s])
        for miss, s, b in zip(missing.tolist(), k.tolist(), (band & ~missing).tolist(), strict=True)
    ]
    return pd.DataFrame(mix, index=values.index, columns=ids), pd.Series(labels, index=values.index)


def stage_weights(mix: pd.DataFrame, rule: StageRule, base: pd.Series) -> pd.DataFrame:
    """Units × children weights: each stage's weights (children it omits keep ``base``), mixed by ``mix``."""
    children = base.index.tolist()
    table = np.tile(base.to_numpy(dtype=np.float64), (len(rule.stages), 1))
    for r, stage in enumerate(rule.stages):
        for child, w in stage.weights.items():
            if child in children and not np.isnan(w):  # as Series.update: known children, present values
                table[r, children.index(child)] = w
    table = table / table.sum(axis=1, keepdims=True)
    return pd.DataFrame(mix.to_numpy() @ table, index=mix.index, columns=base.index)
