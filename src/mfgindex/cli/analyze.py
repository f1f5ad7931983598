"""``mfgindex analyze``: the list-level analyses of a published ranking (thin layer over the library)."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import pandas as pd
import typer

from mfgindex.analysis.summary import analyze_ranking
from mfgindex.analysis.table import read_published_ranking
from mfgindex.analysis.text import markdown
from mfgindex.core import geo
from mfgindex.core.errors import Problem, UserError
from mfgindex.core.ingest import read_csv


def read_primacy(path: str | Path) -> pd.Series:
    """Read 首位度 per capital: columns ``city`` (or ``capital``/省会城市) and ``industrial_primacy_pct`` (%)
    or ``primacy`` (fraction). Returns fractions by adcode.

    Raises
    ------
    UserError
        Missing columns, unknown cities or non-numeric values, with file/row/column.
    """
    fname = str(path)
    try:
        df = read_csv(Path(path), dtype=str, keep_default_na=False)[0]
    except (OSError, ValueError) as exc:
        raise UserError(Problem(f"无法读取文件: {exc}", file=fname)) from exc
    city_col = next((c for c in ("city", "capital", "省会城市", "城市") if c in df.columns), None)
    val_col = next(
        (c for c in ("industrial_primacy_pct", "primacy", "工业经济首位度") if c in df.columns), None
    )
    if city_col is None or val_col is None:
        raise UserError(
            Problem(
                "缺少必需列",
                file=fname,
                column="city" if city_col is None else "industrial_primacy_pct",
                expected="city, industrial_primacy_pct (%) 或 primacy (比例)",
            )
        )
    problems: list[Problem] = []
    values: dict[str, float] = {}
    for i, rec in enumerate(df.to_dict("records")):
        m = geo.resolve(str(rec[city_col]))
        if m.code is None:
            problems.append(
                Problem(m.reason, file=fname, row=i + 2, column=city_col, value=str(rec[city_col]))
            )
            continue
        text = str(rec[val_col]).strip().rstrip("%")
        try:
            v = float(text)
        except ValueError:
            problems.append(Problem("不是数值", file=fname, row=i + 2, column=val_col, value=text))
            continue
        values[m.code] = v / 100 if val_col != "primacy" else v
    if problems:
        raise UserError(problems)
    return pd.Series(values, name="primacy", dtype=float)


def analyze_command(
    ranking: Annotated[
        Path,
        typer.Option(
            "--ranking", help="已发布的榜单 (ranking)：CSV/XLSX，列为 province、city、national_rank 等。"
        ),
    ],
    out: Annotated[
        Path, typer.Option("--out", help="输出目录 (output folder)：写入 analysis.json 与 analysis.md。")
    ],
    top: Annotated[int, typer.Option("--top", min=1, help="分析前 N 名 (top N)。")] = 50,
    clusters: Annotated[
        str,
        typer.Option(
            "--clusters",
            help=(
                "城市群定义 (city clusters)：caict2023（中国信通院2023年报告所用，长三角取中心区27城）"
                "或 plans2016。"
            ),
        ),
    ] = geo.DEFAULT_CLUSTER_DEFINITION,
    primacy: Annotated[
        Path | None,
        typer.Option(
            "--primacy", help="省会工业首位度 (primacy)：可选 CSV，列为 city、industrial_primacy_pct。"
        ),
    ] = None,
    min_gain: Annotated[
        int, typer.Option("--min-gain", min=1, help="最少提升位次 (minimum gain)：计入“进步最快”的门槛。")
    ] = 3,
) -> None:
    """榜单分析 (analyze)：分析一份已发布的榜单。

    区域、省份、城市群、省会城市与排名变化。
    """
    try:
        if clusters not in geo.CLUSTER_DEFINITIONS:
            raise UserError(
                Problem(
                    "未知的城市群定义",
                    column="--clusters",
                    value=clusters,
                    expected=" / ".join(sorted(geo.CLUSTER_DEFINITIONS)),
                )
            )
        table = read_published_ranking(ranking)
        prim = read_primacy(primacy) if primacy is not None else None
        result = analyze_ranking(table, n=top, clusters=clusters, primacy=prim, min_gain=min_gain)
        doc = json.dumps(result.to_dict(), ensure_ascii=False, indent=2)
        md = markdown(result, title=f"{top}强城市榜单分析", source=ranking.name)
    except UserError as exc:
        for p in exc.problems:
            typer.echo(f"error: {p}", err=True)
        raise typer.Exit(2) from None
    from mfgindex.core.outdir import output_folder

    try:
        with output_folder(out, "analyze") as stage:
            (stage / "analysis.json").write_text(doc + "\n", encoding="utf-8")
            (stage / "analysis.md").write_text(md, encoding="utf-8")
    except UserError as exc:
        for p in exc.problems:
            typer.echo(f"error: {p}", err=True)
        raise typer.Exit(2) from None
    print(f"wrote {out / 'analysis.json'} and {out / 'analysis.md'}", file=sys.stderr)


def register(app: typer.Typer) -> None:
    """Add ``analyze`` to the main CLI."""
    app.command("analyze")(analyze_command)
