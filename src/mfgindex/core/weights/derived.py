"""Weights derived for a framework's nodes (``weights_from:`` under an aggregate), recorded per run.

A framework node can take its children's weights from expert files (``ahp``, ``delphi``), from the run's
data (``entropy``, ``critic``, ``std``, ``cv``, ``pca``, ``merec``) or make them ``equal``, optionally
combined with subjective weights; :mod:`mfgindex.core.weights.derivation` derives them (imported by
:func:`derive` when a framework has such nodes). This module replaces the nodes' local weights and writes
the ``weights.derivation`` block of run.json and its 权重推导 sheet.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from mfgindex.core.framework import DATA_METHODS, Aggregate, Framework
from mfgindex.core.weights.classes import global_weights

SHEET = "权重推导"


def derived_nodes(framework: Framework) -> list[Aggregate]:
    """Aggregates whose children's weights are derived (``weights_from`` set)."""
    return [a for a in framework.aggregates() if a.weights_from is not None]


def needs_data(framework: Framework) -> bool:
    """True when some derivation uses the run's data (objective methods)."""
    return any(
        a.weights_from is not None and a.weights_from.method in DATA_METHODS for a in framework.aggregates()
    )


def derive(
    framework: Framework,
    local: Mapping[str, pd.Series],
    data: Mapping[str, pd.DataFrame] | None = None,
) -> tuple[dict[str, pd.Series], dict[str, Any]]:
    """Replace the local weights of every ``weights_from`` node; return (local weights, record).

    ``data`` is the run's stages (``raw``, ``treated``, ``normalised``: units × indicators), needed when
    :func:`needs_data`. The record (JSON-ready) has, per node, the method, its diagnostics (λmax, CI, RI,
    CR; Kendall's W, χ², p; the data used) and the weights, plus the sha256 of every file read.
    """
    from mfgindex.core.weights import derivation  # AHP, Delphi, surveys: only for frameworks that use them

    out = dict(local)
    nodes: dict[str, Any] = {}
    inputs: dict[str, str] = {}
    for node in derived_nodes(framework):
        wf = node.weights_from
        assert wf is not None
        w, record = derivation.derive_node(framework, node, data)
        out[node.id] = w.astype("float64")
        nodes[node.id] = record
        if wf.file is not None and (wf.method in ("ahp", "delphi") or wf.combine is not None):
            path = derivation.source_file(framework, wf)
            inputs[wf.file] = derivation.file_sha256(path)
    return out, {"nodes": nodes, "inputs": inputs}


def stage_global_weights(framework: Framework, local: Mapping[str, pd.Series]) -> dict[str, dict[str, float]]:
    """Global indicator weights under each development stage's weights (empty without stages)."""
    rule = framework.stages
    if rule is None:
        return {}
    node = rule.node or framework.root.id
    out: dict[str, dict[str, float]] = {}
    base = local[node]
    children = base.index.tolist()
    for stage in rule.stages:
        w = base.to_numpy(dtype=np.float64).copy()
        for child, v in stage.weights.items():
            if child in children and not np.isnan(v):  # as Series.update: known children, present values
                w[children.index(child)] = v
        patched = dict(local)
        patched[node] = pd.Series(w / w.sum(), index=base.index)
        out[stage.id] = {str(k): v for k, v in _floats(global_weights(framework, patched)).items()}
    return out


def record(
    framework: Framework,
    local: Mapping[str, pd.Series],
    derivation: Mapping[str, Any] | None,
    nominal: pd.Series | None = None,
) -> dict[str, Any]:
    """The ``weights.derivation`` block of run.json: per node method and diagnostics, global, per stage
    (``nominal``: the global weights of ``local``, computed here when not given)."""
    nodes = dict(derivation["nodes"]) if derivation else {}
    base = "class" if framework.weighting == "class" else "explicit"
    per_node: dict[str, Any] = {}
    for agg in framework.aggregates():
        per_node[agg.id] = nodes.get(agg.id, {"method": base, "weights": _floats(local[agg.id])})
    return {
        "nodes": _jsonable(per_node),
        "global": _floats(nominal if nominal is not None else global_weights(framework, dict(local))),
        "per_stage": stage_global_weights(framework, local),
        "files": dict(derivation["inputs"]) if derivation else {},
    }


def _floats(weights: pd.Series) -> dict[str, float]:
    """A Series of weights as a plain dict (labels → Python floats)."""
    return dict(zip(weights.index.tolist(), weights.to_numpy(dtype=np.float64).tolist(), strict=True))


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not np.isfinite(value):
        return None
    return value


_STATS = ("lambda_max", "ci", "ri", "cr", "consistent", "kendall_w", "chi2", "p_value", "experts", "units")


def frame(block: Mapping[str, Any]) -> pd.DataFrame:
    """The 权重推导 sheet: one row per (node, child) with method, source, diagnostics and weights."""
    rows = []
    glob = block.get("global", {})
    stages = block.get("per_stage", {})
    for node, rec in block.get("nodes", {}).items():
        comb = rec.get("combine") or {}
        for child, w in rec.get("weights", {}).items():
            row: dict[str, Any] = {
                "node": node,
                "child": child,
                "method": rec.get("method", ""),
                "file": rec.get("file", ""),
                "sheet": rec.get("sheet", ""),
                "combine": f"{comb['how']} with {comb['with']}" if comb else "",
                "weight": w,
                "subjective": comb.get("subjective", {}).get(child) if comb else None,
                "derived": comb.get("derived", {}).get(child) if comb else None,
            }
            for k in _STATS:
                v = rec.get(k)
                row[k] = v if not isinstance(v, dict) else len(v)
            row["global"] = glob.get(child)
            for sid, gw in stages.items():
                row[f"global_{sid}"] = gw.get(child)
            rows.append(row)
    return pd.DataFrame(rows)
