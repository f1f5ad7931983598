"""Command-line options shared by every command that evaluates (run, audit, uncertainty, toolbox …).

Kept apart from ``mfgindex.cli.main`` so that plugin CLIs can use them without importing the main app.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from mfgindex.core.errors import UserError
from mfgindex.core.framework import AggregateMethod, ImputeMethod, NormaliseMethod, TreatMethod
from mfgindex.services.runner import Options

FrameworkOpt = Annotated[
    str, typer.Option("--framework", "-f", help="Preset name (caict2023), YAML file or COINr iMeta CSV.")
]
DataOpt = Annotated[
    list[Path] | None,
    typer.Option(
        "--data",
        "-d",
        help="CSV/XLSX file or folder (long or wide layout); repeatable. Default: embedded data.",
    ),
]
YearOpt = Annotated[
    int | None,
    typer.Option(
        "--year", "-y", help="Year to evaluate (default 2022 for the embedded data, else the latest)."
    ),
]
PrevOpt = Annotated[
    int | None, typer.Option("--previous-year", help="Year to compare ranks with (default year − 1).")
]
TopOpt = Annotated[
    int | None,
    typer.Option("--top", "-n", help="Size of the published list (default from the framework, 50)."),
]
AcceptOpt = Annotated[
    list[Path] | None,
    typer.Option(
        "--accept",
        help="认可清单 (reviewed findings): CSV code,year,variable,kind,value,reason; repeatable.",
    ),
]
CorrectionsOpt = Annotated[
    list[Path] | None,
    typer.Option(
        "--corrections",
        help="更正文件 (corrections): CSV code,year,variable,value,reason replacing the data's values.",
    ),
]
AllowThinOpt = Annotated[
    bool,
    typer.Option(
        "--allow-thin",
        help="数据过薄的年份也计算 (evaluate a year where a dimension has < 50 % of its cells).",
    ),
]


DenominateOpt = Annotated[
    bool | None, typer.Option("--denominate/--no-denominate", help="Divide indicators by their Denominator.")
]
ImputeOpt = Annotated[ImputeMethod | None, typer.Option(help="Imputation of missing values.")]
ImputeGroupOpt = Annotated[
    str | None,
    typer.Option(
        help="Grouping column for group imputation (province, region, or a data group such as EurAsia_group)."
    ),
]
CoverageOpt = Annotated[
    float | None, typer.Option(help="Drop units with less than this share of indicators (0-1).")
]
TreatOpt = Annotated[
    TreatMethod | None, typer.Option(help="Outlier treatment (COINr's winsorisation rule) or none.")
]
NormaliseOpt = Annotated[NormaliseMethod | None, typer.Option(help="Normalisation method.")]
RangeOpt = Annotated[str | None, typer.Option("--range", help="Min-max target range LO,HI (default 0,100).")]
AggregateOpt = Annotated[AggregateMethod | None, typer.Option(help="Aggregation at every level.")]
PanelOpt = Annotated[
    bool | None,
    typer.Option("--panel/--no-panel", help="Normalise both years together (comparable over time)."),
]


def method_options(
    denominate: bool | None = None,
    impute: ImputeMethod | None = None,
    impute_group: str | None = None,
    min_coverage: float | None = None,
    treat: TreatMethod | None = None,
    normalise: NormaliseMethod | None = None,
    range_: str | None = None,
    aggregate: AggregateMethod | None = None,
    panel: bool | None = None,
) -> dict[str, Any]:
    """The method overrides given on the command line, as keyword changes for ``Methods``."""
    methods: dict[str, Any] = {
        "denominate": denominate,
        "impute": impute,
        "impute_group": impute_group,
        "min_coverage": min_coverage,
        "treat": treat,
        "normalise": normalise,
        "aggregate": aggregate,
        "panel": panel,
    }
    if range_ is not None:
        try:
            lo, hi = (float(v) for v in range_.split(","))
        except ValueError:
            raise UserError(f"--range must be LO,HI such as 1,100, not {range_!r}") from None
        methods["range"] = (lo, hi)
    return {k: v for k, v in methods.items() if v is not None}


def make_options(
    framework: str,
    data: list[Path] | None,
    year: int | None,
    previous_year: int | None = None,
    top: int | None = None,
    seed: int = 0,
    methods: dict[str, Any] | None = None,
    accept: list[Path] | None = None,
    corrections: list[Path] | None = None,
    allow_thin: bool = False,
) -> Options:
    """``runner.Options`` from the command line's values."""
    return Options(
        framework,
        tuple(str(d) for d in data or ()),
        year,
        previous_year,
        top,
        seed,
        methods or {},
        tuple(str(a) for a in accept or ()),
        tuple(str(c) for c in corrections or ()),
        allow_thin,
    )
