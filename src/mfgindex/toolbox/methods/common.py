"""What every toolbox method shares: its output, the registry, option declarations and helpers.

A method is a body ``(ctx, **options) → Output`` registered with :func:`method`. Its parameters after
``ctx`` declare their command-line options as ``Annotated[type, Option("--flag", help=…)]`` — plain data
that the CLI (``mfgindex toolbox NAME``) turns into typer options and the report's 研究工具 section ignores.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import pandas as pd

from mfgindex.core.errors import Problem, UserError

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from mfgindex.core.framework import Framework
    from mfgindex.toolbox.panel import Panel
    from mfgindex.toolbox.source import Context


class Option:
    """The command-line option of a method parameter: ``Option("--top-k", min=1, help=…)`` (typer's
    ``Option`` arguments kept as data, so that the toolbox does not depend on the CLI)."""

    def __init__(self, *decls: str, **kwargs: Any) -> None:
        self.decls = decls
        self.kwargs = kwargs


@dataclass
class Output:
    """What a method's body returns: sheets of results.xlsx, entries for ``about``, figures by file stem."""

    sheets: Mapping[str, pd.DataFrame]
    about: Mapping[str, Any]
    figures: Mapping[str, Figure] = field(default_factory=dict)


#: Method name → its body ``(ctx, **options) -> Output`` (the CLI's commands, the report's 研究工具 section).
METHODS: dict[str, Callable[..., Output]] = {}
#: Methods on a panel of years (their commands get ``--years`` and ``--comparable/--per-year``).
PANEL_METHODS: set[str] = set()


def method(name: str, panel: bool = False) -> Callable[[Callable[..., Output]], Callable[..., Output]]:
    """Register ``body(ctx, **options) -> Output`` as the toolbox method ``name``."""

    def register(body: Callable[..., Output]) -> Callable[..., Output]:
        METHODS[name] = body
        if panel:
            PANEL_METHODS.add(name)
        return body

    return register


GroupsOpt = Annotated[
    str, Option("--groups", help="分组 (grouping)：region（四大区域）或 cluster（城市群）。")
]
VariableOpt = Annotated[
    str | None, Option("--variable", help="分析变量 (variable)：聚合项 id，默认为总指数。")
]


def parse_years(text: str | None, ctx: Context) -> tuple[int, ...]:
    from mfgindex.toolbox.panel import default_years

    if not text:
        return default_years(ctx.ds, ctx.result.year)
    out: set[int] = set()
    try:
        for part in text.split(","):
            if "-" in part:
                a, b = (int(v) for v in part.split("-"))
                out.update(range(a, b + 1))
            elif part.strip():
                out.add(int(part))
    except ValueError:
        raise UserError(
            Problem("cannot read years", column="--years", value=text, expected="2018-2022 or 2019,2021")
        ) from None
    return tuple(sorted(out))


def panel_of(ctx: Context) -> Panel:
    """The panel of ``--years`` / ``--comparable`` (given to a ``panel=True`` command)."""
    from mfgindex.toolbox.panel import build_panel

    ys = parse_years(ctx.years, ctx)
    ctx.about.update({"years": list(ys), "comparable": ctx.comparable})
    return build_panel(ctx.ds, ctx.framework, ys, ctx.comparable)


def check_choice(value: str, choices: tuple[str, ...], what: str, option: str) -> None:
    """Refuse an ``option`` value outside ``choices`` ("unknown ``what``", the choices expected)."""
    if value not in choices:
        raise UserError(Problem(f"unknown {what}", column=option, value=value, expected=", ".join(choices)))


def unit_groups(kind: str, units: pd.DataFrame, clusters: str = "caict2023") -> pd.Series:
    from mfgindex.core import geo

    if kind == "region":
        return units["region"]
    if kind == "cluster":
        m = geo.cluster_membership(clusters)
        return pd.Series(m["cluster_zh"].to_numpy(), index=m["code"].to_numpy()).groupby(level=0).first()
    raise UserError(Problem("unknown grouping", column="--groups", value=kind, expected="region or cluster"))


def label(frame: pd.DataFrame, units: pd.DataFrame) -> pd.DataFrame:
    """Add name, province and region after the unit code (index)."""
    out = frame.copy()
    for col in ("region", "province", "name"):
        if col in units.columns and col not in out.columns:
            out.insert(0, col, units[col].reindex(out.index).to_numpy())
    out.index.name = "code"
    return out


def node_names(fw: Framework) -> dict[str, str]:
    from mfgindex.core.framework import walk

    return {n.id: n.name_zh or n.id for n in walk(fw.root)}


def write_results(
    out: Path,
    sheets: Mapping[str, pd.DataFrame],
    about: Mapping[str, Any],
    figures: Mapping[str, Figure] | None = None,
) -> list[Path]:
    """Write ``results.xlsx`` (an ``about`` sheet with the parameters, then one sheet per output, through
    the cell rule of ``mfgindex.core.files``) and the figures as PNG, all-or-nothing."""
    from mfgindex.core.files import save_xlsx
    from mfgindex.core.outdir import output_folder, output_paths
    from mfgindex.toolbox import plots

    frames: dict[str, pd.DataFrame] = {
        "about": pd.DataFrame(
            {
                "key": [str(k) for k in about],
                "value": [v if isinstance(v, int | float) else str(v) for v in about.values()],
            }
        )
    }
    for name, frame in sheets.items():
        f = (
            frame.reset_index()
            if frame.index.name is not None or not isinstance(frame.index, pd.RangeIndex)
            else frame
        )
        frames[name[:31]] = f
    with output_folder(out, "toolbox") as stage:
        written = [save_xlsx(frames, stage / "results.xlsx")]
        for stem, fig in (figures or {}).items():
            written.append(plots.save(fig, stage / f"{stem}.png"))
    return output_paths(out, stage, written)


def read_external(path: Path, column: str | None) -> pd.Series:
    """A series by city from a user's CSV/XLSX (a ``code``/``city`` column and a value column), read through
    the one reader of users' tables; every unresolved city or unreadable number is reported with its row."""
    from mfgindex.core import geo, ingest

    try:
        df = ingest.read_cells(path)[0]
    except (OSError, ValueError) as exc:
        raise UserError(Problem(f"cannot read: {exc}", file=str(path))) from None
    key = next((c for c in ("code", "adcode", "city", "城市", "name") if c in df.columns), None)
    value = column or next((c for c in df.columns if c != key and c not in ("province", "省份")), None)
    if key is None or value is None or value not in df.columns:
        raise UserError(
            Problem(
                "need a city column (code/city) and a value column",
                file=str(path),
                expected="columns code or city, and --external-column",
            )
        )
    values: dict[str, float] = {}
    problems = []
    for i, rec in enumerate(df.to_dict("records")):
        m = geo.resolve(str(rec[key]), str(rec.get("province", "")) or None)
        if m.code is None:
            problems.append(Problem(m.reason, file=str(path), row=i + 2, column=key, value=str(rec[key])))
            continue
        try:
            values[m.code] = float(str(rec[value]).strip())
        except ValueError:
            problems.append(
                Problem("not a number", file=str(path), row=i + 2, column=value, value=str(rec[value]))
            )
    if problems:
        raise UserError(problems)
    return pd.Series(values, name=value, dtype=float)
