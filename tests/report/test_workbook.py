"""results.xlsx as an Excel user reads it: numbers are numbers (with formats), headers are Chinese over a row
of ids, the 说明 sheet comes first and names year, framework, weights, sources and the run hash; a plain
sign such as the direction "+" is never turned into text with a quote."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from openpyxl import Workbook, load_workbook

from mfgindex.core.result import Result
from mfgindex.report.workbook import excel_value, write_table
from mfgindex.services.outputs import write_xlsx


@pytest.fixture(scope="module")
def xlsx(default_result: Result, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("wb") / "results.xlsx"
    write_xlsx(default_result, path)
    return path


@pytest.mark.parametrize(
    ("given", "value", "fmt"),
    [
        ("1,234", 1234, "#,##0"),
        ("12,345.67", 12345.67, "#,##0.00"),
        ("44.2%", 0.442, "0.0%"),
        ("−3.5", -3.5, "#,##0.0"),
        ("—", None, None),
        (7, 7, "0"),
        ("苏1", "苏1", None),
        ("=1+1", "=1+1", None),  # text: the cell rule applies when written (put_cell, quotePrefix)
    ],
)
def test_printed_numbers_become_numbers(given: object, value: object, fmt: str | None) -> None:
    v, f = excel_value(given)
    assert v == pytest.approx(value) if isinstance(value, float) else v == value
    assert f == fmt


def test_about_sheet_comes_first(xlsx: Path, default_result: Result) -> None:
    wb = load_workbook(xlsx)
    assert wb.sheetnames[0] == "说明"
    about = {r[0]: r[1] for r in wb["说明"].iter_rows(min_row=2, values_only=True)}
    assert about["评价年份"] == f"{default_result.year}年"
    assert about["运行指纹"] == default_result.run_hash()
    assert "主次分类赋权" in about["权重"]
    sources = [r[1] for r in wb["说明"].iter_rows(min_row=2, values_only=True) if r[0] == "数据来源"]
    assert any("统计年鉴" in s for s in sources)


def test_scores_sheet_has_chinese_headers_ids_and_numbers(xlsx: Path, default_result: Result) -> None:
    ws = load_workbook(xlsx)["得分"]
    head = [c.value for c in ws[1]]
    ids = [c.value for c in ws[2]]
    assert head[:2] == ["行政区划代码", "城市"] and ids[:2] == ["code", "name"]
    assert "全国排名" in head and ids[head.index("全国排名")] == "rank"
    rank_col = head.index("全国排名") + 1
    index_col = ids.index(default_result.framework.root.id) + 1
    cells = [ws.cell(row=r, column=rank_col) for r in range(3, 13)]
    assert all(c.data_type == "n" and isinstance(c.value, int) for c in cells)
    first = ws.cell(row=3, column=index_col)
    assert first.data_type == "n"
    table = default_result.table.sort_values("rank")
    assert first.value == pytest.approx(float(table.iloc[0][default_result.framework.root.id]))


def test_report_sheets_store_numbers_not_text(xlsx: Path) -> None:
    wb = load_workbook(xlsx)
    ws = wb["报告-榜单"]
    values = [c.value for row in ws.iter_rows(min_row=3, max_row=12) for c in row]
    assert any(isinstance(v, int) for v in values)
    assert not any(isinstance(v, str) and v.replace(",", "").isdigit() for v in values)


def test_direction_is_never_a_quoted_sign(xlsx: Path) -> None:
    ws = load_workbook(xlsx)["框架"]
    values = {c.value for row in ws.iter_rows(min_row=3) for c in row}
    assert "'+" not in values and "'-" not in values
    assert "正向" in values


def test_written_table_round_trips_with_pandas(tmp_path: Path) -> None:
    wb = Workbook()
    wb.remove(wb.active)
    frame = pd.DataFrame({"rank": [1, 2], "index": [85.96, 74.5], "name": ["深圳市", "苏州市"]})
    write_table(wb, "t", frame, ["全国排名", "指数", "城市"])
    wb.save(tmp_path / "t.xlsx")
    back = pd.read_excel(tmp_path / "t.xlsx", header=[0, 1])
    assert list(back.columns) == [("全国排名", "rank"), ("指数", "index"), ("城市", "name")]
    assert back[("指数", "index")].tolist() == [85.96, 74.5]
