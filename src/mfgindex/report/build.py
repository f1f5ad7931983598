"""The report: analyses + figures + Jinja2 templates → ``report.html`` (self-contained) and ``report.pdf``.

:func:`write_report` renders an evaluation (:class:`~mfgindex.core.result.Result`) in Chinese (``zh``)
or English (``en``). The HTML carries its CSS inline and its figures as base64 PNG, so it opens offline;
the PDF is the same HTML printed by WeasyPrint in the CJK font shipped with the package
(:mod:`mfgindex.core.fonts`; where WeasyPrint's system libraries are missing, everything but the PDF is
written and :attr:`ReportFiles.note` says so). Figures are also written as PNG and SVG
into ``figures/``, and the analysis as ``analysis.json``.
"""

from __future__ import annotations

import base64
import io
import json
import logging
import re
import time
import warnings
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
from jinja2 import Environment, FileSystemLoader, StrictUndefined
from matplotlib.figure import Figure

from mfgindex import __version__
from mfgindex.analysis import narrative
from mfgindex.analysis.run import EMBEDDED, RunData, from_result
from mfgindex.analysis.runmode import RunAnalysis, analyze_run
from mfgindex.core import fonts
from mfgindex.core.errors import Problem, UserError
from mfgindex.core.framework import Indicator
from mfgindex.core.result import Result
from mfgindex.report import figures as F
from mfgindex.report import map_figure, numbering, prose, run_figures, sources, terms
from mfgindex.report import robustness as RB
from mfgindex.report.robustness import Robustness
from mfgindex.report.table_cells import REGION_EN, ReportTable, fmt_num, fmt_pct, province_label, region_label
from mfgindex.report.tables import dim_names, ranking_rows, report_tables, status_table

LANGS: tuple[str, ...] = ("zh", "en")
TEMPLATES = Path(__file__).parent / "templates"
SOURCE = {"zh": "本报告根据附录所列公开数据测算", "en": "computed by mfgindex from public data"}

LABELS: dict[str, dict[str, str]] = {
    "zh": {
        "html_lang": "zh-CN",
        "title": "城市制造业高质量发展评价报告",
        "toc": "目录",
        "preface": "前言",
        "note": "注：",
        "source": "来源：",
        "files": "数据文件：",
        "province": "省份",
        "city": "地市",
        "index_name": "高质量发展指数",
        "rank": "全国排名",
        "prov_rank": "地区排名",
        "change": "排名变化",
        "proxies_title": "代理指标清单",
        "agreement_title": "与已发布榜单的差距及原因",
        "data_checks_title": "数据更正与校核",
        "fig_ranking": "{n}强城市指数得分（按区域着色）",
        "fig1": "四大区域{n}强城市排名分布",
        "fig2": "{n}强城市城市群分布图（示意图）",
        "fig3": "{n}强城市省份分布",
        "fig4": "各省入围城市两年位次对比",
        "fig5": "{n}强城市第二产业增加值规模分布（代理工业增加值）",
        "fig6": "{n}强城市第二产业增加值增速分布（名义）",
        "fig7": "{n}强城市第二产业增加值占GDP比重分布",
        "fig_sub": "分项指数得分分布",
        "fig_radar": "前10名城市分项指数雷达图",
        "fig_ua": "{n}强城市排名的5%–95%区间（蒙特卡洛模拟）",
        "fig_sobol": "各项假设的Sobol敏感性指数",
        "t_audit": "各维度的一致性与有效权重（统计审计）",
        "t_counts": "计数类指标对前{n}名的影响（去掉该指标后的位次变动）",
        "t_ua": "{n}强城市排名的不确定性（中位排名与5%–95%区间）",
        "policy_en_note": "",
    },
    "en": {
        "html_lang": "en",
        "title": "Manufacturing High-Quality Development of Chinese Cities",
        "toc": "Contents",
        "preface": "Summary",
        "note": "Note: ",
        "source": "Source: ",
        "files": "Data files: ",
        "province": "Province",
        "city": "City",
        "index_name": "HQD index",
        "rank": "Rank",
        "prov_rank": "In province",
        "change": "Change",
        "proxies_title": "Proxy indicators",
        "agreement_title": "Distance from the published list, and why",
        "data_checks_title": "Data corrections and checks",
        "fig_ranking": "Index scores of the top {n}, coloured by region",
        "fig1": "Top {n} by region and rank band",
        "fig2": "Top {n} by city cluster (schematic map)",
        "fig3": "Top {n} by province",
        "fig4": "Rank changes by province",
        "fig5": "Value added of the top {n} (secondary sector, proxy)",
        "fig6": "Growth of value added, top {n} (nominal)",
        "fig7": "Value added as a share of GDP, top {n}",
        "fig_sub": "Distribution of the sub-index scores",
        "fig_radar": "Sub-index profiles of the top 10",
        "fig_ua": "5-95% rank intervals of the top {n} (Monte Carlo)",
        "fig_sobol": "Sobol sensitivity indices of the assumptions",
        "t_audit": "Coherence and effective weights of each dimension (statistical audit)",
        "t_counts": "Effect of each count indicator on the top {n} (rank shift when it is dropped)",
        "t_ua": "Rank uncertainty of the top {n} (median rank and 5-95% interval)",
        "policy_en_note": "The policy excerpts, case studies and the sentences of this section come from "
        "Chinese sources and are kept in Chinese.",
    },
}
SECTIONS: dict[str, list[tuple[str, str]]] = {
    "zh": [
        ("status", "发展现状：参评城市制造业的规模、结构与区域格局"),
        ("method", "评价方法与数据"),
        ("results", "评估结果：制造业高质量发展{n}强城市"),
        ("regions", "区域、城市群与省份分布"),
        ("capitals", "领先城市与省会城市"),
        ("scale", "规模速度与发展质效"),
        ("leaders", "各分项指数领先城市"),
        ("enterprise", "企业与平台"),
        ("risers", "进步最快城市与发展潜力城市"),
        ("gaps", "区域差距"),
        ("profiles", "城市画像：优势与短板"),
        ("policy", "政策举措、产业同质化与国际比较"),
        ("robustness", "稳健性检验"),
        ("outlook", "发展展望：补短板、缩差距、破障碍"),
        ("notes", "附：数据与计算说明"),
    ],
    "en": [
        ("status", "Where the cities stand: scale, structure and regions"),
        ("method", "Method and data"),
        ("results", "Results: the top {n} cities"),
        ("regions", "Regions, city clusters and provinces"),
        ("capitals", "Leading cities and provincial capitals"),
        ("scale", "Scale, growth, quality and efficiency"),
        ("leaders", "Leaders of each sub-index"),
        ("enterprise", "Enterprises and platforms"),
        ("risers", "Fastest risers and cities with potential"),
        ("gaps", "Regional gaps"),
        ("profiles", "City profiles: strengths and weaknesses"),
        ("policy", "Policies, industrial homogeneity and international comparison"),
        ("robustness", "Robustness checks"),
        ("outlook", "Outlook"),
        ("notes", "Appendix: data and computation notes"),
    ],
}


# Sections shown indented in the table of contents (the h3 headings of the results).
SUBSECTIONS = frozenset(
    {"regions", "capitals", "scale", "leaders", "enterprise", "risers", "gaps", "profiles"}
)

# English headings of the policy section (its tables and sentences quote Chinese sources).
POLICY_EN: dict[str, str] = {
    "h_policies": "4.1 Policies and cases of leading cities",
    "h_homogeneity": "4.2 Homogeneity of local industries",
    "h_benchmarks": "4.3 Innovation compared internationally",
}


@dataclass(frozen=True)
class ReportFiles:
    """What :func:`write_report` wrote, and how long it took."""

    html: Path
    pdf: Path | None
    analysis: Path
    figures: tuple[Path, ...]
    seconds: float
    note: str | None = None  # one line when the PDF was asked for but could not be printed here


def check_lang(lang: str) -> str:
    """``lang`` if supported, else a :class:`UserError` naming the choices."""
    if lang not in LANGS:
        raise UserError(
            Problem(
                "不支持的报告语言 (unsupported report language)",
                column="--lang",
                value=lang,
                expected=" / ".join(LANGS),
            )
        )
    return lang


# ------------------------------------------------------------------------------------------- figures


def _png(fig: Figure) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=150, metadata={"Software": None})
    return buf.getvalue()


def _caption_only(fig: Figure) -> Figure:
    """The report names each figure once, in its numbered caption under it: the title drawn in the image
    (the figure's suptitle, or the one titled axes) goes. Panel titles of multi-panel figures (two
    titled axes, or the radar's city names under a suptitle) stay."""
    if fig.get_suptitle():
        fig.suptitle("")
        return fig
    titled = [ax for ax in fig.axes if ax.get_title()]
    if len(titled) == 1:
        titled[0].set_title("")
    return fig


def make_figures(
    run: RunData, a: RunAnalysis, lang: str, robust: Robustness | None = None
) -> dict[str, Figure]:
    """The report's figures by key (only those the run's data support)."""
    src = ""  # the caption under each figure names the source once
    t = run.table
    n = a.top_n
    out: dict[str, Figure] = {}
    labels = dim_names(run, lang)
    dims = [c.id for c in run.framework.root.children if c.id in t.columns]
    title = "Top {n}: index scores" if lang == "en" else "{n}强城市指数得分"
    out["ranking"] = F.ranking_bar(t, n, value=run.index_id, title=title.format(n=n), source=src, lang=lang)
    if run.is_cities:
        out["regions"] = F.region_distribution_chart(t, n, source=src, lang=lang)
        out["map"] = map_figure.cluster_map(t, n, source=src, lang=lang)
        out["provinces"] = F.province_distribution_chart(t, n, source=src, lang=lang)
        if "change" in t.columns:
            out["rank_change"] = F.rank_change_chart(t, n, source=src, lang=lang)
    ctx = a.context
    g = a.aggregates
    if run.is_cities and g is not None and ctx["va"].notna().any():
        label = g.va_label if lang == "zh" else "secondary-sector VA"
        out["va"] = run_figures.va_distribution_chart(t, ctx, n, a.year, a.previous_year, label, lang, src)
        if ctx["growth"].notna().any():
            out["growth"] = run_figures.growth_distribution_chart(
                t, ctx, n, a.year, g.growth_national, label, lang, src
            )
        if ctx["share"].notna().any():
            out["share"] = run_figures.va_share_chart(
                t, ctx, n, a.year, g.national_va_share_of_gdp, label, lang, src
            )
    if dims:
        out["subindex"] = run_figures.subindex_distribution_chart(t, dims, labels, n, lang, src)
    if len(dims) >= 3:
        out["radar"] = run_figures.radar_grid(t, list(t.index[:10]), dims, labels, 3, lang, src)
    if robust is not None and robust.uncertainty is not None:
        ua = robust.uncertainty
        out["rank_intervals"] = F.rank_interval_chart(ua.stats, n, ua.n or 0, lang, src)
    if robust is not None and robust.sobol is not None:
        names = RB.FACTOR_EN if lang == "en" else RB.FACTOR_ZH
        out["sobol"] = F.sobol_chart(robust.sobol, names, lang, src)
    return {key: _caption_only(fig) for key, fig in out.items()}


# ------------------------------------------------------------------------------------------- context


def _t3pairs(run: RunData, n: int, lang: str) -> list[tuple[dict[str, Any] | None, dict[str, Any] | None]]:
    rows = ranking_rows(run, n, lang)
    cls = {"up": "up", "down": "down", "new": "new", "same": ""}
    change = run.table["change"] if "change" in run.table.columns else pd.Series("", index=run.table.index)
    recs = [
        {
            "province": r.iloc[0],
            "city": r.iloc[1],
            "rank": r.iloc[2],
            "prov_rank": r.iloc[3],
            "change": r.iloc[4],
            "change_class": cls.get(str(change.get(code, "")), ""),
        }
        for code, r in rows.iterrows()
    ]
    half = (len(recs) + 1) // 2
    left, right = recs[:half], recs[half:]
    return [(left[i], right[i] if i < len(right) else None) for i in range(half)]


def _override_text(ind: Indicator, lang: str) -> str:
    """One indicator's own treatment and normalisation, in words."""
    zh = lang != "en"
    parts = []
    if ind.treat is not None:
        t = ind.treat
        parts.append(
            {"none": "不做异常值处理", "log": "取对数", "winsorise": "缩尾"}[t.method]
            if zh
            else {"none": "no outlier treatment", "log": "log transform", "winsorise": "winsorised"}[t.method]
        )
    if ind.normalise is not None:
        n = ind.normalise
        if n.goalposts is not None:
            lo, hi = n.goalposts
            parts.append(
                f"固定目标值{lo:g}—{hi:g}{ind.unit}，达到{hi:g}{ind.unit}及以上记满分"
                if zh
                else f"fixed goalposts {lo:g}-{hi:g} {ind.unit} (capped at {hi:g})"
            )
        elif n.method is not None:
            parts.append(
                "标准化：" + terms.method_zh(n.method.value) if zh else "normalised by " + n.method.value
            )
    return ("，" if zh else ", ").join(parts)


def _extras(run: RunData, a: RunAnalysis, lang: str) -> dict[str, Any]:
    """Derived lists the sentences need (kept out of the templates so that they stay readable)."""
    from mfgindex.analysis.distribution import CityRef

    fw = run.framework
    t = run.table
    x: dict[str, Any] = {
        "R": lambda r: region_label(str(r), lang),
        "P": lambda p: province_label(str(p), lang),
        "dims": dim_names(run, lang),
        "leader": {ld.id: ld for ld in a.leaders},
        "top10": [CityRef(str(c), str(r["name"]), int(r["rank"])) for c, r in t.head(10).iterrows()],
    }

    def node_name(node_id: str) -> str:
        try:
            node = fw.find(node_id)
        except (KeyError, ValueError):
            return node_id
        return str((node.name_en if lang == "en" else node.name_zh) or node_id)

    x["node"] = node_name
    x["describe_assumptions"] = lambda assumptions: RB.describe_assumptions(tuple(assumptions), lang)
    x["coinr_default"] = RB.is_coinr_default
    x["factor"] = lambda f: (RB.FACTOR_EN if lang == "en" else RB.FACTOR_ZH).get(str(f), str(f))
    m = fw.methods
    zh = lang == "zh"
    x["normalise"] = terms.method_zh(m.normalise.value) if zh else m.normalise.value
    x["aggregate"] = terms.method_zh(m.aggregate.value) if zh else m.aggregate.value
    x["impute"] = terms.method_zh(m.impute.value) if zh else m.impute.value
    stage_var = fw.stages.variable if fw.stages else ""
    aux = {i.id: i for i in fw.auxiliary}
    x["stage_variable"] = (
        (aux[stage_var].name_zh if lang == "zh" else aux[stage_var].name_en or stage_var)
        if stage_var in aux
        else stage_var
    )
    x["overrides"] = [
        {"name": (i.name_en if lang == "en" else i.name_zh) or i.id, "text": _override_text(i, lang)}
        for i in fw.indicators()
        if i.treat is not None or i.normalise is not None
    ]
    x["stages_zh"] = (
        prose.stages_zh(fw.stages, run.stage_counts, str(x["stage_variable"])) if fw.stages and zh else ""
    )
    cov = [(x["dims"].get(k, k), v) for k, v in run.coverage.items() if k in x["dims"]]
    x["lowest_cov"] = min(cov, key=lambda kv: kv[1]) if cov else ("—", float("nan"))
    data = run.config.get("data", EMBEDDED)
    x["data_desc"] = (
        ("mfgindex 内置公开数据" if lang == "zh" else "the public data shipped with mfgindex")
        if data in (EMBEDDED, None, [], ())
        else ", ".join(str(d) for d in (data if isinstance(data, list | tuple) else [data]))
    )
    x["config_items"] = _config_items(run, x["data_desc"], lang)
    used = [x["normalise"], x["aggregate"], x["impute"]] if zh else []
    x["glossary"] = [(name, terms.ENGLISH[name]) for name in dict.fromkeys(used) if name in terms.ENGLISH]
    x["data_sources"] = [
        (s.zh, "、".join(s.files)) for s in sources.families(i.source for i in fw.indicators() if i.source)
    ]
    x["region_va"] = {r.region: r.share_cur for r in a.region_va} if a.region_va else {}
    x["va_gap"] = next((g for g in a.gaps if g.previous is not None or g.variable == "va_secondary"), None)
    if a.ranking is not None:
        R = a.ranking
        listed = [r for r in R.regions if r.topN > 0]
        x["regions_listed"] = listed
        ordered = sorted(listed, key=lambda r: -r.topN)
        x["region_order"] = "-".join(r.region.replace("地区", "") for r in ordered)
        x["region_order_en"] = " > ".join(REGION_EN.get(r.region, r.region) for r in ordered)
        x["regions_zh"] = prose.regions_zh(R.regions, x["region_va"], a.top_n)
        x["major_clusters"] = [c for c in R.clusters.clusters if c.cluster in R.clusters.major]
        x["lead_provinces"] = list(R.provinces.provinces[:4])
        x["provinces_zh"] = prose.provinces_zh(x["lead_provinces"])
        new_codes = {r.code for r in R.changes.new_entries}
        x["new_by_province"] = [
            (p.province, [c for c in p.cities if c.code in new_codes])
            for p in R.provinces.provinces
            if any(c.code in new_codes for c in p.cities)
        ]
        x["all_improved"] = [p.province for p in R.provinces.provinces if p.all_improved]
        x["majority_improved"] = [
            p.province for p in R.provinces.provinces if p.majority_improved and not p.all_improved
        ]
        x["capitals_first"] = [e for e in R.capitals.capitals if e.first_in_province]
        top20 = t[t["rank"] <= 20]
        x["top20_non_east"] = [
            CityRef(str(c), str(r["name"]), int(r["rank"]))
            for c, r in top20.iterrows()
            if r["region"] != "东部"
        ]
        if "prev_rank" in t.columns and t["prev_rank"].notna().any():
            top10 = t[t["rank"] <= 10]
            x["top10_new"] = [
                CityRef(str(c), str(r["name"]), int(r["rank"]))
                for c, r in top10.iterrows()
                if not (pd.notna(r["prev_rank"]) and r["prev_rank"] <= 10)
            ]
        else:
            x["top10_new"] = []
    return x


# What each figure and table is computed from (element key → source strings of the catalogue).
_VA = ("city_stats/city_gdp_structure",)
_ELEMENT_DATA: dict[str, tuple[str, ...]] = {
    "va": _VA,
    "growth": _VA,
    "share": _VA,
    "capitals": _VA,
    "table11": _VA,
    "gaps": ("city_stats/city_gdp_structure", "city_stats/city_population"),
    "centres": ("national_lists",),
    "clusters": ("national_lists",),
    "table12": ("enterprise_lists/listed_companies", "enterprise_lists", "national_lists"),
    "homogeneity": ("enterprise_lists/listed_companies",),
}


def element_sources(keys: Mapping[str, Any], lang: str) -> dict[str, tuple[str, tuple[str, ...]]]:
    """The source line (text, data files for the footnote) of each figure and table key.

    Index-based elements are "computed by this report" from the data listed in the appendix; elements
    that show a data family directly cite its original publication and compiler (:mod:`.sources`)."""
    out: dict[str, tuple[str, tuple[str, ...]]] = {}
    for key in keys:
        data = _ELEMENT_DATA.get(key)
        if data is None and key.startswith("top_"):
            listed = "listed" in key or "star" in key
            data = ("enterprise_lists/listed_companies",) if listed else ("enterprise_lists",)
        if lang != "zh":
            out[key] = (SOURCE[lang], tuple(sources.files(data or ())))
        elif data is None:
            out[key] = ("本报告根据附录所列公开数据测算", ())
        else:
            out[key] = (sources.cite(data), tuple(sources.files(data)))
    return out


_ZH_NUMERALS = "一二三四五六七八九十"

# A count of zero is written as a word in Chinese prose (0个城市 → 没有城市); table cells hold bare numbers.
_ZERO = (
    (re.compile(r"(?<![\d.,])0个(城市|省份|区域)"), r"没有\1"),
    (re.compile(r"(?<![\d.,])0(个|家)"), "无"),
)


def zero_counts(html: str) -> str:
    """Rewrite "0个城市"/"0家" in the report's Chinese sentences as 没有城市/无."""
    for pattern, repl in _ZERO:
        html = pattern.sub(repl, html)
    return html


def numbered_sections(sections: Sequence[tuple[str, str]], lang: str) -> list[tuple[str, str]]:
    """Number the sections that are present: 一、二、… and （一）（二）… in Chinese, 1. and 1.1 in English;
    the appendix keeps its own label. Numbering after filtering means a left-out section leaves no gap."""
    out: list[tuple[str, str]] = []
    top = sub = 0
    for key, title in sections:
        if key == "notes":
            out.append((key, title))
        elif key in SUBSECTIONS:
            sub += 1
            out.append(
                (key, f"（{_ZH_NUMERALS[sub - 1]}）{title}" if lang == "zh" else f"{top}.{sub} {title}")
            )
        else:
            top += 1
            sub = 0
            label = f"{_ZH_NUMERALS[top - 1]}、" if lang == "zh" else f"{top}. "
            out.append((key, label + title))
    return out


def _config_items(run: RunData, data_desc: str, lang: str) -> list[tuple[str, str]]:
    """The run's settings as a reader reads them (the Chinese report prints no JSON)."""
    c = run.config
    fw = run.framework
    overrides = c.get("method_overrides") or {}
    if lang != "zh":
        return [
            ("data: ", data_desc),
            ("framework: ", fw.name_en or fw.id),
            ("year: ", str(run.year)),
            ("compared with: ", str(run.previous_year or "—")),
            ("seed: ", str(c.get("seed", 0))),
            ("method overrides: ", ", ".join(f"{k}={v}" for k, v in overrides.items()) or "none"),
        ]
    changed = "、".join(
        f"{_METHOD_FIELD_ZH.get(k, k)}为{terms.method_zh(str(v))}" for k, v in overrides.items()
    )
    return [
        ("数据：", data_desc),
        ("指标体系：", fw.name_zh or fw.id),
        ("评价年份：", f"{run.year}年"),
        ("比较年份：", f"{run.previous_year}年" if run.previous_year else "无"),
        ("随机种子：", str(c.get("seed", 0))),
        ("方法调整：", changed or "无（使用指标体系的默认方法）"),
    ]


_METHOD_FIELD_ZH = {
    "normalise": "标准化方法",
    "aggregate": "聚合方法",
    "impute": "缺失值处理",
    "treat": "异常值处理",
}


def _cellclass(v: Any) -> str:
    if isinstance(v, int | float) and not isinstance(v, bool):
        return "num"
    s = str(v)
    if len(s) <= 7 and not any(ch.isdigit() for ch in s):
        return "nw"
    if s in ("↑", "↓", "—", "新增", "new"):
        return "c"
    if (
        s
        and (s[0].isdigit() or s[0] in "−-")
        and s.replace(",", "").replace(".", "").replace("%", "").lstrip("−-").isdigit()
    ):
        return "num"
    return ""


_CJK_GAP = re.compile(r"(?<=[\u3000-\u9fff\uff00-\uffef])[ \t\r\n]+(?=[\u3000-\u9fff\uff00-\uffef])")


def _env(lang: str = "zh") -> Environment:
    env = Environment(
        loader=FileSystemLoader(str(TEMPLATES)),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=False,
        lstrip_blocks=False,
    )
    env.filters["pct"] = fmt_pct
    env.filters["num"] = fmt_num
    env.filters["cellclass"] = _cellclass
    env.filters["prov"] = lambda p: province_label(str(p), lang)
    return env


def render_html(
    run: RunData,
    a: RunAnalysis,
    lang: str,
    tables: Mapping[str, ReportTable],
    figs_b64: Mapping[str, str],
    robust: Robustness | None = None,
    policy: Mapping[str, Any] | None = None,
    toolbox: Mapping[str, Any] | None = None,  # 研究工具 section (None = left out)
    status: narrative.DevelopmentStatus | None = None,
    outlook: Sequence[narrative.Finding] = (),
) -> str:
    """The report as one self-contained HTML string.

    ``policy``: the context of ``policy_section.html`` (default :func:`policy_context`); ``robust``: the
    稳健性检验 section (left out when None).
    """
    n = a.top_n
    T = {k: v.format(n=n) for k, v in LABELS[lang].items()}
    sections = [(k, v.format(n=n)) for k, v in SECTIONS[lang]]
    if a.ranking is None:
        sections = [s for s in sections if s[0] not in ("regions", "capitals", "gaps")]
    elif not a.gaps:
        sections = [s for s in sections if s[0] != "gaps"]
    if robust is None:
        sections = [s for s in sections if s[0] != "robustness"]
    sections = numbered_sections(sections, lang)
    section_titles = dict(sections)
    pol = dict(policy) if policy is not None else policy_context(run, lang)
    pol["title"] = section_titles["policy"]
    pol["id"] = "policy"
    proxies = [i for i in run.framework.indicators() if i.proxy]
    html = (
        _env(lang)
        .get_template("report.html.j2")
        .render(
            lang=lang,
            a=a,
            run=run,
            x=_extras(run, a, lang),
            T=T,
            sections=sections,
            sections_map=dict(sections),
            subsections=SUBSECTIONS,
            srcs=element_sources({**tables, **figs_b64, "table3": None}, lang),
            tables=tables,
            t3pairs=_t3pairs(run, n, lang),
            figs=figs_b64,
            proxies=proxies,
            css=(TEMPLATES / "report.css").read_text(encoding="utf-8"),
            version=__version__,
            source=SOURCE[lang],
            toolbox=toolbox,
            policy=pol,
            R=robust,
            ref=numbering.ref,
            S=status,
            O=list(outlook),
        )
    )
    return numbering.number_html(html, lang)[0]


def benchmark_values(run: RunData, indicator: str = "pct_per_10k") -> pd.Series | None:
    """The run's raw values of the benchmark indicator (PCT applications per 10,000 people), if it has one."""
    if indicator not in run.raw.columns:
        return None
    v = run.raw[indicator].dropna().astype(float)
    return v if len(v) else None


def policy_context(run: RunData, lang: str = "zh") -> dict[str, Any]:
    """``policy_section.html``'s context for the report: the shipped policy sample, the homogeneity of listed
    manufacturers, the benchmark block with the run's ``pct_per_10k`` values when the framework has that
    indicator, headings in the report's language (captions are numbered with the rest of the report)."""
    from dataclasses import replace

    from mfgindex.policy import render

    ctx = render.context(benchmark_values=benchmark_values(run))
    hom = ctx.get("homogeneity")
    if hom and hom.get("table") is not None:
        ht = hom["table"]
        src = sources.cite(["enterprise_lists/listed_companies"]) if lang == "zh" else ht.source
        hom["table"] = replace(ht, caption=re.sub(r"^表\s*", "", ht.caption), source=src)
        hom["source"] = src
    if lang == "en":
        ctx.update(POLICY_EN)
        ctx["intro"] = f"{LABELS['en']['policy_en_note']} {ctx['intro']}"
    return ctx


class PdfUnavailable(Exception):
    """WeasyPrint or the system libraries it loads (pango, harfbuzz) are not there: no PDF can be printed."""


def pdf_engine_problem() -> str | None:
    """None when WeasyPrint can print here, else one line saying what is missing."""
    try:
        with warnings.catch_warnings():  # no system font at all is fine here: the PDF's font ships with us
            warnings.filterwarnings("ignore", message=r".*FontConfig.*Expect ugly output")
            import weasyprint  # noqa: F401  (loads pango/harfbuzz at import time)
    except (ImportError, OSError) as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        return (
            "未生成 report.pdf：WeasyPrint 无法加载所需系统库 pango/harfbuzz (PDF skipped: WeasyPrint cannot "
            f"load its libraries — {first[:120]}); 其余文件已写出 (all other files are written)"
        )
    return None


def pdf_font_css() -> str:
    """The CSS that makes the PDF use the shipped CJK font by file URL and nothing else."""
    return fonts.css_font_face() + f'\n* {{ font-family: "{fonts.FAMILY}" !important; }}\n'


_CAPTION = re.compile(r"(<table\b[^>]*>)\s*<caption>(.*?)</caption>", re.S)


def print_captions(html: str) -> str:
    """The HTML to print: every table's ``<caption>`` becomes a paragraph just before the table, which the
    print CSS keeps on the same page as the table's first rows (WeasyPrint may leave a caption alone at
    the foot of a page)."""
    return _CAPTION.sub(r'<p class="tcap">\2</p>\1', html)


_FOOTNOTE = re.compile(r'<span class="fn">(.*?)</span>', re.S)
_SAME_NOTE = {"数据文件：": "数据文件：同注{n}", "Data files: ": "Data files: as note {n}"}


def print_footnotes(html: str) -> str:
    """The printed footnotes with repeats shortened as Chinese reports do: a footnote identical to an earlier
    one becomes "数据文件：同注N", N being the first footnote with that text (the PDF numbers footnotes in
    document order, one per ``<span class="fn">``; the screen HTML keeps every file list in place)."""
    first: dict[str, int] = {}
    count = 0

    def shorten(m: re.Match[str]) -> str:
        nonlocal count
        count += 1
        text = m.group(1)
        if text not in first:
            first[text] = count
            return m.group(0)
        prefix = next((p for p in _SAME_NOTE if text.startswith(p)), "数据文件：")
        return f'<span class="fn">{_SAME_NOTE[prefix].format(n=first[text])}</span>'

    return _FOOTNOTE.sub(shorten, html)


def write_pdf(html: str, path: Path, base_url: Path) -> None:
    """Print the HTML with WeasyPrint in the shipped CJK font (quiet: CSS warnings go to the log).

    Raises :class:`PdfUnavailable` when WeasyPrint's system libraries are missing.
    """
    problem = pdf_engine_problem()
    if problem is not None:
        raise PdfUnavailable(problem)
    import weasyprint
    from weasyprint.text.fonts import FontConfiguration

    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    logging.getLogger("fontTools").setLevel(logging.ERROR)
    font_config = FontConfiguration()
    css = weasyprint.CSS(string=pdf_font_css(), font_config=font_config)
    weasyprint.HTML(string=print_footnotes(print_captions(html)), base_url=str(base_url)).write_pdf(
        str(path), stylesheets=[css], font_config=font_config
    )


def write_report(
    result: Result,
    out_dir: str | Path,
    lang: str = "zh",
    top: int | None = None,
    pdf: bool = True,
    svg: bool = False,
    progress: Callable[[str], None] | None = None,
    toolbox: tuple[str, ...] = (),  # 研究工具 section: methods of mfgindex.toolbox.report
    *,
    config: Mapping[str, Any] | None = None,
    source: str = "evaluated",
    robustness: bool = True,
    uncertainty_dir: str | Path | None = None,
    sensitivity_dir: str | Path | None = None,
    replications: int = RB.DEFAULT_N,
    seed: int = RB.DEFAULT_SEED,
) -> ReportFiles:
    """Analyse the evaluation ``result`` and write ``report.html``, ``report.pdf``, ``analysis.json`` and
    ``figures/``.

    Parameters
    ----------
    result
        The evaluation (``mfgindex.evaluate(spec)``, or ``mfgindex.rerun(folder)`` for a run folder); its
        data (``result.dataset``) give the non-indicator figures (value added, GDP, lists).
    out_dir
        Output folder (created).
    lang
        ``zh`` (default) or ``en``.
    top
        List length N (default: the framework's ``top_n``).
    pdf
        Also print the PDF.
    svg
        Also write every figure as SVG (slower; the report embeds PNG).
    progress
        Called with a short message before each step.
    config
        The run's settings as printed in the appendix (default: ``result.spec.record()``).
    source
        Where the run came from (named in errors), e.g. the run folder.
    robustness
        Include the 稳健性检验 section (audit + uncertainty analysis).
    uncertainty_dir
        Folder of ``mfgindex uncertainty`` (``uncertainty.csv``) used instead of computing one.
    sensitivity_dir
        Folder of ``mfgindex sensitivity`` (``sobol.csv``): adds the Sobol chart.
    replications, seed
        N and seed of the uncertainty analysis computed for the report (COINr's default assumptions).
    """
    check_lang(lang)
    run = from_result(result, config, source)
    if not run.is_cities:
        raise UserError(
            Problem(
                "报告针对城市评价：该运行的单位不是中国城市 (the report needs a run over Chinese cities)",
                file=run.source,
            )
        )
    t0 = time.perf_counter()
    say = progress or (lambda _m: None)
    out = Path(out_dir)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UserError(Problem(f"无法创建输出目录: {exc}", file=str(out))) from None
    say("analysis")
    a = analyze_run(run, n=top)
    tables = dict(report_tables(run, a, lang))
    tables.update(agreement_tables(run, result, lang))
    robust: Robustness | None = None
    if robustness:
        say("robustness")
        robust = RB.compute(
            result,
            run.dataset,
            a.top_n,
            n=replications,
            seed=seed,
            uncertainty_dir=uncertainty_dir,
            sensitivity_dir=sensitivity_dir,
        )
        tables.update(robustness_tables(run, robust, a.top_n, lang))
    say("findings")
    status = narrative.development_status(run)
    if status is not None:
        tables["status"] = status_table(status, lang)
    from mfgindex.toolbox.obstacle import obstacle_from_result

    obstacles = obstacle_from_result(result).by_dimension
    findings = narrative.outlook_findings(run, obstacles)
    say("figures")
    figs = make_figures(run, a, lang, robust)
    fig_dir = out / "figures"
    fig_dir.mkdir(exist_ok=True)
    b64: dict[str, str] = {}
    paths: list[Path] = []
    for key, fig in figs.items():
        png = _png(fig)
        b64[key] = base64.b64encode(png).decode("ascii")
        p = fig_dir / f"fig_{key}.png"
        p.write_bytes(png)
        paths.append(p)
        if svg:
            paths += F.save(fig, fig_dir, f"fig_{key}", formats=("svg",))
    say("html")
    from mfgindex.toolbox.report import toolbox_section  # 研究工具 (toolbox) section

    toolbox_ctx = toolbox_section(result, toolbox, lang)
    html = render_html(
        run, a, lang, tables, b64, robust, toolbox=toolbox_ctx, status=status, outlook=findings
    )
    if lang == "zh":  # line breaks of the templates must not become spaces between Chinese sentences
        html = zero_counts(_CJK_GAP.sub("", html))
    name = "report"
    html_path = out / f"{name}.html"
    html_path.write_text(html, encoding="utf-8")
    analysis_path = out / "analysis.json"
    analysis_path.write_text(
        json.dumps(a.to_dict(), ensure_ascii=False, indent=2, default=str) + "\n", encoding="utf-8"
    )
    pdf_path: Path | None = None
    note: str | None = None
    if pdf:
        say("pdf")
        pdf_path = out / f"{name}.pdf"
        try:
            write_pdf(html, pdf_path, out)
        except PdfUnavailable as exc:
            pdf_path, note = None, str(exc)
    return ReportFiles(html_path, pdf_path, analysis_path, tuple(paths), time.perf_counter() - t0, note)


def agreement_tables(run: RunData, result: Result | None, lang: str) -> dict[str, ReportTable]:
    """The distance from the published CAICT 2023 list (data year 2022 only: the list is of that year).

    The misses' exact decomposition needs each city's own (stage) weights: from ``result``; without it only
    the overlap figures are shown.
    """
    if run.year != 2022 or not run.is_cities:
        return {}
    from mfgindex.analysis import agreement

    uw = result.current.weights.get(run.index_id) if result is not None else None
    ag = agreement.measure(run.framework, run.table, run.raw, run.year, uw)
    fr = agreement.frames(ag, lang)
    zh = lang == "zh"
    out = {
        "agreement": ReportTable(
            "agreement",
            "与已发布榜单的一致程度" if zh else "Agreement with the published list",
            fr["summary"],
        )
    }
    if result is not None and len(fr["misses"]):
        out["agreement_misses"] = ReportTable(
            "agreement_misses",
            f"发布榜单前{ag.top_n}名中差距最大的城市及数据原因"
            if zh
            else f"Largest misses of the published top {ag.top_n}, with the data reason",
            fr["misses"],
            f"参照城市为本次第{ag.top_n}名{ag.reference_city}；维度贡献为指数差中该维度所占的分数（按各城市自身权重精确分解）。"
            if zh
            else f"Reference: our #{ag.top_n}, {ag.reference_city}; a dimension's share is the index points "
            "of the gap due to it (exact split with each city's own weights).",
        )
    return out


def robustness_tables(run: RunData, robust: Robustness, n: int, lang: str) -> dict[str, ReportTable]:
    """The audit table (per dimension) and the rank-uncertainty table of the top ``n``."""
    L = LABELS[lang]
    out: dict[str, ReportTable] = {}
    if robust.audit is not None:
        frame = RB.frame_dims(robust.audit, dim_names(run, lang), lang)
        note = (
            "α 与第一主成分基于各维度的标准化指标；有效权重 = 指数对该维度的相关比 η² 在各维度之和中的占比"
            "（Paruolo、Saisana 和 Saltelli，2013）。"
            if lang == "zh"
            else "α and PC1 on each dimension's normalised indicators; effective weight = the correlation "
            "ratio η² of the index on the dimension as a share of the sum over the dimensions (Paruolo, "
            "Saisana and Saltelli 2013)."
        )
        out["robust_audit"] = ReportTable("robust_audit", L["t_audit"], frame, note)
        names = {i.id: (i.name_en if lang == "en" else i.name_zh) or i.id for i in run.framework.indicators()}
        counts = RB.frame_counts(robust.audit, names, n, lang)
        if counts is not None:
            out["robust_counts"] = ReportTable(
                "robust_counts",
                L["t_counts"].format(n=n),
                counts,
                "去掉该指标（其权重为0，同维度其余指标权重按比例放大）后重新加权汇总；正数为排名下降的位次。"
                if lang == "zh"
                else "The indicator dropped (weight 0, the others in its dimension rescaled) and the index "
                "re-aggregated; a positive shift is places lost.",
            )
    if robust.uncertainty is not None:
        out["robust_ua"] = ReportTable(
            "robust_ua", L["t_ua"].format(n=n), RB.frame_top(robust.uncertainty, lang)
        )
    return out


__all__ = [
    "LANGS",
    "ReportFiles",
    "check_lang",
    "make_figures",
    "render_html",
    "write_report",
]
