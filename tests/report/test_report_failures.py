"""A report that fails says so in one line with exit 2; a machine without WeasyPrint's libraries gets
everything but the PDF and one line saying so (exit 0)."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from mfgindex.cli.main import app
from mfgindex.report import printing, report_figures

runner = CliRunner()


def test_a_failing_report_is_one_line_and_exit_2(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*_a: object, **_k: object) -> None:
        raise RuntimeError("figure engine exploded\nsecond line of detail")

    monkeypatch.setattr(report_figures, "make_figures", broken)
    res = runner.invoke(app, ["report", "--out", str(tmp_path / "r"), "--no-robustness", "--no-pdf"])
    assert res.exit_code == 2
    assert "Traceback" not in res.output
    lines = [ln for ln in res.output.splitlines() if ln.strip()]
    assert len(lines) == 1, res.output
    assert "报告生成失败 (report failed)" in lines[0] and "RuntimeError: figure engine exploded" in lines[0]


def test_run_report_without_pdf_engine_writes_the_rest(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    note = "未生成 report.pdf：WeasyPrint 无法加载所需系统库 pango/harfbuzz (PDF skipped)"
    monkeypatch.setattr(printing, "pdf_engine_problem", lambda: note)
    out = tmp_path / "out"
    res = runner.invoke(app, ["run", "--out", str(out), "--quiet", "--report"])
    assert res.exit_code == 0, res.output
    assert "Traceback" not in res.output
    assert [ln for ln in res.output.splitlines() if "report.pdf" in ln and "warning" in ln] != []
    for name in ("scores.csv", "results.xlsx", "run.json", "report.html", "analysis.json"):
        assert (out / name).is_file(), name
    assert not (out / "report.pdf").exists()
