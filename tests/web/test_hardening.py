"""Web hardening (issue 15 item 7 and the web bullets of item 1), each case built from the issue's text."""

from __future__ import annotations

import io
import json
import math
import zipfile
from collections.abc import Iterator

import pytest
from fastapi import APIRouter
from fastapi.testclient import TestClient

from mfgindex.web.app import SECURITY_HEADERS, create_app
from mfgindex.web.state import AppState
from tests.web.test_upload import AUTH, TOKEN, small_state, workbook  # noqa: F401 (a fixture)

HEADERS = {name.decode() for name, _ in SECURITY_HEADERS}


def has_security_headers(r: object) -> bool:
    return {k.lower() for k in r.headers} >= HEADERS  # type: ignore[attr-defined]


def strict_json(text: str) -> object:
    """JSON as the standard defines it: bare NaN/Infinity tokens are errors."""

    def refuse(token: str) -> float:
        raise ValueError(f"bare {token} token")

    return json.loads(text, parse_constant=refuse)


@pytest.mark.parametrize(
    "body",
    [
        {"range": [-1e308, 1e308]},
        {"range": [-1e308, 1e308], "normalise": "minmax"},
        {"range": [0, 1e-300], "aggregate": "harmonic"},
        {"range": [1, 1.0000001], "aggregate": "harmonic"},
        {"range": [100, 0]},
        {"range": [0, float("inf")]},
        {"stages": "yes"},
        {"stages": 1},
        {"year": "2022"},
        {"top": 1.5},
    ],
)
def test_whatif_refuses_bad_input_with_valid_json(client: TestClient, body: dict[str, object]) -> None:
    r = client.post("/api/whatif", content=json.dumps(body, allow_nan=True))
    assert r.status_code == 422, r.text[:300]
    doc = strict_json(r.text)
    assert isinstance(doc, dict) and doc["detail"]
    assert has_security_headers(r)


def test_whatif_answers_are_strict_json_and_rank(client: TestClient) -> None:
    for body in ({"range": [1, 100], "aggregate": "harmonic"}, {"range": [-1e6, 1e6]}, {"stages": False}):
        r = client.post("/api/whatif", json=body)
        assert r.status_code == 200, (body, r.text[:300])
        doc = strict_json(r.text)
        assert isinstance(doc, dict)
        ranks = [row["rank"] for row in doc["rows"] if row["rank"] is not None]
        assert len(set(ranks)) > len(ranks) // 2  # a ranking, not everyone at rank 1
        for row in doc["rows"]:
            assert all(not isinstance(v, float) or math.isfinite(v) for v in row.values())


def test_413_carries_the_security_headers(client: TestClient) -> None:
    r = client.post("/api/whatif", content=b"{" + b" " * 20_000 + b"}")
    assert r.status_code == 413 and has_security_headers(r)
    assert strict_json(r.text)


def test_chunked_oversize_body_is_413_not_400(client: TestClient) -> None:
    def chunks() -> Iterator[bytes]:
        yield b'{"weights": {'
        for _ in range(40):
            yield b" " * 1000

    r = client.post("/api/whatif", content=chunks(), headers={"content-type": "application/json"})
    assert r.status_code == 413, r.text[:200]
    assert has_security_headers(r)


def test_500_carries_the_security_headers_and_no_traceback(web_state: AppState) -> None:
    app = create_app(web_state)
    boom = APIRouter()

    @boom.get("/api/boom")
    def explode() -> None:
        raise RuntimeError("secret internals /srv/path")

    app.include_router(boom)
    with TestClient(app, raise_server_exceptions=False) as c:
        r = c.get("/api/boom")
    assert r.status_code == 500 and has_security_headers(r)
    assert strict_json(r.text) == {"detail": "internal server error", "errors": []}
    assert "secret" not in r.text


def test_404_and_422_carry_the_security_headers(client: TestClient) -> None:
    for r in (
        client.get("/api/nope"),
        client.get("/api/cities/xx/profile"),
        client.post("/api/whatif", json=1),
    ):
        assert r.status_code in (404, 422) and has_security_headers(r)


# -- uploads ------------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def uploads(small_state: AppState) -> Iterator[TestClient]:  # noqa: F811 (the imported fixture)
    with TestClient(create_app(small_state, upload_token=TOKEN), raise_server_exceptions=False) as c:
        yield c


def _with_part(xlsx: bytes, name: str, data: bytes) -> bytes:
    src = zipfile.ZipFile(io.BytesIO(xlsx))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            dst.writestr(item, data if item.filename == name else src.read(item.filename))
    return buf.getvalue()


XXE = (
    b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
    b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData><row r="1">'
    b'<c r="A1" t="inlineStr"><is><t>&xxe;</t></is></c></row></sheetData></worksheet>'
)
LAUGHS = (
    b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
    + b"".join(
        b'<!ENTITY lol%d "%s">' % (i, (b"&lol%d;" % (i - 1) if i > 1 else b"&lol;") * 10)
        for i in range(1, 10)
    )
    + b']><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData><row r="1">'
    b'<c r="A1" t="inlineStr"><is><t>&lol9;</t></is></c></row></sheetData></worksheet>'
)


@pytest.mark.parametrize(
    ("part", "xml"),
    [("xl/worksheets/sheet1.xml", XXE), ("xl/worksheets/sheet1.xml", LAUGHS), ("docProps/core.xml", XXE)],
)
def test_xxe_and_entity_bomb_uploads_are_422_not_500(uploads: TestClient, part: str, xml: bytes) -> None:
    data = _with_part(workbook([("苏州市", 1, 2)]), part, xml)
    r = uploads.post("/api/evaluate?filename=x.xlsx", content=data, headers=AUTH)
    assert r.status_code == 422, r.text[:300]
    assert "DTD" in r.json()["detail"] and "root:" not in r.text and has_security_headers(r)


def test_ragged_csv_422_names_the_client_file_not_the_server_path(uploads: TestClient) -> None:
    ragged = "城市,output,firms\n苏州市,1,2,3,4\n常州,1\n".encode()
    r = uploads.post("/api/evaluate?filename=mine.csv", content=ragged, headers=AUTH)
    assert r.status_code == 422, r.text[:300]
    assert "mfgindex-upload-" not in r.text and "/tmp" not in r.text and "upload.csv" not in r.text
    assert "mine.csv" in r.text
