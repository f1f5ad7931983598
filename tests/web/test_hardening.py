"""Web hardening: bodies, headers, uploads and what-if requests, each case built from a described attack."""

from __future__ import annotations

import io
import json
import math
import socket
import threading
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from fastapi import APIRouter
from fastapi.testclient import TestClient

from mfgindex.core.errors import UserError
from mfgindex.web import server
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
    assert strict_json(r.text) == {"detail": "服务器内部错误 (internal server error)", "errors": []}
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


# -- run folders and workspaces --------------------------------------------------------------------------
def test_relative_paths_in_run_json_resolve_against_the_run_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from typer.testing import CliRunner

    from mfgindex.cli.main import app
    from tests.web.test_upload import FRAMEWORK, GOOD

    project = tmp_path / "project"
    (project / "data").mkdir(parents=True)
    (project / "fw.yaml").write_text(yaml.safe_dump(FRAMEWORK, allow_unicode=True), encoding="utf-8")
    (project / "data" / "x.xlsx").write_bytes(workbook(GOOD))
    monkeypatch.chdir(project)
    r = CliRunner().invoke(app, ["run", "-q", "-f", "fw.yaml", "-d", "data/x.xlsx", "--out", "runs/r1"])
    assert r.exit_code == 0, r.output
    record = json.loads((project / "runs" / "r1" / "run.json").read_text(encoding="utf-8"))
    assert record["config"]["data"] == ["../../data/x.xlsx"]
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    with TestClient(create_app(run_dir=project / "runs" / "r1"), raise_server_exceptions=False) as c:
        got = c.get("/api/rankings")
    assert got.status_code == 200, got.text[:300]
    assert [row["name"] for row in got.json()["rows"]][:1] == ["苏州市"]


def test_serve_shows_a_policy_workspace(web_state: AppState, tmp_path: Path) -> None:
    from mfgindex.policy import library, records
    from mfgindex.workspace import create

    ws = tmp_path / "ws"
    create.init(ws, entered_by="tester")
    sample = tmp_path / "p.csv"
    rows = records.sample_path().read_text(encoding="utf-8-sig").splitlines()[:2]
    sample.write_text("\n".join(rows) + "\n", encoding="utf-8")
    library.import_policies(ws, sample, "tester")
    with TestClient(create_app(web_state, policy_workspace=ws), raise_server_exceptions=False) as c:
        got = c.get("/api/cities/320500/policies").json()
    assert got["source"] == "workspace" and got["count"] == 1
    with pytest.raises(UserError, match="not a workspace"):
        create_app(web_state, policy_workspace=tmp_path / "nope")


# -- the server's timeouts -------------------------------------------------------------------------------
async def _hello(scope: dict[str, object], receive: object, send: object) -> None:
    assert scope["type"] == "http"
    await send({"type": "http.response.start", "status": 200, "headers": []})  # type: ignore[operator]
    await send({"type": "http.response.body", "body": b"ok"})  # type: ignore[operator]


class _FastH11(server.TimedH11Protocol):
    header_timeout = 0.5
    body_idle_timeout = 0.5


PROTOCOLS: list[type] = [_FastH11]
if server.HTTPTOOLS is not None:

    class _FastHttpTools(server.TimedHttpToolsProtocol):
        header_timeout = 0.5
        body_idle_timeout = 0.5

    PROTOCOLS.append(_FastHttpTools)


def test_the_server_runs_httptools_with_h11_as_the_fallback() -> None:
    """httptools (a C parser, wheels for Windows, macOS and Linux) comes with uvicorn[standard]."""
    assert server.HTTPTOOLS is server.TimedHttpToolsProtocol
    assert issubclass(server.TimedHttpToolsProtocol, server.HttpToolsProtocol)


def _serve(protocol: type, **options: object) -> tuple[object, threading.Thread, int]:
    import uvicorn

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = int(s.getsockname()[1])
    config = uvicorn.Config(
        _hello,
        host="127.0.0.1",
        port=port,
        http=protocol,
        h11_max_incomplete_event_size=server.MAX_HEAD,
        **options,  # type: ignore[arg-type]
    )
    srv = uvicorn.Server(config)
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    for _ in range(100):
        if srv.started:
            break
        time.sleep(0.05)
    return srv, thread, port


@pytest.fixture(scope="module", params=PROTOCOLS, ids=lambda p: p.__name__.removeprefix("_Fast").lower())
def timed_server(request: pytest.FixtureRequest) -> Iterator[int]:
    srv, thread, port = _serve(request.param, log_level="warning")
    yield port
    srv.should_exit = True  # type: ignore[attr-defined]
    thread.join(5)


def _closed_within(sock: socket.socket, seconds: float) -> bool:
    """True when the server closes the connection within ``seconds`` (whatever it answered first)."""
    deadline = time.monotonic() + seconds
    while (left := deadline - time.monotonic()) > 0:
        sock.settimeout(left)
        try:
            if sock.recv(1024) == b"":
                return True
        except TimeoutError:
            return False
        except OSError:
            return True
    return False


@pytest.mark.parametrize(
    "sent",
    [b"", b"GET / HTTP/1.1\r\nHost: x\r\n", b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nab"],
)
def test_half_sent_requests_are_cut_off(timed_server: int, sent: bytes) -> None:
    with socket.create_connection(("127.0.0.1", timed_server)) as sock:
        sock.sendall(sent)
        assert _closed_within(sock, 3.0)


def test_slow_headers_are_not_saved_by_trickling(timed_server: int) -> None:
    with socket.create_connection(("127.0.0.1", timed_server)) as sock:
        t0 = time.monotonic()
        sock.sendall(b"GET / HTTP/1.1\r\n")
        for _ in range(10):  # one header byte every 0.2 s: the timer is not restarted by bytes
            time.sleep(0.2)
            try:
                sock.sendall(b"X")
            except OSError:
                break
        assert _closed_within(sock, 3.0) and time.monotonic() - t0 < 3.0


def test_complete_requests_are_answered_and_kept_alive(timed_server: int) -> None:
    with socket.create_connection(("127.0.0.1", timed_server)) as sock:
        for _ in range(2):
            sock.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
            sock.settimeout(3)
            assert sock.recv(1024).startswith(b"HTTP/1.1 200")
            time.sleep(0.7)  # longer than the header timeout, shorter than the keep-alive one


def _answer(sock: socket.socket) -> bytes:
    """Everything the server sends until it closes the connection (or 3 s pass)."""
    sock.settimeout(3)
    got = b""
    try:
        while chunk := sock.recv(65536):
            got += chunk
    except TimeoutError:
        pass
    return got


@pytest.mark.parametrize("chunk", [64 * 1024, 1000], ids=["one-piece", "trickled"])
def test_an_oversized_head_is_refused(timed_server: int, chunk: int) -> None:
    """Request line + headers over 16 KB: 400 and the connection closed, whether the head comes in one
    piece or in small chunks (the parser must not buffer it without bound)."""
    head = b"GET / HTTP/1.1\r\nHost: x\r\n" + b"".join(
        b"X-Pad-%d: %s\r\n" % (i, b"a" * 1000) for i in range(20)
    )  # ≈ 20 KB, not finished: no blank line yet
    with socket.create_connection(("127.0.0.1", timed_server)) as sock:
        try:
            for i in range(0, len(head), chunk):
                sock.sendall(head[i : i + chunk])
                time.sleep(0.002)
            sock.sendall(b"\r\n")
        except OSError:
            pass  # closed while sending: refused
        got = _answer(sock)
    assert got.startswith(b"HTTP/1.1 400") or got == b""
    assert b"HTTP/1.1 200" not in got


def test_a_large_head_under_the_limit_and_pipelined_requests_are_answered(timed_server: int) -> None:
    head = b"GET / HTTP/1.1\r\nHost: x\r\n" + b"X-Pad: " + b"a" * 12_000 + b"\r\n\r\n"
    with socket.create_connection(("127.0.0.1", timed_server)) as sock:
        for i in range(0, len(head), 1000):
            sock.sendall(head[i : i + 1000])
        sock.settimeout(3)
        assert sock.recv(1024).startswith(b"HTTP/1.1 200")
        # three requests in one packet, the last with a body: three answers, in order
        body = b"x" * 20_000
        sock.sendall(
            b"GET / HTTP/1.1\r\nHost: x\r\n\r\n" * 2
            + b"POST / HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: %d\r\n\r\n" % len(body)
            + body
        )
        got = _answer(sock)
    assert got.count(b"HTTP/1.1 200") == 3


@pytest.mark.parametrize("protocol", PROTOCOLS, ids=lambda p: p.__name__.removeprefix("_Fast").lower())
def test_503_over_the_connection_limit_carries_the_security_headers(protocol: type) -> None:
    """uvicorn's own 503 (connection limit) was plain text without the security headers."""
    srv, thread, port = _serve(protocol, limit_concurrency=2, log_level="error")
    try:
        with socket.create_connection(("127.0.0.1", port)) as first:
            first.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
            first.settimeout(3)
            assert first.recv(1024).startswith(b"HTTP/1.1 200")  # one connection: under the limit
            with socket.create_connection(("127.0.0.1", port)) as second:  # two: at the limit
                second.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
                second.settimeout(3)
                answer = b""
                while chunk := second.recv(4096):
                    answer += chunk
    finally:
        srv.should_exit = True  # type: ignore[attr-defined]
        thread.join(5)
    head, _, body = answer.partition(b"\r\n\r\n")
    lines = head.decode().split("\r\n")
    assert lines[0].startswith("HTTP/1.1 503")
    names = {line.split(":", 1)[0].strip().lower() for line in lines[1:]}
    assert names >= HEADERS | {"connection"}
    detail = strict_json(body.decode())["detail"]  # type: ignore[index]
    assert detail.startswith("服务器繁忙") and "service unavailable" in detail
