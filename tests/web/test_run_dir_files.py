"""Serving a run folder whose CSVs a user re-saved (GBK) or broke: read, or skipped with a warning."""

from __future__ import annotations

from pathlib import Path

import pytest

from mfgindex.services import outputs
from mfgindex.web.state import AppState, from_run_dir

UA = "code,name,nominal_rank,median_rank,mean_rank,p05_rank,p95_rank\n320500,苏州市,2,2,2.4,1,4\n"


@pytest.fixture
def run_dir(tmp_path: Path, web_state: AppState) -> Path:
    outputs.write_run(web_state.results[2022], tmp_path / "run", {"framework": "caict2023"})
    return tmp_path / "run"


def test_gbk_scores_and_uncertainty_are_read(run_dir: Path) -> None:
    scores = run_dir / "scores.csv"
    scores.write_bytes(scores.read_text(encoding="utf-8-sig").encode("gb18030"))  # re-saved by a spreadsheet
    (run_dir / "uncertainty.csv").write_bytes(UA.encode("gbk"))
    state = from_run_dir(run_dir, history=False)
    assert state.warnings == []
    assert state.uncertainty is not None
    assert state.uncertainty.loc["320500", "p95_rank"] == 4


def test_unreadable_scores_and_uncertainty_are_warnings(run_dir: Path) -> None:
    (run_dir / "scores.csv").write_bytes(b"code,rank\n\x80\x80,1\n")  # neither UTF-8 nor GB18030
    (run_dir / "uncertainty.csv").write_text('code,p05_rank,p95_rank\n"320500,1\n', encoding="utf-8")
    state = from_run_dir(run_dir, history=False)
    assert state.uncertainty is None
    assert len(state.warnings) == 2
    assert "scores.csv: could not be read" in state.warnings[0]
    assert "uncertainty.csv" in state.warnings[1] and "rank intervals not shown" in state.warnings[1]
