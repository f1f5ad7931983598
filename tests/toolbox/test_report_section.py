"""The report's 研究工具 section: context of the selected methods, the partial, and the --toolbox option."""

from __future__ import annotations

import re

import pytest
from typer.testing import CliRunner

from mfgindex.cli.main import app
from mfgindex.core.errors import UserError
from mfgindex.core.result import Result
from mfgindex.report.build import _env
from mfgindex.toolbox.report import ENTRIES, parse_methods, toolbox_section


def test_parse_methods() -> None:
    assert parse_methods("moran, dagum,moran") == ("moran", "dagum")
    assert parse_methods(None) == ()
    with pytest.raises(UserError):
        parse_methods("moran,hexagons")


def test_section_renders_the_selected_methods(default_result: Result) -> None:
    assert toolbox_section(default_result, ()) is None
    ctx = toolbox_section(default_result, ("markov", "moran"), "zh")
    assert ctx is not None
    assert [it["key"] for it in ctx["items"]] == ["markov", "moran"]
    html = (
        _env("zh")
        .get_template("toolbox_section.html")
        .render(toolbox=ctx, T={"source": "来源："}, source="x")
    )
    assert html.count('<figure id="fig-toolbox-') == 2
    assert (
        "空间自相关" in html and "（1）马尔可夫转移矩阵" in html and "（2）" + ENTRIES["moran"].zh[:5] in html
    )
    moran = next(it for it in ctx["items"] if it["key"] == "moran")
    # the table shows the first rows of the command's `moran` sheet: the index's Moran's I first
    assert moran["table"]["rows"][0][1] == "index"
    assert re.fullmatch(r"0\.\d{3}", moran["table"]["rows"][0][2])


def test_report_rejects_unknown_methods(tmp_path) -> None:  # type: ignore[no-untyped-def]
    res = CliRunner().invoke(app, ["report", "--toolbox", "nope", "--no-pdf", "--out", str(tmp_path / "r")])
    assert res.exit_code == 2, res.output
    assert "unknown toolbox method" in res.output
