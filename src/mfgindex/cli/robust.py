"""``mfgindex audit | sensitivity``: thin commands over :mod:`mfgindex.robust`, and the options and helpers
the robustness commands share (``uncertainty`` is :mod:`mfgindex.cli.uncertainty`)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from mfgindex.cli.options import (
    Command,
    DataOpt,
    ForceOpt,
    FrameworkOpt,
    PrevOpt,
    TopOpt,
    YearOpt,
    make_options,
    with_method_options,
)

if TYPE_CHECKING:
    from mfgindex.core.dataset import Dataset
    from mfgindex.core.result import Result
    from mfgindex.robust.assumptions import Factor
    from mfgindex.services.runner import RunSpec


class BackendChoice(StrEnum):
    local = "local"
    dask = "dask"


OutOpt = Annotated[Path, typer.Option("--out", "-o", help="输出目录 (output folder)。")]
SeedOpt = Annotated[int, typer.Option(help="随机种子 (seed)：0 也有效；同一种子得到完全相同的文件。")]
AssumptionsOpt = Annotated[
    Path | None,
    typer.Option(
        "--assumptions",
        "-a",
        help="不确定性假设 (assumptions)：YAML 文件（见 docs/robustness.md）；"
        "默认用 COINr 敏感性示例的假设。",
    ),
]
BackendOpt = Annotated[
    BackendChoice, typer.Option(help="计算后端 (backend)：在本进程或 Dask 集群中运行各次重复。")
]
SchedulerOpt = Annotated[
    str | None,
    typer.Option(help="调度器地址 (Dask scheduler)：如 tcp://host:8786；默认启动 2 个工作进程的本地集群。"),
]
ChunkOpt = Annotated[int, typer.Option(min=1, help="每块重复次数 (chunk size)：每块使用独立的随机数流。")]


@contextmanager
def progress_bar(total: int, label: str) -> Iterator[Callable[[int], None]]:
    from mfgindex.cli.progress import bar

    with bar(total, label) as advance:
        yield advance


def evaluate(options: RunSpec) -> tuple[Result, Dataset]:
    """Evaluate as ``mfgindex run`` does (read, plausibility checks, coverage gate); warnings on stderr."""
    from mfgindex.cli.console import print_warnings
    from mfgindex.services import runner

    result, warnings, prepared = runner.evaluate(options)
    print_warnings(list(warnings))
    return result, prepared.dataset


def nominal_run(options: RunSpec, assumptions_file: Path | None) -> tuple[Result, Dataset, list[Factor]]:
    """The nominal run of ``options`` (:func:`evaluate`) and the assumptions around it — ``assumptions_file``
    read against the run's framework, else COINr's default assumptions — under the evaluating spinner."""
    from mfgindex.cli.progress import spinner
    from mfgindex.robust import assumptions

    with spinner("评价计算中 (evaluating)…"):
        result, ds = evaluate(options)
        if assumptions_file is None:
            return result, ds, assumptions.default_assumptions(result.framework)
        return result, ds, assumptions.load(assumptions_file, result.framework)


def register(app: typer.Typer) -> None:
    """Add ``audit`` and ``sensitivity`` to the main CLI."""

    @app.command(cls=Command)
    @with_method_options
    def audit(
        framework: FrameworkOpt = "caict2023",
        data: DataOpt = None,
        year: YearOpt = None,
        previous_year: PrevOpt = None,
        top: TopOpt = None,
        out_dir: OutOpt = Path("out/audit"),
        force: ForceOpt = False,
        methods: dict[str, Any] | None = None,
    ) -> None:
        """统计审核 (statistical audit)：相关、信度、主成分与有效权重。

        相关系数（含标记）、Cronbach's α、PCA、有效权重 (η²) 与数据覆盖率。
        """
        from mfgindex.cli.console import guarded, out, print_outputs
        from mfgindex.cli.progress import spinner
        from mfgindex.core.files import check_out_dir
        from mfgindex.core.outdir import check_replaceable, output_folder, output_paths
        from mfgindex.robust import audit as audit_mod

        def go() -> None:
            check_out_dir(out_dir)
            check_replaceable(out_dir, force)
            with spinner("审计计算中 (auditing)…"):
                result, ds = evaluate(make_options(framework, data, year, previous_year, top, 0, methods))
                a = audit_mod.audit(result, ds)
                with output_folder(out_dir, "audit", force=force) as stage:
                    written = output_paths(out_dir, stage, audit_mod.write_audit(a, stage))
            flagged = a.correlations[a.correlations.flag != ""]
            low_alpha = a.cronbach[(a.cronbach.over == "children") & (a.cronbach.alpha < 0.7)]
            out.print(f"{len(flagged)} flagged correlations; α < 0.7 for children of: "
                      + (", ".join(map(str, low_alpha["aggregate"])) or "none"))  # fmt: skip
            print_outputs(out_dir, (p.name for p in written))

        guarded(go)

    @app.command(cls=Command)
    @with_method_options
    def sensitivity(
        framework: FrameworkOpt = "caict2023",
        data: DataOpt = None,
        year: YearOpt = None,
        previous_year: PrevOpt = None,
        top: TopOpt = None,
        n: Annotated[
            int,
            typer.Option(
                "--n", min=2, help="基础样本量 (base sample size N)：2 的幂；运行次数 = N·(d + 2)。"
            ),
        ] = 512,
        seed: SeedOpt = 0,
        assumptions_file: AssumptionsOpt = None,
        out_dir: OutOpt = Path("out/sensitivity"),
        force: ForceOpt = False,
        backend: BackendOpt = BackendChoice.local,
        scheduler: SchedulerOpt = None,
        chunk: ChunkOpt = 1000,
        per_unit: Annotated[
            bool,
            typer.Option(
                "--per-unit/--no-per-unit",
                help="逐单位敏感性 (per unit)：另算各城市指数的 Sobol 指数 (sobol_units.csv)。",
            ),
        ] = False,
        charts: Annotated[
            bool, typer.Option("--charts/--no-charts", help="另绘 Sobol 指数条形图 (Sobol chart)。")
        ] = False,
        methods: dict[str, Any] | None = None,
    ) -> None:
        """敏感性分析 (sensitivity)：Sobol 指数 → sobol.csv。

        用 SALib 计算平均绝对排名变动的 Sobol 敏感性指数；
        --per-unit 另算各单位指数的 Sobol 指数，--charts 另绘条形图。
        """
        from mfgindex.cli.console import err, guarded, out, print_outputs
        from mfgindex.core.files import check_out_dir
        from mfgindex.core.outdir import check_replaceable, output_folder, output_paths
        from mfgindex.robust import sensitivity as sa_mod

        def go() -> None:
            check_out_dir(out_dir)
            check_replaceable(out_dir, force)
            options = make_options(framework, data, year, previous_year, top, seed, methods)
            result, ds, factors = nominal_run(options, assumptions_file)
            sa_mod.check_size(result, factors, n)  # before the progress bar and any work
            if n & (n - 1):
                err.print(f"[yellow]warning[/yellow] --n {n} is not a power of 2; Sobol sequences "
                          "balance best at powers of 2")  # fmt: skip
            runs = n * (len(factors) + 2)
            with progress_bar(runs, "敏感性分析 (Sobol)") as progress:
                res = sa_mod.run(result, ds, factors, n, seed, chunk=chunk, backend=backend.value,
                                 scheduler=scheduler, per_unit=per_unit, progress=progress)  # fmt: skip
            config = {"options": options.record(), "seed": seed, "chunk": chunk,
                      "assumptions": [f.describe() for f in factors]}  # fmt: skip
            with output_folder(out_dir, "sensitivity", force=force) as stage:
                written = sa_mod.write(res, stage, config)
                if charts:
                    from mfgindex.robust import charts as charts_mod  # matplotlib: only when asked

                    written += charts_mod.sobol_bars(res.sobol, stage / "sobol")
            written = output_paths(out_dir, stage, written)
            out.print(res.sobol.round(3).to_string(index=False))
            print_outputs(out_dir, (p.name for p in written))

        guarded(go)
