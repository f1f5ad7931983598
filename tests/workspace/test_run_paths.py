"""``mfgindex workspace run``, ``mfgindex run --workspace`` and ``mfgindex run`` are one evaluation path.

The three commands evaluate one RunSpec through ``services.runner``: on the same data and framework they
write the same scores, apply the same plausibility checks and the same coverage gate, and refuse the same
years. Expected outcomes come from the data files, not from our output: the embedded GDP table
(``city_gdp_structure_2000_2023.csv``) and the digital-finance and CO2 tables end in 2023, so in 2024 the
scale and digital dimensions have no data cells (0 %) and the gate must refuse that year; a revised GDP of
30,000 for 苏州 2022 against its three sector values 192.98 + 11,521.4 + 12,244 = 23,958.4 (the embedded
table) breaks the GDP identity by far more than the 5 % tolerance, so the plausibility checks must refuse it.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from mfgindex.cli.main import app
from mfgindex.core.errors import UserError
from mfgindex.services import runner
from mfgindex.workspace import runs, store
from tests.workspace.conftest import write

cli = CliRunner()


def _ok(*args: str | Path) -> None:
    r = cli.invoke(app, [str(a) for a in args])
    assert r.exit_code == 0, r.output


def _refused(*args: str | Path) -> str:
    r = cli.invoke(app, [str(a) for a in args])
    assert r.exit_code == 2, r.output
    assert "Traceback" not in r.output
    return r.output


def _record(folder: Path) -> dict[str, object]:
    record: dict[str, object] = json.loads((folder / "run.json").read_text(encoding="utf-8"))
    return record


def _counts(folder: Path) -> object:
    checks = _record(folder)["data_checks"]
    assert isinstance(checks, dict)
    return checks["counts"]


def test_three_run_commands_write_the_same_scores_checks_and_gate(default_ws: Path, tmp_path: Path) -> None:
    plain, ws_cmd, ws_flag = tmp_path / "plain", tmp_path / "ws_cmd", tmp_path / "ws_flag"
    _ok("run", "-q", "--out", plain)
    _ok("workspace", "run", "-w", default_ws, "--out", ws_cmd)
    _ok("run", "-q", "-w", default_ws, "--out", ws_flag)
    for folder in (ws_cmd, ws_flag):
        assert (folder / "scores.csv").read_bytes() == (plain / "scores.csv").read_bytes()
        assert _record(folder)["coverage_gate"] == _record(plain)["coverage_gate"]
        assert _counts(folder) == _counts(plain)
    gate = _record(ws_cmd)["coverage_gate"]
    assert isinstance(gate, dict) and gate["year"] == 2022 and gate["passed"] is True
    # both workspace commands recorded their run, with the spec naming the workspace's snapshot
    assert runs.runs(default_ws)["id"].tolist() == [1, 2]
    spec = _record(ws_cmd)["spec"]
    assert isinstance(spec, dict) and spec["snapshot"] == 1 and spec["workspace"] == str(default_ws.resolve())


def test_a_thin_year_is_refused_by_every_path_and_evaluated_alike_when_allowed(
    default_ws: Path, tmp_path: Path
) -> None:
    messages = {
        _refused("run", "-q", "--year", "2024", "--out", tmp_path / "a"),
        _refused("workspace", "run", "-w", default_ws, "--year", "2024", "--out", tmp_path / "b"),
        _refused("run", "-q", "-w", default_ws, "--year", "2024", "--out", tmp_path / "c"),
    }
    assert len(messages) == 1, messages
    (message,) = messages
    assert "2024 年数据过薄 (thin year)" in message and "--allow-thin" in message
    assert "(scale) 0%" in message and "(digital) 0%" in message  # no 2024 rows in their source tables
    assert not any((tmp_path / n).exists() for n in "abc")
    assert runs.runs(default_ws).empty  # a refused run is not recorded
    # allowed: the same scores, and the same (failed) gate recorded in run.json
    _ok("run", "-q", "--year", "2024", "--allow-thin", "--out", tmp_path / "a")
    _ok("workspace", "run", "-w", default_ws, "--year", "2024", "--allow-thin", "--out", tmp_path / "b")
    assert (tmp_path / "a" / "scores.csv").read_bytes() == (tmp_path / "b" / "scores.csv").read_bytes()
    gate_a, gate_b = _record(tmp_path / "a")["coverage_gate"], _record(tmp_path / "b")["coverage_gate"]
    assert gate_a == gate_b
    assert isinstance(gate_b, dict) and gate_b["passed"] is False
    assert {"scale", "digital"} <= set(gate_b["thin"])
    # the recorded thin run re-runs (its spec allows the thin year)
    assert runner.rerun_workspace(default_ws, 1)[1]


def test_a_file_and_the_same_values_imported_give_the_same_run(default_ws: Path, tmp_path: Path) -> None:
    # a plausible revision: 24,000 against the sectors' 23,958.4 (0.2 %, inside the identity's tolerance)
    rev = write(tmp_path / "rev.csv", "adcode,year,gdp\n320500,2022,24000\n")
    _ok("run", "-q", "-d", rev, "--out", tmp_path / "files")
    store.import_values(default_ws, rev)
    _ok("workspace", "run", "-w", default_ws, "--out", tmp_path / "ws")
    assert (tmp_path / "files" / "scores.csv").read_bytes() == (tmp_path / "ws" / "scores.csv").read_bytes()
    assert _record(tmp_path / "ws")["coverage_gate"] == _record(tmp_path / "files")["coverage_gate"]
    assert _counts(tmp_path / "ws") == _counts(tmp_path / "files")


def test_implausible_values_are_refused_by_workspace_run_as_by_run(default_ws: Path, tmp_path: Path) -> None:
    bad = write(tmp_path / "bad.csv", "adcode,year,gdp\n320500,2022,30000\n")
    from_files = _refused("run", "-q", "-d", bad, "--out", tmp_path / "files")
    store.import_values(default_ws, bad)
    from_ws = _refused("workspace", "run", "-w", default_ws, "--out", tmp_path / "ws")
    for out in (from_files, from_ws):
        assert "320500 苏州市 2022 gdp" in out and "核算关系不符 (identity)" in out
        assert "23,958.4 against gdp 30,000" in out
    with pytest.raises(UserError, match="identity"):
        runner.evaluate_workspace(default_ws, runner.RunSpec())
    assert runs.runs(default_ws).empty
