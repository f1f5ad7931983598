"""``POST /api/whatif``: the ranking with changed weights (the dashboard's sliders).

The answer is computed by the what-if engine of each year (:mod:`mfgindex.web.whatif`), refused when its
scores are not finite or tie every city, and kept in an LRU cache of encoded answers; :class:`WhatIfFast`
answers a well-formed request before FastAPI's routing, the route answers the rest (same bytes).
"""

from __future__ import annotations

import math
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from fastapi import APIRouter
from fastapi.responses import Response
from pydantic import ValidationError

from mfgindex.core.errors import Problem, UserError
from mfgindex.web import whatif
from mfgindex.web.models import WhatIfColumns, WhatIfRequest, WhatIfResponse
from mfgindex.web.service import ERRORS, Service

WHATIF_CACHE = 512  # encoded what-if responses kept (slider positions repeat: reset, ×2, the same steps)


class WhatIfAnswers:
    """The what-if engines of every year and the cache of encoded answers."""

    def __init__(self, service: Service) -> None:
        self.service = service
        state = service.state
        self.engines = {y: whatif.Engine(r) for y, r in state.results.items()}
        self.prefixes = {
            y: {c: whatif.row_prefix(state.row_index(y).get(c, {"code": c})) for c in e.codes}
            for y, e in self.engines.items()
        }
        # encoded what-if responses by canonical request (LRU)
        self.cache: OrderedDict[str | bytes, bytes] = OrderedDict()

    def run(self, body: WhatIfRequest) -> tuple[int, whatif.WhatIf]:
        """The what-if of ``body``'s year (refused when it gives no ranking: :func:`check_outcome`)."""
        year = self.service.year(body.year)
        outcome = whatif.whatif(
            self.engines[year], dict(body.weights), body.stages, body.normalise, body.range, body.aggregate
        )
        check_outcome(outcome, self.engines[year].root)
        return year, outcome

    def answer(self, body: WhatIfRequest, raw: bytes | None = None) -> bytes:
        """The encoded what-if response (from the LRU cache of responses when the request repeats), kept
        under the request's canonical JSON, or under ``raw``, the body it was parsed from (the fast path's
        key: :meth:`cached` finds it before parsing)."""
        key = body.model_dump_json() if raw is None else raw
        cached = self.cached(key)
        if cached is not None:
            return cached
        encoded = self.encode(body)
        self.cache[key] = encoded
        if len(self.cache) > WHATIF_CACHE:
            self.cache.popitem(last=False)
        return encoded

    def cached(self, key: str | bytes) -> bytes | None:
        """The answer kept under ``key`` (a canonical request, or a raw body: ``str`` and ``bytes`` keys
        never compare equal), marked as recently used."""
        cached = self.cache.get(key)
        if cached is not None:
            self.cache.move_to_end(key)
        return cached

    def encode(self, body: WhatIfRequest) -> bytes:
        """The what-if response to ``body``, encoded (rows, or columns of the fields asked for)."""
        service = self.service
        st = service.state
        engine = self.engines[service.year(body.year)]
        fields: list[str] = []
        if body.fields is not None:
            if body.format != "columns":
                raise UserError(
                    Problem(
                        "fields 需要 format 为 columns (fields needs format columns)",
                        column="fields",
                        expected='"columns"',
                    )
                )
            known = set(whatif.column_fields(engine, service.dim_ids)) | set(engine.children)
            bad = [f for f in body.fields if f not in known]
            if bad:
                raise UserError(
                    Problem(
                        f"未知的字段 {bad[0][:40]!r} (unknown field)",
                        column="fields",
                        value=bad[0][:40],
                        expected="rank, nominal_rank, rank_change or an aggregate id",
                    )
                )
            fields = list(dict.fromkeys(body.fields))
        year, outcome = self.run(body)
        local = outcome.local[st.root_id].tolist()
        moved = outcome.nominal_rank - outcome.rank
        if math.isnan(np.add.reduce(moved)):  # some city unranked: left out
            moved = moved[~np.isnan(moved)]
        head: dict[str, Any] = {
            "year": year,
            "index_id": st.root_id,
            "weights": {k: round(w, 12) for k, w in zip(service.root_children, local, strict=True)},
            "stages": body.stages,
            "changed": int(np.count_nonzero(moved)),
            "max_abs_change": int(np.maximum.reduce(np.abs(moved))) if moved.size else 0,
            "rank_correlation": engine.correlation(outcome.rank),
        }
        start = whatif.dumps(head)[:-1]
        if body.format == "columns":
            if body.fields is None:
                fields = whatif.column_fields(engine, service.dim_ids)
            keep = None
            codes = engine.codes_json
            if body.top is not None:  # keep the first N by new rank, still in code order
                keep = np.nan_to_num(outcome.rank, nan=np.inf) <= body.top
                codes = whatif.dumps([c for c, k in zip(engine.codes, keep.tolist(), strict=True) if k])
            lead = b"".join((start, b',"codes":', codes, b',"columns":{'))
            return whatif.columns_json(outcome, engine, fields, keep, lead, b"}}")  # one copy of the body
        lead = start + b',"rows":['
        return whatif.rows_json(outcome, engine, self.prefixes[year], service.dim_ids, body.top, lead, b"]}")


WHATIF_PATH = "/api/whatif"
JSON = b"application/json"


@dataclass(eq=False)
class WhatIfFast:
    """ASGI middleware: a well-formed ``POST /api/whatif`` answered without FastAPI's routing, dependency
    solving and stdlib JSON parsing (a third of the request's cost once the computation is lean).

    The body is read (within the app's body limit: the guard's ``receive`` stops it), parsed and validated
    by pydantic in one step (``WhatIfRequest.model_validate_json``) and answered by
    :meth:`WhatIfAnswers.answer` — what the route does. Anything else (another content type, a body that
    does not validate, a request the service refuses) is handed to the app with the body replayed, so every
    error comes from the route and its handlers, word for word.

    Placed in front of every layer (``front``, :class:`mfgindex.web.app.App`), it answers only what those
    layers would pass through unchanged but for their headers, and adds these itself: a request that does
    not accept gzip, with a body within ``max_body`` bytes; its answer carries ``vary: Accept-Encoding``
    from ``vary_from`` bytes (gzip's pass-through) and the ``extra`` headers (the guard's). Everything
    else goes to ``app``, the whole stack (where this middleware, inside the guard and gzip, takes it).
    """

    app: Any
    answers: WhatIfAnswers
    front: bool = False
    max_body: int = 0
    vary_from: int = 0
    extra: Sequence[tuple[bytes, bytes]] = ()

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http" or scope["path"] != WHATIF_PATH or scope["method"] != "POST":
            await self.app(scope, receive, send)
            return
        content_type = length = None
        for k, v in scope["headers"]:
            if k == b"content-type":
                content_type = v if content_type is None else content_type
            elif k == b"content-length":  # (the guard reads the last one)
                length = v
            elif k == b"accept-encoding" and self.front and b"gzip" in v.lower():
                content_type = b""  # gzip's to compress: the whole stack answers
                break
        if content_type != JSON or (self.front and (length is None or not length.isdigit())):
            await self.app(scope, receive, send)
            return
        if self.front and int(length) > self.max_body:  # type: ignore[arg-type]
            await self.app(scope, receive, send)  # the guard refuses it
            return
        messages = []
        body = b""
        while True:
            message = await receive()
            messages.append(message)
            if message["type"] != "http.request":
                break
            body += message.get("body", b"")
            if not message.get("more_body", False) or (self.front and len(body) > self.max_body):
                break
        try:
            if self.front and len(body) > self.max_body:
                raise _HandOver
            answer = self.answers.cached(body)  # the same body as before: its answer, unparsed
            if answer is None:
                answer = self.answers.answer(WhatIfRequest.model_validate_json(body), body)
        except (ValidationError, UserError, _HandOver):
            await self._hand_over(scope, receive, send, messages)
            return
        except Exception:
            if not self.front:
                raise
            await self._hand_over(scope, receive, send, messages)  # the guard's answer, and its log
            return
        headers = [(b"content-length", str(len(answer)).encode()), (b"content-type", JSON)]
        if self.front:
            if len(answer) >= self.vary_from:
                headers.append((b"vary", b"Accept-Encoding"))
            headers += self.extra
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": answer})

    async def _hand_over(self, scope: Any, receive: Any, send: Any, messages: list[Any]) -> None:
        """The request to the app, with the messages already read replayed."""
        pending = iter(messages)

        async def replay() -> Any:
            return next(pending, None) or await receive()

        await self.app(scope, replay, send)


class _HandOver(Exception):
    """A request the fast path leaves to the app."""


def check_outcome(outcome: whatif.WhatIf, root: str) -> None:
    """Refuse (422, with the reason) a what-if whose scores are not finite numbers or cannot tell any two
    cities apart: the answer must be valid JSON and a ranking (no bare ``inf``, not all rank 1). Only the
    recomputed aggregates can have changed: the others are the nominal run's finite scores."""
    span: tuple[float, float] | None = None  # the root's lowest and highest score (NaN left out)
    for node, values in outcome.scores.items():
        if node not in outcome.fresh:
            continue
        arr = np.asarray(values, dtype=float)
        if arr.size:  # the extremes ignoring NaN: finite unless a score is infinite (or every one is NaN)
            low, high = float(np.fmin.reduce(arr)), float(np.fmax.reduce(arr))
            if math.isfinite(low) and math.isfinite(high):
                if node == root:
                    span = (low, high)
                continue
        if np.isinf(arr).any():
            raise UserError(
                Problem(
                    f"这些设置使得分无穷大 (infinite scores, {node})：计算溢出 (the computation overflows)",
                    column="range",
                    expected="a normalisation range and weights of ordinary size",
                )
            )
    if span is not None:  # ``np.ptp`` of the finite scores and their largest magnitude, from the extremes
        low, high = span
        if not high - low <= 1e-9 * max(1.0, abs(low), abs(high)):
            return  # the usual case: the scores differ (whether one or more are finite: no refusal)
    scores = np.asarray(outcome.scores.get(root, []), dtype=float)
    finite = scores[np.isfinite(scores)]
    if finite.size > 1 and np.ptp(finite) <= 1e-9 * max(1.0, float(np.abs(finite).max())):
        raise UserError(
            Problem(
                "这些设置使所有城市指数相同，无法排名 (every city gets the same index: no ranking)",
                column="aggregate",
                expected="another aggregation or range",
            )
        )


def router(answers: WhatIfAnswers) -> APIRouter:
    api = APIRouter(prefix="/api", responses=ERRORS)

    @api.post(
        "/whatif",
        response_model=WhatIfResponse | WhatIfColumns,
        summary="Ranking with changed weights",
    )
    async def whatif_post(body: WhatIfRequest) -> Response:
        return Response(answers.answer(body), media_type="application/json")

    return api
