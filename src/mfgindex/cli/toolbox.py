"""``mfgindex toolbox METHOD``: research methods on a run's results, written to ``--out DIR/results.xlsx``
(one sheet per output) plus the customary figure(s). Thin layer over :mod:`mfgindex.toolbox`."""

from __future__ import annotations

import inspect
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import pandas as pd
import typer

from mfgindex.cli.options import (
    DataOpt,
    YearOpt,
)
from mfgindex.core.errors import Problem, UserError

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from mfgindex.core.framework import Framework
    from mfgindex.toolbox.panel import Panel
    from mfgindex.toolbox.source import Context

toolbox_app = typer.Typer(
    help="研究工具箱 (toolbox)：障碍度、耦合协调、灰色关联等方法。",
    no_args_is_help=True,
)

OutOpt = Annotated[Path, typer.Option("--out", "-o", help="输出目录 (output folder)：results.xlsx 与图表。")]
YearsOpt = Annotated[
    str | None,
    typer.Option(
        "--years",
        help="面板年份 (panel years)：如 2018-2022 或 2019,2021,2022；默认截至 --year 的五年。",
    ),
]
ComparableOpt = Annotated[
    bool,
    typer.Option(
        "--comparable/--per-year",
        help=("面板标准化 (comparable)：各年合并标准化（得分跨年可比，默认），或每年单独标准化。"),
    ),
]
GroupsOpt = Annotated[
    str, typer.Option("--groups", help="分组 (grouping)：region（四大区域）或 cluster（城市群）。")
]
RunOpt = Annotated[
    Path | None,
    typer.Option(
        "--run",
        help="运行目录 (run folder)：`mfgindex run` 的输出，按其 run.json 重新评价，代替 -f/-d/-y。",
    ),
]
VariableOpt = Annotated[
    str | None, typer.Option("--variable", help="分析变量 (variable)：聚合项 id，默认为总指数。")
]


@dataclass
class Output:
    """What a method's body returns: sheets of results.xlsx, entries for ``about``, figures by file stem."""

    sheets: Mapping[str, pd.DataFrame]
    about: Mapping[str, Any]
    figures: Mapping[str, Figure] = field(default_factory=dict)


#: Method name → its body ``(ctx, **options) -> Output`` (also used by the report's 研究工具 section).
METHODS: dict[str, Callable[..., Output]] = {}


def command(name: str, panel: bool = False) -> Callable[[Callable[..., Output]], Callable[..., Output]]:
    """Register ``body(ctx, **options) -> Output`` as ``mfgindex toolbox NAME``.

    The command gets the options every method shares (``--out``, ``--framework``, ``--data``, ``--year``,
    ``--run``; with ``panel`` also ``--years`` and ``--comparable/--per-year``) in front of the body's own
    (its parameters after ``ctx``, with their typer annotations). The command builds the
    :class:`~mfgindex.toolbox.source.Context` (a fresh evaluation, or the ``--run`` folder re-evaluated),
    calls the body, writes ``results.xlsx`` (``about`` = the source's parameters + the body's) and the
    figures, and prints what it wrote; user errors exit 2.
    """
    common = dict(_COMMON)
    if panel:
        common |= _PANEL

    def register(body: Callable[..., Output]) -> Callable[..., Output]:
        hints = _own_hints(body)
        own = [
            p.replace(annotation=hints[p.name]) for p in list(inspect.signature(body).parameters.values())[1:]
        ]
        shared = [
            inspect.Parameter(k, inspect.Parameter.KEYWORD_ONLY, annotation=a, default=d)
            for k, (a, d) in common.items()
        ]

        def cmd(**kw: Any) -> None:
            src = {k: kw.pop(k) for k in common}

            def go() -> list[Path]:
                from mfgindex.cli.progress import spinner

                with spinner(f"研究工具 (toolbox {name})：评价中 (evaluating)…") as step:
                    ctx = _source(src["framework"], src["data"], src["year"], src["run_dir"])
                    if panel:
                        ctx.options["_years"] = src["years"]
                        ctx.options["_comparable"] = src["comparable"]
                    step("计算中 (computing)…")
                    res = body(ctx, **kw)
                    step("写出结果 (writing)…")
                    about = {k: v for k, v in ctx.options.items() if not k.startswith("_")}
                    if ctx.warnings:
                        about["warnings"] = "; ".join(ctx.warnings)
                        _warn(ctx.warnings)
                    return write_results(src["out"], res.sheets, {**about, **res.about}, res.figures)

            _run(go)

        cmd.__signature__ = inspect.Signature(  # type: ignore[attr-defined]
            [p.replace(kind=inspect.Parameter.KEYWORD_ONLY) for p in shared + own]
        )
        cmd.__doc__ = body.__doc__
        cmd.__name__ = f"{name}_cmd"
        toolbox_app.command(name)(cmd)
        METHODS[name] = body
        return body

    return register


def _source(
    framework: str | None, data: list[Path] | None, year: int | None, run_dir: Path | None
) -> Context:
    from mfgindex.toolbox.source import evaluate, from_run

    if run_dir is not None:
        if framework is not None or data or year is not None:
            raise UserError(
                Problem(
                    "give either --run or --framework/--data/--year (the run folder records them)",
                    column="--run",
                )
            )
        return from_run(run_dir)
    return evaluate(framework or "caict2023", data, year)


def _warn(lines: list[str]) -> None:
    from rich.markup import escape

    from mfgindex.cli.console import err

    for line in lines:
        err.print(f"[yellow]warning[/yellow] {escape(line)}", highlight=False, markup=True)


_COMMON: dict[str, tuple[Any, Any]] = {
    "out": (OutOpt, inspect.Parameter.empty),
    # --framework as in `run`, but None by default so that it can be told apart from --run
    "framework": (
        Annotated[
            str | None,
            typer.Option(
                "--framework",
                "-f",
                help="评价框架 (framework)：预设名（默认 caict2023）、YAML 文件或 COINr iMeta CSV。",
            ),
        ],
        None,
    ),
    "data": (DataOpt, None),
    "year": (YearOpt, None),
    "run_dir": (RunOpt, None),
}
_PANEL: dict[str, tuple[Any, Any]] = {"years": (YearsOpt, None), "comparable": (ComparableOpt, True)}


def _own_hints(body: Callable[..., Output]) -> dict[str, Any]:
    """The evaluated annotations of ``body``'s parameters after ``ctx`` (typer needs real objects)."""
    params = list(inspect.signature(body).parameters.values())[1:]
    ns = dict(vars(typer)) | body.__globals__
    return {p.name: eval(p.annotation, ns) if isinstance(p.annotation, str) else p.annotation for p in params}


def parse_years(text: str | None, ctx: Context) -> tuple[int, ...]:
    from mfgindex.toolbox.panel import default_years

    if not text:
        return default_years(ctx.ds, ctx.result.year)
    out: set[int] = set()
    try:
        for part in text.split(","):
            if "-" in part:
                a, b = (int(v) for v in part.split("-"))
                out.update(range(a, b + 1))
            elif part.strip():
                out.add(int(part))
    except ValueError:
        raise UserError(
            Problem("cannot read years", column="--years", value=text, expected="2018-2022 or 2019,2021")
        ) from None
    return tuple(sorted(out))


def _panel(ctx: Context) -> Panel:
    """The panel of ``--years`` / ``--comparable`` (given to a ``panel=True`` command)."""
    from mfgindex.toolbox.panel import build_panel

    comparable = bool(ctx.options.get("_comparable", True))
    ys = parse_years(ctx.options.get("_years"), ctx)
    ctx.options.update({"years": list(ys), "comparable": comparable})
    return build_panel(ctx.ds, ctx.framework, ys, comparable)


def _groups(kind: str, units: pd.DataFrame, clusters: str = "caict2023") -> pd.Series:
    from mfgindex.core import geo

    if kind == "region":
        return units["region"]
    if kind == "cluster":
        m = geo.cluster_membership(clusters)
        return pd.Series(m["cluster_zh"].to_numpy(), index=m["code"].to_numpy()).groupby(level=0).first()
    raise UserError(Problem("unknown grouping", column="--groups", value=kind, expected="region or cluster"))


def _label(frame: pd.DataFrame, units: pd.DataFrame) -> pd.DataFrame:
    """Add name, province and region after the unit code (index)."""
    out = frame.copy()
    for col in ("region", "province", "name"):
        if col in units.columns and col not in out.columns:
            out.insert(0, col, units[col].reindex(out.index).to_numpy())
    out.index.name = "code"
    return out


def _names(fw: Framework) -> dict[str, str]:
    from mfgindex.core.framework import walk

    return {n.id: n.name_zh or n.id for n in walk(fw.root)}


def write_results(
    out: Path,
    sheets: Mapping[str, pd.DataFrame],
    about: Mapping[str, Any],
    figures: Mapping[str, Figure] | None = None,
) -> list[Path]:
    """Write ``results.xlsx`` (an ``about`` sheet with the parameters, then one sheet per output, through
    the cell rule of ``mfgindex.core.files``) and the figures as PNG, all-or-nothing."""
    from mfgindex.core.files import output_folder, output_paths, save_xlsx
    from mfgindex.toolbox import plots

    frames: dict[str, pd.DataFrame] = {
        "about": pd.DataFrame(
            {
                "key": [str(k) for k in about],
                "value": [v if isinstance(v, int | float) else str(v) for v in about.values()],
            }
        )
    }
    for name, frame in sheets.items():
        f = (
            frame.reset_index()
            if frame.index.name is not None or not isinstance(frame.index, pd.RangeIndex)
            else frame
        )
        frames[name[:31]] = f
    with output_folder(out, "toolbox") as stage:
        written = [save_xlsx(frames, stage / "results.xlsx")]
        for stem, fig in (figures or {}).items():
            written.append(plots.save(fig, stage / f"{stem}.png"))
    return output_paths(out, stage, written)


def _done(paths: list[Path]) -> None:
    from mfgindex.cli.console import out

    out.print("输出 (outputs) → " + ", ".join(str(p) for p in paths))


def _run(fn: Callable[[], list[Path]]) -> None:
    from mfgindex.cli.console import guarded

    _done(guarded(fn))


# ---------------------------------------------------------------- commands


@command("obstacle")
def obstacle_cmd(
    ctx: Context,
    top_k: Annotated[
        int, typer.Option("--top-k", min=1, help="主要障碍数 (top k)：每个城市列出的前几项障碍。")
    ] = 5,
) -> Output:
    """障碍度模型 (obstacle degree)：各城市各指标的障碍度。

    障碍度 = 全局权重 × 偏离度；另列主要障碍及其出现频次，并按维度汇总。
    """

    from mfgindex.toolbox import plots
    from mfgindex.toolbox.obstacle import obstacle_from_result

    res = obstacle_from_result(ctx.result, k=top_k)
    names = _names(ctx.framework)
    units = ctx.result.units
    order = ctx.result.table.index
    top = res.top.copy()
    top.insert(3, "name_zh", top["indicator"].map(names))
    top.insert(1, "name", top["code"].map(units["name"]))
    freq = res.frequency.copy()
    freq.insert(0, "name_zh", [names.get(str(i), str(i)) for i in freq.index])
    dims = _label(res.by_dimension.reindex(order), units)
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
            "degrees": _label(res.degrees.reindex(order), units),
            "by_dimension": dims,
            "dimension_mean": dim_mean,
            "top": top,
            "frequency": freq,
            "deviation": _label(res.deviation.reindex(order), units),
        },
        about,
        {"obstacle_frequency": fig, "obstacle_dimensions": fig2},
    )


def _read_external(path: Path, column: str | None) -> pd.Series:
    from mfgindex.core import geo, ingest

    try:
        df = (
            ingest.read_frame(path)[0]  # the reader's limits; formula cells refused
            if path.suffix.lower() == ".xlsx"
            else ingest.read_csv(path, dtype=str, keep_default_na=False)[0]  # UTF-8, else GBK
        )
    except (OSError, ValueError) as exc:
        raise UserError(Problem(f"cannot read: {exc}", file=str(path))) from None
    key = next((c for c in ("code", "adcode", "city", "城市", "name") if c in df.columns), None)
    value = column or next((c for c in df.columns if c != key and c not in ("province", "省份")), None)
    if key is None or value is None or value not in df.columns:
        raise UserError(
            Problem(
                "need a city column (code/city) and a value column",
                file=str(path),
                expected="columns code or city, and --external-column",
            )
        )
    values: dict[str, float] = {}
    problems = []
    for i, rec in enumerate(df.to_dict("records")):
        m = geo.resolve(str(rec[key]), str(rec.get("province", "")) or None)
        if m.code is None:
            problems.append(Problem(m.reason, file=str(path), row=i + 2, column=key, value=str(rec[key])))
            continue
        try:
            values[m.code] = float(str(rec[value]).strip())
        except ValueError:
            problems.append(
                Problem("not a number", file=str(path), row=i + 2, column=value, value=str(rec[value]))
            )
    if problems:
        raise UserError(problems)
    return pd.Series(values, name=value, dtype=float)


@command("coupling", panel=True)
def coupling_cmd(
    ctx: Context,
    systems: Annotated[
        str,
        typer.Option("--systems", help="子系统 (subsystems)：逗号分隔的聚合项 id（维度或总指数）。"),
    ] = "quality,green",
    alpha: Annotated[
        str | None,
        typer.Option("--alpha", help="系数 α (alpha)：综合评价指数 T 的系数，逗号分隔、和为 1，默认相等。"),
    ] = None,
    external: Annotated[
        Path | None,
        typer.Option(
            "--external",
            help=(
                "外部序列 (external series)：按城市（code 或 city 列）给出的 CSV/XLSX，"
                "极差标准化后作为一个子系统加入。"
            ),
        ),
    ] = None,
    external_column: Annotated[
        str | None,
        typer.Option("--external-column", help="数值列 (value column)：--external 文件中的数值列。"),
    ] = None,
    over_years: Annotated[
        bool, typer.Option("--over-years", help="逐年计算 (over years)：另按 --years 的每一年计算。")
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
        ext = min_max_unit(_read_external(external, external_column))
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
        "coupling": _label(res.reindex(order), ctx.result.units),
        "grades": grade_counts(res),
    }
    labels = [_names(ctx.framework).get(str(c), str(c)) for c in u.columns]
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
        p = _panel(ctx)
        per = {y: to_unit_interval(p.scores[y][ids], ctx.framework).dropna() for y in p.years}
        long = coupling_over_years(per, a)
        sheets["coupling_years"] = _label(long, ctx.result.units)
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


@command("gra")
def gra_cmd(
    ctx: Context,
    rho: Annotated[
        float, typer.Option("--rho", help="分辨系数 ρ (resolution coefficient)：取值 (0, 1]。")
    ] = 0.5,
    e: Annotated[
        float,
        typer.Option("--e", help="距离部分权重 (TOPSIS-GRA weight e)：灰色关联部分为 1 − e。"),
    ] = 0.5,
    method: Annotated[
        str,
        typer.Option(
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

    if method not in ("mean", "initial", "minmax", "none"):
        raise UserError(
            Problem(
                "unknown scaling",
                column="--dimensionless",
                value=method,
                expected="mean, initial, minmax, none",
            )
        )
    r = ctx.result
    names = _names(ctx.framework)
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
            "gra_scores": _label(sc.reindex(order), r.units),
            "coefficients": _label(scores.coefficients.reindex(order), r.units),
            "relation_indicators": rel,
            "relation_dimensions": rel_dims,
            "topsis_gra": _label(tgt.reindex(order), r.units),
        },
        about,
        {"gra_relation": fig},
    )


@command("dagum", panel=True)
def dagum_cmd(
    ctx: Context,
    groups: GroupsOpt = "region",
    clusters: Annotated[
        str, typer.Option("--clusters", help="城市群定义 (city clusters)：caict2023 或 plans2016。")
    ] = "caict2023",
    variable: VariableOpt = None,
) -> Output:
    """基尼系数分解 (Dagum Gini)：Dagum 分解与泰尔指数。

    基尼系数分解 G = Gw + Gnb + Gt 与泰尔指数分解，按区域或城市群、逐年计算。
    """

    from mfgindex.toolbox import plots
    from mfgindex.toolbox.regional import dagum_gini, dagum_over_years, dagum_pairs, theil_decomposition

    col = variable or ctx.framework.root.id
    p = _panel(ctx)
    g = _groups(groups, p.units, clusters)
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


@command("kde", panel=True)
def kde_cmd(
    ctx: Context,
    variable: VariableOpt = None,
    points: Annotated[int, typer.Option("--points", min=16, help="网格点数 (grid points)。")] = 256,
) -> Output:
    """核密度估计 (KDE)：指数逐年的高斯核密度。

    绘制山脊图与三维图。
    """

    from mfgindex.toolbox import plots
    from mfgindex.toolbox.regional import kde_by_year

    col = variable or ctx.framework.root.id
    p = _panel(ctx)
    k = kde_by_year(p.wide(col), points=points)
    name = _names(ctx.framework).get(col, col)
    about = {"variable": col, "kernel": "Gaussian (scipy gaussian_kde), Scott bandwidth"}
    return Output(
        {"summary": k.summary, "density": k.density},
        about,
        {
            "kde_ridge": plots.kde_ridge(k.density, f"{name}核密度估计"),
            "kde_3d": plots.kde_3d(k.density, f"{name}核密度三维图"),
        },
    )


@command("convergence", panel=True)
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
    p = _panel(ctx)
    wide = p.wide(col)
    g = _groups(groups, p.units)
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


@command("moran")
def moran_cmd(
    ctx: Context,
    weights: Annotated[
        str,
        typer.Option(
            "--weights",
            help="空间权重 (spatial weights)：queen、rook（随包边界的邻接）、knn 或 "
            "distance（政府驻地距离）。",
        ),
    ] = "queen",
    k: Annotated[int, typer.Option("--k", min=1, help="近邻数 (k)：knn 权重的邻居个数。")] = 6,
    threshold_km: Annotated[
        float | None, typer.Option("--threshold-km", help="距离阈值 (distance band, km)：distance 权重使用。")
    ] = None,
    islands: Annotated[
        str,
        typer.Option(
            "--islands",
            help="孤岛单位 (islands)：无邻接单位 attach（连到最近驻地）、keep 或 drop。",
        ),
    ] = "attach",
    permutations: Annotated[
        int, typer.Option("--permutations", min=0, help="置换次数 (permutations)：用于伪 p 值。")
    ] = 999,
    seed: Annotated[int, typer.Option("--seed", help="随机种子 (seed)：置换所用，0 也有效。")] = 0,
) -> Output:
    """空间自相关 (Moran's I)：全局 Moran's I 与 LISA。

    用 esda 计算总指数与各维度的全局 Moran's I 与 LISA，并绘制 LISA 集聚图。
    """

    from mfgindex.toolbox import plots
    from mfgindex.toolbox.spatial import SpatialWeights, lisa, moran, spatial_weights

    if weights not in ("queen", "rook", "knn", "distance"):
        raise UserError(
            Problem(
                "unknown weights",
                column="--weights",
                value=weights,
                expected="queen, rook, knn, distance",
            )
        )
    if islands not in ("attach", "keep", "drop"):
        raise UserError(
            Problem("unknown island rule", column="--islands", value=islands, expected="attach, keep, drop")
        )
    r = ctx.result
    names = _names(ctx.framework)
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
        sheets[f"lisa_{c}"] = _label(lisas[c], r.units)
    return Output(sheets, about, {"lisa_map": fig})


@command("markov", panel=True)
def markov_cmd(
    ctx: Context,
    variable: VariableOpt = None,
    classes: Annotated[int, typer.Option("--classes", min=2, help="等级数 (rank classes)：4 即四分位。")] = 4,
) -> Output:
    """马尔可夫链 (Markov chain)：排名等级的转移矩阵。

    相邻年份之间排名等级的转移概率，以及上升、下降一个等级的比例。
    """

    from mfgindex.toolbox import plots
    from mfgindex.toolbox.markov import markov_chain

    col = variable or ctx.framework.root.id
    p = _panel(ctx)
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
            "classes": _label(m.classes, p.units),
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


@command("fitweights")
def fitweights_cmd(
    ctx: Context,
    ranking: Annotated[
        Path,
        typer.Option(
            "--ranking",
            help="已发布的榜单 (ranking)：CSV/XLSX，列 city、[province]、national_rank，如报告的前 50 名。",
        ),
    ],
    folds: Annotated[int, typer.Option("--folds", min=2, help="折数 (folds)：k 折交叉验证的 k。")] = 5,
    bootstrap: Annotated[
        int, typer.Option("--bootstrap", min=0, help="自助法次数 (bootstrap)：对城市重抽样。")
    ] = 200,
    level: Annotated[
        float, typer.Option("--level", min=0.5, max=0.999, help="区间水平 (interval level)。")
    ] = 0.95,
    seed: Annotated[int, typer.Option("--seed", help="随机种子 (seed)：用于分折、初值与自助法。")] = 0,
) -> Output:
    """榜单权重反推 (fit weights)：拟合已发布榜单的维度权重。

    求非负、和为 1 的维度权重，使框架的维度得分最能重现已发布的榜单（成对有序 logit，SLSQP）；给出
    留出城市上的 k 折一致率与自助法区间，并与预设权重比较。不会改动预设。
    """
    from mfgindex.toolbox import plots
    from mfgindex.toolbox.fitweights import fit_ranking, read_ranking

    r = ctx.result
    names = _names(ctx.framework)
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
    pred = _label(fit.predicted, r.units)
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


def register(app: typer.Typer) -> None:
    """Add ``toolbox`` to the main CLI."""
    app.add_typer(toolbox_app, name="toolbox")
