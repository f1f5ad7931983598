"""Coverage: cities per variable and year with sources, thin dimensions, the report's summary, the CLI."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from mfgindex.cli.main import app
from mfgindex.core import framework
from mfgindex.core.errors import UserError
from mfgindex.services import runner
from mfgindex.workspace import coverage, store
from tests.conftest import ASEM_DIR
from tests.workspace.conftest import write

cli = CliRunner()
TABLE = (
    "adcode,year,gdp,va_secondary,source\n"
    "320500,2022,23958.34,11000,苏州统计公报\n"
    "320200,2022,14850.82,7300,无锡统计公报\n"
    "320200,2021,14003.24,,无锡统计公报\n"
)


def test_variables_count_cities_and_sources(ws: Path, tmp_path: Path) -> None:
    store.import_values(ws, write(tmp_path / "t.csv", TABLE))
    store.import_values(ws, write(tmp_path / "u.csv", "city,year,gdp\n苏州,2022,24000\n"), source="修订")
    v = coverage.variables(ws, "caict2023").set_index(["variable", "year"])
    gdp = v.loc[("gdp", 2022)]
    assert gdp["cities"] == 2 and gdp["of"] == 333 and gdp["in_framework"]
    # the revised value is the current one: its source counts, not the superseded one's
    assert gdp["sources"] == "修订 ×1; 无锡统计公报 ×1"
    assert v.loc[("gdp", 2021), "cities"] == 1
    assert v.loc[("va_secondary", 2021), "cities"] == 0  # an empty cell is no value
    # a variable the framework reads but the workspace lacks is listed with 0 cities
    assert v.loc[("population", 2022), "cities"] == 0
    assert v.loc[("list:green_factories", 2022), "cities"] == 0
    assert sorted({y for _, y in v.index}) == [2021, 2022]


def test_dimensions_flag_thin_and_the_default_data_is_not_thin(
    ws: Path, default_ws: Path, tmp_path: Path
) -> None:
    store.import_values(ws, write(tmp_path / "t.csv", TABLE))
    d = coverage.dimensions(ws, years=[2022])
    assert d["thin"].all() and (d["share"] < 0.01).all()
    scale = d.set_index("dimension").loc["scale"]
    assert scale["cells"] == 333 * scale["indicators"]
    full = coverage.coverage(default_ws, years=[2022])
    dims = full.dimensions.set_index("dimension")
    assert not dims["thin"].any() and dims["share"].min() > 0.8
    assert list(dims.index) == [c.id for c in framework.load("caict2023").root.children]
    assert "2022年数据工作区覆盖率为" in full.sentence() and "各维度覆盖率均不低于60%" in full.sentence()
    strict = coverage.coverage(default_ws, years=[2022], threshold=0.99)
    assert "quality" in strict.sentence(lang="en") and "below 99%" in strict.sentence(lang="en")


def test_for_report_finds_the_workspace_of_a_run(default_ws: Path) -> None:
    result, _, _ = runner.evaluate_workspace(default_ws, runner.RunSpec())
    inputs = dict(result.provenance["inputs"])
    cov = coverage.for_report(inputs, result.framework, 2022)
    assert cov is not None and sorted(set(cov.dimensions["year"])) == [2021, 2022]
    assert coverage.for_report({"data/x.csv": "abc"}, "caict2023", 2022) is None
    assert coverage.workspace_of({"workspace:/a/b@7": "h"}) == (Path("/a/b"), 7)


def test_bad_options_are_user_errors(ws: Path, tmp_path: Path) -> None:
    with pytest.raises(UserError, match="threshold"):
        coverage.coverage(ws, threshold=1.5)
    with pytest.raises(UserError, match="not a city framework"):
        coverage.coverage(ws, str(ASEM_DIR / "iMeta.csv"))
    with pytest.raises(UserError, match=r"cov.txt.*\.csv or \.xlsx"):
        coverage.write(coverage.coverage(ws), tmp_path / "cov.txt")


def test_cli_coverage_prints_and_writes_csv_and_xlsx(ws: Path, tmp_path: Path) -> None:
    store.import_values(ws, write(tmp_path / "t.csv", TABLE))
    r = cli.invoke(app, ["coverage", "--workspace", str(ws)])
    assert r.exit_code == 0, r.output
    assert "苏州统计公报 ×1" in r.output and "THIN" in r.output and "低于60%的维度" in r.output
    out = tmp_path / "cov.csv"
    r = cli.invoke(app, ["coverage", "-w", str(ws), "--year", "2022", "--out", str(out)])
    assert r.exit_code == 0, r.output
    v = pd.read_csv(out, encoding="utf-8-sig")
    d = pd.read_csv(tmp_path / "cov.dimensions.csv", encoding="utf-8-sig")
    assert set(v["year"]) == {2022} and d["thin"].all()
    xlsx = tmp_path / "cov.xlsx"
    r = cli.invoke(app, ["coverage", "-w", str(ws), "--all-years", "--out", str(xlsx)])
    assert r.exit_code == 0, r.output
    assert load_workbook(xlsx).sheetnames == ["variables", "dimensions"]
    r = cli.invoke(app, ["coverage", "-w", str(ws), "--threshold", "2"])
    assert r.exit_code == 2 and "--threshold" in r.output and "Traceback" not in r.output
    r = cli.invoke(app, ["coverage", "-w", str(tmp_path / "none")])
    assert r.exit_code == 2 and "not a workspace" in r.output
