"""``mfgindex uncertainty``: Monte Carlo rank intervals, a thin command over :mod:`mfgindex.robust`.

A module of its own, apart from ``audit`` and ``sensitivity`` (:mod:`mfgindex.cli.robust`, whose options and
helpers it shares): running a command turns every command its modules register into a click command
(typer reads each one's signature and builds its options), so ``mfgindex uncertainty`` builds one, not three.
No ``from __future__ import annotations``: the options' annotations are objects when the command is made,
not text that building it evaluates.
"""

from pathlib import Path
from typing import Annotated, Any

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
from mfgindex.cli.robust import (
    AssumptionsOpt,
    BackendChoice,
    BackendOpt,
    ChunkOpt,
    OutOpt,
    SchedulerOpt,
    SeedOpt,
    nominal_run,
    progress_bar,
)


def register(app: typer.Typer) -> None:
    """Add ``uncertainty`` to the main CLI."""

    @app.command(cls=Command)
    @with_method_options
    def uncertainty(
        framework: FrameworkOpt = "caict2023",
        data: DataOpt = None,
        year: YearOpt = None,
        previous_year: PrevOpt = None,
        top: TopOpt = None,
        n: Annotated[int, typer.Option("--n", min=1, help="蒙特卡洛重复次数 (replications)。")] = 1000,
        seed: SeedOpt = 0,
        assumptions_file: AssumptionsOpt = None,
        out_dir: OutOpt = Path("out/uncertainty"),
        force: ForceOpt = False,
        backend: BackendOpt = BackendChoice.local,
        scheduler: SchedulerOpt = None,
        chunk: ChunkOpt = 1000,
        charts: Annotated[
            bool,
            typer.Option("--charts/--no-charts", help="另绘排名区间图 (rank-interval chart, PNG 与 SVG)。"),
        ] = False,
        replications: Annotated[
            bool,
            typer.Option(
                "--replications/--no-replications",
                help="另写 replications.parquet (每次重复的假设、float32 指数与排名)。",
            ),
        ] = False,
        methods: dict[str, Any] | None = None,
    ) -> None:
        """不确定性分析 (uncertainty)：蒙特卡洛模拟排名区间。

        输出 uncertainty.csv 与 uncertainty.json；--replications 另写每次重复的结果，--charts 另绘排名区间图。
        """
        from mfgindex.cli.console import err, guarded, print_outputs
        from mfgindex.core.files import check_out_dir
        from mfgindex.core.outdir import check_replaceable, output_folder, output_paths
        from mfgindex.robust import limits
        from mfgindex.robust import uncertainty as ua_mod

        def go() -> None:
            check_out_dir(out_dir)
            check_replaceable(out_dir, force)
            limits.check_evaluations(n, f"{n:,} replications")  # before evaluating
            options = make_options(framework, data, year, previous_year, top, seed, methods)
            result, ds, factors = nominal_run(options, assumptions_file)
            with output_folder(out_dir, "uncertainty", force=force) as stage:
                parquet = stage / "replications.parquet" if replications else None
                with progress_bar(n, "不确定性分析 (uncertainty)") as progress:
                    res = ua_mod.run(result, ds, factors, n, seed, chunk=chunk, backend=backend.value,
                                     scheduler=scheduler, parquet=parquet, progress=progress)  # fmt: skip
                config = {"options": options.record(), "seed": seed, "chunk": chunk,
                          "assumptions": [f.describe() for f in factors]}  # fmt: skip
                written = [*ua_mod.write(res, stage, config), *([parquet] if parquet else [])]
                if charts:
                    from mfgindex.robust import charts as charts_mod  # matplotlib: only when asked

                    written += charts_mod.rank_intervals(res.stats, stage / "rank_intervals",
                                                         f"{result.framework.name_zh or result.framework.id} · {result.year}")  # fmt: skip  # noqa: E501
            written = output_paths(out_dir, stage, written)
            if res.n_nan:
                err.print(f"[yellow]warning[/yellow] {res.n_nan} unit-replications without a score "
                          f"(geometric/harmonic mean over a value ≤ 0) in {res.n_replications_with_nan} "
                          "replications; those units are unranked there (column n_ranked)")  # fmt: skip
            print_outputs(out_dir, (p.name for p in written))

        guarded(go)
