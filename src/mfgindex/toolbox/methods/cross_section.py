"""Toolbox methods on one year's results: obstacle degree, coupling coordination, grey relational
analysis, spatial autocorrelation, weights fitted to a published list."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import pandas as pd

from mfgindex.core.errors import Problem, UserError
from mfgindex.toolbox.methods.common import (
    Option,
    Output,
    check_choice,
    label,
    method,
    node_names,
    panel_of,
    read_external,
)

if TYPE_CHECKING:
    from mfgindex.toolbox.source import Context


@method("obstacle")
def obstacle_cmd(
    ctx: Context,
    top_k: Annotated[
        int, Option("--top-k", min=1, help="主要障碍数 (top k)：每个城市列出的前几项障碍。")
    ] = 5,
) -> Output:
    """障碍度模型 (obstacle degree)：各城市各指标的障碍度。

    障碍度 = 全局权重 × 偏离度；另列主要障碍及其出现频次，并按维度汇总。
    """

    from mfgindex.toolbox import plots
    from mfgindex.toolbox.obstacle import obstacle_from_result

    res = obstacle_from_result(ctx.result, k=top_k)
    names = node_names(ctx.framework)
    units = ctx.result.units
    order = ctx.result.table.index
    top = res.top.copy()
    top.insert(3, "name_zh", top["indicator"].map(names))
    top.insert(1, "name", top["code"].map(units["name"]))
    freq = res.frequency.copy()
    freq.insert(0, "name_zh", [names.get(str(i), str(i)) for i in freq.index])
    dims = label(res.by_dimension.reindex(order), units)
    dim_mean = res.by_dimension.mean().rename("mean_degree").to_frame()
    dim_mean.insert(0, "name_zh", [names.get(str(i), str(i)) for i in dim_mean.index])
    dim_mean.index.name = "dimension"
    fig = plots.bar_h(
        freq["share"].head(10),
        [str(v) for v in freq["name_zh"].head(10)],
        f"主要障碍因子出现频率（前{top_k}位，{ctx.result.year}年）",
        "城市占比",
    )
    fig2 = plots.bar_h(
        dim_mean["mean_degree"].sort_values(ascending=False),
        [names.get(str(i), str(i)) for i in dim_mean["mean_degree"].sort_values(ascending=False).index],
        f"各维度平均障碍度（{ctx.result.year}年）",
        "平均障碍度",
        colour="#D55E00",
    )
    about = {
        "method": (
            "障碍度模型 O_ij = F_j·I_ij / Σ_j F_j·I_ij; F = global weight per"
            " city (stage weights), I = 1 − normalised/range"
        ),
        "top_k": top_k,
    }
    return Output(
        {
            "degrees": label(res.degrees.reindex(order), units),
            "by_dimension": dims,
            "dimension_mean": dim_mean,
            "top": top,
            "frequency": freq,
            "deviation": label(res.deviation.reindex(order), units),
        },
        about,
        {"obstacle_frequency": fig, "obstacle_dimensions": fig2},
    )


@method("coupling", panel=True)
def coupling_cmd(
    ctx: Context,
    systems: Annotated[
        str,
        Option("--systems", help="子系统 (subsystems)：逗号分隔的聚合项 id（维度或总指数）。"),
    ] = "quality,green",
    alpha: Annotated[
        str | None,
        Option("--alpha", help="系数 α (alpha)：综合评价指数 T 的系数，逗号分隔、和为 1，默认相等。"),
    ] = None,
    external: Annotated[
        Path | None,
        Option(
            "--external",
            help=(
                "外部序列 (external series)：按城市（code 或 city 列）给出的 CSV/XLSX，"
                "极差标准化后作为一个子系统加入。"
            ),
        ),
    ] = None,
    external_column: Annotated[
        str | None,
        Option("--external-column", help="数值列 (value column)：--external 文件中的数值列。"),
    ] = None,
    over_years: Annotated[
        bool, Option("--over-years", help="逐年计算 (over years)：另按 --years 的每一年计算。")
    ] = False,
) -> Output:
    """耦合协调度 (coupling coordination)：C、T、D 与十级分类。

    耦合度 C，综合评价指数 T = Σ αᵢUᵢ，协调度 D = √(C·T)，以及十级协调等级。
    """

    from mfgindex.toolbox import plots
    from mfgindex.toolbox.coupling import (
        coupling_coordination,
        coupling_over_years,
        grade_counts,
        min_max_unit,
    )
    from mfgindex.toolbox.panel import to_unit_interval

    ids = [s.strip() for s in systems.split(",") if s.strip()]
    known = set(ctx.result.aggregate_ids())
    bad = [s for s in ids if s not in known]
    if bad:
        raise UserError(
            Problem(
                "unknown subsystem",
                column="--systems",
                value=",".join(bad),
                expected=", ".join(sorted(known)),
            )
        )
    u = to_unit_interval(ctx.result.current.scores[ids], ctx.framework)
    ext: pd.Series | None = None
    if external is not None:
        ext = min_max_unit(read_external(external, external_column))
        u = u.join(ext.rename(f"external:{ext.name}"), how="inner")
    n = u.shape[1]
    a = None
    if alpha:
        try:
            a = [float(v) for v in alpha.split(",")]
        except ValueError:
            raise UserError(Problem("cannot read α", column="--alpha", value=alpha)) from None
    res = coupling_coordination(u.dropna(), a)
    order = [c for c in ctx.result.table.index if c in res.index]
    sheets: dict[str, pd.DataFrame] = {
        "coupling": label(res.reindex(order), ctx.result.units),
        "grades": grade_counts(res),
    }
    labels = [node_names(ctx.framework).get(str(c), str(c)) for c in u.columns]
    figs = {
        "coupling_grades": plots.grade_bars(
            grade_counts(res),
            f"耦合协调度等级分布（{'、'.join(labels)}，{ctx.result.year}年）",
        )
    }
    if over_years:
        if ext is not None:
            raise UserError(
                Problem(
                    "--over-years needs subsystems from the framework (an external series has one year)",
                    column="--over-years",
                )
            )
        p = panel_of(ctx)
        per = {y: to_unit_interval(p.scores[y][ids], ctx.framework).dropna() for y in p.years}
        long = coupling_over_years(per, a)
        sheets["coupling_years"] = label(long, ctx.result.units)
        counts = grade_counts(long)
        sheets["grades_years"] = counts
        sheets["mean_D_years"] = long.groupby("year")[["C", "T", "D"]].mean()
        figs["coupling_grades_years"] = plots.grade_bars(counts, "耦合协调度等级分布（按年份）")
    about = {
        "systems": ",".join(map(str, u.columns)),
        "n_systems": n,
        "alpha": ",".join(f"{v:g}" for v in (a or [1.0 / n] * n)),
        "C": "n·(ΠUᵢ)^(1/n)/ΣUᵢ (geometric over arithmetic mean; Wang et al. 2021)",
        "U": "aggregate score / range (0-100 → 0-1); external series min-max scaled",
        "grades": "ten grades of width 0.1: 极度失调 [0,0.1) … 优质协调 [0.9,1]",
    }
    return Output(sheets, about, figs)


@method("gra")
def gra_cmd(
    ctx: Context,
    rho: Annotated[float, Option("--rho", help="分辨系数 ρ (resolution coefficient)：取值 (0, 1]。")] = 0.5,
    e: Annotated[
        float,
        Option("--e", help="距离部分权重 (TOPSIS-GRA weight e)：灰色关联部分为 1 − e。"),
    ] = 0.5,
    method: Annotated[
        str,
        Option(
            "--dimensionless", help="无量纲化 (scaling)：关联分析的序列处理，mean、initial、minmax 或 none。"
        ),
    ] = "mean",
) -> Output:
    """灰色关联分析 (GRA)：关联度得分与 TOPSIS-GRA。

    相对理想城市的 GRA 得分、指标与指数的关联度，以及 TOPSIS-GRA。
    """

    from mfgindex.toolbox import plots
    from mfgindex.toolbox.gra import gra_relation, gra_scores, topsis_gra
    from mfgindex.toolbox.panel import to_unit_interval

    check_choice(method, ("mean", "initial", "minmax", "none"), "scaling", "--dimensionless")
    r = ctx.result
    names = node_names(ctx.framework)
    norm = to_unit_interval(r.current.stages["normalised"], ctx.framework)
    w = r.effective_weights.reindex(norm.columns)
    scores = gra_scores(norm, w, rho)
    tg = topsis_gra(norm, w, rho, e)
    rel = gra_relation(
        r.current.scores[ctx.framework.root.id],
        r.current.stages["normalised"],
        rho,
        method,  # type: ignore[arg-type]
    )
    rel.insert(0, "name_zh", [names.get(str(i), str(i)) for i in rel.index])
    dims = [c.id for c in ctx.framework.root.children]
    rel_dims = gra_relation(r.current.scores[ctx.framework.root.id], r.current.scores[dims], rho, method)  # type: ignore[arg-type]
    rel_dims.insert(0, "name_zh", [names.get(str(i), str(i)) for i in rel_dims.index])
    order = r.table.index
    sc = scores.scores.join(r.table[["rank"]].rename(columns={"rank": "index_rank"}))
    tgt = tg.table.join(r.table[["rank"]].rename(columns={"rank": "index_rank"}))
    shown = rel.dropna(subset=["grade"])
    fig = plots.bar_h(
        shown["grade"],
        [str(v) for v in shown["name_zh"]],
        f"各指标与指数的灰色关联度（ρ={rho:g}）",
        "灰色关联度",
    )
    about = {
        "rho": rho,
        "e": e,
        "dimensionless": method,
        "scores": (
            "reference = ideal city (column maxima of"
            " normalised/range); grade = Σ w_j ξ_ij (effective weights)"
        ),
        "topsis_gra": (
            "C = S+/(S+ + S−), S+ = e·D−' + (1−e)·R+', S− = e·D+' + (1−e)·R−';"
            f" {tg.filled} missing values filled with indicator means"
        ),
        "relation": "reference = index by city; comparison = each indicator (or dimension) by city",
    }
    return Output(
        {
            "gra_scores": label(sc.reindex(order), r.units),
            "coefficients": label(scores.coefficients.reindex(order), r.units),
            "relation_indicators": rel,
            "relation_dimensions": rel_dims,
            "topsis_gra": label(tgt.reindex(order), r.units),
        },
        about,
        {"gra_relation": fig},
    )


@method("moran")
def moran_cmd(
    ctx: Context,
    weights: Annotated[
        str,
        Option(
            "--weights",
            help="空间权重 (spatial weights)：queen、rook（随包边界的邻接）、knn 或 "
            "distance（政府驻地距离）。",
        ),
    ] = "queen",
    k: Annotated[int, Option("--k", min=1, help="近邻数 (k)：knn 权重的邻居个数。")] = 6,
    threshold_km: Annotated[
        float | None, Option("--threshold-km", help="距离阈值 (distance band, km)：distance 权重使用。")
    ] = None,
    islands: Annotated[
        str,
        Option(
            "--islands",
            help="孤岛单位 (islands)：无邻接单位 attach（连到最近驻地）、keep 或 drop。",
        ),
    ] = "attach",
    permutations: Annotated[
        int, Option("--permutations", min=0, help="置换次数 (permutations)：用于伪 p 值。")
    ] = 999,
    seed: Annotated[int, Option("--seed", help="随机种子 (seed)：置换所用，0 也有效。")] = 0,
) -> Output:
    """空间自相关 (Moran's I)：全局 Moran's I 与 LISA。

    用 esda 计算总指数与各维度的全局 Moran's I 与 LISA，并绘制 LISA 集聚图。
    """

    from mfgindex.toolbox import plots
    from mfgindex.toolbox.spatial import SpatialWeights, lisa, moran, spatial_weights

    check_choice(weights, ("queen", "rook", "knn", "distance"), "weights", "--weights")
    check_choice(islands, ("attach", "keep", "drop"), "island rule", "--islands")
    r = ctx.result
    names = node_names(ctx.framework)
    cols = r.aggregate_ids()[:1] + [c.id for c in ctx.framework.root.children]
    scores = r.current.scores[cols]
    # weights over the units that have the variable (built once per distinct set of units)
    built: dict[tuple[str, ...], SpatialWeights] = {}
    rows = []
    lisas: dict[str, pd.DataFrame] = {}
    for c in cols:
        v = scores[c].dropna().rename(c)
        key = tuple(str(i) for i in v.index)
        if key not in built:
            built[key] = spatial_weights(list(key), weights, islands, k, threshold_km)  # type: ignore[arg-type]
        sw = built[key]
        m = moran(v, sw, permutations, seed)
        rows.append({"name_zh": names.get(c, c), **m.row(), "islands": ",".join(sw.islands)})
        lisas[c] = lisa(v, sw, max(permutations, 99), seed)
    sw = built[tuple(str(i) for i in scores[cols[0]].dropna().index)]
    root = cols[0]
    counts = pd.DataFrame({c: lisas[c]["cluster"].value_counts() for c in cols}).fillna(0).astype(int)
    counts.index.name = "cluster"
    fig = plots.lisa_map(lisas[root]["cluster"], f"{names.get(root, root)} LISA 集聚图（{r.year}年）")
    about = {
        **{f"weights_{k2}": v for k2, v in sw.describe().items()},
        "permutations": permutations,
        "seed": seed,
        "transformation": "row-standardised",
        "alpha": 0.05,
    }
    sheets: dict[str, pd.DataFrame] = {"moran": pd.DataFrame(rows), "lisa_counts": counts}
    for c in cols:
        sheets[f"lisa_{c}"] = label(lisas[c], r.units)
    return Output(sheets, about, {"lisa_map": fig})


@method("fitweights")
def fitweights_cmd(
    ctx: Context,
    ranking: Annotated[
        Path,
        Option(
            "--ranking",
            help="已发布的榜单 (ranking)：CSV/XLSX，列 city、[province]、national_rank，如报告的前 50 名。",
        ),
    ],
    folds: Annotated[int, Option("--folds", min=2, help="折数 (folds)：k 折交叉验证的 k。")] = 5,
    bootstrap: Annotated[
        int, Option("--bootstrap", min=0, help="自助法次数 (bootstrap)：对城市重抽样。")
    ] = 200,
    level: Annotated[float, Option("--level", min=0.5, max=0.999, help="区间水平 (interval level)。")] = 0.95,
    seed: Annotated[int, Option("--seed", help="随机种子 (seed)：用于分折、初值与自助法。")] = 0,
) -> Output:
    """榜单权重反推 (fit weights)：拟合已发布榜单的维度权重。

    求非负、和为 1 的维度权重，使框架的维度得分最能重现已发布的榜单（成对有序 logit，SLSQP）；给出
    留出城市上的 k 折一致率与自助法区间，并与预设权重比较。不会改动预设。
    """
    from mfgindex.toolbox import plots
    from mfgindex.toolbox.fitweights import fit_ranking, read_ranking

    r = ctx.result
    names = node_names(ctx.framework)
    dims = [c.id for c in ctx.framework.root.children]
    x = r.current.scores[dims]
    published = read_ranking(ranking)
    outside = [c for c in published.index if c not in x.index]
    fit = fit_ranking(x, published, r.current.scores[ctx.framework.root.id], folds, bootstrap, seed, level)
    ref = _preset_weights(ctx, dims, published.index)
    weights = fit.weights.join(ref)
    weights.insert(0, "name_zh", [names.get(str(i), str(i)) for i in weights.index])
    shown = [c for c in ("nominal", "mean_listed") if c in ref.columns]
    fig = plots.weights_interval(
        fit.weights,
        [names.get(str(i), str(i)) for i in fit.weights.index],
        ref[shown].rename(columns={"nominal": "框架名义权重", "mean_listed": "框架权重（上榜城市均值）"}),
        f"反推榜单的维度权重（{ranking.stem}，{r.year}年数据）",
        level,
    )
    pred = label(fit.predicted, r.units)
    about = {
        "ranking": str(ranking),
        "listed": len(published),
        "listed_not_evaluated": ",".join(outside),
        "model": "P(i ≻ j) = σ(β(s_i − s_j)), s = Σ w_d x_d / Σ w_d over the dimensions present; pairs: "
        "each listed city over every city listed after it and every unlisted city",
        "optimiser": "scipy SLSQP, 0 ≤ w ≤ 1, Σw = 1, log β bounded; equal weights + 4 Dirichlet starts",
        "pairs": fit.fit.pairs,
        "beta": fit.fit.beta,
        "loss": fit.fit.loss,
        "converged": str(fit.fit.converged),
        "folds": folds,
        "cv": "listed and unlisted cities dealt into k folds separately; agreement among held-out cities",
        "overlap": "share of the n held-out listed cities among the n held-out cities scored highest",
        "bootstrap": bootstrap,
        "level": level,
        "seed": seed,
        "note": "an analysis of someone else's ranking: the framework's own weights are not changed",
    }
    return Output(
        {
            "weights": weights,
            "cv_summary": fit.cv_summary,
            "cv_folds": fit.cv,
            "in_sample": fit.in_sample,
            "predicted": pred,
            "bootstrap": fit.boot,
        },
        about,
        {"fitted_weights": fig},
    )


def _preset_weights(ctx: Context, dims: list[str], listed: pd.Index) -> pd.DataFrame:
    """The framework's own dimension weights (normalised): nominal, each stage's, and the mean of the
    per-city weights over all cities and over the listed ones."""
    fw, r = ctx.framework, ctx.result
    out = pd.DataFrame(index=pd.Index(dims, name="dimension"))
    nominal = r.nominal_weights.get(fw.root.id)
    if nominal is not None:
        out["nominal"] = nominal.reindex(dims) / nominal.reindex(dims).sum()
    for st in fw.stages.stages if fw.stages else ():
        w = pd.Series(st.weights, dtype=float).reindex(dims)
        out[f"stage:{st.id}"] = w / w.sum()
    per_unit = r.current.weights.get(fw.root.id)
    if per_unit is not None:
        pu = per_unit.reindex(columns=dims)
        pu = pu.div(pu.sum(axis=1), axis=0)
        out["mean_all"] = pu.mean()
        out["mean_listed"] = pu.reindex(listed).mean()
    return out
