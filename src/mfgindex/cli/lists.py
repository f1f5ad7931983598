"""CLI of the authoritative lists in a workspace: ``lists import``, ``assign``, ``unresolved``, ``rates``,
``counts``. Commands are thin: parse → library call → print.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape

from mfgindex.cli.workspace import (
    ByOpt,
    ListOpt,
    WorkspaceOpt,
    _rates_lines,
    _write_or_print,
    err,
    guarded,
    out,
)


def _list_report(report: Any) -> None:
    for w in report.warnings:
        err.print(f"[yellow]warning[/yellow] {escape(str(w))}", markup=True)
    if report.import_id is None:
        out.print(f"{report.list}: no changes ({report.resolved}/{report.entries} entries assigned)")
    else:
        out.print(
            f"{report.list}: version {report.import_id}, {report.resolved}/{report.entries} entries assigned "
            f"({report.share:.1%})"
        )
    if report.by_basis:
        out.print(
            "by basis: "
            + ", ".join(f"{k} {v}" for k, v in sorted(report.by_basis.items(), key=lambda kv: -kv[1]))
        )
    _rates_lines(report.list, report.rates)
    if report.unmatched_assignments:
        out.print(
            f"[yellow]warning[/yellow] {len(report.unmatched_assignments)} assignments match no entry yet: "
            + "、".join(report.unmatched_assignments[:10]),
            markup=True,
        )


def register(app: typer.Typer) -> None:
    """Add the ``lists`` group to the main app."""
    lists_app = typer.Typer(help="权威名单 (lists)：企业、园区等名单及其所属城市。", no_args_is_help=True)

    @lists_app.command("import")
    def lists_import(
        file: Annotated[
            Path,
            typer.Argument(
                help="名单文件 (file)：CSV/XLSX，列 name、province、[address]、[batch]、[year]、"
                "[adcode|city]。"
            ),
        ],
        workspace: WorkspaceOpt,
        list_name: ListOpt,
        year: Annotated[
            int | None, typer.Option("--year", help="年份 (year)：用于既无年份也无批次年份的条目。")
        ] = None,
        batch_years: Annotated[
            str | None, typer.Option("--batch-years", help="各批次年份 (batch years)：如 1=2017,2=2018。")
        ] = None,
        entered_by: ByOpt = None,
    ) -> None:
        """导入名单 (lists import)：作为新版本并归属到地级单位。"""

        def go() -> None:
            from mfgindex.cli.progress import spinner
            from mfgindex.workspace import list_files, lists

            with spinner("导入名单 (lists import)…"):
                report = lists.import_list(
                    workspace, list_name, file, year, list_files.parse_batch_years(batch_years), entered_by
                )
            _list_report(report)

        guarded(go)

    @lists_app.command("assign")
    def lists_assign(
        file: Annotated[
            Path,
            typer.Argument(
                help="归属文件 (assignments)：CSV/XLSX，列 name、adcode（或 city）、[province]；"
                "adcode 留空即不归属。"
            ),
        ],
        workspace: WorkspaceOpt,
        list_name: ListOpt,
        entered_by: ByOpt = None,
    ) -> None:
        """人工归属 (lists assign)：覆盖自动匹配，今后导入仍有效。"""

        def go() -> None:
            from mfgindex.cli.progress import spinner
            from mfgindex.workspace import lists

            with spinner("人工归属 (lists assign)…"):
                report = lists.import_assignments(workspace, list_name, file, entered_by)
            _list_report(report)

        guarded(go)

    @lists_app.command("unresolved")
    def lists_unresolved(
        workspace: WorkspaceOpt,
        list_name: ListOpt,
        out_file: Annotated[
            Path | None, typer.Option("--out", "-o", help="输出 CSV (output)：可作为 `lists assign` 的底稿。")
        ] = None,
    ) -> None:
        """未归属条目 (lists unresolved)：列出原因，如有歧义、无地名。"""

        def go() -> None:
            from mfgindex.workspace import lists

            df = lists.unresolved(workspace, list_name)
            if out_file is not None:
                df = df.assign(adcode="")
            _write_or_print(df, out_file, f"{list_name}: {len(df)} unresolved")

        guarded(go)

    @lists_app.command("rates")
    def lists_rates(
        workspace: Annotated[
            Path | None,
            typer.Option(
                "--workspace",
                "-w",
                help="工作区目录 (workspace)：不给则用内置数据的名单 (embedded lists)。",
            ),
        ] = None,
        list_name: Annotated[
            str | None,
            typer.Option("--list", "-l", help="名单名称 (list id)：如 green_factories；不给则全部。"),
        ] = None,
    ) -> None:
        """分配率 (lists rates)：各地区名单条目归属到城市的比例。

        分配率偏低的地区标为 LOW。
        """

        def go() -> None:
            from mfgindex.workspace import lists

            for name, rates in lists.rates(workspace, list_name).items():
                _rates_lines(name, rates)

        guarded(go)

    @lists_app.command("counts")
    def lists_counts(
        workspace: WorkspaceOpt,
        list_name: ListOpt,
        out_file: Annotated[Path | None, typer.Option("--out", "-o", help="输出 CSV (output)。")] = None,
    ) -> None:
        """名单计数 (lists counts)：各城市各年新增与累计条目数。"""

        def go() -> None:
            from mfgindex.workspace import lists

            _write_or_print(lists.counts(workspace, list_name), out_file, f"{list_name}: counts")

        guarded(go)

    app.add_typer(lists_app, name="lists")
