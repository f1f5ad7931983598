"""``mfgindex toolbox METHOD``: research methods on a run's results, written to ``--out DIR/results.xlsx``
(one sheet per output) plus the customary figure(s).

Only parses and prints: the methods and their outputs are :data:`mfgindex.toolbox.methods.METHODS`; each
becomes a command whose options are the ones every method shares followed by the method's own (declared
with :class:`~mfgindex.toolbox.methods.Option`, turned into typer options here)."""

from __future__ import annotations

import inspect
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, get_args, get_origin

import typer
from rich.markup import escape

from mfgindex.cli.console import err, guarded, out
from mfgindex.cli.options import DataOpt, YearOpt
from mfgindex.core.errors import Problem, UserError
from mfgindex.toolbox.methods import METHODS, PANEL_METHODS, Option, Output, write_results

if TYPE_CHECKING:
    from mfgindex.toolbox.source import Context

HELP = "研究工具箱 (toolbox)：障碍度、耦合协调、灰色关联等方法。"

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
RunOpt = Annotated[
    Path | None,
    typer.Option(
        "--run",
        help="运行目录 (run folder)：`mfgindex run` 的输出，按其 run.json 重新评价，代替 -f/-d/-y。",
    ),
]


def _command(app: typer.Typer, name: str, body: Callable[..., Output]) -> None:
    """Add ``body(ctx, **options) -> Output`` to ``app`` as the command ``name``.

    The command gets the options every method shares (``--out``, ``--framework``, ``--data``, ``--year``,
    ``--run``; for panel methods also ``--years`` and ``--comparable/--per-year``) in front of the body's
    own. It evaluates the run (a fresh spec, or the ``--run`` folder re-evaluated), calls the body with
    the run's :class:`~mfgindex.toolbox.source.Context`, writes ``results.xlsx`` (``about`` = the run's
    parameters + the body's) and the figures, and prints what it wrote; user errors exit 2.
    """
    panel = name in PANEL_METHODS
    common = dict(_COMMON) | (_PANEL if panel else {})
    hints = _own_hints(body)
    own = [p.replace(annotation=hints[p.name]) for p in list(inspect.signature(body).parameters.values())[1:]]
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
                    ctx.years, ctx.comparable = src["years"], src["comparable"]
                step("计算中 (computing)…")
                res = body(ctx, **kw)
                step("写出结果 (writing)…")
                about = dict(ctx.about)
                if ctx.warnings:
                    about["warnings"] = "; ".join(ctx.warnings)
                    for line in ctx.warnings:
                        err.print(f"[yellow]warning[/yellow] {escape(line)}", highlight=False, markup=True)
                return write_results(src["out"], res.sheets, {**about, **res.about}, res.figures)

        paths = guarded(go)
        out.print("输出 (outputs) → " + ", ".join(str(p) for p in paths))

    cmd.__signature__ = inspect.Signature(  # type: ignore[attr-defined]
        [p.replace(kind=inspect.Parameter.KEYWORD_ONLY) for p in shared + own]
    )
    cmd.__doc__ = body.__doc__
    cmd.__name__ = f"{name}_cmd"
    app.command(name)(cmd)


def _source(
    framework: str | None, data: list[Path] | None, year: int | None, run_dir: Path | None
) -> Context:
    """The run the method reads: ``--run DIR`` re-evaluated from its run.json, or the spec of
    ``--framework/--data/--year`` evaluated (both as ``mfgindex run`` does)."""
    from mfgindex.core.spec import DEFAULT_FRAMEWORK, RunSpec
    from mfgindex.services import runner
    from mfgindex.toolbox.source import context

    if run_dir is not None:
        if framework is not None or data or year is not None:
            raise UserError(
                Problem(
                    "give either --run or --framework/--data/--year (the run folder records them)",
                    column="--run",
                )
            )
        got = runner.rerun(run_dir)
        return context(got.result, got.warnings, run=str(run_dir))
    spec = RunSpec(
        framework=framework or DEFAULT_FRAMEWORK, data=tuple(str(d) for d in data or ()), year=year
    )
    result, _, _ = runner.evaluate(spec)
    return context(result)


_COMMON: dict[str, tuple[Any, Any]] = {
    "out": (OutOpt, inspect.Parameter.empty),
    # --framework as in `run`, but None by default so that it can be told apart from --run
    "framework": (
        Annotated[
            str | None,
            typer.Option(
                "--framework",
                "-f",
                help=(
                    "评价框架 (framework)：预设名（默认 caict2023，即中国信通院2023年评价框架）、"
                    "YAML 文件或 COINr iMeta CSV。"
                ),
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
    """The annotations of ``body``'s parameters after ``ctx``, evaluated, with each
    :class:`~mfgindex.toolbox.methods.Option` turned into a typer option."""
    params = list(inspect.signature(body).parameters.values())[1:]
    ns = body.__globals__
    hints: dict[str, Any] = {}
    for p in params:
        hint = eval(p.annotation, ns) if isinstance(p.annotation, str) else p.annotation
        if get_origin(hint) is Annotated:
            base, *meta = get_args(hint)
            meta = [typer.Option(*m.decls, **m.kwargs) if isinstance(m, Option) else m for m in meta]
            hint = Annotated[(base, *meta)]
        hints[p.name] = hint
    return hints


def register(app: typer.Typer) -> None:
    """Add ``toolbox`` (one command per method of the registry) to the main CLI."""
    toolbox_app = typer.Typer(help=HELP, no_args_is_help=True)
    for name, body in METHODS.items():
        _command(toolbox_app, name, body)
    app.add_typer(toolbox_app, name="toolbox")
