"""Statistical audit of a composite index, as the JRC audits do: coherence, reliability, weights, coverage.

Every function takes plain frames (units × variables) so that it can be checked against COINr on any data
set; :func:`audit` applies them to a :class:`~mfgindex.core.result.Result` and :func:`write_audit` writes the
files.

* Correlations: Pearson and Spearman on pairwise-complete observations (R's
  ``cor(use = "pairwise.complete.obs")``; Spearman ranks each pair's complete cases, as R does), with the
  two-sided Pearson p-value of ``cor.test``. Pairs: siblings (indicator↔indicator, dimension↔dimension in
  the same parent) and every node with each of its ancestors (indicator↔dimension↔index). Flags: ``negative``
  (r < 0), ``low`` (0 ≤ r < 0.3: the child is poorly reflected by its aggregate), ``high`` (r > 0.9:
  redundancy).
* Cronbach's α with pairwise-complete covariances (COINr ``get_cronbach``), over an aggregate's normalised
  indicators and over its children's scores.
* PCA of the correlation matrix of the complete cases (COINr ``get_PCA``, R ``prcomp(scale = TRUE)``).
* Effective weights: COINr's ``get_eff_weights`` (product of the normalised weights down the tree) and the
  correlation ratio η² = Var(E[Y | xᵢ]) / Var(Y) of the index Y on each component xᵢ, E[Y | xᵢ] estimated by
  a penalised cubic smoothing spline with the smoothing parameter chosen by generalised cross-validation
  (Paruolo, Saisana & Saltelli 2013).
* Data coverage per indicator and per unit (COINr ``get_data_avail``): availability and non-zero shares.
* Count indicators (list entries per unit, zero for most units): the rank shift of the top N when each is
  dropped.

References
----------
Paruolo, P., Saisana, M. and Saltelli, A. (2013). Ratings and rankings: voodoo or science? *J. R. Stat.
Soc. A* 176(3), 609-634. OECD/JRC (2008) Handbook on Constructing Composite Indicators, §§4-7.
Becker, W. et al. (2022). COINr, ``get_corr``, ``get_corr_flags``, ``get_cronbach``, ``get_PCA``,
``get_eff_weights``, ``get_data_avail``. Cronbach, L. J. (1951). *Psychometrika* 16(3), 297-334.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pandas as pd
from scipy import stats
from scipy.interpolate import make_lsq_spline, make_smoothing_spline

from mfgindex.core import derive, pipeline
from mfgindex.core.dataset import Dataset
from mfgindex.core.files import write_csv
from mfgindex.core.framework import Aggregate, Framework, Indicator, walk
from mfgindex.core.result import Result
from mfgindex.core.weights.classes import local_weights

Array = npt.NDArray[np.float64]

LOW = 0.3
HIGH = 0.9


# -- kernels ------------------------------------------------------------------------------------------------
def pair_correlation(x: Array, y: Array) -> tuple[float, float, float, int]:
    """(Pearson r, its two-sided p-value, Spearman ρ, n) over the pairwise-complete observations."""
    ok = ~(np.isnan(x) | np.isnan(y))
    n = int(ok.sum())
    if n < 3 or np.ptp(x[ok]) == 0 or np.ptp(y[ok]) == 0:
        return float("nan"), float("nan"), float("nan"), n
    a, b = x[ok], y[ok]
    r = float(np.corrcoef(a, b)[0, 1])
    r = max(-1.0, min(1.0, r))
    if abs(r) < 1.0:
        t = r * np.sqrt((n - 2) / (1.0 - r * r))
        p = float(2.0 * stats.t.sf(abs(t), n - 2))
    else:
        p = 0.0
    rho = float(np.corrcoef(stats.rankdata(a), stats.rankdata(b))[0, 1])
    return r, p, rho, n


def correlation_flag(r: float) -> str:
    """``negative`` (r < 0), ``low`` (r < 0.3), ``high`` (r > 0.9) or empty."""
    if np.isnan(r):
        return ""
    if r < 0:
        return "negative"
    if r < LOW:
        return "low"
    if r > HIGH:
        return "high"
    return ""


def cronbach_alpha(frame: pd.DataFrame) -> float:
    """Cronbach's α = k/(k−1)·(1 − tr(C)/ΣC), C the pairwise-complete covariance matrix (n − 1)."""
    k = frame.shape[1]
    if k < 2:
        return float("nan")
    c = frame.astype("float64").cov().to_numpy()
    total = float(np.nansum(c))
    if total == 0:
        return float("nan")
    return float(k / (k - 1) * (1.0 - float(np.nansum(np.diag(c))) / total))


@dataclass(frozen=True)
class PCAResult:
    """Principal components of the correlation matrix of the complete cases."""

    eigenvalues: Array
    loadings: Array  # variables × components, PC1 signed so that its loadings sum to ≥ 0
    n_complete: int
    variables: tuple[str, ...]

    @property
    def variance_explained(self) -> Array:
        return np.asarray(self.eigenvalues / self.eigenvalues.sum(), dtype=np.float64)


def pca(frame: pd.DataFrame) -> PCAResult:
    """PCA as R ``prcomp(na.omit(X), center = TRUE, scale. = TRUE)``: eigenvalues = sdev², descending."""
    complete = frame.astype("float64").dropna()
    names = tuple(str(c) for c in frame.columns)
    k = frame.shape[1]
    x = complete.to_numpy()
    if len(x) < 3 or k < 2 or np.any(np.std(x, axis=0) == 0):
        return PCAResult(np.full(k, np.nan), np.full((k, k), np.nan), len(x), names)
    vals, vecs = np.linalg.eigh(np.corrcoef(x, rowvar=False))
    order = np.argsort(vals)[::-1]
    vals, vecs = vals[order], vecs[:, order]
    signs = np.where(vecs.sum(axis=0) < 0, -1.0, 1.0)
    return PCAResult(
        np.asarray(vals, dtype=np.float64), np.asarray(vecs * signs, dtype=np.float64), len(x), names
    )


def correlation_ratio(x: Array, y: Array) -> float:
    """η² = Var(E[Y|X]) / Var(Y), E[Y|X] by a GCV-penalised cubic smoothing spline (group means if X
    takes fewer than 5 distinct values); NaN pairs dropped."""
    ok = ~(np.isnan(x) | np.isnan(y))
    a, b = x[ok], y[ok]
    if a.size < 3 or np.var(b) == 0:
        return float("nan")
    ux, inv, counts = np.unique(a, return_inverse=True, return_counts=True)
    means = np.bincount(inv, weights=b) / counts
    fitted = means[inv] if ux.size < 5 else _smooth(ux, means, counts.astype(np.float64))[inv]
    return min(1.0, float(np.var(fitted) / np.var(b)))


def _smooth(x: Array, y: Array, w: Array) -> Array:
    """Fitted values at the distinct sorted ``x``: GCV smoothing spline on x scaled to [0, 1]; if GCV is
    ill-conditioned, a least-squares cubic B-spline with interior knots at quantiles."""
    z = (x - x[0]) / (x[-1] - x[0])
    try:
        return np.asarray(make_smoothing_spline(z, y, w=w)(z), dtype=np.float64)
    except (ValueError, np.linalg.LinAlgError):
        n_knots = max(1, min(6, int(np.sum(w)) // 10))
        inner = np.quantile(z, np.linspace(0, 1, n_knots + 2)[1:-1])
        knots = np.r_[[0.0] * 4, np.unique(inner), [1.0] * 4]
        try:
            return np.asarray(make_lsq_spline(z, y, knots, k=3, w=w)(z), dtype=np.float64)
        except (ValueError, np.linalg.LinAlgError):
            coef = np.polyfit(z, y, 3, w=np.sqrt(w))
            return np.asarray(np.polyval(coef, z), dtype=np.float64)


# -- the audit of a result ----------------------------------------------------------------------------------
def _leaf_ids(node: Aggregate) -> list[str]:
    return [n.id for n in walk(node) if isinstance(n, Indicator)]


def _parents(framework: Framework) -> dict[str, str]:
    return {c.id: a.id for a in framework.aggregates() for c in a.children}


def values_table(result: Result) -> pd.DataFrame:
    """Normalised indicators and aggregate scores side by side (COINr's "Aggregated" data set)."""
    cur = result.current
    return pd.concat([cur.stages["normalised"], cur.scores], axis=1)


def correlations(framework: Framework, table: pd.DataFrame) -> pd.DataFrame:
    """Sibling pairs and node↔ancestor pairs: a, b, kind, pearson, p_value, spearman, n, flag."""
    parents = _parents(framework)
    rows = []

    def add(a: str, b: str, kind: str) -> None:
        r, p, rho, n = pair_correlation(table[a].to_numpy(np.float64), table[b].to_numpy(np.float64))
        rows.append(
            {
                "a": a,
                "b": b,
                "kind": kind,
                "pearson": r,
                "spearman": rho,
                "p_value": p,
                "n": n,
                "flag": correlation_flag(r),
            }
        )

    for agg in framework.aggregates():
        kids = [c.id for c in agg.children]
        for i, a in enumerate(kids):
            for b in kids[i + 1 :]:
                add(a, b, "siblings")
    for agg in reversed(framework.aggregates()):
        for child in agg.children:
            anc = parents.get(child.id)
            kind = "parent"
            while anc is not None:
                add(child.id, anc, kind)
                anc, kind = parents.get(anc), "ancestor"
    return pd.DataFrame(rows, columns=["a", "b", "kind", "pearson", "spearman", "p_value", "n", "flag"])


def cronbach_table(framework: Framework, table: pd.DataFrame) -> pd.DataFrame:
    rows = []
    for agg in framework.aggregates():
        leaves = _leaf_ids(agg)
        rows.append(
            {
                "aggregate": agg.id,
                "over": "indicators",
                "k": len(leaves),
                "alpha": cronbach_alpha(table[leaves]),
            }
        )
        kids = [c.id for c in agg.children]
        rows.append(
            {"aggregate": agg.id, "over": "children", "k": len(kids), "alpha": cronbach_alpha(table[kids])}
        )
    return pd.DataFrame(rows, columns=["aggregate", "over", "k", "alpha"])


def pca_tables(framework: Framework, table: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(summary per aggregate and basis, PC1 loadings)."""
    rows, loads = [], []
    for agg in framework.aggregates():
        for over, cols in (("indicators", _leaf_ids(agg)), ("children", [c.id for c in agg.children])):
            res = pca(table[cols])
            ev = res.eigenvalues
            rows.append(
                {
                    "aggregate": agg.id,
                    "over": over,
                    "k": len(cols),
                    "n_complete": res.n_complete,
                    "eigenvalue_1": float(ev[0]),
                    "variance_explained_1": float(res.variance_explained[0]),
                    "eigenvalue_2": float(ev[1]) if len(ev) > 1 else float("nan"),
                    "n_eigenvalues_gt_1": int(np.sum(ev > 1.0)) if not np.isnan(ev[0]) else 0,
                }
            )
            for name, loading in zip(res.variables, res.loadings[:, 0], strict=True):
                loads.append(
                    {"aggregate": agg.id, "over": over, "variable": name, "loading_1": float(loading)}
                )
    return pd.DataFrame(rows), pd.DataFrame(loads, columns=["aggregate", "over", "variable", "loading_1"])


def coinr_effective_weights(framework: Framework, local: Mapping[str, pd.Series] | None = None) -> pd.Series:
    """COINr ``get_eff_weights``: each node's weight normalised within its parent, times its ancestors'
    (``local``: the run's local weights, default the framework's)."""
    local = local if local else local_weights(framework)
    out = {framework.root.id: 1.0}
    for agg in framework.aggregates():
        for child in agg.children:
            out[child.id] = out[agg.id] * float(local[agg.id][child.id])
    return pd.Series(out, dtype="float64")


def effective_weights(
    framework: Framework, table: pd.DataFrame, local: Mapping[str, pd.Series] | None = None
) -> pd.DataFrame:
    """Per node: level, parent, nominal weight in the parent, COINr effective weight, η² and Pearson r² with
    the index, and η² as a share of the sum over the node's level (comparable with the effective weight)."""
    root = framework.root.id
    levels = framework.depth()
    parents = _parents(framework)
    local = local if local else local_weights(framework)
    eff = coinr_effective_weights(framework, local)
    y = table[root].to_numpy(np.float64)
    rows = []
    for agg in framework.aggregates():
        for child in agg.children:
            x = table[child.id].to_numpy(np.float64)
            r, _, _, _ = pair_correlation(x, y)
            rows.append(
                {
                    "id": child.id,
                    "level": levels[child.id],
                    "parent": parents[child.id],
                    "weight_in_parent": float(local[agg.id][child.id]),
                    "effective_weight": float(eff[child.id]),
                    "eta2": correlation_ratio(x, y),
                    "pearson_r2": r * r,
                }
            )
    frame = pd.DataFrame(rows)
    frame["eta2_share"] = frame["eta2"] / frame.groupby("level")["eta2"].transform("sum")
    return frame.sort_values(["level", "parent"], ascending=[False, True], kind="mergesort").reset_index(
        drop=True
    )


def coverage(
    framework: Framework, raw: pd.DataFrame, names: pd.Series | None = None
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(per indicator, per unit) availability, as COINr ``get_data_avail``: shares of present values and of
    non-zero values among the present ones; per unit also the availability within each aggregate."""
    ids = [i.id for i in framework.indicators()]
    x = raw.reindex(columns=ids)
    present = x.notna()
    zero = x == 0
    ind = pd.DataFrame(
        {
            "indicator": ids,
            "n_units": len(x),
            "n_available": present.sum().to_numpy(),
            "availability": present.mean().to_numpy(),
            "n_zero": zero.sum().to_numpy(),
        }
    )
    ind["non_zero"] = 1.0 - ind["n_zero"] / ind["n_available"].where(ind["n_available"] > 0)
    units = pd.DataFrame(index=x.index)
    if names is not None:
        units["name"] = names.reindex(x.index)
    units["n_missing"] = (~present).sum(axis=1)
    units["n_zero"] = zero.sum(axis=1)
    units["availability"] = present.mean(axis=1)
    units["non_zero"] = 1.0 - units["n_zero"] / present.sum(axis=1).where(present.sum(axis=1) > 0)
    for agg in framework.aggregates():
        units[f"availability_{agg.id}"] = present[_leaf_ids(agg)].mean(axis=1)
    units.index.name = "code"
    return ind, units.reset_index()


def count_indicator_effects(result: Result, top_n: int | None = None) -> pd.DataFrame:
    """How much each count indicator (a ``count`` formula: list entries per unit) moves the top N.

    The indicator is dropped (its weight set to 0 in its parent, the others renormalised — the Monte Carlo
    engine's exclusion) and the index re-aggregated from the stored normalised values with the run's own
    (stage) weights. Per indicator: the cities with a non-zero count, the mean and largest absolute rank
    shift of the top-N cities, and the cities that leave the top N.
    """
    from mfgindex.core.framework import FormulaOp
    from mfgindex.core.rank import competition_rank

    fw = result.framework
    n = top_n or fw.top_n
    cur = result.current
    root = fw.root.id
    base = competition_rank(cur.scores[root])
    top = base[base <= n].index
    names = result.units["name"] if "name" in result.units.columns else pd.Series(dtype=object)
    parents = _parents(fw)
    rows = []
    for ind in fw.indicators():
        if ind.resolved_formula().op is not FormulaOp.list_count:
            continue
        local = {k: v.copy() for k, v in result.nominal_weights.items()}
        parent = parents[ind.id]
        local[parent][ind.id] = 0.0
        if float(local[parent].sum()) <= 0:
            continue
        local[parent] = local[parent] / local[parent].sum()
        scores = pipeline.aggregate_tree(fw, cur.stages["normalised"], local, dict(cur.weights))
        new = competition_rank(scores[root]).reindex(top).astype(float)
        shift = new - base.reindex(top).astype(float)  # positive: the city falls without the indicator
        left = [str(c) for c in top if not new[c] <= n]
        worst = str(shift.abs().idxmax()) if shift.notna().any() else None
        raw = cur.stages["raw"][ind.id]
        rows.append(
            {
                "indicator": ind.id,
                "name_zh": ind.name_zh,
                "units_nonzero": int((raw > 0).sum()),
                "mean_abs_shift": float(shift.abs().mean()),
                "max_shift": float(shift.loc[worst]) if worst is not None else float("nan"),
                "max_shift_unit": "" if worst is None else str(names.get(worst, worst)),
                "left_top": len(left),
                "left_units": "、".join(str(names.get(c, c)) for c in left),
            }
        )
    return pd.DataFrame(
        rows,
        columns=[
            "indicator",
            "name_zh",
            "units_nonzero",
            "mean_abs_shift",
            "max_shift",
            "max_shift_unit",
            "left_top",
            "left_units",
        ],
    )


@dataclass(frozen=True)
class Audit:
    correlations: pd.DataFrame
    cronbach: pd.DataFrame
    pca: pd.DataFrame
    pca_loadings: pd.DataFrame
    effective_weights: pd.DataFrame
    coverage_indicators: pd.DataFrame
    coverage_units: pd.DataFrame
    count_indicators: pd.DataFrame = field(default_factory=pd.DataFrame)
    """Rank shift of the top N when each count indicator is dropped (:func:`count_indicator_effects`)."""


def audit(result: Result, ds: Dataset | None = None) -> Audit:
    """Audit a result. Coverage uses the raw indicators of every unit of the universe (before screening)
    when the data set is given, else the evaluated units' raw stage."""
    fw = result.framework
    table = values_table(result)
    if ds is not None:
        codes = pipeline.universe(ds, fw)
        raw = derive.raw_matrix(ds, fw, result.year, codes)
    else:
        raw = result.current.stages["raw"]
    names = result.units["name"] if "name" in result.units.columns else None
    pca_sum, pca_load = pca_tables(fw, table)
    cov_i, cov_u = coverage(fw, raw, names)
    return Audit(
        correlations=correlations(fw, table),
        cronbach=cronbach_table(fw, table),
        pca=pca_sum,
        pca_loadings=pca_load,
        effective_weights=effective_weights(fw, table, result.nominal_weights),
        coverage_indicators=cov_i,
        coverage_units=cov_u,
        count_indicators=count_indicator_effects(result),
    )


def write_audit(a: Audit, out_dir: Path) -> list[Path]:
    """Write the audit CSVs (UTF-8 with BOM for Excel, 10 significant digits) into ``out_dir``."""
    out_dir.mkdir(parents=True, exist_ok=True)
    files = {
        "correlations.csv": a.correlations,
        "cronbach.csv": a.cronbach,
        "pca.csv": a.pca,
        "pca_loadings.csv": a.pca_loadings,
        "effective_weights.csv": a.effective_weights,
        "coverage_indicators.csv": a.coverage_indicators,
        "coverage_units.csv": a.coverage_units,
        "count_indicators.csv": a.count_indicators,
    }
    written = []
    for name, frame in files.items():
        path = out_dir / name
        tmp = path.with_suffix(".csv.tmp")
        write_csv(frame, tmp, float_format="%.10g", lineterminator="\n")
        tmp.replace(path)
        written.append(path)
    return written


__all__ = [
    "Audit",
    "PCAResult",
    "audit",
    "coinr_effective_weights",
    "correlation_ratio",
    "correlations",
    "count_indicator_effects",
    "coverage",
    "cronbach_alpha",
    "effective_weights",
    "pair_correlation",
    "pca",
    "write_audit",
]
