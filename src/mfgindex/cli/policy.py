"""CLI of issue 9: ``policy {import,search,list}``, ``homogeneity``, ``benchmarks {compare,list}``.

The core ``cli.py`` calls :func:`register`. Commands are thin: parse → library call → print.
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
    typer.Option("--workspace", "-w", help="Workspace folder (default: the shipped sample, read-only)."),
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
    from mfgindex.cli.main import guarded

    policy_app = typer.Typer(
        help="Policy and case library: government work reports, policy documents, case studies.",
        no_args_is_help=True,
    )

    @policy_app.command("import")
    def policy_import(
        file: Annotated[
            Path | None,
            typer.Argument(
                help="CSV/XLSX: city, year, kind, department, title, text, tags, source, source_url."
            ),
        ] = None,
        workspace: Annotated[Path, typer.Option("--workspace", "-w", help="Workspace folder.")] = Path("."),
        sample: Annotated[
            bool, typer.Option("--sample", help="Import the shipped sample (CAICT 2023 表1, 表2, 专栏1–2).")
        ] = False,
        entered_by: Annotated[
            str | None, typer.Option("--entered-by", help="Who enters the records.")
        ] = None,
    ) -> None:
        """Import policy/case records (whole file rejected on any bad cell; same file again: no-op)."""

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
            list[str] | None, typer.Argument(help="Words that must all occur (any language).")
        ] = None,
        workspace: WorkspaceOpt = None,
        city: Annotated[
            list[str] | None, typer.Option("--city", "-c", help="City name or adcode; repeatable.")
        ] = None,
        year: Annotated[list[int] | None, typer.Option("--year", "-y", help="Year; repeatable.")] = None,
        tag: Annotated[
            list[str] | None, typer.Option("--tag", "-t", help="Tag (all must match); repeatable.")
        ] = None,
        kind: Annotated[
            list[str] | None,
            typer.Option("--kind", "-k", help="gov_work_report / policy_document / case_study."),
        ] = None,
        out_file: Annotated[
            Path | None, typer.Option("--out", "-o", help="Write CSV instead of printing.")
        ] = None,
    ) -> None:
        """Search records by city, year, tag, kind and words (normalised substring match, best first)."""

        def go() -> None:
            from mfgindex.policy import library

            q = library.Query.make(city or (), year or (), tag or (), kind or (), words or ())
            df = library.find(workspace, q)
            show = df.assign(
                tags=["、".join(t) for t in df["tags"]],
                text=[str(t)[:60] + ("…" if len(str(t)) > 60 else "") for t in df["text"]],
            )
            if out_file is not None:
                df.assign(tags=["；".join(t) for t in df["tags"]]).to_csv(
                    out_file, index=False, encoding="utf-8-sig"
                )
                out.print(f"{len(df)} records → {out_file}")
                return
            _print(
                show[["city_name", "year", "kind", "department", "title", "text", "tags", "score"]],
                f"{len(df)} records",
            )

        guarded(go)

    @policy_app.command("list")
    def policy_list(workspace: WorkspaceOpt = None) -> None:
        """Records per city, year and kind."""

        def go() -> None:
            from mfgindex.policy import library

            _print(library.summary(library.load(workspace)), "policy library", None)

        guarded(go)

    @policy_app.command("render")
    def policy_render(
        out_file: Annotated[Path, typer.Option("--out", "-o", help="HTML file to write.")],
        workspace: WorkspaceOpt = None,
        city: Annotated[list[str] | None, typer.Option("--city", "-c", help="City; repeatable.")] = None,
        year: Annotated[list[int] | None, typer.Option("--year", "-y", help="Year; repeatable.")] = None,
    ) -> None:
        """Write the 表1/表2 tables, 专栏 boxes, homogeneity and benchmark block as a standalone HTML page."""

        def go() -> None:
            from mfgindex.core.files import check_out_file
            from mfgindex.policy import library, render

            check_out_file(out_file)
            ctx = render.context(library.load(workspace), city, year)
            html = render.render_section(ctx)
            out_file.write_text(
                '<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8">'
                "<title>政策举措</title></head>"
                f"<body>{html}</body></html>",
                encoding="utf-8",
            )
            out.print(f"→ {out_file}")

        guarded(go)

    app.add_typer(policy_app, name="policy")

    @app.command("homogeneity")
    def homogeneity_cmd(
        out_dir: Annotated[Path, typer.Option("--out", "-o", help="Output folder (results.xlsx, heatmaps).")],
        table: Annotated[
            Path | None,
            typer.Option(
                "--table", help="Cities × industries CSV/XLSX (wide, or long: city, industry, value)."
            ),
        ] = None,
        year: Annotated[int | None, typer.Option("--year", "-y", help="Year (default: the latest).")] = None,
        min_total: Annotated[
            float | None,
            typer.Option(
                "--min-total", help="Leave out cities with a smaller total (default 20 listed firms; 0)."
            ),
        ] = None,
        top: Annotated[int, typer.Option("--top", help="Most similar pairs per province / 城市群.")] = 5,
    ) -> None:
        """产业结构相似系数 and Krugman index between cities (default: listed firms, cluster fields)."""

        def go() -> None:
            from mfgindex.policy import homogeneity as hom

            if table is not None:
                runs = [("", hom.analyse(hom.read_structure(table), year, min_total or 0.0, top))]
            else:
                runs = [
                    (
                        "listed",
                        hom.analyse(
                            hom.listed_structure(),
                            year,
                            20.0 if min_total is None else min_total,
                            top,
                            trend_min_total=10.0,
                        ),
                    ),
                    ("clusters", hom.analyse(hom.cluster_structure(), None, 1.0, top)),
                ]
            paths = hom.write_results(runs, out_dir)
            for key, r in runs:
                best = r.pairs.head(5)
                out.print(f"[bold]{key or r.structure.measure}[/bold] ({r.year}, {len(r.similarity)} cities)")
                _print(best[["name_a", "name_b", "similarity", "krugman"]].round(3), "most similar pairs")
            out.print("→ " + ", ".join(str(p) for p in paths))

        guarded(go)

    bench_app = typer.Typer(
        help="International benchmarks (reference values of other countries).", no_args_is_help=True
    )

    @bench_app.command("list")
    def bench_list() -> None:
        """The reference values with their sources."""

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
            Path, typer.Option("--data", "-d", help="CSV/XLSX of city values, or a run directory.")
        ],
        out_dir: Annotated[Path, typer.Option("--out", "-o", help="Output folder (comparison, fig9).")],
        indicator: Annotated[str, typer.Option("--indicator", "-i", help="Indicator id.")] = "pct_per_10k",
        year: Annotated[
            int | None, typer.Option("--year", "-y", help="Year when the table has several.")
        ] = None,
        top: Annotated[int, typer.Option("--top", help="Cities drawn in the figure.")] = 30,
    ) -> None:
        """Cities against international reference values, drawn as the report's 图9."""

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
