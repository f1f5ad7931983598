"""CLI of the policy library: ``policy {import,search,list}``, ``homogeneity``, ``benchmarks {compare,list}``.

``cli/main.py`` calls :func:`register`. Commands are thin: parse → library call → print.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import pandas as pd
import typer
from rich.console import Console
from rich.table import Table

out = Console(highlight=False, soft_wrap=True)

WorkspaceOpt = Annotated[
    Path | None,
    typer.Option("--workspace", "-w", help="工作区目录 (workspace)：默认用随包样例（只读）。"),
]


def _print(df: pd.DataFrame, title: str, limit: int | None = 50) -> None:
    table = Table(title=title)
    for c in df.columns:
        table.add_column(str(c), overflow="fold")
    shown = df if limit is None else df.head(limit)
    for row in shown.itertuples(index=False):
        table.add_row(*("" if v is None or (isinstance(v, float) and pd.isna(v)) else str(v) for v in row))
    out.print(table)
    if limit is not None and len(df) > limit:
        out.print(f"… {len(df) - limit} more rows")


def register(app: typer.Typer) -> None:
    """Add ``policy``, ``homogeneity`` and ``benchmarks`` to the main app."""
    from mfgindex.cli.console import guarded

    policy_app = typer.Typer(
        help="政策与案例库 (policy)：政府工作报告、政策文件与案例。",
        no_args_is_help=True,
    )

    @policy_app.command("import")
    def policy_import(
        file: Annotated[
            Path | None,
            typer.Argument(
                help="记录文件 (file)：CSV/XLSX，列 city、year、kind、department、title、text、tags、"
                "source、source_url。"
            ),
        ] = None,
        workspace: Annotated[Path, typer.Option("--workspace", "-w", help="工作区目录 (workspace)。")] = Path(
            "."
        ),
        sample: Annotated[
            bool,
            typer.Option("--sample", help="导入随包样例 (sample)：中国信通院2023年报告的表1、表2与专栏1–2。"),
        ] = False,
        entered_by: Annotated[str | None, typer.Option("--entered-by", help="录入人 (entered by)。")] = None,
    ) -> None:
        """导入政策记录 (policy import)：政策与案例记录。

        任一单元格有误则整份文件不导入；同一文件再次导入不做改动。
        """

        def go() -> None:
            from mfgindex.core.errors import Problem, UserError
            from mfgindex.policy import library, records

            path = records.sample_path() if sample else file
            if path is None:
                raise UserError(Problem("give a FILE or --sample", column="FILE"))
            r = library.import_policies(workspace, path, entered_by)
            if r.is_noop:
                out.print(f"no changes: {r.unchanged} records already in the workspace")
            else:
                out.print(
                    f"import {r.import_id}: {r.added} new, {r.changed} changed, {r.unchanged} unchanged"
                )

        guarded(go)

    @policy_app.command("search")
    def policy_search(
        words: Annotated[
            list[str] | None, typer.Argument(help="关键词 (words)：须全部出现，任何语言。")
        ] = None,
        workspace: WorkspaceOpt = None,
        city: Annotated[
            list[str] | None, typer.Option("--city", "-c", help="城市 (city)：城市名或 adcode，可重复给出。")
        ] = None,
        year: Annotated[
            list[int] | None, typer.Option("--year", "-y", help="年份 (year)：可重复给出。")
        ] = None,
        tag: Annotated[
            list[str] | None, typer.Option("--tag", "-t", help="标签 (tag)：须全部匹配，可重复给出。")
        ] = None,
        kind: Annotated[
            list[str] | None,
            typer.Option(
                "--kind", "-k", help="类型 (kind)：gov_work_report、policy_document 或 case_study。"
            ),
        ] = None,
        out_file: Annotated[
            Path | None, typer.Option("--out", "-o", help="输出 CSV (output)：写入文件而非打印。")
        ] = None,
    ) -> None:
        """检索政策 (policy search)：按城市、年份、标签、类型与关键词。

        规范化后的子串匹配，最相关的在前。
        """

        def go() -> None:
            from mfgindex.cli.options import explain_municipalities
            from mfgindex.policy import library

            explain_municipalities(city or ())
            q = library.Query.make(city or (), year or (), tag or (), kind or (), words or ())
            df = library.find(workspace, q)
            show = df.assign(
                tags=["、".join(t) for t in df["tags"]],
                text=[str(t)[:60] + ("…" if len(str(t)) > 60 else "") for t in df["text"]],
            )
            if out_file is not None:
                from mfgindex.core.files import save_csv

                save_csv(df.assign(tags=["；".join(t) for t in df["tags"]]), out_file)
                out.print(f"{len(df)} records → {out_file}")
                return
            _print(
                show[["city_name", "year", "kind", "department", "title", "text", "tags", "score"]],
                f"{len(df)} records",
            )

        guarded(go)

    @policy_app.command("list")
    def policy_list(workspace: WorkspaceOpt = None) -> None:
        """记录统计 (policy list)：各城市、年份与类型的记录数。"""

        def go() -> None:
            from mfgindex.policy import library

            _print(library.summary(library.load(workspace)), "policy library", None)

        guarded(go)

    @policy_app.command("render")
    def policy_render(
        out_file: Annotated[Path, typer.Option("--out", "-o", help="输出 HTML 文件 (output)。")],
        workspace: WorkspaceOpt = None,
        city: Annotated[
            list[str] | None, typer.Option("--city", "-c", help="城市 (city)：可重复给出。")
        ] = None,
        year: Annotated[
            list[int] | None, typer.Option("--year", "-y", help="年份 (year)：可重复给出。")
        ] = None,
    ) -> None:
        """政策页面 (policy render)：写成独立的 HTML 页面。

        含表1/表2、专栏、产业同构与国际对标部分。
        """

        def go() -> None:
            from mfgindex.cli.options import explain_municipalities
            from mfgindex.core.files import check_out_file, write_file_atomic
            from mfgindex.policy import library, render

            check_out_file(out_file)
            explain_municipalities(city or ())
            ctx = render.context(library.load(workspace), city, year)
            html = render.render_section(ctx)
            write_file_atomic(
                out_file,
                (
                    '<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8">'
                    "<title>政策举措</title></head>"
                    f"<body>{html}</body></html>"
                ).encode(),
            )
            out.print(f"→ {out_file}")

        guarded(go)

    app.add_typer(policy_app, name="policy")

    @app.command("homogeneity")
    def homogeneity_cmd(
        out_dir: Annotated[
            Path, typer.Option("--out", "-o", help="输出目录 (output folder)：results.xlsx 与热力图。")
        ],
        table: Annotated[
            Path | None,
            typer.Option(
                "--table", help="城市 × 行业表 (table)：CSV/XLSX，宽表，或长表 city、industry、value。"
            ),
        ] = None,
        year: Annotated[int | None, typer.Option("--year", "-y", help="年份 (year)：默认最新一年。")] = None,
        min_total: Annotated[
            float | None,
            typer.Option(
                "--min-total",
                help="最小总量 (minimum total)：总量更小的城市不计入（默认 20 家上市企业；0 为不限）。",
            ),
        ] = None,
        top: Annotated[
            int, typer.Option("--top", help="最相似城市对数 (top pairs)：每个省份或城市群列出的个数。")
        ] = 5,
    ) -> None:
        """产业同构 (homogeneity)：结构相似系数与 Krugman 指数。

        城市之间的产业结构相似系数与 Krugman 专业化指数（默认：上市企业、集群领域）。
        """

        def go() -> None:
            from mfgindex.policy import homogeneity as hom
            from mfgindex.policy import structures

            if table is not None:
                runs = [("", hom.analyse(structures.read_structure(table), year, min_total or 0.0, top))]
            else:
                runs = [
                    (
                        "listed",
                        hom.analyse(
                            structures.listed_structure(),
                            year,
                            20.0 if min_total is None else min_total,
                            top,
                            trend_min_total=10.0,
                        ),
                    ),
                    ("clusters", hom.analyse(structures.cluster_structure(), None, 1.0, top)),
                ]
            paths = hom.write_results(runs, out_dir)
            for key, r in runs:
                best = r.pairs.head(5)
                out.print(f"[bold]{key or r.structure.measure}[/bold] ({r.year}, {len(r.similarity)} cities)")
                _print(best[["name_a", "name_b", "similarity", "krugman"]].round(3), "most similar pairs")
            out.print("→ " + ", ".join(str(p) for p in paths))

        guarded(go)

    bench_app = typer.Typer(help="国际对标 (benchmarks)：其他国家的参照值。", no_args_is_help=True)

    @bench_app.command("list")
    def bench_list() -> None:
        """参照值 (benchmarks list)：各参照值及其来源。"""

        def go() -> None:
            from mfgindex.policy import benchmarks as bm

            ref = bm.load_reference()
            _print(
                ref[["indicator", "entity_zh", "value", "unit", "year", "source", "url"]].astype(str),
                "international reference values",
                None,
            )

        guarded(go)

    @bench_app.command("compare")
    def bench_compare(
        data: Annotated[
            Path, typer.Option("--data", "-d", help="城市数据 (data)：城市数值的 CSV/XLSX，或运行目录。")
        ],
        out_dir: Annotated[Path, typer.Option("--out", "-o", help="输出目录 (output folder)：对比表与图9。")],
        indicator: Annotated[
            str, typer.Option("--indicator", "-i", help="指标 (indicator id)。")
        ] = "pct_per_10k",
        year: Annotated[
            int | None, typer.Option("--year", "-y", help="年份 (year)：表中有多年时指定。")
        ] = None,
        top: Annotated[int, typer.Option("--top", help="图中城市数 (cities drawn)。")] = 30,
    ) -> None:
        """国际对标比较 (benchmarks compare)：城市对照国际参照值。

        画成报告的图9。
        """

        def go() -> None:
            from mfgindex.policy import benchmarks as bm

            c = bm.compare(bm.read_city_values(data, indicator, year), indicator)
            paths = bm.write_comparison(c, out_dir, top, source=f"城市数据：{data.name}")
            _print(
                c.summary[["entity_zh", "reference", "cities", "above", "share_above"]].round(3),
                f"{indicator}: cities above each reference",
                None,
            )
            out.print("→ " + ", ".join(str(p) for p in paths))

        guarded(go)

    app.add_typer(bench_app, name="benchmarks")
