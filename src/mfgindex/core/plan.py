"""The evaluation plan: a framework and its method choices compiled once into plain arrays.

A :class:`Plan` holds the indicator order, the aggregates in bottom-up order with their children as
*slots* (indicators ``0 … n−1``, aggregate ``j`` at ``n + j``), each aggregate's nominal local weights,
its aggregation kernel and the normalisation kernel (with the per-indicator overrides) — every method
name resolved here, once, from the registries :data:`~mfgindex.core.normalise.NORMALISERS` and
:data:`~mfgindex.core.aggregate.AGGREGATORS`.

The nominal pipeline, the what-if endpoint and the Monte Carlo engine are three uses of one function,
:meth:`Plan.apply`:

* applied once: normalised ``(units, indicators)`` → scores ``(units, aggregates)`` (the pipeline builds
  the provenance tables around it);
* incrementally: ``dirty`` aggregates recomputed, the others taken from the nominal scores (what-if);
* to batches: weights multiplied by per-replication factors ``(r, k)`` and/or leaves ``(r, units, n)``
  → ``(r, units, aggregates)`` (uncertainty and sensitivity analysis).

An aggregate over a geometric or harmonic mean of a value ≤ 0 has no score, and neither has any aggregate
above it (unlike a missing component, it is not skipped). The pipeline refuses such data up front; the
Monte Carlo engine counts the units left unscored.
"""

from __future__ import annotations

from collections.abc import Mapping, Set
from dataclasses import dataclass
from functools import cached_property

import numpy as np
import numpy.typing as npt
import pandas as pd

from mfgindex.core.aggregate import (
    AGGREGATORS,
    NEEDS_POSITIVE,
    POWERS,
    AggregateKernel,
    Components,
    any_last,
    columns_mean_t,
    shared_mean_t,
    stacked,
)
from mfgindex.core.framework import Aggregate, Framework
from mfgindex.core.methods import AggregateMethod, Methods
from mfgindex.core.normalise import NormaliseKernel, compile_normaliser, specs
from mfgindex.core.weights.classes import local_weights

Array = npt.NDArray[np.float64]
Bools = npt.NDArray[np.bool_]


def aggregation_method(framework: Framework, node: Aggregate, level: int) -> AggregateMethod:
    """The node's own method, else the level's, else the framework's."""
    if node.aggregate is not None:
        return node.aggregate
    return framework.methods.aggregate_by_level.get(level, framework.methods.aggregate)


@dataclass(frozen=True, eq=False, repr=False)
class Plan:
    """A compiled framework (see the module docstring). Build it with :func:`compile_plan`."""

    indicators: tuple[str, ...]
    aggregates: tuple[str, ...]  # bottom-up: children before parents, the root last
    children: tuple[tuple[int, ...], ...]  # per aggregate: child slots
    child_ids: tuple[tuple[str, ...], ...]
    weights: tuple[Array, ...]  # per aggregate: nominal local weights (k,)
    methods: tuple[AggregateMethod, ...]  # per aggregate
    kernels: tuple[AggregateKernel, ...]  # per aggregate, resolved from AGGREGATORS
    parent: tuple[int, ...]  # per aggregate: index of its parent, −1 for the root
    leaf_children: tuple[npt.NDArray[np.intp] | None, ...]  # indicator columns when all children are leaves
    stage: int | None  # aggregate whose weights vary by unit (stage rule), if any
    normaliser: NormaliseKernel
    directions: Array  # (n,) ±1
    targets: Array  # (n,) NaN where none
    settings: Methods

    @property
    def n_indicators(self) -> int:
        return len(self.indicators)

    @property
    def root(self) -> int:
        return len(self.aggregates) - 1

    def index(self, aggregate_id: str) -> int:
        return self.aggregates.index(aggregate_id)

    def positive_needed(self) -> list[str]:
        """Aggregates whose method needs positive components."""
        return [a for a, m in zip(self.aggregates, self.methods, strict=True) if m in NEEDS_POSITIVE]

    def local_weights(self, weights: Mapping[str, pd.Series]) -> tuple[Array, ...]:
        """Per-aggregate weight arrays (children order) from a mapping id → Series of child weights."""
        return tuple(
            weights[a].reindex(list(kids)).to_numpy(dtype=np.float64)
            for a, kids in zip(self.aggregates, self.child_ids, strict=True)
        )

    # -- normalisation ------------------------------------------------------------------------------------
    def normalise(self, treated: Array, panel_with: Array | None = None) -> Array:
        """Normalised values of ``treated`` (``(…, units, n)``); with ``panel_with`` (another year's treated
        values, ``(units', n)``) the statistics are taken over both years stacked (panel normalisation)."""
        x = np.asarray(treated, dtype=np.float64)
        if panel_with is None:
            return self.normaliser(x, self.directions, self.targets, self.settings)
        other = np.broadcast_to(panel_with, (*x.shape[:-2], *panel_with.shape))
        stacked = np.concatenate([x, other], axis=-2)
        out = self.normaliser(stacked, self.directions, self.targets, self.settings)
        return np.asarray(out[..., : x.shape[-2], :], dtype=np.float64)

    # -- aggregation --------------------------------------------------------------------------------------
    def apply(
        self,
        leaves: Array,
        base: Mapping[int, Array] | None = None,
        factor: Mapping[int, Array] | None = None,
    ) -> Array:
        """Scores of every aggregate, bottom-up: ``(…, units, aggregates)`` (:meth:`apply_each`, stacked).

        Parameters
        ----------
        leaves
            Normalised values ``(units, n)`` or ``(r, units, n)``.
        base
            Aggregate index → weights replacing the nominal ones: ``(k,)`` or per unit ``(units, k)``.
        factor
            Aggregate index → per-replication multipliers ``(r, k)`` of the weights (noise, exclusions).
        """
        return stacked(tuple(self.apply_each(leaves, base, factor)))

    def apply_each(
        self,
        leaves: Array,
        base: Mapping[int, Array] | None = None,
        factor: Mapping[int, Array] | None = None,
        *,
        dirty: Set[int] | None = None,
        previous: Array | None = None,
        previous_bad: Bools | None = None,
        root_only: bool = False,
    ) -> list[Array]:
        """:meth:`apply`, with the scores of each aggregate as a list (no final stacking; only the root's
        if ``root_only``).

        ``dirty``, ``previous``: recompute only the ``dirty`` aggregates; take the others from ``previous``
        scores ``(units, aggregates)`` (which must be those of the same leaves). ``previous_bad``
        (``(units, aggregates)``, from :meth:`apply_flagged`) marks the scores in ``previous`` that are
        missing because a geometric or harmonic mean met a value ≤ 0, so that the aggregates above them
        stay unscored (a merely missing component would be skipped).
        """
        vals, _ = self._apply(leaves, base, factor, dirty, previous, previous_bad, root_only)
        return vals

    def apply_flagged(self, leaves: Array, base: Mapping[int, Array] | None = None) -> tuple[Array, Bools]:
        """Scores ``(units, aggregates)`` of every aggregate and whether each is unscored because a
        geometric or harmonic mean below it met a value ≤ 0: the ``previous`` and ``previous_bad`` of an
        incremental :meth:`apply_each`."""
        vals, bad = self._apply(leaves, base, None, None, None, None, False)
        shape = np.broadcast_shapes(*(v.shape for v in vals))
        flags = [np.zeros(shape, dtype=bool) if b is None else np.broadcast_to(b, shape) for b in bad]
        return stacked(tuple(vals)), np.stack(flags, axis=-1)

    def _apply(
        self,
        leaves: Array,
        base: Mapping[int, Array] | None,
        factor: Mapping[int, Array] | None,
        dirty: Set[int] | None,
        previous: Array | None,
        previous_bad: Bools | None,
        root_only: bool,
    ) -> tuple[list[Array], list[Bools | None]]:
        n = self.n_indicators
        base = base or {}
        factor = factor or {}
        vals: list[Array | None] = [None] * n  # indicator columns are taken when a parent needs them
        bad: list[Bools | None] = [None] * n
        for j, kids in enumerate(self.children):
            if dirty is not None and j not in dirty and previous is not None:
                vals.append(previous[..., j])
                was = None if previous_bad is None else previous_bad[..., j]
                bad.append(was if was is not None and bool(was.any()) else None)
                continue
            cols = self.leaf_children[j]
            x: Components
            if cols is not None:
                x = leaves[..., cols]
            else:  # the children's scores as columns (the kernel stacks them if it needs one array)
                x = tuple(leaves[..., s] if s < n else vals[s] for s in kids)  # type: ignore[misc]
            method = self.methods[j]
            w = base.get(j, self.weights[j])
            v = self.kernels[j](x, w, factor.get(j), self.settings.min_share, self.settings)
            flag: Bools | None = None
            for s in kids:
                flag = _or(flag, bad[s])
            if method in NEEDS_POSITIVE and not _all_positive(x):
                with np.errstate(invalid="ignore"):
                    flag = _or(flag, any_last(stacked(x) <= 0))  # NaN ≤ 0 is False: missing stays missing
            if flag is not None and not bool(flag.any()):
                flag = None  # nothing unscored: nothing to mark here or above
            if flag is not None:
                v = np.where(flag, np.nan, v)
            vals.append(v)
            bad.append(flag)
        if root_only:
            return [vals[-1]], [bad[-1]]  # type: ignore[list-item]
        return vals[n:], bad[n:]  # type: ignore[return-value]

    def apply_replications(
        self,
        leaves: Array,
        base: Mapping[int, Array],
        factor: Mapping[int, Array],
        dirty: Set[int],
        previous: Array,
        previous_bad: Bools | None = None,
    ) -> Array:
        """The root's scores of :meth:`apply_each` (``root_only``) for leaves ``(units, n)`` shared by the
        ``r`` replications of ``factor``, laid out replications last: ``(units, r)`` (``(units,)`` when
        nothing varies) — the same numbers, transposed.

        Scores that vary by replication are ``(units, r)`` arrays, those shared ``(units,)``; the means
        over shared components and over one or two varying ones are computed in that layout (no ``(r, 1)``
        weight totals broadcast along rows), any other aggregate by its kernel on the transposed columns.
        Flags of unscored units are kept in :meth:`apply_each`'s layout."""
        n = self.n_indicators
        min_share = self.settings.min_share
        vals: list[Array | None] = [None] * n
        bad: list[Bools | None] = [None] * n  # in apply_each's layout: (units,) or (r, units)
        for j, kids in enumerate(self.children):
            if j not in dirty:
                vals.append(previous[:, j])
                was = None if previous_bad is None else previous_bad[:, j]
                bad.append(was if was is not None and bool(was.any()) else None)
                continue
            cols = self.leaf_children[j]
            x: Components
            if cols is not None:
                x = leaves[:, cols]
            else:
                x = tuple(leaves[:, s] if s < n else vals[s] for s in kids)  # type: ignore[misc]
            f = factor.get(j)
            w = base.get(j, self.weights[j])
            power = POWERS.get(self.kernels[j])
            columns = x if isinstance(x, tuple) else None
            varying = columns is not None and any(c.ndim == 2 for c in columns)
            v: Array | None = None
            checked = False  # every component known > 0 and present
            if f is not None and power is not None:
                if not varying:
                    v = shared_mean_t(stacked(x), w, f, min_share, power)
                elif columns is not None and all(c.ndim == 2 for c in columns):
                    v = columns_mean_t(columns, w, f, power)
                    checked = v is not None and power != 1
            if v is None:  # the kernel on the columns in apply_each's layout, the result transposed
                old = x if not isinstance(x, tuple) else tuple(c.T if c.ndim == 2 else c for c in x)
                r = self.kernels[j](old, w, f, min_share, self.settings)
                v = r.T if r.ndim == 2 else r
            flag: Bools | None = None
            for s in kids:
                flag = _or(flag, bad[s])
            if not checked and self.methods[j] in NEEDS_POSITIVE and not _all_positive(x):
                old = x if not isinstance(x, tuple) else tuple(c.T if c.ndim == 2 else c for c in x)
                with np.errstate(invalid="ignore"):
                    flag = _or(flag, any_last(stacked(old) <= 0))
            if flag is not None and not bool(flag.any()):
                flag = None
            if flag is not None:  # in apply_each's layout, then back
                r = np.where(flag, np.nan, v.T if v.ndim == 2 else v)
                v = r.T if r.ndim == 2 else r
            vals.append(v)
            bad.append(flag)
        return vals[-1]  # type: ignore[return-value]

    def frame(self, scores: Array, index: pd.Index) -> pd.DataFrame:
        """Scores ``(units, aggregates)`` as a frame in the framework's order (root first)."""
        # a C-ordered copy, as the fancy-indexed selection of the columns was
        return pd.DataFrame(np.ascontiguousarray(scores[:, ::-1]), index=index, columns=self._frame_columns)

    @cached_property
    def _frame_columns(self) -> pd.Index:
        """The aggregate ids root first, as an Index built once (a plan is immutable)."""
        return pd.Index(list(reversed(self.aggregates)))


def _all_positive(x: Components) -> bool:
    """Every present component > 0 (fmin ignores NaN), over the array or its columns."""
    cols = x if isinstance(x, tuple) else (x,)
    return all(c.size and bool(np.fmin.reduce(c, axis=None) > 0) for c in cols)


def _or(a: Bools | None, b: Bools | None) -> Bools | None:
    if a is None:
        return b
    if b is None:
        return a
    return np.logical_or(a, b)


def _child_weights(weights: pd.Series, children: list[str]) -> Array:
    """``weights.reindex(children)`` as an array (NaN for a child without a weight), without pandas."""
    by_id = dict(zip(weights.index.tolist(), weights.to_numpy(dtype=np.float64).tolist(), strict=True))
    return np.array([by_id.get(c, np.nan) for c in children], dtype=np.float64)


def compile_plan(
    framework: Framework, local: Mapping[str, pd.Series] | None = None, min_share: float | None = None
) -> Plan:
    """Compile ``framework`` (its methods and the nominal ``local`` weights, default the framework's)."""
    local = local if local is not None else local_weights(framework)
    m = framework.methods
    inds = framework.indicators()
    ids = [i.id for i in inds]
    aggs = list(reversed(framework.aggregates()))  # children before parents
    slot = {i: k for k, i in enumerate(ids)} | {a.id: len(ids) + k for k, a in enumerate(aggs)}
    levels = framework.depth()
    position = {a.id: k for k, a in enumerate(aggs)}
    parent = {c.id: position[a.id] for a in aggs for c in a.children}
    methods = tuple(aggregation_method(framework, a, levels[a.id]) for a in aggs)
    stage = None
    if framework.stages is not None:
        stage = position[framework.stages.node or framework.root.id]
    children = tuple(tuple(slot[c.id] for c in a.children) for a in aggs)
    return Plan(
        indicators=tuple(ids),
        aggregates=tuple(a.id for a in aggs),
        children=children,
        child_ids=tuple(tuple(c.id for c in a.children) for a in aggs),
        weights=tuple(_child_weights(local[a.id], [c.id for c in a.children]) for a in aggs),
        methods=methods,
        kernels=tuple(AGGREGATORS[meth] for meth in methods),
        parent=tuple(parent.get(a.id, -1) for a in aggs),
        leaf_children=tuple(
            np.array(kids, dtype=np.intp) if all(s < len(ids) for s in kids) else None for kids in children
        ),
        stage=stage,
        normaliser=compile_normaliser(m, specs(framework)),
        directions=np.array([i.direction for i in inds], dtype=np.float64),
        targets=np.array([np.nan if i.target is None else i.target for i in inds], dtype=np.float64),
        settings=m if min_share is None else m.model_copy(update={"min_share": min_share}),
    )
