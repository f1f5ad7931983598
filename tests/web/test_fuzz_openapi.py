"""Schemathesis: every operation of /openapi.json fuzzed from its schema; no response may be a 5xx, every
response carries the security headers, and every JSON body is standard JSON (no bare NaN/Infinity tokens).

Examples are bounded (``max_examples`` per operation) so that the whole run stays well under a minute. The
app is the session's (embedded data, every year served); the upload endpoint, off without a token, is fuzzed
through an app with a token so that its 401/413/422 paths are exercised too.
"""

from __future__ import annotations

import json

import pytest
import schemathesis
from fastapi import FastAPI
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error

from mfgindex.web.app import SECURITY_HEADERS, create_app
from mfgindex.web.state import AppState

pytestmark = [pytest.mark.slow, pytest.mark.fuzz]
HEADERS = {name.decode() for name, _ in SECURITY_HEADERS}


def _refuse(token: str) -> float:
    raise ValueError(f"bare {token} token in a JSON response")


@pytest.fixture(scope="session")
def fuzz_app(web_state: AppState) -> FastAPI:
    return create_app(web_state, upload_token="fuzz-token-0123456789")


MAX_EXAMPLES = 15


def test_no_server_error(fuzz_app: FastAPI) -> None:
    schema = schemathesis.openapi.from_asgi("/openapi.json", fuzz_app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 8  # rankings, cities, whatif, framework, meta, export, geo, evaluate …
    seen: list[str] = []

    for op in operations:

        @given(case=op.as_strategy())
        @settings(
            max_examples=MAX_EXAMPLES,
            deadline=None,
            derandomize=True,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def fuzz(case: schemathesis.Case) -> None:
            if case.path == "/api/export" and isinstance(case.query, dict):
                case.query["top"] = 5  # keep workbook building cheap: the fuzz is about inputs, not size
            response = case.call()
            case.validate_response(response, checks=[not_a_server_error])
            missing = HEADERS - {k.lower() for k in response.headers}
            assert not missing, f"{case.method} {case.path} {response.status_code}: no {missing}"
            if "json" in response.headers.get("content-type", ""):
                json.loads(response.text, parse_constant=_refuse)

        fuzz()
        seen.append(f"{op.method.upper()} {op.path}")
    assert "POST /api/whatif" in seen and "POST /api/evaluate" in seen
