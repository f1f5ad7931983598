"""Honest list counts: the precision sample, the assignment rate of the shipped list, per-region rates in the
CLI and coverage, and `lists assign` changing only the filled rows ."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from mfgindex.cli.main import app
from mfgindex.core import dataset, geo
from mfgindex.workspace import coverage, lists
from tests.workspace.conftest import write

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "docs" / "lists" / "precision_sample.csv"


def _shipped(name: str = "green_factories_batches1-6_2017-2021.csv") -> pd.DataFrame:
    return pd.read_csv(geo.data_path("enterprise_lists", name), dtype=str, keep_default_na=False)


def test_precision_sample_is_checked_and_at_least_98_percent_correct() -> None:
    s = pd.read_csv(SAMPLE, dtype=str, keep_default_na=False)
    assert len(s) == 100 and s["name"].is_unique
    assert set(s["verdict"]) <= {"correct", "wrong", "unsure"} and (s["note"].str.len() > 0).all()
    assert (s["verdict"] == "correct").sum() >= 98
    # the sampled rows are assignments of the shipped list, still as sampled
    shipped = _shipped().set_index("name")
    assert (shipped.loc[s["name"], "city_adcode_guess"].to_numpy() == s["adcode"].to_numpy()).all()
    # every evidence place really is in the assigned city, by the shipped tables (not by the matcher)
    counties = pd.read_csv(
        geo.data_path("admin_divisions", "county_level_units.csv"), dtype=str, keep_default_na=False
    ).set_index("adcode")
    towns = pd.read_csv(
        geo.data_path("admin_divisions", "town_level_units.csv"), dtype=str, keep_default_na=False
    ).set_index("adcode")
    listed = _shipped("listed_companies_cn_2022-03.csv").set_index("stockid")
    prefectures = set(geo.units().index.astype(str))
    for row in s.itertuples():
        kinds, texts, codes = (
            row.evidence_kind.split(";"),
            row.evidence_text.split(";"),
            row.evidence_code.split(";"),
        )
        assert kinds and len(kinds) == len(texts) == len(codes), row.name
        for kind, text, code_list in zip(kinds, texts, codes, strict=True):
            assert text in row.name, (row.name, text)
            for code in code_list.split("|"):
                if kind == "listed_company":
                    assert listed.at[code, "name"].replace("(", "（").replace(")", "）") == row.name
                    assert listed.at[code, "city_adcode"] == row.adcode, row.name
                elif kind == "listed_company_family":
                    # the brand is the listed company's short name (or its start) and in its legal name
                    assert text in listed.at[code, "sname"] and text in listed.at[code, "name"], row.name
                    assert listed.at[code, "prov"][:2] == row.region[:2] and len(text) >= 3, row.name
                    assert listed.at[code, "city_adcode"] == row.adcode, row.name
                elif kind == "prefecture":
                    assert code in prefectures and code == row.adcode, row.name
                elif kind == "county":
                    assert counties.at[code, "prefecture_adcode"] == row.adcode, (row.name, code)
                    assert counties.at[code, "name"].startswith(text[:2]), (row.name, code)
                elif kind == "town":
                    county = towns.at[code, "county_adcode"]
                    assert counties.at[county, "prefecture_adcode"] == row.adcode, (row.name, code)
                else:
                    pytest.fail(f"unexpected evidence kind {kind!r} for {row.name}")


def test_shipped_green_factory_assignment_rate() -> None:
    df = _shipped()
    rates = dataset.assignment_rates(df["region_raw"], df["city_adcode_guess"] != "")
    total, done = int(rates["entries"].sum()), int(rates["assigned"].sum())
    assert total == 2783
    # 53.4 % with place names only, 61.7 % with the listed-company rule and the town table, 62.7 % with the
    # listed-company family (the 65 % asked for is not reached without lowering precision: docs/workspace.md)
    assert done >= 1746
    by = rates.set_index("region")
    assert by.at["浙江", "entries"] == 162 and by.at["浙江", "assigned"] >= 80  # was 28
    assert by.at["宁波", "rate"] == 1.0  # the region column names the city
    # 湖州: 7 green factories assigned before, 18 now (森赫电梯, 久立特材 … by the listed-company table)
    assert (df["city_adcode_guess"] == "330500").sum() >= 18


def test_every_family_assignment_is_checked() -> None:
    """The listed-company-family rule is below the others' precision, so all its rows carry a verdict."""
    check = pd.read_csv(SAMPLE.parent / "family_check.csv", dtype=str, keep_default_na=False)
    shipped = pd.concat(
        [
            _shipped().assign(list="green_factories"),
            _shipped("green_supply_chain_enterprises_batches1-6_2017-2021.csv").assign(list="green_supply"),
        ]
    )
    family = shipped[shipped["city_match_basis"] == "listed_company_family"]
    assert sorted(zip(check["list"], check["name"], check["adcode"], strict=True)) == sorted(
        zip(family["list"], family["name"], family["city_adcode_guess"], strict=True)
    )
    assert set(check["verdict"]) <= {"correct", "wrong", "unsure"} and (check["note"].str.len() > 0).all()
    assert (check["verdict"] == "correct").sum() >= 0.85 * len(check)


def test_assignment_note_names_low_regions() -> None:
    rates = dataset.assignment_rates(
        ["浙江"] * 10 + ["江苏省"] * 10 + ["新疆兵团"] * 10 + ["宁波"] * 2,
        [True] * 3 + [False] * 7 + [True] * 9 + [False] + [False] * 10 + [True] * 2,
    )
    assert rates.set_index("region").loc["浙江", ["entries", "assigned"]].tolist() == [10, 3]
    note = dataset.assignment_note(rates)
    assert "浙江 3/10（30%）" in note and "江苏" not in note and "兵团" not in note  # 兵团: in no city
    assert note.startswith("已分配到城市的条目 14/32")
    assert "Zhejiang" not in dataset.assignment_note(
        rates, "en"
    ) and "浙江 3/10 (30%)" in dataset.assignment_note(rates, "en")


def test_lists_rates_cli_prints_per_region_rates() -> None:
    r = CliRunner().invoke(app, ["lists", "rates", "--list", "green_factories"])
    assert r.exit_code == 0, r.output
    line = next(x for x in r.output.splitlines() if x.split()[:1] == ["浙江"])
    df = _shipped()
    zj = df[df["region_raw"] == "浙江"]
    assigned = int((zj["city_adcode_guess"] != "").sum())
    assert line.split()[1:4] == ["162", str(assigned), f"{assigned / 162:.1%}"]
    assert "分配率偏低" in r.output


LIST = (
    "name,province,batch,year\n"
    "德尔福电子（苏州）有限公司,江苏,1,2017\n"
    "江苏恒力化纤股份有限公司,江苏,2,2018\n"
    "河南超威电源有限公司,河南,2,2018\n"
    "浙江某某科技有限公司,浙江,2,2018\n"
)


def test_lists_assign_changes_only_filled_rows(ws: Path, tmp_path: Path) -> None:
    lists.import_list(ws, "gf", write(tmp_path / "list.csv", LIST))
    before = lists.entries(ws, "gf").set_index("name")
    assert (before["unit"] != "").sum() == 1
    todo = tmp_path / "todo.csv"
    lists.unresolved(ws, "gf").assign(adcode="").to_csv(todo, index=False)
    # the user fills one row with an adcode, one with a city name, marks none, leaves one empty
    filled = pd.read_csv(todo, dtype=str, keep_default_na=False)
    filled.loc[filled["name"] == "江苏恒力化纤股份有限公司", "adcode"] = "320500"
    filled.loc[filled["name"] == "河南超威电源有限公司", "adcode"] = "none"
    filled.to_csv(todo, index=False)
    report = lists.import_assignments(ws, "gf", todo)
    after = lists.entries(ws, "gf").set_index("name")
    assert after.at["江苏恒力化纤股份有限公司", "unit"] == "320500"
    assert after.at["江苏恒力化纤股份有限公司", "basis"] == "manual"
    assert after.at["河南超威电源有限公司", "basis"] == "manual_excluded"
    # the empty row stays unresolved, with its matcher reason; the untouched row is unchanged
    assert (
        after.at["浙江某某科技有限公司", "unit"] == ""
        and after.at["浙江某某科技有限公司", "basis"] == "no_match"
    )
    assert after.at["浙江某某科技有限公司", "reason"] == before.at["浙江某某科技有限公司", "reason"]
    for col in ("unit", "basis", "reason", "location"):
        assert after.at["德尔福电子（苏州）有限公司", col] == before.at["德尔福电子（苏州）有限公司", col]
    assert report.resolved == 2 and lists.unresolved(ws, "gf")["name"].tolist() == [
        "河南超威电源有限公司",
        "浙江某某科技有限公司",
    ]
    # provenance per entry: the assignment file and its row; the entry's own location stays the list file
    rows = {n: i + 2 for i, n in enumerate(filled["name"])}
    assert f"{todo}:row {rows['江苏恒力化纤股份有限公司']}" in after.at["江苏恒力化纤股份有限公司", "reason"]
    assert f"{todo}:row {rows['河南超威电源有限公司']}" in after.at["河南超威电源有限公司", "reason"]
    assert after.at["江苏恒力化纤股份有限公司", "location"].endswith("list.csv:row 3")
    # … and a later import keeps them, still naming the assignment file per entry
    lists.import_list(ws, "gf", write(tmp_path / "list2.csv", LIST + "苏州某工厂,江苏,3,2019\n"))
    again = lists.entries(ws, "gf").set_index("name")
    assert again.at["江苏恒力化纤股份有限公司", "unit"] == "320500"
    assert str(todo) in again.at["江苏恒力化纤股份有限公司", "reason"]
    assert again.at["浙江某某科技有限公司", "unit"] == ""


def test_coverage_names_the_list_file_not_the_assignment_file(ws: Path, tmp_path: Path) -> None:
    from mfgindex.workspace import store

    store.import_values(ws, write(tmp_path / "v.csv", "city,year,gdp\n苏州,2022,1\n"))
    lists.import_list(ws, "green_factories", write(tmp_path / "list.csv", LIST))
    lists.import_assignments(
        ws,
        "green_factories",
        write(tmp_path / "assign.csv", "name,adcode\n江苏恒力化纤股份有限公司,320500\n"),
    )
    cov = coverage.coverage(ws, "caict2023", [2022])
    row = cov.variables[cov.variables["variable"] == "list:green_factories"].iloc[0]
    assert "list.csv" in row["sources"] and "assign.csv" not in row["sources"]
    # 2 of 4 entries assigned: 江苏 2/2, 河南 0/1, 浙江 0/1 (too few entries to be called low)
    assert row["note"].startswith("已分配到城市的条目 2/4")
    by = cov.lists.set_index("region")
    assert by.loc["江苏", ["entries", "assigned"]].tolist() == [2, 2]


def test_default_workspace_coverage_reports_the_shipped_rates(default_ws: Path) -> None:
    cov = coverage.coverage(default_ws, "caict2023", [2021])
    gf = cov.lists[cov.lists["list"] == "green_factories"].set_index("region")
    df = _shipped()
    zj = df[df["region_raw"] == "浙江"]
    assert gf.at["浙江", "entries"] == 162
    assert gf.at["浙江", "assigned"] == (zj["city_adcode_guess"] != "").sum()
    note = cov.variables.loc[cov.variables["variable"] == "list:green_factories", "note"].iloc[0]
    assert "分配率偏低" in note and "青海" in note
    r = CliRunner().invoke(app, ["coverage", "--workspace", str(default_ws), "--year", "2021"])
    assert r.exit_code == 0, r.output
    assert "green_factories: 已分配到城市的条目" in r.output


def test_report_notes_low_rates_next_to_each_count_of_the_list(default_result: object) -> None:
    from mfgindex.analysis.run import from_result
    from mfgindex.report import data_tables

    run = from_result(default_result)  # type: ignore[arg-type]
    fw = data_tables.framework_table(run, "zh")
    users = [
        (i.name_zh or i.id)
        for i in run.framework.indicators()
        if i.resolved_formula().entries == "green_factories"
    ]
    assert users  # the preset counts green factories
    noted = fw[fw["指标"].isin(users)]
    assert len(noted) == len(users) and noted["注"].str.contains("分配率偏低").all()
    df = _shipped()
    qh = df[df["region_raw"] == "青海"]
    done = int((qh["city_adcode_guess"] != "").sum())
    assert done / len(qh) < 0.5  # a low region by the data (6 of 28 since the listed-company-family rule)
    assert noted["注"].str.contains(f"青海 {done}/{len(qh)}").all()
    # counts of lists assigned in full (listed companies carry their city) get no note
    listed = [
        i.name_zh or i.id
        for i in run.framework.indicators()
        if i.resolved_formula().entries == "listed_manufacturers"
    ]
    assert (fw.loc[fw["指标"].isin(listed), "注"] == "").all()
    # the report names the list by the indicator that counts it, never by its id
    notes = data_tables.list_notes(run, "zh")
    assert f"{users[0]}：已分配到城市的条目" in notes and "green_factories" not in notes
    assert (
        f"low in 青海 {done}/{len(qh)} ({done / len(qh):.0%})"
        in data_tables.framework_table(run, "en").to_string()
    )
