"""The workbook as people who live in Excel expect it: numbers stored as numbers with number formats,
Chinese headers over a second row of English ids, readable column widths, and a 说明 sheet (year, framework,
weights, sources, run hash) at the front of every export.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from mfgindex import __version__
from mfgindex.core.files import append_row, put_cell
from mfgindex.core.framework import Framework, walk
from mfgindex.core.result import Result
from mfgindex.report.table_cells import ReportTable
from mfgindex.report.tables import report_tables

# Chinese labels of the ids used as column names in the run's tables.
COLUMNS_ZH: dict[str, str] = {
    "code": "行政区划代码",
    "name": "城市",
    "province": "省份",
    "region": "区域",
    "stage": "发展阶段",
    "rank": "全国排名",
    "province_rank": "省内排名",
    "prev_rank": "上年排名",
    "rank_change": "排名变化（位）",
    "change": "变化类型",
    "indicator": "指标",
    "raw": "原始值",
    "imputed": "是否插补",
    "treated_value": "处理后值",
    "treated": "是否处理异常值",
    "normalised": "标准化值",
    "id": "代码",
    "name_zh": "中文名称",
    "name_en": "英文名称",
    "parent": "上级",
    "level": "层级",
    "nominal_local": "名义权重（本级）",
    "nominal_global": "名义权重（全局）",
    "effective_global": "有效权重（全局）",
    "unit": "单位",
    "direction": "方向",
    "class": "主次",
    "proxy": "代理说明",
    "source": "数据来源",
    "formula": "计算方式",
    "note": "说明",
    "coverage": "覆盖率",
    "n": "城市数",
    "winsorised_high": "上端缩尾个数",
    "winsorised_low": "下端缩尾个数",
    "log_transformed": "是否取对数",
    "skew": "偏度",
    "kurt": "峰度",
}
DIRECTION_ZH = {"+": "正向", "-": "负向", "1": "正向", "-1": "负向"}

_HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
_ID_FONT = Font(italic=True, color="777777", size=9)
_NUM = re.compile(r"^[−-]?\d{1,3}(,\d{3})*(\.\d+)?$|^[−-]?\d+(\.\d+)?$")
_PCT = re.compile(r"^[−-]?\d+(\.\d+)?%$")


def framework_labels(fw: Framework) -> dict[str, str]:
    """Chinese labels of every node id, and of ``<node>_rank`` columns."""
    out: dict[str, str] = {}
    for node in walk(fw.root):
        name = str(node.name_zh or node.id)
        out[node.id] = name
        out[f"{node.id}_rank"] = f"{name}排名"
    return out


def labels_for(columns: Iterable[Any], extra: Mapping[str, str] | None = None) -> list[str]:
    """Chinese header of each column id (the id itself when no label is known)."""
    table = {**COLUMNS_ZH, **(extra or {})}
    return [table.get(str(c), str(c)) for c in columns]


def excel_value(v: Any) -> tuple[Any, str | None]:
    """A cell value and its number format: numbers (also ``1,234``/``12.5%`` formatted for print) become
    numbers, ``—`` and NaN become empty, text is written through :func:`~mfgindex.core.files.put_cell`."""
    if v is None or v is pd.NA or (isinstance(v, float) and math.isnan(v)):
        return None, None
    if isinstance(v, bool | np.bool_):
        return int(v), "0"
    if isinstance(v, int | np.integer):
        return int(v), "0"
    if isinstance(v, float | np.floating):
        f = float(v)
        return f, ("0" if f.is_integer() and abs(f) < 1e15 else "#,##0.00##")
    s = str(v).strip()
    if s in ("—", "-", ""):
        return None, None
    if _PCT.match(s):
        digits = len(s.split(".")[1]) - 1 if "." in s else 0
        return float(s.rstrip("%").replace("−", "-")) / 100.0, "0." + "0" * digits + "%" if digits else "0%"
    if _NUM.match(s):
        num = float(s.replace(",", "").replace("−", "-"))
        decimals = len(s.split(".")[1]) if "." in s else 0
        fmt = "#,##0" + ("." + "0" * decimals if decimals else "")
        return (int(num) if decimals == 0 and abs(num) < 1e15 else num), fmt
    return s, None  # text: written through put_cell (the one cell rule, quotePrefix)


def write_table(
    wb: Any,
    title: str,
    frame: pd.DataFrame,
    labels: Sequence[str] | None = None,
    caption: str | None = None,
    note: str | None = None,
) -> Any:
    """One sheet: optional caption row, Chinese header, English-id row, typed values, widths, frozen panes."""
    ws = wb.create_sheet(title)
    ids = [str(c).strip() for c in frame.columns]
    heads = list(labels) if labels is not None else ids
    if caption:
        append_row(ws, [caption])
        ws.cell(row=1, column=1).font = Font(bold=True, size=12)
    append_row(ws, heads)
    head_row = ws.max_row
    for cell in ws[head_row]:
        cell.font = Font(bold=True)
        cell.fill = _HEADER_FILL
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    show_ids = any(h != i for h, i in zip(heads, ids, strict=True))
    if show_ids:
        append_row(ws, ids)
        for cell in ws[ws.max_row]:
            cell.font = _ID_FONT
            cell.alignment = Alignment(horizontal="center")
    first = ws.max_row + 1
    for r, row in enumerate(frame.itertuples(index=False), start=first):
        for c, v in enumerate(row, start=1):
            value, fmt = excel_value(v)
            cell = put_cell(ws, r, c, value)
            if fmt:
                cell.number_format = fmt
    if note:
        ws.append([])
        append_row(ws, [note])
    for j, head in enumerate(heads, start=1):
        sample = [len(str(v)) for v in frame.iloc[:200, j - 1]] if len(frame) else []
        width = max([len(head) * 2, len(ids[j - 1]), *sample, 6])
        ws.column_dimensions[get_column_letter(j)].width = min(48, width + 2)
    ws.freeze_panes = ws.cell(row=first, column=2 if len(ids) > 1 else 1).coordinate
    return ws


def about_rows(result: Result, sources_zh: Sequence[str] = ()) -> list[tuple[str, str]]:
    """The 说明 sheet: what the workbook holds and how it was made."""
    fw = result.framework
    p = result.provenance
    weights = (
        "主次分类赋权（" + "、".join(f"{k}={v:g}" for k, v in fw.class_scores.items()) + "）"
        if fw.weighting == "class"
        else "框架中给定的权重"
    )
    if fw.stages is not None:
        weights += "；维度权重随发展阶段而定"
    rows = [
        ("评价年份", f"{result.year}年"),
        ("比较年份", f"{p.get('previous_year')}年" if p.get("previous_year") else "无"),
        ("指标体系", f"{fw.name_zh or fw.id}（{fw.id}）"),
        ("指标数", str(len(fw.indicators()))),
        ("参评城市数", str(len(result.table))),
        ("权重", weights),
        ("随机种子", str(p.get("seed", 0))),
        ("运行指纹", result.run_hash()),
        ("软件版本", f"mfgindex {__version__}"),
    ]
    rows += [("数据来源", s) for s in sources_zh]
    rows += [
        ("说明", "数值以数字存储；表头第一行为中文名称，第二行为英文代码；缺失值留空。"),
    ]
    return rows


def add_about_sheet(wb: Any, rows: Sequence[tuple[str, str]]) -> None:
    """The 说明 sheet, first in the workbook."""
    ws = wb.create_sheet("说明", 0)
    ws.append(["项目", "内容"])
    for cell in ws[1]:
        cell.font = Font(bold=True)
        cell.fill = _HEADER_FILL
    for k, v in rows:
        append_row(ws, [k, v])
    ws.column_dimensions["A"].width = 14
    ws.column_dimensions["B"].width = 90
    for row in ws.iter_rows(min_row=2):
        row[1].alignment = Alignment(wrap_text=True, vertical="top")


SHEETS: dict[str, str] = {
    "framework": "指标体系",
    "stages": "阶段权重",
    "coverage": "数据覆盖",
    "proxies": "代理指标",
    "corrections": "数据更正",
    "checks": "数据校核",
    "table3": "榜单",
    "capitals": "省会首位度",
    "leaders": "分项前10",
    "centres": "创新中心",
    "clusters": "先进集群",
    "risers": "进步最快",
    "potential": "发展潜力",
    "table11": "区域增加值",
    "table12": "区域企业",
    "gaps": "区域差距",
    "profiles": "城市画像",
}


def _sheet_name(table: ReportTable, used: set[str]) -> str:
    if table.key in SHEETS:
        base = SHEETS[table.key]
    else:  # top_<list>: 前10 + the list's label
        base = "前10 " + table.caption.split("中", 1)[-1].split("数量")[0]
    for ch in "[]:*?/\\":
        base = base.replace(ch, "")
    name = f"报告-{base}"[:31]
    k = 2
    while name in used:
        name = f"{name[:28]}~{k}"
        k += 1
    used.add(name)
    return name


def write_sheets(wb: Any, tables: Mapping[str, ReportTable]) -> None:
    """Add one formatted sheet per report table to an openpyxl workbook (caption row, bold header, typed
    numbers with number formats, widths)."""
    from mfgindex.report.workbook import write_table

    used = set(wb.sheetnames)
    for t in tables.values():
        write_table(wb, _sheet_name(t, used), t.frame, caption=t.caption, note=t.note or None)


def add_report_sheets(wb: Any, result: Any) -> None:
    """Hook for :func:`mfgindex.services.outputs.write_xlsx`: the report tables (Chinese) of ``result``.

    The context data (GDP, population, lists) are the result's (``result.dataset``). Runs whose units are
    not Chinese cities (e.g. COINr's ASEM example) get no report sheets: the report is about cities.
    """
    if result.framework.universe.kind != "cities" or "province" not in result.table.columns:
        return
    from mfgindex.analysis.run import from_result
    from mfgindex.analysis.runmode import analyze_run

    run = from_result(result)
    write_sheets(wb, report_tables(run, analyze_run(run, panel=False), "zh"))
