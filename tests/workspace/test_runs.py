"""Runs from a workspace: same results as the plain default run, recorded, reproducible, previous years."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from mfgindex.cli.main import app
from mfgindex.core import pipeline
from mfgindex.core.errors import UserError
from mfgindex.core.framework import Framework
from mfgindex.core.result import Result
from mfgindex.core.spec import RunSpec
from mfgindex.services import runner
from mfgindex.workspace import create, runs, schema, snapshots, store, template
from tests.workspace.conftest import write

cli = CliRunner()


def test_default_workspace_run_equals_plain_default_run(default_ws: Path, default_result: Result) -> None:
    result, _, _ = runner.evaluate_workspace(default_ws, runner.RunSpec())
    pd.testing.assert_frame_equal(result.table, default_result.table)
    for stage in ("raw", "normalised"):
        pd.testing.assert_frame_equal(result.current.stages[stage], default_result.current.stages[stage])


# 2020 values of the embedded data that a run of 2021 (which reads 2020 as its previous year) finds as
# spikes and nobody has reviewed yet: `mfgindex run --year 2021` refuses them as the workspace run does
UNREVIEWED_2020 = """code,year,variable,kind,value,reason
230300,2020,population,spike,150.21,not reviewed: accepted so that this test can evaluate 2021
230400,2020,population,spike,89.13,not reviewed: accepted so that this test can evaluate 2021
230900,2020,population,spike,68.96,not reviewed: accepted so that this test can evaluate 2021
231200,2020,sci_tech_expenditure,spike,1.9283,not reviewed: accepted so that this test can evaluate 2021
"""


def test_previous_year_ranking_is_recomputed_under_the_current_framework(
    default_ws: Path, default_framework: Framework, tmp_path: Path
) -> None:
    ds = snapshots.load_dataset(default_ws)
    now = pipeline.evaluate(ds, default_framework, 2022)
    with pytest.raises(UserError) as refused:
        runner.evaluate_workspace(default_ws, runner.RunSpec(year=2021))
    with pytest.raises(UserError) as plain:
        runner.evaluate(runner.RunSpec(year=2021))
    assert [p.message for p in refused.value.problems] == [p.message for p in plain.value.problems]
    accept = (str(write(tmp_path / "accept.csv", UNREVIEWED_2020)),)
    before, _, _ = runner.evaluate_workspace(default_ws, runner.RunSpec(year=2021, accept=accept))
    prev_rank = before.table["rank"].reindex(now.table.index)
    pd.testing.assert_series_equal(now.table["prev_rank"], prev_rank, check_names=False, check_dtype=False)


def test_run_is_recorded_and_reproducible_after_new_imports(default_ws: Path, tmp_path: Path) -> None:
    result, _, _ = runner.evaluate_workspace(default_ws, runner.RunSpec())
    run_id = runs.record_run(default_ws, result, runner.RunSpec().record())
    # a revised value arrives later: the recorded run still recomputes from the data it used
    store.import_values(default_ws, write(tmp_path / "rev.csv", "adcode,year,gdp\n320500,2022,24000\n"))
    again, same = runner.rerun_workspace(default_ws, run_id)
    assert same
    pd.testing.assert_frame_equal(again.table, result.table)
    latest, _, _ = runner.evaluate_workspace(default_ws, runner.RunSpec())
    assert not latest.table.equals(result.table)
    assert runs.runs(default_ws)["id"].tolist() == [run_id]


def test_cli_init_run_and_history(tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    assert cli.invoke(app, ["init", str(ws)]).exit_code == 0
    f = write(
        tmp_path / "v.csv", "city,year,gdp,va_secondary\n苏州,2022,23958.34,11000\n苏州,2021,22718.34,10000\n"
    )
    r = cli.invoke(
        app, ["import", "--workspace", str(ws), str(f), "--source", "统计公报", "--entered-by", "alice"]
    )
    assert r.exit_code == 0 and "4 new" in r.output
    r = cli.invoke(app, ["import", "--workspace", str(ws), str(f)])
    assert r.exit_code == 0 and "no changes" in r.output
    g = write(tmp_path / "v2.csv", "city,year,gdp\n苏州,2022,24000\n")
    r = cli.invoke(app, ["import", "-w", str(ws), str(g)])
    assert r.exit_code == 0 and "23958.3 → 24000" in r.output
    r = cli.invoke(app, ["workspace", "history", "-w", str(ws), "--unit", "苏州", "--variable", "gdp"])
    assert r.exit_code == 0 and "superseded" in r.output and "alice" in r.output
    bad = write(tmp_path / "bad.csv", "city,year,gdp\n苏州,2022,x\n")
    r = cli.invoke(app, ["import", "-w", str(ws), str(bad)])
    assert r.exit_code == 2 and "bad.csv:row 2:column C (gdp)" in r.output and "Traceback" not in r.output
    r = cli.invoke(app, ["import", "-w", str(tmp_path / "nope"), str(f)])
    assert r.exit_code == 2 and "not a workspace" in r.output


def test_cli_lists(tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    cli.invoke(app, ["init", str(ws)])
    f = write(
        tmp_path / "l.csv", "name,province,batch\n昆山某某有限公司,江苏,1\n江苏恒力化纤股份有限公司,江苏,1\n"
    )
    r = cli.invoke(
        app, ["lists", "import", "-w", str(ws), "--list", "lst", str(f), "--batch-years", "1=2017"]
    )
    assert r.exit_code == 0 and "1/2" in r.output
    out = tmp_path / "un.csv"
    r = cli.invoke(app, ["lists", "unresolved", "-w", str(ws), "--list", "lst", "--out", str(out)])
    assert r.exit_code == 0
    un = pd.read_csv(out, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    assert un["name"].tolist() == ["江苏恒力化纤股份有限公司"] and "adcode" in un.columns
    un["adcode"] = "苏州"
    un[["name", "adcode"]].to_csv(out, index=False)
    r = cli.invoke(app, ["lists", "assign", "-w", str(ws), "--list", "lst", str(out)])
    assert r.exit_code == 0 and "2/2" in r.output
    r = cli.invoke(app, ["lists", "counts", "-w", str(ws), "--list", "lst"])
    assert r.exit_code == 0 and "320500" in r.output


def test_template_data_imports_without_a_map(tmp_path: Path, default_framework: Framework) -> None:
    path = tmp_path / "t.xlsx"
    r = cli.invoke(
        app,
        [
            "template",
            "data",
            "--framework",
            "caict2023",
            "--year",
            "2022",
            "--year",
            "2023",
            "--out",
            str(path),
        ],
    )
    assert r.exit_code == 0, r.output
    wb = load_workbook(path)
    assert wb.sheetnames == ["2022", "2023", "说明"]
    ws = wb["2022"]
    header = [c.value for c in ws[1]]
    needed = [v for v, _ in template.raw_variables(default_framework)]
    assert header == ["adcode", "city", "province", *needed, "source"]
    assert ws.max_row == 1 + 333  # 337 units minus the 4 municipalities the framework does not rank
    gdp_col = header.index("gdp") + 1
    assert "亿元" in ws.cell(row=1, column=gdp_col).comment.text
    rules = {str(dv.sqref): (dv.type, dv.operator) for dv in ws.data_validations.dataValidation}
    letter = ws.cell(row=1, column=gdp_col).column_letter
    assert rules[f"{letter}2:{letter}334"] == ("decimal", "greaterThanOrEqual")  # gdp is an amount
    # fill two cells and import: no column map needed
    ws.cell(row=2, column=gdp_col, value=123.5)
    ws.cell(row=2, column=len(header), value="某市统计年鉴2023")
    wb.save(path)
    directory = tmp_path / "ws"
    create.init(directory)
    report = store.import_values(directory, path)
    assert report.added == 1
    h = snapshots.history(directory, str(ws.cell(row=2, column=1).value), "gdp")
    assert h["value"].tolist() == [123.5] and h["source"].tolist() == ["某市统计年鉴2023"]


def test_template_data_refuses_an_out_path_inside_a_file(tmp_path: Path) -> None:
    afile = write(tmp_path / "afile", "x")
    r = cli.invoke(app, ["template", "data", "-f", "caict2023", "-o", str(afile / "x.xlsx")])
    assert r.exit_code == 2, r.output
    assert "is a file, not a folder" in r.output and "Traceback" not in r.output
    assert afile.read_text(encoding="utf-8") == "x"


def test_template_data_refuses_implausible_years(tmp_path: Path) -> None:
    lo, hi = template.year_range()
    assert lo == 1949 and hi == date.today().year + 1
    path = tmp_path / "t.xlsx"
    for bad in (1800, lo - 1, hi + 1):
        r = cli.invoke(app, ["template", "data", "-y", "2022", "-y", str(bad), "-o", str(path)])
        assert r.exit_code == 2, r.output
        assert f"value '{bad}'" in r.output and f"a year from {lo} to {hi}" in r.output
        assert not path.exists()
    assert template.write_template(path, "caict2023", (lo, hi)) == 333  # the bounds themselves are fine


def test_a_run_keeps_its_spec_and_its_run_folder_reruns(default_ws: Path, tmp_path: Path) -> None:
    """The workspace stores the run's RunSpec (workspace, snapshot, year, hashes); run.json holds the same
    spec, so re-running the folder evaluates the workspace's data as of that snapshot."""
    out = tmp_path / "out"
    r = cli.invoke(app, ["workspace", "run", "-w", str(default_ws), "--out", str(out)])
    assert r.exit_code == 0, r.output
    with duckdb.connect(str(schema.db_path(default_ws)), read_only=True) as con:
        stored = con.execute("SELECT spec, snapshot, data_sha256 FROM runs").fetchall()
    assert len(stored) == 1
    spec = RunSpec.model_validate_json(stored[0][0])
    assert spec.workspace == str(default_ws.resolve()) and spec.snapshot == stored[0][1] == 1
    assert spec.year == 2022 and len(spec.framework_sha256 or "") == 64
    assert list(spec.data_sha256.values()) == [stored[0][2]]
    record = json.loads((out / "run.json").read_text(encoding="utf-8"))
    assert RunSpec.from_dict({**record["spec"], "framework": "caict2023"}) == spec
    # newer data arrive: the run folder still re-runs on the data it read, and equals the recorded run
    store.import_values(default_ws, write(tmp_path / "rev.csv", "adcode,year,gdp\n320500,2022,24000\n"))
    again = runner.rerun(out)
    assert not again.warnings, again.warnings
    recorded = pd.read_csv(out / "scores.csv", dtype={"code": str}).set_index("code")
    assert again.result.table["rank"].astype(float).tolist() == recorded["rank"].astype(float).tolist()


def test_runs_recorded_before_specs_still_rerun(default_ws: Path, default_result: Result) -> None:
    """A workspace as mfgindex left it before runs kept their spec (schema version 3, a run with only its
    config), written here by hand: opening it migrates it, and the run re-runs from its config."""
    ds = snapshots.load_dataset(default_ws)
    with duckdb.connect(str(schema.db_path(default_ws))) as con:
        con.execute("ALTER TABLE runs DROP COLUMN spec")
        con.execute("DELETE FROM schema_version WHERE version > 3")
        config = {"framework": "caict2023", "data": f"workspace:{default_ws}", "year": None,
                  "previous_year": None, "top": None, "seed": 0, "method_overrides": {}}  # fmt: skip
        con.execute(
            "INSERT INTO runs VALUES (7, now(), ?, ?, 1, ?, 2022, 2021, NULL, '{}', ?)",
            [
                json.dumps(config),
                json.dumps(dict(ds.inputs)),
                next(iter(ds.inputs.values())),
                default_result.table.to_csv(float_format="%.10g"),
            ],
        )
    result, same = runner.rerun_workspace(default_ws, 7)
    assert same
    pd.testing.assert_frame_equal(result.table, default_result.table)
    with duckdb.connect(str(schema.db_path(default_ws)), read_only=True) as con:
        assert schema.version(con) == schema.LATEST
        assert con.execute("SELECT spec FROM runs WHERE id = 7").fetchall() == [(None,)]
