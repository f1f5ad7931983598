"""Toolbox methods on a panel of years: Dagum Gini and Theil decompositions, kernel density,
σ/β-convergence, rank-class Markov chains."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import pandas as pd

from mfgindex.toolbox.methods.common import (
    GroupsOpt,
    Option,
    Output,
    VariableOpt,
    label,
    method,
    node_names,
    panel_of,
    unit_groups,
)

if TYPE_CHECKING:
    from mfgindex.toolbox.source import Context


@method("dagum", panel=True)
def dagum_cmd(
    ctx: Context,
    groups: GroupsOpt = "region",
    clusters: Annotated[
        str, Option("--clusters", help="城市群定义 (city clusters)：caict2023 或 plans2016。")
    ] = "caict2023",
    variable: VariableOpt = None,
) -> Output:
    """基尼系数分解 (Dagum Gini)：Dagum 分解与泰尔指数。

    基尼系数分解 G = Gw + Gnb + Gt 与泰尔指数分解，按区域或城市群、逐年计算。
    """

    from mfgindex.toolbox import plots
    from mfgindex.toolbox.regional import dagum_gini, dagum_over_years, dagum_pairs, theil_decomposition

    col = variable or ctx.framework.root.id
    p = panel_of(ctx)
    g = unit_groups(groups, p.units, clusters)
    wide = p.wide(col)
    cur = wide[max(p.years)]
    grp = g.reindex(cur.index)
    ok = cur.notna() & grp.notna()
    res = dagum_gini(cur[ok].to_numpy(), grp[ok].to_numpy())
    years_tab = dagum_over_years(wide, g)
    th = theil_decomposition(cur[ok].to_numpy(), grp[ok].to_numpy())
    theil_tab = pd.DataFrame(
        [
            {
                "total": th.total,
                "between": th.between,
                "within": th.within,
                "between_share": th.between_share,
            }
        ]
    )
    theil_groups = pd.DataFrame(
        {"T_g": th.by_group, "share": th.group_share, "contribution": th.within_contribution}
    )
    theil_groups.index.name = "group"
    fig = plots.stacked_share(
        years_tab,
        ["Gw", "Gnb", "Gt"],
        ["组内差异 Gw", "组间净差异 Gnb", "超变密度 Gt"],
        f"Dagum基尼系数分解（{'四大区域' if groups == 'region' else '城市群'}）",
    )
    gjj = years_tab[[c for c in years_tab.columns if c.startswith("G_jj:")]]
    gjj.columns = [c.split(":", 1)[1] for c in gjj.columns]
    fig2 = plots.lines(gjj, "组内基尼系数", "基尼系数")
    about = {
        "variable": col,
        "groups": groups,
        "clusters": clusters if groups == "cluster" else "",
        "year_of_detail": max(p.years),
        "units_used": int(ok.sum()),
        "method": "Dagum (1997): G = Gw + Gnb + Gt; D_jh with the higher-mean group first",
    }
    return Output(
        {
            "summary": res.summary(),
            "groups": res.groups,
            "between": res.between,
            "pairs": dagum_pairs(res),
            "years": years_tab,
            "theil": theil_tab,
            "theil_groups": theil_groups,
        },
        about,
        {"dagum_decomposition": fig, "dagum_within": fig2},
    )


@method("kde", panel=True)
def kde_cmd(
    ctx: Context,
    variable: VariableOpt = None,
    points: Annotated[int, Option("--points", min=16, help="网格点数 (grid points)。")] = 256,
) -> Output:
    """核密度估计 (KDE)：指数逐年的高斯核密度。

    绘制山脊图与三维图。
    """

    from mfgindex.toolbox import plots
    from mfgindex.toolbox.regional import kde_by_year

    col = variable or ctx.framework.root.id
    p = panel_of(ctx)
    k = kde_by_year(p.wide(col), points=points)
    name = node_names(ctx.framework).get(col, col)
    about = {"variable": col, "kernel": "Gaussian (scipy gaussian_kde), Scott bandwidth"}
    return Output(
        {"summary": k.summary, "density": k.density},
        about,
        {
            "kde_ridge": plots.kde_ridge(k.density, f"{name}核密度估计"),
            "kde_3d": plots.kde_3d(k.density, f"{name}核密度三维图"),
        },
    )


@method("convergence", panel=True)
def convergence_cmd(
    ctx: Context,
    variable: VariableOpt = None,
    groups: GroupsOpt = "region",
) -> Output:
    """收敛分析 (convergence)：σ 收敛与 β 收敛。

    σ 收敛：逐年、分组的标准差与变异系数；β 收敛：截面、绝对与条件面板（statsmodels OLS）。
    """

    from mfgindex.toolbox import plots
    from mfgindex.toolbox.regional import beta_convergence, sigma_convergence

    col = variable or ctx.framework.root.id
    p = panel_of(ctx)
    wide = p.wide(col)
    g = unit_groups(groups, p.units)
    sig = sigma_convergence(wide, g)
    kinds = ["cross_section", "absolute"] + (["conditional"] if len(p.years) >= 3 else [])
    betas = [beta_convergence(wide, k) for k in kinds]
    beta_tab = pd.DataFrame([b.row() for b in betas])
    by_group = []
    for lab in sorted(g.dropna().unique()):
        sub = wide[g.reindex(wide.index) == lab]
        for k in kinds:
            by_group.append({"group": lab, **beta_convergence(sub, k).row()})
    cv = sig.pivot(index="year", columns="group", values="cv")
    cv = cv[list(dict.fromkeys(sig["group"]))]
    about = {
        "variable": col,
        "beta": (
            "growth ln(y_t+1/y_t) on ln y_t; cross_section: (1/T)ln(y_T/y_0) on ln y_0 (HC1); "
            "absolute: pooled, SE clustered by city; "
            "conditional: + city and year fixed effects, SE clustered by city"
        ),
        "speed": "θ = −ln(1+β)/τ; half-life ln2/θ",
    }
    return Output(
        {
            "sigma": sig,
            "beta": beta_tab,
            "beta_groups": pd.DataFrame(by_group),
            **{f"params_{b.kind}": b.params for b in betas},
        },
        about,
        {"sigma_cv": plots.lines(cv, "σ收敛：变异系数", "变异系数 CV")},
    )


@method("markov", panel=True)
def markov_cmd(
    ctx: Context,
    variable: VariableOpt = None,
    classes: Annotated[int, Option("--classes", min=2, help="等级数 (rank classes)：4 即四分位。")] = 4,
) -> Output:
    """马尔可夫链 (Markov chain)：排名等级的转移矩阵。

    相邻年份之间排名等级的转移概率，以及上升、下降一个等级的比例。
    """

    from mfgindex.toolbox import plots
    from mfgindex.toolbox.markov import markov_chain

    col = variable or ctx.framework.root.id
    p = panel_of(ctx)
    m = markov_chain(p.wide(col), classes)
    about = {
        "variable": col,
        "classes": f"{classes} rank classes; C1 = lowest, C{classes} = top",
        "estimator": "pooled one-step transitions, P_ij = n_ij / n_i",
    }
    return Output(
        {
            "probabilities": m.probabilities,
            "counts": m.counts,
            "steady_state": m.steady_state.to_frame(),
            "moves": m.moves,
            "classes": label(m.classes, p.units),
        },
        about,
        {
            "markov_matrix": plots.heatmap(
                m.probabilities,
                f"排名等级马尔可夫转移概率（{min(p.years)}-{max(p.years)}）",
                xlabel="t+1 年等级",
                ylabel="t 年等级",
            )
        },
    )
