"""Multi-year panels and the ``mfgindex toolbox`` commands."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from mfgindex.cli.main import app
from mfgindex.core import dataset
from mfgindex.core.framework import Framework
from mfgindex.core.result import Result
from mfgindex.toolbox.panel import build_panel, default_years, panel_from_result

runner = CliRunner()


def test_comparable_panel_normalises_years_together(default_framework: Framework) -> None:
    ds = dataset.default()
    p = build_panel(ds, default_framework, [2021, 2022], comparable=True)
    assert p.years == (2021, 2022) and p.comparable
    col = "va_secondary"
    both = np.concatenate([p.normalised[y][col].dropna().to_numpy() for y in p.years])
    # min-max over the pooled years: 0 and 100 are reached once over both years, not in each year
    assert both.min() == pytest.approx(0.0) and both.max() == pytest.approx(100.0)
    assert p.wide().shape[1] == 2
    assert default_years(ds, 2022) == (2018, 2019, 2020, 2021, 2022)


def test_panel_from_result(default_result: Result) -> None:
    p = panel_from_result(default_result)
    assert p.years == (2021, 2022)
    assert p.wide().loc[default_result.table.index[0], 2022] == pytest.approx(
        default_result.table["index"].iloc[0]
    )


def _sheets(path: Path) -> list[str]:
    return list(load_workbook(path, read_only=True).sheetnames)


@pytest.mark.parametrize(
    ("method", "extra", "sheets", "figures"),
    [
        ("obstacle", [], ["degrees", "by_dimension", "top", "frequency"], ["obstacle_frequency.png"]),
        ("coupling", ["--systems", "scale,quality,green"], ["coupling", "grades"], ["coupling_grades.png"]),
        ("gra", [], ["gra_scores", "relation_indicators", "topsis_gra"], ["gra_relation.png"]),
        (
            "dagum",
            ["--years", "2021-2022"],
            ["summary", "groups", "pairs", "years", "theil"],
            ["dagum_decomposition.png"],
        ),
        ("kde", ["--years", "2021-2022"], ["summary", "density"], ["kde_ridge.png", "kde_3d.png"]),
        ("convergence", ["--years", "2020-2022"], ["sigma", "beta"], ["sigma_cv.png"]),
        ("moran", ["--permutations", "99"], ["moran", "lisa_counts", "lisa_index"], ["lisa_map.png"]),
        ("markov", ["--years", "2021-2022"], ["probabilities", "counts", "moves"], ["markov_matrix.png"]),
    ],
)
def test_toolbox_commands(
    tmp_path: Path, method: str, extra: list[str], sheets: list[str], figures: list[str]
) -> None:
    out = tmp_path / method
    res = runner.invoke(app, ["toolbox", method, *extra, "--out", str(out)])
    assert res.exit_code == 0, res.output
    got = _sheets(out / "results.xlsx")
    assert got[0] == "about"
    assert set(sheets) <= set(got)
    for f in figures:
        assert (out / f).stat().st_size > 10_000


def test_coupling_with_external_series_and_formula_cells(tmp_path: Path) -> None:
    ext = tmp_path / "digital.csv"
    ext.write_text("city,digital\n苏州,80\n深圳市,95\n北京,90\n=cmd,1\n", encoding="utf-8")
    res = runner.invoke(
        app,
        ["toolbox", "coupling", "--systems", "index", "--external", str(ext), "--out", str(tmp_path / "o")],
    )
    assert res.exit_code == 2
    assert "row 5" in res.output
    ext.write_text("city,digital\n苏州,80\n深圳市,95\n北京,90\n", encoding="utf-8")
    res = runner.invoke(
        app,
        ["toolbox", "coupling", "--systems", "index", "--external", str(ext), "--out", str(tmp_path / "o")],
    )
    assert res.exit_code == 0, res.output
    ws = load_workbook(tmp_path / "o" / "results.xlsx")["coupling"]
    # header + 深圳 and 苏州: 北京 (a municipality) is outside the caict2023 universe of prefecture cities
    assert ws.max_row == 3


def test_external_series_csv_in_gbk(tmp_path: Path) -> None:
    from mfgindex.toolbox.methods.common import read_external

    ext = tmp_path / "digital.csv"
    ext.write_bytes("城市,数字经济\n苏州,80\n深圳市,95\n".encode("gbk"))
    got = read_external(ext, None)
    assert got.name == "数字经济" and got.to_dict() == {"320500": 80.0, "440300": 95.0}
    res = runner.invoke(
        app,
        ["toolbox", "coupling", "--systems", "index", "--external", str(ext), "--out", str(tmp_path / "o")],
    )
    assert res.exit_code == 0, res.output


@pytest.mark.parametrize(
    "args",
    [
        ["coupling", "--systems", "nope"],
        ["kde", "--years", "1990-1991"],
        ["gra", "--rho", "0"],
        ["moran", "--weights", "hexagons"],
        ["convergence", "--years", "20x"],
    ],
)
def test_user_errors_exit_2(tmp_path: Path, args: list[str]) -> None:
    res = runner.invoke(app, ["toolbox", *args, "--out", str(tmp_path / "o")])
    assert res.exit_code == 2, res.output
    assert "Traceback" not in res.output


@pytest.mark.parametrize(("alpha", "shown"), [("0.9,0.9", "value '0.9,0.9'"), ("[bold]x", "value '[bold]x'")])
def test_bad_alpha_names_the_value_given(tmp_path: Path, alpha: str, shown: str) -> None:
    res = runner.invoke(app, ["toolbox", "coupling", "--alpha", alpha, "--out", str(tmp_path / "o")])
    assert res.exit_code == 2, res.output
    assert shown in res.output and "value ''" not in res.output


def test_run_folder_gives_the_same_results(tmp_path: Path) -> None:
    run_dir = tmp_path / "run"
    assert runner.invoke(app, ["run", "--out", str(run_dir)]).exit_code == 0
    a, b = tmp_path / "a", tmp_path / "b"
    assert runner.invoke(app, ["toolbox", "obstacle", "--out", str(a)]).exit_code == 0
    res = runner.invoke(app, ["toolbox", "obstacle", "--run", str(run_dir), "--out", str(b)])
    assert res.exit_code == 0, res.output
    fresh = pd.read_excel(a / "results.xlsx", sheet_name="by_dimension")
    from_run = pd.read_excel(b / "results.xlsx", sheet_name="by_dimension")
    pd.testing.assert_frame_equal(fresh, from_run)
    about = dict(pd.read_excel(b / "results.xlsx", sheet_name="about").to_numpy())
    assert about["run"] == str(run_dir) and "warnings" not in about
    # a panel method from the run folder
    res = runner.invoke(
        app, ["toolbox", "markov", "--run", str(run_dir), "--years", "2021-2022", "--out", str(b)]
    )
    assert res.exit_code == 0, res.output


@pytest.mark.parametrize(
    "args",
    [
        ["obstacle", "--run", "no/such/folder"],
        ["obstacle", "--run", ".", "--year", "2021"],
    ],
)
def test_run_folder_errors_exit_2(tmp_path: Path, args: list[str]) -> None:
    res = runner.invoke(app, ["toolbox", *args, "--out", str(tmp_path / "o")])
    assert res.exit_code == 2, res.output
    assert "Traceback" not in res.output
