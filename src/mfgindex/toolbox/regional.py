"""Regional differences: Dagum Gini decomposition, Theil decomposition (from :mod:`mfgindex.analysis`),
kernel density estimates by year, and σ- and β-convergence.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from itertools import pairwise
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike
from scipy.signal import find_peaks
from scipy.stats import gaussian_kde

from mfgindex.analysis.gaps import TheilDecomposition, theil_decomposition
from mfgindex.core.errors import Problem, UserError
from mfgindex.core.geo import REGION_ORDER

__all__ = [
    "BetaResult",
    "DagumResult",
    "TheilDecomposition",
    "beta_convergence",
    "dagum_gini",
    "gini",
    "kde_by_year",
    "sigma_convergence",
    "theil_decomposition",
]


def gini(values: ArrayLike) -> float:
    """Gini coefficient G = Σ_i Σ_r |y_i − y_r| / (2 n² μ) (population form, no small-sample correction)."""
    y = np.asarray(values, dtype=float)
    if y.size == 0 or not np.all(np.isfinite(y)):
        raise ValueError("Gini needs finite values")
    mu = float(y.mean())
    if mu <= 0:
        raise ValueError("Gini needs a positive mean")
    return float(np.abs(y[:, None] - y[None, :]).sum() / (2 * y.size**2 * mu))


@dataclass(frozen=True)
class DagumResult:
    """Dagum's decomposition G = G_w + G_nb + G_t with the group-level terms.

    Attributes
    ----------
    total, within, net_between, transvariation
        G, G_w, G_nb, G_t (G_w + G_nb + G_t = G).
    groups
        Per group: n, mean, p_j = n_j/n, s_j = n_j μ_j/(n μ), G_jj (within-group Gini).
    between
        Group × group matrix: diagonal G_jj, off-diagonal G_jh (between-group Gini).
    relative_affluence
        Group × group matrix D_jh = (d_jh − p_jh)/(d_jh + p_jh) for μ_j ≥ μ_h (the upper-mean group first).
    """

    total: float
    within: float
    net_between: float
    transvariation: float
    groups: pd.DataFrame
    between: pd.DataFrame
    relative_affluence: pd.DataFrame
    contribution: dict[str, float] = field(default_factory=dict)

    def summary(self) -> pd.DataFrame:
        """One row: G, G_w, G_nb, G_t and their shares of G."""
        return pd.DataFrame(
            [
                {
                    "G": self.total,
                    "Gw": self.within,
                    "Gnb": self.net_between,
                    "Gt": self.transvariation,
                    "Gw_share": self.within / self.total if self.total else np.nan,
                    "Gnb_share": self.net_between / self.total if self.total else np.nan,
                    "Gt_share": self.transvariation / self.total if self.total else np.nan,
                }
            ]
        )


def dagum_gini(values: ArrayLike, groups: ArrayLike) -> DagumResult:
    """Dagum Gini coefficient and its decomposition by groups (e.g. the four regions or 城市群).

    G = Σ_j Σ_h Σ_i Σ_r |y_ji − y_hr| / (2 n² μ);
    G_jj = Σ_i Σ_r |y_ji − y_jr| / (2 n_j² μ_j);  G_jh = Σ_i Σ_r |y_ji − y_hr| / (n_j n_h (μ_j + μ_h));
    G_w = Σ_j G_jj p_j s_j;  G_nb = Σ_{j≠h, pairs} G_jh (p_j s_h + p_h s_j) D_jh;
    G_t = Σ_{pairs} G_jh (p_j s_h + p_h s_j)(1 − D_jh);
    D_jh = (d_jh − p_jh)/(d_jh + p_jh), where for μ_j ≥ μ_h, d_jh = E[(y_j − y_h)⁺] over all pairs (the
    gross economic affluence) and p_jh = E[(y_h − y_j)⁺] (the first moment of transvariation).

    Parameters
    ----------
    values
        Positive-mean values (e.g. index scores), one per unit.
    groups
        Group label of each unit.

    Returns
    -------
    DagumResult

    References
    ----------
    Dagum, C. (1997). A new approach to the decomposition of the Gini income inequality ratio.
    *Empirical Economics*, 22(4), 515-531.
    Dagum, C. (1997). Decomposition and interpretation of Gini and the generalized entropy inequality
    measures. *Statistica*, 57(3), 295-308.
    """
    y = np.asarray(values, dtype=float)
    g = np.asarray(groups).astype(str)
    if y.shape != g.shape:
        raise ValueError("values and groups must have the same length")
    keep = np.isfinite(y)
    y, g = y[keep], g[keep]
    n = y.size
    if n == 0:
        raise UserError(Problem("Dagum Gini needs at least one value"))
    mu = float(y.mean())
    if mu <= 0:
        raise UserError(Problem("Dagum Gini needs a positive mean"))
    labels = sorted(set(g.tolist()), key=lambda lab: -float(y[g == lab].mean()))
    ys = {lab: y[g == lab] for lab in labels}
    mus = {lab: float(v.mean()) for lab, v in ys.items()}
    p = {lab: v.size / n for lab, v in ys.items()}
    s = {lab: v.size * mus[lab] / (n * mu) for lab, v in ys.items()}
    k = len(labels)
    gmat = np.zeros((k, k))
    dmat = np.full((k, k), np.nan)
    within = net = trans = 0.0
    for a, ja in enumerate(labels):
        yj = ys[ja]
        gjj = (
            float(np.abs(yj[:, None] - yj[None, :]).sum() / (2 * yj.size**2 * mus[ja]))
            if mus[ja] > 0
            else 0.0
        )
        gmat[a, a] = gjj
        within += gjj * p[ja] * s[ja]
        for b in range(a):
            jh = labels[b]  # labels sorted by mean descending: mean of jh ≥ mean of ja
            yh = ys[jh]
            diff = yh[:, None] - yj[None, :]
            gjh = float(np.abs(diff).sum() / (yh.size * yj.size * (mus[ja] + mus[jh])))
            gmat[a, b] = gmat[b, a] = gjh
            d_jh = float(np.clip(diff, 0, None).mean())
            p_jh = float(np.clip(-diff, 0, None).mean())
            rel = (d_jh - p_jh) / (d_jh + p_jh) if (d_jh + p_jh) > 0 else 0.0
            dmat[b, a] = rel
            weight = p[ja] * s[jh] + p[jh] * s[ja]
            net += gjh * weight * rel
            trans += gjh * weight * (1 - rel)
    total = gini(y)
    groups_df = pd.DataFrame(
        {
            "n": [ys[lab].size for lab in labels],
            "mean": [mus[lab] for lab in labels],
            "p": [p[lab] for lab in labels],
            "s": [s[lab] for lab in labels],
            "G_jj": [gmat[i, i] for i in range(k)],
            "within_contribution": [gmat[i, i] * p[lab] * s[lab] for i, lab in enumerate(labels)],
        },
        index=pd.Index(labels, name="group"),
    )
    return DagumResult(
        total=total,
        within=within,
        net_between=net,
        transvariation=trans,
        groups=groups_df,
        between=pd.DataFrame(gmat, index=labels, columns=labels),
        relative_affluence=pd.DataFrame(dmat, index=labels, columns=labels),
    )


def dagum_pairs(result: DagumResult) -> pd.DataFrame:
    """Long table of group pairs: G_jh and D_jh (the pair's higher-mean group first)."""
    labels = list(result.between.index)
    rows = []
    for a, ja in enumerate(labels):
        for b in range(a + 1, len(labels)):
            jh = labels[b]
            rows.append(
                {
                    "pair": f"{ja}-{jh}",
                    "G_jh": float(result.between.to_numpy()[a, b]),
                    "D_jh": float(result.relative_affluence.to_numpy()[a, b]),
                }
            )
    return pd.DataFrame(rows)


def dagum_over_years(wide: pd.DataFrame, groups: pd.Series) -> pd.DataFrame:
    """G, G_w, G_nb, G_t (and shares) for each year column of ``wide`` (units × years)."""
    rows = []
    for year in wide.columns:
        v = wide[year]
        gr = groups.reindex(v.index)
        ok = v.notna() & gr.notna()
        res = dagum_gini(v[ok].to_numpy(), gr[ok].to_numpy())
        row = res.summary().iloc[0].to_dict()
        row["year"] = year
        for lab, gjj in res.groups["G_jj"].items():
            row[f"G_jj:{lab}"] = gjj
        rows.append(row)
    return pd.DataFrame(rows).set_index("year")


# ---------------------------------------------------------------- kernel density


@dataclass(frozen=True)
class KdeResult:
    """Kernel density estimates of one variable by year on a common grid."""

    grid: np.ndarray
    density: pd.DataFrame
    """Grid points × years."""
    summary: pd.DataFrame
    """Per year: n, mean, sd, bandwidth, main peak location and height, number of peaks, skewness."""


def kde_by_year(wide: pd.DataFrame, points: int = 256, bw_method: str | float = "scott") -> KdeResult:
    """Gaussian kernel density of each year's values (``wide``: units × years) on one grid.

    The grid spans the pooled range extended by three of the widest bandwidths. Peaks are local maxima higher
    than 5 % of the year's highest density (the usual reading: main peak moving right = level rising, peak
    lower and wider = dispersion growing, side peaks = polarisation).

    References
    ----------
    Silverman, B. W. (1986). *Density Estimation for Statistics and Data Analysis*. Chapman & Hall.
    Scott, D. W. (1992). *Multivariate Density Estimation*. Wiley.
    """
    kdes: dict[Any, gaussian_kde] = {}
    for year in wide.columns:
        v = wide[year].dropna().to_numpy(dtype=float)
        if v.size < 3 or np.ptp(v) == 0:
            raise UserError(Problem(f"kernel density needs at least three distinct values in {year}"))
        kdes[year] = gaussian_kde(v, bw_method=bw_method)
    pooled = wide.to_numpy(dtype=float)
    pooled = pooled[np.isfinite(pooled)]
    bw = max(float(np.sqrt(k.covariance[0, 0])) for k in kdes.values())
    grid = np.linspace(pooled.min() - 3 * bw, pooled.max() + 3 * bw, points)
    dens = pd.DataFrame({y: k(grid) for y, k in kdes.items()}, index=pd.Index(grid, name="x"))
    rows = []
    for year, k in kdes.items():
        d = dens[year].to_numpy()
        peaks, _ = find_peaks(d, height=0.05 * d.max())
        main = int(np.argmax(d))
        v = wide[year].dropna()
        rows.append(
            {
                "year": year,
                "n": int(v.size),
                "mean": float(v.mean()),
                "sd": float(v.std(ddof=1)),
                "bandwidth": float(np.sqrt(k.covariance[0, 0])),
                "peak_x": float(grid[main]),
                "peak_density": float(d[main]),
                "peaks": len(peaks),
                "skewness": float(v.skew()),
            }
        )
    return KdeResult(grid=grid, density=dens, summary=pd.DataFrame(rows).set_index("year"))


# ---------------------------------------------------------------- convergence


def sigma_convergence(wide: pd.DataFrame, groups: pd.Series | None = None) -> pd.DataFrame:
    """σ-convergence: standard deviation σ, coefficient of variation CV = σ/μ (ddof = 1) and the sd of logs by
    year, overall and per group; falling values over time mean σ-convergence.

    References
    ----------
    Barro, R. J., & Sala-i-Martin, X. (1992). Convergence. *Journal of Political Economy*, 100(2), 223-251.
    Quah, D. (1993). Galton's fallacy and tests of the convergence hypothesis. *Scandinavian Journal of
    Economics*, 95(4), 427-443.
    """
    parts: dict[str, pd.DataFrame] = {"全国": wide}
    if groups is not None:
        g = groups.reindex(wide.index)
        labels = [str(v) for v in g.dropna().unique()]
        order = [r for r in REGION_ORDER if r in labels] + sorted(v for v in labels if v not in REGION_ORDER)
        for lab in order:
            parts[lab] = wide[g == lab]
    rows = []
    for name, frame in parts.items():
        for year in frame.columns:
            v = frame[year].dropna().astype(float)
            pos = v[v > 0]
            rows.append(
                {
                    "group": name,
                    "year": year,
                    "n": int(v.size),
                    "mean": float(v.mean()),
                    "sigma": float(v.std(ddof=1)),
                    "cv": float(v.std(ddof=1) / v.mean()) if v.mean() else np.nan,
                    "sd_log": float(np.log(pos).std(ddof=1)) if pos.size > 1 else np.nan,
                }
            )
    return pd.DataFrame(rows)


@dataclass(frozen=True)
class BetaResult:
    """One β-convergence regression."""

    kind: str
    beta: float
    se: float
    t: float
    p: float
    n: int
    r2: float
    speed: float
    """Convergence speed θ = −ln(1 + β)/τ (NaN when β ≥ 0 or 1 + β ≤ 0)."""
    half_life: float
    """ln 2 / θ, in years."""
    cov_type: str
    params: pd.DataFrame
    """All coefficients with standard errors, t and p."""

    def row(self) -> dict[str, Any]:
        return {
            "model": self.kind,
            "beta": self.beta,
            "se": self.se,
            "t": self.t,
            "p": self.p,
            "n": self.n,
            "r2": self.r2,
            "speed": self.speed,
            "half_life": self.half_life,
            "se_type": self.cov_type,
        }


def _speed(beta: float, tau: float) -> tuple[float, float]:
    if beta >= 0 or 1 + beta <= 0:
        return float("nan"), float("nan")
    theta = -float(np.log(1 + beta)) / tau
    return theta, float(np.log(2) / theta)


def beta_convergence(
    wide: pd.DataFrame,
    kind: str = "absolute",
    controls: Mapping[Any, pd.DataFrame] | None = None,
) -> BetaResult:
    """β-convergence regression of growth on the initial log level (OLS from statsmodels).

    * ``kind="cross_section"``: ln(y_iT / y_i0)/T = α + β ln y_i0 + ε (first and last year; HC1 robust SE);
      τ = T for the speed.
    * ``kind="absolute"``: pooled panel, ln(y_i,t+1 / y_i,t) = α + β ln y_i,t + ε (SE clustered by unit).
    * ``kind="conditional"``: the same with unit and year fixed effects (two-way FE) and any ``controls``
      (year → units × control variables, lagged like the level); SE clustered by unit.

    β < 0 (significant) means convergence; θ = −ln(1 + β)/τ its speed and ln 2/θ the half-life.

    Parameters
    ----------
    wide
        Units × years of a positive variable (e.g. the index under comparable panel normalisation).
    kind
        ``cross_section``, ``absolute`` or ``conditional``.
    controls
        For ``conditional``: year → DataFrame (units × controls) of the starting year of each interval.

    Returns
    -------
    BetaResult

    References
    ----------
    Barro, R. J., & Sala-i-Martin, X. (1992). Convergence. *Journal of Political Economy*, 100(2), 223-251.
    Islam, N. (1995). Growth empirics: A panel data approach. *Quarterly Journal of Economics*, 110(4),
    1127-1170.
    Miller, S. R., & Upadhyay, M. P. (2002). Total factor productivity and the convergence hypothesis.
    *Journal of Macroeconomics*, 24(2), 267-286.
    """
    import statsmodels.api as sm

    years: list[int] = sorted(int(y) for y in wide.columns)
    if len(years) < 2:
        raise UserError(Problem("β-convergence needs at least two years"))
    if kind == "conditional" and len(years) < 3:
        raise UserError(
            Problem(
                "conditional β-convergence (unit fixed effects) needs at least three years", column="--years"
            )
        )
    w = wide.set_axis([int(y) for y in wide.columns], axis=1)[years].astype(float)
    if bool((w <= 0).to_numpy().any()):
        bad = int((w <= 0).to_numpy().sum())
        w = w.where(w > 0)
        if bad > 0.5 * w.size:
            raise UserError(Problem("β-convergence needs positive values (logs); use a positive range"))
    if kind == "cross_section":
        first, last = years[0], years[-1]
        tau = float(last - first)
        d = pd.DataFrame({"ln0": np.log(w[first]), "g": np.log(w[last] / w[first]) / tau}).dropna()
        x = sm.add_constant(d[["ln0"]])
        fit = sm.OLS(d["g"], x).fit(cov_type="HC1")
        cov_type = "HC1"
        # growth per year regressed on the level: annual β_ann relates to the T-period one by β_T = β_ann·T
        beta_total = float(fit.params["ln0"]) * tau
        theta, half = _speed(beta_total, tau)
    elif kind in ("absolute", "conditional"):
        rows = []
        for a, b in pairwise(years):
            step = float(b - a)
            part = pd.DataFrame(
                {
                    "unit": w.index,
                    "year": a,
                    "ln0": np.log(w[a].to_numpy()),
                    "g": np.log((w[b] / w[a]).to_numpy()) / step,
                }
            )
            if kind == "conditional" and controls is not None and a in controls:
                ctrl = controls[a].reindex(w.index)
                for c in ctrl.columns:
                    part[f"ctrl_{c}"] = ctrl[c].to_numpy(dtype=float)
            rows.append(part)
        d = pd.concat(rows, ignore_index=True).replace([np.inf, -np.inf], np.nan).dropna()
        regressors = ["ln0"] + [c for c in d.columns if c.startswith("ctrl_")]
        x = d[regressors].astype(float)
        if kind == "conditional":
            fe_unit = pd.get_dummies(d["unit"], prefix="u", drop_first=True, dtype=float)
            fe_year = pd.get_dummies(d["year"], prefix="y", drop_first=True, dtype=float)
            x = pd.concat([x, fe_unit, fe_year], axis=1)
        x = sm.add_constant(x, has_constant="add")
        fit = sm.OLS(d["g"], x).fit(cov_type="cluster", cov_kwds={"groups": pd.factorize(d["unit"])[0]})
        cov_type = "cluster(unit)"
        theta, half = _speed(float(fit.params["ln0"]), 1.0)
    else:
        raise ValueError(f"unknown kind {kind!r}")
    params = pd.DataFrame({"coef": fit.params, "se": fit.bse, "t": fit.tvalues, "p": fit.pvalues})
    params = params[~params.index.str.match(r"^(u|y)_")]
    return BetaResult(
        kind=kind,
        beta=float(fit.params["ln0"]),
        se=float(fit.bse["ln0"]),
        t=float(fit.tvalues["ln0"]),
        p=float(fit.pvalues["ln0"]),
        n=int(fit.nobs),
        r2=float(fit.rsquared),
        speed=theta,
        half_life=half,
        cov_type=cov_type,
        params=params,
    )
