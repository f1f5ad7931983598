"""``mfgindex audit | uncertainty | sensitivity``: thin commands over :mod:`mfgindex.robust`."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from mfgindex.cli.options import (
    AggregateOpt,
    CoverageOpt,
    DataOpt,
    DenominateOpt,
    FrameworkOpt,
    ImputeGroupOpt,
    ImputeOpt,
    NormaliseOpt,
    PanelOpt,
    PrevOpt,
    RangeOpt,
    TopOpt,
    TreatOpt,
    YearOpt,
)

if TYPE_CHECKING:
    from mfgindex.core.dataset import Dataset
    from mfgindex.core.result import Result
    from mfgindex.robust.assumptions import Factor
    from mfgindex.services.runner import Options


class BackendChoice(StrEnum):
    local = "local"
    dask = "dask"


OutOpt = Annotated[Path, typer.Option("--out", "-o", help="Output folder.")]
SeedOpt = Annotated[int, typer.Option(help="Random seed (0 is valid); the same seed gives identical files.")]
AssumptionsOpt = Annotated[
    Path | None,
    typer.Option(
        "--assumptions",
        "-a",
        help="YAML file of assumptions (see docs/robustness.md). Default: COINr's sensitivity-vignette set.",
    ),
]
BackendOpt = Annotated[
    BackendChoice, typer.Option(help="Where replications run: this process, or a Dask cluster.")
]
SchedulerOpt = Annotated[
    str | None,
    typer.Option(help="Dask scheduler address (tcp://host:8786); default: a local cluster of 2 workers."),
]
ChunkOpt = Annotated[
    int, typer.Option(min=1, help="Replications per chunk (each chunk has its own random stream).")
]


@contextmanager
def _progress(total: int, label: str) -> Iterator[Callable[[int], None]]:
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from mfgindex.cli.main import err

    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  console=err, transient=False) as bar:  # fmt: skip
        task = bar.add_task(label, total=total)
        yield lambda done: bar.update(task, completed=done)


def _evaluate(options: Options) -> tuple[Result, Dataset]:
    from rich.markup import escape

    from mfgindex.cli.main import err
    from mfgindex.core import pipeline
    from mfgindex.services.runner import default_year, load

    ds, framework, warnings = load(options)
    for w in warnings:
        err.print(f"[yellow]warning[/yellow] {escape(str(w))}", highlight=False)
    year = default_year(ds, options)
    return pipeline.evaluate(ds, framework, year, options.previous_year, options.seed), ds


def _factors(path: Path | None, result: Result) -> list[Factor]:
    from mfgindex.robust import assumptions

    if path is None:
        return assumptions.default_assumptions(result.framework)
    return assumptions.load(path, result.framework)


def register(app: typer.Typer) -> None:
    """Add the robustness commands to the main CLI."""

    @app.command()
    def audit(
        framework: FrameworkOpt = "caict2023",
        data: DataOpt = None,
        year: YearOpt = None,
        previous_year: PrevOpt = None,
        top: TopOpt = None,
        out_dir: OutOpt = Path("out/audit"),
        denominate: DenominateOpt = None,
        impute: ImputeOpt = None,
        impute_group: ImputeGroupOpt = None,
        min_coverage: CoverageOpt = None,
        treat: TreatOpt = None,
        normalise: NormaliseOpt = None,
        range_: RangeOpt = None,
        aggregate: AggregateOpt = None,
        panel: PanelOpt = None,
    ) -> None:
        """Statistical audit: correlations (flags), Cronbach's α, PCA, effective weights (η²), coverage."""
        from mfgindex.cli.main import err, guarded, out
        from mfgindex.cli.options import make_options, method_options
        from mfgindex.core.files import check_out_dir
        from mfgindex.robust import audit as audit_mod

        def go() -> None:
            check_out_dir(out_dir)
            methods = method_options(denominate, impute, impute_group, min_coverage, treat, normalise, range_,
                                     aggregate, panel)  # fmt: skip
            with err.status("审计计算中 (auditing)…"):
                result, ds = _evaluate(make_options(framework, data, year, previous_year, top, 0, methods))
                a = audit_mod.audit(result, ds)
                written = audit_mod.write_audit(a, out_dir)
            flagged = a.correlations[a.correlations.flag != ""]
            low_alpha = a.cronbach[(a.cronbach.over == "children") & (a.cronbach.alpha < 0.7)]
            out.print(f"{len(flagged)} flagged correlations; α < 0.7 for children of: "
                      + (", ".join(map(str, low_alpha["aggregate"])) or "none"))  # fmt: skip
            out.print(f"输出 (outputs) → {out_dir}/: " + ", ".join(p.name for p in written))

        guarded(go)

    @app.command()
    def uncertainty(
        framework: FrameworkOpt = "caict2023",
        data: DataOpt = None,
        year: YearOpt = None,
        previous_year: PrevOpt = None,
        top: TopOpt = None,
        n: Annotated[int, typer.Option("--n", min=1, help="Number of Monte Carlo replications.")] = 1000,
        seed: SeedOpt = 0,
        assumptions_file: AssumptionsOpt = None,
        out_dir: OutOpt = Path("out/uncertainty"),
        backend: BackendOpt = BackendChoice.local,
        scheduler: SchedulerOpt = None,
        chunk: ChunkOpt = 1000,
        charts: Annotated[
            bool, typer.Option("--charts/--no-charts", help="Draw the rank-interval chart.")
        ] = True,
        denominate: DenominateOpt = None,
        impute: ImputeOpt = None,
        impute_group: ImputeGroupOpt = None,
        min_coverage: CoverageOpt = None,
        treat: TreatOpt = None,
        normalise: NormaliseOpt = None,
        range_: RangeOpt = None,
        aggregate: AggregateOpt = None,
        panel: PanelOpt = None,
    ) -> None:
        """Monte Carlo uncertainty of the ranks → uncertainty.csv, replications.parquet, rank chart."""
        from mfgindex.cli.main import err, guarded, out
        from mfgindex.cli.options import make_options, method_options
        from mfgindex.core.files import check_out_dir
        from mfgindex.robust import charts as charts_mod
        from mfgindex.robust import limits
        from mfgindex.robust import uncertainty as ua_mod

        def go() -> None:
            check_out_dir(out_dir)
            limits.check_evaluations(n, f"{n:,} replications")  # before evaluating
            methods = method_options(denominate, impute, impute_group, min_coverage, treat, normalise, range_,
                                     aggregate, panel)  # fmt: skip
            options = make_options(framework, data, year, previous_year, top, seed, methods)
            with err.status("评价计算中 (evaluating)…"):
                result, ds = _evaluate(options)
                factors = _factors(assumptions_file, result)
            out_dir.mkdir(parents=True, exist_ok=True)
            with _progress(n, "不确定性分析 (uncertainty)") as progress:
                res = ua_mod.run(result, ds, factors, n, seed, chunk=chunk, backend=backend.value,
                                 scheduler=scheduler, parquet=out_dir / "replications.parquet",
                                 progress=progress)  # fmt: skip
            config = {"options": options.record(), "seed": seed, "chunk": chunk,
                      "assumptions": [f.describe() for f in factors]}  # fmt: skip
            written = [*ua_mod.write(res, out_dir, config), out_dir / "replications.parquet"]
            if charts:
                written += charts_mod.rank_intervals(res.stats, out_dir / "rank_intervals",
                                                     f"{result.framework.name_zh or result.framework.id} · {result.year}")  # fmt: skip  # noqa: E501
            if res.n_nan:
                err.print(f"[yellow]warning[/yellow] {res.n_nan} unit-replications without a score "
                          f"(geometric/harmonic mean over a value ≤ 0) in {res.n_replications_with_nan} "
                          "replications; those units are unranked there (column n_ranked)")  # fmt: skip
            out.print(f"输出 (outputs) → {out_dir}/: " + ", ".join(p.name for p in written))

        guarded(go)

    @app.command()
    def sensitivity(
        framework: FrameworkOpt = "caict2023",
        data: DataOpt = None,
        year: YearOpt = None,
        previous_year: PrevOpt = None,
        top: TopOpt = None,
        n: Annotated[
            int, typer.Option("--n", min=2, help="Base sample size N (power of 2); runs = N·(d + 2).")
        ] = 512,
        seed: SeedOpt = 0,
        assumptions_file: AssumptionsOpt = None,
        out_dir: OutOpt = Path("out/sensitivity"),
        backend: BackendOpt = BackendChoice.local,
        scheduler: SchedulerOpt = None,
        chunk: ChunkOpt = 1000,
        per_unit: Annotated[
            bool,
            typer.Option(
                "--per-unit/--no-per-unit", help="Also Sobol indices of each unit's index (sobol_units.csv)."
            ),
        ] = True,
        charts: Annotated[
            bool, typer.Option("--charts/--no-charts", help="Draw the Sobol bar chart.")
        ] = True,
        denominate: DenominateOpt = None,
        impute: ImputeOpt = None,
        impute_group: ImputeGroupOpt = None,
        min_coverage: CoverageOpt = None,
        treat: TreatOpt = None,
        normalise: NormaliseOpt = None,
        range_: RangeOpt = None,
        aggregate: AggregateOpt = None,
        panel: PanelOpt = None,
    ) -> None:
        """Sobol sensitivity (SALib) of the mean absolute rank shift and each unit's index → sobol.csv."""
        from mfgindex.cli.main import err, guarded, out
        from mfgindex.cli.options import make_options, method_options
        from mfgindex.core.files import check_out_dir
        from mfgindex.robust import charts as charts_mod
        from mfgindex.robust import sensitivity as sa_mod

        def go() -> None:
            check_out_dir(out_dir)
            methods = method_options(denominate, impute, impute_group, min_coverage, treat, normalise, range_,
                                     aggregate, panel)  # fmt: skip
            options = make_options(framework, data, year, previous_year, top, seed, methods)
            with err.status("评价计算中 (evaluating)…"):
                result, ds = _evaluate(options)
                factors = _factors(assumptions_file, result)
            sa_mod.check_size(result, factors, n)  # before the progress bar and any work
            if n & (n - 1):
                err.print(f"[yellow]warning[/yellow] --n {n} is not a power of 2; Sobol sequences "
                          "balance best at powers of 2")  # fmt: skip
            runs = n * (len(factors) + 2)
            with _progress(runs, "敏感性分析 (Sobol)") as progress:
                res = sa_mod.run(result, ds, factors, n, seed, chunk=chunk, backend=backend.value,
                                 scheduler=scheduler, per_unit=per_unit, progress=progress)  # fmt: skip
            config = {"options": options.record(), "seed": seed, "chunk": chunk,
                      "assumptions": [f.describe() for f in factors]}  # fmt: skip
            written = sa_mod.write(res, out_dir, config)
            if charts:
                written += charts_mod.sobol_bars(res.sobol, out_dir / "sobol")
            out.print(res.sobol.round(3).to_string(index=False))
            out.print(f"输出 (outputs) → {out_dir}/: " + ", ".join(p.name for p in written))

        guarded(go)
