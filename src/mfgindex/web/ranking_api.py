"""The ranking pages' data: ``GET /api/rankings`` (a year's ranking, filtered) and ``GET /api/summary``
(梯队 and the top N by region, province and 城市群: the report's list-level analysis)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query
from fastapi.responses import Response

from mfgindex.analysis.distribution import to_jsonable
from mfgindex.analysis.run import from_result
from mfgindex.analysis.summary import analyze_ranking
from mfgindex.analysis.tiers import tiers
from mfgindex.web.models import Rankings
from mfgindex.web.service import ERRORS, Service, json_response
from mfgindex.web.state import AppState


def summary_body(st: AppState, year: int) -> dict[str, Any]:
    """The report's list-level analysis of ``year`` (``analysis.summary.analyze_ranking`` on the table the
    report reads, via ``analysis.run.from_result``) and the 梯队 (``analysis.tiers``)."""
    run = from_result(st.results[year], st.config)
    n = run.top_n
    index_col = "index" if "index" in run.table.columns else run.index_id
    out: dict[str, Any] = {
        "year": year,
        "top_n": n,
        "ranked": int(run.table["rank"].notna().sum()),
        "tiers": to_jsonable(tiers(run.table, n, index_col)),
        "regions": None,
        "provinces": None,
        "clusters": None,
    }
    if st.dataset.kind == "cities":
        a = analyze_ranking(run.table, n=n)
        out.update(
            regions=to_jsonable(a.regions),
            provinces=to_jsonable(a.provinces.provinces),
            provinces_unlisted=list(a.provinces.unlisted),
            clusters=to_jsonable(a.clusters.clusters),
            cluster_definition=a.clusters.definition_zh,
            outside_clusters=to_jsonable(a.clusters.outside),
        )
    return out


def router(service: Service) -> APIRouter:
    api = APIRouter(prefix="/api", responses=ERRORS)
    st = service.state

    @api.get("/rankings", response_model=Rankings, summary="Ranking of a year, optionally filtered")
    async def rankings(
        year: int | None = None,
        region: Annotated[
            str | None, Query(max_length=20, description="东部/中部/西部/东北 or East…")
        ] = None,
        province: Annotated[str | None, Query(max_length=20, description="江苏, 江苏省 or 苏")] = None,
        cluster: Annotated[str | None, Query(max_length=40, description="城市群 id (see /api/meta)")] = None,
        top: Annotated[int | None, Query(ge=1, le=100_000)] = None,
        q: Annotated[str | None, Query(max_length=40, description="name, adcode or pinyin prefix")] = None,
    ) -> Response:
        y = service.year(year)
        unfiltered = not (region or province or cluster or q or top)
        if unfiltered and y in service.cache:
            return Response(service.cache[y], media_type="application/json")
        all_rows = st.rows(y)
        rows = service.filter_rows(all_rows, region, province, cluster, q)
        if top is not None:
            rows = [r for r in rows if r["rank"] is not None and r["rank"] <= top]
        response = json_response(
            {
                "year": y,
                "framework": st.framework.id,
                "index_id": st.root_id,
                "total": st.ranked_count(y),
                "count": len(rows),
                "dimensions": service.dimension_labels(),
                "rows": rows,
            }
        )
        if unfiltered:
            service.cache[y] = bytes(response.body)
        return response

    @api.get("/summary", summary="梯队 and the top N by region, province and 城市群 (the report's analysis)")
    async def summary(year: int | None = None) -> Response:
        y = service.year(year)
        return service.cached(("summary", y), lambda: summary_body(st, y))

    return api
