"""The table on screen as CSV or XLSX; every cell goes through the cell rule of ``mfgindex.core.files``."""

from __future__ import annotations

import csv
import io
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from mfgindex.core.files import append_row, fixed_zip, safe_cell

HEADERS = {
    "zh": {
        "rank": "排名",
        "name": "城市",
        "province": "省份",
        "region": "地区",
        "province_rank": "省内排名",
        "rank_change": "排名变化",
        "nominal_rank": "原排名",
        "code": "行政区划代码",
    },
    "en": {
        "rank": "Rank",
        "name": "City",
        "province": "Province",
        "region": "Region",
        "province_rank": "Rank in province",
        "rank_change": "Rank change",
        "nominal_rank": "Nominal rank",
        "code": "Adcode",
    },
}


def columns(
    rows: list[dict[str, Any]], score_ids: list[tuple[str, str]], lang: str, whatif: bool
) -> list[tuple[str, str]]:
    """(key, header) pairs in display order."""
    h = HEADERS["en" if lang == "en" else "zh"]
    keys = ["rank", "name", "province", "region"]
    keys += ["nominal_rank", "rank_change"] if whatif else ["province_rank", "rank_change"]
    out = [(k, h[k]) for k in keys]
    out += [(sid, label) for sid, label in score_ids]
    out.append(("code", h["code"]))
    return out


def to_csv(rows: list[dict[str, Any]], cols: list[tuple[str, str]]) -> bytes:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow([safe_cell(h) for _, h in cols])
    for r in rows:
        w.writerow(["" if (v := safe_cell(r.get(k))) is None else v for k, _ in cols])
    return buf.getvalue().encode("utf-8-sig")


INTEGER_KEYS = {"rank", "nominal_rank", "rank_change", "prev_rank"}


def _width(value: Any) -> float:
    """Display width of a cell in Excel's character units (a CJK character counts two)."""
    text = f"{value:.2f}" if isinstance(value, float) else str(value if value is not None else "")
    return sum(2 if ord(ch) > 0x2E7F else 1 for ch in text)


def to_xlsx(
    rows: list[dict[str, Any]],
    cols: list[tuple[str, str]],
    title: str,
    notes: list[tuple[str, str]] | None = None,
    lang: str = "zh",
) -> bytes:
    """The table as a workbook: headers in the page's language with the field id in a second header row,
    numbers stored as numbers (ranks ``0``, scores ``0.00``), column widths from the contents, panes frozen
    below the headers and right of the city; then a 说明 (About) sheet of ``(item, value)`` rows."""
    wb = Workbook()
    ws = wb.active
    ws.title = title[:31] or "ranking"
    append_row(ws, [h for _, h in cols])
    append_row(ws, [k for k, _ in cols])
    bold, fill = Font(bold=True), PatternFill("solid", fgColor="DDEBF7")
    for cell in ws[1]:
        cell.font, cell.fill = bold, fill
    for cell in ws[2]:
        cell.font, cell.fill = Font(italic=True, color="666666", size=9), fill
    widths = [max(_width(h), _width(k)) for k, h in cols]
    for r in rows:
        values = [r.get(k) for k, _ in cols]
        append_row(ws, values)
        for i, v in enumerate(values):
            widths[i] = max(widths[i], _width(v))
    for i, (key, _) in enumerate(cols, start=1):
        letter = get_column_letter(i)
        ws.column_dimensions[letter].width = min(40.0, widths[i - 1] + 2)
        integer = key in INTEGER_KEYS or key.endswith("_rank")
        for (cell,) in ws.iter_rows(min_row=3, min_col=i, max_col=i):
            if isinstance(cell.value, int | float) and not isinstance(cell.value, bool):
                cell.number_format = "0" if integer else "0.00"
    ws.freeze_panes = "C3"
    about = wb.create_sheet("说明" if lang == "zh" else "About")
    about.append(["项目", "内容"] if lang == "zh" else ["Item", "Value"])
    for cell in about[1]:
        cell.font, cell.fill = bold, fill
    for item, value in notes or []:
        append_row(about, [item, value])
    about.column_dimensions["A"].width = 18
    about.column_dimensions["B"].width = 100
    for (cell,) in about.iter_rows(min_row=2, min_col=2, max_col=2):
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    buf = io.BytesIO()
    wb.save(buf)
    return fixed_zip(buf.getvalue())
