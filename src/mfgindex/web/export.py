"""The table on screen as CSV or XLSX; every text cell goes through ``mfgindex.core.files.safe_cell``."""

from __future__ import annotations

import csv
import io
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill

from mfgindex.core.files import safe_cell

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


def to_xlsx(rows: list[dict[str, Any]], cols: list[tuple[str, str]], title: str) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = title[:31] or "ranking"
    ws.append([safe_cell(h) for _, h in cols])
    for cell in ws[1]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="DDEBF7")
    for r in rows:
        ws.append([safe_cell(r.get(k)) for k, _ in cols])
    ws.freeze_panes = "A2"
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
