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
    mix = np.zeros((len(values), len(ids)))
    labels: list[str] = []
    fallback = ids.index(rule.fallback) if rule.fallback else len(ids) // 2
    for i, x in enumerate(values.to_numpy(dtype=np.float64)):
        if np.isnan(x):
            mix[i, fallback] = 1.0
            labels.append(UNCLASSIFIED)
            continue
        k = 0
        label = names[0]
        t = 0.0
        for b, (lo, hi) in enumerate(rule.boundaries):
            if x >= hi:
                k, t, label = b + 1, 0.0, names[b + 1]
            elif x > lo:
                k, t, label = b, (x - lo) / (hi - lo), f"{names[b]}→{names[b + 1]}"
                break
            else:
                break
        mix[i, k] += 1.0 - t
        if t > 0:
            mix[i, k + 1] += t
        labels.append(label)
    return pd.DataFrame(mix, index=values.index, columns=ids), pd.Series(labels, index=values.index)


def stage_weights(mix: pd.DataFrame, rule: StageRule, base: pd.Series) -> pd.DataFrame:
    """Units × children weights: each stage's weights (children it omits keep ``base``), mixed by ``mix``."""
    rows = []
    for stage in rule.stages:
        w = base.copy()
        w.update(pd.Series(stage.weights, dtype="float64"))
        rows.append(w)
    table = pd.DataFrame(rows, index=[s.id for s in rule.stages])
    table = table.div(table.sum(axis=1), axis=0)
    return pd.DataFrame(mix.to_numpy() @ table.to_numpy(), index=mix.index, columns=base.index)
