"""``POST /api/evaluate``: evaluate a user's workbook with the served framework — off unless a token is set.

Security:

- the route exists only when the app is created with ``upload_token`` (``mfgindex serve --token`` or
  ``MFGINDEX_UPLOAD_TOKEN``); every request must carry ``Authorization: Bearer <token>`` (401 otherwise,
  compared in constant time);
- the body is the raw file (XLSX, or CSV in UTF-8 or GB18030), bounded by ``MAX_UPLOAD`` bytes (413, checked
  by the ``Guard`` middleware before the body is read), and by ``MAX_ROWS`` rows and ``MAX_UNZIPPED`` bytes
  once unpacked (422; a zip bomb is refused before it is inflated);
- the file is read by the one reader (``core/ingest``) with those lower limits, so the server refuses what
  the command line refuses: formula cells with their sheet, row and column (nothing is evaluated; a cached
  result was computed by someone else's spreadsheet program), macro projects, external links, XML parts
  declaring a DTD or entities;
- the file is written to a fresh private temporary directory (not under the served static folder), read,
  and deleted with the directory whatever happens; its name is never taken from the client;
- one evaluation at a time per worker (others wait up to ``BUSY_WAIT`` s, then 503).

The answer is the ranking (``rows`` with code, name, province, rank and every dimension's score) or a 422
with every located problem (file as named by the client, sheet, row, column) from ``ingest``/``validate``.
"""

from __future__ import annotations

import hmac
import re
import tempfile
import threading
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Header, HTTPException, Query, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from mfgindex.core import ingest, validate
from mfgindex.core.errors import Problem, UserError
from mfgindex.core.spec import RunSpec
from mfgindex.services import runner
from mfgindex.web.state import AppState, _int, _num, _str
from mfgindex.web.whatif import dumps

MAX_UPLOAD = 5 * 1024 * 1024
MAX_UNZIPPED = 50 * 1024 * 1024
MAX_ROWS = 100_000
BUSY_WAIT = 30.0
UPLOAD_PATH = "/api/evaluate"
_busy = threading.BoundedSemaphore(1)
_SAFE_NAME = re.compile(r"[^\w.\-\u4e00-\u9fff]+")


def display_name(name: str | None, suffix: str) -> str:
    """The client's file name for messages only (never a path): safe characters, at most 80."""
    stem = _SAFE_NAME.sub("_", Path(name or "").name)[:80].strip("._") or "upload"
    return stem if stem.lower().endswith(suffix) else stem + suffix


def evaluate(state: AppState, data: bytes, filename: str | None, year: int | None) -> dict[str, Any]:
    """Check and evaluate an uploaded file in a private temporary directory (deleted afterwards)."""
    is_xlsx = data[:4] == b"PK\x03\x04"
    suffix = ".xlsx" if is_xlsx else ".csv"
    shown = display_name(filename, suffix)
    if not data:
        raise UserError(Problem("empty upload", file=shown, expected="an .xlsx or .csv file as the body"))
    framework = state.framework
    with tempfile.TemporaryDirectory(prefix="mfgindex-upload-") as tmp:
        path = Path(tmp) / f"upload{suffix}"
        path.write_bytes(data)
        # the one reader's checks (zip bombs, macros, external links, DTDs, formula cells, rows, encoding)
        # with the server's lower limits
        try:
            with ingest.limits(MFGINDEX_MAX_ROWS=MAX_ROWS, MFGINDEX_MAX_XLSX_UNPACKED=MAX_UNZIPPED):
                got = ingest.read([path], tuple(framework.groups), year)
        except UserError as exc:  # the server's temporary path never reaches the client
            raise UserError([_rename(p, tmp, shown) for p in exc.problems]) from None
        found = list(got.problems)
        ds = got.dataset
        if ds is not None:
            found.extend(validate.check(ds, framework))
        found = [_rename(p, tmp, shown) for p in found]
        errors = [p for p in found if p.severity == "error"]
        if errors or ds is None:
            raise UserError(errors or [Problem("no data found", file=shown)])
        years = ds.years()
        y = year if year is not None else years[-1]
        if y not in years:
            raise UserError(Problem(f"no data for year {y}", file=shown, column="year", expected=str(years)))
        warnings = [p for p in found if p.severity != "error"]
        spec = RunSpec(framework=framework, year=y)
        result = runner.evaluate_data(spec, ds, framework)
    dims = [c.id for c in framework.root.children]
    root = framework.root.id
    rows = []
    for code, r in result.table.iterrows():
        row: dict[str, Any] = {
            "code": str(code),
            "name": _str(r.get("name")) or str(code),
            "province": _str(r.get("province")),
            "rank": _int(r.get("rank")),
            root: _num(r.get(root)),
        }
        row.update({d: _num(r.get(d)) for d in dims})
        rows.append(row)
    return {
        "file": shown,
        "year": y,
        "framework": framework.id,
        "index_id": root,
        "dimensions": dims,
        "units": int(result.table["rank"].notna().sum()),
        "warnings": [str(p) for p in warnings][:100],
        "rows": rows,
    }


def _rename(p: Problem, tmp: str, shown: str) -> Problem:
    """Locations name the client's file, never the server's temporary path."""

    def clean(text: str) -> str:
        for name in ("upload.xlsx", "upload.csv"):
            text = text.replace(str(Path(tmp) / name), shown)
        return text.replace(tmp, "")

    return p._replace(file=clean(p.file), message=clean(p.message), value=clean(p.value))


def router(state: AppState, token: str) -> APIRouter:
    api = APIRouter()
    expected = token.encode()

    @api.post(
        UPLOAD_PATH,
        summary="Evaluate an uploaded workbook (XLSX/CSV body) with the served framework (token required)",
        responses={
            401: {"description": "missing or wrong token"},
            413: {"description": f"body over {MAX_UPLOAD} bytes"},
            422: {"description": "located problems in the file"},
            503: {"description": "another evaluation is running"},
        },
        openapi_extra={
            "requestBody": {
                "required": True,
                "content": {
                    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {
                        "schema": {"type": "string", "format": "binary"}
                    },
                    "text/csv": {"schema": {"type": "string", "format": "binary"}},
                },
            }
        },
    )
    async def evaluate_upload(
        request: Request,
        authorization: Annotated[str | None, Header()] = None,
        filename: Annotated[str | None, Query(max_length=200, description="shown in messages")] = None,
        year: Annotated[int | None, Query(ge=1900, le=2200)] = None,
    ) -> Response:
        scheme, _, given = (authorization or "").partition(" ")
        if scheme.lower() != "bearer" or not hmac.compare_digest(given.strip().encode(), expected):
            raise HTTPException(
                401, "需要有效的令牌 (a valid token is required)", headers={"WWW-Authenticate": "Bearer"}
            )
        data = await request.body()  # bounded by the Guard middleware (413)
        body = await run_in_threadpool(_evaluate_one, state, data, filename, year)
        return Response(body, media_type="application/json")

    return api


def _evaluate_one(state: AppState, data: bytes, filename: str | None, year: int | None) -> bytes:
    if not _busy.acquire(timeout=BUSY_WAIT):
        raise HTTPException(503, "另一个评价正在运行，请稍后再试 (another evaluation is running; try again)")
    try:
        return dumps(evaluate(state, data, filename, year))
    finally:
        _busy.release()
