"""Every command that writes a CSV or XLSX, fed hostile text, writes no cell a spreadsheet would run
The hostile strings are OWASP's CSV-injection examples and described cases.

A CSV field is safe when it does not start with = + - @ tab or CR (escaped fields start with ``'``) or is
a plain number/sign; an XLSX cell is safe when it is not a formula and risky text carries quotePrefix.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest
import yaml
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from typer.testing import CliRunner

from mfgindex.cli.main import app
from mfgindex.core import files, framework
from mfgindex.services.runner import RunSpec

cli = CliRunner()
CMD = "=cmd|' /C calc'!A0"
LINK = '=HYPERLINK("http://evil.example","click")'
AT = "@SUM(1+1)*cmd|' /C calc'!A0"
HOSTILE = (CMD, LINK, AT)


def check_csv(data: bytes | Path) -> int:
    """Assert every field is safe; return how many fields were escaped hostile text."""
    raw = data.read_bytes() if isinstance(data, Path) else data
    escaped = 0
    for row in csv.reader(io.StringIO(raw.decode("utf-8-sig"))):
        for field in row:
            assert not files.risky_text(field), f"unescaped {field!r}"
            escaped += field.startswith("'") and files.risky_text(field[1:])
    return escaped


def check_xlsx(data: bytes | Path) -> int:
    """Assert no formula and quotePrefix on risky text; return how many risky cells were protected."""
    raw = data.read_bytes() if isinstance(data, Path) else data
    with zipfile.ZipFile(io.BytesIO(raw)) as z:
        for name in z.namelist():
            if name.startswith("xl/worksheets/"):
                assert b"<f>" not in z.read(name) and b"<f " not in z.read(name), name
    protected = 0
    for ws in load_workbook(io.BytesIO(raw)).worksheets:
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type != "f", f"{ws.title}!{cell.coordinate} is a formula"
                if files.risky_text(cell.value):
                    assert cell.quotePrefix, f"{ws.title}!{cell.coordinate} {cell.value!r}"
                    protected += 1
                assert not (isinstance(cell.value, str) and cell.value.startswith("'=")), "a quote was added"
    return protected


@pytest.fixture(scope="module")
def hostile_framework(tmp_path_factory: pytest.TempPathFactory) -> Path:
    doc = yaml.safe_load(framework.preset_path("caict2023").read_text(encoding="utf-8"))
    doc["name_zh"] = LINK
    doc["root"]["name_zh"] = CMD
    doc["root"]["children"][0]["name_zh"] = AT
    doc["root"]["children"][0]["children"][0]["name_zh"] = CMD
    doc["variables"]["gdp"]["name_zh"] = LINK
    path = tmp_path_factory.mktemp("hostile") / "hostile.yaml"
    path.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    return path


def test_run_files(hostile_framework: Path, tmp_path: Path) -> None:
    out = tmp_path / "o"
    r = cli.invoke(app, ["run", "-q", "-f", str(hostile_framework), "--out", str(out)])
    assert r.exit_code == 0, r.output
    for name in ("scores.csv", "indicators.csv"):
        check_csv(out / name)
    assert check_xlsx(out / "results.xlsx") >= 3
    # the report's direction column: a plain "+" / "-", never "'+" (the bug of the earlier rule)
    wb = load_workbook(out / "results.xlsx")
    values = {c.value for ws in wb.worksheets for row in ws.iter_rows() for c in row}
    assert "'+" not in values and "'-" not in values


def test_audit_and_uncertainty_files(hostile_framework: Path, tmp_path: Path) -> None:
    r = cli.invoke(app, ["audit", "-f", str(hostile_framework), "--out", str(tmp_path / "a")])
    assert r.exit_code == 0, r.output
    r = cli.invoke(
        app,
        ["uncertainty", "-f", str(hostile_framework), "--n", "3", "--no-charts", "-o", str(tmp_path / "u")],
    )
    assert r.exit_code == 0, r.output
    written = [*(tmp_path / "a").glob("*.csv"), *(tmp_path / "u").glob("*.csv")]
    assert written
    for path in written:
        check_csv(path)


def test_templates(hostile_framework: Path, tmp_path: Path) -> None:
    out = tmp_path / "t.xlsx"
    r = cli.invoke(app, ["template", "data", "-f", str(hostile_framework), "--out", str(out)])
    assert r.exit_code == 0, r.output
    assert check_xlsx(out) >= 1
    out = tmp_path / "experts.xlsx"
    r = cli.invoke(app, ["template", "experts", "--items", f"a,{CMD.replace(',', '')},b", "--out", str(out)])
    assert r.exit_code == 0, r.output
    assert check_xlsx(out) >= 1


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    ws = tmp_path / "ws"
    assert cli.invoke(app, ["init", str(ws)]).exit_code == 0
    return ws


def test_coverage_out_csv_and_xlsx(workspace: Path, tmp_path: Path) -> None:
    data = tmp_path / "d.csv"
    pd.DataFrame(
        {"city": ["苏州", "无锡"], "year": [2022, 2022], "gdp": [1.0, 2.0], "source": [CMD, AT]}
    ).to_csv(data, index=False)
    r = cli.invoke(app, ["import", "-w", str(workspace), str(data)])
    assert r.exit_code == 0, r.output
    r = cli.invoke(app, ["coverage", "-w", str(workspace), "--out", str(tmp_path / "x.csv")])
    assert r.exit_code == 0, r.output
    assert check_csv(tmp_path / "x.csv") >= 1
    check_csv(tmp_path / "x.dimensions.csv")
    r = cli.invoke(app, ["coverage", "-w", str(workspace), "--out", str(tmp_path / "x.xlsx")])
    assert r.exit_code == 0, r.output
    assert check_xlsx(tmp_path / "x.xlsx") >= 1


def test_lists_unresolved_todo_csv(workspace: Path, tmp_path: Path) -> None:
    entries = tmp_path / "l.csv"
    pd.DataFrame({"name": [LINK, AT], "province": ["江苏", "江苏"], "batch": [1, 1]}).to_csv(
        entries, index=False
    )
    r = cli.invoke(
        app, ["lists", "import", "-w", str(workspace), "--list", "l", str(entries), "--batch-years", "1=2017"]
    )
    assert r.exit_code == 0, r.output
    r = cli.invoke(
        app, ["lists", "unresolved", "-w", str(workspace), "--list", "l", "--out", str(tmp_path / "todo.csv")]
    )
    assert r.exit_code == 0, r.output
    assert check_csv(tmp_path / "todo.csv") == 2


def test_lists_todo_csv_round_trip_is_lossless(workspace: Path, tmp_path: Path) -> None:
    """The filled-in ``lists unresolved --out`` table read back by ``lists assign``: the leading ' the cell
    rule added comes off, so the hostile names match their entries and every one is assigned."""
    names = [LINK, AT, "-某某有限公司", "'=已带引号的名称"]
    entries = tmp_path / "l.csv"
    pd.DataFrame({"name": names, "province": "江苏", "batch": 1}).to_csv(entries, index=False)
    base = ["-w", str(workspace), "--list", "rt"]
    r = cli.invoke(app, ["lists", "import", *base, str(entries), "--batch-years", "1=2017"])
    assert r.exit_code == 0, r.output
    todo = tmp_path / "todo.csv"
    r = cli.invoke(app, ["lists", "unresolved", *base, "--out", str(todo)])
    assert r.exit_code == 0, r.output
    assert check_csv(todo) == 3  # every hostile name escaped on the way out (and the quoted one below)
    filled = pd.read_csv(todo, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    assert sorted(filled["name"]) == sorted("'" + n for n in names)
    filled["adcode"] = "320500"  # the user fills in 苏州 and saves the file as it is
    filled.to_csv(todo, index=False)
    r = cli.invoke(app, ["lists", "assign", *base, str(todo)])
    assert r.exit_code == 0, r.output
    r = cli.invoke(app, ["lists", "unresolved", *base])
    assert r.exit_code == 0 and "0 unresolved" in r.output, r.output
    from mfgindex.workspace import lists

    got = lists.entries(workspace, "rt")
    assert sorted(got["name"]) == sorted(names)  # stored as imported: no quote added anywhere
    assert set(got["unit"]) == {"320500"} and set(got["basis"]) == {"manual"}


def test_policy_search_out(workspace: Path, tmp_path: Path) -> None:
    from mfgindex.policy import records

    sample = pd.read_csv(records.sample_path(), dtype=str, keep_default_na=False).head(2)
    sample["title"] = [CMD, LINK]
    sample["department"] = AT
    sample["id"] = ["h-1", "h-2"]
    path = tmp_path / "p.csv"
    sample.to_csv(path, index=False)
    r = cli.invoke(app, ["policy", "import", str(path), "-w", str(workspace)])
    assert r.exit_code == 0, r.output
    r = cli.invoke(app, ["policy", "search", "-w", str(workspace), "--out", str(tmp_path / "s.csv")])
    assert r.exit_code == 0, r.output
    assert check_csv(tmp_path / "s.csv") >= 4


def test_toolbox_results(tmp_path: Path) -> None:
    from mfgindex.toolbox.methods import write_results

    written = write_results(
        tmp_path / "tb", {"gra": pd.DataFrame({"name": [CMD, "苏州"], "r": [-0.5, 0.7]})}, {"data": AT}
    )
    assert check_xlsx(written[0]) == 2


@pytest.fixture(scope="module")
def hostile_client(hostile_framework: Path) -> Iterator[TestClient]:
    from mfgindex.web.app import create_app
    from mfgindex.web.state import from_options

    state = from_options(RunSpec(framework=str(hostile_framework)), history=False)
    with TestClient(create_app(state), raise_server_exceptions=False) as c:
        yield c


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_web_export(hostile_client: TestClient, fmt: str) -> None:
    r = hostile_client.get(f"/api/export?format={fmt}")
    assert r.status_code == 200, r.text[:300]
    assert (check_csv(r.content) if fmt == "csv" else check_xlsx(r.content)) >= 1
