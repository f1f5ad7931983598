from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
import typer
from openpyxl import Workbook, load_workbook
from typer.testing import CliRunner

from mfgindex.cli.weights import register
from mfgindex.core.errors import UserError
from mfgindex.core.weights.io import parse_number, read_pairwise
from mfgindex.core.weights.survey import read_survey, write_template

runner = CliRunner()


@pytest.fixture()
def app() -> typer.Typer:
    local = typer.Typer()
    register(local)
    return local


def write(tmp_path: Path, name: str, text: str) -> Path:
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


PP = ",a,b,c,d\na,1,1,5,3\nb,1,1,5,3\nc,1/5,1/5,1,1/3\nd,1/3,1/3,3,1\n"


def test_parse_number_accepts_fractions() -> None:
    assert parse_number("1/4") == 0.25
    assert parse_number(" 1／3 ") == pytest.approx(1 / 3)
    assert parse_number(5) == 5.0
    for bad in ("abc", "", None, "1/0"):
        with pytest.raises(ValueError):
            parse_number(bad)


def test_cli_ahp_json_Papathanasiou_Ploskas_2018(app: typer.Typer, tmp_path: Path) -> None:
    result = runner.invoke(app, ["weights", "ahp", "--matrix", str(write(tmp_path, "m.csv", PP)), "--json"])
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    assert payload["method"] == "ahp"
    assert payload["weights"]["a"] == pytest.approx(0.3899, abs=5e-5)
    assert payload["weights"]["c"] == pytest.approx(0.0679, abs=5e-5)
    assert payload["lambda_max"] == pytest.approx(4.0435, abs=5e-5)
    assert payload["ri"] == 0.90
    assert payload["cr"] == pytest.approx(0.016, abs=5e-4)
    assert payload["consistent"] is True
    assert set(payload) == {"method", "weights", "lambda_max", "ci", "ri", "cr", "consistent"}


def test_cli_ahp_xlsx_and_table(app: typer.Typer, tmp_path: Path) -> None:
    wb = Workbook()
    ws = wb.worksheets[0]
    for line in PP.strip().split("\n"):
        ws.append([None if not c else (c if "/" in c or c.isalpha() else float(c)) for c in line.split(",")])
    path = tmp_path / "m.xlsx"
    wb.save(path)
    result = runner.invoke(app, ["weights", "ahp", "--matrix", str(path)])
    assert result.exit_code == 0, result.output
    assert "0.3899" in result.stdout and "CR" in result.stdout


def test_cli_inconsistent_ahp_warns_and_strict_fails(app: typer.Typer, tmp_path: Path) -> None:
    path = write(tmp_path, "c.csv", ",a,b,c\na,1,9,1/9\nb,1/9,1,9\nc,9,1/9,1\n")
    result = runner.invoke(app, ["weights", "ahp", "-m", str(path), "--json"])
    assert result.exit_code == 0
    assert json.loads(result.stdout)["consistent"] is False
    assert runner.invoke(app, ["weights", "ahp", "-m", str(path), "--strict"]).exit_code == 1


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        (",a,b,c\na,1,3,5\nb,1/3,1,abc\nc,1/5,1/2,1\n", "row 3:column D"),  # text in a numeric cell
        (",a,b,c\na,1,3,5\nb,1/3,1,2\nc,1/5,0.4,1\n", "row 4:column C"),  # reciprocal off by 20 %
        (",a,b,c\na,1,0,5\nb,1/3,1,2\nc,1/5,1/2,1\n", "row 2:column C"),  # zero comparison
        (",a,b,c\na,1,3,5\nb,1/3,1,2\n", "not square"),
    ],
    ids=["text", "reciprocal", "zero", "non-square"],
)
def test_cli_bad_ahp_input_exits_2_naming_the_cell(
    app: typer.Typer, tmp_path: Path, text: str, fragment: str
) -> None:
    path = write(tmp_path, "bad.csv", text)
    result = runner.invoke(app, ["weights", "ahp", "--matrix", str(path), "--json"])
    assert result.exit_code == 2
    assert fragment in result.stderr
    assert "Traceback" not in result.output
    assert result.stdout == ""


def test_cli_entropy_Xu2004_and_directions(app: typer.Typer, tmp_path: Path) -> None:
    path = write(
        tmp_path, "x.csv", "city,x1,x2,x3,x4\nA,30,30,38,29\nB,19,54,86,29\nC,19,15,85,28.9\nD,68,70,60,29\n"
    )
    result = runner.invoke(app, ["weights", "entropy", "--matrix", str(path), "--json"])
    assert result.exit_code == 0, result.output
    w = json.loads(result.stdout)["weights"]
    assert [round(w[k], 4) for k in ("x1", "x2", "x3", "x4")] == [0.4630, 0.3992, 0.1378, 0.0]
    bad = runner.invoke(app, ["weights", "critic", "--matrix", str(path), "--directions", "+1,-1"])
    assert bad.exit_code == 2 and "directions" in bad.stderr
    ok = runner.invoke(
        app, ["weights", "critic", "--matrix", str(path), "--directions", "+1,-1,1,1", "--json"]
    )
    assert ok.exit_code == 0 and sum(json.loads(ok.stdout)["weights"].values()) == pytest.approx(1)
    for method in ("std", "cv", "pca", "equal", "merec"):
        res = runner.invoke(app, ["weights", method, "--matrix", str(path), "--json"])
        assert res.exit_code == 0, (method, res.output)
        assert json.loads(res.stdout)["method"] == method


def test_cli_missing_file_exits_2(app: typer.Typer, tmp_path: Path) -> None:
    result = runner.invoke(app, ["weights", "entropy", "--matrix", str(tmp_path / "nope.csv")])
    assert result.exit_code == 2 and "not found" in result.stderr


def test_template_round_trip_and_delphi(app: typer.Typer, tmp_path: Path) -> None:
    out = tmp_path / "experts.xlsx"
    assert runner.invoke(app, ["template", "experts", "--out", str(out), "--items", "a,b,c,d"]).exit_code == 0
    wb = load_workbook(out)
    ws = wb["round1"]
    assert [c.value for c in ws[1]] == ["expert", "Ca", "Cs", "a", "b", "c", "d"]
    assert len(ws.data_validations.dataValidation) == 2
    assert len(wb["ahp_round1"].data_validations.dataValidation) == 1
    # three experts of the Kendall hand calculation in test_delphi.py
    for r, vals in enumerate(
        [[0.8, 0.7, 5, 4, 4, 3], [0.9, 0.6, 5, 5, 4, 2], [0.5, 0.6, 4, 5, 3, 3]], start=2
    ):
        for c, v in enumerate(vals, start=2):
            ws.cell(row=r, column=c, value=v)
    ah = wb["ahp_round1"]
    ah["E2"] = "1/3"
    wb.save(out)
    survey = read_survey(out)
    assert list(survey.rounds["round1"].scores.index) == ["E01", "E02", "E03"]
    assert survey.ahp["ahp_round1"]["E01"]["index"].loc["b", "a"] == pytest.approx(3.0)
    result = runner.invoke(app, ["weights", "delphi", "--matrix", str(out), "--json"])
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    assert payload["kendall_w"] == pytest.approx(402 / 486)
    assert payload["authority"]["E03"] == {"cr": pytest.approx(0.55), "accepted": False}
    assert payload["weights"]["a"] == pytest.approx(14 / (14 + 14 + 11 + 8))


def test_template_to_stdout_is_xlsx_bytes(app: typer.Typer) -> None:
    result = runner.invoke(app, ["template", "experts"])
    assert result.exit_code == 0
    assert result.stdout_bytes[:2] == b"PK"
    load_workbook(io.BytesIO(result.stdout_bytes))


def test_write_template_to_binary_stream() -> None:
    buffer = io.BytesIO()
    write_template(buffer, items=["x", "y"])
    assert load_workbook(io.BytesIO(buffer.getvalue()))["round1"]["E1"].value == "y"


def test_survey_text_in_score_cell_is_located(tmp_path: Path) -> None:
    path = tmp_path / "s.xlsx"
    write_template(path, items=["a", "b"])
    wb = load_workbook(path)
    wb["round1"]["B2"], wb["round1"]["C2"], wb["round1"]["D2"], wb["round1"]["E2"] = 0.8, 0.8, "high", 3
    wb.save(path)
    with pytest.raises(UserError) as info:
        read_survey(path)
    p = info.value.problems[0]
    assert (p.sheet, p.row, p.column, p.value) == ("round1", 2, "D", "high")


def test_pairwise_label_mismatch(tmp_path: Path) -> None:
    path = write(tmp_path, "m.csv", ",a,b\nb,1,2\na,1/2,1\n")
    with pytest.raises(UserError, match="row label"):
        read_pairwise(path)


def _survey_with_ahp(path: Path, lines: list[list[object]]) -> Path:
    write_template(path, items=["a", "b", "c"], experts=2)
    wb = load_workbook(path)
    ws = wb["ahp_round1"]
    ws.delete_rows(2, ws.max_row)
    for line in lines:
        ws.append(line)
    wb.save(path)
    return path


def test_cli_ahp_survey_two_experts_per_node_geometric_mean(app: typer.Typer, tmp_path: Path) -> None:
    # node index (x vs dim): E01 says 4, E02 says 1 → geometric mean 2 → weights 2/3, 1/3 (n = 2: CR 0);
    # node dim: E01 only, consistent with w = (0.5, 0.25, 0.25): c1:c2 = 2, c1:c3 = 2, c2:c3 = 1.
    lines: list[list[object]] = [
        ["E01", "index", "x", "dim", 4],
        ["E02", "index", "x", "dim", "1"],
        ["E01", "dim", "c1", "c2", 2],
        ["E01", "dim", "c1", "c3", 2],
        ["E01", "dim", "c2", "c3", 1],
    ]
    path = _survey_with_ahp(tmp_path / "s.xlsx", lines)
    result = runner.invoke(app, ["weights", "ahp", "--matrix", str(path), "--json"])
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    assert payload["sheet"] == "ahp_round1" and payload["root"] == "index"
    index = payload["nodes"]["index"]
    assert index["experts"] == 2 and index["weights"]["x"] == pytest.approx(2 / 3)
    assert payload["nodes"]["dim"]["weights"] == pytest.approx({"c1": 0.5, "c2": 0.25, "c3": 0.25})
    # global weights: x = 2/3; c1 = 1/3 · 0.5 …
    assert payload["weights"] == pytest.approx({"x": 2 / 3, "c1": 1 / 6, "c2": 1 / 12, "c3": 1 / 12})
    one = json.loads(
        runner.invoke(app, ["weights", "ahp", "-m", str(path), "--node", "dim", "--json"]).stdout
    )
    assert one["node"] == "dim" and one["cr"] == pytest.approx(0.0, abs=1e-9) and one["ri"] == 0.58
    table = runner.invoke(app, ["weights", "ahp", "-m", str(path)])
    assert table.exit_code == 0 and "node dim" in table.stdout and "global weights" in table.stdout


def test_cli_ahp_survey_inconsistent_node_strict(app: typer.Typer, tmp_path: Path) -> None:
    lines: list[list[object]] = [
        ["E01", "index", "a", "b", 9],
        ["E01", "index", "b", "c", 9],
        ["E01", "index", "a", "c", "1/9"],
    ]
    path = _survey_with_ahp(tmp_path / "s.xlsx", lines)
    result = runner.invoke(app, ["weights", "ahp", "-m", str(path), "--json"])
    assert result.exit_code == 0 and json.loads(result.stdout)["consistent"] is False
    assert "node index" in result.stderr
    assert runner.invoke(app, ["weights", "ahp", "-m", str(path), "--strict"]).exit_code == 1
    bad = runner.invoke(app, ["weights", "ahp", "-m", str(path), "--node", "nope"])
    assert bad.exit_code == 2 and "no judgements for this node" in bad.stderr


def test_cli_delphi_reports_every_round(app: typer.Typer, tmp_path: Path) -> None:
    path = tmp_path / "s.xlsx"
    write_template(path, items=["a", "b", "c", "d"], experts=3)
    wb = load_workbook(path)
    first = wb["round1"]
    second = wb.copy_worksheet(first)
    second.title = "round2"
    # round 1: the Kendall hand calculation (W = 402/486); round 2: full agreement (W = 1)
    for ws, rows in (
        (first, [[5, 4, 4, 3], [5, 5, 4, 2], [4, 5, 3, 3]]),
        (second, [[5, 4, 3, 2], [5, 4, 3, 2], [5, 4, 3, 2]]),
    ):
        for r, vals in enumerate(rows, start=2):
            for c, v in enumerate([0.8, 0.8, *vals], start=2):
                ws.cell(row=r, column=c, value=v)
    wb.save(path)
    result = runner.invoke(app, ["weights", "delphi", "-m", str(path), "--json"])
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    assert list(payload["rounds"]) == ["round1", "round2"]
    assert payload["rounds"]["round1"]["kendall_w"] == pytest.approx(402 / 486)
    assert payload["rounds"]["round2"]["kendall_w"] == pytest.approx(1.0)
    assert payload["round"] == "round2" and payload["weights"]["a"] == pytest.approx(5 / 14)
    table = runner.invoke(app, ["weights", "delphi", "-m", str(path)])
    assert "Delphi round1" in table.stdout and "Delphi round2" in table.stdout
    only = json.loads(
        runner.invoke(app, ["weights", "delphi", "-m", str(path), "--sheet", "round1", "--json"]).stdout
    )
    assert list(only["rounds"]) == ["round1"]


def test_gbk_matrix_csv_is_read(app: typer.Typer, tmp_path: Path) -> None:
    p = tmp_path / "gbk.csv"
    p.write_bytes("城市,产出,能耗\n苏州,1,2\n无锡,2,3\n常州,3,1\n".encode("gbk"))
    res = runner.invoke(app, ["weights", "entropy", "-m", str(p), "--json"])
    assert res.exit_code == 0, res.output
    assert set(json.loads(res.stdout)["weights"]) == {"产出", "能耗"}


def test_template_unknown_scale_or_bad_out_exits_2(app: typer.Typer, tmp_path: Path) -> None:
    res = runner.invoke(app, ["template", "experts", "--scale", "nope", "-o", str(tmp_path / "t.xlsx")])
    assert res.exit_code == 2 and "unknown scale" in res.output and not (tmp_path / "t.xlsx").exists()
    (tmp_path / "afile").write_text("x", encoding="utf-8")
    res = runner.invoke(app, ["template", "experts", "-o", str(tmp_path / "afile" / "t.xlsx")])
    assert res.exit_code == 2 and "is a file, not a folder" in res.output


def test_error_text_with_brackets_is_printed_as_is(app: typer.Typer, tmp_path: Path) -> None:
    res = runner.invoke(app, ["weights", "entropy", "-m", str(tmp_path / "[b]x.csv")])
    assert res.exit_code == 2, res.output
    assert "[b]x.csv: file not found" in res.output
