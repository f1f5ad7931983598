"""The city page's data: ``GET /api/cities/{code}`` (a city's profile in a year) and ``GET /api/panel/{code}``
(its panel-normalised index over the years offered)."""

from __future__ import annotations

from typing import Any

import pandas as pd
from fastapi import APIRouter, HTTPException
from fastapi.responses import Response

from mfgindex.web import profile
from mfgindex.web.messages import unknown_city
from mfgindex.web.service import ERRORS, Service


def router(service: Service) -> APIRouter:
    api = APIRouter(prefix="/api", responses=ERRORS)
    st = service.state

    @api.get("/cities/{code}", summary="A city's profile")
    async def city(code: str, year: int | None = None) -> Response:
        y = service.year(year)
        try:
            return service.cached(("city", code, y), lambda: profile.build(st, code, y))
        except profile.NotRanked as exc:
            why = next((u for u in service.unranked(y) if u["code"] == code), None)
            detail = f"{why['reason_zh']} ({why['reason_en']})" if why else f"未参与排名 ({exc})"
            raise HTTPException(404, detail) from None
        except KeyError:
            raise HTTPException(404, unknown_city(code)) from None

    @api.get("/panel/{code}", summary="A city's panel-normalised index over the years offered")
    def city_panel(code: str) -> Response:
        """Sync on purpose: the first call computes the panel for every city (a few seconds) in a worker
        thread, not on the event loop; later calls read the cache."""

        def body() -> dict[str, Any]:
            if not any(code in st.row_index(y) for y in st.years):
                raise HTTPException(404, unknown_city(code))
            row = st.panel_index.reindex([code]).iloc[0]
            return {
                "code": code,
                "years": [int(y) for y in row.index],
                "index": [None if pd.isna(v) else round(float(v), 4) for v in row.to_numpy()],
                "label_zh": "面板归一化指数",
                "label_en": "panel-normalised index",
            }

        return service.cached(("panel", code), body)

    return api
