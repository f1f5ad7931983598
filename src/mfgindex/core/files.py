"""Writing files users open: spreadsheet-safe cells, reproducible XLSX bytes, output-path checks.

Every CSV/XLSX the product writes goes through :func:`safe_cell`; every XLSX through :func:`fix_zip`.
"""

from __future__ import annotations

import os
import re
import zipfile
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter

from mfgindex.core.errors import Problem, UserError

FIXED_DATE = (2000, 1, 1, 0, 0, 0)


def safe_cell(value: Any) -> Any:
    """Escape text that a spreadsheet would run as a formula: = + - @ at the start, and tab or carriage
    return, which some spreadsheets skip before reading a formula (OWASP CSV injection)."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    if value is pd.NA or (isinstance(value, float) and np.isnan(value)):
        return None
    if isinstance(value, np.generic):
        return value.item()
    return value


def write_sheet(wb: Workbook, title: str, frame: pd.DataFrame, widths: int = 12) -> None:
    ws = wb.create_sheet(title)
    ws.append([safe_cell(str(c)) for c in frame.columns])
    for row in frame.itertuples(index=False):
        ws.append([safe_cell(v) for v in row])
    header = Font(bold=True)
    for cell in ws[1]:
        cell.font = header
        cell.fill = PatternFill("solid", fgColor="DDEBF7")
    for i in range(1, len(frame.columns) + 1):
        ws.column_dimensions[get_column_letter(i)].width = widths
    ws.freeze_panes = "A2"


def fix_zip(path: Path) -> None:
    """Rewrite the XLSX with fixed entry dates and document times, so equal content gives equal bytes."""
    tmp = path.with_suffix(".tmp")
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename == "docProps/core.xml":
                data = re.sub(
                    rb"<dcterms:(created|modified)([^>]*)>[^<]*</dcterms:\1>",
                    rb"<dcterms:\1\2>2000-01-01T00:00:00Z</dcterms:\1>",
                    data,
                )
            info = zipfile.ZipInfo(item.filename, date_time=FIXED_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            dst.writestr(info, data)
    os.replace(tmp, path)


def check_out_dir(out: Path) -> None:
    """Raise ``UserError`` unless ``out`` is, or can be made, a writable folder (checked before work)."""
    for p in [out, *out.parents]:
        if p.exists():
            if not p.is_dir():
                what = "the output folder" if p == out else f"{p} (in the output folder's path)"
                raise UserError(
                    Problem(f"{what} is a file, not a folder", file=str(out), expected="a folder path")
                )
            if not os.access(p, os.W_OK | os.X_OK):
                raise UserError(
                    Problem(f"no permission to write in {p}", file=str(out), expected="a writable folder")
                )
            return


def check_out_file(path: Path) -> None:
    """Raise ``UserError`` unless ``path`` can be written as a file (not a folder, in a writable folder)."""
    if path.is_dir():
        raise UserError(Problem("the output is a folder, not a file", file=str(path), expected="a file path"))
    check_out_dir(path.parent)
