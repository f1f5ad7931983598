"""Nominal weights from the framework: explicit weights or 主次分类 class weights.

Class weighting (METHODS.md §2): within an aggregate, indicator i of class c gets r_c / Σ_j r_{c_j};
aggregates below it keep their explicit weights (default 1). Weights are relative within a parent and
rescaled to sum to 1 there. Global (nominal) weights are products of local weights down the tree.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pandas as pd

from mfgindex.core import memo
from mfgindex.core.framework import Aggregate, Framework, Indicator


def child_weight(framework: Framework, node: Indicator | Aggregate) -> float:
    """The raw (un-normalised) weight of a node within its parent."""
    if isinstance(node, Indicator) and framework.weighting == "class" and node.weight is None:
        return float(framework.class_scores[node.class_])
    return 1.0 if node.weight is None else float(node.weight)


def local_weights(framework: Framework) -> dict[str, pd.Series]:
    """Aggregate id → its children's weights (summing to 1; all-zero weights stay zero)."""

    def build() -> list[tuple[str, pd.Index, npt.NDArray[np.float64]]]:
        out = []
        for agg in framework.aggregates():
            w = np.array([child_weight(framework, c) for c in agg.children], dtype=np.float64)
            total = w.sum()
            out.append((agg.id, pd.Index([c.id for c in agg.children]), w / total if total > 0 else w))
        return out

    # computed once per framework; every call gets its own Series
    return {
        a: pd.Series(w.copy(), index=idx) for a, idx, w in memo.per_object(framework, "local_weights", build)
    }


def global_weights(framework: Framework, local: dict[str, pd.Series] | None = None) -> pd.Series:
    """Indicator id → product of local weights from the root (nominal weight in the index)."""
    local = local if local is not None else local_weights(framework)
    out: dict[str, float] = {}

    def visit(node: Aggregate, factor: float) -> None:
        w_node = local[node.id]
        weights = dict(zip(w_node.index.tolist(), w_node.to_numpy(dtype=np.float64).tolist(), strict=True))
        for child in node.children:
            w = factor * float(weights[child.id])
            if isinstance(child, Aggregate):
                visit(child, w)
            else:
                out[child.id] = w

    visit(framework.root, 1.0)
    return pd.Series(list(out.values()), index=pd.Index(list(out)), dtype="float64")
