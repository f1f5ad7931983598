"""End-to-end: users' XLSX (wide) and CSV (long) data through `mfgindex run`, and bad input → exit 2."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pandas as pd
import pytest
import yaml
from openpyxl import Workbook
from typer.testing import CliRunner

from mfgindex.cli.main import app

runner = CliRunner()

FRAMEWORK = {
    "id": "small",
    "top_n": 2,
    "methods": {"treat": "none", "normalise": "minmax", "aggregate": "arithmetic"},
    "variables": {
        "output": {"kind": "amount"},
        "firms": {"kind": "count"},
        "energy": {"kind": "amount"},
        "gdp": {"kind": "amount"},
    },
    "root": {
        "id": "index",
        "children": [
            {"id": "scale", "children": [{"id": "output"}, {"id": "firms"}]},
            {
                "id": "green",
                "children": [
                    {
                        "id": "energy_per_gdp",
                        "direction": -1,
                        "formula": {"op": "intensity", "num": "energy", "den": "gdp"},
                    }
                ],
            },
        ],
    },
}

# 2022 values; expected by hand (min-max 0-100, equal weights):
#            output firms energy gdp  | output_n firms_n e/gdp  green_n | scale  index
# 苏州市        300    30     10   100 |   100     100    0.10    100   |  100    100
# 无锡市 (320200) 200  10     40   100 |    50       0    0.40      0   |   25    12.5
# 常州 (short)  100    20     20   100 |     0      50    0.20  66.67   |   25    45.83
DATA_2022 = [("苏州市", 300, 30, 10, 100), ("320200", 200, 10, 40, 100), ("常州", 100, 20, 20, 100)]
DATA_2021 = [("苏州市", 250, 25, 10, 100), ("320200", 260, 30, 40, 100), ("常州", 100, 20, 30, 100)]
EXPECTED_2022 = {"320500": 100.0, "320400": (25 + 200 / 3) / 2, "320200": 12.5}


@pytest.fixture()
def framework_file(tmp_path: Path) -> Path:
    f = tmp_path / "framework.yaml"
    f.write_text(yaml.safe_dump(FRAMEWORK, allow_unicode=True), encoding="utf-8")
    return f


def _wide_xlsx(path: Path, years: dict[str, list[tuple]]) -> Path:
    wb = Workbook()
    wb.remove(wb.active)
    for sheet, rows in years.items():
        ws = wb.create_sheet(sheet)
        ws.append(["城市", "output", "firms", "energy", "gdp"])
        for r in rows:
            ws.append(list(r))
    wb.save(path)
    return path


def _long_csv(path: Path) -> Path:
    rows = []
    for year, data in ((2021, DATA_2021), (2022, DATA_2022)):
        for city, *vals in data:
            for var, v in zip(("output", "firms", "energy", "gdp"), vals, strict=True):
                rows.append({"city": city, "year": year, "variable": var, "value": v, "source": "统计年鉴"})
    pd.DataFrame(rows).to_csv(path, index=False)
    return path


def _check_run(out: Path) -> pd.DataFrame:
    scores = pd.read_csv(out / "scores.csv", dtype={"code": str}).set_index("code")
    for code, value in EXPECTED_2022.items():
        assert scores.at[code, "index"] == pytest.approx(value)
    assert scores["rank"].tolist() == [1, 2, 3]
    assert scores.at["320500", "province_rank"] == "苏1"
    # 2021 by hand: 无锡 leads scale … the change column compares the same framework a year earlier
    assert set(scores["change"]) <= {"up", "down", "same", "new"}
    record = json.loads((out / "run.json").read_text(encoding="utf-8"))
    assert record["year"] == 2022 and record["previous_year"] == 2021 and len(record["inputs"]) == 1
    assert (out / "results.xlsx").exists() and (out / "indicators.csv").exists()
    return scores


def test_wide_xlsx_end_to_end(tmp_path, framework_file):
    data = _wide_xlsx(tmp_path / "data.xlsx", {"2021": DATA_2021, "2022": DATA_2022})
    res = runner.invoke(
        app, ["run", "-f", str(framework_file), "-d", str(data), "--out", str(tmp_path / "out")]
    )
    assert res.exit_code == 0, res.output
    _check_run(tmp_path / "out")


def test_long_csv_end_to_end(tmp_path, framework_file):
    data = _long_csv(tmp_path / "long.csv")
    res = runner.invoke(app, ["run", "-f", str(framework_file), "-d", str(data), "-o", str(tmp_path / "out")])
    assert res.exit_code == 0, res.output
    scores = _check_run(tmp_path / "out")
    # 2021 by hand: output 250/260/100 → 93.75/100/0; firms 25/30/20 → 50/100/0; scale 71.875/100/0;
    # energy/gdp .1/.4/.3 (lower is better) → 100/0/33.33; index 85.94/50/16.67 → ranks 苏州 1, 无锡 2, 常州 3
    assert scores.at["320500", "prev_rank"] == 1 and scores.at["320200", "prev_rank"] == 2
    # top_n = 2: 常州 was 3rd (outside the list) and is now 2nd → 新增 (new), not merely "up"
    assert scores.at["320400", "prev_rank"] == 3 and scores.at["320400", "change"] == "new"
    assert scores.at["320200", "change"] == "down"
    assert scores.at["320200", "rank_change"] == -1


BAD_CASES = {
    "unknown city": (("火星市", 1, 1, 1, 1), "未知城市"),
    "non-numeric": (("苏州市", "abc", 1, 1, 1), "non-numeric"),
    "negative count": (("苏州市", 1, -3, 1, 1), "impossible value for firms"),
    "zero denominator": (("苏州市", 1, 1, 1, 0), "positive denominator"),
    # gdp 100 elsewhere: 1,000,000 is 100 typed in a unit 10⁴ times smaller (万元 → 元)
    "unit slip": (("苏州市", 1, 1, 1, 1_000_000), "unit slip"),
}


@pytest.mark.parametrize("case", list(BAD_CASES))
def test_bad_input_exits_2_with_location_and_writes_nothing(tmp_path, framework_file, case):
    row, message = BAD_CASES[case]
    before = [r for r in DATA_2022 if r[0] != row[0]]
    rows = [*before, row, ("南京市", 10, 10, 10, 100), ("扬州市", 12, 9, 10, 100)]
    bad_row = len(before) + 2  # the header is spreadsheet row 1
    data = _wide_xlsx(tmp_path / "bad.xlsx", {"2022": rows})
    out = tmp_path / "out"
    res = runner.invoke(app, ["run", "-f", str(framework_file), "-d", str(data), "-o", str(out)])
    assert res.exit_code == 2, res.output
    assert message in res.output
    assert "bad.xlsx" in res.output and "sheet 2022" in res.output and f"row {bad_row}:" in res.output
    assert "Traceback" not in res.output
    assert not out.exists()


def test_duplicate_and_missing_variable(tmp_path, framework_file):
    rows = [*DATA_2022, ("苏州", 1, 1, 1, 1)]
    data = _wide_xlsx(tmp_path / "dup.xlsx", {"2022": rows})
    res = runner.invoke(app, ["validate", "-f", str(framework_file), "-d", str(data)])
    assert res.exit_code == 2 and "duplicate" in res.output and "row 5" in res.output
    wb = Workbook()
    ws = wb.active
    ws.title = "2022"
    ws.append(["城市", "output", "firms", "gdp"])
    ws.append(["苏州市", 1, 1, 1])
    wb.save(tmp_path / "lack.xlsx")
    res = runner.invoke(app, ["validate", "-f", str(framework_file), "-d", str(tmp_path / "lack.xlsx")])
    assert res.exit_code == 2 and "'energy'" in res.output


def test_default_run_is_byte_identical(tmp_path):
    outs = []
    for name in ("a", "b"):
        res = runner.invoke(app, ["run", "--out", str(tmp_path / name), "-q"])
        assert res.exit_code == 0, res.output
        outs.append(tmp_path / name)
    for f in ("scores.csv", "indicators.csv", "results.xlsx", "run.json"):
        assert (outs[0] / f).read_bytes() == (outs[1] / f).read_bytes(), f


def test_default_run_prints_top10_and_outputs(tmp_path):
    res = runner.invoke(app, ["run", "--out", str(tmp_path / "o")])
    assert res.exit_code == 0
    assert "深圳市" in res.output and "苏州市" in res.output and "scores.csv" in res.output
    scores = pd.read_csv(tmp_path / "o" / "scores.csv", dtype={"code": str})
    # universe: prefecture-level units, the four municipalities excluded
    assert not set(scores["code"]) & {"110000", "120000", "310000", "500000"}
    assert 320 <= len(scores) <= 333


def test_bad_option_is_a_message_not_a_traceback(tmp_path):
    res = runner.invoke(app, ["run", "--range", "abc", "-o", str(tmp_path / "x")])
    assert res.exit_code == 2 and "--range" in res.output
    res = runner.invoke(app, ["run", "--aggregate", "geometric", "-o", str(tmp_path / "x")])
    assert res.exit_code == 2 and "--range 1,100" in res.output


@pytest.mark.parametrize("text", ["=1+1", "+SUM(A1)", "-2+3", "@cmd", "\t=1", "\r=1"])
def test_formula_like_text_is_neutralised(text):
    from mfgindex.core.files import safe_cell

    assert safe_cell(text) == "'" + text
    assert safe_cell("苏州市") == "苏州市" and safe_cell(-2.5) == -2.5  # numbers stay numbers


# -- realistic bad or awkward input (QA pass): each test fails without its fix ------------------------------
def _wide_rows(year_text: str = "2022") -> list[list[str]]:
    return [[c, year_text, *map(str, v)] for c, *v in DATA_2022]


def _csv(path: Path, header: list[str], rows: list[list[str]], encoding: str = "utf-8") -> Path:
    text = "\n".join(",".join(r) for r in [header, *rows]) + "\n"
    path.write_bytes(text.encode(encoding))
    return path


HEADER = ["城市", "年份", "output", "firms", "energy", "gdp"]


def test_gbk_csv_is_read_and_the_encoding_said(tmp_path, framework_file):
    data = _csv(tmp_path / "gbk.csv", HEADER, _wide_rows(), encoding="gbk")
    res = runner.invoke(app, ["run", "-f", str(framework_file), "-d", str(data), "-o", str(tmp_path / "o")])
    assert res.exit_code == 0, res.output
    assert "GB18030" in res.output and "gbk.csv" in res.output
    scores = pd.read_csv(tmp_path / "o" / "scores.csv", dtype={"code": str}).set_index("code")
    assert scores.at["320500", "index"] == pytest.approx(100.0)


def test_year_with_nian_and_full_width_digits(tmp_path, framework_file):
    rows = _wide_rows("2022年")
    rows[0][2] = "３００"  # full-width digits
    rows[1][3] = "１０"
    data = _csv(tmp_path / "nian.csv", HEADER, rows)
    res = runner.invoke(app, ["run", "-f", str(framework_file), "-d", str(data), "-o", str(tmp_path / "o")])
    assert res.exit_code == 0, res.output
    scores = pd.read_csv(tmp_path / "o" / "scores.csv", dtype={"code": str}).set_index("code")
    for code, value in EXPECTED_2022.items():
        assert scores.at[code, "index"] == pytest.approx(value)


def test_parse_number_full_width_separators():
    from mfgindex.core.ingest import parse_number, parse_year

    assert parse_number("１，２３４．５") == pytest.approx(1234.5)
    assert parse_number("１２％") == pytest.approx(0.12)
    assert parse_year("２０２２年") == 2022 and parse_year("2022年度") == 2022
    assert parse_year("2022.5") is None and parse_year("22年") is None


def test_wan_yi_suffix_is_an_error_naming_the_cell(tmp_path, framework_file):
    rows = _wide_rows()
    rows[0][2] = "3万"
    data = _csv(tmp_path / "wan.csv", HEADER, rows)
    out = tmp_path / "o"
    res = runner.invoke(app, ["validate", "-f", str(framework_file), "-d", str(data)])
    assert res.exit_code == 2
    assert "wan.csv:row 2:column C (output)" in res.output and "unit word (万)" in res.output
    assert not out.exists()


def test_duplicate_column_is_named(tmp_path, framework_file):
    header = ["城市", "年份", "output", "firms", "output", "gdp"]
    data = _csv(tmp_path / "dup.csv", header, _wide_rows())
    res = runner.invoke(app, ["validate", "-f", str(framework_file), "-d", str(data)])
    assert res.exit_code == 2
    assert "dup.csv:row 1:column E: duplicate column 'output', first in column C" in res.output


def test_empty_csv_is_named(tmp_path, framework_file):
    (tmp_path / "empty.csv").write_bytes(b"")
    res = runner.invoke(app, ["validate", "-f", str(framework_file), "-d", str(tmp_path / "empty.csv")])
    assert res.exit_code == 2 and "empty.csv: the file is empty" in res.output


def test_group_header_over_variables_is_read(tmp_path, framework_file):
    """A merged group row (规模 over output, firms) above the variables: the lower row names them."""
    wb = Workbook()
    ws = wb.active
    ws.title = "2022"
    ws.append(["城市", "规模", None, "绿色", None])
    ws.merge_cells("B1:C1")
    ws.merge_cells("D1:E1")
    ws.append([None, "output", "firms", "energy", "gdp"])
    for r in DATA_2022:
        ws.append(list(r))
    wb.save(tmp_path / "merged.xlsx")
    res = runner.invoke(app, ["validate", "-f", str(framework_file), "-d", str(tmp_path / "merged.xlsx")])
    assert res.exit_code == 0, res.output
    assert "non-numeric" not in res.output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--top", "0"], "--top must be at least 1"),
        (["--range", "100,0"], "LO < HI"),
        (["--range", "nan,inf"], "finite number"),
        (["--previous-year", "1800"], "no data for the previous year 1800"),
        (["--year", "2021", "--previous-year", "2022"], "is not before the year 2021"),
        (["--impute", "group_mean", "--impute-group", "nope"], "no grouping column 'nope'"),
    ],
)
def test_bad_options_exit_2_and_write_nothing(tmp_path, framework_file, args, message):
    data = _long_csv(tmp_path / "long.csv")
    out = tmp_path / "out"
    res = runner.invoke(app, ["run", "-f", str(framework_file), "-d", str(data), "-o", str(out), *args])
    assert res.exit_code == 2, res.output
    assert message in res.output and "Traceback" not in res.output
    assert not out.exists()


def test_out_dir_that_is_a_file_or_not_writable(tmp_path, framework_file, monkeypatch):
    data = _long_csv(tmp_path / "long.csv")
    afile = tmp_path / "afile"
    afile.write_text("x")
    for out in (afile, afile / "sub"):
        res = runner.invoke(app, ["run", "-f", str(framework_file), "-d", str(data), "-o", str(out)])
        assert res.exit_code == 2 and "is a file, not a folder" in res.output, res.output
    real_access = os.access
    monkeypatch.setattr(
        "mfgindex.core.files.os.access", lambda p, mode: Path(p) != tmp_path and real_access(p, mode)
    )
    res = runner.invoke(app, ["run", "-f", str(framework_file), "-d", str(data), "-o", str(tmp_path / "ro")])
    assert res.exit_code == 2 and "no permission to write" in res.output
    assert not (tmp_path / "ro").exists()


def test_units_without_an_index_score_do_not_break_the_run(tmp_path, framework_file):
    fw = yaml.safe_load(framework_file.read_text(encoding="utf-8"))
    fw["methods"]["min_share"] = 0.6
    framework_file.write_text(yaml.safe_dump(fw, allow_unicode=True), encoding="utf-8")
    rows = [*_wide_rows(), ["南京市", "2022", "", "10", "10", "100"]]
    data = _csv(tmp_path / "gap.csv", HEADER, rows)
    res = runner.invoke(app, ["run", "-f", str(framework_file), "-d", str(data), "-o", str(tmp_path / "o")])
    assert res.exit_code == 0, res.output
    scores = pd.read_csv(tmp_path / "o" / "scores.csv", dtype={"code": str}).set_index("code")
    assert pd.isna(scores.at["320100", "rank"]) and scores["rank"].notna().sum() == 3


@pytest.mark.parametrize("case", ["one unit without a dimension", "a dimension without scores"])
def test_missing_dimension_scores_do_not_break_the_outputs(tmp_path, framework_file, case):
    fw = yaml.safe_load(framework_file.read_text(encoding="utf-8"))
    fw["methods"]["min_share"] = 0.5
    framework_file.write_text(yaml.safe_dump(fw, allow_unicode=True), encoding="utf-8")
    rows = _wide_rows()
    extra: list[str] = []
    if case == "one unit without a dimension":
        rows.append(["南京市", "2022", "150", "25", "", ""])  # no energy/gdp: no green score
    else:  # every city has the same energy/gdp: min-max of a constant column is missing, so green is too
        rows = [[c, y, o, f, "10", "100"] for c, y, o, f, _, _ in rows]
    data = _csv(tmp_path / "d.csv", HEADER, rows)
    out = tmp_path / "o"
    res = runner.invoke(app, ["run", "-f", str(framework_file), "-d", str(data), "-o", str(out), *extra])
    assert res.exit_code == 0, res.output
    scores = pd.read_csv(out / "scores.csv", dtype={"code": str}).set_index("code")
    assert scores["green"].isna().any() and scores["index"].notna().all()
