"""``mfgindex audit | uncertainty | sensitivity`` end to end on ASEM; user errors exit 2."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pandas as pd
from typer.testing import CliRunner

from mfgindex.cli.main import app
from mfgindex.core.geo import data_path

ASEM = ["-f", str(data_path("asem", "iMeta.csv")), "-d", str(data_path("asem", "iData.csv")), "--denominate",
        "--impute", "group_mean", "--impute-group", "EurAsia_group"]  # fmt: skip


def _run(*args: str):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(app, list(args))


def test_audit_cli(tmp_path: Path) -> None:
    res = _run("audit", *ASEM, "--out", str(tmp_path))
    assert res.exit_code == 0, res.output
    for f in ("cronbach.csv", "pca.csv", "correlations.csv", "effective_weights.csv", "coverage_units.csv"):
        assert (tmp_path / f).exists()


def test_uncertainty_cli_byte_identical(tmp_path: Path) -> None:
    outs = []
    for name in ("a", "b"):
        out = tmp_path / name
        res = _run("uncertainty", *ASEM, "--n", "300", "--seed", "5", "--out", str(out), "--chunk", "100",
                   "--charts", "--replications")  # fmt: skip
        assert res.exit_code == 0, res.output
        outs.append(out)
    for f in ("uncertainty.csv", "replications.parquet", "uncertainty.json", "rank_intervals.svg"):
        assert (outs[0] / f).read_bytes() == (outs[1] / f).read_bytes(), f
    stats = pd.read_csv(outs[0] / "uncertainty.csv", encoding="utf-8-sig")
    assert list(stats.columns[:7]) == ["code", "name", "nominal_rank", "median_rank", "mean_rank", "p05_rank",
                                       "p95_rank"]  # fmt: skip
    assert len(stats) == 51
    assert (stats.p05_rank <= stats.median_rank).all() and (stats.median_rank <= stats.p95_rank).all()
    assert (outs[0] / "rank_intervals.png").stat().st_size > 10_000


def test_sensitivity_cli(tmp_path: Path) -> None:
    res = _run("sensitivity", *ASEM, "--n", "64", "--seed", "1", "--out", str(tmp_path), "--charts")
    assert res.exit_code == 0, res.output
    sobol = pd.read_csv(tmp_path / "sobol.csv", encoding="utf-8-sig")
    assert list(sobol.columns) == ["factor", "S1", "S1_conf", "ST", "ST_conf"]
    assert list(sobol.factor) == ["winmax", "normalisation", "weights", "aggregation"]
    assert (tmp_path / "sobol.png").exists()
    assert not (tmp_path / "sobol_units.csv").exists()  # per-unit indices only with --per-unit


def test_default_uncertainty_writes_statistics_only_and_imports_no_plotting(tmp_path: Path) -> None:
    """Without --charts / --replications: uncertainty.csv and .json only; matplotlib, SALib, scipy,
    pyarrow.parquet, duckdb and openpyxl are never imported, nor the weighting methods ASEM does not use
    (AHP, Delphi, expert surveys, objective weights, TOPSIS) — a fresh interpreter runs the command and
    lists its modules."""
    unused = ("derivation", "ahp", "delphi", "survey", "io", "objective", "topsis")
    heavy = ("matplotlib", "SALib", "scipy", "pyarrow.parquet", "duckdb", "openpyxl",
             *(f"mfgindex.core.weights.{m}" for m in unused))  # fmt: skip
    script = (
        "import atexit, sys\n"
        "from mfgindex.cli.main import main\n"
        f"sys.argv = ['mfgindex', 'uncertainty', *{ASEM!r}, '--n', '50', '--out', {str(tmp_path)!r}]\n"
        f"heavy = {heavy!r}\n"
        "atexit.register(lambda: print(sorted(m for m in sys.modules\n"
        "                                     if m.split('.')[0] in heavy or m in heavy)))\n"
        "main()\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert done.stdout.strip().splitlines()[-1] == "[]", done.stdout
    names = sorted(p.name for p in tmp_path.iterdir())
    assert names == ["mfgindex-manifest.json", "uncertainty.csv", "uncertainty.json"]


def test_bad_assumptions_exit_2(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("assumptions:\n  - {path: methods.winmax, values: [-1]}\n", encoding="utf-8")
    res = _run("uncertainty", *ASEM, "--n", "10", "--assumptions", str(bad), "--out", str(tmp_path / "o"))
    assert res.exit_code == 2
    assert "bad.yaml" in res.output
    res = _run("uncertainty", *ASEM, "--n", "10", "--assumptions", str(tmp_path / "missing.yaml"))
    assert res.exit_code == 2


def test_out_dir_that_is_a_file_exits_2_before_work(tmp_path: Path) -> None:
    afile = tmp_path / "afile"
    afile.write_text("x", encoding="utf-8")
    for cmd in (["audit"], ["uncertainty", "--n", "10"], ["sensitivity", "--n", "2"]):
        res = _run(*cmd, *ASEM, "--out", str(afile))
        assert res.exit_code == 2, res.output
        assert "is a file, not a folder" in res.output


def test_gbk_assumptions_file_is_read(tmp_path: Path) -> None:
    p = tmp_path / "a.yaml"
    p.write_bytes("# 假设\nassumptions:\n  - {path: methods.winmax, values: [-1]}\n".encode("gbk"))
    res = _run("uncertainty", *ASEM, "--n", "10", "--assumptions", str(p), "--out", str(tmp_path / "o"))
    assert res.exit_code == 2 and "a.yaml" in res.output and "decode" not in res.output
