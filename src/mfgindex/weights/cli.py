"""CLI for weights: ``mfgindex weights <method> --matrix FILE`` and ``mfgindex template experts``.

The core ``cli.py`` calls :func:`register`. Commands are thin: read → compute → print.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from mfgindex.errors import Problem, UserError
from mfgindex.weights import objective
from mfgindex.weights.ahp import ahp
from mfgindex.weights.delphi import delphi_round
from mfgindex.weights.io import read_matrix, read_pairwise, read_scores, write_template

MatrixOpt = Annotated[
    Path, typer.Option("--matrix", "-m", help="CSV or XLSX with a header row of criterion names.")
]
DirectionsOpt = Annotated[
    str | None,
    typer.Option("--directions", "-d", help="Comma-separated +1/-1 per criterion (default all +1)."),
]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print one JSON object instead of a table.")]
SheetOpt = Annotated[str | None, typer.Option("--sheet", help="XLSX sheet (default: the first).")]


def parse_directions(text: str | None, n: int) -> list[float] | None:
    """``"+1,-1,1"`` → ``[1.0, -1.0, 1.0]``; raises UserError on anything else."""
    if text is None:
        return None
    parts = [p.strip() for p in text.split(",") if p.strip()]
    try:
        values = [float(p) for p in parts]
    except ValueError:
        values = []
    if len(values) != n or any(v not in (1.0, -1.0) for v in values):
        raise UserError(
            Problem("bad --directions", column="--directions", value=text, expected=f"{n} values of +1 or -1")
        )
    return values


def _fail(exc: UserError) -> typer.Exit:
    err = Console(stderr=True, highlight=False, soft_wrap=True)
    for p in exc.problems:
        err.print(f"[red]error[/red] {p}", markup=True)
    return typer.Exit(code=2)


def _emit(payload: dict[str, Any], as_json: bool, title: str, extra_rows: list[tuple[str, str]]) -> None:
    if as_json:
        typer.echo(json.dumps(payload, ensure_ascii=False, allow_nan=False))
        return
    console = Console(highlight=False)
    table = Table(title=title)
    table.add_column("criterion")
    table.add_column("weight", justify="right")
    for name, w in payload["weights"].items():
        table.add_row(str(name), f"{w:.4f}")
    console.print(table)
    for key, value in extra_rows:
        console.print(f"{key}: {value}")


def _objective_command(
    method: str, func: Callable[..., objective.ObjectiveWeights], uses_directions: bool
) -> Callable[..., None]:
    def command(
        matrix: MatrixOpt,
        directions: DirectionsOpt = None,
        json_out: JsonOpt = False,
        sheet: SheetOpt = None,
    ) -> None:
        try:
            frame = read_matrix(matrix, sheet)
            dirs = parse_directions(directions, frame.shape[1])
            result = func(frame, directions=dirs) if uses_directions else func(frame)
        except UserError as exc:
            raise _fail(exc) from None
        _emit({"method": method, "weights": result.weight_map()}, json_out, f"{method} weights", [])

    command.__doc__ = f"{method} weights from a decision matrix (rows = units, columns = criteria)."
    return command


def register(app: typer.Typer) -> None:
    """Add ``weights …`` and ``template experts`` to the main app."""
    weights_app = typer.Typer(
        help="Weights from a matrix file (AHP, Delphi, entropy, CRITIC …).", no_args_is_help=True
    )
    template_app = typer.Typer(help="Write input templates.", no_args_is_help=True)

    @weights_app.command("ahp")
    def ahp_command(
        matrix: MatrixOpt,
        json_out: JsonOpt = False,
        sheet: SheetOpt = None,
        ri_table: Annotated[str, typer.Option("--ri-table", help="saaty or tummala_ling")] = "saaty",
        strict: Annotated[bool, typer.Option("--strict", help="Exit 1 when CR ≥ 0.10.")] = False,
    ) -> None:
        """AHP weights from a square pairwise matrix (cells such as 1/4 accepted), with λmax, CI, RI, CR."""
        if ri_table not in ("saaty", "tummala_ling"):
            raise _fail(UserError(Problem("unknown RI table", column="--ri-table", value=ri_table)))
        try:
            frame = read_pairwise(matrix, sheet)
            result = ahp(frame.to_numpy(), list(map(str, frame.columns)), ri_table=ri_table)  # type: ignore[arg-type]
        except UserError as exc:
            raise _fail(exc) from None
        payload = {
            "method": "ahp",
            "weights": result.weight_map(),
            "lambda_max": result.lambda_max,
            "ci": result.ci,
            "ri": result.ri,
            "cr": result.cr,
            "consistent": result.consistent,
        }
        _emit(
            payload,
            json_out,
            "AHP weights",
            [
                ("λmax", f"{result.lambda_max:.4f}"),
                ("CI", f"{result.ci:.4f}"),
                ("RI", f"{result.ri:.2f}"),
                ("CR", f"{result.cr:.4f}"),
                ("consistent (CR < 0.10)", "yes" if result.consistent else "NO"),
            ],
        )
        if not result.consistent:
            Console(stderr=True).print(
                f"warning: inconsistent judgements (CR = {result.cr:.3f} ≥ 0.10); revise before use"
            )
            if strict:
                raise typer.Exit(code=1)

    for method, func, uses_dirs in (
        ("entropy", objective.entropy_weights, False),
        ("critic", objective.critic_weights, True),
        ("std", objective.std_weights, False),
        ("cv", objective.cv_weights, False),
        ("pca", objective.pca_weights, False),
        ("merec", objective.merec_weights, True),
    ):
        weights_app.command(method)(_objective_command(method, func, uses_dirs))

    @weights_app.command("equal")
    def equal_command(matrix: MatrixOpt, json_out: JsonOpt = False, sheet: SheetOpt = None) -> None:
        """Equal weights for the criteria of a matrix file."""
        try:
            frame = read_matrix(matrix, sheet)
        except UserError as exc:
            raise _fail(exc) from None
        result = objective.equal_weights([str(c) for c in frame.columns])
        _emit({"method": "equal", "weights": result.weight_map()}, json_out, "equal weights", [])

    @weights_app.command("delphi")
    def delphi_command(
        matrix: MatrixOpt,
        json_out: JsonOpt = False,
        sheet: SheetOpt = None,
        scale: Annotated[str, typer.Option("--scale", help="likert or allocation")] = "likert",
        full_score: Annotated[float, typer.Option("--full-score", help="Top of the Likert scale.")] = 5.0,
        authority_weighted: Annotated[
            bool, typer.Option("--authority-weighted", help="Weight experts by Cr = (Ca+Cs)/2.")
        ] = False,
    ) -> None:
        """Delphi statistics and weights from an expert-score sheet (expert | Ca | Cs | items …)."""
        if scale not in ("likert", "allocation"):
            raise _fail(UserError(Problem("unknown scale", column="--scale", value=scale)))
        try:
            rnd = read_scores(matrix, sheet)
            result = delphi_round(
                rnd.scores,
                ca=None if rnd.ca is None else rnd.ca.to_numpy(),
                cs=None if rnd.cs is None else rnd.cs.to_numpy(),
                scale=scale,  # type: ignore[arg-type]
                full_score=full_score,
                authority_weighted=authority_weighted,
            )
        except UserError as exc:
            raise _fail(exc) from None
        payload: dict[str, Any] = {"method": "delphi", "round": rnd.name, "weights": result.weight_map()}
        payload.update(result.to_dict())
        if json_out:
            _emit(payload, True, "", [])
            return
        console = Console(highlight=False)
        table = Table(title=f"Delphi {rnd.name}: {len(result.experts)} experts")
        for col in ("item", "mean", "sd", "CV", "full-score freq.", "weight"):
            table.add_column(col, justify="left" if col == "item" else "right")
        for k, item in enumerate(result.items):
            cv = f"{result.cv[k]:.3f}" + (" ⚑" if result.cv_flag[k] else "")
            table.add_row(
                item,
                f"{result.mean[k]:.3f}",
                f"{result.sd[k]:.3f}",
                cv,
                f"{result.full_score_frequency[k]:.2f}",
                f"{result.weights[k]:.4f}",
            )
        console.print(table)
        kw = result.kendall
        console.print(f"Kendall's W = {kw.w:.4f}, χ² = {kw.chi2:.3f} (df {kw.df}), p = {kw.p_value:.4g}")
        if result.authority is not None and result.authority_accepted is not None:
            low = [e for e, ok in zip(result.experts, result.authority_accepted, strict=True) if not ok]
            console.print(
                f"mean authority Cr = {result.authority.mean():.3f}; below 0.7: {', '.join(low) or 'none'}"
            )

    @template_app.command("experts")
    def template_experts(
        out: Annotated[Path | None, typer.Option("--out", "-o", help="Write here instead of stdout.")] = None,
        items: Annotated[str | None, typer.Option("--items", help="Comma-separated item ids.")] = None,
        scale: Annotated[str, typer.Option("--scale", help="likert or allocation")] = "likert",
    ) -> None:
        """Write the expert-survey workbook template (XLSX, with data validation)."""
        names = tuple(s.strip() for s in items.split(",") if s.strip()) if items else None
        kwargs: dict[str, Any] = {"scale": "allocation" if scale == "allocation" else "likert"}
        if names:
            kwargs["items"] = names
        if out is None:
            write_template(sys.stdout.buffer, **kwargs)
            sys.stdout.buffer.flush()
        else:
            write_template(out, **kwargs)

    app.add_typer(weights_app, name="weights")
    app.add_typer(template_app, name="template")
