"""The FastAPI application: ``create_app(state)`` wires the API, the pages, the static assets and the guards.

Guards: request bodies are bounded (413 beyond ``max_body`` bytes); validation and user errors give 422 with
a readable message; any other error gives a JSON 500 without a traceback (logged server-side); pages carry a
Content-Security-Policy that allows only this origin's scripts, so no CDN is ever needed or allowed.
"""

from __future__ import annotations

import json
import logging
import os
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.middleware.gzip import GZipMiddleware
from fastapi.responses import JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from mfgindex.core.errors import Problem, UserError
from mfgindex.services import runner
from mfgindex.web import (
    city_api,
    export_api,
    geo_api,
    meta_api,
    pages,
    policy_api,
    ranking_api,
    upload,
    whatif_api,
)
from mfgindex.web.messages import INTERNAL, INVALID, stock, too_large
from mfgindex.web.service import Service
from mfgindex.web.state import AppState, from_options, from_run_dir, version

log = logging.getLogger("mfgindex.web")
STATIC = Path(__file__).resolve().parent / "static"
MAX_BODY = 16 * 1024
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; "
    "connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
)


SECURITY_HEADERS = [
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"same-origin"),
    (b"x-frame-options", b"DENY"),
    (b"content-security-policy", CSP.encode()),
]


class Guard:
    """ASGI middleware: bounded request bodies (413, also for chunked bodies), the security headers on every
    response (413 and 500 included), and a JSON 500 for any error that escapes the app."""

    def __init__(self, app: ASGIApp, max_body: int, limits: dict[str, int] | None = None) -> None:
        self.app = app
        self.max_body = max_body
        self.limits = limits or {}  # path → its own body limit (the upload endpoint)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.limits.get(scope.get("path", ""), self.max_body)
        headers = dict(scope.get("headers") or [])
        length = headers.get(b"content-length")
        if length is not None and (not length.isdigit() or int(length) > limit):
            await _answer(send, 413, too_large(limit))
            return
        received = 0
        too_big = False
        started = False

        async def bounded_receive() -> Message:
            nonlocal received, too_big
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    too_big = True
                    raise _BodyTooLarge
            return message

        async def send_with_headers(message: Message) -> None:
            nonlocal started
            if too_big:  # whatever the app made of the interrupted body (FastAPI: a 400), the answer is 413
                if not started:
                    started = True
                    await _answer(send, 413, too_large(limit))
                return
            if message["type"] == "http.response.start":
                started = True
                message["headers"] = [*message.get("headers", []), *SECURITY_HEADERS]
            await send(message)

        try:
            await self.app(scope, bounded_receive, send_with_headers)
        except _BodyTooLarge:
            if not started:
                started = True
                await _answer(send, 413, too_large(limit))
        except Exception:
            log.exception("unhandled error on %s %s", scope.get("method"), scope.get("path"))
            if not started:
                started = True
                await _answer(send, 500, INTERNAL)


class _BodyTooLarge(Exception):
    pass


async def _answer(send: Send, status: int, detail: str) -> None:
    """A JSON error response with the security headers, sent straight to the server."""
    body = json.dumps({"detail": detail, "errors": []}, ensure_ascii=False).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                *SECURITY_HEADERS,
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


GZIP_MINIMUM = 1024  # bytes: smaller answers are sent uncompressed


class App(FastAPI):
    """The FastAPI app with the what-if fast path in front of every layer (``front``, set by
    :func:`create_app`: :class:`mfgindex.web.whatif_api.WhatIfFast`): a what-if request it answers whole
    skips FastAPI's and Starlette's entry, the error middleware, the guard and gzip's pass-through, whose
    headers it adds itself; it hands every other request to the whole stack."""

    front: whatif_api.WhatIfFast | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        front = self.front
        if front is not None and scope["type"] == "http" and scope["path"] == whatif_api.WHATIF_PATH:
            await front(scope, receive, send)
            return
        await super().__call__(scope, receive, send)

    async def stack(self, scope: Scope, receive: Receive, send: Send) -> None:
        """The whole stack (what the front hands over)."""
        await super().__call__(scope, receive, send)


class Compress:
    """gzip (responses over 1 KB, when the client accepts it): level 6, except the what-if answers at level 1.

    A what-if is compressed anew on every slider move: level 6 cost ≈ 3× the CPU of level 1 (about as much
    as the rest of the request) for a body ≈ 4 % smaller (columns form: 14.8 against 15.4 KB of 31 KB).
    """

    def __init__(self, app: ASGIApp) -> None:
        self.default = GZipMiddleware(app, minimum_size=GZIP_MINIMUM, compresslevel=6)
        self.fast = GZipMiddleware(app, minimum_size=GZIP_MINIMUM, compresslevel=1)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        gzip = self.fast if scope.get("path") == whatif_api.WHATIF_PATH else self.default
        await gzip(scope, receive, send)


def _problems_body(exc: UserError) -> dict[str, Any]:
    errors: list[dict[str, Any]] = []
    for p in exc.problems:
        msg = p.message + (f" (expected {p.expected})" if p.expected else "")
        if p.file:  # a problem in an uploaded file: say where (file:sheet:row:column)
            msg = f"{p.location()}: {msg}"
        error: dict[str, Any] = {"loc": [p.column] if p.column else [], "msg": msg}
        if p.file:
            error.update(file=p.file, sheet=p.sheet, row=p.row, column=p.column, value=p.value)
        errors.append(error)
    return {"detail": "; ".join(str(e["msg"]) for e in errors), "errors": errors}


def create_app(
    state: AppState | None = None,
    *,
    run_dir: Path | None = None,
    options: runner.RunSpec | None = None,
    max_body: int = MAX_BODY,
    upload_token: str | None = None,
    policy_workspace: Path | None = None,
) -> FastAPI:
    """The web app over ``state`` (or a run directory, or run options: default data and preset).

    ``upload_token`` switches on ``POST /api/evaluate`` (a user's workbook, token required); without it the
    service is read-only and the route does not exist. ``policy_workspace`` (a workspace folder) feeds the
    cities' policy timelines instead of the shipped sample.
    """
    if policy_workspace is not None:
        from mfgindex.workspace.schema import db_path

        if not db_path(Path(policy_workspace)).is_file():
            raise UserError(
                Problem("not a workspace (run `mfgindex init DIR` first)", file=str(policy_workspace))
            )
    if state is None:
        state = from_run_dir(run_dir) if run_dir is not None else from_options(options)
    service = Service(state)
    answers = whatif_api.WhatIfAnswers(service)
    app = App(
        title="mfgindex API",
        summary="城市制造业高质量发展评价 — rankings, city profiles, what-if weights",
        version=version(),
        docs_url=None,
        redoc_url=None,  # Swagger/ReDoc pages load assets from a CDN: offline, only /openapi.json
    )
    app.state.service = service
    app.state.whatif = answers
    app.state.policy_workspace = str(policy_workspace) if policy_workspace is not None else None

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = [
            {"loc": [str(x) for x in e.get("loc", ())], "msg": str(e.get("msg", "invalid"))}
            for e in exc.errors()
        ]
        detail = "; ".join(f"{'.'.join(e['loc'])}: {e['msg']}" for e in errors)[:2000]
        detail = f"{INVALID}: {detail}" if detail else INVALID
        return JSONResponse({"detail": detail, "errors": errors[:50]}, status_code=422)

    @app.exception_handler(UserError)
    async def user_error(request: Request, exc: UserError) -> JSONResponse:
        return JSONResponse(_problems_body(exc), status_code=422)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        if exc.status_code == 404 and not request.url.path.startswith("/api/"):
            return pages.not_found(request, service, str(exc.detail))
        return JSONResponse(
            {"detail": stock(str(exc.detail)), "errors": []},
            status_code=exc.status_code,
            headers=getattr(exc, "headers", None),
        )

    # the JSON API, one router per area of the dashboard
    app.include_router(ranking_api.router(service))  # GET /api/rankings, /api/summary
    app.include_router(city_api.router(service))  # GET /api/cities/{code}, /api/panel/{code}
    app.include_router(whatif_api.router(answers))  # POST /api/whatif
    app.include_router(meta_api.router(service))  # GET /api/framework, /api/meta
    app.include_router(export_api.router(service, answers))  # GET /api/export
    app.include_router(geo_api.router(service))  # GET /api/geo/{kind}
    app.include_router(policy_api.router())  # GET /api/cities/{code}/policies
    limits: dict[str, int] = {}
    if upload_token:
        app.include_router(upload.router(state, upload_token))
        limits[upload.UPLOAD_PATH] = upload.MAX_UPLOAD
    app.include_router(pages.router(service))
    app.mount("/static", StaticFiles(directory=STATIC), name="static")

    @app.get("/healthz", include_in_schema=False)
    def healthz() -> dict[str, str]:
        return {"status": "ok"}

    app.add_middleware(whatif_api.WhatIfFast, answers=answers)  # inside gzip and the guard, like the route
    # gzip for pages, JSON and static files (ECharts 1.1 MB → 0.37 MB); boundary files come pre-compressed
    app.add_middleware(Compress)
    app.add_middleware(Guard, max_body=max_body, limits=limits)
    app.front = whatif_api.WhatIfFast(
        app.stack,
        answers,
        front=True,
        max_body=limits.get(whatif_api.WHATIF_PATH, max_body),
        vary_from=GZIP_MINIMUM,
        extra=SECURITY_HEADERS,
    )
    return app


ENV_RUN = "MFGINDEX_SERVE_RUN"
ENV_TOKEN = "MFGINDEX_UPLOAD_TOKEN"
ENV_POLICY = "MFGINDEX_SERVE_POLICY_WORKSPACE"


def from_env() -> FastAPI:
    """App factory for uvicorn workers (``--workers N``): run directory and token from the environment."""
    run = os.environ.get(ENV_RUN)
    policy = os.environ.get(ENV_POLICY)
    return create_app(
        run_dir=Path(run) if run else None,
        upload_token=os.environ.get(ENV_TOKEN) or None,
        policy_workspace=Path(policy) if policy else None,
    )
