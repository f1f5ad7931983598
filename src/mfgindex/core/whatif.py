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

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from mfgindex.core.errors import Problem, UserError
from mfgindex.core.framework import Framework, with_methods
from mfgindex.core.methods import AggregateMethod, NormaliseMethod
from mfgindex.core.plan import Plan, compile_plan
from mfgindex.core.rank import ranks
from mfgindex.core.result import Result

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
    """The compiled plan of one Result and its stored stages, so that a what-if is a few numpy calls.

    A what-if is the plan applied incrementally: only the aggregates whose weights changed, and their
    ancestors, are recomputed (:meth:`mfgindex.core.plan.Plan.apply` with ``dirty``); with changed methods
    the treated values are re-normalised by a plan compiled for those methods.
    """

    def __init__(self, result: Result) -> None:
        fw = result.framework
        self.result = result
        self.framework = fw
        self.root = fw.root.id
        cur = result.current
        self.plan = compile_plan(fw, result.nominal_weights)
        normalised = cur.stages["normalised"]
        self.index = normalised.index
        self.codes = [str(c) for c in normalised.index]
        self.values = normalised.reindex(columns=list(self.plan.indicators)).to_numpy(dtype=np.float64)
        self.children = {a: list(k) for a, k in zip(self.plan.aggregates, self.plan.child_ids, strict=True)}
        self.nominal = dict(zip(self.plan.aggregates, self.plan.weights, strict=True))
        self.unit_weights = {
            k: v.reindex(columns=self.children[k]).to_numpy(dtype=np.float64) for k, v in cur.weights.items()
        }
        self.nominal_rank = (
            result.table["rank"].reindex(normalised.index).to_numpy(dtype=np.float64, na_value=np.nan)
        )
        self.position = {c: i for i, c in enumerate(self.codes)}
        self.parent = {k: a for a, kids in self.children.items() for k in kids}
        scores = cur.scores.reindex(columns=list(self.plan.aggregates))
        self.nominal_matrix = scores.to_numpy(dtype=np.float64)
        self.nominal_scores = {a: self.nominal_matrix[:, j] for j, a in enumerate(self.plan.aggregates)}
        self.node_ids = frozenset(_node_ids(fw)) - {self.root}
        self._plans: dict[str, Plan] = {}
        # per parent, for :meth:`local`: its children, nominal weights (as floats too) and the tolerance
        # within which given weights count as the nominal ones
        self._parents = [
            (
                p,
                tuple(kids),
                self.nominal[p],
                self.nominal[p].tolist(),
                1e-15 + 1e-12 * np.abs(self.nominal[p]),
            )
            for p, kids in self.children.items()
        ]
        # nodes whose nominal weights are all positive (:meth:`stage_weights` needs no guard for them)
        self._positive = {k: bool((self.nominal[k] > 0).all()) for k in self.unit_weights}

    def local(self, weights: dict[str, float]) -> dict[str, Vec]:
        """Nominal local weights with the given ones replaced, each parent rescaled to sum to 1."""
        out = dict(self.nominal)
        problems = []
        for parent, kids, nominal, listed, tolerance in self._parents:
            if weights.keys().isdisjoint(kids):
                continue
            w = np.array([weights.get(k, v) for k, v in zip(kids, listed, strict=True)])
            total = float(np.add.reduce(w))  # (``w.sum()``)
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
            # equal to the nominal weights up to rounding → keep the nominal arrays (and nominal scores);
            # np.allclose(w, nominal, rtol=1e-12, atol=1e-15) for finite weights, without its overhead
            if not bool(np.logical_and.reduce(np.abs(w - nominal) <= tolerance)):
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
            if self._positive[node]:  # the usual case, without a guard against a zero nominal weight
                ratio = new / nom
                if math.isfinite(float(np.add.reduce(ratio))):
                    w = per_unit * ratio
                    total = np.add.reduce(w, axis=1, keepdims=True)  # (``w.sum(axis=1, keepdims=True)``)
                    if bool(np.logical_and.reduce(total > 0, axis=None)):  # (NaN is not > 0)
                        out[node] = w / total
                        continue
            with np.errstate(divide="ignore", invalid="ignore"):
                w = np.where(nom > 0, per_unit * (new / nom), new)
                total = w.sum(axis=1, keepdims=True)
                out[node] = np.where(total > 0, w / total, 0.0)
        return out

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

    def plan_for(self, framework: Framework) -> Plan:
        """The plan of ``framework`` (the result's, or one with other methods; compiled once, cached)."""
        if framework is self.framework:
            return self.plan
        key = framework.methods.model_dump_json()
        got = self._plans.get(key)
        if got is None:
            got = compile_plan(framework, self.result.nominal_weights)
            if len(self._plans) < 32:
                self._plans[key] = got
        return got

    def run(
        self,
        values: Vec,
        local: dict[str, Vec],
        unit_weights: dict[str, Vec],
        dirty: set[str] | None = None,
        plan: Plan | None = None,
    ) -> dict[str, Vec]:
        """Scores per aggregate id: the plan applied to ``values`` (units × indicators) with the given
        weights, recomputing only ``dirty`` aggregates (the others keep their nominal scores)."""
        plan = plan or self.plan
        base = {j: unit_weights.get(a, local[a]) for j, a in enumerate(plan.aggregates)}
        idx = None if dirty is None else {plan.index(a) for a in dirty}
        scores = plan.apply_each(values, base, dirty=idx, previous=self.nominal_matrix)
        return dict(zip(plan.aggregates, scores, strict=True))


def _normalised(engine: Engine, plan: Plan, framework: Framework) -> Vec:
    result = engine.result
    if framework.methods == result.framework.methods:
        return engine.values
    ids = list(plan.indicators)
    x = result.current.stages["treated"].reindex(index=engine.index, columns=ids).to_numpy(dtype=np.float64)
    other = None
    if framework.methods.panel and result.previous is not None:
        other = result.previous.stages["treated"].reindex(columns=ids).to_numpy(dtype=np.float64)
    return plan.normalise(x, other)


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
    plan = engine.plan_for(fw)
    values = _normalised(engine, plan, fw)
    if plan.positive_needed() and bool(np.any(values <= 0)):
        raise UserError(
            Problem(
                "geometric/harmonic aggregation needs positive normalised values, but some are ≤ 0",
                column="aggregate",
                expected='e.g. "normalise": "minmax" with "range": [1, 100]',
            )
        )
    unit_weights = engine.stage_weights(local, stages)
    everything = values is not engine.values or plan is not engine.plan
    dirty = engine.dirty(local, unit_weights, everything=everything)
    scores = engine.run(values, local, unit_weights, dirty, plan)
    rank = ranks(scores[engine.root]) if engine.root in dirty else engine.nominal_rank
    return WhatIf(
        codes=engine.codes,
        scores=scores,
        rank=rank,
        nominal_rank=engine.nominal_rank,
        local=local,
        fresh=frozenset(dirty),
    )
