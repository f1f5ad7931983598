"""What-if weights: re-aggregate the stored normalised values with changed weights (no full re-run).

Weights are given per node id (a dimension, or any other non-root node) on the scale of the framework's
nominal local weights (``/api/framework``): children of one parent that are not given keep their nominal
weight, and the parent's weights are then rescaled to sum to 1.

Stage-based weights (分类赋权) stay in force by default: each city's stage weights for a node are multiplied
by ``new / nominal`` per child and rescaled, so that the nominal weights reproduce the nominal ranking
exactly and "innovation × 2" means twice the weight for every city, whatever its stage. With
``stages=False`` the given weights apply to every city alike.

Optional method choices (normalisation, range, aggregation) re-normalise the stored *treated* values
(a vectorised kernel call), then aggregate.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import orjson

from mfgindex.core import pipeline
from mfgindex.core.aggregate import aggregate
from mfgindex.core.errors import Problem, UserError
from mfgindex.core.framework import AggregateMethod, Framework, NormaliseMethod, with_methods
from mfgindex.core.normalise import normalise
from mfgindex.core.result import Result
from mfgindex.core.weights.topsis import closeness_scores

MAX_WEIGHT = 1e6


def check_weights(
    framework: Framework, weights: dict[str, Any], ids: frozenset[str] | None = None
) -> dict[str, float]:
    """Validate user weights: known non-root ids, finite numbers ≥ 0; raises UserError with every problem.

    ``ids`` (the framework's non-root node ids) may be passed precomputed: walking the tree costs more than
    the rest of the check.
    """
    if ids is None:
        ids = frozenset(_node_ids(framework)) - {framework.root.id}
    problems: list[Problem] = []
    out: dict[str, float] = {}
    for key, value in weights.items():
        if key not in ids:
            problems.append(
                Problem(
                    f"unknown id {key!r}",
                    column="weights",
                    value=str(key)[:40],
                    expected="a dimension or indicator id of /api/framework",
                )
            )
            continue
        if isinstance(value, bool) or not isinstance(value, int | float):
            problems.append(
                Problem(f"weight of {key!r} must be a number", column=f"weights.{key}", value=str(value)[:40])
            )
            continue
        v = float(value)
        if not math.isfinite(v) or v < 0 or v > MAX_WEIGHT:
            problems.append(
                Problem(
                    f"weight of {key!r} must be a finite number between 0 and {MAX_WEIGHT:g}",
                    column=f"weights.{key}",
                    value=str(value)[:40],
                )
            )
            continue
        out[key] = v
    if problems:
        raise UserError(problems)
    return out


def _node_ids(framework: Framework) -> list[str]:
    out = [a.id for a in framework.aggregates()]
    out.extend(i.id for i in framework.indicators())
    return out


Vec = np.ndarray[Any, np.dtype[np.float64]]


@dataclass(frozen=True)
class WhatIf:
    """Outcome: scores per aggregate id (arrays over ``codes``), ranks and the nominal ranks."""

    codes: list[str]
    scores: dict[str, Vec]
    rank: Vec
    nominal_rank: Vec
    local: dict[str, Vec]
    fresh: frozenset[str] = frozenset()
    """Aggregates recomputed (the others kept their nominal scores)."""


class Engine:
    """Precomputed arrays of one Result, so that a what-if is a few numpy calls (≈ 0.3 ms for 333 cities).

    ``run`` mirrors :func:`mfgindex.core.pipeline.aggregate_tree` on plain arrays (the pandas version costs
    ≈ 3 ms per call, too much for 50 concurrent clients) and recomputes only the aggregates whose weights
    changed and their ancestors; a test checks it against ``aggregate_tree``.
    """

    def __init__(self, result: Result) -> None:
        fw = result.framework
        self.result = result
        self.framework = fw
        self.root = fw.root.id
        cur = result.current
        normalised = cur.stages["normalised"]
        self.codes = [str(c) for c in normalised.index]
        self.values = {c: normalised[c].to_numpy(dtype=np.float64) for c in normalised.columns}
        levels = fw.depth()
        self.plan = [
            (a.id, [c.id for c in a.children], pipeline.aggregation_method(fw, a, levels[a.id]))
            for a in reversed(fw.aggregates())
        ]
        self.children = {a.id: [c.id for c in a.children] for a in fw.aggregates()}
        self.nominal = {
            k: v.reindex(self.children[k]).to_numpy(dtype=np.float64)
            for k, v in result.nominal_weights.items()
        }
        self.unit_weights = {
            k: v.reindex(columns=self.children[k]).to_numpy(dtype=np.float64) for k, v in cur.weights.items()
        }
        self.nominal_rank = (
            result.table["rank"].reindex(normalised.index).to_numpy(dtype=np.float64, na_value=np.nan)
        )
        self.position = {c: i for i, c in enumerate(self.codes)}
        self.parent = {k: a for a, kids in self.children.items() for k in kids}
        self.nominal_scores = {a: cur.scores[a].to_numpy(dtype=np.float64) for a in self.children}
        # pre-encoded JSON cells of the nominal scores: what-if rows re-encode only recomputed columns
        self.cells = {a: [f',"{a}":{_fmt(v)}' for v in s.tolist()] for a, s in self.nominal_scores.items()}
        self._heads: dict[tuple[int, tuple[str, ...]], list[tuple[str, str]]] = {}
        self.node_ids = frozenset(_node_ids(fw)) - {self.root}

    def local(self, weights: dict[str, float]) -> dict[str, Vec]:
        """Nominal local weights with the given ones replaced, each parent rescaled to sum to 1."""
        out = dict(self.nominal)
        problems = []
        for parent, kids in self.children.items():
            if not any(k in weights for k in kids):
                continue
            w = np.array([weights.get(k, v) for k, v in zip(kids, self.nominal[parent], strict=True)])
            total = float(w.sum())
            if total <= 0:
                problems.append(
                    Problem(
                        f"the weights of the children of {parent!r} are all zero",
                        column="weights",
                        expected="at least one positive weight",
                    )
                )
                continue
            w = w / total
            # equal to the nominal weights up to rounding → keep the nominal arrays (and nominal scores)
            if not np.allclose(w, self.nominal[parent], rtol=1e-12, atol=1e-15):
                out[parent] = w
        if problems:
            raise UserError(problems)
        return out

    def stage_weights(self, local: dict[str, Vec], stages: bool) -> dict[str, Vec]:
        """Per-unit weights: each stage pattern scaled child-wise by new / nominal, rows rescaled to 1."""
        if not stages:
            return {}
        out: dict[str, Vec] = {}
        for node, per_unit in self.unit_weights.items():
            nom = self.nominal[node]
            new = local[node]
            if new is nom:
                out[node] = per_unit
                continue
            with np.errstate(divide="ignore", invalid="ignore"):
                w = np.where(nom > 0, per_unit * (new / nom), new)
                total = w.sum(axis=1, keepdims=True)
                out[node] = np.where(total > 0, w / total, 0.0)
        return out

    def row_heads(self, prefixes: dict[str, str], static: tuple[str, ...]) -> list[tuple[str, str]]:
        """Per city: (``{code, name, province, region``, the cells of the ``static`` columns + ``}``)."""
        key = (id(prefixes), static)
        got = self._heads.get(key)
        if got is None:
            got = [
                (prefixes[c], "".join(self.cells[s][i] for s in static) + "}")
                for i, c in enumerate(self.codes)
            ]
            if len(self._heads) < 64:
                self._heads[key] = got
        return got

    def dirty(self, local: dict[str, Vec], unit_weights: dict[str, Vec], everything: bool) -> set[str]:
        """Aggregates to recompute: those whose weights changed, and their ancestors."""
        if everything:
            return set(self.children)
        out: set[str] = set()
        for node in self.children:
            same_local = local[node] is self.nominal[node]
            same_units = unit_weights.get(node) is self.unit_weights.get(node)
            if not (same_local and same_units):
                while node and node not in out:
                    out.add(node)
                    node = self.parent.get(node, "")
        return out

    def run(
        self,
        values: dict[str, Vec],
        local: dict[str, Vec],
        unit_weights: dict[str, Vec],
        dirty: set[str] | None = None,
    ) -> dict[str, Vec]:
        scores = dict(values)
        min_share = self.framework.methods.min_share
        for node, kids, method in self.plan:
            if dirty is not None and node not in dirty:
                scores[node] = self.nominal_scores[node]
                continue
            x = np.column_stack([scores[k] for k in kids])
            w = unit_weights.get(node, local[node])
            if method is AggregateMethod.topsis:  # as pipeline.aggregate_tree
                tn = self.framework.methods.topsis_normalisation
                scores[node] = closeness_scores(x, w, tn, min_share)
            else:
                scores[node] = aggregate(x, w, method, min_share)
        return {a: scores[a] for a in self.children}


def _normalised(engine: Engine, framework: Framework) -> dict[str, Vec]:
    result = engine.result
    if framework.methods == result.framework.methods:
        return engine.values
    cur = result.current
    inds = framework.indicators()
    ids = [i.id for i in inds]
    x = cur.stages["treated"].reindex(columns=ids).to_numpy(dtype=np.float64)
    directions = np.array([i.direction for i in inds], dtype=np.float64)
    targets = np.array([np.nan if i.target is None else i.target for i in inds], dtype=np.float64)
    if framework.methods.panel and result.previous is not None:
        prev = result.previous.stages["treated"].reindex(columns=ids).to_numpy(dtype=np.float64)
        norm = normalise(np.vstack([x, prev]), directions, framework.methods, targets)[: len(x)]
    else:
        norm = normalise(x, directions, framework.methods, targets)
    return {c: norm[:, j] for j, c in enumerate(ids)}


def competition_rank(values: np.ndarray[Any, np.dtype[np.float64]]) -> np.ndarray[Any, np.dtype[np.float64]]:
    """Rank 1 = highest, ties share the best rank, NaN → NaN (as
    :func:`mfgindex.core.rank.competition_rank`)."""
    out = np.full(values.shape, np.nan)
    ok = ~np.isnan(values)
    v = values[ok]
    order = np.sort(-v)
    out[ok] = np.searchsorted(order, -v, side="left") + 1
    return out


def whatif(
    engine: Engine,
    weights: dict[str, Any],
    stages: bool = True,
    normalise_method: NormaliseMethod | None = None,
    value_range: tuple[float, float] | None = None,
    aggregate_method: AggregateMethod | None = None,
) -> WhatIf:
    """Recompute every aggregate with changed weights (and optionally methods) from the stored stages."""
    fw = engine.framework
    changes: dict[str, Any] = {}
    if normalise_method is not None:
        changes["normalise"] = normalise_method
    if value_range is not None:
        lo, hi = value_range
        if not (math.isfinite(lo) and math.isfinite(hi) and lo < hi):
            raise UserError(
                Problem("range must be two finite numbers LO < HI", column="range", value=str(value_range))
            )
        changes["range"] = (lo, hi)
    if aggregate_method is not None:
        changes["aggregate"] = aggregate_method
        changes["aggregate_by_level"] = {}
    if changes:
        fw = with_methods(fw, **changes)
    clean = check_weights(fw, weights, engine.node_ids)
    local = engine.local(clean)
    values = _normalised(engine, fw)
    if fw is engine.framework:
        plan_engine = engine
    else:
        plan_engine = Engine.__new__(Engine)
        plan_engine.__dict__.update(engine.__dict__)
        levels = fw.depth()
        plan_engine.framework = fw
        plan_engine.plan = [
            (a.id, [c.id for c in a.children], pipeline.aggregation_method(fw, a, levels[a.id]))
            for a in reversed(fw.aggregates())
        ]
    positive = (AggregateMethod.geometric, AggregateMethod.harmonic)
    if any(m in positive for _, _, m in plan_engine.plan):
        leaves = np.column_stack([values[i.id] for i in fw.indicators()])
        if bool(np.any(leaves <= 0)):
            raise UserError(
                Problem(
                    "geometric/harmonic aggregation needs positive normalised values, but some are ≤ 0",
                    column="aggregate",
                    expected='e.g. "normalise": "minmax" with "range": [1, 100]',
                )
            )
    unit_weights = engine.stage_weights(local, stages)
    dirty = engine.dirty(
        local, unit_weights, everything=values is not engine.values or plan_engine is not engine
    )
    scores = plan_engine.run(values, local, unit_weights, dirty)
    # rounding first: re-weighting by new/nominal ≈ 1 leaves ~1e-14 noise that must not break score ties
    rank = competition_rank(np.round(scores[engine.root], 9)) if engine.root in dirty else engine.nominal_rank
    return WhatIf(
        codes=engine.codes,
        scores=scores,
        rank=rank,
        nominal_rank=engine.nominal_rank,
        local=local,
        fresh=frozenset(dirty),
    )


def _fmt(v: float) -> str:
    return "null" if v != v else repr(round(v, 6))


def rows_json(
    outcome: WhatIf,
    engine: Engine,
    prefixes: dict[str, str],
    dims: list[str],
    top: int | None = None,
) -> str:
    """The rows as a JSON array (sorted by the new rank), built from pre-encoded per-city pieces.

    Each row: ``{code, name, province, region, rank, nominal_rank, rank_change, <root>, <dims>…}``.
    Hand-assembled because ``json.dumps`` of 333 dicts costs ≈ 3 ms, more than the computation; only the
    recomputed columns are encoded anew, the others come from per-city strings cached by the engine.
    """
    ranks = outcome.rank
    nominal = outcome.nominal_rank
    cols = [engine.root, *dims]
    fresh = [c for c in cols if c in outcome.fresh]
    heads = engine.row_heads(prefixes, tuple(c for c in cols if c not in outcome.fresh))
    fresh_cells = [[f',"{c}":{_fmt(v)}' for v in outcome.scores[c].tolist()] for c in fresh]
    order = np.lexsort((nominal, np.where(np.isnan(ranks), np.inf, ranks))).tolist()
    if top is not None:
        order = order[:top]
    rk = ranks.tolist()
    nm = nominal.tolist()
    parts = []
    for i in order:
        r = rk[i]
        n = nm[i]
        if r == r and n == n:
            mid = f',"rank":{int(r)},"nominal_rank":{int(n)},"rank_change":{int(n - r)}'
        else:
            rs = "null" if r != r else str(int(r))
            ns = "null" if n != n else str(int(n))
            mid = f',"rank":{rs},"nominal_rank":{ns},"rank_change":null'
        parts.append(heads[i][0] + mid + "".join([col[i] for col in fresh_cells]) + heads[i][1])
    return "[" + ",".join(parts) + "]"


def row_prefix(label: dict[str, Any]) -> str:
    """``{"code":…,"name":…,"province":…,"region":…`` (JSON-encoded, without the closing brace)."""
    head = json.dumps(
        {k: label.get(k) for k in ("code", "name", "province", "region")},
        ensure_ascii=False,
        separators=(",", ":"),
    )
    return head[:-1]


def spearman(
    a: np.ndarray[Any, np.dtype[np.float64]], b: np.ndarray[Any, np.dtype[np.float64]]
) -> float | None:
    """Spearman correlation of two rank vectors (NaNs dropped)."""
    ok = ~(np.isnan(a) | np.isnan(b))
    if ok.sum() < 3:
        return None
    x = a[ok] - a[ok].mean()
    y = b[ok] - b[ok].mean()
    den = math.sqrt(float((x * x).sum() * (y * y).sum()))
    return None if den == 0 else float((x * y).sum() / den)


RANK_FIELDS = ("rank", "nominal_rank", "rank_change")


def column_fields(engine: Engine, dims: list[str]) -> list[str]:
    """Every column the compact (``format: "columns"``) response can carry, in their default order."""
    return [*RANK_FIELDS, engine.root, *dims]


def _ints(values: Vec) -> list[int | None]:
    return [None if v != v else int(v) for v in values.tolist()]


def columns(outcome: WhatIf, engine: Engine, fields: Sequence[str]) -> dict[str, list[Any]]:
    """The compact response body's ``columns``: one array per field, in the order of ``engine.codes``.

    Ranks are integers (null when unranked), scores rounded to 6 decimals (null when missing). About 20 KB
    for 333 cities and every field, against ≈ 95 KB for the row-wise form; encoding costs ≈ 0.05 ms.
    """
    out: dict[str, list[Any]] = {}
    for f in fields:
        if f == "rank":
            out[f] = _ints(outcome.rank)
        elif f == "nominal_rank":
            out[f] = _ints(outcome.nominal_rank)
        elif f == "rank_change":
            out[f] = _ints(outcome.nominal_rank - outcome.rank)
        else:
            out[f] = np.round(outcome.scores[f], 6).tolist()  # orjson writes NaN as null
    return out


def dumps(data: Any) -> bytes:
    """Compact UTF-8 JSON (orjson: NaN and ±inf become null, numpy scalars are accepted)."""
    return orjson.dumps(data, option=orjson.OPT_SERIALIZE_NUMPY)
