"""Durability: a killed import leaves the workspace as it was; export → restore → export is byte-identical."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from mfgindex.cli.main import app
from mfgindex.core import geo
from mfgindex.core.errors import UserError
from mfgindex.services import runner
from mfgindex.workspace import archive, runs, schema, store
from tests.workspace.conftest import write
from tests.workspace.test_store import WIDE, assert_same, dump

cli = CliRunner()


def big_table(path: Path, years: range = range(2000, 2020)) -> Path:
    """Every city × 20 years × 6 variables (≈ 40 000 values), wide layout."""
    codes = [str(c) for c in geo.units().index]
    rng = np.random.default_rng(7)
    rows = [(c, y) for c in codes for y in years]
    df = pd.DataFrame(rows, columns=["adcode", "year"])
    for v in ("gdp", "va_secondary", "va_tertiary", "population", "land_area", "co2"):
        df[v] = np.round(rng.uniform(1, 1000, len(df)), 2)
    df.to_csv(path, index=False)
    return path


def test_killed_import_leaves_the_workspace_as_before(ws: Path, tmp_path: Path) -> None:
    store.import_values(ws, write(tmp_path / "first.csv", WIDE), source="公报")
    before = dump(ws)
    marker = tmp_path / "inside-transaction"
    env = {
        **os.environ,
        store.PAUSE_ENV: f"import:{marker}",
        "MFGINDEX_TEST_PAUSE_SECONDS": "120",
    }
    big = big_table(tmp_path / "big.csv")
    proc = subprocess.Popen(
        [sys.executable, "-m", "mfgindex.cli.main", "import", "--workspace", str(ws), str(big)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 120
        while not marker.exists():  # the import has written its first rows inside its transaction
            assert proc.poll() is None, proc.communicate()[1].decode()
            assert time.monotonic() < deadline, "the import never reached its pause point"
            time.sleep(0.05)
        proc.send_signal(signal.SIGKILL)
    finally:
        proc.kill()
        proc.wait()
    assert proc.returncode == -signal.SIGKILL
    assert_same(before, dump(ws))  # nothing of the killed import is visible
    # and the workspace still works: the same file imports completely afterwards
    report = store.import_values(ws, big)
    assert report.added == 337 * 20 * 6 and report.unchanged == 0 and len(report.changed) == 0


def test_pause_hook_is_inert_without_the_variable(
    ws: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(store.PAUSE_ENV, "something-else:/nowhere")
    assert store.import_values(ws, write(tmp_path / "a.csv", WIDE)).added == 4


def _add_policy_row(directory: Path) -> None:
    """A row with a list column (tags), NULLs and an empty string, to exercise every type."""
    con = duckdb.connect(str(schema.db_path(directory)))
    try:
        con.execute(
            "INSERT INTO policy_records VALUES (1, 'k1', '320500', 2023, 'case_study', NULL, '标题', "
            "'正文, \"引号\"\n第二行', ['数字化转型', '绿色,制造'], '', NULL, 1, 'x', 1, 'f.csv:row 2', "
            "'tester', '2024-05-01 08:09:10.123456', NULL)"
        )
    finally:
        con.close()


@pytest.mark.parametrize("fmt", ["parquet", "csv"])
def test_export_restore_export_is_byte_identical_and_scores_equal(
    default_ws: Path, tmp_path: Path, fmt: str
) -> None:
    # some history beyond the default data: a revised value (superseded row) and a recorded run
    store.import_values(default_ws, write(tmp_path / "rev.csv", "adcode,year,gdp\n320500,2022,24000\n"))
    result, _, _ = runner.evaluate_workspace(default_ws, runner.RunSpec())
    runs.record_run(default_ws, result, runner.RunSpec().record())
    _add_policy_row(default_ws)
    first = tmp_path / "export1"
    manifest = archive.export(default_ws, first, fmt)
    assert manifest["schema_version"] == schema.LATEST
    names = {t["name"] for t in manifest["tables"]}
    assert {"schema_version", "units", "variables", "observations", "lists", "list_entries", "runs"} <= names
    restored = tmp_path / "restored"
    archive.restore(first, restored)
    assert_same(dump(default_ws), dump(restored))
    second = tmp_path / "export2"
    archive.export(restored, second, fmt)
    files = sorted(p.name for p in first.iterdir())
    assert files == sorted(p.name for p in second.iterdir())
    for name in files:
        assert (first / name).read_bytes() == (second / name).read_bytes(), name
    a, _, _ = runner.evaluate_workspace(default_ws, runner.RunSpec())
    b, _, _ = runner.evaluate_workspace(restored, runner.RunSpec())
    pd.testing.assert_frame_equal(a.table, b.table)
    # the recorded run recomputes identically in the restored workspace
    assert runner.rerun_workspace(restored, 1)[1]


def test_restore_rejects_tampered_or_incomplete_exports(ws: Path, tmp_path: Path) -> None:
    store.import_values(ws, write(tmp_path / "a.csv", WIDE))
    folder = tmp_path / "exp"
    archive.export(ws, folder, "csv")
    obs = folder / "observations.csv"
    obs.write_text(obs.read_text(encoding="utf-8").replace("23958.34", "1"), encoding="utf-8")
    with pytest.raises(UserError, match=r"observations.csv: file does not match the manifest"):
        archive.restore(folder, tmp_path / "new")
    assert not (tmp_path / "new" / schema.DB_FILE).exists()
    obs.unlink()
    with pytest.raises(UserError, match="table file missing"):
        archive.restore(folder, tmp_path / "new")
    with pytest.raises(UserError, match=r"no manifest\.json"):
        archive.restore(tmp_path, tmp_path / "new")
    with pytest.raises(UserError, match="exists and is not empty"):
        archive.export(ws, folder)
    leftovers = [p.name for p in tmp_path.iterdir() if p.name.startswith(".")]
    assert leftovers == []


def test_restore_refuses_an_existing_workspace(ws: Path, tmp_path: Path) -> None:
    folder = tmp_path / "exp"
    archive.export(ws, folder)
    with pytest.raises(UserError, match="already exists"):
        archive.restore(folder, ws)


def test_cli_export_and_import_workspace(ws: Path, tmp_path: Path) -> None:
    f = write(tmp_path / "a.csv", WIDE)
    assert cli.invoke(app, ["import", "-w", str(ws), str(f)]).exit_code == 0
    folder = tmp_path / "exp"
    r = cli.invoke(app, ["export", "--workspace", str(ws), "--out", str(folder), "--format", "csv"])
    assert r.exit_code == 0, r.output
    assert "schema version" in r.output and (folder / "manifest.json").is_file()
    new = tmp_path / "new"
    r = cli.invoke(app, ["import-workspace", str(folder), "--workspace", str(new)])
    assert r.exit_code == 0, r.output
    assert_same(dump(ws), dump(new))
    r = cli.invoke(app, ["import", "-w", str(ws), str(folder)])  # an export is not a table
    assert r.exit_code == 2 and "import-workspace" in r.output and "Traceback" not in r.output
    r = cli.invoke(app, ["export", "-w", str(ws), "--out", str(tmp_path / "x"), "--format", "xml"])
    assert r.exit_code == 2 and "parquet or csv" in r.output
    r = cli.invoke(app, ["import-workspace", str(tmp_path / "nothing"), "-w", str(tmp_path / "y")])
    assert r.exit_code == 2 and "no manifest.json" in r.output and "Traceback" not in r.output
