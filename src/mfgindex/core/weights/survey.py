"""The expert-survey workbook (``mfgindex template experts``): Delphi rounds of scores and AHP judgements read
from it, with every defect located (file, sheet, row, column), and its template written.

Expert-survey workbook layout (``mfgindex template experts``):

* ``说明 README`` — instructions;
* ``round1``, ``round2``, … — one sheet per Delphi round: header ``expert | Ca | Cs | <item> …``, one row
  per expert (Likert 1-5 or a 0-100 allocation per item; Ca = judgement basis, Cs = familiarity, 0-1);
* ``ahp_round1``, … — AHP judgements in long form: header ``expert | node | row | column | value``, one
  line per comparison of the upper triangle (``value`` = importance of *row* over *column*, 1/9..9,
  fractions such as ``1/4`` accepted); the reciprocal and the diagonal are filled in automatically.
"""

from __future__ import annotations

import io
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO, Literal

import numpy as np
import pandas as pd

from mfgindex.core.errors import Problem, UserError
from mfgindex.core.files import append_row
from mfgindex.core.weights.ahp import RECIPROCAL_TOLERANCE, check_pairwise
from mfgindex.core.weights.io import (
    SAATY_VALUES,
    _is_blank,
    _read_sheets,
    _Sheet,
)

_EXPERT_HEADERS = {"expert", "专家", "专家编号"}


_CA_HEADERS = {"ca", "判断依据"}


_CS_HEADERS = {"cs", "熟悉程度"}


@dataclass(frozen=True)
class ScoreRound:
    """One Delphi round: scores (experts × items) and optional Ca, Cs per expert."""

    name: str
    scores: pd.DataFrame
    ca: pd.Series | None = None
    cs: pd.Series | None = None


@dataclass(frozen=True)
class ExpertSurvey:
    """An expert-survey workbook: score rounds and AHP rounds (round → expert → node → matrix)."""

    rounds: dict[str, ScoreRound] = field(default_factory=dict)
    ahp: dict[str, dict[str, dict[str, pd.DataFrame]]] = field(default_factory=dict)


def _scores_from_sheet(sh: _Sheet) -> ScoreRound:
    if len(sh.rows) < 2:
        raise UserError(Problem("needs a header row and one row per expert", file=sh.file, sheet=sh.sheet))
    header = ["" if v is None else str(v).strip() for v in sh.rows[0]]
    lower = [h.lower() for h in header]
    has_expert = lower[0] in _EXPERT_HEADERS or _is_blank(sh.rows[0][0])
    ca_col = next((k for k, h in enumerate(lower) if h in _CA_HEADERS), None)
    cs_col = next((k for k, h in enumerate(lower) if h in _CS_HEADERS), None)
    special = {0} if has_expert else set()
    special |= {k for k in (ca_col, cs_col) if k is not None}
    item_cols = [k for k in range(len(header)) if k not in special]
    problems: list[Problem] = []
    for k in item_cols:
        if not header[k]:
            problems.append(sh.problem("empty item name in the header", 0, k))
    values = np.full((len(sh.rows) - 1, len(header)), np.nan)
    experts: list[str] = []
    filled: list[int] = []
    for i, row in enumerate(sh.rows[1:], start=1):
        if all(_is_blank(row[k]) for k in range(len(header)) if k not in ({0} if has_expert else set())):
            continue  # an unfilled template row
        filled.append(i - 1)
        experts.append(str(row[0]) if has_expert and not _is_blank(row[0]) else f"e{i}")
        for k in sorted(set(item_cols) | {c for c in (ca_col, cs_col) if c is not None}):
            v = sh.number(
                row, i, k, problems, f"not a number in {header[k]!r}", f"empty cell in {header[k]!r}"
            )
            if v is None:
                continue
            if k in (ca_col, cs_col) and not 0 <= v <= 1:
                problems.append(
                    sh.problem(f"{header[k]} must be between 0 and 1", i, k, value=f"{v:g}", expected="0-1")
                )
            values[i - 1, k] = v
    if len(set(experts)) != len(experts):
        problems.append(Problem("duplicate expert id", file=sh.file, sheet=sh.sheet, column="A"))
    if not filled:
        problems.append(Problem("no expert has filled in this sheet", file=sh.file, sheet=sh.sheet))
    if problems:
        raise UserError(problems)
    values = values[filled]
    index = pd.Index(experts, name="expert")
    scores = pd.DataFrame(values[:, item_cols], index=index, columns=pd.Index([header[k] for k in item_cols]))
    ca = pd.Series(values[:, ca_col], index=index, name="Ca") if ca_col is not None else None
    cs = pd.Series(values[:, cs_col], index=index, name="Cs") if cs_col is not None else None
    return ScoreRound(sh.sheet or "round1", scores, ca, cs)


def read_scores(path: str | Path, sheet: str | None = None) -> ScoreRound:
    """Read one round of expert scores (``expert | Ca | Cs | items…``; Ca/Cs optional)."""
    sheets = _read_sheets(path, sheet)
    if sheet is None and len(sheets) > 1:
        survey = _survey_from_sheets(sheets)
        if survey.rounds:
            return list(survey.rounds.values())[-1]
    return _scores_from_sheet(sheets[0])


def _ahp_from_sheet(sh: _Sheet, tolerance: float) -> dict[str, dict[str, pd.DataFrame]]:
    header = [("" if v is None else str(v).strip().lower()) for v in (sh.rows[0] if sh.rows else [])]
    wanted = ["expert", "node", "row", "column", "value"]
    if header[:5] != wanted:
        raise UserError(
            Problem(
                "unexpected header",
                file=sh.file,
                sheet=sh.sheet,
                row=1,
                value=",".join(header),
                expected=",".join(wanted),
            )
        )
    problems: list[Problem] = []
    entries: dict[tuple[str, str], dict[tuple[str, str], tuple[float, int]]] = {}
    order: dict[tuple[str, str], list[str]] = {}
    for i, row in enumerate(sh.rows[1:], start=1):
        if _is_blank(row[4]) if len(row) > 4 else True:
            continue  # no judgement on this line (e.g. an unfilled template line)
        expert, node, a, b = (str(v).strip() if v is not None else "" for v in row[:4])
        if not (expert and node and a and b):
            problems.append(sh.problem("expert, node, row and column are all required", i))
            continue
        v = sh.number(row, i, 4, problems, "not a number")
        if v is None:
            continue
        if v <= 0:
            problems.append(
                sh.problem("comparison must be positive", i, 4, value=f"{v:g}", expected="1/9..9")
            )
            continue
        key = (expert, node)
        names = order.setdefault(key, [])
        for c in (a, b):
            if c not in names:
                names.append(c)
        cell = entries.setdefault(key, {})
        if (a, b) in cell:
            problems.append(sh.problem(f"comparison {a} vs {b} given twice", i, 2))
        if (b, a) in cell:
            other, line = cell[(b, a)]
            if abs(v * other - 1.0) > tolerance:
                problems.append(
                    sh.problem(
                        f"{a} vs {b} is not the reciprocal of {b} vs {a} (line {line + 1})",
                        i,
                        4,
                        value=f"{v:g}",
                        expected=f"{1 / other:.4g}",
                    )
                )
        cell[(a, b)] = (v, i)
    out: dict[str, dict[str, pd.DataFrame]] = {}
    for (expert, node), cell in entries.items():
        names = order[(expert, node)]
        n = len(names)
        m = np.full((n, n), np.nan)
        np.fill_diagonal(m, 1.0)
        for (a, b), (v, _) in cell.items():
            ia, ib = names.index(a), names.index(b)
            if ia == ib:
                m[ia, ib] = v
                continue
            m[ia, ib] = v
            if (b, a) not in cell:
                m[ib, ia] = 1.0 / v
        for p in check_pairwise(m, tolerance):
            if p.row >= 0 and np.isnan(m[p.row, p.column]):
                problems.append(
                    Problem(
                        f"missing comparison {names[p.row]} vs {names[p.column]} "
                        f"for expert {expert}, node {node}",
                        file=sh.file,
                        sheet=sh.sheet,
                    )
                )
            elif p.row >= 0 and p.row == p.column:
                problems.append(
                    Problem(
                        f"{names[p.row]} compared with itself must be 1",
                        file=sh.file,
                        sheet=sh.sheet,
                        value=p.value,
                    )
                )
        out.setdefault(expert, {})[node] = pd.DataFrame(m, index=pd.Index(names), columns=pd.Index(names))
    if problems:
        raise UserError(problems)
    return out


def _survey_from_sheets(sheets: Sequence[_Sheet], tolerance: float = RECIPROCAL_TOLERANCE) -> ExpertSurvey:
    rounds: dict[str, ScoreRound] = {}
    ahp: dict[str, dict[str, dict[str, pd.DataFrame]]] = {}
    for sh in sheets:
        name = sh.sheet.strip().lower()
        if name.startswith("ahp"):
            parsed = _ahp_from_sheet(sh, tolerance) if len(sh.rows) > 1 else {}
            if parsed:
                ahp[sh.sheet] = parsed
        elif (name.startswith("round") or re.match(r"^第.+轮$", sh.sheet.strip())) and len(sh.rows) > 1:
            try:
                rounds[sh.sheet] = _scores_from_sheet(sh)
            except UserError as exc:
                if not any(p.message.startswith("no expert has filled") for p in exc.problems):
                    raise
    return ExpertSurvey(rounds, ahp)


def read_survey(path: str | Path, tolerance: float = RECIPROCAL_TOLERANCE) -> ExpertSurvey:
    """Read an expert-survey workbook (see the module docstring for the layout).

    A CSV file is read as a single score round.
    """
    sheets = _read_sheets(path)
    if len(sheets) == 1 and not sheets[0].sheet:
        return ExpertSurvey({"round1": _scores_from_sheet(sheets[0])}, {})
    survey = _survey_from_sheets(sheets, tolerance)
    if not survey.rounds and not survey.ahp:
        raise UserError(
            Problem(
                "no round sheets found",
                file=str(path),
                value=", ".join(s.sheet for s in sheets),
                expected="sheets named round1, round2, … or ahp_round1, …",
            )
        )
    return survey


def write_template(
    dest: str | Path | BinaryIO,
    items: Sequence[str] = ("item_1", "item_2", "item_3", "item_4", "item_5"),
    experts: int = 10,
    scale: Literal["likert", "allocation"] = "likert",
) -> None:
    """Write the expert-survey template workbook with data validation in the input cells."""
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    wb = Workbook()
    readme = wb.worksheets[0]
    readme.title = "说明 README"
    lines = [
        "专家调查表 / Expert survey template (mfgindex)",
        "",
        "round1, round2 …: 每轮一张表；每位专家一行。Ca = 判断依据系数 (0-1)，Cs = 熟悉程度系数 (0-1)。",
        "  One sheet per Delphi round, one row per expert; Ca = judgement basis, Cs = familiarity (0-1).",
        "  Likert: 1-5 (5 = 非常重要 very important). Allocation: the row of an expert sums to 100.",
        "ahp_round1 …: 两两比较 (AHP). One line per comparison: value = importance of 'row' over 'column',",
        "  1/9 … 9 (fractions such as 1/4 accepted). Fill only one of (a, b) / (b, a);",
        "  the reciprocal is implied.",
        "Compute: mfgindex weights delphi --matrix experts.xlsx --json",
    ]
    for k, line in enumerate(lines, start=1):
        readme.cell(row=k, column=1, value=line)
    readme["A1"].font = Font(bold=True)

    ws = wb.create_sheet("round1")
    header = ["expert", "Ca", "Cs", *items]
    append_row(ws, header)
    for c in range(1, len(header) + 1):
        ws.cell(row=1, column=c).font = Font(bold=True)
    for e in range(1, experts + 1):
        ws.cell(row=e + 1, column=1, value=f"E{e:02d}")
    last = experts + 1
    coef = DataValidation(type="decimal", operator="between", formula1="0", formula2="1", allow_blank=True)
    coef.error = "Ca / Cs must be between 0 and 1"
    coef.add(f"B2:C{last}")
    ws.add_data_validation(coef)
    first_item, last_item = get_column_letter(4), get_column_letter(3 + len(items))
    if scale == "likert":
        score = DataValidation(type="whole", operator="between", formula1="1", formula2="5", allow_blank=True)
        score.error = "Likert score: a whole number from 1 to 5"
    else:
        score = DataValidation(
            type="decimal", operator="between", formula1="0", formula2="100", allow_blank=True
        )
        score.error = "Allocation: 0-100 per item, 100 in total per expert"
    score.add(f"{first_item}2:{last_item}{last}")
    ws.add_data_validation(score)

    ah = wb.create_sheet("ahp_round1")
    ah.append(["expert", "node", "row", "column", "value"])
    for c in range(1, 6):
        ah.cell(row=1, column=c).font = Font(bold=True)
    for a_idx in range(len(items)):
        for b_idx in range(a_idx + 1, len(items)):
            append_row(ah, ["E01", "index", items[a_idx], items[b_idx], None])
    saaty = DataValidation(type="list", formula1='"' + ",".join(SAATY_VALUES) + '"', allow_blank=True)
    saaty.error = "Saaty scale: 1/9 … 9"
    saaty.add("E2:E1000")
    ah.add_data_validation(saaty)

    if isinstance(dest, str | Path):
        wb.save(dest)
    else:
        buffer = io.BytesIO()
        wb.save(buffer)
        dest.write(buffer.getvalue())
