"""``mfgindex check``: plausibility checks of a panel (METHODS §7). Parses and prints only."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from mfgindex.cli.options import AcceptOpt, CorrectionsOpt, DataOpt, FrameworkOpt, YearOpt


def register(app: typer.Typer) -> None:
    @app.command(name="check")
    def check_cmd(
        framework: FrameworkOpt = "caict2023",
        data: DataOpt = None,
        workspace: Annotated[
            Path | None,
            typer.Option(
                "--workspace", "-w", help="工作区目录 (workspace)：校核 `mfgindex init` 建立的工作区数据。"
            ),
        ] = None,
        year: YearOpt = None,
        as_json: Annotated[
            bool,
            typer.Option(
                "--json",
                help='以 JSON 输出 (json)：{"findings": [{code, name, year, variable, value, '
                "severity, kind, …}]}。",
            ),
        ] = False,
        no_default_data: Annotated[
            bool,
            typer.Option(
                "--no-default-data",
                help="不合并内置数据 (no default data)：只校核该文件（默认与内置数据合并，以便对照历史）。",
            ),
        ] = False,
        all_years: Annotated[
            bool,
            typer.Option(
                "--all-years", help="全部年份 (all years)：校核每一年（默认只校核运行读取的年份）。"
            ),
        ] = False,
        accept: AcceptOpt = None,
        corrections: CorrectionsOpt = None,
    ) -> None:
        """数据校核 (plausibility checks)：逐条列出发现及其依据。

        每条发现一行并附证据；有错误时退出码为 2。
        """
        from rich.markup import escape

        from mfgindex.cli.console import err, guarded, out
        from mfgindex.services import checks as checks_svc

        def go() -> None:
            if data and workspace is not None:
                raise typer.BadParameter("--data 与 --workspace 只能二选一 (give one of --data, --workspace)")
            ws_data = None
            if workspace is not None:
                from mfgindex.workspace import snapshots

                ws_data = snapshots.load_dataset(workspace, None)
            outcome = checks_svc.check_inputs(
                framework,
                data or (),
                ws_data,
                year,
                all_years=all_years,
                default_data=not no_default_data,
                accept=accept or (),
                corrections=corrections or (),
            )
            accepted = {id(f) for f, _ in outcome.accepted}
            shown = [f for f in outcome.findings if id(f) not in accepted]
            if as_json:
                doc = {
                    "findings": [f.as_dict() for f in shown],
                    "accepted": [{**f.as_dict(), "reason": a.reason} for f, a in outcome.accepted],
                }
                print(json.dumps(doc, ensure_ascii=False, indent=1))
            else:
                for f in shown:
                    out.print(escape(f.line()), highlight=False, soft_wrap=True)
                for f, a in outcome.accepted:
                    out.print(
                        f"{escape(f.line())} [已认可 (accepted): {escape(a.reason)}]",
                        highlight=False,
                        soft_wrap=True,
                    )
                err.print(outcome.summary(), highlight=False, soft_wrap=True)
            if outcome.errors():
                raise typer.Exit(2)

        guarded(go)
