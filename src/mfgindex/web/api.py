"""JSON API: rankings, city profiles, what-if weights, framework, meta, exports, boundaries."""

from __future__ import annotations

import gzip
import hashlib
import json
import math
from collections import OrderedDict
from functools import cache
from pathlib import Path
from typing import Annotated, Any, Literal

import numpy as np
import pandas as pd
from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response
from pydantic import ValidationError

from mfgindex.analysis.distribution import to_jsonable
from mfgindex.analysis.run import from_result
from mfgindex.analysis.summary import analyze_ranking
from mfgindex.analysis.tiers import tiers
from mfgindex.core import geo
from mfgindex.core.errors import Problem, UserError
from mfgindex.core.framework import Aggregate
from mfgindex.web import export, profile, whatif
from mfgindex.web.labels import source_label
from mfgindex.web.messages import unknown_city
from mfgindex.web.models import (
    ErrorBody,
    FrameworkNode,
    Meta,
    Rankings,
    WhatIfColumns,
    WhatIfRequest,
    WhatIfResponse,
)
from mfgindex.web.state import REGION_EN, AppState, _num, version

ERRORS: dict[int | str, dict[str, Any]] = {
    404: {"model": ErrorBody, "description": "not found"},
    422: {"model": ErrorBody, "description": "invalid input"},
}
MAP_CAPTION = {"zh": "示意图，非标准地图", "en": "Schematic map, not a standard map"}
HISTORY_NOTE = "each year is normalised on its own: ranks are comparable over years, scores less so"
GEO_FILES = ("prefectures", "provinces", "nine_dash", "province_borders")


WHATIF_CACHE = 512  # encoded what-if responses kept (slider positions repeat: reset, ×2, the same steps)


def json_response(data: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    """orjson-encoded JSON (≈ 10× faster than ``json.dumps``; NaN → null, which ``_num`` already ensures)."""
    return Response(whatif.dumps(data), status_code=status, media_type="application/json", headers=headers)


class Service:
    """Request handlers' view of the app state, with the per-year caches that keep requests cheap."""

    def __init__(self, state: AppState) -> None:
        self.state = state
        self.engines = {y: whatif.Engine(r) for y, r in state.results.items()}
        self.prefixes = {
            y: {c: whatif.row_prefix(state.row_index(y).get(c, {"code": c})) for c in e.codes}
            for y, e in self.engines.items()
        }
        self.dim_ids = [d.id for d in state.dimensions]
        self.root_children = [c.id for c in state.framework.root.children]
        # encoded responses that do not depend on the request body: unfiltered rankings per year, profiles
        self.cache: dict[Any, bytes] = {}
        # encoded what-if responses by canonical request (LRU)
        self.whatif_cache: OrderedDict[str, bytes] = OrderedDict()

    def remember(self, key: Any, body: bytes, limit: int = 2048) -> None:
        if len(self.cache) < limit:
            self.cache[key] = body

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

    def run_whatif(self, body: WhatIfRequest) -> tuple[int, whatif.WhatIf]:
        year = self.year(body.year)
        outcome = whatif.whatif(
            self.engines[year], dict(body.weights), body.stages, body.normalise, body.range, body.aggregate
        )
        check_outcome(outcome, self.engines[year].root)
        return year, outcome

    def whatif_answer(self, body: WhatIfRequest) -> bytes:
        """The encoded what-if response (from the LRU cache of responses when the request repeats)."""
        key = body.model_dump_json()
        cached = self.whatif_cache.get(key)
        if cached is not None:
            self.whatif_cache.move_to_end(key)
            return cached
        encoded = self.whatif_body(body)
        self.whatif_cache[key] = encoded
        if len(self.whatif_cache) > WHATIF_CACHE:
            self.whatif_cache.popitem(last=False)
        return encoded

    def whatif_body(self, body: WhatIfRequest) -> bytes:
        st = self.state
        engine = self.engines[self.year(body.year)]
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
            known = set(whatif.column_fields(engine, self.dim_ids)) | set(engine.children)
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
        year, outcome = self.run_whatif(body)
        local = outcome.local[st.root_id]
        moved = outcome.nominal_rank - outcome.rank
        ok = ~np.isnan(moved)
        head: dict[str, Any] = {
            "year": year,
            "index_id": st.root_id,
            "weights": {k: round(float(w), 12) for k, w in zip(self.root_children, local, strict=True)},
            "stages": body.stages,
            "changed": int((moved[ok] != 0).sum()),
            "max_abs_change": int(np.abs(moved[ok]).max()) if ok.any() else 0,
            "rank_correlation": whatif.spearman(outcome.rank, outcome.nominal_rank),
        }
        if body.format == "columns":
            if body.fields is None:
                fields = whatif.column_fields(engine, self.dim_ids)
            if body.top is None:
                codes = engine.codes_json
                cols = whatif.columns_json(outcome, engine, fields)
            else:  # keep the first N by new rank, still in code order
                keep = np.nan_to_num(outcome.rank, nan=np.inf) <= body.top
                codes = whatif.dumps([c for c, k in zip(engine.codes, keep.tolist(), strict=True) if k])
                cols = whatif.columns_json(outcome, engine, fields, keep)
            return whatif.dumps(head)[:-1] + b',"codes":' + codes + b',"columns":' + cols + b"}"
        rows = whatif.rows_json(outcome, engine, self.prefixes[year], self.dim_ids, body.top)
        return whatif.dumps(head)[:-1] + b',"rows":' + rows + b"}"


WHATIF_PATH = "/api/whatif"
JSON = b"application/json"


class WhatIfFast:
    """ASGI middleware: a well-formed ``POST /api/whatif`` answered without FastAPI's routing, dependency
    solving and stdlib JSON parsing (a third of the request's cost once the computation is lean).

    The body is read (within the app's body limit: the guard's ``receive`` stops it), parsed and validated
    by pydantic in one step (``WhatIfRequest.model_validate_json``) and answered by
    :meth:`Service.whatif_answer` — what the route does. Anything else (another content type, a body that
    does not validate, a request the service refuses) is handed to the app with the body replayed, so every
    error comes from the route and its handlers, word for word.
    """

    def __init__(self, app: Any, service: Service) -> None:
        self.app = app
        self.service = service

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http" or scope["path"] != WHATIF_PATH or scope["method"] != "POST":
            await self.app(scope, receive, send)
            return
        if next((v for k, v in scope["headers"] if k == b"content-type"), None) != JSON:
            await self.app(scope, receive, send)
            return
        messages = []
        body = b""
        while True:
            message = await receive()
            messages.append(message)
            if message["type"] != "http.request":
                break
            body += message.get("body", b"")
            if not message.get("more_body", False):
                break
        try:
            request = WhatIfRequest.model_validate_json(body)
            answer = self.service.whatif_answer(request)
        except (ValidationError, UserError):
            pending = iter(messages)

            async def replay() -> Any:
                return next(pending, None) or await receive()

            await self.app(scope, replay, send)
            return
        headers = [(b"content-length", str(len(answer)).encode()), (b"content-type", JSON)]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": answer})


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


def run_hash(st: AppState, year: int) -> str:
    """SHA-256 (first 16 hex digits) of what determines the ranking of ``year``: the run options, the
    framework with its method choices and weights, and the SHA-256 of every input file."""
    res = st.results[year]
    doc = {
        "config": st.config,
        "framework": st.framework.model_dump(mode="json"),
        "inputs": res.provenance.get("inputs", {}),
        "year": year,
        "previous_year": res.provenance.get("previous_year"),
        "seed": res.provenance.get("seed"),
    }
    return hashlib.sha256(json.dumps(doc, sort_keys=True, default=str).encode()).hexdigest()[:16]


def export_notes(
    st: AppState,
    year: int,
    lang: str,
    weights: dict[str, float] | None,
    stages: bool,
    filters: tuple[Any, ...],
) -> list[tuple[str, str]]:
    """Rows of the export's 说明 sheet: year, framework, weights, filters, sources, run hash."""
    zh = lang == "zh"
    fw = st.framework
    res = st.results[year]
    dims = {d.id: (d.name_zh if zh else d.name_en) for d in st.dimensions}
    nominal = {d.id: d.weight for d in st.dimensions}
    shown = weights or nominal
    sep = "；" if zh else "; "
    w_text = sep.join(f"{dims.get(k, k)} {100 * v:.1f}%" for k, v in shown.items())
    if weights:
        w_text = ("权重模拟（用户设定，归一化后）：" if zh else "What-if (user weights, rescaled): ") + w_text
        w_text += (
            sep + ("保留分阶段权重" if zh else "stage weights kept")
            if stages
            else sep + ("不分阶段" if zh else "no stage weights")
        )
    else:
        w_text = ("名义权重：" if zh else "Nominal weights: ") + w_text
        if fw.stages is not None:
            w_text += sep + (
                "按发展阶段调整（见“方法与数据”页）" if zh else "adjusted by stage (see Method & data)"
            )
    names = (
        ("地区", "省份", "城市群", "前N名", "搜索")
        if zh
        else ("region", "province", "cluster", "top", "search")
    )
    f_text = sep.join(f"{n}={v}" for n, v in zip(names, filters, strict=True) if v) or (
        "无" if zh else "none"
    )
    inputs = res.provenance.get("inputs", {})
    sources = sep.join(dict.fromkeys(source_label(k, lang) for k in sorted(inputs)))
    files = sep.join(f"{k} (sha256 {v[:12]})" for k, v in sorted(inputs.items()))
    framework = f"{(fw.name_zh if zh else fw.name_en) or fw.id}（{fw.id} {fw.version or ''}）".replace(
        " ）", "）"
    )
    rows = [
        ("年份" if zh else "Year", str(year)),
        ("上年（比较）" if zh else "Previous year", str(res.provenance.get("previous_year") or "")),
        (
            "指标体系" if zh else "Framework",
            framework if zh else framework.replace("（", " (").replace("）", ")"),
        ),
        ("权重" if zh else "Weights", w_text),
        ("筛选" if zh else "Filters", f_text),
        ("参评城市" if zh else "Units ranked", str(st.ranked_count(year))),
        ("数据来源" if zh else "Sources", sources),
        ("输入文件" if zh else "Input files", files),
        ("运行指纹" if zh else "Run hash", run_hash(st, year)),
        ("软件版本" if zh else "Version", f"mfgindex {version()}"),
    ]
    return rows


def check_outcome(outcome: whatif.WhatIf, root: str) -> None:
    """Refuse (422, with the reason) a what-if whose scores are not finite numbers or cannot tell any two
    cities apart: the answer must be valid JSON and a ranking (no bare ``inf``, not all rank 1). Only the
    recomputed aggregates can have changed: the others are the nominal run's finite scores."""
    for node, values in outcome.scores.items():
        if node not in outcome.fresh:
            continue
        arr = np.asarray(values, dtype=float)
        if np.isinf(arr).any():
            raise UserError(
                Problem(
                    f"这些设置使得分无穷大 (infinite scores, {node})：计算溢出 (the computation overflows)",
                    column="range",
                    expected="a normalisation range and weights of ordinary size",
                )
            )
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


def parse_weights(text: str | None) -> dict[str, float]:
    """``innovation:0.3,scale:0.1`` → dict (the export link's form of what-if weights)."""
    out: dict[str, float] = {}
    if not text:
        return out
    for part in text.split(","):
        key, sep, value = part.partition(":")
        try:
            v = float(value)
        except ValueError:
            v = math.nan
        if not sep or not math.isfinite(v):
            raise UserError(
                Problem(
                    "权重格式应为 id:数值,id:数值 (weights must look like id:number,id:number)",
                    column="weights",
                    value=part[:40],
                )
            )
        out[key.strip()] = v
    return out


@cache
def geo_bytes(kind: str) -> bytes:
    """A boundary file as served; ``province_borders`` is derived (see :func:`province_borders`)."""
    if kind == "province_borders":
        return json.dumps(province_borders(), separators=(",", ":")).encode()
    return Path(geo.geojson_path(kind)).read_bytes()


@cache
def geo_gzip(kind: str) -> bytes:
    return gzip.compress(geo_bytes(kind), compresslevel=9, mtime=0)


def province_borders(digits: int = 2) -> dict[str, Any]:
    """Province outlines as lines only (what the map draws over the prefectures), coordinates rounded to
    ``digits`` decimals (0.01° ≈ 1 km, below a pixel at the dashboard's zoom) with repeated points dropped:
    a quarter of the polygons file's compressed size, and nothing to hover or click."""
    data = json.loads(Path(geo.geojson_path("provinces")).read_text(encoding="utf-8"))
    features = []
    for f in data["features"]:
        g = f["geometry"]
        polygons = [g["coordinates"]] if g["type"] == "Polygon" else g["coordinates"]
        lines = []
        for ring in (ring for poly in polygons for ring in poly):
            line: list[list[float]] = []
            for x, y in ring:
                point = [round(x, digits), round(y, digits)]
                if not line or point != line[-1]:
                    line.append(point)
            if len(line) > 2:
                lines.append(line)
        features.append(
            {
                "type": "Feature",
                "properties": {"adcode": f["properties"]["adcode"], "name": f["properties"]["name"]},
                "geometry": {"type": "MultiLineString", "coordinates": lines},
            }
        )
    return {"type": "FeatureCollection", "features": features}


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

    @api.get("/cities/{code}", summary="A city's profile")
    async def city(code: str, year: int | None = None) -> Response:
        y = service.year(year)
        key = ("city", code, y)
        if key in service.cache:
            return Response(service.cache[key], media_type="application/json")
        try:
            response = json_response(profile.build(st, code, y))
            service.remember(key, bytes(response.body))
            return response
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
        key = ("panel", code)
        if key in service.cache:
            return Response(service.cache[key], media_type="application/json")
        if not any(code in st.row_index(y) for y in st.years):
            raise HTTPException(404, unknown_city(code))
        row = st.panel_index.reindex([code]).iloc[0]
        body = {
            "code": code,
            "years": [int(y) for y in row.index],
            "index": [None if pd.isna(v) else round(float(v), 4) for v in row.to_numpy()],
            "label_zh": "面板归一化指数",
            "label_en": "panel-normalised index",
        }
        response = json_response(body)
        service.remember(key, bytes(response.body))
        return response

    @api.post(
        "/whatif",
        response_model=WhatIfResponse | WhatIfColumns,
        summary="Ranking with changed weights",
    )
    async def whatif_post(body: WhatIfRequest) -> Response:
        return Response(service.whatif_answer(body), media_type="application/json")

    @api.get("/summary", summary="梯队 and the top N by region, province and 城市群 (the report's analysis)")
    async def summary(year: int | None = None) -> Response:
        y = service.year(year)
        key = ("summary", y)
        if key in service.cache:
            return Response(service.cache[key], media_type="application/json")
        response = json_response(summary_body(st, y))
        service.remember(key, bytes(response.body))
        return response

    @api.get("/framework", response_model=FrameworkNode, summary="The indicator tree with nominal weights")
    async def framework_tree() -> Response:
        if "framework" in service.cache:
            return Response(service.cache["framework"], media_type="application/json")
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
        response = json_response(tree)
        service.remember("framework", bytes(response.body))
        return response

    @api.get("/meta", response_model=Meta, summary="Years, coverage, version, data sources")
    async def meta() -> Response:
        if "meta" in service.cache:
            return Response(service.cache["meta"], media_type="application/json")
        res = st.results[st.main_year]
        fw = st.framework
        n_ind = len(fw.indicators())
        sources = [
            {"file": k, "sha256": v, "label_zh": source_label(k, "zh"), "label_en": source_label(k, "en")}
            for k, v in sorted(res.provenance.get("inputs", {}).items())
        ]
        provinces = sorted({r["province"] for r in st.rows(st.main_year) if r.get("province")})
        response = json_response(
            {
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
                    {"id": k, "name_zh": v["name_zh"], "name_en": v["name_en"]}
                    for k, v in st.clusters.items()
                ],
                "map": st.dataset.kind == "cities",
                "map_caption": MAP_CAPTION,
                "unranked": service.unranked(),
                "history_note": HISTORY_NOTE,
            }
        )
        service.remember("meta", bytes(response.body))
        return response

    @api.get(
        "/export",
        summary="The (filtered, optionally re-weighted) table as CSV or XLSX",
        responses={
            200: {
                "content": {
                    "text/csv": {},
                    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {},
                }
            }
        },
    )
    def export_table(
        format: Literal["csv", "xlsx"] = "csv",
        year: int | None = None,
        region: Annotated[str | None, Query(max_length=20)] = None,
        province: Annotated[str | None, Query(max_length=20)] = None,
        cluster: Annotated[str | None, Query(max_length=40)] = None,
        top: Annotated[int | None, Query(ge=1, le=100_000)] = None,
        q: Annotated[str | None, Query(max_length=40)] = None,
        weights: Annotated[str | None, Query(max_length=2000, description="what-if: id:w,id:w")] = None,
        stages: bool = True,
        lang: Literal["zh", "en"] = "zh",
    ) -> Response:
        y = service.year(year)
        parsed = parse_weights(weights)
        labels = {r["code"]: r for r in st.rows(y)}
        if parsed:
            try:
                body = WhatIfRequest.model_validate({"weights": parsed, "year": y, "stages": stages})
            except ValidationError as exc:
                raise RequestValidationError(exc.errors()) from None
            _, outcome = service.run_whatif(body)
            rows = json.loads(
                whatif.rows_json(outcome, service.engines[y], service.prefixes[y], service.dim_ids)
            )
        else:
            rows = st.rows(y)
        keep = {r["code"] for r in service.filter_rows(list(labels.values()), region, province, cluster, q)}
        rows = [r for r in rows if r["code"] in keep and (top is None or (r["rank"] or 1e9) <= top)]
        rows = [{k: (round(v, 4) if isinstance(v, float) else v) for k, v in r.items()} for r in rows]
        ids = [st.root_id, *service.dim_ids]
        names = {st.root_id: (st.framework.root.name_zh or "指数", st.framework.root.name_en or "Index")}
        names.update({d.id: (d.name_zh, d.name_en) for d in st.dimensions})
        score_cols = [(i, names[i][1 if lang == "en" else 0]) for i in ids]
        if not parsed:
            score_cols = [
                c
                for i, label in score_cols
                for c in ((i, label), (f"{i}_rank", label + (" rank" if lang == "en" else "排名")))
            ]
        cols = export.columns(rows, score_cols, lang, whatif=bool(parsed))
        stem = f"mfgindex-{y}{'-whatif' if parsed else ''}"
        if format == "xlsx":
            weights_used = whatif_weights(parsed) if parsed else None
            notes = export_notes(st, y, lang, weights_used, stages, (region, province, cluster, top, q))
            data = export.to_xlsx(rows, cols, f"{y}", notes, lang)
            media = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        else:
            data = export.to_csv(rows, cols)
            media = "text/csv; charset=utf-8"
        return Response(
            data, media_type=media, headers={"Content-Disposition": f'attachment; filename="{stem}.{format}"'}
        )

    def whatif_weights(parsed: dict[str, float]) -> dict[str, float]:
        total = sum(v for v in parsed.values() if v > 0) or 1.0
        return {k: max(v, 0.0) / total for k, v in parsed.items()}

    @api.get(
        "/geo/{kind}",
        summary="Shipped boundaries (GeoJSON): prefectures, provinces, nine_dash, province_borders (lines)",
        response_class=Response,
    )
    async def geojson(kind: str, request: Request) -> Response:
        if kind not in GEO_FILES or st.dataset.kind != "cities":
            raise HTTPException(
                404, f"没有边界文件 {kind[:20]!r} (no boundary file; expected one of {', '.join(GEO_FILES)})"
            )
        headers = {"Cache-Control": "public, max-age=86400", "Vary": "Accept-Encoding"}
        if "gzip" in request.headers.get("accept-encoding", ""):  # compressed once, not per request
            headers["Content-Encoding"] = "gzip"
            return Response(geo_gzip(kind), media_type="application/geo+json", headers=headers)
        return Response(geo_bytes(kind), media_type="application/geo+json", headers=headers)

    return api
