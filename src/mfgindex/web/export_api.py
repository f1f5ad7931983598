"""``GET /api/export``: the ranking table (filtered, optionally re-weighted) as CSV or XLSX, the XLSX with a
说明 sheet (year, framework, weights, filters, sources, run hash)."""

from __future__ import annotations

import math
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response
from pydantic import ValidationError

from mfgindex.core.errors import Problem, UserError
from mfgindex.web import export, whatif
from mfgindex.web.labels import source_label
from mfgindex.web.models import WhatIfRequest
from mfgindex.web.service import ERRORS, Service
from mfgindex.web.state import AppState, version
from mfgindex.web.whatif_api import WhatIfAnswers


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
        ("运行指纹" if zh else "Run hash", st.results[year].run_hash()),
        ("软件版本" if zh else "Version", f"mfgindex {version()}"),
    ]
    return rows


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


def whatif_weights(parsed: dict[str, float]) -> dict[str, float]:
    total = sum(v for v in parsed.values() if v > 0) or 1.0
    return {k: max(v, 0.0) / total for k, v in parsed.items()}


def router(service: Service, answers: WhatIfAnswers) -> APIRouter:
    api = APIRouter(prefix="/api", responses=ERRORS)
    st = service.state

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
            _, outcome = answers.run(body)
            rows = whatif.rows(outcome, answers.engines[y], answers.prefixes[y], service.dim_ids)
        else:
            rows = st.rows(y)
        keep = {r["code"] for r in service.filter_rows(list(labels.values()), region, province, cluster, q)}
        rows = [r for r in rows if r["code"] in keep and (top is None or (r["rank"] or 1e9) <= top)]
        # the one rounding of an export, once, from the unrounded scores (what-if and nominal alike)
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

    return api
