"""The one place that composes the stages: derive → denominate → screen → impute → treat → normalise →
aggregate → rank, for the chosen year and the previous year under the same framework."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from mfgindex.core import derive, memo
from mfgindex.core import nominal as nominal_mod
from mfgindex.core import treat as treat_mod
from mfgindex.core.dataset import Dataset, unit_rows
from mfgindex.core.errors import Problem, UserError
from mfgindex.core.frames import empty_frame, from_array, from_columns
from mfgindex.core.framework import Aggregate, Framework, Indicator, walk
from mfgindex.core.impute import impute_values
from mfgindex.core.methods import ImputeMethod, TreatSpec
from mfgindex.core.plan import Plan, compile_plan
from mfgindex.core.ranking import ranking_table
from mfgindex.core.result import Result, YearResult
from mfgindex.core.weights import derived
from mfgindex.core.weights.classes import global_weights, local_weights
from mfgindex.core.weights.stages import stage_mix, stage_weights

Array = npt.NDArray[np.float64]


def universe(ds: Dataset, framework: Framework) -> pd.Index:
    """Codes of the units to evaluate: units with data, minus excluded unit types and codes."""
    kept: dict[int, tuple[Framework, pd.Index]] = ds.__dict__.setdefault("_universe", {})
    hit = kept.get(id(framework))
    if hit is not None and hit[0] is framework:
        return hit[1]
    if len(kept) >= 8:
        kept.pop(next(iter(kept)))
    codes = _universe(ds, framework)
    kept[id(framework)] = (framework, codes)  # the dataset and the framework are immutable
    return codes


def _universe(ds: Dataset, framework: Framework) -> pd.Index:
    units = ds.units
    has_data = ds.__dict__.get("_units_with_data")  # the dataset is frozen: computed once, like its panel
    if has_data is None:
        has_data = units.index.isin(ds.values["code"].unique())
        ds.__dict__["_units_with_data"] = has_data
    keep = ~units.index.isin(framework.universe.exclude_codes) & has_data
    if "unit_type" in units.columns and framework.universe.exclude_unit_types:
        keep &= ~units["unit_type"].isin(framework.universe.exclude_unit_types)
    codes: pd.Index = pd.Index([str(c) for c in units.index[keep]], name="code", dtype=object)
    return codes


def _group_labels(ds: Dataset, framework: Framework, codes: pd.Index, year: int) -> npt.NDArray[Any] | None:
    """The imputation groups of ``codes`` (objects; None when there is no such unit column or variable)."""
    name = framework.methods.impute_group
    if name in ds.units.columns:
        pos = unit_rows(ds, codes)
        if pos is not None:
            columns: dict[str, Any] = ds.__dict__.setdefault("_unit_columns", {})
            if name not in columns:  # the unit table's column as objects, once per dataset
                columns[name] = ds.units[name].to_numpy(dtype=object)
            return np.asarray(columns[name][pos], dtype=object)
        return ds.units[name].reindex(codes).to_numpy(dtype=object)
    if name in ds.panel:
        return ds.panel[name].get(year, pd.Series(dtype=object)).reindex(codes).to_numpy(dtype=object)
    return None


@dataclass(frozen=True, eq=False, repr=False)
class _Layout:
    """Positions compiled once per framework: indicator ids, denominated columns, ``requires`` rules and
    each aggregate's leaf columns."""

    ids: pd.Index
    denominators: tuple[tuple[int, Indicator], ...]
    requires: tuple[tuple[npt.NDArray[np.intp], npt.NDArray[np.intp]], ...]  # (required, blanked) columns
    leaves: tuple[tuple[Aggregate, npt.NDArray[np.intp]], ...]  # every aggregate, root first
    overrides: Mapping[str, TreatSpec]
    coverage_columns: tuple[Any, Any, pd.Index]  # the coverage table's names, indicator counts and index
    membership: npt.NDArray[np.int64]  # (aggregates, indicators): 1 where an indicator is under an aggregate
    id_list: tuple[str, ...]  # ``ids`` as a tuple of str


def _layout(framework: Framework) -> _Layout:
    def build() -> _Layout:
        inds = framework.indicators()
        pos = {i.id: k for k, i in enumerate(inds)}
        leaves = tuple(
            (agg, np.array([pos[n.id] for n in walk(agg) if isinstance(n, Indicator)], dtype=np.intp))
            for agg in framework.aggregates()
        )
        return _Layout(
            ids=pd.Index([i.id for i in inds]),
            id_list=tuple(i.id for i in inds),
            membership=_membership(leaves, len(inds)),
            denominators=tuple((k, i) for k, i in enumerate(inds) if i.denominator),
            requires=tuple(
                (np.array([pos[r] for r in agg.requires], dtype=np.intp), cols)
                for agg, cols in leaves
                if agg.requires
            ),
            leaves=leaves,
            overrides=treat_mod.specs(framework),
            coverage_columns=(
                pd.Series([agg.name_zh for agg, _ in leaves]).array,  # as the constructor infers it
                np.array([len(cols) for _, cols in leaves], dtype=np.int64),
                pd.Index([agg.id for agg, _ in leaves], name="id"),
            ),
        )

    return memo.per_object(framework, "pipeline.layout", build)


def aggregate_tree(
    framework: Framework,
    normalised: pd.DataFrame,
    local: dict[str, pd.Series],
    unit_weights: dict[str, pd.DataFrame],
) -> pd.DataFrame:
    """Scores of every aggregate (units × aggregate ids), bottom-up: the plan applied once."""
    plan = compile_plan(framework, local)
    x = normalised.reindex(columns=list(plan.indicators)).to_numpy(dtype=np.float64)
    return _scores(plan, x, normalised.index, unit_weights)


def _scores(
    plan: Plan, normalised: Array, index: pd.Index, unit_weights: Mapping[str, pd.DataFrame]
) -> pd.DataFrame:
    """Scores of the ``normalised`` values (``(units, indicators)`` in the plan's order)."""
    base = {
        plan.index(k): v.reindex(columns=list(plan.child_ids[plan.index(k)])).to_numpy(dtype=np.float64)
        for k, v in unit_weights.items()
    }
    return plan.frame(plan.apply(normalised, base), index)


def _check_positive(plan: Plan, normalised: Array) -> None:
    needs = plan.positive_needed()
    if not needs:
        return
    with np.errstate(invalid="ignore"):
        nonpositive = bool((normalised <= 0).any())
    if nonpositive:
        raise UserError(
            Problem(
                f"geometric/harmonic aggregation ({', '.join(needs)}) needs positive normalised values, "
                "but some are ≤ 0",
                column="normalise",
                expected="min-max to a positive range, e.g. --range 1,100",
            )
        )


def _check_scores(framework: Framework, cur: YearResult) -> None:
    """No unit has an index score: say so, naming the indicators without any normalised value.

    (A dimension without scores is allowed: aggregates renormalise over the components present.)
    """
    root = framework.root
    at = cur.scores.columns.get_loc(root.id)
    if not bool(np.isnan(cur.scores.to_numpy(dtype=np.float64)[:, at]).all()):
        return
    normalised = cur.stages["normalised"]
    blank = [i.id for i in walk(root) if isinstance(i, Indicator) and not normalised[i.id].notna().any()]
    raise UserError(
        Problem(
            f"no unit has a score for {root.id!r} in {cur.year}"
            + (
                f": no normalised value for {', '.join(blank)}"
                f" (normalise {framework.methods.normalise.value})"
                if blank
                else ""
            ),
            column=root.id,
            expected="data, weights and methods that give units a score",
        )
    )


def require(framework: Framework, raw: pd.DataFrame) -> pd.DataFrame:
    """Blank an aggregate's indicators for units with none of its ``requires`` indicators, so it has no
    score there (missing, not 0: a list count of zero says nothing when the unit has no real data on the
    dimension); the unit's higher aggregates renormalise over the dimensions present."""
    x = raw.to_numpy(dtype=np.float64)
    y = _require(_layout(framework), x)
    return raw if y is x else pd.DataFrame(y, index=raw.index, columns=raw.columns)


def _require(layout: _Layout, x: Array) -> Array:
    out = x
    for required, blanked in layout.requires:
        none = np.isnan(x[:, required]).all(axis=1)
        if none.any():
            if out is x:
                out = x.copy()
            out[np.ix_(none, blanked)] = np.nan
    return out


def evaluate_year(
    ds: Dataset,
    framework: Framework,
    year: int,
    codes: pd.Index,
    panel_with: pd.DataFrame | None = None,
    local: dict[str, pd.Series] | None = None,
    plan: Plan | None = None,
) -> YearResult:
    """Evaluate one year for the given units (``local``: the nodes' weights, default the framework's;
    ``plan``: the framework compiled with those weights, compiled here when not given).

    The stages run on one ``(units, indicators)`` array; the frames of the result are built at the end.
    """
    m = framework.methods
    layout = _layout(framework)
    ids = layout.ids
    rows = derive.cube(ds).rows(codes)
    raw = derive.raw_values(ds, framework, year, codes, rows)
    if m.denominate and layout.denominators:
        cols = [j for j, _ in layout.denominators]
        den = derive.variables_values(
            ds, [str(ind.denominator) for _, ind in layout.denominators], year, codes, framework, rows
        )
        with np.errstate(divide="ignore", invalid="ignore"):
            raw[:, cols] = raw[:, cols] / np.where(den != 0, den, np.nan)
    # screen units by data coverage of the raw indicators
    coverage = (~np.isnan(raw)).mean(axis=1) if ids.size else np.full(len(codes), np.nan)
    low = coverage < m.min_coverage
    excluded = (
        {
            str(c): f"data coverage {v:.0%} < {m.min_coverage:.0%}"
            for c, v in zip(codes[low], coverage[low], strict=True)
        }
        if bool(low.any())
        else {}
    )
    keep = coverage >= m.min_coverage
    kept = codes if bool(keep.all()) else codes[keep]
    raw = _require(layout, raw[keep])
    history: list[Array] = []
    if m.impute is ImputeMethod.last_year:
        history = [derive.raw_values(ds, framework, year - k, kept) for k in (1, 2, 3)]
    by_group = m.impute in (ImputeMethod.group_mean, ImputeMethod.group_median)
    labels_arr = _group_labels(ds, framework, kept, year) if by_group else None
    if labels_arr is None and by_group:
        columns = ", ".join(sorted(map(str, ds.units.columns)))
        raise UserError(
            Problem(
                f"no grouping column {m.impute_group!r} for {m.impute.value} imputation",
                column="--impute-group",
                value=m.impute_group,
                expected=f"a unit column ({columns}) or a data variable",
            )
        )
    imputed, imp_flags = impute_values(raw, m.impute, labels_arr, history)
    treated, trt_flags, logs = treat_mod.treat_values(imputed, layout.id_list, m, layout.overrides)
    local = local if local is not None else local_weights(framework)
    plan = plan if plan is not None else compile_plan(framework, local)
    other = None if panel_with is None else panel_with.reindex(columns=ids).to_numpy(dtype=np.float64)
    # column-major, as a frame's values are: the kernels' sums then run in the same order, to the last bit
    normalised = np.asfortranarray(
        plan.normalise(np.asfortranarray(treated), None if other is None else np.asfortranarray(other))
    )
    _check_positive(plan, normalised)
    unit_weights: dict[str, pd.DataFrame] = {}
    if framework.stages is not None:
        rule = framework.stages
        node = rule.node or framework.root.id
        var = derive.auxiliary(ds, rule.variable, year, kept, framework)
        mix, labels = stage_mix(var, rule)
        unit_weights[node] = stage_weights(mix, rule, local[node])
    else:
        mix = empty_frame(kept)  # pd.DataFrame(index=kept)
        labels = _no_stage(kept, kept is codes)
    scores = _scores(plan, normalised, kept, unit_weights)
    cov = _coverage(layout, raw)

    def frame(x: npt.NDArray[Any]) -> pd.DataFrame:
        return from_array(x, kept, ids)

    return YearResult(
        year=year,
        stages=MappingProxyType(
            {
                "raw": frame(raw),
                "imputed": frame(imputed),
                "treated": frame(treated),
                "normalised": frame(normalised),
            }
        ),
        imputed=frame(imp_flags),
        treated=frame(trt_flags),
        scores=scores,
        stage_label=labels,
        stage_mix=mix,
        weights=MappingProxyType(unit_weights),
        treat_log=tuple(logs),
        excluded=MappingProxyType(excluded),
        coverage=cov,
    )


def _membership(leaves: tuple[tuple[Aggregate, npt.NDArray[np.intp]], ...], n: int) -> npt.NDArray[np.int64]:
    out = np.zeros((len(leaves), n), dtype=np.int64)
    for k, (_, cols) in enumerate(leaves):
        out[k, cols] = 1
    return out


def _no_stage(kept: pd.Index, shared: bool) -> pd.Series:
    """The stage labels of units without a stage rule: "" for each, as objects. For the units of a
    dataset's universe (``shared``: the same Index every evaluation) a copy of one Series built once (a
    copy costs a third of the constructor)."""

    def build() -> pd.Series:
        return pd.Series(np.full(len(kept), "", dtype=object), index=kept, dtype=object)

    return memo.per_object(kept, "pipeline.no_stage", build).copy() if shared else build()


def _coverage(layout: _Layout, raw: Array) -> pd.DataFrame:
    """Share of units with data, per aggregate (mean over its indicators) — the README's coverage table."""
    present = (~np.isnan(raw)).sum(axis=0)  # units with data, per indicator (exact integers)
    names, counts, index = layout.coverage_columns
    # cells with data per aggregate (an integer product: exact) over its cells
    share = (layout.membership @ present) / (len(raw) * counts)
    return from_columns({"name_zh": names, "indicators": counts, "coverage": share}, index)


def _effective_weights(
    framework: Framework, cur: YearResult, local: dict[str, pd.Series], nominal: pd.Series | None = None
) -> pd.Series:
    """Nominal global weights averaged over units when stage weights vary by unit.

    Only the stage node's weights vary, and a global weight is linear in them, so the mean over units of
    the global weights is the global weight of the mean stage weights.
    """
    if not cur.weights:
        return nominal.copy() if nominal is not None else global_weights(framework, local)
    per_unit = next(iter(cur.weights.values()))
    if per_unit.empty:
        return pd.Series(0.0, index=[i.id for i in framework.indicators()])
    node = framework.stages.node if framework.stages and framework.stages.node else framework.root.id
    return global_weights(framework, {**local, node: per_unit.mean(axis=0)})


def _plan(framework: Framework, local: Mapping[str, pd.Series]) -> Plan:
    """``compile_plan(framework, local)``, compiled once per framework and weights."""
    key = tuple(
        (a, tuple(w.index.tolist()), w.to_numpy(dtype=np.float64).tobytes()) for a, w in local.items()
    )
    plans: dict[tuple[Any, ...], Plan] = memo.per_object(framework, "pipeline.plans", dict)
    plan = plans.get(key)
    if plan is None:
        if len(plans) >= 8:
            plans.pop(next(iter(plans)))
        plan = plans[key] = compile_plan(framework, local)
    return plan


def _evaluate_years(
    ds: Dataset,
    framework: Framework,
    year: int,
    prev_year: int | None,
    codes: pd.Index,
    local: dict[str, pd.Series],
    plan: Plan | None = None,
) -> tuple[YearResult | None, YearResult]:
    plan = plan if plan is not None else _plan(framework, local)
    prev = (
        evaluate_year(ds, framework, prev_year, codes, local=local, plan=plan)
        if prev_year is not None
        else None
    )
    panel_with = prev.stages["treated"] if (framework.methods.panel and prev is not None) else None
    cur = evaluate_year(ds, framework, year, codes, panel_with, local=local, plan=plan)
    if prev is not None and prev_year is not None and framework.methods.panel:
        prev = evaluate_year(ds, framework, prev_year, codes, cur.stages["treated"], local=local, plan=plan)
    return prev, cur


def evaluate(
    ds: Dataset,
    framework: Framework,
    year: int,
    previous_year: int | None = None,
    seed: int = 0,
) -> Result:
    """Evaluate ``year`` (and ``previous_year``, default ``year − 1`` when the data has it) → Result.

    ``seed`` is recorded for reproducibility; the deterministic pipeline itself draws no random numbers.
    """
    codes = universe(ds, framework)
    years = ds.years()
    if year not in years:
        raise UserError(Problem(f"no data for year {year}", expected=f"one of {years}"))
    if previous_year is not None and (previous_year >= year or previous_year not in years):
        if previous_year >= year:
            what = f"the previous year {previous_year} is not before the year {year}"
            expected = f"a year before {year}"
        else:
            what = f"no data for the previous year {previous_year}"
            expected = f"one of {[y for y in years if y < year]} or no --previous-year"
        raise UserError(Problem(what, column="--previous-year", value=str(previous_year), expected=expected))
    prev_year = previous_year if previous_year is not None else year - 1
    has_prev = prev_year in years
    derivation = None
    derives = memo.per_object(framework, "pipeline.derives", lambda: bool(derived.derived_nodes(framework)))
    own = None if derives else nominal_mod.nominal(framework)
    if own is not None:  # the framework's own weights: compiled once, read here, copied for the result
        local = dict(own.local)
        prev, cur = _evaluate_years(
            ds, framework, year, prev_year if has_prev else None, codes, local, own.plan
        )
    else:
        local = local_weights(framework)
        if not derived.needs_data(framework):
            local, derivation = derived.derive(framework, local)
        prev, cur = _evaluate_years(ds, framework, year, prev_year if has_prev else None, codes, local)
        if derived.needs_data(framework):
            # objective weights from this year's data; the same weights then serve both years
            local, derivation = derived.derive(framework, local, cur.stages)
            prev, cur = _evaluate_years(ds, framework, year, prev_year if has_prev else None, codes, local)
    _check_scores(framework, cur)
    table = ranking_table(ds, framework, cur, prev)
    nominal = own.global_weights.copy() if own is not None else global_weights(framework, local)
    record = (
        nominal_mod.copied(own.record)
        if own is not None
        else derived.record(framework, local, derivation, nominal)
    )
    return Result(
        framework=framework,
        current=cur,
        previous=prev,
        table=table,
        units=ds.units,
        nominal_weights=nominal_mod.Copies(own.local) if own is not None else MappingProxyType(local),
        global_weights=nominal,
        effective_weights=_effective_weights(framework, cur, local, nominal),
        provenance=MappingProxyType(
            {
                "seed": seed,
                "inputs": {**ds.inputs, **(derivation["inputs"] if derivation else {})},
                "year": year,
                "previous_year": prev_year if has_prev else None,
                "weights_derivation": record,
                "reading": dict(ds.reading),
            }
        ),
        dataset=ds,
    )
