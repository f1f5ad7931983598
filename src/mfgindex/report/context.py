"""What the report's templates are given beyond the tables: the ranking in two halves, the method overrides
in words, the run's extras, each element's data sources, numbered section headings, the run's settings."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd

from mfgindex.analysis.run import EMBEDDED, RunData
from mfgindex.analysis.runmode import RunAnalysis
from mfgindex.core.framework import Indicator
from mfgindex.report import prose, sources, terms
from mfgindex.report import robustness as RB
from mfgindex.report.labels import (
    SOURCE,
    SUBSECTIONS,
)
from mfgindex.report.table_cells import REGION_EN, province_label, region_label
from mfgindex.report.tables import dim_names, ranking_rows


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
