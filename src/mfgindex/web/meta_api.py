"""What a run is, for every page's header and the about page: ``GET /api/framework`` (the indicator tree
with its nominal weights and method choices) and ``GET /api/meta`` (years, coverage, version, sources,
regions, provinces, 城市群, units left out)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from fastapi.responses import Response

from mfgindex.core.framework import Aggregate
from mfgindex.web.labels import source_label
from mfgindex.web.models import FrameworkNode, Meta
from mfgindex.web.service import ERRORS, Service
from mfgindex.web.state import REGION_EN, AppState, _num, version

MAP_CAPTION = {"zh": "示意图，非标准地图", "en": "Schematic map, not a standard map"}
HISTORY_NOTE = "each year is normalised on its own: ranks are comparable over years, scores less so"


def framework_body(st: AppState) -> dict[str, Any]:
    """The indicator tree with nominal local and global weights, the framework's method choices and stages."""
    res = st.results[st.main_year]
    gw = res.global_weights

    def node(n: Any, weight: float) -> dict[str, Any]:
        out: dict[str, Any] = {
            "id": n.id,
            "name_zh": n.name_zh or n.id,
            "name_en": n.name_en or n.id,
            "weight": weight,
        }
        if isinstance(n, Aggregate):
            local = res.nominal_weights[n.id]
            out["children"] = [node(c, float(local[c.id])) for c in n.children]
        else:
            out.update(
                global_weight=_num(gw.get(n.id)),
                unit=n.unit,
                direction=n.direction,
                **{"class": n.class_},
                proxy=n.proxy,
                source=n.source,
                source_zh=source_label(n.source, "zh"),
                source_en=source_label(n.source, "en"),
                note=n.note,
            )
        return out

    tree = node(st.framework.root, 1.0)
    fw = st.framework
    tree["framework"] = {
        "id": fw.id,
        "name_zh": fw.name_zh,
        "name_en": fw.name_en,
        "version": fw.version,
        "weighting": fw.weighting,
        "methods": fw.methods.model_dump(mode="json"),
    }
    tree["stages"] = None if fw.stages is None else fw.stages.model_dump(mode="json")
    return tree


def meta_body(service: Service) -> dict[str, Any]:
    """Years, coverage, version, sources, regions, provinces, 城市群 and the units left out of the ranking."""
    st = service.state
    res = st.results[st.main_year]
    fw = st.framework
    n_ind = len(fw.indicators())
    sources = [
        {"file": k, "sha256": v, "label_zh": source_label(k, "zh"), "label_en": source_label(k, "en")}
        for k, v in sorted(res.provenance.get("inputs", {}).items())
    ]
    provinces = sorted({r["province"] for r in st.rows(st.main_year) if r.get("province")})
    return {
        "version": version(),
        "framework": {
            "id": fw.id,
            "name_zh": fw.name_zh,
            "name_en": fw.name_en,
            "version": fw.version,
            "indicators": n_ind,
            "top_n": fw.top_n,
        },
        "year": st.main_year,
        "years": st.years,
        "previous_year": res.provenance.get("previous_year"),
        "units": st.ranked_count(st.main_year),
        "coverage": {str(k): round(float(v), 6) for k, v in res.current.coverage["coverage"].items()},
        "excluded_units": dict(res.current.excluded),
        "data_sources": sources,
        "indicator_sources": sorted({i.source for i in fw.indicators() if i.source}),
        "source": st.source,
        "config": st.config,
        "uncertainty": st.uncertainty is not None,
        "warnings": st.warnings,
        "dimensions": service.dimension_labels(),
        "regions": [
            {"id": zh, "name_zh": zh, "name_en": en}
            for zh, en in REGION_EN.items()
            if any(r.get("region") == zh for r in st.rows(st.main_year))
        ],
        "provinces": [{"id": p, "name_zh": p, "name_en": st.province_en(p) or p} for p in provinces],
        "clusters": [
            {"id": k, "name_zh": v["name_zh"], "name_en": v["name_en"]} for k, v in st.clusters.items()
        ],
        "map": st.dataset.kind == "cities",
        "map_caption": MAP_CAPTION,
        "unranked": service.unranked(),
        "history_note": HISTORY_NOTE,
    }


def router(service: Service) -> APIRouter:
    api = APIRouter(prefix="/api", responses=ERRORS)

    @api.get("/framework", response_model=FrameworkNode, summary="The indicator tree with nominal weights")
    async def framework_tree() -> Response:
        return service.cached("framework", lambda: framework_body(service.state))

    @api.get("/meta", response_model=Meta, summary="Years, coverage, version, data sources")
    async def meta() -> Response:
        return service.cached("meta", lambda: meta_body(service))

    return api
