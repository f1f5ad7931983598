"""``mfgindex report``: the report of a run (or of the default data) as HTML and PDF (thin layer)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer

from mfgindex.cli.options import ForceOpt


@contextmanager
def one_line_failure(out: Path) -> Iterator[None]:
    """Turn any failure while writing a report into one located line (exit 2 via ``guarded``), never a
    traceback; the user's own errors pass through unchanged."""
    from mfgindex.core.errors import Problem, UserError

    try:
        yield
    except UserError:
        raise
    except Exception as exc:
        text = str(exc).strip()
        detail = f"{type(exc).__name__}: {text.splitlines()[0][:200]}" if text else type(exc).__name__
        raise UserError(Problem(f"报告生成失败 (report failed) — {detail}", file=str(out))) from None


def report_command(
    out: Annotated[
        Path,
        typer.Option("--out", "-o", help="输出目录 (output folder)：report.html、report.pdf、figures/。"),
    ],
    run_dir: Annotated[
        Path | None,
        typer.Option("--run", help="运行目录 (run folder)：`mfgindex run` 的输出；默认评价内置数据。"),
    ] = None,
    lang: Annotated[str, typer.Option("--lang", help="报告语言 (language)：zh（默认）或 en。")] = "zh",
    top: Annotated[
        int | None, typer.Option("--top", "-n", min=1, help="榜单长度 (list size N)：默认 50。")
    ] = None,
    pdf: Annotated[
        bool, typer.Option("--pdf/--no-pdf", help="同时输出 PDF (report.pdf, WeasyPrint)。")
    ] = True,
    svg: Annotated[bool, typer.Option("--svg", help="图表另存为矢量图 (SVG)。")] = False,
    toolbox_methods: Annotated[
        str | None,
        typer.Option("--toolbox", help="研究工具章节 (toolbox section)：所用方法，如 moran,dagum,obstacle。"),
    ] = None,
    robustness: Annotated[
        bool,
        typer.Option(
            "--robustness/--no-robustness",
            help="稳健性检验章节 (robustness)：统计审核 + 不确定性分析（1,000 次重复，种子 0）。",
        ),
    ] = True,
    uncertainty: Annotated[
        Path | None,
        typer.Option(
            "--uncertainty",
            help="不确定性结果目录 (uncertainty folder)：用 `mfgindex uncertainty` 的 "
            "uncertainty.csv，不再重算。",
        ),
    ] = None,
    sensitivity: Annotated[
        Path | None,
        typer.Option(
            "--sensitivity",
            help="敏感性结果目录 (sensitivity folder)：`mfgindex sensitivity` 的 sobol.csv，加入 Sobol 图。",
        ),
    ] = None,
    force: ForceOpt = False,
) -> None:
    """报告 (report)：把运行结果写成 HTML 与 PDF 报告。

    中文（或英文）报告 report.html + report.pdf，另有 analysis.json 与 figures/。
    """
    from mfgindex.cli.console import err, guarded
    from mfgindex.cli.progress import spinner

    def go() -> None:
        from rich.markup import escape

        from mfgindex.core.files import check_out_dir
        from mfgindex.core.outdir import check_replaceable, output_folder
        from mfgindex.report.build import check_lang, write_report
        from mfgindex.services import runner
        from mfgindex.toolbox.report import parse_methods  # 研究工具

        check_lang(lang)
        check_out_dir(out)
        check_replaceable(out, force)
        with spinner("生成报告 (building the report)…") as step, one_line_failure(out):
            if run_dir is not None:  # the run folder re-evaluated from its run.json
                got = runner.rerun(run_dir)
                result, source = got.result, str(run_dir)
                for line in got.warnings:
                    err.print(f"[yellow]warning[/yellow] {escape(line)}", highlight=False, soft_wrap=True)
            else:
                result, _, _ = runner.evaluate(runner.RunSpec())
                source = "evaluated"
            with output_folder(out, "report", force=force, keep_others=True) as stage:
                files = write_report(
                    result,
                    stage,
                    lang,
                    top,
                    pdf=pdf,
                    svg=svg,
                    progress=step,
                    toolbox=parse_methods(toolbox_methods),
                    source=source,
                    robustness=robustness,
                    uncertainty_dir=uncertainty,
                    sensitivity_dir=sensitivity,
                )
        written = (
            [files.html.name] + ([files.pdf.name] if files.pdf else []) + [files.analysis.name, "figures/"]
        )
        if files.note:
            err.print(f"[yellow]warning[/yellow] {escape(files.note)}", highlight=False, soft_wrap=True)
        err.print(f"报告 (report) → {out}/: {', '.join(written)} ({files.seconds:.1f} s)", highlight=False)

    guarded(go)


def register(app: typer.Typer) -> None:
    """Add ``report`` to the main CLI."""
    app.command("report")(report_command)
