"""``mfgindex report``: the report of a run (or of the default data) as HTML and PDF (thin layer)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer


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
        Path, typer.Option("--out", "-o", help="Output folder (report.html, report.pdf, figures/).")
    ],
    run_dir: Annotated[
        Path | None,
        typer.Option(
            "--run", help="Run folder written by `mfgindex run` (default: evaluate the embedded data)."
        ),
    ] = None,
    lang: Annotated[str, typer.Option("--lang", help="Report language: zh (default) or en.")] = "zh",
    top: Annotated[int | None, typer.Option("--top", "-n", min=1, help="List length N (default 50).")] = None,
    pdf: Annotated[bool, typer.Option("--pdf/--no-pdf", help="Also print report.pdf (WeasyPrint).")] = True,
    svg: Annotated[bool, typer.Option("--svg", help="Also write the figures as SVG.")] = False,
    toolbox_methods: Annotated[
        str | None,
        typer.Option("--toolbox", help="研究工具 section with these methods, e.g. moran,dagum,obstacle."),
    ] = None,
    robustness: Annotated[
        bool,
        typer.Option(
            "--robustness/--no-robustness",
            help="Include the 稳健性检验 section: audit + uncertainty analysis (1,000 replications, seed 0).",
        ),
    ] = True,
    uncertainty: Annotated[
        Path | None,
        typer.Option(
            "--uncertainty",
            help="Folder of `mfgindex uncertainty` (uncertainty.csv) to report instead of computing one.",
        ),
    ] = None,
    sensitivity: Annotated[
        Path | None,
        typer.Option(
            "--sensitivity", help="Folder of `mfgindex sensitivity` (sobol.csv): adds the Sobol chart."
        ),
    ] = None,
) -> None:
    """报告：把一次运行的结果写成中文（或英文）报告 report.html + report.pdf。"""
    from mfgindex.cli.main import err, guarded

    def go() -> None:
        from mfgindex.analysis.run import from_result, load_run_dir
        from mfgindex.report.build import check_lang, write_report
        from mfgindex.toolbox.report import parse_methods  # 研究工具

        check_lang(lang)
        result = None
        with err.status("生成报告 (building the report)…") as status, one_line_failure(out):
            if run_dir is not None:
                run = load_run_dir(run_dir)
            else:
                from mfgindex.cli.main import evaluate_options
                from mfgindex.services.runner import Options

                options = Options()
                result, _ = evaluate_options(options)
                run = from_result(result, options.record())
            files = write_report(
                run,
                out,
                lang,
                top,
                pdf=pdf,
                svg=svg,
                progress=lambda m: status.update(f"报告 (report): {m}…"),
                toolbox=parse_methods(toolbox_methods),
                result=result,
                robustness=robustness,
                uncertainty_dir=uncertainty,
                sensitivity_dir=sensitivity,
            )
        written = (
            [files.html.name] + ([files.pdf.name] if files.pdf else []) + [files.analysis.name, "figures/"]
        )
        if files.note:
            from rich.markup import escape

            err.print(f"[yellow]warning[/yellow] {escape(files.note)}", highlight=False, soft_wrap=True)
        err.print(f"报告 (report) → {out}/: {', '.join(written)} ({files.seconds:.1f} s)", highlight=False)

    guarded(go)


def register(app: typer.Typer) -> None:
    """Add ``report`` to the main CLI."""
    app.command("report")(report_command)
