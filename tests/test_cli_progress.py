"""Spinners and bars go to stderr only where a person watches; municipalities asked for as cities are
explained (not ranked: provincial-level units in the report)."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from rich.console import Console
from typer.testing import CliRunner

from mfgindex.cli import console, main
from mfgindex.cli.progress import bar, spinner
from mfgindex.core.geo import municipality_note

runner = CliRunner()


def _terminal(monkeypatch: pytest.MonkeyPatch) -> io.StringIO:
    buf = io.StringIO()
    monkeypatch.setattr(console, "err", Console(file=buf, force_terminal=True, width=100))
    return buf


def test_spinner_draws_on_a_terminal_and_not_with_quiet(monkeypatch: pytest.MonkeyPatch) -> None:
    buf = _terminal(monkeypatch)
    with spinner("评价计算中 (evaluating)…") as step:
        step("第二步 (step two)")
    assert "评价计算中" in buf.getvalue()
    buf.truncate(0)
    buf.seek(0)
    with spinner("评价计算中 (evaluating)…", quiet=True) as step:
        step("x")
    assert buf.getvalue() == ""


def test_bar_draws_on_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    buf = _terminal(monkeypatch)
    with bar(4, "不确定性分析 (uncertainty)") as advance:
        advance(4)
    assert "不确定性分析" in buf.getvalue()


def test_nothing_is_drawn_off_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    buf = io.StringIO()
    monkeypatch.setattr(console, "err", Console(file=buf, force_terminal=False))
    with spinner("评价计算中 (evaluating)…") as step, bar(3, "x") as advance:
        step("y")
        advance(3)
    assert buf.getvalue() == ""


def test_weights_json_is_pure_json(tmp_path: Path) -> None:
    import json

    m = tmp_path / "m.csv"
    m.write_text("a,b\n1,2\n3,5\n4,4\n", encoding="utf-8")
    res = runner.invoke(main.app, ["weights", "entropy", "--matrix", str(m), "--json"])
    assert res.exit_code == 0, res.output
    assert set(json.loads(res.stdout)["weights"]) == {"a", "b"}


@pytest.mark.parametrize("text", ["北京", "北京市", "110000", "重庆", "500000", "上海市", "天津"])
def test_municipalities_are_explained(text: str) -> None:
    note = municipality_note(text)
    assert note is not None and "直辖市" in note and "not ranked" in note


@pytest.mark.parametrize("text", ["苏州", "320500", "深圳市", "不存在的城市"])
def test_cities_are_not(text: str) -> None:
    assert municipality_note(text) is None


def test_policy_search_for_a_municipality_says_it_is_not_ranked() -> None:
    res = runner.invoke(main.app, ["policy", "search", "--city", "上海"])
    assert res.exit_code == 0, res.output
    assert "上海市是直辖市" in res.output and "not ranked" in res.output
