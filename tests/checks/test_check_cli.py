"""``mfgindex check``, and the checks as a step of ``validate`` and ``run``."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from mfgindex.cli.main import app
from mfgindex.core import checks as core_checks
from mfgindex.services import checks as checks_svc
from mfgindex.services import runner

cli = CliRunner()

# 鄂尔多斯 2022 as it was before the corrections (the row held 内蒙古's totals; corrections log)
ORDOS_OLD = "adcode,year,variable,value\n150600,2022,gdp,23158.7\n"


@pytest.fixture
def ordos(tmp_path: Path) -> Path:
    f = tmp_path / "ordos.csv"
    f.write_text(ORDOS_OLD, encoding="utf-8")
    return f


def test_check_default_data_is_clean_with_the_shipped_accepted_findings():
    res = cli.invoke(app, ["check"])
    assert res.exit_code == 0, res.output
    assert "0 个错误 (errors)" in res.output


def test_check_json_shape_and_exit_2_with_location(ordos: Path):
    res = cli.invoke(app, ["check", "--data", str(ordos), "--json"])
    assert res.exit_code == 2
    doc = json.loads(res.stdout)
    keys = {"code", "name", "year", "variable", "value", "severity", "kind", "message", "location"}
    assert doc["findings"] and all(set(f) == keys for f in doc["findings"])
    f = next(x for x in doc["findings"] if x["kind"] == "province_share")
    assert (f["code"], f["year"], f["variable"], f["value"]) == ("150600", 2022, "gdp", 23158.7)
    assert f["location"] == f"{ordos}::2:D (value)"  # file:sheet:row:column (a CSV has no sheet)
    assert f["name"] == "鄂尔多斯市" and f["severity"] == "error"
    # only the user's values are reported, the embedded ones give the history
    assert {x["code"] for x in doc["findings"]} == {"150600"}


def test_check_prints_one_line_per_finding_with_evidence(ordos: Path):
    res = cli.invoke(app, ["check", "--data", str(ordos)])
    assert res.exit_code == 2
    line = next(x for x in res.stdout.splitlines() if "province_share" in x)
    assert line.startswith(f"{ordos}::2:D (value): 150600 鄂尔多斯市 2022 gdp=23,158.7 [error]")
    assert "57.0%" in line and "23.4%" in line  # the numbers compared


def test_no_default_data_checks_the_file_alone(ordos: Path):
    # one year, one city: no history, no province, nothing to compare with
    res = cli.invoke(app, ["check", "--data", str(ordos), "--no-default-data", "--json"])
    assert res.exit_code == 0, res.output
    assert json.loads(res.stdout)["findings"] == []


def test_run_stops_with_exit_2_and_writes_nothing(tmp_path: Path):
    # the embedded data with a "correction" that puts 鄂尔多斯's old 2022 GDP back
    undo = tmp_path / "undo.csv"
    undo.write_text("code,year,variable,value,reason\n150600,2022,gdp,23158.7,test: the old value\n", "utf-8")
    out = tmp_path / "out"
    res = cli.invoke(app, ["run", "--corrections", str(undo), "--out", str(out), "-q"])
    assert res.exit_code == 2
    assert "province_share" in res.output and "--accept" in res.output
    assert not out.exists()


def test_validate_runs_the_checks(ordos: Path):
    res = cli.invoke(app, ["validate", "--data", str(ordos)])
    assert res.exit_code == 2
    assert "占全省比重突变 (province_share)" in res.output


def _accept_file(tmp_path: Path, reason: str = "checked: test fixture") -> Path:
    f = tmp_path / "accepted.csv"
    rows = [
        ("150600", 2022, "gdp", kind, 23158.7, reason) for kind in ("province_share", "spike", "two_sources")
    ]
    pd.DataFrame(rows, columns=["code", "year", "variable", "kind", "value", "reason"]).to_csv(f, index=False)
    return f


def test_accepted_findings_let_the_checks_pass_and_are_recorded(ordos: Path, tmp_path: Path):
    acc = _accept_file(tmp_path)
    outcome = checks_svc.check_inputs("caict2023", [ordos], accept=[acc])
    assert outcome.errors() == []
    rec = outcome.record()
    assert str(acc) in rec["accepted_files"]
    accepted = [f for f in rec["findings"] if f["status"] == "accepted" and f["code"] == "150600"]
    assert accepted and all(f["accepted_reason"] == "checked: test fixture" for f in accepted)


def test_an_accepted_entry_needs_a_reason(ordos: Path, tmp_path: Path):
    acc = _accept_file(tmp_path, reason="")
    res = cli.invoke(app, ["check", "--data", str(ordos), "--accept", str(acc)])
    assert res.exit_code == 2
    assert "reason" in res.output


def test_an_accepted_value_is_checked_again_when_it_changes(tmp_path: Path):
    f = tmp_path / "ordos.csv"
    f.write_text("adcode,year,variable,value\n150600,2022,gdp,23158.0\n", encoding="utf-8")
    res = cli.invoke(app, ["check", "--data", str(f), "--accept", str(_accept_file(tmp_path))])
    assert res.exit_code == 2


def test_a_corrections_file_replaces_values_and_is_recorded(ordos: Path, tmp_path: Path):
    fix = tmp_path / "fix.csv"
    fix.write_text(
        "code,year,variable,value,reason\n150600,2022,gdp,5613.44,city_gdp_index 2022 (the city's own GDP)\n",
        encoding="utf-8",
    )
    outcome = checks_svc.check_inputs("caict2023", [ordos], corrections=[fix])
    assert outcome.errors() == []
    (c,) = outcome.corrections
    assert (c.code, c.year, c.variable, c.old, c.new) == ("150600", 2022, "gdp", 23158.7, 5613.44)
    assert outcome.record()["corrections"][0]["reason"].startswith("city_gdp_index 2022")


def test_a_run_records_corrections_and_accepted_findings(tmp_path: Path):
    undo = tmp_path / "undo.csv"
    undo.write_text("code,year,variable,value,reason\n150600,2022,gdp,23158.7,test: the old value\n", "utf-8")
    acc = _accept_file(tmp_path)
    options = runner.RunSpec(corrections=(str(undo),), accept=(str(acc),))
    p = runner.prepare(options)
    v = p.dataset.values
    assert v.loc[
        (v["code"] == "150600") & (v["variable"] == "gdp") & (v["year"] == 2022), "value"
    ].tolist() == [23158.7]
    assert str(undo) in p.dataset.inputs
    rec = p.checks.record()
    assert rec["corrections"][0]["old"] == 5613.44 and rec["corrections"][0]["new"] == 23158.7
    assert str(acc) in rec["accepted_files"]
    assert options.record()["accepted_findings"] == [str(acc)]
    assert options.record()["corrections"] == [str(undo)]


def test_shipped_accepted_findings_are_few_reasoned_and_current():
    accepted = checks_svc.default_accepted()
    frame = pd.read_csv(
        Path(checks_svc.__file__).parents[1] / "data" / "checks" / "accepted_findings_default.csv", dtype=str
    )
    assert (frame["severity"] == "error").sum() <= 15
    assert all(len(a.reason) > 40 for a in accepted)
    # the default run's years (2022 and its previous year) and the latest data years (2024: thin, run only
    # with --allow-thin, checked with 2023) pass with the shipped entries, and every entry is used by one
    outcome = checks_svc.check_inputs("caict2023")
    latest = checks_svc.check_inputs("caict2023", year=2024)
    matched = {(a.code, a.year, a.variable, a.kind) for o in (outcome, latest) for _, a in o.accepted}
    assert {(a.code, a.year, a.variable, a.kind) for a in accepted} == matched  # no stale entry
    assert outcome.errors() == [] and latest.errors() == []


def test_checks_run_once_per_run_not_per_evaluation(monkeypatch: pytest.MonkeyPatch):
    calls = []
    real = core_checks.run_checks

    def counting(*args, **kwargs):
        calls.append(args)
        return real(*args, **kwargs)

    monkeypatch.setattr(core_checks, "run_checks", counting)
    result, _, _ = runner.evaluate(runner.RunSpec())
    assert len(calls) == 1
    assert result.provenance["checks"]["counts"]["errors"] == 0
    assert len(result.provenance["data_corrections"]) == 31


def test_thin_year_is_refused_naming_the_dimensions():
    # the embedded data end in 2023 for GDP and sector VA, so 规模速度 has no cell in 2024
    res = cli.invoke(app, ["validate", "--year", "2024"])
    assert res.exit_code == 2
    assert "2024 年数据过薄 (thin year)" in res.output
    assert "规模速度 (scale) 0%" in res.output and "--allow-thin" in res.output
    ok = cli.invoke(app, ["validate", "--year", "2024", "--allow-thin"])
    assert ok.exit_code == 0, ok.output


def test_check_a_workspace_with_the_default_data(tmp_path: Path):
    from mfgindex.workspace import create

    directory = tmp_path / "ws"
    create.init(directory, with_default=True, entered_by="tester")
    res = cli.invoke(app, ["check", "--workspace", str(directory), "--json"])
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)
    assert {f["severity"] for f in doc["findings"]} == {"warning"}
    # the workspace holds the default data: the shipped reviewed findings of the years a run reads apply
    assert {(f["code"], f["kind"]) for f in doc["accepted"]} == {
        ("460400", "province_share"),  # 儋州 2021
        ("650200", "spike"),  # 克拉玛依 2022
        ("140900", "spike"),  # 忻州 2021 S&T spending
        ("220100", "spike"),  # 长春 2022 S&T spending
        ("220200", "spike"),  # 吉林 2022 S&T spending
        ("230900", "spike"),  # 七台河 2022 patent applications
        ("451200", "unit_slip"),  # 河池 2022 S&T spending
        ("650100", "province_share"),  # 乌鲁木齐 2022 S&T spending
    }


def test_reason_zh_is_optional_in_the_accepted_and_corrections_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    """Files written before the reason_zh column (and users' files without it) read as before; the shipped
    files carry a Chinese reason for every row, recorded next to the English one."""
    from mfgindex.core import dataset, geo

    data = Path(checks_svc.__file__).parents[1] / "data"
    shipped = pd.read_csv(data / "checks" / "accepted_findings_default.csv", dtype=str)
    assert shipped["reason_zh"].str.len().gt(20).all() and shipped["reason"].str.len().gt(40).all()
    old = tmp_path / "accepted_old.csv"
    shipped.drop(columns=["reason_zh"]).to_csv(old, index=False)
    read = checks_svc.read_accepted(old)
    assert [a.reason for a in read] == shipped["reason"].tolist() and all(a.reason_zh == "" for a in read)
    new = checks_svc.default_accepted()
    assert [a.reason_zh for a in new] == shipped["reason_zh"].tolist()

    log = pd.read_csv(data / "city_stats" / "corrections_2026-12-01.csv", dtype=str)
    assert log["reason_zh"].nunique() == log["reason"].nunique() == 4
    assert {r["reason_zh"] for r in dataset.default_corrections()} == set(log["reason_zh"])
    old_log = tmp_path / "corrections_old.csv"
    log.drop(columns=["reason_zh"]).to_csv(old_log, index=False)
    monkeypatch.setattr(geo, "data_path", lambda *parts: old_log)
    dataset._default_corrections.cache_clear()  # the log is read once per process
    try:
        rows = dataset.default_corrections()
    finally:
        dataset._default_corrections.cache_clear()
    assert len(rows) == len(log) and all("reason_zh" not in r for r in rows)
    assert {r["reason"] for r in rows} == set(log["reason"])
