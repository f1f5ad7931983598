"""The Monte Carlo engine: batches of replications of the index through the one evaluation plan.

What is computed once, what per replication:

1. Every *discrete* data variant (combination of the alternatives of the factors that change imputation,
   screening, treatment or normalisation) is evaluated once with the core pipeline
   (:func:`mfgindex.core.pipeline.evaluate_year` up to treatment — or only
   :func:`mfgindex.core.treat.treat` on the nominal imputed data when just the treatment varies — then the
   plan's normalisation for each normalisation alternative, with the previous year stacked when the
   normalisation is panel-wide, exactly as the pipeline does). COINr's default set has 5 × 2 such variants.
2. Each aggregation alternative is a :class:`~mfgindex.core.plan.Plan`. A chunk of replications is grouped
   by (data variant, aggregation alternative, stage alternative) and each group is one call of
   :meth:`~mfgindex.core.plan.Plan.apply` with per-replication weight factors ``(r, k)``; aggregates whose
   children and weights do not vary are computed once and broadcast, means over shared components are
   matrix products.
3. Ranks of each replication (:func:`mfgindex.core.rank.ranks`) are accumulated in a units × ranks
   histogram, which gives exact rank quantiles with bounded memory.

A :class:`Context` is plain data (picklable), shipped once to each worker of a Dask cluster.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from functools import cached_property
from itertools import product
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from mfgindex.core import derive, pipeline
from mfgindex.core import framework as fw_mod
from mfgindex.core import treat as treat_mod
from mfgindex.core.dataset import Dataset
from mfgindex.core.framework import Framework
from mfgindex.core.normalise import compile_normaliser
from mfgindex.core.normalise import specs as normalise_specs
from mfgindex.core.plan import Plan, compile_plan
from mfgindex.core.rank import rank_counts, rank_histogram, ranks
from mfgindex.core.result import Result
from mfgindex.core.weights.classes import local_weights
from mfgindex.core.weights.stages import stage_mix, stage_weights
from mfgindex.robust.assumptions import NORMALISE_KEYS, TREE_KEYS, Factor

Array = npt.NDArray[np.float64]
Bools = npt.NDArray[np.bool_]
IntArray = npt.NDArray[np.int64]
TREAT_KEYS = frozenset({"treat", "winmax", "skew_thresh", "kurt_thresh"})
BLOCK_CELLS = 2_000_000  # replications × units × children per aggregation block (≈ 16 MB per temporary)
CACHE_CELLS = 20_000_000  # units × aggregates kept for the unperturbed groups (≈ 180 MB at most)
__all__ = ["Context", "Draws", "build_context", "concat", "empty_draws", "evaluate", "evaluate_grouped",
           "from_unit", "rank_counts", "rank_histogram", "ranks", "sample", "sample_into"]  # fmt: skip


@dataclass(frozen=True, eq=False, repr=False)
class Context:
    """Everything a worker needs to evaluate replications."""

    codes: tuple[str, ...]
    plans: tuple[Plan, ...]  # per aggregation alternative (same tree and weights, other methods)
    noise: tuple[Array, ...]  # per aggregate: half-width of the weight noise per child (k,), 0 = none
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
    # (data, aggregation, stage) choice → the plan applied without perturbation: scores and ≤ 0 flags
    # (units, aggregates); filled as groups are met, so each worker computes each group once
    nominal_scores: dict[tuple[int, ...], tuple[Array, Bools]] = field(default_factory=dict, repr=False)

    @property
    def plan(self) -> Plan:
        return self.plans[0]

    @property
    def indicators(self) -> tuple[str, ...]:
        return self.plan.indicators

    @property
    def n_units(self) -> int:
        return len(self.codes)

    def noisy_nodes(self) -> list[int]:
        return list(self._noisy)

    @cached_property
    def _noisy(self) -> tuple[int, ...]:
        """The aggregates with weight noise, found once (the noise of a context does not change)."""
        return tuple(j for j, n in enumerate(self.noise) if bool(np.any(n > 0)))

    def weight_columns(self) -> list[str]:
        p = self.plan
        return [f"w:{p.aggregates[j]}/{c}" for j in self.noisy_nodes() for c in p.child_ids[j]]


def _variant_treated(
    ds: Dataset, framework: Framework, nominal: Result, year: int, pre: dict[str, Any], universe: pd.Index
) -> tuple[pd.DataFrame, pd.DataFrame | None]:
    """Treated values of the year and of the previous year (None if the run has none) under ``pre``."""
    fw_pre = fw_mod.with_methods(framework, **pre) if pre else framework
    prev_year = nominal.provenance.get("previous_year")
    if set(pre) <= TREAT_KEYS:
        # only the treatment differs: re-treat the nominal imputed data as evaluate_year would
        m = fw_pre.methods
        if m == framework.methods:  # the nominal treatment itself: the run's treated values
            prev_treated = None if nominal.previous is None else nominal.previous.stages["treated"]
            return nominal.current.stages["treated"], prev_treated
        overrides = treat_mod.specs(framework)

        def retreat(imputed: pd.DataFrame) -> pd.DataFrame:
            return treat_mod.treat_frame(imputed, m, overrides)[0]

        prev = None if nominal.previous is None else retreat(nominal.previous.stages["imputed"])
        return retreat(nominal.current.stages["imputed"]), prev
    cur = pipeline.evaluate_year(ds, fw_pre, year, universe).stages["treated"]
    if prev_year is None:
        return cur, None
    return cur, pipeline.evaluate_year(ds, fw_pre, int(prev_year), universe).stages["treated"]


def _take_rows(values: Array, index: pd.Index, labels: pd.Index) -> Array:
    """``pd.DataFrame(values, index=index).reindex(labels)`` as a C-ordered array (NaN where missing)."""
    r = index.get_indexer(labels)
    missing = r < 0
    if not len(index):
        return np.full((len(labels), values.shape[-1]), np.nan)
    out = np.asarray(values, dtype=np.float64)[np.where(missing, 0, r)]
    if missing.any():
        out[missing] = np.nan
    return np.ascontiguousarray(out)


def build_context(nominal: Result, factors: list[Factor], data: Dataset | None = None) -> Context:
    """The engine's input, derived from the nominal run: the data variants, aggregation alternatives and
    stage weights for ``factors`` around ``nominal``.

    The framework, the year and the nominal local weights and ranks are the result's; the data are
    ``data`` or, by default, the data the result was evaluated on (``nominal.dataset``). This is the one
    place a :class:`Context` is built (besides :func:`with_weight_sets`, which adds the Sobol weight sets).
    """
    ds = data if data is not None else nominal.dataset
    if ds is None:
        raise ValueError("the result carries no data: pass the data it was evaluated on")
    framework, year = nominal.framework, nominal.year
    levels = framework.depth()
    codes = nominal.current.scores.index
    data_f = tuple(k for k, f in enumerate(factors) if f.kind == "methods" and f.touches(TREE_KEYS, False))
    tree_f = tuple(k for k, f in enumerate(factors) if f.kind == "methods" and f.touches(TREE_KEYS, True))
    stage_f = next((k for k, f in enumerate(factors) if f.kind == "stages"), None)
    excl_f = tuple(k for k, f in enumerate(factors) if f.kind == "exclude")
    weight_f = next((k for k, f in enumerate(factors) if f.kind == "weights"), None)
    noise = dict(factors[weight_f].noise) if weight_f is not None else {}
    # the run's nominal local weights: explicit, class-based or derived from data
    local = {k: v.copy() for k, v in nominal.nominal_weights.items()} or local_weights(framework)

    # 1. data variants: the nominal plan with the variant's methods (its normaliser and settings; the tree,
    # directions and targets do not change with the methods), normalising the variant's treated values
    universe = pipeline.universe(ds, framework)
    nominal_plan = compile_plan(framework, local)
    norm_specs = normalise_specs(framework)
    ids = list(nominal_plan.indicators)
    treated_cache: dict[str, tuple[pd.Index, Array, Array | None]] = {}  # the treated values, once each
    variants: dict[tuple[int, ...], Array] = {}
    for choice in product(*(range(factors[k].n_alternatives) for k in data_f)):
        changes: dict[str, Any] = {}
        for k, alt in zip(data_f, choice, strict=True):
            changes.update(factors[k].part(alt, TREE_KEYS, False))
        pre = {k: v for k, v in changes.items() if k not in NORMALISE_KEYS}
        key = json.dumps(pre, sort_keys=True, default=str)
        if key not in treated_cache:
            cur, prev_frame = _variant_treated(ds, framework, nominal, year, pre, universe)
            prev = None if prev_frame is None else prev_frame.reindex(columns=ids).to_numpy(dtype=np.float64)
            treated_cache[key] = (cur.index, cur.reindex(columns=ids).to_numpy(dtype=np.float64), prev)
        index, values, prev = treated_cache[key]
        fw_var = fw_mod.with_methods(framework, **changes) if changes else framework
        m = fw_var.methods
        plan = replace(nominal_plan, normaliser=compile_normaliser(m, norm_specs), settings=m)
        variants[tuple(choice)] = _take_rows(plan.normalise(values, prev if m.panel else None), index, codes)

    # 2. aggregation alternatives: one plan each
    agg_alts: dict[tuple[int, ...], int] = {}
    plans: list[Plan] = []
    for choice in product(*(range(factors[k].n_alternatives) for k in tree_f)):
        changes = {}
        for k, alt in zip(tree_f, choice, strict=True):
            changes.update(factors[k].part(alt, TREE_KEYS, True))
        agg_alts[tuple(choice)] = len(plans)
        plans.append(compile_plan(fw_mod.with_methods(framework, **changes) if changes else framework, local))

    # 3. stage weights
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

    plan = plans[0]
    node_noise = tuple(np.array([noise.get(levels[c], 0.0) for c in kids], dtype=np.float64)
                       for kids in plan.child_ids)  # fmt: skip
    nominal_rank = nominal.table["rank"].reindex(codes).to_numpy(dtype=np.float64, na_value=np.nan)
    return Context(
        codes=tuple(str(c) for c in codes), plans=tuple(plans), noise=node_noise, factors=tuple(factors),
        data_factors=data_f, tree_factors=tree_f, stage_factor=stage_f, exclude_factors=excl_f,
        weight_factor=weight_f, variants=variants, agg_alternatives=agg_alts, stage_weights=tuple(stage_w),
        nominal_rank=nominal_rank,
    )  # fmt: skip


def with_weight_sets(ctx: Context, rng: np.random.Generator) -> Context:
    """Draw the factor's ``sets`` noisy weight sets (COINr ``get_noisy_weights``) for the Sobol design."""
    if ctx.weight_factor is None:
        return ctx
    sets = ctx.factors[ctx.weight_factor].sets
    drawn = {j: 1.0 + (2.0 * rng.random((sets, len(ctx.noise[j]))) - 1.0) * ctx.noise[j]
             for j in ctx.noisy_nodes()}  # fmt: skip
    return replace(ctx, weight_sets=drawn, nominal_scores={})


# -- sampling -----------------------------------------------------------------------------------------------
@dataclass(frozen=True, eq=False, repr=False)
class Draws:
    """The assumptions of R replications: a choice per discrete factor, weight multipliers per noisy node."""

    choices: IntArray  # (R, n_factors); for the weight factor: the set index, −1 = fresh noise
    multipliers: dict[int, Array]  # node → (R, k)

    @property
    def size(self) -> int:
        return int(self.choices.shape[0])


def sample(ctx: Context, size: int, rng: np.random.Generator) -> Draws:
    """Monte Carlo draws: each discrete factor uniform over its alternatives; fresh noise for every weight."""
    draws = empty_draws(ctx, size)
    sample_into(ctx, draws, 0, size, rng)
    return draws


def empty_draws(ctx: Context, size: int) -> Draws:
    """Room for the draws of ``size`` replications (filled by :func:`sample_into`)."""
    choices = np.full((size, len(ctx.factors)), -1, dtype=np.int64)
    return Draws(choices, {j: np.empty((size, len(ctx.noise[j]))) for j in ctx.noisy_nodes()})


def sample_into(ctx: Context, draws: Draws, start: int, size: int, rng: np.random.Generator) -> None:
    """:func:`sample` of ``size`` replications written to rows ``start …`` of ``draws`` (the same numbers
    from ``rng``: a batch of chunks is drawn in place, without concatenating the chunks' draws)."""
    rows = slice(start, start + size)
    for k, f in enumerate(ctx.factors):
        if f.kind != "weights":
            draws.choices[rows, k] = rng.integers(0, f.n_alternatives, size=size)
    for j in ctx.noisy_nodes():
        noise = ctx.noise[j]
        u = draws.multipliers[j][rows]
        rng.random(out=u)
        u *= 2.0  # 1 + (2u − 1)·noise, in place
        u -= 1.0
        # the children of a node share their level's noise: one number (a row broadcast over so few
        # columns costs numpy more than the arithmetic)
        u *= noise[0] if bool(np.all(noise == noise[0])) else noise
        u += 1.0


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
def concat(parts: list[Draws]) -> Draws:
    """The draws of several chunks, one after the other."""
    if len(parts) == 1:
        return parts[0]
    mult = {j: np.concatenate([p.multipliers[j] for p in parts]) for j in parts[0].multipliers}
    return Draws(np.concatenate([p.choices for p in parts]), mult)


def _groups(ctx: Context, choices: IntArray) -> tuple[IntArray, list[IntArray]]:
    """The distinct (data, aggregation, stage) choices of the replications and the rows of each, in order."""
    cols = [*ctx.data_factors, *ctx.tree_factors]
    cols += [ctx.stage_factor] if ctx.stage_factor is not None else []
    r_total = choices.shape[0]
    if not cols:
        return np.zeros((1, 1), np.int64), [np.arange(r_total)]
    code = np.zeros(r_total, dtype=np.int64)
    combinations = 1
    for k in cols:  # one integer per combination (mixed radix): a stable sort groups the rows
        code = code * ctx.factors[k].n_alternatives + choices[:, k]
        combinations *= ctx.factors[k].n_alternatives
    if combinations <= np.iinfo(np.int16).max:  # numpy sorts 16-bit integers stably by radix: same order
        order = np.argsort(code.astype(np.int16), kind="stable")
    else:
        order = np.argsort(code, kind="stable")
    cuts = np.flatnonzero(np.diff(code[order])) + 1
    rows = np.split(order, cuts)
    keys = choices[[g[0] for g in rows]][:, cols]
    if ctx.stage_factor is None:
        keys = np.column_stack([keys, np.zeros(len(rows), np.int64)])
    return keys, rows


def _unperturbed(ctx: Context, keys: list[tuple[int, ...]]) -> dict[tuple[int, ...], tuple[Array, Bools]]:
    """The unperturbed scores and ≤ 0 flags of each (data, aggregation, stage) key: from the context's
    store, else computed — all data variants of one plan and stage alternative in one call of the plan
    (leaves stacked ``(variants, units, n)``) — and stored while the store is below :data:`CACHE_CELLS`."""
    nd = len(ctx.data_factors)
    nt = len(ctx.tree_factors)
    got = {k: ctx.nominal_scores[k] for k in keys if k in ctx.nominal_scores}
    todo: dict[tuple[int, int], list[tuple[int, ...]]] = {}
    for key in keys:
        if key not in got:
            todo.setdefault((ctx.agg_alternatives[key[nd : nd + nt]], key[-1]), []).append(key)
    for (alt, stage_alt), ks in todo.items():
        p = ctx.plans[alt]
        base = {p.stage: ctx.stage_weights[stage_alt]} if p.stage is not None else {}
        scores, bad = p.apply_flagged(np.stack([ctx.variants[k[:nd]] for k in ks]), base)
        for i, key in enumerate(ks):
            got[key] = (scores[i], bad[i])
            if (len(ctx.nominal_scores) + 1) * scores[i].size <= CACHE_CELLS:
                ctx.nominal_scores[key] = got[key]
    return got


def evaluate(ctx: Context, draws: Draws) -> Array:
    """Index scores (R, units) of every replication.

    Replications are grouped by their (data variant, aggregation alternative, stage alternative); within a
    group only the aggregates whose weights vary (noise, exclusions) and those above them are recomputed,
    the others are the group's unperturbed scores, computed once per group.
    """
    scores, order = evaluate_grouped(ctx, draws)
    if order is None:
        return scores
    out = np.empty_like(scores)
    out[order] = scores  # back in replication order
    return out


def evaluate_grouped(ctx: Context, draws: Draws) -> tuple[Array, IntArray | None]:
    """:func:`evaluate`'s scores group after group: row ``i`` is replication ``order[i]`` (``order`` None:
    the replications' own order). What is tallied over replications (the rank histogram) needs no
    reordering."""
    r_total = draws.size
    out = np.empty((r_total, ctx.n_units), dtype=np.float64)
    c = draws.choices
    plan = ctx.plan
    n_ind = plan.n_indicators
    keep = None
    if ctx.exclude_factors:
        keep = np.ones((r_total, n_ind + len(plan.aggregates)), dtype=np.float64)
        for k in ctx.exclude_factors:
            for a, ids in enumerate(ctx.factors[k].values):
                rows = c[:, k] == a
                for i in ids:
                    keep[rows, plan.indicators.index(i)] = 0.0
    max_k = max(len(kids) for kids in plan.children)
    block = max(1, BLOCK_CELLS // (ctx.n_units * max_k))
    nd = len(ctx.data_factors)
    nt = len(ctx.tree_factors)
    stage_node = plan.stage
    key_rows, groups = _groups(ctx, c)
    keys = [tuple(int(v) for v in row) for row in key_rows.tolist()]
    unperturbed = _unperturbed(ctx, keys)
    # the replications group after group: the draws gathered once (np.take: a row at a time, without the
    # fancy-indexing machinery), each group a run of rows (slices, not one gather per group)
    grouped = len(groups) > 1
    order = np.concatenate(groups) if grouped else None
    mult = draws.multipliers
    if order is not None:
        mult = {j: np.take(m, order, axis=0) for j, m in mult.items()}
        if keep is not None:
            keep = np.take(keep, order, axis=0)
    start = 0
    for key, rows in zip(keys, groups, strict=True):
        x = ctx.variants[key[:nd]]
        p = ctx.plans[ctx.agg_alternatives[key[nd : nd + nt]]]
        base = {stage_node: ctx.stage_weights[key[-1]]} if stage_node is not None else {}
        previous, previous_bad = unperturbed[key]
        for s in range(start, start + len(rows), block):
            sel = slice(s, min(s + block, start + len(rows)))
            factor = {j: m[sel] for j, m in mult.items()}
            if keep is not None:
                kept = keep[sel]
                for j, kids in enumerate(p.children):
                    kk = kept[:, list(kids)]
                    if not bool(np.all(kk == 1.0)):
                        factor[j] = kk * factor[j] if j in factor else kk
            dirty: set[int] = set()
            for j in factor:
                while j >= 0 and j not in dirty:
                    dirty.add(j)
                    j = p.parent[j]
            # computed replications last ((units, r): no per-replication totals broadcast along rows)
            root = p.apply_replications(x, base, factor, dirty, previous, previous_bad)
            out[sel] = root.T if root.ndim == 2 else root
        start += len(rows)
    return out, order


def histogram_quantile(counts: IntArray, p: float) -> Array:
    """Quantile of type 7 (R default, numpy "linear") of each row's ranks, from the rank histogram."""
    n = counts.sum(axis=1)
    cum = np.cumsum(counts, axis=1)
    h = (n - 1) * p
    lo = np.floor(h).astype(np.int64)
    frac = h - lo
    values = np.arange(counts.shape[1], dtype=np.float64)

    def order_stat(j: IntArray) -> Array:
        # the value at sorted position j (0-based): the first rank whose cumulative count exceeds j, i.e.
        # the number of ranks whose cumulative count is ≤ j (each row of ``cum`` is non-decreasing)
        pos = np.count_nonzero(cum <= j[:, None], axis=1)
        return np.asarray(values[np.minimum(pos, counts.shape[1] - 1)], dtype=np.float64)

    a = order_stat(lo)
    b = order_stat(np.minimum(lo + 1, np.maximum(n - 1, 0)))
    out = a + frac * (b - a)
    return np.asarray(np.where(n > 0, out, np.nan), dtype=np.float64)


def histogram_mean(counts: IntArray) -> Array:
    n = counts.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.asarray(counts @ np.arange(counts.shape[1], dtype=np.float64) / n, dtype=np.float64)
