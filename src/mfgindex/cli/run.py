"""``mfgindex run`` and ``mfgindex validate``: parse the options, call the runner, print."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table

from mfgindex.cli.console import err, guarded, out, print_warnings
from mfgindex.cli.options import (
    AcceptOpt,
    AllowThinOpt,
    Command,
    CorrectionsOpt,
    DataOpt,
    DefaultDataOpt,
    ForceOpt,
    FrameworkOpt,
    MapOpt,
    PrevOpt,
    TopOpt,
    YearOpt,
    make_options,
    with_method_options,
)
from mfgindex.core.files import check_out_dir
from mfgindex.core.outdir import check_replaceable, output_folder
from mfgindex.core.rank import ARROWS
from mfgindex.core.result import Result
from mfgindex.services import outputs, runner
from mfgindex.services.runner import RunSpec


def evaluate_options(options: RunSpec) -> tuple[Result, list[Any]]:
    """Read, check (once), gate and evaluate; the result's provenance carries the checks."""
    result, warnings, _ = runner.evaluate(options)
    return result, warnings


def checks_line(result: Result) -> str:
    """The console's count of the plausibility findings recorded in the result."""
    rec = result.provenance.get("checks") or {}
    c = rec.get("counts") or {}
    return (
        f"数据校核 (plausibility checks): {c.get('warnings', 0)} 个警告 (warnings), "
        f"{c.get('accepted', 0)} 个已认可 (accepted), 更正 (corrections) {len(rec.get('corrections') or [])} "
        f"+ 内置数据更正 {len(result.provenance.get('data_corrections') or [])}"
    )


def print_top(result: Result, n: int = 10) -> None:
    t = result.table.head(n)
    table = Table(title=f"{result.framework.name_zh or result.framework.id} · {result.year} · 前{n}名")
    for col in ("排名", "地市", "省份", "地区排名", "变化", "指数", "阶段"):
        table.add_column(col)
    root = result.framework.root.id
    for _, row in t.iterrows():
        table.add_row(
            str(row["rank"]),
            str(row["name"]),
            str(row.get("province", "")),
            str(row.get("province_rank", "")),
            ARROWS.get(str(row.get("change", "")), ""),
            f"{row[root]:.2f}",
            str(row.get("stage", "")),
        )
    out.print(table)


@with_method_options
def run(
    framework: FrameworkOpt = "caict2023",
    data: DataOpt = None,
    column_map: MapOpt = None,
    default_data: DefaultDataOpt = True,
    year: YearOpt = None,
    previous_year: PrevOpt = None,
    top: TopOpt = None,
    out_dir: Annotated[Path, typer.Option("--out", "-o", help="输出目录 (output folder)。")] = Path("out"),
    seed: Annotated[int, typer.Option(help="随机种子 (seed)：记入 run.json，0 也有效。")] = 0,
    quiet: Annotated[
        bool, typer.Option("--quiet", "-q", help="安静模式 (quiet)：不打印前 10 名，也不显示进度。")
    ] = False,
    report: Annotated[
        bool, typer.Option("--report", help="同时生成报告 (report)：report.html、report.pdf 写入 --out。")
    ] = False,
    workspace: Annotated[
        Path | None,
        typer.Option(
            "--workspace", "-w", help="数据工作区 (workspace)：用 `mfgindex init` 建立的工作区评价。"
        ),
    ] = None,
    accept: AcceptOpt = None,
    corrections: CorrectionsOpt = None,
    allow_thin: AllowThinOpt = False,
    force: ForceOpt = False,
    methods: dict[str, Any] | None = None,
) -> None:
    """评价 (evaluate)：框架 + 数据 → 得分、排名与结果文件。

    在 --out 中写出 scores.csv、indicators.csv、results.xlsx 与 run.json。
    """

    def go() -> None:
        check_out_dir(out_dir)  # before the work, not after it
        check_replaceable(out_dir, force)
        options = make_options(
            framework,
            data,
            year,
            previous_year,
            top,
            seed,
            methods,
            accept,
            corrections,
            allow_thin,
            column_map=column_map,
            default_data=default_data,
        )
        from mfgindex.cli.progress import spinner

        with spinner("评价计算中 (evaluating)…", quiet=quiet):
            if workspace is not None:  # data from the workspace (mfgindex.workspace), run recorded there
                result, warnings, _ = runner.evaluate_workspace(workspace, options)
                config = {**options.record(), "data": f"workspace:{workspace}"}
            else:
                result, warnings = evaluate_options(options)
                config = options.record()
        print_warnings(list(warnings))
        err.print(checks_line(result), highlight=False, soft_wrap=True)
        if not quiet:
            print_top(result)
        # run files and the report are written together and moved into place only when all are written
        note: str | None = None
        with output_folder(out_dir, "run", force=force) as staging:
            names = [p.name for p in outputs.write_run_files(result, staging, config, final=out_dir)]
            if report:  # mfgindex.report: same folder, same run
                from mfgindex.cli.report import one_line_failure
                from mfgindex.report.build import write_report

                with (
                    spinner("生成报告 (building the report)…", quiet=quiet) as step,
                    one_line_failure(out_dir),
                ):
                    files = write_report(result, staging, config=config, progress=step)
                names += [files.html.name, *([files.pdf.name] if files.pdf else [])]
                note = files.note
        if note:
            err.print(f"[yellow]warning[/yellow] {escape(note)}", highlight=False, soft_wrap=True)
        written = [out_dir / n for n in names]
        if workspace is not None:
            from mfgindex.workspace import runs as ws_runs

            ws_runs.record_run(workspace, result, config, out_dir, written)
        out.print(f"输出 (outputs) → {out_dir}/: " + ", ".join(names))

    guarded(go)


def validate_cmd(
    framework: FrameworkOpt = "caict2023",
    data: DataOpt = None,
    column_map: MapOpt = None,
    default_data: DefaultDataOpt = True,
    year: YearOpt = None,
    accept: AcceptOpt = None,
    corrections: CorrectionsOpt = None,
    allow_thin: AllowThinOpt = False,
) -> None:
    """校验 (validate)：检查数据与框架，逐条列出问题。

    含合理性检查 (plausibility checks)；每个问题给出文件、工作表、行和列；有错误时退出码为 2。
    """

    def go() -> None:
        options = make_options(
            framework,
            data,
            year,
            accept=accept,
            corrections=corrections,
            allow_thin=allow_thin,
            column_map=column_map,
            default_data=default_data,
        )
        prepared = runner.prepare(options)
        fw = prepared.framework
        print_warnings(list(prepared.warnings))
        for f in prepared.checks.warnings():
            err.print(f"[yellow]warning[/yellow] {escape(f.line())}", highlight=False, soft_wrap=True)
        err.print(prepared.checks.summary(), highlight=False, soft_wrap=True)
        if prepared.gate is not None and not prepared.gate.passed:
            err.print(f"[yellow]warning[/yellow] {escape(prepared.gate.problem().message)}", highlight=False)
        out.print(f"OK: {fw.id} — {len(fw.indicators())} indicators, no errors")

    guarded(go)


def register(app: typer.Typer) -> None:
    app.command("run", cls=Command)(run)
    app.command("validate", cls=Command)(validate_cmd)
