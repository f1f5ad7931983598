"""Command-line options shared by every command that evaluates (run, audit, uncertainty, toolbox …).

Kept apart from ``mfgindex.cli.main`` so that plugin CLIs can use them without importing the main app.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Annotated, Any

import typer
from typer.core import TyperCommand

from mfgindex.core.errors import UserError
from mfgindex.core.methods import AggregateMethod, ImputeMethod, NormaliseMethod, TreatMethod
from mfgindex.services.runner import RunSpec

FrameworkOpt = Annotated[
    str,
    typer.Option(
        "--framework",
        "-f",
        help=(
            "评价框架 (framework)：预设名 caict2023（中国信通院2023年评价框架）、YAML 文件"
            "或 COINr iMeta CSV。"
        ),
    ),
]
DataOpt = Annotated[
    list[Path] | None,
    typer.Option(
        "--data",
        "-d",
        help="数据文件 (data)：CSV/XLSX 文件或文件夹，长表或宽表，可重复给出；默认用内置数据。",
    ),
]
MapOpt = Annotated[
    Path | None,
    typer.Option(
        "--map",
        "-m",
        help="列名映射 (column map)：YAML 或 CSV，文件中的列 → 变量 id；目标为空则忽略该列。",
    ),
]
DefaultDataOpt = Annotated[
    bool,
    typer.Option(
        "--default-data/--no-default-data",
        help="默认预设下，--data 按单元格覆盖内置数据 (overlay on the embedded data，默认)；"
        "--no-default-data 只用给定数据。",
    ),
]
YearOpt = Annotated[
    int | None,
    typer.Option("--year", "-y", help="评价年份 (year)：内置数据默认 2022，其他数据默认最新一年。"),
]
PrevOpt = Annotated[
    int | None,
    typer.Option("--previous-year", help="对比年份 (previous year)：与之比较排名变化，默认评价年份减 1。"),
]
TopOpt = Annotated[
    int | None,
    typer.Option("--top", "-n", help="榜单长度 (list size N)：默认取框架设定，50。"),
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
ForceOpt = Annotated[
    bool,
    typer.Option(
        "--force",
        help="强制写入 (force)：输出目录中有不是 mfgindex 写出的文件时仍写入"
        "（这些文件保留，同名文件被替换）。",
    ),
]


DenominateOpt = Annotated[
    bool | None,
    typer.Option("--denominate/--no-denominate", help="按分母折算 (denominate)：指标除以框架中的分母变量。"),
]
ImputeOpt = Annotated[ImputeMethod | None, typer.Option(help="缺失值插补 (imputation) 方法。")]
ImputeGroupOpt = Annotated[
    str | None,
    typer.Option(
        help="分组插补的分组列 (imputation group)：province、region 或数据中的分组列（如 EurAsia_group）。"
    ),
]
CoverageOpt = Annotated[
    float | None,
    typer.Option(help="最低数据覆盖率 (minimum coverage)：指标覆盖率低于此比例（0-1）的单位不参评。"),
]
TreatOpt = Annotated[
    TreatMethod | None, typer.Option(help="异常值处理 (outlier treatment)：COINr 缩尾规则或 none。")
]
NormaliseOpt = Annotated[NormaliseMethod | None, typer.Option(help="标准化方法 (normalisation)。")]
RangeOpt = Annotated[
    str | None, typer.Option("--range", help="极差标准化的目标区间 (min-max range)：LO,HI，默认 0,100。")
]
AggregateOpt = Annotated[AggregateMethod | None, typer.Option(help="各层级的加总方法 (aggregation)。")]
PanelOpt = Annotated[
    bool | None,
    typer.Option("--panel/--no-panel", help="两年合并标准化 (panel)：使得分跨年可比。"),
]


class Command(TyperCommand):
    """A typer command whose options left out cost nothing to parse (``@app.command(cls=Command)``).

    typer (0.2x) coerces each parameter through a pydantic ``TypeAdapter`` built the first time the
    parameter is processed — also for an option that was not given, whose value (None) the adapter never
    sees: ``uncertainty`` built 22 adapters (≈ 8 ms) of which 11 for options left out. Here a parameter's
    coercion is built on its first value that is not None instead; values, defaults and error messages are
    typer's own (None is returned as typer's ``RuntimeParam.coerce`` returns it). A typer without this
    machinery (no ``_runtime_param``) runs as it is.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for param in self.params:
            if getattr(param, "_runtime_param", False) is None and hasattr(param, "type_descriptor"):
                param._runtime_param = _CoerceOnFirstValue(param.type_descriptor)  # type: ignore[attr-defined]


class _CoerceOnFirstValue:
    """Stands for a parameter's typer coercion until a value other than None reaches it."""

    __slots__ = ("descriptor",)

    def __init__(self, descriptor: Any) -> None:
        self.descriptor = descriptor

    def coerce(self, value: Any, param: Any, ctx: Any) -> Any:
        if value is None:  # as typer's RuntimeParam.coerce, without building the adapter
            return () if param.multiple or param.nargs == -1 else None
        from typer._coercion import build_runtime_param

        param._runtime_param = real = build_runtime_param(self.descriptor)
        return real.coerce(value, param=param, ctx=ctx)


#: The method options of every command that evaluates, in the order ``--help`` shows them (after the
#: command's own): parameter name → annotation. :func:`with_method_options` adds them.
METHOD_OPTIONS: dict[str, Any] = {
    "denominate": DenominateOpt,
    "impute": ImputeOpt,
    "impute_group": ImputeGroupOpt,
    "min_coverage": CoverageOpt,
    "treat": TreatOpt,
    "normalise": NormaliseOpt,
    "range_": RangeOpt,
    "aggregate": AggregateOpt,
    "panel": PanelOpt,
}


def with_method_options(command: Callable[..., None]) -> Callable[..., None]:
    """``command`` with the method options (``--denominate`` … ``--panel``) after its own parameters; they
    reach it as one keyword argument ``methods`` (option → value given, None where not given), which
    :func:`make_options` reads."""
    own = inspect.signature(command, eval_str=True)
    params = [
        p.replace(kind=inspect.Parameter.KEYWORD_ONLY) for p in own.parameters.values() if p.name != "methods"
    ]
    extra = [
        inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, annotation=annotation, default=None)
        for name, annotation in METHOD_OPTIONS.items()
    ]

    def wrapper(**kw: Any) -> None:
        flags = {name: kw.pop(name) for name in METHOD_OPTIONS}
        command(**kw, methods=flags)

    wrapper.__signature__ = own.replace(parameters=params + extra)  # type: ignore[attr-defined]
    wrapper.__name__, wrapper.__doc__ = command.__name__, command.__doc__
    wrapper.__module__, wrapper.__qualname__ = command.__module__, command.__qualname__
    return wrapper


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
    methods: Mapping[str, Any] | None = None,
    accept: list[Path] | None = None,
    corrections: list[Path] | None = None,
    allow_thin: bool = False,
    column_map: Path | None = None,
    default_data: bool = True,
) -> RunSpec:
    """The run's :class:`~mfgindex.core.spec.RunSpec` from the command line's values — the one place the CLI
    builds it. ``methods`` are the method options as given (see :func:`with_method_options`); ``--range`` is
    read here."""
    return RunSpec(
        framework=framework,
        data=tuple(str(d) for d in data or ()),
        year=year,
        previous_year=previous_year,
        top=top,
        seed=seed,
        methods=method_options(**(methods or {})),
        accept=tuple(str(a) for a in accept or ()),
        corrections=tuple(str(c) for c in corrections or ()),
        allow_thin=allow_thin,
        column_map=str(column_map) if column_map is not None else None,
        default_data=default_data,
    )


def explain_municipalities(names: Iterable[str]) -> None:
    """Where a city is asked for and the user names a municipality (北京 …, by name or adcode), say on stderr
    that municipalities are provincial-level units and not ranked (the command still runs)."""
    from rich.markup import escape

    from mfgindex.cli.console import err
    from mfgindex.core.geo import municipality_note

    for name in names:
        note = municipality_note(name)
        if note is not None:
            err.print(f"[cyan]note[/cyan] {escape(note)}", highlight=False, soft_wrap=True)
