"""The report's tables as DataFrames (Chinese or English headers), and the hook that writes them into
``results.xlsx`` as one formatted sheet each.

Every table is computed from a :class:`~mfgindex.analysis.runmode.RunAnalysis`; numbers are formatted here
(the HTML shows them as given), so the workbook and the report agree cell for cell.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pandas as pd

from mfgindex.analysis.city import CityProfile
from mfgindex.analysis.narrative import DevelopmentStatus
from mfgindex.analysis.run import RunData
from mfgindex.analysis.runmode import IndicatorPosition, RunAnalysis
from mfgindex.analysis.strengths import TOP_SHARE, rule_text
from mfgindex.core import geo
from mfgindex.core.checks import KIND_ZH
from mfgindex.core.dataset import assignment_note, low_rate_regions
from mfgindex.core.framework import Aggregate, Indicator
from mfgindex.core.rank import ARROWS
from mfgindex.report import sources as src_mod

REGION_EN: dict[str, str] = {"东部": "East", "中部": "Central", "西部": "West", "东北": "Northeast"}
PROVINCE_EN: dict[str, str] = {
    "北京": "Beijing", "天津": "Tianjin", "河北": "Hebei", "山西": "Shanxi", "内蒙古": "Inner Mongolia",
    "辽宁": "Liaoning", "吉林": "Jilin", "黑龙江": "Heilongjiang", "上海": "Shanghai", "江苏": "Jiangsu",
    "浙江": "Zhejiang", "安徽": "Anhui", "福建": "Fujian", "江西": "Jiangxi", "山东": "Shandong",
    "河南": "Henan", "湖北": "Hubei", "湖南": "Hunan", "广东": "Guangdong", "广西": "Guangxi",
    "海南": "Hainan", "重庆": "Chongqing", "四川": "Sichuan", "贵州": "Guizhou", "云南": "Yunnan",
    "西藏": "Tibet", "陕西": "Shaanxi", "甘肃": "Gansu", "青海": "Qinghai", "宁夏": "Ningxia",
    "新疆": "Xinjiang",
}  # fmt: skip
CHANGE_EN: dict[str, str] = {"up": "↑", "down": "↓", "same": "—", "new": "new"}


def region_label(region: str, lang: str) -> str:
    return REGION_EN.get(region, region) if lang == "en" else region


def province_label(province: str, lang: str) -> str:
    return PROVINCE_EN.get(province, province) if lang == "en" else province


def fmt_num(x: float | None, digits: int = 0) -> str:
    """Thousands separators; '—' for missing."""
    if x is None or pd.isna(x):
        return "—"
    return f"{x:,.{digits}f}"


def fmt_pct(x: float | None, digits: int = 1) -> str:
    """0.4421 → 44.2%; '—' for missing."""
    if x is None or pd.isna(x):
        return "—"
    return f"{x * 100:.{digits}f}%"


@dataclass(frozen=True)
class ReportTable:
    """One table of the report: key (sheet id), caption, frame and an optional note under it."""

    key: str
    caption: str
    frame: pd.DataFrame
    note: str = ""


def _h(lang: str, zh: str, en: str) -> str:
    return en if lang == "en" else zh


def ranking_rows(run: RunData, n: int, lang: str = "zh") -> pd.DataFrame:
    """表3 rows (one city per row): 省份, 地市, 全国排名, 地区排名, 排名变化, 指数."""
    t = run.table[run.table["rank"] <= n]
    arrows = CHANGE_EN if lang == "en" else ARROWS
    abbr = geo.units()["province_abbr"]
    pr = [
        f"{abbr.get(str(c), '')}{int(v)}" if pd.notna(v) else ""
        for c, v in zip(t.index, t.get("province_rank", pd.Series(pd.NA, index=t.index)), strict=True)
    ]
    return pd.DataFrame(
        {
            _h(lang, "省份", "Province"): [province_label(str(p), lang) for p in t["province"]]
            if "province" in t.columns
            else "",
            _h(lang, "地市", "City"): t["name"].astype(str).to_numpy(),
            _h(lang, "全国排名", "Rank"): t["rank"].astype(int).to_numpy(),
            _h(lang, "地区排名", "In province"): pr,
            _h(lang, "排名变化", "Change"): [arrows.get(str(c), "") for c in t.get("change", [""] * len(t))],
            _h(lang, "指数", "Score"): [fmt_num(float(v), 2) for v in t[run.index_id]],
        },
        index=t.index,
    )


def table3_halves(rows: pd.DataFrame) -> pd.DataFrame:
    """表3 layout: the list split into two halves side by side (as the seed report prints it)."""
    half = (len(rows) + 1) // 2
    left = rows.iloc[:half].reset_index(drop=True)
    right = rows.iloc[half:].reset_index(drop=True)
    right.columns = [f"{c} " for c in right.columns]  # distinct names, same visible header
    return pd.concat([left, right], axis=1).fillna("")


def _node_weight(run: RunData, parent: str, child: str) -> float | None:
    w = run.nominal_weights.get(parent, {}).get(child)
    return None if w is None else float(w)


def framework_table(run: RunData, lang: str = "zh") -> pd.DataFrame:
    """The indicator tree: dimension, indicator, unit, direction, class, weight in its dimension, proxy."""
    rows: list[dict[str, Any]] = []
    fw = run.framework
    for dim in fw.root.children:
        inds = [dim] if isinstance(dim, Indicator) else _leaves(dim)
        for ind in inds:
            parent = dim.id if isinstance(dim, Aggregate) else fw.root.id
            w = _node_weight(run, parent, ind.id) if isinstance(dim, Aggregate) else None
            rows.append(
                {
                    _h(lang, "维度", "Dimension"): (dim.name_en if lang == "en" else dim.name_zh) or dim.id,
                    _h(lang, "指标", "Indicator"): (ind.name_en if lang == "en" else ind.name_zh) or ind.id,
                    _h(lang, "单位", "Unit"): ind.unit,
                    _h(lang, "方向", "Direction"): "+" if ind.direction == 1 else "−",
                    _h(lang, "主次", "Class"): ind.class_,
                    _h(lang, "维度内权重", "Weight in dimension"): fmt_pct(w),
                    _h(lang, "代理说明", "Proxy"): ind.proxy or "",
                    _h(lang, "注", "Note"): list_note(run, ind, lang),
                }
            )
    return pd.DataFrame(rows)


def list_note(run: RunData, ind: Indicator, lang: str = "zh") -> str:
    """For a count of a list whose entries are assigned to cities at a low rate in some regions: the note
    saying so (:func:`mfgindex.core.dataset.assignment_note`); "" otherwise."""
    name = ind.resolved_formula().entries
    if name is None or run.dataset is None:
        return ""
    rates = run.dataset.list_assignment.get(name)
    if rates is None or low_rate_regions(rates).empty:
        return ""
    return assignment_note(rates, lang)


def list_notes(run: RunData, lang: str = "zh") -> str:
    """One note per list with low-rate regions that the framework counts (for the data/coverage section)."""
    seen: dict[str, str] = {}
    for ind in run.framework.indicators():
        name = ind.resolved_formula().entries
        if name is not None and name not in seen and (note := list_note(run, ind, lang)):
            # named by the indicator that counts the list, never by the list's id (green_factories)
            label = (ind.name_en if lang == "en" else ind.name_zh) or ind.id
            seen[name] = f"{label}：{note}" if lang == "zh" else f"{label}: {note}"
    return ("；" if lang == "zh" else "; ").join(seen.values())


def _leaves(node: Aggregate) -> list[Indicator]:
    out: list[Indicator] = []
    for c in node.children:
        if isinstance(c, Indicator):
            out.append(c)
        else:
            out.extend(_leaves(c))
    return out


def stage_table(run: RunData, lang: str = "zh") -> pd.DataFrame | None:
    """Dimension weights by development stage, with the number of cities in each stage."""
    rule = run.framework.stages
    if rule is None:
        return None
    dims = [c for c in run.framework.root.children]
    rows = []
    for st in rule.stages:
        total = sum(st.weights.get(d.id, 0.0) for d in dims) or 1.0
        row: dict[str, Any] = {
            _h(lang, "发展阶段", "Stage"): (st.name_en if lang == "en" else st.name_zh) or st.id
        }
        for d in dims:
            row[(d.name_en if lang == "en" else d.name_zh) or d.id] = fmt_pct(
                st.weights.get(d.id, 0.0) / total
            )
        row[_h(lang, "城市数", "Cities")] = run.stage_counts.get(st.name_zh, 0)
        rows.append(row)
    return pd.DataFrame(rows)


def coverage_table(run: RunData, lang: str = "zh") -> pd.DataFrame:
    """Data sources and coverage per dimension."""
    rows = []
    for dim in run.framework.root.children:
        inds = [dim] if isinstance(dim, Indicator) else _leaves(dim)
        sources = sorted({i.source.split(" (")[0] for i in inds if i.source})
        rows.append(
            {
                _h(lang, "维度", "Dimension"): (dim.name_en if lang == "en" else dim.name_zh) or dim.id,
                _h(lang, "指标数", "Indicators"): len(inds),
                _h(lang, "其中代理指标", "Of which proxies"): sum(1 for i in inds if i.proxy),
                _h(lang, "数据覆盖率", "Coverage"): fmt_pct(run.coverage.get(dim.id)),
                _h(lang, "数据来源", "Sources"): (
                    "；".join(dict.fromkeys(s.zh for s in src_mod.families(sources))) or "—"
                    if lang == "zh"
                    else "; ".join(sources)
                ),
            }
        )
    return pd.DataFrame(rows)


def proxy_table(run: RunData, lang: str = "zh") -> pd.DataFrame:
    rows = [
        {
            _h(lang, "指标", "Indicator"): (i.name_en if lang == "en" else i.name_zh) or i.id,
            _h(lang, "代理说明", "Stands in for"): i.proxy,
            _h(lang, "来源", "Source"): (
                "；".join(dict.fromkeys(s.zh for s in src_mod.families([i.source]))) or "—"
                if lang == "zh"
                else i.source
            ),
        }
        for i in run.framework.indicators()
        if i.proxy
    ]
    return pd.DataFrame(rows)


def report_tables(run: RunData, a: RunAnalysis, lang: str = "zh") -> dict[str, ReportTable]:
    """Every table of the report by key, in report order."""
    L = lang
    n = a.top_n
    out: dict[str, ReportTable] = {}

    def add(key: str, zh: str, en: str, frame: pd.DataFrame | None, note: str = "") -> None:
        if frame is not None and not frame.empty:
            out[key] = ReportTable(key, _h(L, zh, en), frame.reset_index(drop=True), note)

    add("framework", "评价指标体系与权重", "Indicator framework and weights", framework_table(run, L))
    add("stages", "分发展阶段的维度权重", "Dimension weights by development stage", stage_table(run, L))
    add(
        "coverage",
        "各维度数据来源与覆盖率",
        "Data sources and coverage by dimension",
        coverage_table(run, L),
        list_notes(run, L),
    )
    add("proxies", "代理指标清单", "Proxy indicators", proxy_table(run, L))
    add(
        "corrections",
        "数据更正（内置数据的更正记录）",
        "Corrections applied to the data",
        corrections_table(run, L),
        data_quality_note(run, L),
    )
    add("checks", "数据校核：已认可的错误与警告", "Plausibility checks: accepted errors and warnings",
        checks_table(run, L))  # fmt: skip
    rows = ranking_rows(run, n, L)
    add(
        "table3",
        f"表3 制造业高质量发展{n}强城市榜单（{a.year}年数据）",
        f"Table 3 Top {n} cities ({a.year} data)",
        rows,
    )
    if a.ranking is not None:
        caps = sorted(a.ranking.capitals.capitals, key=lambda e: -(e.primacy or 0.0))
        abbr = geo.units()["province_abbr"]
        add(
            "capitals",
            "表4 省会城市工业经济首位度（代理）",
            "Table 4 Provincial capitals: industrial primacy (proxy)",
            pd.DataFrame(
                [
                    {
                        _h(L, "区域", "Region"): region_label(e.region, L),
                        _h(L, "省会城市", "Capital"): e.name,
                        _h(L, "全国排名", "Rank"): e.rank,
                        _h(L, "地区排名", "In province"): f"{abbr.get(e.code, '')}{e.province_rank or ''}",
                        _h(L, "首位度", "Primacy"): fmt_pct(e.primacy),
                    }
                    for e in caps
                ]
            ),
        )
    width = max((len(ld.cities) for ld in a.leaders), default=0)
    lead: dict[str, list[str]] = {_h(L, "名次", "Rank"): [str(i + 1) for i in range(width)]}
    for ld in a.leaders:
        cells = [f"{c.name} {fmt_num(s, 1)}" for c, s in zip(ld.cities, ld.scores, strict=True)]
        lead[ld.name_en if L == "en" else ld.name_zh] = cells + [""] * (width - len(cells))
    add(
        "leaders",
        "各分项指数前10强城市（得分）",
        "Top 10 of every sub-index (score)",
        pd.DataFrame(lead),
        _h(L, "并列时同名次城市均列出。", "Ties at the same rank are all listed."),
    )
    if a.centres:
        add(
            "centres",
            f"表5 {n}强城市拥有的国家制造业创新中心",
            f"Table 5 National manufacturing innovation centres in the top {n}",
            pd.DataFrame(
                [
                    {
                        _h(L, "所在城市", "City"): e.city.name,
                        _h(L, "数量", "Count"): len(e.entries),
                        _h(L, "创新中心名称", "Centres"): "；".join(
                            f"{name}（{_h(L, '共建', 'co-built')}）" if detail else name
                            for name, detail in e.entries
                        ),
                    }
                    for e in a.centres
                ]
            ),
        )
    for lt in a.list_tops:
        add(
            f"top_{lt.list_id}",
            f"{n}强城市中{lt.label_zh}数量前10城市（{lt.scope_zh}）",
            f"Top {n} cities with most {lt.label_en} ({lt.scope_en})",
            pd.DataFrame(
                [
                    {
                        _h(L, "排名", "Rank"): r.rank,
                        _h(L, "城市", "City"): r.name,
                        _h(L, "数量", "Count") + f"（{lt.unit}）" * (L == "zh"): fmt_num(r.value),
                    }
                    for r in lt.rows
                ]
            ),
        )
    if a.clusters:
        add(
            "clusters",
            "表10 主要城市国家先进制造业集群分布",
            "Table 10 National advanced manufacturing clusters by city",
            pd.DataFrame(
                [
                    {
                        _h(L, "城市", "City"): e.city.name,
                        _h(L, "数量", "Count"): len(e.entries),
                        _h(L, "先进制造业集群（领域）", "Clusters (field)"): "；".join(
                            f"{name}（{field}）" for name, field in e.entries
                        ),
                    }
                    for e in a.clusters
                    if len(e.entries) >= 2
                ]
            ),
        )
    if a.risers:
        add(
            "risers",
            f"{n}强中排名提升至少{a.min_gain}位的城市",
            f"Top-{n} cities that rose at least {a.min_gain} places",
            pd.DataFrame(
                [
                    {
                        _h(L, "城市", "City"): r.name,
                        _h(L, "本年排名", "Rank"): r.rank,
                        _h(L, "上年排名", "Previous rank"): r.rank + a.rise_by.get(r.code, 0),
                        _h(L, "提升位次", "Places gained"): a.rise_by.get(r.code, 0),
                    }
                    for r in a.risers
                ]
            ),
        )
    if a.potential is not None and a.potential.cities:
        add(
            "potential",
            "发展潜力城市",
            "Cities with development potential",
            pd.DataFrame(
                [
                    {
                        _h(L, "城市", "City"): c.name,
                        _h(L, "省份", "Province"): province_label(str(run.table.at[c.code, "province"]), L)
                        if "province" in run.table.columns
                        else "",
                        _h(L, "本年排名", "Rank"): c.rank,
                        _h(L, "动量", "Momentum"): fmt_num(m, 0 if a.potential.method == "rank_gain" else 2),
                    }
                    for c, m in zip(a.potential.cities, a.potential.momentum, strict=True)
                ]
            ),
            a.potential.rule,
        )
    if a.region_va is not None:
        add(
            "table11",
            f"表11 四大区域{n}强城市第二产业增加值（代理）及占比",
            f"Table 11 Value added (proxy) of the top {n} by region",
            pd.DataFrame(
                [
                    {
                        _h(L, "地区", "Region"): region_label(r.region, L),
                        _h(L, f"{a.previous_year}年入围数", f"Listed {a.previous_year}"): "—"
                        if r.n_prev is None
                        else r.n_prev,
                        _h(L, f"{a.year}年入围数", f"Listed {a.year}"): r.n_cur,
                        _h(
                            L, f"{a.previous_year}年增加值（亿元）", f"VA {a.previous_year} (100m yuan)"
                        ): fmt_num(r.va_prev),
                        _h(L, f"{a.year}年增加值（亿元）", f"VA {a.year} (100m yuan)"): fmt_num(r.va_cur),
                        _h(L, f"{a.previous_year}年占比", f"Share {a.previous_year}"): fmt_pct(r.share_prev),
                        _h(L, f"{a.year}年占比", f"Share {a.year}"): fmt_pct(r.share_cur),
                    }
                    for r in a.region_va
                ]
            ),
            _h(
                L,
                "上年值按上年榜单的入围城市计算。",
                "Previous-year values are for the cities listed in the previous year.",
            ),
        )
    if a.list_counts:
        rows12 = []
        for region in geo.REGION_ORDER:
            row: dict[str, Any] = {_h(L, "地区", "Region"): region_label(region, L)}
            for lc in a.list_counts:
                label = lc.label_en if L == "en" else lc.label_zh
                row[f"{label} " + _h(L, "数量", "n")] = lc.counts[region]
                row[f"{label} " + _h(L, "占比", "share")] = fmt_pct(lc.shares[region])
            rows12.append(row)
        add(
            "table12",
            f"表12 四大区域{n}强城市优质企业与平台分布",
            f"Table 12 Enterprises and platforms of the top {n} by region",
            pd.DataFrame(rows12),
        )
    if a.gaps:
        grows = []
        for g in a.gaps:
            pairs: list[tuple[int | None, Any]] = [(a.year, g.current), (a.previous_year, g.previous)]
            for yr, gap in pairs:
                if gap is None:
                    continue
                grows.append(
                    {
                        _h(L, "变量", "Variable"): g.label_en if L == "en" else g.label_zh,
                        _h(L, "年份", "Year"): yr,
                        _h(L, "城市数", "Cities"): gap.n,
                        _h(L, "变异系数", "CV"): fmt_num(gap.cv, 3),
                        _h(L, "泰尔指数", "Theil T"): fmt_num(gap.theil.total, 3),
                        _h(L, "区域间", "Between"): fmt_num(gap.theil.between, 3),
                        _h(L, "区域内", "Within"): fmt_num(gap.theil.within, 3),
                        _h(L, "区域间贡献", "Between share"): fmt_pct(gap.theil.between_share),
                        **{
                            _h(L, f"{r}占比", f"{REGION_EN[r]} share"): fmt_pct(gap.share_by_region.get(r))
                            for r in geo.REGION_ORDER
                        },
                    }
                )
        add(
            "gaps",
            "区域差距：变异系数与泰尔指数分解",
            "Regional gaps: CV and Theil decomposition",
            pd.DataFrame(grows),
        )
    names = dim_names(run, L)

    def dims_text(p: CityProfile, ids: tuple[str, ...]) -> str:
        parts = []
        for x in ids:
            st = p.standing(x)
            # 产业集聚第1, 并列第3（5城）: no ASCII brackets around Chinese, no brackets in brackets
            label = "" if st is None else (st.label_zh if L == "zh" else f" ({st.label_en})")
            parts.append(names.get(x, x) + label)
        if L == "zh" and len(ids) == len(names) > 1:
            # 苏州: every dimension a strength — said once, then the ranks; when each is in the top 20 % (the
            # rule's first arm) the sentence says so plainly
            standings = [p.standing(x) for x in ids]
            top = all(st is not None and st.rank <= math.ceil(TOP_SHARE * st.n) for st in standings)
            what = "均居全国前20%" if top else "均为优势"
            return f"{_ZH_COUNT.get(len(ids), str(len(ids)))}个维度{what}：" + "、".join(parts)
        return "、".join(parts) or "—"

    def ind_text(items: tuple[IndicatorPosition, ...]) -> str:
        tie = "tied " if L == "en" else "并列"
        return (
            "、".join(
                (
                    f"{i.name_en}({tie if i.tied > 1 else ''}{i.rank})"
                    if L == "en"
                    else f"{i.name_zh}{tie if i.tied > 1 else ''}第{i.rank}"  # 单位GDP二氧化碳排放并列第1
                )
                for i in items
            )
            or "—"
        )

    prow = []
    for d in a.profiles:
        p = d.profile
        prow.append(
            {
                _h(L, "排名", "Rank"): p.rank,
                _h(L, "城市", "City"): p.name,
                _h(L, "优势维度", "Strong dimensions"): dims_text(p, p.strengths),
                _h(L, "短板维度", "Weak dimensions"): dims_text(p, p.weaknesses),
                _h(L, "优势指标", "Strong indicators"): ind_text(d.strong_indicators),
                _h(L, "短板指标", "Weak indicators"): ind_text(d.weak_indicators),
                _h(L, "相近城市", "Peers"): "、".join(c.name for c in p.peers[:3]),
                _h(L, "与前一名差距", "Gap to next above"): fmt_num(p.index_gap_to_above, 2),
            }
        )
    add(
        "profiles",
        f"{n}强城市画像：优势与短板",
        f"City profiles of the top {n}: strengths and weaknesses",
        pd.DataFrame(prow),
        rule_text(L)
        + _h(
            L,
            "“第N”为该维度或指标的全国排名。相近城市：分项指数得分欧氏距离最近。",
            " Dimension or indicator rank in brackets."
            " Peers: nearest by Euclidean distance of sub-index scores.",
        ),
    )
    return out


_ZH_COUNT = {2: "两", 3: "三", 4: "四", 5: "五", 6: "六", 7: "七", 8: "八", 9: "九", 10: "十"}


def _variable_name(run: RunData, variable: str, lang: str) -> str:
    """A raw variable by its Chinese name in the Chinese report (va_secondary → 第二产业增加值)."""
    v = run.framework.variables.get(variable)
    return str(v.name_zh) if lang == "zh" and v is not None and v.name_zh else variable


def _kind_name(kind: str, lang: str) -> str:
    return KIND_ZH.get(kind, kind) if lang == "zh" else kind


def corrections_table(run: RunData, lang: str = "zh") -> pd.DataFrame | None:
    """Applied corrections grouped by reason: how many cells, which units and years (the data appendix)."""
    dq = run.data_quality or {}
    rows = [*(dq.get("data_corrections") or []), *((dq.get("data_checks") or {}).get("corrections") or [])]
    if not rows:
        return None
    frame = pd.DataFrame(rows)
    if "name" not in frame.columns:
        frame["name"] = frame["code"]
    frame["name"] = frame["name"].fillna(frame["code"])
    # the Chinese report prints the log's reason_zh (logs from 2026-12-01 on); older logs only have reason
    shown = frame["reason"].astype(str)
    if lang == "zh" and "reason_zh" in frame.columns:
        zh = frame["reason_zh"]
        shown = zh.where(zh.notna() & (zh.astype(str).str.strip() != ""), shown).astype(str)
    frame["shown_reason"] = shown
    out = []
    for reason, grp in frame.groupby("shown_reason", sort=False):
        units = sorted({f"{n}" for n in grp["name"]})
        out.append(
            {
                _h(lang, "单元格数", "Cells"): len(grp),
                _h(lang, "地区", "Units"): "、".join(units[:8])
                + (_h(lang, " 等", " …") if len(units) > 8 else ""),
                _h(lang, "年份", "Years"): "、".join(map(str, sorted({int(y) for y in grp["year"]}))),
                _h(lang, "变量", "Variables"): "、".join(
                    sorted({_variable_name(run, str(v), lang) for v in grp["variable"]})
                ),
                _h(lang, "更正理由", "Reason"): str(reason),
            }
        )
    return pd.DataFrame(out)


def _accepted_reason(finding: pd.Series, lang: str) -> str:
    """The reviewer's reason: the Chinese one in the Chinese report where the file had it, else as written."""
    zh = finding.get("accepted_reason_zh")
    if lang == "zh" and isinstance(zh, str) and zh.strip():
        return zh.strip()
    reason = finding.get("accepted_reason")
    return str(reason) if isinstance(reason, str) else ""


def checks_table(run: RunData, lang: str = "zh") -> pd.DataFrame | None:
    """The findings a run carried: accepted errors (with the reason) and warnings counted by kind."""
    checks = (run.data_quality or {}).get("data_checks") or {}
    findings = checks.get("findings") or []
    if not findings:
        return None
    frame = pd.DataFrame(findings)
    out = []
    for _, f in frame[frame["status"] == "accepted"].iterrows():
        out.append(
            {
                _h(lang, "状态", "Status"): _h(lang, "已认可", "accepted"),
                _h(lang, "类型", "Kind"): _kind_name(str(f["kind"]), lang),
                _h(lang, "地区与年份", "Unit and year"): (
                    f"{f['name']} {f['year']} {_variable_name(run, str(f['variable']), lang)}"
                ),
                _h(lang, "说明", "Note"): _accepted_reason(f, lang),
            }
        )
    warn = frame[frame["status"] == "warning"]
    for kind, grp in warn.groupby("kind", sort=True):
        names = sorted({str(n) for n in grp["name"]})
        out.append(
            {
                _h(lang, "状态", "Status"): _h(lang, f"警告{len(grp)}条", f"{len(grp)} warnings"),
                _h(lang, "类型", "Kind"): _kind_name(str(kind), lang),
                _h(lang, "地区与年份", "Unit and year"): "、".join(names[:8])
                + (_h(lang, " 等", " …") if len(names) > 8 else ""),
                _h(lang, "说明", "Note"): _h(
                    lang, "逐条证据见结果工作簿的“标记”表", "evidence per finding: 标记 sheet"
                ),
            }
        )
    return pd.DataFrame(out)


def data_quality_note(run: RunData, lang: str = "zh") -> str:
    """One line: the checks' counts and the coverage gate of the evaluated year."""
    dq = run.data_quality or {}
    parts = []
    counts = (dq.get("data_checks") or {}).get("counts")
    if counts:
        accepted, warnings = int(counts.get("accepted", 0)), int(counts.get("warnings", 0))
        found = "，".join(
            [
                *([f"{accepted}个错误经复核认可"] if accepted else []),
                *([f"{warnings}个警告"] if warnings else []),
            ]
        )
        parts.append(
            _h(
                lang,
                f"数据校核：{found or '未发现错误或警告'}",
                "Plausibility checks (mfgindex check): "
                f"{counts.get('accepted', 0)} reviewed errors accepted, "
                f"{counts.get('warnings', 0)} warnings",
            )
        )
    gate = dq.get("coverage_gate")
    if gate:
        if gate.get("passed"):
            parts.append(
                _h(
                    lang,
                    f"覆盖门槛：{gate['year']}年各维度数据单元格均不少于50%",
                    f"coverage gate: every dimension has ≥ 50 % of its cells in {gate['year']}",
                )
            )
        else:
            thin = "、".join(str(t) for t in gate.get("thin") or [])
            parts.append(
                _h(
                    lang,
                    f"覆盖门槛：{gate['year']}年{thin}的数据单元格不足50%，本次为强制计算，结果须慎用",
                    f"coverage gate: in {gate['year']} {thin} have < 50 % of their cells "
                    "(run with --allow-thin; "
                    "use with care)",
                )
            )
    return _h(lang, "；", "; ").join(parts) + (_h(lang, "。", ".") if parts else "")


def dim_names(run: RunData, lang: str) -> dict[str, str]:
    return {c.id: ((c.name_en if lang == "en" else c.name_zh) or c.id) for c in run.framework.root.children}


# ------------------------------------------------------------------------------------------- workbook hook


SHEETS: dict[str, str] = {
    "framework": "指标体系",
    "stages": "阶段权重",
    "coverage": "数据覆盖",
    "proxies": "代理指标",
    "corrections": "数据更正",
    "checks": "数据校核",
    "table3": "榜单",
    "capitals": "省会首位度",
    "leaders": "分项前10",
    "centres": "创新中心",
    "clusters": "先进集群",
    "risers": "进步最快",
    "potential": "发展潜力",
    "table11": "区域增加值",
    "table12": "区域企业",
    "gaps": "区域差距",
    "profiles": "城市画像",
}


def _sheet_name(table: ReportTable, used: set[str]) -> str:
    if table.key in SHEETS:
        base = SHEETS[table.key]
    else:  # top_<list>: 前10 + the list's label
        base = "前10 " + table.caption.split("中", 1)[-1].split("数量")[0]
    for ch in "[]:*?/\\":
        base = base.replace(ch, "")
    name = f"报告-{base}"[:31]
    k = 2
    while name in used:
        name = f"{name[:28]}~{k}"
        k += 1
    used.add(name)
    return name


def write_sheets(wb: Any, tables: Mapping[str, ReportTable]) -> None:
    """Add one formatted sheet per report table to an openpyxl workbook (caption row, bold header, typed
    numbers with number formats, widths)."""
    from mfgindex.report.workbook import write_table

    used = set(wb.sheetnames)
    for t in tables.values():
        write_table(wb, _sheet_name(t, used), t.frame, caption=t.caption, note=t.note or None)


def add_report_sheets(wb: Any, result: Any) -> None:
    """Hook for :func:`mfgindex.services.outputs.write_xlsx`: the report tables (Chinese) of ``result``.

    The context data (GDP, population, lists) are the result's (``result.dataset``). Runs whose units are
    not Chinese cities (e.g. COINr's ASEM example) get no report sheets: the report is about cities.
    """
    if result.framework.universe.kind != "cities" or "province" not in result.table.columns:
        return
    from mfgindex.analysis.run import from_result
    from mfgindex.analysis.runmode import analyze_run

    run = from_result(result)
    write_sheets(wb, report_tables(run, analyze_run(run, panel=False), "zh"))


def status_table(status: DevelopmentStatus, lang: str = "zh") -> ReportTable:
    """发展现状: value added of the ranked cities by year, its share of GDP, regional shares and gaps."""
    rows = []
    for y in status.years:
        row = {
            _h(lang, "年份", "Year"): str(y.year),
            _h(lang, "城市数", "Cities"): y.n_units,
            _h(lang, "增加值合计（亿元）", "Value added (100m yuan)"): fmt_num(y.va_total),
            _h(lang, "名义增速", "Nominal growth"): fmt_pct(y.growth),
            _h(lang, "占GDP比重", "Share of GDP"): fmt_pct(y.va_share_of_gdp),
        }
        for r in ("东部", "中部", "西部", "东北"):
            row[_h(lang, f"{r}占比", REGION_EN.get(r, r))] = fmt_pct(y.region_share.get(r))
        row[_h(lang, "变异系数", "CV")] = fmt_num(y.cv, 3)
        row[_h(lang, "泰尔指数", "Theil")] = fmt_num(y.theil, 3)
        rows.append(row)
    return ReportTable(
        "status",
        _h(
            lang,
            f"参评城市{status.label_zh}（工业增加值代理）的规模、结构与区域差距（{status.first.year}—{status.last.year}年）",
            f"Value added of the ranked cities, {status.first.year}-{status.last.year}",
        ),
        pd.DataFrame(rows),
        _h(lang, "名义值，未剔除价格因素；增速按两年均有数据的城市计算。", "Nominal values."),
    )
