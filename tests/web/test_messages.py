"""The web's error texts are Chinese first, the English term in parentheses: the
dashboard is Chinese, and ``/api/cities/{code}`` answered ``unknown city code '999999'`` in English only."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

import mfgindex.web

CJK = re.compile(r"^[\u4e00-\u9fff]")
WEB = Path(mfgindex.web.__file__).parent


@pytest.mark.parametrize(
    ("method", "path", "starts", "english"),
    [
        ("get", "/api/cities/999999", "未知的城市代码", "unknown city code"),
        ("get", "/api/cities/110000", "北京市是直辖市", "municipality"),  # a known unit left out
        ("get", "/api/geo/nope", "没有边界文件", "no boundary file"),
        ("get", "/api/no-such-endpoint", "未找到", "not found"),
        ("get", "/api/whatif", "不支持该请求方法", "method not allowed"),
        ("get", "/api/rankings?province=火星", "未知的省份", "unknown province"),
        ("get", "/api/rankings?year=1999", "没有 1999 年的排名", "no ranking for year"),
        ("post", "/api/whatif", "请求参数无效", "invalid request"),
    ],
)
def test_error_details_are_chinese_first(
    client: TestClient, method: str, path: str, starts: str, english: str
) -> None:
    r = getattr(client, method)(path) if method != "post" else client.post(path, json={"top": 0})
    assert r.status_code in (404, 405, 422), r.text
    detail = r.json()["detail"]
    assert detail.startswith(starts) and english in detail, detail


def test_413_is_chinese_first(client: TestClient) -> None:
    r = client.post("/api/whatif", content=b"{" + b" " * 20_000 + b"}")
    assert r.status_code == 413 and r.json()["detail"].startswith("请求体过大")


def _detail_args() -> list[tuple[str, int, ast.expr]]:
    out = []
    for path in sorted(WEB.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "HTTPException":
                assert len(node.args) >= 2, f"{path.name}:{node.lineno}: HTTPException without a detail"
                out.append((path.name, node.lineno, node.args[1]))
    return out


def test_every_httpexception_detail_in_the_web_package_is_chinese_first() -> None:
    """Read from the source: a literal detail starts with a Chinese character; a computed one comes from
    ``web/messages.py`` or from a variable built from the Chinese reasons."""
    found = _detail_args()
    assert len(found) >= 6  # api, policy_api, upload
    for name, line, arg in found:
        if isinstance(arg, ast.Constant):
            text = str(arg.value)
        elif isinstance(arg, ast.JoinedStr):
            first = arg.values[0]
            text = str(first.value) if isinstance(first, ast.Constant) else ""
        else:
            continue  # unknown_city(code), the unranked reason: tested above through the endpoints
        assert CJK.match(text), f"{name}:{line}: {text!r} does not start in Chinese"
