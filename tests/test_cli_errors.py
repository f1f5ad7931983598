"""How the CLI prints user errors (``mfgindex.cli.console.guarded``)."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from mfgindex.cli.main import app

runner = CliRunner()


def test_error_text_with_brackets_is_printed_as_is(tmp_path: Path) -> None:
    """A problem's text is not read as console markup: ``[bold]`` in a file name or value stays."""
    data = str(tmp_path / "[bold]nope.csv")
    res = runner.invoke(app, ["run", "--data", data, "--out", str(tmp_path / "o")])
    assert res.exit_code == 2, res.output
    assert "[bold]nope.csv: file not found" in res.output
