"""Read weight inputs from CSV/XLSX: numbers (fractions such as ``1/4`` too), sheets, pairwise-comparison
matrices (the expert-survey workbook: :mod:`mfgindex.core.weights.survey`).

Every defect a user can make raises :class:`mfgindex.core.errors.UserError` naming the file, sheet,
spreadsheet row (1 = header row) and column letter of the cell.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from mfgindex.core.errors import Problem, UserError
from mfgindex.core.ingest import decode
from mfgindex.core.weights.ahp import RECIPROCAL_TOLERANCE, check_pairwise

NUMBER_EXPECTED = "a number (fractions such as 1/4 are accepted)"
_FRACTION = re.compile(r"^\s*([+-]?\d+(?:\.\d+)?)\s*[/／]\s*(\d+(?:\.\d+)?)\s*$")
SAATY_VALUES = (
    "9",
    "8",
    "7",
    "6",
    "5",
    "4",
    "3",
    "2",
    "1",
    "1/2",
    "1/3",
    "1/4",
    "1/5",
    "1/6",
    "1/7",
    "1/8",
    "1/9",
)


def parse_number(value: object) -> float:
    """A cell as a float: numbers, numeric text, and fractions ``a/b`` (ASCII or full-width slash).

    Raises
    ------
    ValueError
        If the cell is empty or not a number.
    """
    if isinstance(value, bool):
        raise ValueError("boolean")
    if isinstance(value, int | float):
        return float(value)
    if value is None:
        raise ValueError("empty")
    text = str(value).strip().replace(",", "")
    if not text:
        raise ValueError("empty")
    match = _FRACTION.match(text)
    if match:
        denominator = float(match.group(2))
        if denominator == 0:
            raise ValueError("division by zero")
        return float(match.group(1)) / denominator
    return float(text)


@dataclass(frozen=True)
class _Sheet:
    file: str
    sheet: str
    rows: list[list[object]]

    def problem(self, message: str, row: int, col: int | None = None, **kw: str) -> Problem:
        from openpyxl.utils import get_column_letter

        column = get_column_letter(col + 1) if col is not None else ""
        return Problem(message, file=self.file, sheet=self.sheet, row=row + 1, column=column, **kw)

    def number(
        self, row: list[object], i: int, k: int, problems: list[Problem], bad: str, empty: str | None = None
    ) -> float | None:
        """Cell ``k`` of row ``i`` as a number (:func:`parse_number`), or None with a located problem added:
        ``bad`` for a cell that is not a number, ``empty`` (default ``bad``) for an empty one."""
        try:
            return parse_number(row[k])
        except ValueError:
            message = bad if empty is None or not _is_blank(row[k]) else empty
            value = "" if row[k] is None else str(row[k])
            problems.append(self.problem(message, i, k, value=value, expected=NUMBER_EXPECTED))
            return None


def _is_blank(v: object) -> bool:
    return v is None or (isinstance(v, str) and not v.strip())


def _read_sheets(path: str | Path, sheet: str | None = None) -> list[_Sheet]:
    p = Path(path)
    if not p.exists():
        raise UserError(Problem("file not found", file=str(p)))
    suffix = p.suffix.lower()
    if suffix in {".csv", ".txt"}:
        text, _ = decode(p)  # UTF-8, else GB18030/GBK
        rows: list[list[object]] = [list(r) for r in csv.reader(io.StringIO(text, newline=""))]
        return [_Sheet(str(p), "", _trim(rows))]
    if suffix in {".xlsx", ".xlsm"}:
        from openpyxl import load_workbook  # only for workbooks (slow to import)

        try:
            wb = load_workbook(p, read_only=True, data_only=True)
        except Exception as exc:  # openpyxl raises several types for a corrupt file
            raise UserError(Problem(f"cannot read workbook: {exc}", file=str(p))) from exc
        names = wb.sheetnames if sheet is None else [sheet]
        if sheet is not None and sheet not in wb.sheetnames:
            raise UserError(
                Problem("no such sheet", file=str(p), sheet=sheet, expected=", ".join(wb.sheetnames))
            )
        out = [_Sheet(str(p), n, _trim([list(r) for r in wb[n].iter_rows(values_only=True)])) for n in names]
        wb.close()
        return out
    raise UserError(Problem("unsupported file type", file=str(p), value=suffix, expected=".csv or .xlsx"))


def _trim(rows: list[list[object]]) -> list[list[object]]:
    """Drop trailing blank rows and columns (spreadsheets often carry formatting-only cells)."""
    while rows and all(_is_blank(v) for v in rows[-1]):
        rows.pop()
    width = max(
        (max((k + 1 for k, v in enumerate(r) if not _is_blank(v)), default=0) for r in rows), default=0
    )
    return [(r + [None] * width)[:width] for r in rows]


def _matrix_from_sheet(sh: _Sheet) -> pd.DataFrame:
    if len(sh.rows) < 2:
        raise UserError(
            Problem("needs a header row of criterion names and at least one data row", file=sh.file)
        )
    header = sh.rows[0]
    body = sh.rows[1:]

    def numeric(v: object) -> bool:
        try:
            parse_number(v)
        except ValueError:
            return False
        return True

    has_labels = _is_blank(header[0]) or all(not numeric(r[0]) for r in body)
    start = 1 if has_labels else 0
    problems: list[Problem] = []
    names: list[str] = []
    for k in range(start, len(header)):
        name = "" if header[k] is None else str(header[k]).strip()
        if not name:
            problems.append(sh.problem("empty criterion name in the header", 0, k))
        elif name in names:
            problems.append(sh.problem("duplicate criterion name", 0, k, value=name))
        names.append(name)
    values = np.full((len(body), len(header) - start), np.nan)
    for i, row in enumerate(body, start=1):
        for k in range(start, len(header)):
            label = names[k - start] if k - start < len(names) else ""
            v = sh.number(
                row, i, k, problems, f"not a number in criterion {label!r}", f"empty cell in {label!r}"
            )
            if v is not None:
                values[i - 1, k - start] = v
    if problems:
        raise UserError(problems)
    index = [str(r[0]) for r in body] if has_labels else [str(i) for i in range(1, len(body) + 1)]
    return pd.DataFrame(values, index=pd.Index(index), columns=pd.Index(names))


def read_matrix(path: str | Path, sheet: str | None = None) -> pd.DataFrame:
    """Read a numeric matrix: header row of criterion names, optional first column of row labels.

    The first column is taken as labels when its header cell is empty or none of its cells is a number.
    The first sheet is used unless ``sheet`` is given.
    """
    return _matrix_from_sheet(_read_sheets(path, sheet)[0])


def read_pairwise(
    path: str | Path, sheet: str | None = None, tolerance: float = RECIPROCAL_TOLERANCE
) -> pd.DataFrame:
    """Read and validate a square AHP pairwise matrix (square, > 0, reciprocal within ``tolerance``)."""
    sh = _read_sheets(path, sheet)[0]
    frame = _matrix_from_sheet(sh)
    n_rows, n_cols = frame.shape
    offset = 1 if (n_cols < len(sh.rows[0])) else 0
    if n_rows != n_cols:
        raise UserError(
            Problem(
                "AHP pairwise matrix is not square",
                file=sh.file,
                sheet=sh.sheet,
                value=f"{n_rows} rows x {n_cols} columns",
                expected="as many rows as criteria",
            )
        )
    if offset and list(frame.index) != list(frame.columns):
        mismatched = [i for i, (a, b) in enumerate(zip(frame.index, frame.columns, strict=True)) if a != b]
        raise UserError(
            [
                sh.problem(
                    "row label differs from the column header",
                    i + 1,
                    0,
                    value=str(frame.index[i]),
                    expected=str(frame.columns[i]),
                )
                for i in mismatched
            ]
        )
    issues = check_pairwise(frame.to_numpy(), tolerance)
    if issues:
        raise UserError(
            [
                sh.problem(
                    f"{p.message} ({frame.index[p.row]} vs {frame.columns[p.column]})",
                    p.row + 1,
                    p.column + offset,
                    value=p.value,
                    expected=p.expected,
                )
                for p in issues
            ]
        )
    return frame
