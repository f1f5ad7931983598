"""Bad-input cases for the reader, each built from the case described (exit 2, located, nothing
written), and the reader's limits."""

from __future__ import annotations

import io
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from openpyxl import Workbook
from typer.testing import CliRunner

from mfgindex.cli.main import app
from mfgindex.core.ingest import parse_number, parse_year, read

runner = CliRunner()
HEADER = "city,year,gdp,va_secondary,va_tertiary,population\n"


def _csv(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def _validate(*args: str) -> tuple[int, str]:
    res = runner.invoke(app, ["validate", *args])
    assert "Traceback" not in res.output
    return res.exit_code, res.output


@pytest.mark.parametrize(
    ("year", "message"),
    [("-2022", "year outside 1949-2100"), ("1e20", "year outside 1949-2100"), ("20220", "year outside")],
)
def test_years_outside_the_range_are_refused_with_location(tmp_path: Path, year: str, message: str) -> None:
    f = _csv(tmp_path / "y.csv", HEADER + f"南京,{year},16908,6070,10523,949.11\n")
    code, out = _validate("-d", str(f))
    assert code == 2 and f"y.csv:row 2:column B (year): {message}" in out


def test_year_range_is_configurable(monkeypatch: pytest.MonkeyPatch) -> None:
    assert parse_year("1900") is None and parse_year("2022年") == 2022 and parse_year("2022.0") == 2022
    monkeypatch.setenv("MFGINDEX_YEAR_RANGE", "1900-2100")
    assert parse_year("1900") == 1900


@pytest.mark.parametrize("text", ["1e400", "-1e400", "inf", "nan(0)", "9" * 100_000, "1" + "0" * 400])
def test_non_finite_and_huge_numbers_are_refused(text: str) -> None:
    assert parse_number(text) is None


def test_import_refuses_inf_and_100000_digits(tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    assert runner.invoke(app, ["init", str(ws)]).exit_code == 0
    for text in ("1e400", "9" * 100_000):
        f = _csv(tmp_path / "big.csv", f"city,year,gdp\n南京,2022,{text}\n")
        res = runner.invoke(app, ["import", str(f), "-w", str(ws)])
        assert res.exit_code == 2, res.output
        assert "big.csv:row 2:column C (gdp)" in res.output
        assert len(res.output) < 2_000  # the 100,000 digits are not echoed


def _formula_book(path: Path, formula: str, cached: str | None) -> Path:
    wb = Workbook()
    ws = wb.active
    ws.title = "2022"
    ws.append(["城市", "gdp"])
    ws.append(["南京", 16908])
    ws.append(["苏州", formula])
    buf = io.BytesIO()
    wb.save(buf)
    with zipfile.ZipFile(buf) as zin, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml" and cached is not None:
                text = data.decode()
                text = text.replace("</f><v></v>", f"</f><v>{cached}</v>").replace(
                    "</f><v />", f"</f><v>{cached}</v>"
                )
                if f"<v>{cached}</v>" not in text:
                    text = text.replace("</f>", f"</f><v>{cached}</v>")
                data = text.encode()
            zout.writestr(info, data)
    return path


@pytest.mark.parametrize(
    ("formula", "cached"),
    [("=1+1", None), ("=20000+3958.3", "23958.3"), ("=cmd|' /C calc'!A0", "23958.3")],
)
def test_formula_cells_are_refused_with_location(tmp_path: Path, formula: str, cached: str | None) -> None:
    f = _formula_book(tmp_path / "f.xlsx", formula, cached)
    got = read([f])
    errors = [p for p in got.problems if p.severity == "error"]
    assert len(errors) == 1 and errors[0].row == 3 and errors[0].column == "B" and errors[0].sheet == "2022"
    assert "formula cell" in errors[0].message and "cached results are not used" in errors[0].message


def test_hidden_sheet_is_skipped_with_a_warning(tmp_path: Path) -> None:
    wb = Workbook()
    ws = wb.active
    ws.title = "2022"
    ws.append(["城市", "gdp"])
    ws.append(["南京", 16908])
    hidden = wb.create_sheet("2021")
    hidden.append(["城市", "gdp"])
    hidden.append(["南京", 1])
    hidden.sheet_state = "hidden"
    wb.save(tmp_path / "h.xlsx")
    got = read([tmp_path / "h.xlsx"])
    assert got.dataset is not None and set(got.dataset.values["year"]) == {2022}
    assert any(p.sheet == "2021" and "hidden sheet skipped" in p.message for p in got.problems)


def test_header_only_file_is_an_error(tmp_path: Path) -> None:
    f = _csv(tmp_path / "h.csv", "city,year,gdp\n")
    code, out = _validate("-d", str(f))
    assert code == 2 and "h.csv: no data values found" in out
    ws = tmp_path / "ws"
    runner.invoke(app, ["init", str(ws)])
    res = runner.invoke(app, ["import", str(f), "-w", str(ws)])
    assert res.exit_code == 2 and "no data values found" in res.output


def test_municipality_rows_are_reported_as_excluded(tmp_path: Path) -> None:
    f = _csv(tmp_path / "m.csv", "city,year,gdp\n北京市,2022,41610.9\n南京,2022,16908\n")
    code, out = _validate("-d", str(f))
    assert code == 0, out
    assert "m.csv: rows of units outside the evaluated universe excluded (北京市 1 行)" in out


@pytest.mark.parametrize(
    ("name", "candidates"),
    [
        ("海南", ["海南藏族自治州（青海）", "海南省（省级）"]),
        ("吉林", ["吉林市（吉林）", "吉林省（省级）"]),
        ("朝阳", ["朝阳市（辽宁）", "北京市朝阳区（县级）"]),
    ],
)
def test_ambiguous_names_are_refused_with_candidates(
    tmp_path: Path, name: str, candidates: list[str]
) -> None:
    f = _csv(tmp_path / "a.csv", f"city,year,gdp\n{name},2022,200.27\n南京,2022,16908\n")
    code, out = _validate("-d", str(f))
    assert code == 2 and "a.csv:row 2:column A (city)" in out and "有歧义" in out
    assert all(c in out for c in candidates)


def test_province_column_resolves_an_ambiguous_name(tmp_path: Path) -> None:
    f = _csv(tmp_path / "p.csv", "省份,城市,年份,gdp\n青海省,海南,2022,200.27\n吉林,吉林,2022,1517.9\n")
    got = read([f])
    assert got.dataset is not None
    assert sorted(got.dataset.values["code"]) == ["220200", "632500"]


def test_long_city_name_is_cut_in_messages(tmp_path: Path) -> None:
    f = _csv(tmp_path / "long.csv", "city,year,gdp\n" + "苏" * 1_000_000 + ",2022,1\n")
    code, out = _validate("-d", str(f))
    assert code == 2 and "long.csv:row 2" in out and "1,000,000" in out
    assert len(out) < 3_000


def test_error_output_is_capped_at_50(tmp_path: Path) -> None:
    rows = "".join(f"南京,{2000 + i},abc{i}\n" for i in range(80))
    f = _csv(tmp_path / "many.csv", "city,year,gdp\n" + rows)
    code, out = _validate("-d", str(f))
    assert code == 2 and out.count("non-numeric") == 50 and "… and 30 more" in out


def test_no_message_says_input_instead_of_the_file(tmp_path: Path) -> None:
    f = _csv(tmp_path / "few.csv", "city,year,gdp\n南京,2022,16908\n")
    code, out = _validate("-d", str(f), "--no-default-data")
    assert code == 2 and "<input>" not in out and f"{f}:column gdp_index: the framework needs variable" in out


def test_junk_columns_do_not_become_variables(tmp_path: Path) -> None:
    junk = ",".join(f"x{i}" for i in range(20_000))
    f = _csv(tmp_path / "junk.csv", f"city,year,{junk}\n南京,2022,{','.join(['1'] * 20_000)}\n")
    code, out = _validate("-d", str(f))
    assert code == 2 and "20,002 columns: more than 1,000" in out


ZIP_BOMB = """
import sys, zipfile
with zipfile.ZipFile(sys.argv[1], "w", zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
    zf.writestr("[Content_Types].xml", "<Types/>")
    with zf.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as fh:
        block = b"<c/>" * 2**18
        for _ in range(400):
            fh.write(block)  # 400 MiB of XML, about 0.4 MB compressed
"""
READ = """
import sys
from pathlib import Path
from mfgindex.core.ingest import read
got = read([Path(sys.argv[1])])
# VmHWM: this process's peak resident memory (ru_maxrss would include the parent's before exec)
status = Path("/proc/self/status").read_text()
peak = int(next(ln.split()[1] for ln in status.splitlines() if ln.startswith("VmHWM"))) / 1024
print(Path(sys.argv[1]).stat().st_size, round(peak), got.problems[0])
"""


def test_zip_bomb_is_refused_below_300_mb(tmp_path: Path) -> None:
    bomb = str(tmp_path / "bomb.xlsx")
    subprocess.run([sys.executable, "-c", ZIP_BOMB, bomb], timeout=600, check=True)
    res = subprocess.run(
        [sys.executable, "-c", READ, bomb], capture_output=True, text=True, timeout=600, check=True
    )
    size, peak, message = res.stdout.split(" ", 2)
    assert int(size) < 1_000_000 and "unpacks to" in message and "zip bomb" in message
    assert float(peak) < 300, res.stdout


def _workbook(path: Path) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = "2022"
    ws.append(["城市", "地区生产总值"])
    ws.append(["苏州市", 24653])
    wb.save(path)
    return path.read_bytes()


def _replace_part(path: Path, name: str, data: bytes | None) -> None:
    src = zipfile.ZipFile(io.BytesIO(path.read_bytes()))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            dst.writestr(item, data if item.filename == name and data is not None else src.read(item))
        if name not in src.namelist() and data is not None:
            dst.writestr(name, data)
    path.write_bytes(buf.getvalue())


@pytest.mark.parametrize(
    ("part", "data", "message"),
    [
        ("xl/vbaProject.bin", b"\x00" * 10, "workbook contains macros"),
        ("xl/externalLinks/externalLink1.xml", b"<externalLink/>", "links to external workbooks"),
        (
            "xl/worksheets/sheet1.xml",
            b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><worksheet/>',
            "declares a DTD or XML entities",
        ),
        ("xl/worksheets/sheet1.xml", b"<worksheet><sheetData><row", "cannot read workbook"),
    ],
)
def test_the_command_line_refuses_what_the_upload_refuses(
    tmp_path: Path, part: str, data: bytes, message: str
) -> None:
    """The web upload's pre-checks now live in the one reader: the CLI refuses the same workbooks (a damaged
    sheet was a traceback on the command line), located, exit 2."""
    path = tmp_path / "w.xlsx"
    _workbook(path)
    _replace_part(path, part, data)
    code, out = _validate("-d", str(path))
    assert code == 2 and message in out and "w.xlsx" in out, out[-800:]
