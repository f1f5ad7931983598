"""CLI of the data workspace: ``init``, ``import``, ``template data``, ``workspace …``, ``coverage``,
``export``, ``import-workspace`` (the ``lists …`` group: :mod:`mfgindex.cli.lists`).

The core ``cli.py`` calls :func:`register`. Commands are thin: parse → library call → print.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, TypeVar

import pandas as pd
import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from mfgindex.cli.options import AcceptOpt, AllowThinOpt
from mfgindex.core.errors import Problem, UserError

T = TypeVar("T")
out = Console(highlight=False, soft_wrap=True)
err = Console(stderr=True, highlight=False, soft_wrap=True)

WorkspaceOpt = Annotated[
    Path, typer.Option("--workspace", "-w", help="工作区目录 (workspace)：由 `mfgindex init` 建立。")
]
ListOpt = Annotated[
    str, typer.Option("--list", "-l", help="名单名称 (list id)：snake_case，如 green_factories。")
]
ByOpt = Annotated[str | None, typer.Option("--entered-by", help="录入人 (entered by)：默认为登录名。")]


def guarded(fn: Callable[[], T]) -> T:
    """Run ``fn``; print user errors with their locations and exit 2 — never a traceback."""
    try:
        return fn()
    except UserError as exc:
        for p in exc.problems:
            err.print(f"[red]error[/red] {escape(str(p))}", markup=True)
        raise typer.Exit(2) from None


def _table(df: pd.DataFrame, title: str, limit: int | None = None) -> None:
    shown = df if limit is None else df.head(limit)
    if not out.is_terminal:  # piped or captured: plain text, nothing truncated
        typer.echo(title)
        typer.echo(shown.to_string(index=False) if len(shown) else "(none)")
        if limit is not None and len(df) > limit:
            typer.echo(f"… {len(df) - limit} more rows")
        return
    table = Table(title=title)
    for c in df.columns:
        table.add_column(str(c))
    for row in shown.itertuples(index=False):
        table.add_row(*("" if pd.isna(v) else f"{v:g}" if isinstance(v, float) else str(v) for v in row))
    out.print(table)
    if limit is not None and len(df) > limit:
        out.print(f"… {len(df) - limit} more rows")


def _write_or_print(df: pd.DataFrame, path: Path | None, title: str, limit: int | None = 50) -> None:
    if path is not None:
        from mfgindex.core.files import save_csv

        save_csv(df, path)
        out.print(f"{len(df)} rows → {path}")
    else:
        _table(df, title, limit)


def init_cmd(
    directory: Annotated[Path, typer.Argument(help="工作区目录 (folder)：在此新建工作区。")],
    with_default: Annotated[
        bool, typer.Option("--with-default", help="载入内置数据 (embedded default data)。")
    ] = False,
    entered_by: ByOpt = None,
) -> None:
    """新建工作区 (init)：含城市单位与预设变量的数据工作区。

    工作区是一个嵌入式 DuckDB 文件。
    """

    def go() -> None:
        from mfgindex.cli.progress import spinner
        from mfgindex.workspace import create

        message = "新建工作区并载入内置数据 (init --with-default)…" if with_default else "新建工作区 (init)…"
        with spinner(message):
            counts = create.init(directory, with_default, entered_by)
        out.print(f"workspace → {directory}: " + ", ".join(f"{k} {v}" for k, v in counts.items()))

    guarded(go)


def import_cmd(
    file: Annotated[Path, typer.Argument(help="统计表 (table)：CSV/XLSX，长表或宽表，同 `run --data`。")],
    workspace: WorkspaceOpt,
    source: Annotated[
        str | None, typer.Option("--source", "-s", help="数据来源 (source)：用于没有来源列的数值。")
    ] = None,
    map_file: Annotated[
        Path | None, typer.Option("--map", "-m", help="列映射 (column map)：YAML 或 CSV，文件列 → 变量 id。")
    ] = None,
    entered_by: ByOpt = None,
    note: Annotated[str, typer.Option("--note", help="备注 (note)：随每个数值保存。")] = "",
) -> None:
    """导入统计表 (import)：新值加入，改动的值留版本。

    同一文件再次导入不做任何改动。
    """

    def go() -> None:
        from mfgindex.workspace import store

        if (file / "manifest.json").is_file():
            raise UserError(
                Problem(
                    "a workspace export, not a table",
                    file=str(file),
                    expected=f"`mfgindex import-workspace {file} --workspace NEWDIR`",
                )
            )
        column_map = store.read_map(map_file) if map_file else None
        report = store.import_values(workspace, file, source, column_map, entered_by, note)
        for w in report.warnings[:50]:
            err.print(f"[yellow]warning[/yellow] {escape(w)}", markup=True, soft_wrap=True)
        if report.is_noop:
            out.print(f"no changes: {report.unchanged} values already in the workspace")
            return
        out.print(
            f"import {report.import_id}: {report.added} new, {len(report.changed)} changed, "
            f"{report.unchanged} unchanged"
        )
        if report.new_variables:
            out.print("new variables (add units/definitions later): " + ", ".join(report.new_variables))
        if len(report.changed):
            df = report.changed.assign(
                change=[
                    f"{o:g} → {n:g}"
                    for o, n in zip(report.changed["old"], report.changed["new"], strict=True)
                ]
            )
            _table(df[["unit", "name", "year", "variable", "change"]], "changed values (old → new)", 100)

    guarded(go)


def _rates_lines(name: str, rates: pd.DataFrame) -> None:
    """Assignment rate per region of a list, lowest first, and the note that goes next to its counts."""
    from mfgindex.core.dataset import assignment_note, low_rate_regions

    if rates is None or rates.empty:
        return
    low = set(low_rate_regions(rates)["region"])
    shown = rates.sort_values(["rate", "entries"], ascending=[True, False]).reset_index(drop=True)
    shown["low"] = ["LOW" if r in low else "" for r in shown["region"]]
    shown["rate"] = [f"{x:.1%}" for x in shown["rate"]]
    _table(shown, f"{name}: entries assigned to a city, per region (province or city of the list)")
    out.print(f"{name}: {assignment_note(rates)}")


def register(app: typer.Typer) -> None:
    """Add the workspace commands to the main app."""
    app.command("init")(init_cmd)
    app.command("import")(import_cmd)

    ws_app = typer.Typer(help="工作区记录 (workspace)：历史、运行与复现。", no_args_is_help=True)

    @ws_app.command("history")
    def ws_history(
        workspace: WorkspaceOpt,
        unit: Annotated[str, typer.Option("--unit", "-u", help="城市 (unit)：城市名或行政区划代码 adcode。")],
        variable: Annotated[str | None, typer.Option("--variable", "-v", help="变量 (variable id)。")] = None,
        year: Annotated[int | None, typer.Option("--year", "-y", help="年份 (year)：只看这一年。")] = None,
    ) -> None:
        """数值历史 (history)：某城市数值的全部版本。

        数值、来源、录入人、时间、导入批次与状态。
        """

        def go() -> None:
            from mfgindex.cli.options import explain_municipalities
            from mfgindex.workspace import snapshots

            explain_municipalities([unit])
            df = snapshots.history(workspace, unit, variable, year)
            df["entered_at"] = df["entered_at"].astype(str).str[:19]
            cols = [
                "year",
                "variable",
                "value",
                "status",
                "source",
                "entered_by",
                "entered_at",
                "import_id",
                "location",
            ]
            _table(df[cols], f"{unit}: {len(df)} versions", None)

        guarded(go)

    @ws_app.command("run")
    def ws_run(
        workspace: WorkspaceOpt,
        framework: Annotated[
            str, typer.Option("--framework", "-f", help="评价框架 (framework)：预设名或框架文件。")
        ] = "caict2023",
        year: Annotated[int | None, typer.Option("--year", "-y", help="评价年份 (year)。")] = None,
        previous_year: Annotated[
            int | None, typer.Option("--previous-year", help="对比年份 (previous year)：默认评价年份减 1。")
        ] = None,
        out_dir: Annotated[Path, typer.Option("--out", "-o", help="输出目录 (output folder)。")] = Path(
            "out"
        ),
        seed: Annotated[int, typer.Option(help="随机种子 (seed)：记入 run.json，0 也有效。")] = 0,
        accept: AcceptOpt = None,
        allow_thin: AllowThinOpt = False,
    ) -> None:
        """工作区评价 (workspace run)：写出运行目录并记录本次运行。

        与 `mfgindex run --workspace` 相同：同样的合理性检查与数据覆盖门槛 (coverage gate)。
        """

        def go() -> None:
            from mfgindex.cli.options import make_options
            from mfgindex.core.files import check_out_dir
            from mfgindex.services import outputs, runner
            from mfgindex.workspace import runs

            check_out_dir(out_dir)  # before the work, not after it
            options = make_options(
                framework, None, year, previous_year, seed=seed, accept=accept, allow_thin=allow_thin
            )
            result, warnings, _ = runner.evaluate_workspace(workspace, options)
            config = {**options.record(), "data": f"workspace:{workspace}"}
            written = outputs.write_run(result, out_dir, config)
            run_id = runs.record_run(workspace, result, config, out_dir, written)
            for w in warnings:
                err.print(f"[yellow]warning[/yellow] {escape(str(w))}", markup=True)
            out.print(
                f"run {run_id} ({result.provenance['year']}) → {out_dir}/: "
                + ", ".join(p.name for p in written)
            )

        guarded(go)

    @ws_app.command("runs")
    def ws_runs(workspace: WorkspaceOpt) -> None:
        """运行记录 (runs)：年份、快照、数据哈希与输出目录。"""

        def go() -> None:
            from mfgindex.workspace import runs

            df = runs.runs(workspace)
            df["created_at"] = df["created_at"].astype(str).str[:19]
            df["data_sha256"] = df["data_sha256"].astype(str).str[:12]
            _table(df.drop(columns=["config"]), "runs", None)

        guarded(go)

    @ws_app.command("rerun")
    def ws_rerun(
        workspace: WorkspaceOpt,
        run_id: Annotated[int, typer.Option("--run", help="运行编号 (run id)：见 `workspace runs`。")],
        framework: Annotated[
            str | None, typer.Option("--framework", "-f", help="评价框架 (framework)：改用另一框架重算。")
        ] = None,
        out_dir: Annotated[
            Path | None, typer.Option("--out", "-o", help="输出目录 (output folder)：另写出重算的运行目录。")
        ] = None,
        allow_thin: AllowThinOpt = False,
    ) -> None:
        """复现运行 (rerun)：用当时的数据重算并比对得分。

        用记录时的数据重新计算一次运行，并说明得分是否完全相同。
        """

        def go() -> None:
            from mfgindex.services import outputs, runner

            result, same = runner.rerun_workspace(workspace, run_id, framework, allow_thin=allow_thin)
            if out_dir is not None:
                outputs.write_run(
                    result, out_dir, {"rerun_of": run_id, "framework": framework or "as recorded"}
                )
            if framework is None:
                out.print(
                    f"run {run_id}: " + ("identical scores" if same else "[red]scores differ[/red]"),
                    markup=True,
                )
            else:
                out.print(f"run {run_id}'s data under {framework}: {len(result.table)} units ranked")

        guarded(go)

    app.add_typer(ws_app, name="workspace")
    _register_template(app)
    app.command("coverage")(coverage_cmd)
    app.command("export")(export_cmd)
    app.command("import-workspace")(import_workspace_cmd)


def coverage_cmd(
    workspace: WorkspaceOpt,
    framework: Annotated[
        str, typer.Option("--framework", "-f", help="评价框架 (framework)：预设名或框架文件。")
    ] = ("caict2023"),
    year: Annotated[
        list[int] | None,
        typer.Option("--year", "-y", help="年份 (year)：可重复给出；默认最近 3 年。"),
    ] = None,
    all_years: Annotated[
        bool, typer.Option("--all-years", help="全部年份 (all years)：工作区中的每一年。")
    ] = False,
    threshold: Annotated[
        float,
        typer.Option(
            "--threshold", help="覆盖率阈值 (threshold)：维度中有数据的单元格比例低于此值即为数据薄弱。"
        ),
    ] = 0.6,
    out_file: Annotated[
        Path | None,
        typer.Option(
            "--out", "-o", help="输出文件 (output)：.xlsx（两张表）或 .csv（另写 <name>.dimensions.csv）。"
        ),
    ] = None,
) -> None:
    """数据覆盖 (coverage)：各变量各年有值的城市数。

    另列数据来源，以及框架中数据薄弱的维度。
    """

    def go() -> None:
        from mfgindex.workspace import coverage

        years = year or None
        if years is None and not all_years:
            years = coverage.latest_years(workspace, 3)
        from mfgindex.cli.progress import spinner

        with spinner("统计数据覆盖 (coverage)…"):
            cov = coverage.coverage(workspace, framework, years, threshold)
        if out_file is not None:
            written = coverage.write(cov, out_file)
            out.print("coverage → " + ", ".join(str(p) for p in written))
        v = cov.variables
        if len(v):
            wide = v.pivot_table(
                index="variable", columns="year", values="cities", sort=False, aggfunc="first"
            )
            wide.columns = [str(c) for c in wide.columns]
            last = v[v["year"] == v["year"].max()].set_index("variable")
            wide.insert(0, "name_zh", last["name_zh"].reindex(wide.index).fillna(""))
            wide[f"sources ({v['year'].max()})"] = last["sources"].reindex(wide.index).fillna("")
            total = int(v["of"].iloc[0])
            _table(wide.reset_index(), f"cities with a value (of {total}), per variable and year", None)
        d = cov.dimensions.assign(
            share=[f"{x:.1%}" for x in cov.dimensions["share"]],
            thin=["THIN" if t else "" for t in cov.dimensions["thin"]],
        )
        _table(
            d[
                [
                    "year",
                    "dimension",
                    "name_zh",
                    "indicators",
                    "with_data",
                    "cells",
                    "share",
                    "thin",
                    "weakest",
                ]
            ],
            f"{cov.framework}: city × indicator cells with data, per dimension (thin < {threshold:.0%})",
            None,
        )
        if len(cov.dimensions):
            out.print(cov.sentence())
        for name, rates in cov.lists.groupby("list", sort=False):
            _rates_lines(str(name), rates.drop(columns=["list", "low"]).reset_index(drop=True))

    guarded(go)


def export_cmd(
    workspace: WorkspaceOpt,
    out_dir: Annotated[Path, typer.Option("--out", "-o", help="导出目录 (output folder)：新的或空的目录。")],
    fmt: Annotated[str, typer.Option("--format", help="文件格式 (format)：parquet 或 csv。")] = "parquet",
) -> None:
    """导出工作区 (export)：全部表、结构版本与哈希清单。

    每张表写成 Parquet/CSV，另有结构版本号与带哈希的清单。
    """

    def go() -> None:
        from mfgindex.workspace import archive

        manifest = archive.export(workspace, out_dir, fmt)
        rows = sum(int(t["rows"]) for t in manifest["tables"])
        out.print(
            f"export → {out_dir}: {len(manifest['tables'])} tables, {rows} rows, "
            f"schema version {manifest['schema_version']} ({fmt})"
        )

    guarded(go)


def import_workspace_cmd(
    folder: Annotated[Path, typer.Argument(help="导出目录 (export folder)：由 `mfgindex export` 写出。")],
    workspace: Annotated[
        Path, typer.Option("--workspace", "-w", help="新工作区目录 (workspace)：恢复到此处。")
    ],
) -> None:
    """恢复工作区 (import-workspace)：从导出目录恢复。

    校验哈希；导出再恢复得到完全相同的工作区。
    """

    def go() -> None:
        from mfgindex.workspace import archive

        counts = archive.restore(folder, workspace)
        out.print(
            f"workspace → {workspace}: "
            + ", ".join(f"{k} {v}" for k, v in counts.items() if k != "schema_version")
        )

    guarded(go)


def _register_template(app: typer.Typer) -> None:
    """``template data``: added to the ``template`` group of the weights CLI when it exists."""

    def template_data(
        out_file: Annotated[
            Path | None, typer.Option("--out", "-o", help="模板文件 (output)：XLSX；默认写到标准输出。")
        ] = None,
        framework: Annotated[
            str, typer.Option("--framework", "-f", help="评价框架 (framework)：决定模板中的原始变量。")
        ] = "caict2023",
        year: Annotated[
            list[int] | None,
            typer.Option("--year", "-y", help="年份 (year)：每年一张表，可重复给出；默认 2022。"),
        ] = None,
    ) -> None:
        """数据录入模板 (template data)：每年一表、每城一行。

        每个原始变量一列。
        """

        def go() -> None:
            from mfgindex.workspace import template

            years = tuple(year or (2022,))
            if out_file is None:
                buf = sys.stdout.buffer
                template.write_template(buf, framework, years)
                return
            n = template.write_template(out_file, framework, years)
            out.print(f"template → {out_file}: {n} cities × {len(years)} year(s)")

        guarded(go)

    for info in app.registered_groups:
        if info.name == "template" and info.typer_instance is not None:
            info.typer_instance.command("data")(template_data)
            return
    template_app = typer.Typer(help="输入模板 (templates)：生成录入用的模板文件。", no_args_is_help=True)
    template_app.command("data")(template_data)
    app.add_typer(template_app, name="template")
