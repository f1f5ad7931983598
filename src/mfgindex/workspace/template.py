"""Data-entry workbook for a framework: one sheet per year, a row per city, a column per raw variable.

Each variable's header cell carries a comment with its Chinese name, unit and definition; a 说明 (notes)
sheet lists them too. Cells are validated (a number; ≥ 0 for amounts and counts, whole for counts, 0-1
for shares). A ``source`` column takes the source of each row. Filled in, the workbook imports with
``mfgindex import`` without a column map (the sheets are named by year; the 说明 sheet is skipped).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import IO

from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from mfgindex.core import framework as fw_mod
from mfgindex.core import geo
from mfgindex.core.errors import Problem, UserError
from mfgindex.core.files import append_row, check_out_file, put_cell
from mfgindex.core.framework import Framework, Variable

HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
ID_COLUMNS = ("adcode", "city", "province")
NOTES_SHEET = "说明"
FIRST_YEAR = 1949  # no city statistics of the present prefecture-level units exist before 1949


def year_range() -> tuple[int, int]:
    """Years a data sheet can be for: 1949 to next year (a template may be prepared ahead of a year)."""
    return FIRST_YEAR, date.today().year + 1


def check_years(years: tuple[int, ...]) -> None:
    """Raise ``UserError`` naming every year outside :func:`year_range`."""
    lo, hi = year_range()
    problems = [
        Problem(
            "year out of range: the data of a city framework cannot be for this year",
            column="--year",
            value=str(y),
            expected=f"a year from {lo} to {hi}",
        )
        for y in years
        if not lo <= y <= hi
    ]
    if problems:
        raise UserError(problems)


def raw_variables(framework: Framework) -> list[tuple[str, Variable]]:
    """Raw variables the framework reads from data (not derived from other indicators or lists)."""
    # an indicator named like its variable (formula: value of itself) still reads that variable from data
    derived = {
        i.id for i in [*framework.indicators(), *framework.auxiliary] if i.resolved_formula().var != i.id
    }
    out = []
    for v in framework.raw_variables():
        if v in derived:
            continue
        out.append((v, framework.variables.get(v, Variable())))
    return out


def _validation(kind: str, rows: int, col: str) -> DataValidation:
    if kind in ("amount", "count"):
        dv = DataValidation(
            type="whole" if kind == "count" else "decimal",
            operator="greaterThanOrEqual",
            formula1="0",
            allow_blank=True,
        )
        dv.error = (
            "请输入非负数 (a non-negative number)"
            if kind == "amount"
            else "请输入非负整数 (a whole number ≥ 0)"
        )
    elif kind == "share":
        dv = DataValidation(type="decimal", operator="between", formula1="0", formula2="1", allow_blank=True)
        dv.error = "请输入0到1之间的比例 (a share between 0 and 1)"
    else:
        dv = DataValidation(
            type="decimal", operator="between", formula1="-1E+300", formula2="1E+300", allow_blank=True
        )
        dv.error = "请输入数字 (a number)"
    dv.errorTitle = "数值无效"
    dv.showErrorMessage = True
    dv.add(f"{col}2:{col}{rows + 1}")
    return dv


def write_template(
    out: Path | IO[bytes], framework: str = "caict2023", years: tuple[int, ...] = (2022,)
) -> int:
    """Write the workbook; returns the number of cities (rows per sheet).

    Years outside :func:`year_range` and an ``out`` path that cannot be a file are refused before any work.
    """
    check_years(years)
    if isinstance(out, Path):
        check_out_file(out)
    fw = fw_mod.load(framework)
    if fw.universe.kind != "cities":
        raise UserError(f"framework {framework!r} is not a city framework; a data template needs cities")
    units = geo.units()
    keep = ~units.index.isin(fw.universe.exclude_codes) & ~units["unit_type"].isin(
        fw.universe.exclude_unit_types
    )
    cities = units[keep]
    variables = raw_variables(fw)
    wb = Workbook()
    first = True
    for year in years:
        ws = wb.active if first else wb.create_sheet()
        assert ws is not None
        first = False
        ws.title = str(year)
        headers = [*ID_COLUMNS, *(v for v, _ in variables), "source"]
        for j, h in enumerate(headers, start=1):
            cell = put_cell(ws, 1, j, h)
            cell.font = Font(bold=True)
            cell.fill = HEADER_FILL
        for j, (vid, meta) in enumerate(variables, start=len(ID_COLUMNS) + 1):
            text = f"{meta.name_zh or vid}\n单位 (unit): {meta.unit or '—'}\n类型 (kind): {meta.kind}"
            if meta.source:
                text += f"\n来源: {meta.source}"
            ws.cell(row=1, column=j).comment = Comment(text, "mfgindex")
            ws.add_data_validation(_validation(meta.kind, len(cities), get_column_letter(j)))
        src = ws.cell(row=1, column=len(headers))
        src.comment = Comment("数据来源（年鉴、公报…），每行一个", "mfgindex")
        for i, (code, row) in enumerate(cities.iterrows(), start=2):
            put_cell(ws, i, 1, str(code))
            put_cell(ws, i, 2, str(row["name"]))
            put_cell(ws, i, 3, str(row["province"]))
        ws.freeze_panes = "D2"
        for j in range(1, len(headers) + 1):
            ws.column_dimensions[get_column_letter(j)].width = 14
    notes = wb.create_sheet(NOTES_SHEET)
    notes.append(["variable", "name_zh", "unit", "kind", "source"])
    for vid, meta in variables:  # names come from the user's framework: through the cell rule
        append_row(notes, [vid, meta.name_zh, meta.unit, meta.kind, meta.source])
    notes.append([])
    append_row(notes, [f"框架 {fw.id}：{fw.name_zh}。每个年份一个工作表；空单元格表示缺失，不要填0。"])
    notes.append(["导入: mfgindex import --workspace DIR 本文件.xlsx --source 来源"])
    wb.save(out)
    return len(cities)
