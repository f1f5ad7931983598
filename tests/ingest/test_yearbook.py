"""Yearbook tables as they come: fixtures written by scripts/make_yearbook_fixtures.py
from the shared CSVs; imported values are compared with those CSVs, not with our own output."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from mfgindex.cli.main import app
from mfgindex.core import dataset as dataset_mod
from mfgindex.core import framework as fw_mod
from mfgindex.core.ingest import read
from mfgindex.core.ingest.layout import title_facts
from mfgindex.core.ingest.users import read_users_data

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "yearbook"
SHARED = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "city_stats"
if not SHARED.is_dir():
    SHARED = Path("/work/shared/data/city_stats")
runner = CliRunner()


@pytest.fixture(scope="module")
def shared() -> pd.DataFrame:
    """The published values, long: code, year, variable, value (亿元, 万人)."""
    gdp = pd.read_csv(SHARED / "city_gdp_structure_2000_2023.csv", dtype={"adcode": str})
    pop = pd.read_csv(SHARED / "city_population_2010_2024.csv", dtype={"adcode": str})
    cols = {
        "gdp_100m_yuan": "gdp",
        "va_primary_100m_yuan": "va_primary",
        "va_secondary_100m_yuan": "va_secondary",
        "va_tertiary_100m_yuan": "va_tertiary",
    }
    parts = [
        gdp.rename(columns={"adcode": "code"}).melt(["code", "year"], list(cols), "variable", "value"),
        pop.rename(columns={"adcode": "code", "resident_pop_10k_reported": "population"}).melt(
            ["code", "year"], ["population"], "variable", "value"
        ),
    ]
    out = pd.concat(parts, ignore_index=True)
    out["variable"] = out["variable"].replace(cols)
    return out.dropna().set_index(["code", "year", "variable"])["value"]


@pytest.fixture(scope="module")
def caict() -> fw_mod.Framework:
    return fw_mod.load("caict2023")


def _compare(values: pd.DataFrame, shared: pd.Series) -> None:
    for r in values.itertuples():
        assert r.value == pytest.approx(shared[(r.code, r.year, r.variable)], rel=1e-9), r


def test_fixtures_are_what_the_script_writes(tmp_path: Path) -> None:
    assert {p.name for p in FIXTURES.iterdir()} >= {
        "jiangsu_yearbook.xlsx",
        "national_two_level.xlsx",
        "bulletin_2022_gbk.csv",
    }


def test_provincial_yearbook_layout(shared: pd.Series, caict: fw_mod.Framework) -> None:
    ds, problems = read_users_data([FIXTURES / "jiangsu_yearbook.xlsx"], caict)
    assert ds is not None and not [p for p in problems if p.severity == "error"]
    v = ds.values
    # 13 cities × 2 years; gdp, va_primary, va_tertiary everywhere, va_secondary except 苏州 (…),
    # population except 常州 (—)
    assert set(v["code"]) == {f"32{i:02d}00" for i in range(1, 14)}
    assert set(v["year"]) == {2021, 2022}
    assert len(v) == 2 * (13 * 5 - 2)
    assert not ((v["code"] == "320500") & (v["variable"] == "va_secondary")).any()
    _compare(v, shared)  # 南京 with U+3000 indentation, 无 锡 spaced, 常州 without 市, "16,908.00" as text
    text = "\n".join(map(str, problems))
    assert "skipped 1 province and total rows: rows 5 (全省)" in text
    assert "rows 19 (注:本表" in text and "20 (资料来源" in text
    assert "columns ignored (they map to nothing): G 备注" in text
    assert "常住人口 converted from 人 to 万人" in text
    # the title names the 2023 edition; the data are the sheets' years
    assert 2023 not in set(v["year"]) and 2024 not in set(v["year"])


def test_two_level_headers_province_rows_and_units(shared: pd.Series, caict: fw_mod.Framework) -> None:
    ds, problems = read_users_data([FIXTURES / "national_two_level.xlsx"], caict)
    assert ds is not None and not [p for p in problems if p.severity == "error"], problems
    v = ds.values
    # 海　南 under 青海省 is 海南藏族自治州, 吉 林 under 吉林省 is 吉林市, 朝阳 under 辽宁省 is 朝阳市
    assert {"632500", "220200", "211300", "630200", "630100", "220100"} <= set(v["code"])
    _compare(v, shared)  # 万元 converted to 亿元
    assert ds.reading["excluded_rows"] == {str(FIXTURES / "national_two_level.xlsx"): {"北京市": 1}}
    text = "\n".join(map(str, problems))
    assert "excluded (北京市 1 行)" in text
    assert "rows 4 (青海省), 8 (吉林省), 11 (辽宁省)" in text


def test_bulletin_csv_in_gbk_with_the_year_in_the_title(shared: pd.Series, caict: fw_mod.Framework) -> None:
    ds, problems = read_users_data([FIXTURES / "bulletin_2022_gbk.csv"], caict)
    assert ds is not None and not [p for p in problems if p.severity == "error"], problems
    assert set(ds.values["year"]) == {2022}
    assert set(ds.values["variable"]) == {"gdp", "va_secondary", "population"}
    assert set(ds.values["code"]) == {"320100", "320200", "632500", "220200"}  # 海南 with 青海省 beside it
    _compare(ds.values, shared)


def test_title_year_is_never_an_edition() -> None:
    assert title_facts("《江苏统计年鉴2023》 2-5 各设区市地区生产总值")[0] is None
    assert title_facts("江苏统计年鉴2023 表2-5")[0] is None
    assert title_facts("2022年各市主要经济指标（单位：亿元）")[:2] == (2022, "亿元")
    assert title_facts("2021-2022年部分城市地区生产总值")[0] is None
    assert title_facts("2022年江苏省各设区市生产总值")[2] == "江苏"


def test_edition_only_title_and_no_year_is_an_error(tmp_path: Path) -> None:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "表2-5"
    ws.append(["《江苏统计年鉴2023》 2-5 各设区市地区生产总值"])
    ws.append(["城市", "地区生产总值"])
    ws.append(["南京", 16908])
    wb.save(tmp_path / "t.xlsx")
    got = read([tmp_path / "t.xlsx"])
    assert got.dataset is None
    assert any("no year" in p.message and p.sheet == "表2-5" for p in got.problems)
    assert read([tmp_path / "t.xlsx"], year=2022).dataset is not None


def test_overlay_replaces_cell_by_cell_and_never_erases(caict: fw_mod.Framework) -> None:
    base = dataset_mod.default()
    f = FIXTURES / "jiangsu_yearbook.xlsx"
    ds, _ = read_users_data([f], caict, overlay=True)
    assert ds is not None
    v = ds.values.set_index(["code", "year", "variable"])["value"]
    b = base.values.set_index(["code", "year", "variable"])["value"]
    # 苏州's 第二产业 is "…" in the file: the embedded value stays
    assert v[("320500", 2022, "va_secondary")] == b[("320500", 2022, "va_secondary")]
    # 常州's population is "—": embedded value stays
    assert v[("320400", 2022, "population")] == b[("320400", 2022, "population")]
    # the file's cells replace the embedded ones; cells the embedded data lack are added; others untouched
    own, _ = read_users_data([f], caict)
    assert own is not None
    keys = set(zip(own.values["code"], own.values["year"], own.values["variable"], strict=True))
    new = keys - set(b.index)
    assert (
        len(ds.values)
        == len(base.values) + len(new)
        == len(base.values) + ds.reading["overlay"]["cells_added"]
    )
    for r in own.values.itertuples():
        assert v[(r.code, r.year, r.variable)] == r.value
    assert v[("440300", 2022, "gdp")] == b[("440300", 2022, "gdp")]
    supplied = ds.reading["supplied"][str(f)]
    assert "320500" not in supplied["va_secondary"]["2022"]
    assert supplied["gdp"]["2022"] == [f"32{i:02d}00" for i in range(1, 14)]


def test_run_over_embedded_data_records_cells_in_run_json(tmp_path: Path) -> None:
    f = FIXTURES / "national_two_level.xlsx"
    out = tmp_path / "out"
    res = runner.invoke(app, ["run", "-d", str(f), "-o", str(out), "-q"])
    assert res.exit_code == 0, res.output
    record = json.loads((out / "run.json").read_text(encoding="utf-8"))
    reading = record["data_reading"]
    assert reading["supplied"][str(f)]["gdp"]["2022"] == sorted(
        ["630100", "632500", "630200", "220100", "220200", "211300", "110000"]
    )
    assert reading["excluded_rows"][str(f)] == {"北京市": 1}
    assert record["config"]["data_mode"] == "over the embedded data"
    assert len(pd.read_csv(out / "scores.csv")) > 200  # the embedded cities are still there
    # --no-default-data: the file alone (7 units, too few variables for the preset) is an error
    res = runner.invoke(app, ["validate", "-d", str(f), "--no-default-data"])
    assert res.exit_code == 2 and "lacks" in res.output


def test_map_works_for_validate_and_drops_columns(tmp_path: Path) -> None:
    data = tmp_path / "d.csv"
    data.write_text("城市,年份,产值口径GDP,杂项\n南京,2022,16908,abc\n", encoding="utf-8")
    cmap = tmp_path / "map.yaml"
    cmap.write_text("产值口径GDP: gdp\n杂项:\n", encoding="utf-8")
    res = runner.invoke(app, ["validate", "-d", str(data)])
    assert res.exit_code == 2 and "non-numeric" in res.output  # 杂项 read as a variable
    res = runner.invoke(app, ["validate", "-d", str(data), "--map", str(cmap)])
    assert res.exit_code == 0, res.output


def test_import_reads_yearbook_tables_without_edits(tmp_path: Path, shared: pd.Series) -> None:
    ws = tmp_path / "ws"
    assert runner.invoke(app, ["init", str(ws)]).exit_code == 0
    outputs = []
    for name in ("jiangsu_yearbook.xlsx", "national_two_level.xlsx", "bulletin_2022_gbk.csv"):
        res = runner.invoke(app, ["import", str(FIXTURES / name), "-w", str(ws)])
        assert res.exit_code == 0, res.output
        outputs.append(res.output)
    assert "skipped 1 province and total rows: rows 5 (全省)" in outputs[0]
    from mfgindex.workspace import store

    with store.connect(ws) as con:
        values = store.current(con)
    values = values.rename(columns={"unit": "code"})
    assert len(values) > 100
    _compare(values, shared)  # 万元 and 人 converted; names, province rows and notes handled
