"""Reading an opaque published ranking: which non-negative dimension weights reproduce it best?

A published list (e.g. the CAICT 2023 top 50) gives an order, not weights. Given the dimension scores of a
framework evaluated on our data, :func:`fit_weights` estimates weights ``w`` on the simplex such that the
weighted mean of the dimension scores, ``s_i(w) = Σ_d w_d x_id / Σ_d w_d`` (over the dimensions city ``i``
has, as the arithmetic aggregation of the pipeline), orders the cities as the list does.

Model: an ordinal (Bradley-Terry) logit on pairs. Every listed city must outrank every city listed after it
and every city outside the list: ``P(i ≻ j) = σ(β (s_i − s_j))``; the weights and the scale β > 0 maximise the
mean log-likelihood over those pairs. Fitted with scipy's SLSQP (bounds 0 ≤ w ≤ 1, Σw = 1, analytic
gradient), from the equal weights and a few seeded Dirichlet starts, keeping the best.

Agreement is measured out of sample (:func:`cross_validate`: k folds, stratified so that every fold holds
listed and unlisted cities): on the held-out cities, the top-N overlap (the n_h held-out cities ranked
highest by the fitted weights vs the n_h held-out listed cities) and Spearman's ρ between the predicted
and published ranks of the held-out listed cities. :func:`bootstrap_weights` resamples cities (listed and
unlisted separately, with replacement; fixed seed) and refits, giving percentile intervals.

This is an analysis of someone else's ranking: it never changes a framework's weights.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from mfgindex.core.errors import Problem, UserError

#: Bounds of the pairwise logit's scale β (per score point of 0-100 scores).
BETA_BOUNDS: tuple[float, float] = (1e-3, 20.0)


# ---------------------------------------------------------------- reading the list


def read_ranking(path: Path) -> pd.Series:
    """A published ranking file → code → rank (int, 1 = top), sorted by rank.

    The file (CSV in UTF-8 or GBK, or XLSX) needs the columns ``city`` and ``national_rank`` (or ``rank``);
    ``province`` and/or ``code`` help resolve names. Raises :class:`UserError` with row and column for
    unreadable files, unknown or ambiguous cities, missing, non-integer or repeated ranks.
    """
    from mfgindex.core import geo, ingest

    try:
        df = ingest.read_cells(path)[0]
    except (OSError, ValueError, UnicodeDecodeError) as exc:
        raise UserError(Problem(f"cannot read the ranking: {exc}", file=str(path))) from None
    df.columns = [str(c).strip() for c in df.columns]
    rank_col = next((c for c in ("national_rank", "rank", "排名", "全国排名") if c in df.columns), None)
    city_col = next((c for c in ("code", "city", "城市", "地市", "name") if c in df.columns), None)
    if rank_col is None or city_col is None:
        raise UserError(
            Problem(
                "a ranking needs a city column and a rank column",
                file=str(path),
                expected="columns city (or code) and national_rank (or rank); province optional",
            )
        )
    prov_col = next((c for c in ("province", "省份") if c in df.columns), None)
    problems: list[Problem] = []
    ranks: dict[str, int] = {}
    for i, rec in enumerate(df.to_dict("records")):
        row = i + 2
        name = str(rec[city_col]).strip()
        m = geo.resolve(name, (str(rec[prov_col]).strip() or None) if prov_col else None)
        if m.code is None:
            problems.append(Problem(m.reason, file=str(path), row=row, column=city_col, value=name))
            continue
        text = str(rec[rank_col]).strip()
        try:
            r = int(float(text))
            if r < 1 or float(text) != r:
                raise ValueError
        except ValueError:
            problems.append(
                Problem(
                    "not a positive whole rank",
                    file=str(path),
                    row=row,
                    column=rank_col,
                    value=text,
                    expected="1, 2, 3 …",
                )
            )
            continue
        if m.code in ranks:
            problems.append(
                Problem("city listed twice", file=str(path), row=row, column=city_col, value=name)
            )
            continue
        ranks[m.code] = r
    if not problems and len(ranks) < 3:
        problems.append(Problem("a ranking needs at least three cities", file=str(path)))
    if not problems and len(set(ranks.values())) != len(ranks):
        dup = sorted({r for r in ranks.values() if list(ranks.values()).count(r) > 1})
        problems.append(
            Problem(
                "repeated ranks (ties are not supported)",
                file=str(path),
                column=rank_col,
                value=",".join(map(str, dup)),
            )
        )
    if problems:
        raise UserError(problems)
    return pd.Series(ranks, name="published_rank", dtype=int).sort_values()


# ---------------------------------------------------------------- the model


def pairs(rank: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Index pairs (i, j) with i ranked strictly above j, from ranks (``inf`` = not listed)."""
    r = np.asarray(rank, dtype=float)
    hi, lo = np.nonzero((r[:, None] < r[None, :]) & np.isfinite(r)[:, None])
    return hi, lo


def weighted_scores(x: np.ndarray, w: np.ndarray) -> np.ndarray:
    """``Σ_d w_d x_id / Σ_d w_d`` over the dimensions present (NaN in ``x`` = absent)."""
    m = np.isfinite(x)
    num = np.where(m, x, 0.0) @ w
    den = m @ w
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(den > 0, num / np.maximum(den, 1e-300), np.nan)


def _loss_grad(
    params: np.ndarray, xf: np.ndarray, m: np.ndarray, hi: np.ndarray, lo: np.ndarray
) -> tuple[float, np.ndarray]:
    d = xf.shape[1]
    w, beta = params[:d], np.exp(params[d])
    den = np.maximum(m @ w, 1e-12)
    s = (xf @ w) / den
    diff = s[hi] - s[lo]
    z = beta * diff
    loss = float(np.mean(np.logaddexp(0.0, -z)))
    g = -np.exp(-np.logaddexp(0.0, z)) / len(hi)  # dL/dz = −σ(−z) / P
    ds = m * (xf - s[:, None]) / den[:, None]  # ∂s_i/∂w_d
    gs = np.bincount(hi, g, len(s)) - np.bincount(lo, g, len(s))  # Σ over pairs of dL/dz · ∂z/∂(βs_i)
    grad = np.empty_like(params)
    grad[:d] = beta * (gs @ ds)
    grad[d] = float(np.sum(g * z))
    return loss, grad


@dataclass(frozen=True)
class Fit:
    """One fit: weights on the simplex (Series by dimension), scale β, mean pairwise log-loss."""

    weights: pd.Series
    beta: float
    loss: float
    pairs: int
    converged: bool


def fit_weights(
    x: pd.DataFrame, ranks: pd.Series, starts: int = 4, seed: int = 0, init: Sequence[float] | None = None
) -> Fit:
    """Fit simplex weights of the columns of ``x`` (units × dimensions, 0-100 scores) to ``ranks``.

    Parameters
    ----------
    x
        Dimension scores; NaN = the unit lacks the dimension (its weights are renormalised over the rest).
    ranks
        Published rank by unit code (index of ``x``); units of ``x`` not in ``ranks`` rank below all listed.
    starts
        Random Dirichlet starts besides the equal weights (and ``init`` if given); the best fit is kept.
    seed
        Seed of the random starts.
    """
    from scipy.optimize import minimize

    xv = x.to_numpy(dtype=float)
    m = np.isfinite(xv).astype(float)
    xf = np.where(m > 0, xv, 0.0)
    r = ranks.reindex(x.index).to_numpy(dtype=float, copy=True)
    r[np.isnan(r)] = np.inf
    hi, lo = pairs(r)
    if len(hi) == 0:
        raise UserError(Problem("no ordered pairs: the list and the evaluated cities do not overlap"))
    d = xv.shape[1]
    rng = np.random.default_rng(seed)
    inits = [np.full(d, 1.0 / d)] + ([np.asarray(init, float) / np.sum(init)] if init is not None else [])
    inits += [rng.dirichlet(np.ones(d)) for _ in range(starts)]
    lb, ub = np.log(BETA_BOUNDS[0]), np.log(BETA_BOUNDS[1])
    best = None
    for w0 in inits:
        res = minimize(
            _loss_grad,
            np.append(w0, np.log(0.1)),
            args=(xf, m, hi, lo),
            jac=True,
            method="SLSQP",
            bounds=[(0.0, 1.0)] * d + [(lb, ub)],
            constraints=[
                {
                    "type": "eq",
                    "fun": lambda p: np.sum(p[:d]) - 1.0,
                    "jac": lambda p: np.append(np.ones(d), 0.0),
                }
            ],
            options={"maxiter": 500, "ftol": 1e-10},
        )
        if best is None or res.fun < best.fun:
            best = res
    assert best is not None
    w = np.clip(best.x[:d], 0.0, None)
    w = w / w.sum()
    return Fit(
        weights=pd.Series(w, index=x.columns, name="weight"),
        beta=float(np.exp(best.x[d])),
        loss=float(best.fun),
        pairs=len(hi),
        converged=bool(best.success),
    )


# ---------------------------------------------------------------- agreement


def agreement(scores: pd.Series, ranks: pd.Series) -> dict[str, float]:
    """How well ``scores`` (units) reproduce ``ranks`` (listed units) within the units of ``scores``.

    ``overlap``: share of the n listed units among the n highest-scoring units; ``spearman``: Spearman's ρ
    between the predicted order of the listed units and their published rank (as a positive agreement);
    ``kendall``: Kendall's τ likewise.
    """
    from scipy.stats import kendalltau, spearmanr

    s = scores.dropna()
    listed = ranks.reindex(s.index).dropna()
    n = len(listed)
    if n == 0:
        return {"listed": 0, "overlap": np.nan, "spearman": np.nan, "kendall": np.nan}
    top = set(s.sort_values(ascending=False, kind="mergesort").index[:n])
    out = {"listed": float(n), "overlap": len(top & set(listed.index)) / n}
    if n >= 3:
        out["spearman"] = float(spearmanr(s[listed.index], -listed.to_numpy()).statistic)
        out["kendall"] = float(kendalltau(s[listed.index], -listed.to_numpy()).statistic)
    else:
        out["spearman"] = out["kendall"] = np.nan
    return out


def _strata(x: pd.DataFrame, ranks: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    listed = x.index.isin(ranks.index)
    return np.flatnonzero(listed), np.flatnonzero(~listed)


def cross_validate(
    x: pd.DataFrame,
    ranks: pd.Series,
    k: int = 5,
    seed: int = 0,
    baseline: pd.Series | None = None,
    starts: int = 2,
) -> pd.DataFrame:
    """k-fold cross-validated agreement on held-out cities (one row per fold and model).

    Listed and unlisted cities are shuffled (seeded) and dealt into ``k`` folds separately. The weights are
    fitted on the other folds' pairs; agreement (:func:`agreement`) is measured among the held-out cities
    only. With ``baseline`` (e.g. the preset's index) the same measures are given for it on the same folds.
    """
    if k < 2:
        raise UserError(Problem("k-fold cross-validation needs k ≥ 2", column="--folds", value=str(k)))
    rng = np.random.default_rng(seed)
    a, b = _strata(x, ranks)
    if len(a) < k:
        raise UserError(Problem("fewer listed cities than folds", column="--folds", value=str(k)))
    fold = np.empty(len(x), dtype=int)
    fold[rng.permutation(a)] = np.arange(len(a)) % k
    fold[rng.permutation(b)] = np.arange(len(b)) % k
    rows = []
    for f in range(k):
        train, test = x.index[fold != f], x.index[fold == f]
        fit = fit_weights(x.loc[train], ranks, starts=starts, seed=seed)
        pred = pd.Series(weighted_scores(x.loc[test].to_numpy(float), fit.weights.to_numpy()), index=test)
        rows.append({"fold": f + 1, "model": "fitted", "held_out": len(test), **agreement(pred, ranks)})
        if baseline is not None:
            rows.append(
                {
                    "fold": f + 1,
                    "model": "preset",
                    "held_out": len(test),
                    **agreement(baseline.reindex(test), ranks),
                }
            )
    return pd.DataFrame(rows)


def bootstrap_weights(
    x: pd.DataFrame, ranks: pd.Series, n: int = 200, seed: int = 0, starts: int = 1
) -> pd.DataFrame:
    """Weights refitted on ``n`` bootstrap samples of cities (rows = replications, columns = dimensions).

    Listed and unlisted cities are resampled separately with replacement, so each sample keeps the list's
    size; a city drawn twice forms no pair with itself (equal ranks give no pair).
    """
    rng = np.random.default_rng(seed)
    a, b = _strata(x, ranks)
    xv = x.to_numpy(float)
    r = ranks.reindex(x.index).to_numpy(float)
    out = []
    for _ in range(n):
        idx = np.concatenate([rng.choice(a, len(a)), rng.choice(b, len(b))])
        # fresh labels so that duplicated cities stay distinct rows with equal ranks
        labels = pd.Index([f"b{i}" for i in range(len(idx))])
        xb = pd.DataFrame(xv[idx], index=labels, columns=x.columns)
        rb = pd.Series(r[idx], index=labels).dropna()
        out.append(fit_weights(xb, rb, starts=starts, seed=seed).weights.to_numpy())
    return pd.DataFrame(np.vstack(out), columns=x.columns)


@dataclass(frozen=True)
class RankingFit:
    """Everything :func:`fit_ranking` reports."""

    fit: Fit
    weights: pd.DataFrame  # dimension × (weight, lo, hi, boot_mean, boot_sd)
    cv: pd.DataFrame  # per fold and model
    cv_summary: pd.DataFrame  # model × mean agreement
    in_sample: pd.DataFrame  # model × agreement on all cities
    predicted: pd.DataFrame  # units: fitted score, fitted rank, published rank
    boot: pd.DataFrame
    level: float


def fit_ranking(
    x: pd.DataFrame,
    ranks: pd.Series,
    baseline: pd.Series | None = None,
    k: int = 5,
    n_boot: int = 200,
    seed: int = 0,
    level: float = 0.95,
) -> RankingFit:
    """Fit, cross-validate and bootstrap (see the module docstring); ``ranks`` outside ``x`` are dropped."""
    ranks = ranks[ranks.index.isin(x.index)]
    fit = fit_weights(x, ranks, seed=seed)
    cv = cross_validate(x, ranks, k, seed, baseline)
    boot = (
        bootstrap_weights(x, ranks, n_boot, seed)
        if n_boot > 0
        else pd.DataFrame(columns=x.columns, dtype=float)
    )
    q = (1 - level) / 2
    weights = pd.DataFrame(
        {
            "weight": fit.weights,
            "lo": boot.quantile(q) if n_boot else np.nan,
            "hi": boot.quantile(1 - q) if n_boot else np.nan,
            "boot_mean": boot.mean() if n_boot else np.nan,
            "boot_sd": boot.std(ddof=1) if n_boot > 1 else np.nan,
        }
    )
    weights.index.name = "dimension"
    pred = pd.Series(weighted_scores(x.to_numpy(float), fit.weights.to_numpy()), index=x.index)
    predicted = pd.DataFrame(
        {
            "fitted_score": pred,
            "fitted_rank": pred.rank(ascending=False, method="min"),
            "published_rank": ranks.reindex(x.index),
        }
    )
    if baseline is not None:
        predicted["preset_score"] = baseline.reindex(x.index)
        predicted["preset_rank"] = predicted["preset_score"].rank(ascending=False, method="min")
    predicted = predicted.sort_values("fitted_rank")
    ins = [{"model": "fitted", **agreement(pred, ranks)}]
    if baseline is not None:
        ins.append({"model": "preset", **agreement(baseline.reindex(x.index), ranks)})
    cols = ["overlap", "spearman", "kendall"]
    summary = cv.groupby("model", sort=False)[cols].agg(["mean", "std"])
    summary.columns = ["_".join(map(str, c)) for c in summary.columns.to_flat_index()]
    return RankingFit(
        fit=fit,
        weights=weights,
        cv=cv,
        cv_summary=summary,
        in_sample=pd.DataFrame(ins).set_index("model"),
        predicted=predicted,
        boot=boot,
        level=level,
    )
