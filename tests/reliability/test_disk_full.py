"""Disk full and read-only mounts: ``import`` (DuckDB ``IOException``) and the report
(``OSError`` while writing) end with exit 2 and one message, never a traceback, and leave nothing behind."""

from __future__ import annotations

import errno
import os
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from mfgindex.cli.main import app
from mfgindex.workspace import snapshots, store

cli = CliRunner()


def test_disk_full_during_import_is_exit_2_and_the_workspace_unchanged(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ws = tmp_path / "ws"
    assert cli.invoke(app, ["init", str(ws)]).exit_code == 0
    data = tmp_path / "t.csv"
    data.write_text("city,year,gdp\n苏州,2022,23958.34\n无锡,2022,14850.82\n", encoding="utf-8")

    def full(point: str) -> None:  # inside the import's transaction, after its first rows
        if point == "import":
            raise duckdb.IOException("IO Error: Could not write file: No space left on device")

    before = snapshots.snapshot_id(ws)
    monkeypatch.setattr(store, "pause_for_tests", full)
    r = cli.invoke(app, ["import", "-w", str(ws), str(data)])
    assert r.exit_code == 2, (r.output, r.exception)
    assert "No space left on device" in r.output and "not committed" in r.output
    assert "Traceback" not in r.output and r.output.count("error") == 1
    monkeypatch.undo()
    assert snapshots.snapshot_id(ws) == before  # the import's transaction was rolled back
    r = cli.invoke(app, ["import", "-w", str(ws), str(data)])
    assert r.exit_code == 0 and "2 new" in r.output, r.output  # and the workspace still works


@pytest.mark.parametrize(("code", "words"), [(errno.ENOSPC, "disk is full"), (errno.EROFS, "read-only")])
def test_os_error_while_writing_the_report_is_exit_2_and_nothing_half_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, code: int, words: str
) -> None:
    from mfgindex.report import printing

    def fail(html: str, path: Path, base_url: Path) -> None:
        path.write_bytes(b"%PDF-1.7 half")
        raise OSError(code, os.strerror(code), str(path))

    monkeypatch.setattr(printing, "write_pdf", fail)
    out = tmp_path / "o"
    r = cli.invoke(app, ["run", "-q", "--report", "--out", str(out)])
    assert r.exit_code == 2, (r.output, r.exception)
    # one message (the report's own one-line failure or the writer's), never a traceback
    assert (words in r.output or os.strerror(code) in r.output) and "Traceback" not in r.output
    assert sum(line.startswith("error") for line in r.output.splitlines()) == 1
    assert list(tmp_path.iterdir()) == []  # no run files, no partial report, no staging folder
