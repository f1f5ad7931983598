"""The vectorised Monte Carlo engine: many replications of the index at once, never a pipeline rebuild.

Plan (what is computed once, what per replication):

1. Every *discrete* data variant (combination of the alternatives of the factors that change imputation,
   screening, treatment or normalisation) is evaluated once with the core pipeline
   (:func:`mfgindex.core.pipeline.evaluate_year` up to treatment — or only
   :func:`mfgindex.core.treat.treat` on the nominal imputed data when just the treatment varies — then the
   normalisation kernel for each
   normalisation alternative on the treated data). COINr's default set has only 5 × 2 such variants.
2. A chunk of R replications is grouped by (data variant, aggregation alternative, stage alternative); each
   group is aggregated up the tree in one pass with weight arrays shaped ``(r, units | 1, children)``
   (the kernels of :mod:`core.aggregate` broadcast leading axes). Aggregates whose children and weights
   do not vary inside the group are computed once and broadcast.
3. Ranks of each replication (competition ranks, 1 = best, ties share the best rank, a missing score has no
   rank) are accumulated in a units × ranks histogram, which gives exact rank quantiles with bounded memory.

A :class:`Context` is plain data (picklable), shipped once to each worker of a Dask cluster.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from itertools import product
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from mfgindex.core import derive, pipeline
from mfgindex.core import framework as fw_mod
from mfgindex.core.aggregate import aggregate
from mfgindex.core.dataset import Dataset
from mfgindex.core.errors import Problem, UserError
from mfgindex.core.framework import AggregateMethod, Framework, TreatMethod
from mfgindex.core.normalise import normalise
from mfgindex.core.result import Result
from mfgindex.core.treat import treat
from mfgindex.core.weights.classes import local_weights
from mfgindex.core.weights.stages import stage_mix, stage_weights
from mfgindex.robust.assumptions import NORMALISE_KEYS, TREE_KEYS, Factor

Array = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
TREAT_KEYS = frozenset({"treat", "winmax", "skew_thresh", "kurt_thresh"})
BLOCK_CELLS = 2_000_000  # replications × units × children per aggregation block (≈ 16 MB per temporary)


@dataclass(frozen=True)
class Node:
    """An aggregate, in bottom-up order; children are slots (indicators first, then aggregates)."""

    id: str
    children: tuple[int, ...]
    child_ids: tuple[str, ...]
    weights: Array  # nominal local weights (k,)
    noise: Array  # half-width of the weight noise per child (k,), 0 = none
    methods: tuple[AggregateMethod, ...]  # per aggregation alternative
    min_share: tuple[float, ...]  # per aggregation alternative
    stage: bool  # per-unit stage weights apply here


@dataclass(frozen=True)
class Context:
    """Everything a worker needs to evaluate replications."""

    codes: tuple[str, ...]
    indicators: tuple[str, ...]
    nodes: tuple[Node, ...]
    factors: tuple[Factor, ...]
    data_factors: tuple[int, ...]  # positions in ``factors`` that change the data variant
    tree_factors: tuple[int, ...]  # positions that change the aggregation alternative
    stage_factor: int | None
    exclude_factors: tuple[int, ...]
    weight_factor: int | None
    variants: dict[tuple[int, ...], Array]  # data-factor choices → normalised (units, indicators)
    agg_alternatives: dict[tuple[int, ...], int]  # tree-factor choices → aggregation alternative
    stage_weights: tuple[Array, ...]  # per stage alternative: (units, k) of the stage node; () if none
    nominal_rank: Array  # (units,) NaN where unranked
    weight_sets: dict[int, Array] = field(default_factory=dict)  # node → (sets, k) noise multipliers (SA)

    @property
    def n_units(self) -> int:
        return len(self.codes)

    def noisy_nodes(self) -> list[int]:
        return [j for j, n in enumerate(self.nodes) if bool(np.any(n.noise > 0))]

    def weight_columns(self) -> list[str]:
        return [f"w:{self.nodes[j].id}/{c}" for j in self.noisy_nodes() for c in self.nodes[j].child_ids]


def _slots(framework: Framework) -> tuple[list[str], list[Any]]:
    inds = [i.id for i in framework.indicators()]
    aggs = list(reversed(framework.aggregates()))  # children before parents
    return inds, aggs


def build_context(
    ds: Dataset, framework: Framework, year: int, nominal: Result, factors: list[Factor]
) -> Context:
    """Precompute the data variants, aggregation alternatives and stage weights for ``factors``."""
    inds, aggs = _slots(framework)
    slot = {i: k for k, i in enumerate(inds)} | {a.id: len(inds) + k for k, a in enumerate(aggs)}
    levels = framework.depth()
    codes = nominal.current.scores.index
    data_f = tuple(k for k, f in enumerate(factors) if f.kind == "methods" and f.touches(TREE_KEYS, False))
    tree_f = tuple(k for k, f in enumerate(factors) if f.kind == "methods" and f.touches(TREE_KEYS, True))
    stage_f = next((k for k, f in enumerate(factors) if f.kind == "stages"), None)
    excl_f = tuple(k for k, f in enumerate(factors) if f.kind == "exclude")
    weight_f = next((k for k, f in enumerate(factors) if f.kind == "weights"), None)
    noise = dict(factors[weight_f].noise) if weight_f is not None else {}

    # 1. data variants
    directions = np.array([i.direction for i in framework.indicators()], dtype=np.float64)
    targets = np.array([np.nan if i.target is None else i.target for i in framework.indicators()])
    universe = pipeline.universe(ds, framework)
    treated_cache: dict[str, pd.DataFrame] = {}
    variants: dict[tuple[int, ...], Array] = {}
    for choice in product(*(range(factors[k].n_alternatives) for k in data_f)):
        changes: dict[str, Any] = {}
        for k, alt in zip(data_f, choice, strict=True):
            changes.update(factors[k].part(alt, TREE_KEYS, False))
        pre = {k: v for k, v in changes.items() if k not in NORMALISE_KEYS}
        key = json.dumps(pre, sort_keys=True, default=str)
        if key not in treated_cache:
            fw_pre = fw_mod.with_methods(framework, **pre) if pre else framework
            if set(pre) <= TREAT_KEYS:
                # only the treatment differs: re-treat the nominal imputed data as evaluate_year would
                m = fw_pre.methods
                imputed = nominal.current.stages["imputed"]
                treated_cache[key] = (
                    treat(imputed, m.winmax, m.skew_thresh, m.kurt_thresh)[0]
                    if m.treat is TreatMethod.winsorise
                    else imputed.copy()
                )
            else:
                treated_cache[key] = pipeline.evaluate_year(ds, fw_pre, year, universe).stages["treated"]
        treated = treated_cache[key]
        methods = fw_mod.with_methods(framework, **changes).methods if changes else framework.methods
        norm = normalise(treated.to_numpy(dtype=np.float64), directions, methods, targets)
        frame = pd.DataFrame(norm, index=treated.index, columns=inds).reindex(codes)
        variants[tuple(choice)] = np.ascontiguousarray(frame.to_numpy(dtype=np.float64))

    # 2. aggregation alternatives
    agg_alts: dict[tuple[int, ...], int] = {}
    alt_frameworks: list[Framework] = []
    for choice in product(*(range(factors[k].n_alternatives) for k in tree_f)):
        changes = {}
        for k, alt in zip(tree_f, choice, strict=True):
            changes.update(factors[k].part(alt, TREE_KEYS, True))
        agg_alts[tuple(choice)] = len(alt_frameworks)
        alt_frameworks.append(fw_mod.with_methods(framework, **changes) if changes else framework)

    # 3. stage weights (the run's nominal local weights: explicit, class-based or derived from data)
    local = {k: v.copy() for k, v in nominal.nominal_weights.items()} or local_weights(framework)
    stage_node = None
    stage_w: list[Array] = []
    if framework.stages is not None:
        rule = framework.stages
        stage_node = rule.node or framework.root.id
        var = derive.auxiliary(ds, rule.variable, year, codes, framework)
        alts = factors[stage_f].values if stage_f is not None else (tuple(rule.boundaries),)
        for b in alts:
            r = rule.model_copy(update={"boundaries": list(b)})
            mix, _ = stage_mix(var, r)
            stage_w.append(stage_weights(mix, r, local[stage_node]).to_numpy(dtype=np.float64))

    nodes = []
    for a in aggs:
        kids = tuple(c.id for c in a.children)
        nodes.append(Node(
            id=a.id, children=tuple(slot[c] for c in kids), child_ids=kids,
            weights=local[a.id].reindex(list(kids)).to_numpy(dtype=np.float64),
            noise=np.array([noise.get(levels[c], 0.0) for c in kids], dtype=np.float64),
            methods=tuple(pipeline.aggregation_method(f, a, levels[a.id]) for f in alt_frameworks),
            min_share=tuple(f.methods.min_share for f in alt_frameworks),
            stage=a.id == stage_node,
        ))  # fmt: skip
    if any(m is AggregateMethod.topsis for n in nodes for m in n.methods):
        msg = "TOPSIS aggregation is not supported by the uncertainty/sensitivity engine"
        raise UserError(
            Problem(msg, column="methods.aggregate", expected="arithmetic, geometric or harmonic")
        )
    nominal_rank = nominal.table["rank"].reindex(codes).to_numpy(dtype=np.float64, na_value=np.nan)
    return Context(
        codes=tuple(str(c) for c in codes), indicators=tuple(inds), nodes=tuple(nodes),
        factors=tuple(factors),
        data_factors=data_f, tree_factors=tree_f, stage_factor=stage_f, exclude_factors=excl_f,
        weight_factor=weight_f, variants=variants, agg_alternatives=agg_alts, stage_weights=tuple(stage_w),
        nominal_rank=nominal_rank,
    )  # fmt: skip


def with_weight_sets(ctx: Context, rng: np.random.Generator) -> Context:
    """Draw the factor's ``sets`` noisy weight sets (COINr ``get_noisy_weights``) for the Sobol design."""
    if ctx.weight_factor is None:
        return ctx
    sets = ctx.factors[ctx.weight_factor].sets
    drawn = {j: 1.0 + (2.0 * rng.random((sets, len(ctx.nodes[j].noise))) - 1.0) * ctx.nodes[j].noise
             for j in ctx.noisy_nodes()}  # fmt: skip
    return Context(**{**ctx.__dict__, "weight_sets": drawn})


# -- sampling -----------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Draws:
    """The assumptions of R replications: a choice per discrete factor, weight multipliers per noisy node."""

    choices: IntArray  # (R, n_factors); for the weight factor: the set index, −1 = fresh noise
    multipliers: dict[int, Array]  # node → (R, k)

    @property
    def size(self) -> int:
        return int(self.choices.shape[0])


def sample(ctx: Context, size: int, rng: np.random.Generator) -> Draws:
    """Monte Carlo draws: each discrete factor uniform over its alternatives; fresh noise for every weight."""
    choices = np.full((size, len(ctx.factors)), -1, dtype=np.int64)
    for k, f in enumerate(ctx.factors):
        if f.kind != "weights":
            choices[:, k] = rng.integers(0, f.n_alternatives, size=size)
    mult = {}
    for j in ctx.noisy_nodes():
        noise = ctx.nodes[j].noise
        mult[j] = 1.0 + (2.0 * rng.random((size, len(noise))) - 1.0) * noise
    return Draws(choices, mult)


def from_unit(ctx: Context, u: Array) -> Draws:
    """Map a design in [0, 1]^d (one column per factor) to draws: alternative = ⌊u·n⌋ (binning); the weight
    factor picks one of the pre-drawn noisy weight sets."""
    n = np.array([f.n_alternatives for f in ctx.factors], dtype=np.float64)
    choices = np.minimum(np.floor(u * n), n - 1).astype(np.int64)
    mult = {}
    if ctx.weight_factor is not None:
        idx = choices[:, ctx.weight_factor]
        mult = {j: s[idx] for j, s in ctx.weight_sets.items()}
    return Draws(choices, mult)


# -- evaluation ---------------------------------------------------------------------------------------------
def evaluate(ctx: Context, draws: Draws) -> Array:
    """Index scores (R, units) of every replication."""
    r_total = draws.size
    out = np.empty((r_total, ctx.n_units), dtype=np.float64)
    c = draws.choices
    data_key = c[:, list(ctx.data_factors)] if ctx.data_factors else np.zeros((r_total, 0), np.int64)
    tree_key = c[:, list(ctx.tree_factors)] if ctx.tree_factors else np.zeros((r_total, 0), np.int64)
    stage_key = c[:, ctx.stage_factor] if ctx.stage_factor is not None else np.zeros(r_total, np.int64)
    keys = np.column_stack([data_key, tree_key, stage_key])
    uniq, inverse = np.unique(keys, axis=0, return_inverse=True)
    inverse = inverse.reshape(-1)
    n_slots = len(ctx.indicators) + len(ctx.nodes)
    keep = np.ones((r_total, n_slots), dtype=np.float64)
    for k in ctx.exclude_factors:
        alts = ctx.factors[k].values
        for a, ids in enumerate(alts):
            rows = c[:, k] == a
            for i in ids:
                keep[rows, ctx.indicators.index(i)] = 0.0
    excl = bool(ctx.exclude_factors)
    max_k = max(len(n.children) for n in ctx.nodes)
    block = max(1, BLOCK_CELLS // (ctx.n_units * max_k))
    nd = len(ctx.data_factors)
    nt = len(ctx.tree_factors)
    for g, key in enumerate(uniq):
        rows = np.flatnonzero(inverse == g)
        x = ctx.variants[tuple(int(v) for v in key[:nd])]
        alt = ctx.agg_alternatives[tuple(int(v) for v in key[nd : nd + nt])]
        stage = int(key[-1])
        for s in range(0, len(rows), block):
            sel = rows[s : s + block]
            mult = {j: m[sel] for j, m in draws.multipliers.items()}
            out[sel] = _tree(ctx, x, alt, stage, mult, keep[sel] if excl else None)
    return out


def _tree(ctx: Context, x: Array, alt: int, stage: int, mult: dict[int, Array], keep: Array | None) -> Array:
    """Index (r, units) for one group. A geometric/harmonic mean over a present value ≤ 0 has no score, and
    that unit's index has none either: unlike a missing component, it is not skipped further up."""
    r = next(iter(mult.values())).shape[0] if mult else (keep.shape[0] if keep is not None else 1)
    n_ind = len(ctx.indicators)
    vals: list[Array] = [x[:, i] for i in range(n_ind)]
    bad: list[npt.NDArray[np.bool_] | None] = [None] * n_ind
    for j, node in enumerate(ctx.nodes):
        kids = [vals[s] for s in node.children]
        w: Array = ctx.stage_weights[stage] if node.stage else node.weights
        factor = mult.get(j)
        if keep is not None:
            kk = keep[:, list(node.children)]
            if not bool(np.all(kk == 1.0)):
                factor = kk if factor is None else factor * kk
        method = node.methods[alt]
        if factor is not None and all(v.ndim == 1 for v in kids) and method is not AggregateMethod.harmonic:
            xs = np.column_stack(kids)
            vals.append(_weighted_mean_matmul(xs, w, factor, method, node.min_share[alt]))
        else:
            if factor is not None:
                w = w[None, ...] * factor[:, None, :]  # (r, 1 | units, k)
            if factor is not None or any(v.ndim == 2 for v in kids):
                xs = np.stack([np.broadcast_to(v, (r, ctx.n_units)) for v in kids], axis=-1)
            else:
                xs = np.column_stack(kids)
            vals.append(aggregate(xs, w, method, node.min_share[alt]))
        flags: list[npt.NDArray[np.bool_]] = [f for f in (bad[s] for s in node.children) if f is not None]
        if method is not AggregateMethod.arithmetic:
            with np.errstate(invalid="ignore"):
                flags.append(np.any(xs <= 0, axis=-1))  # NaN ≤ 0 is False: missing stays missing
        merged: npt.NDArray[np.bool_] | None = None
        for f in flags:
            merged = f if merged is None else np.logical_or(merged, f)
        bad.append(merged)
    root = vals[-1]
    if bad[-1] is not None:
        root = np.where(bad[-1], np.nan, root)
    return np.broadcast_to(root, (r, ctx.n_units)) if root.ndim == 1 else root


def _weighted_mean_matmul(
    x: Array, base: Array, factor: Array, method: AggregateMethod, min_share: float
) -> Array:
    """:func:`~mfgindex.core.aggregate.aggregate` for components ``x`` (units, k) shared by all
    replications and weights ``base · factor`` (base (k,) or (units, k), factor (r, k)), as two matrix
    products: the weighted sums over the present components are ``factor @ (base·x)ᵀ`` and ``factor @
    (base·present)ᵀ``. Same rules as the kernel (missing components skipped, weights renormalised,
    ``min_share``, geometric mean NaN over a value ≤ 0); a test checks it equals the kernel."""
    present = ~np.isnan(x)
    b = np.broadcast_to(base, x.shape)
    if method is AggregateMethod.arithmetic:
        term = np.where(present, x, 0.0)
    else:
        with np.errstate(invalid="ignore", divide="ignore"):
            term = np.log(np.where(present & (x > 0), x, 1.0))
    wb = np.where(present, b, 0.0)
    total = factor @ wb.T  # (r, units)
    with np.errstate(invalid="ignore", divide="ignore"):
        out = (factor @ (wb * term).T) / total
    if method is AggregateMethod.geometric:
        out = np.where(np.any(present & (x <= 0), axis=-1), np.nan, np.exp(out))
    share = present.mean(axis=-1)
    empty = (total <= 0) | (share < min_share) | (share == 0)
    return np.asarray(np.where(empty, np.nan, out), dtype=np.float64)


def ranks(index: Array) -> Array:
    """Competition ranks per replication (1 = highest index, ties share the best rank, NaN unranked).

    One argsort per row (NaN sorts last, so it never shifts the ranks of the scored units)."""
    order = np.argsort(-index, axis=1, kind="stable")
    srt = np.take_along_axis(-index, order, axis=1)
    n = index.shape[1]
    pos = np.broadcast_to(np.arange(1, n + 1, dtype=np.float64), srt.shape)
    new = np.ones(srt.shape, dtype=bool)
    new[:, 1:] = srt[:, 1:] != srt[:, :-1]
    first = np.maximum.accumulate(np.where(new, pos, 0.0), axis=1)  # rank of the first of each tie group
    out = np.empty_like(index)
    np.put_along_axis(out, order, first, axis=1)
    return np.asarray(np.where(np.isnan(index), np.nan, out), dtype=np.float64)


def rank_histogram(rk: Array, n_units: int) -> IntArray:
    """counts[u, k] = replications in which unit u has rank k (k = 1..n; column 0 unused)."""
    ok = ~np.isnan(rk)
    unit = np.broadcast_to(np.arange(n_units), rk.shape)[ok]
    flat = unit * (n_units + 1) + rk[ok].astype(np.int64)
    return np.bincount(flat, minlength=n_units * (n_units + 1)).reshape(n_units, n_units + 1).astype(np.int64)


def histogram_quantile(counts: IntArray, p: float) -> Array:
    """Quantile of type 7 (R default, numpy "linear") of each row's ranks, from the rank histogram."""
    n = counts.sum(axis=1)
    cum = np.cumsum(counts, axis=1)
    h = (n - 1) * p
    lo = np.floor(h).astype(np.int64)
    frac = h - lo
    values = np.arange(counts.shape[1], dtype=np.float64)

    def order_stat(j: IntArray) -> Array:
        # the value at sorted position j (0-based): the first rank whose cumulative count exceeds j
        pos = np.array([np.searchsorted(cum[u], j[u], side="right") for u in range(len(j))], dtype=np.int64)
        return np.asarray(values[np.minimum(pos, counts.shape[1] - 1)], dtype=np.float64)

    a = order_stat(lo)
    b = order_stat(np.minimum(lo + 1, np.maximum(n - 1, 0)))
    out = a + frac * (b - a)
    return np.asarray(np.where(n > 0, out, np.nan), dtype=np.float64)


def histogram_mean(counts: IntArray) -> Array:
    n = counts.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.asarray(counts @ np.arange(counts.shape[1], dtype=np.float64) / n, dtype=np.float64)
