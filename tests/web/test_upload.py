"""POST /api/evaluate: off without a token, 401, 413, formula cells refused, good and bad files; escaping."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from fastapi.testclient import TestClient
from openpyxl import Workbook, load_workbook

from mfgindex.services import runner
from mfgindex.web import export, upload
from mfgindex.web.app import create_app
from mfgindex.web.state import AppState, from_options

TOKEN = "s3cret-token-for-tests-0123"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
FRAMEWORK = {
    "id": "small",
    "top_n": 2,
    "methods": {"treat": "none", "normalise": "minmax", "aggregate": "arithmetic"},
    "variables": {"output": {"kind": "amount"}, "firms": {"kind": "count"}},
    "root": {"id": "index", "children": [{"id": "scale", "children": [{"id": "output"}, {"id": "firms"}]}]},
}
GOOD = [("苏州市", 300, 30), ("320200", 200, 10), ("常州", 100, 20)]


def workbook(rows: list[tuple[object, ...]], sheet: str = "2022") -> bytes:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = sheet
    ws.append(["城市", "output", "firms"])
    for r in rows:
        ws.append(list(r))
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


@pytest.fixture(scope="module")
def small_state(tmp_path_factory: pytest.TempPathFactory) -> AppState:
    d = tmp_path_factory.mktemp("small")
    fw = d / "framework.yaml"
    fw.write_text(yaml.safe_dump(FRAMEWORK, allow_unicode=True), encoding="utf-8")
    data = d / "data.xlsx"
    data.write_bytes(workbook(GOOD))
    return from_options(runner.RunSpec(framework=str(fw), data=(str(data),)), history=False)


@pytest.fixture(scope="module")
def up(small_state: AppState) -> Iterator[TestClient]:
    with TestClient(create_app(small_state, upload_token=TOKEN), raise_server_exceptions=False) as c:
        yield c


XLSX = {"Content-Type": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


def test_upload_off_without_token(client: TestClient) -> None:
    r = client.post("/api/evaluate", content=workbook(GOOD), headers={**XLSX, **AUTH})
    assert r.status_code in (404, 405)
    assert "/api/evaluate" not in client.get("/openapi.json").json()["paths"]


@pytest.mark.parametrize("auth", [None, "Bearer wrong", f"Basic {TOKEN}", "Bearer"])
def test_upload_needs_the_token(up: TestClient, auth: str | None) -> None:
    headers = dict(XLSX) | ({"Authorization": auth} if auth else {})
    r = up.post("/api/evaluate", content=workbook(GOOD), headers=headers)
    assert r.status_code == 401 and r.headers["www-authenticate"] == "Bearer"


def test_upload_too_large_413(up: TestClient) -> None:
    r = up.post("/api/evaluate", content=b"x" * (upload.MAX_UPLOAD + 1), headers={**XLSX, **AUTH})
    assert r.status_code == 413 and "too large" in r.json()["detail"]
    # other endpoints keep the small limit
    big = json.dumps({"weights": {"scale": 1}, "pad": "x" * 20_000})
    r = up.post("/api/whatif", content=big, headers={"Content-Type": "application/json"})
    assert r.status_code == 413


def test_good_upload_is_ranked(up: TestClient, tmp_path: Path) -> None:
    r = up.post("/api/evaluate?filename=mine.xlsx", content=workbook(GOOD), headers={**XLSX, **AUTH})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["file"] == "mine.xlsx" and body["year"] == 2022 and body["units"] == 3
    first = body["rows"][0]
    assert first["code"] == "320500" and first["rank"] == 1 and first["index"] == pytest.approx(100)
    # CSV works too
    csv = "城市,year,output,firms\n苏州市,2022,300,30\n无锡市,2022,200,10\n常州市,2022,100,20\n".encode()
    r = up.post("/api/evaluate", content=csv, headers={"Content-Type": "text/csv", **AUTH})
    assert r.status_code == 200, r.text and r.json()["rows"][0]["code"] == "320500"


def test_bad_upload_gives_located_problems(up: TestClient) -> None:
    bad = workbook([("苏州市", 300, 30), ("不存在市", 200, 10), ("常州", "abc", 20)])
    r = up.post("/api/evaluate?filename=bad.xlsx", content=bad, headers={**XLSX, **AUTH})
    assert r.status_code == 422
    body = r.json()
    text = body["detail"]
    assert "bad.xlsx" in text and "2022" in text and "row" in text
    assert "mfgindex-upload" not in r.text  # the server's temporary path is never shown
    not_a_workbook = up.post("/api/evaluate", content=b"PK\x03\x04garbage", headers={**XLSX, **AUTH})
    assert not_a_workbook.status_code == 422
    assert up.post("/api/evaluate", content=b"", headers=AUTH).status_code == 422


def test_formula_cells_are_refused_not_evaluated(up: TestClient) -> None:
    data = workbook([("苏州市", "=1000*1000", 30), ("320200", 200, 10), ("常州", 100, "=SUM(A1:A2)")])
    r = up.post("/api/evaluate?filename=f.xlsx", content=data, headers={**XLSX, **AUTH})
    assert r.status_code == 422
    errors = r.json()["errors"]
    assert len(errors) == 2
    assert "formula" in r.json()["detail"] and "sheet 2022" in r.json()["detail"]
    assert "row 2" in r.json()["detail"] and "column B" in r.json()["detail"]


def test_macro_workbook_refused(up: TestClient) -> None:
    import zipfile

    buf = io.BytesIO(workbook(GOOD))
    with zipfile.ZipFile(buf, "a") as zf:
        zf.writestr("xl/vbaProject.bin", b"\x00" * 10)
    r = up.post("/api/evaluate", content=buf.getvalue(), headers={**XLSX, **AUTH})
    assert r.status_code == 422 and "macro" in r.json()["detail"]


def test_too_many_rows_refused(up: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(upload, "MAX_ROWS", 2)
    r = up.post("/api/evaluate", content=workbook(GOOD), headers={**XLSX, **AUTH})
    assert r.status_code == 422 and "more than 2 rows" in r.json()["detail"]


def test_upload_leaves_no_file_behind(
    up: TestClient, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    assert up.post("/api/evaluate", content=workbook(GOOD), headers={**XLSX, **AUTH}).status_code == 200
    assert list(tmp_path.iterdir()) == []


# -- escaping ---------------------------------------------------------------------------------------------
SCRIPT = "<script>alert(1)</script>"


def test_script_city_name_stays_text(small_state: AppState) -> None:
    units = small_state.dataset.units
    old = units.at["320500", "name"]
    units.at["320500", "name"] = SCRIPT
    small_state.__dict__.pop("_rows", None)
    small_state.__dict__.pop("_row_index", None)
    try:
        with TestClient(create_app(small_state), raise_server_exceptions=False) as c:
            rows = c.get("/api/rankings").json()["rows"]
            assert SCRIPT in {r["name"] for r in rows}  # JSON carries the text as is (a string)
            for page in ("/", "/city/320500", "/compare?codes=320500,320200", "/about"):
                html = c.get(page).text
                assert SCRIPT not in html, page
            q = c.get("/api/rankings", params={"q": "<script>"}).json()
            assert [r["name"] for r in q["rows"]] == [SCRIPT]
            assert SCRIPT not in c.get("/nope/<script>").text
            csv = c.get("/api/export?format=csv").content.decode("utf-8-sig")
            assert SCRIPT in csv  # text, harmless in a spreadsheet (no leading = + - @)
    finally:
        units.at["320500", "name"] = old
        small_state.__dict__.pop("_rows", None)
        small_state.__dict__.pop("_row_index", None)


@pytest.mark.parametrize("value", ['=HYPERLINK("http://x")', "+1+1", "-2+3", "@SUM(A1)"])
def test_exported_formula_like_cells_are_neutralised(value: str) -> None:
    rows = [{"rank": 1, "name": value, "province": value, "region": "东部"}]
    cols = export.columns(rows, [], "zh", whatif=False)
    text = export.to_csv(rows, cols).decode("utf-8-sig")
    assert "'" + value.replace('"', '""') in text
    for line in text.splitlines()[1:]:
        for cell in line.split(","):
            assert not cell.lstrip('"').startswith(("=", "+", "-", "@"))
    wb = load_workbook(io.BytesIO(export.to_xlsx(rows, cols, "t")))
    ws = wb.active
    assert ws is not None
    for row in ws.iter_rows(min_row=2):  # XLSX: the text unchanged, stored as text with quotePrefix
        for cell in row:
            if isinstance(cell.value, str) and cell.value.startswith(("=", "+", "-", "@")):
                assert cell.value == value and cell.quotePrefix and cell.data_type == "s"
