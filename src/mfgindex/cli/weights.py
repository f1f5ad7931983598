"""CLI for weights: ``mfgindex weights <method> --matrix FILE`` and ``mfgindex template experts``.

The core ``cli.py`` calls :func:`register`. Commands are thin: read → compute → print.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

import pandas as pd
import typer
from openpyxl import load_workbook
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from mfgindex.core.errors import Problem, UserError
from mfgindex.core.weights import objective
from mfgindex.core.weights.ahp import ahp, combine_judgements, global_weights
from mfgindex.core.weights.delphi import DelphiRound, delphi_round
from mfgindex.core.weights.io import read_matrix, read_pairwise
from mfgindex.core.weights.survey import ExpertSurvey, ScoreRound, read_scores, read_survey, write_template

MatrixOpt = Annotated[
    Path, typer.Option("--matrix", "-m", help="矩阵文件 (matrix)：CSV 或 XLSX，首行为准则名称。")
]
DirectionsOpt = Annotated[
    str | None,
    typer.Option("--directions", "-d", help="指标方向 (directions)：每个准则 +1/-1，逗号分隔；默认全为 +1。"),
]
JsonOpt = Annotated[bool, typer.Option("--json", help="以 JSON 输出 (json)：打印一个 JSON 对象而非表格。")]
SheetOpt = Annotated[str | None, typer.Option("--sheet", help="工作表 (sheet)：XLSX 中的表名，默认第一张。")]


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
        err.print(f"[red]error[/red] {escape(str(p))}", markup=True)
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


OBJECTIVE_ZH: dict[str, str] = {
    "entropy": "熵权法",
    "critic": "CRITIC 法",
    "std": "标准差法",
    "cv": "变异系数法",
    "pca": "主成分法",
    "merec": "MEREC 法",
}


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

    command.__doc__ = (
        f"客观赋权 ({method})：{OBJECTIVE_ZH[method]}。\n\n由决策矩阵计算权重：行为单位，列为准则。"
    )
    return command


def _sheet_names(path: Path, prefixes: tuple[str, ...]) -> list[str]:
    """Sheets of an XLSX whose names start with one of ``prefixes`` (none for other or unreadable files)."""
    if path.suffix.lower() not in {".xlsx", ".xlsm"} or not path.exists():
        return []
    try:
        wb = load_workbook(path, read_only=True)
        names = list(wb.sheetnames)
        wb.close()
    except Exception:  # a corrupt file: the reader called next reports it with its location
        return []
    return [n for n in names if n.strip().lower().startswith(prefixes)]


def _survey_if_ahp(path: Path, sheet: str | None) -> ExpertSurvey | None:
    """The survey workbook when ``path`` is an XLSX with ``ahp_*`` sheets (and ``sheet`` is one or None)."""
    if sheet is not None and not sheet.strip().lower().startswith("ahp"):
        return None
    return read_survey(path) if _sheet_names(path, ("ahp",)) else None


def survey_ahp(survey: ExpertSurvey, sheet: str | None, node: str | None, file: str) -> dict[str, Any]:
    """AHP per node of a survey's AHP sheet: experts' matrices → element-wise geometric mean → weights.

    Returns the JSON payload: ``nodes`` (per node: weights, λmax, CI, RI, CR, consistent, experts with
    their own CR) and ``weights`` — the node's weights for one node, else the global weights of the
    hierarchy the nodes form (a node's item that is itself a node is a sub-criterion), if they form one.
    """
    if not survey.ahp:
        raise UserError(Problem("no AHP judgements in the workbook", file=file, expected="ahp_round1 …"))
    name = sheet if sheet is not None else list(survey.ahp)[-1]
    if name not in survey.ahp:
        raise UserError(
            Problem("no AHP judgements on this sheet", file=file, sheet=name, expected=", ".join(survey.ahp))
        )
    per_node: dict[str, dict[str, pd.DataFrame]] = {}
    for expert, nodes in survey.ahp[name].items():
        for key, m in nodes.items():
            per_node.setdefault(key, {})[expert] = m
    if node is not None:
        if node not in per_node:
            raise UserError(
                Problem(
                    "no judgements for this node",
                    file=file,
                    sheet=name,
                    value=node,
                    expected=", ".join(per_node),
                )
            )
        per_node = {node: per_node[node]}
    out: dict[str, Any] = {}
    for key, experts in per_node.items():
        first = next(iter(experts.values()))
        order = [str(c) for c in first.columns]
        matrices = []
        expert_cr: dict[str, float] = {}
        for expert, m in sorted(experts.items()):
            if sorted(map(str, m.columns)) != sorted(order):
                raise UserError(
                    Problem(
                        f"expert {expert} compares other items for node {key!r}",
                        file=file,
                        sheet=name,
                        value=", ".join(map(str, m.columns)),
                        expected=", ".join(order),
                    )
                )
            a = m.reindex(index=order, columns=order).to_numpy()
            expert_cr[expert] = ahp(a, order).cr
            matrices.append(a)
        result = ahp(combine_judgements(matrices) if len(matrices) > 1 else matrices[0], order)
        out[key] = {
            "weights": result.weight_map(),
            **result.diagnostics(),
            "experts": len(matrices),
            "expert_cr": expert_cr,
        }
    payload: dict[str, Any] = {"method": "ahp", "sheet": name, "combination": "element-wise geometric mean"}
    if len(out) == 1:
        only = next(iter(out.values()))
        payload.update(node=next(iter(out)), weights=only["weights"], **_ahp_fields_from(only))
    else:
        children = {c for v in out.values() for c in v["weights"]}
        roots = [k for k in out if k not in children]
        if len(roots) == 1:
            try:
                payload["weights"] = global_weights({k: v["weights"] for k, v in out.items()}, roots[0])
                payload["root"] = roots[0]
            except UserError:
                pass
    payload["nodes"] = out
    return payload


def _ahp_fields_from(node: dict[str, Any]) -> dict[str, Any]:
    return {k: node[k] for k in ("lambda_max", "ci", "ri", "cr", "consistent")}


def _delphi(rnd: ScoreRound, scale: str, full_score: float, authority_weighted: bool) -> DelphiRound:
    return delphi_round(
        rnd.scores,
        ca=None if rnd.ca is None else rnd.ca.to_numpy(),
        cs=None if rnd.cs is None else rnd.cs.to_numpy(),
        scale=scale,  # type: ignore[arg-type]
        full_score=full_score,
        authority_weighted=authority_weighted,
    )


def _delphi_table(console: Console, name: str, result: DelphiRound) -> None:
    table = Table(title=f"Delphi {name}: {len(result.experts)} experts")
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


def register(app: typer.Typer) -> None:
    """Add ``weights …`` and ``template experts`` to the main app."""
    weights_app = typer.Typer(help="权重计算 (weights)：AHP、德尔菲、熵权、CRITIC 等。", no_args_is_help=True)
    template_app = typer.Typer(help="输入模板 (templates)：生成录入用的模板文件。", no_args_is_help=True)

    @weights_app.command("ahp")
    def ahp_command(
        matrix: MatrixOpt,
        json_out: JsonOpt = False,
        sheet: SheetOpt = None,
        node: Annotated[
            str | None, typer.Option("--node", help="节点 (node)：只算问卷工作簿 AHP 表中的这一节点。")
        ] = None,
        strict: Annotated[
            bool, typer.Option("--strict", help="严格模式 (strict)：CR ≥ 0.10 时以退出码 1 结束。")
        ] = False,
    ) -> None:
        """层次分析法 (AHP)：权重及 λmax、CI、RI、CR。

        输入为方形判断矩阵（可写 1/4 这样的单元格），或专家问卷工作簿的 ahp_* 表（逐节点；多位专家时取
        逐元素几何平均）。
        """
        try:
            survey = _survey_if_ahp(matrix, sheet)
            if survey is not None:
                payload = survey_ahp(survey, sheet, node, str(matrix))
            else:
                frame = read_pairwise(matrix, sheet)
                result = ahp(frame.to_numpy(), list(map(str, frame.columns)))
                payload = {"method": "ahp", "weights": result.weight_map(), **result.diagnostics()}
        except UserError as exc:
            raise _fail(exc) from None
        nodes: dict[str, Any] = payload.get("nodes", {"": payload})
        if json_out:
            _emit(payload, True, "", [])
        else:
            for key, res in nodes.items():
                title = f"AHP weights — node {key} ({res['experts']} experts)" if key else "AHP weights"
                _emit(
                    {"weights": res["weights"]},
                    False,
                    title,
                    [
                        ("λmax", f"{res['lambda_max']:.4f}"),
                        ("CI", f"{res['ci']:.4f}"),
                        ("RI", f"{res['ri']:.2f}"),
                        ("CR", f"{res['cr']:.4f}"),
                        ("consistent (CR < 0.10)", "yes" if res["consistent"] else "NO"),
                    ],
                )
            if len(nodes) > 1 and "weights" in payload:
                _emit({"weights": payload["weights"]}, False, f"global weights (root {payload['root']})", [])
        bad = [k for k, res in nodes.items() if not res["consistent"]]
        for key in bad:
            cr = nodes[key]["cr"]
            where = f" of node {key}" if key else ""
            Console(stderr=True).print(
                f"warning: inconsistent judgements{where} (CR = {cr:.3f} ≥ 0.10); revise before use"
            )
        if bad and strict:
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
        """等权 (equal)：矩阵文件中各准则权重相等。"""
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
        scale: Annotated[
            str, typer.Option("--scale", help="评分方式 (scale)：likert 或 allocation。")
        ] = "likert",
        full_score: Annotated[
            float, typer.Option("--full-score", help="满分 (full score)：Likert 量表的最高分。")
        ] = 5.0,
        authority_weighted: Annotated[
            bool,
            typer.Option(
                "--authority-weighted", help="按权威程度加权 (authority-weighted)：专家权重 Cr = (Ca+Cs)/2。"
            ),
        ] = False,
    ) -> None:
        """德尔菲法 (Delphi)：专家打分的统计量与权重。

        读专家打分表（expert | Ca | Cs | 各条目）：问卷工作簿的每一轮（round1、round2 …）或 --sheet 指定的表；
        权重取最后一轮。
        """
        if scale not in ("likert", "allocation"):
            raise _fail(UserError(Problem("unknown scale", column="--scale", value=scale)))
        try:
            if sheet is None and _sheet_names(matrix, ("round", "第")):
                rounds = list(read_survey(matrix).rounds.values()) or [read_scores(matrix)]
            else:
                rounds = [read_scores(matrix, sheet)]
            results = [(r.name, _delphi(r, scale, full_score, authority_weighted)) for r in rounds]
        except UserError as exc:
            raise _fail(exc) from None
        name, last = results[-1]
        payload: dict[str, Any] = {"method": "delphi", "round": name, "weights": last.weight_map()}
        payload.update(last.to_dict())
        payload["rounds"] = {n: {"weights": r.weight_map(), **r.to_dict()} for n, r in results}
        if json_out:
            _emit(payload, True, "", [])
            return
        console = Console(highlight=False)
        for n, r in results:
            _delphi_table(console, n, r)
        if len(results) > 1:
            console.print(f"weights: last round ({name})")

    @template_app.command("experts")
    def template_experts(
        out: Annotated[
            Path | None, typer.Option("--out", "-o", help="输出文件 (output)：默认写到标准输出。")
        ] = None,
        items: Annotated[
            str | None, typer.Option("--items", help="条目 (items)：逗号分隔的条目 id。")
        ] = None,
        scale: Annotated[
            str, typer.Option("--scale", help="评分方式 (scale)：likert 或 allocation。")
        ] = "likert",
    ) -> None:
        """专家问卷模板 (template experts)：带数据验证的 XLSX。"""
        if scale not in ("likert", "allocation"):
            raise _fail(
                UserError(
                    Problem("unknown scale", column="--scale", value=scale, expected="likert or allocation")
                )
            )
        if out is not None:
            from mfgindex.core.files import check_out_file

            try:
                check_out_file(out)
            except UserError as exc:
                raise _fail(exc) from None
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
