"""The request handlers' shared view of the app state: the year asked for, the rankings' filters (region,
province, 城市群, search), the units a ranking leaves out and why, and the encoded responses kept because
they do not depend on the request body. ``json_response`` encodes every JSON answer of the API."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi.responses import Response

from mfgindex.core import geo
from mfgindex.core.errors import Problem, UserError
from mfgindex.web import whatif
from mfgindex.web.models import ErrorBody
from mfgindex.web.state import REGION_EN, AppState

ERRORS: dict[int | str, dict[str, Any]] = {
    404: {"model": ErrorBody, "description": "not found"},
    422: {"model": ErrorBody, "description": "invalid input"},
}


def json_response(data: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    """orjson-encoded JSON (≈ 10× faster than ``json.dumps``; NaN → null, which ``_num`` already ensures)."""
    return Response(whatif.dumps(data), status_code=status, media_type="application/json", headers=headers)


class Service:
    """Request handlers' view of the app state, with the caches that keep requests cheap (the what-if
    engines and answers: :class:`mfgindex.web.whatif_api.WhatIfAnswers`)."""

    def __init__(self, state: AppState) -> None:
        self.state = state
        self.dim_ids = [d.id for d in state.dimensions]
        self.root_children = [c.id for c in state.framework.root.children]
        # encoded responses that do not depend on the request body: unfiltered rankings per year, profiles
        self.cache: dict[Any, bytes] = {}

    def remember(self, key: Any, body: bytes, limit: int = 2048) -> None:
        if len(self.cache) < limit:
            self.cache[key] = body

    def cached(self, key: Any, build: Callable[[], Any]) -> Response:
        """The JSON answer kept under ``key``: ``build()`` encoded on the first request, then these bytes."""
        body = self.cache.get(key)
        if body is None:
            body = whatif.dumps(build())
            self.remember(key, body)
        return Response(body, media_type="application/json")

    # -- helpers ------------------------------------------------------------------------------------------
    def year(self, year: int | None) -> int:
        if year is None:
            return self.state.main_year
        if year not in self.state.results:
            raise UserError(
                Problem(
                    f"没有 {year} 年的排名 (no ranking for year {year})",
                    column="year",
                    value=str(year),
                    expected=f"one of {self.state.years}",
                )
            )
        return year

    def filter_rows(
        self,
        rows: list[dict[str, Any]],
        region: str | None,
        province: str | None,
        cluster: str | None,
        q: str | None,
    ) -> list[dict[str, Any]]:
        st = self.state
        if region:
            regions = {r for r in (row.get("region") for row in st.rows(st.main_year)) if r}
            wanted = next((zh for zh, en in REGION_EN.items() if region.lower() == en.lower()), region)
            if wanted not in regions:
                raise UserError(
                    Problem(
                        f"未知的地区 {region!r} (unknown region)",
                        column="region",
                        value=region,
                        expected=", ".join(sorted(regions)),
                    )
                )
            rows = [r for r in rows if r.get("region") == wanted]
        if province:
            prov = geo.normalise_province(province) if st.dataset.kind == "cities" else province
            known = {row.get("province") for row in st.rows(st.main_year)}
            if prov is None or prov not in known:
                raise UserError(
                    Problem(f"未知的省份 {province!r} (unknown province)", column="province", value=province)
                )
            rows = [r for r in rows if r.get("province") == prov]
        if cluster:
            if cluster not in st.clusters:
                raise UserError(
                    Problem(
                        f"未知的城市群 {cluster!r} (unknown cluster)",
                        column="cluster",
                        value=cluster,
                        expected=", ".join(st.clusters),
                    )
                )
            codes = st.clusters[cluster]["codes"]
            rows = [r for r in rows if r["code"] in codes]
        if q:
            needle = q.strip().lower().replace(" ", "")
            if needle:
                rows = [
                    r
                    for r in rows
                    if needle in r["name"].lower()
                    or needle in r["code"]
                    or any(p.startswith(needle) for p in r.get("pinyin", "").split())
                ]
        return rows

    def unranked(self, year: int | None = None) -> list[dict[str, Any]]:
        """Units of the data that the ranking of ``year`` leaves out, each with the reason in Chinese and
        English (municipalities: the framework ranks prefecture-level cities only)."""
        st = self.state
        y = st.main_year if year is None else year
        ranked = {r["code"] for r in st.rows(y) if r["rank"] is not None}
        excluded = st.results[y].current.excluded
        units = st.dataset.units
        out = []
        for code in units.index:
            c = str(code)
            if c in ranked:
                continue
            label = st.unit_label(c)
            kind = str(units.at[code, "unit_type"]) if "unit_type" in units.columns else ""
            name = label["name"]
            if kind == "municipality":
                zh = f"{name}是直辖市（省级行政区），本榜单只评价地级城市，直辖市不参与排名。"
                en = f"{name} is a municipality (province-level); only prefecture-level cities are ranked."
            elif c in excluded:
                zh = f"{name}在{y}年的数据不足，未参与排名。"
                en = f"{name} is not ranked in {y}: {excluded[c]}."
            else:
                zh = f"{name}在{y}年没有指数得分，未参与排名。"
                en = f"{name} has no index score in {y}."
            out.append({**label, "reason_zh": zh, "reason_en": en})
        return out

    def dimension_labels(self) -> list[dict[str, Any]]:
        return [
            {"id": d.id, "name_zh": d.name_zh, "name_en": d.name_en, "weight": d.weight}
            for d in self.state.dimensions
        ]
