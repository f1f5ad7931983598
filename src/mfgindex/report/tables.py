"""The report's tables as DataFrames (Chinese or English headers), in report order (:func:`report_tables`).

Every table is computed from a :class:`~mfgindex.analysis.runmode.RunAnalysis`; numbers are formatted by
:mod:`.table_cells` (the HTML shows them as given), so the workbook and the report agree cell for cell. The
data and method appendix tables are in :mod:`.data_tables`; the hook that writes every table into
``results.xlsx`` as one formatted sheet is :func:`mfgindex.report.workbook.add_report_sheets`.
"""

from __future__ import annotations

import math
from typing import Any

import pandas as pd

from mfgindex.analysis.city import CityProfile
from mfgindex.analysis.narrative import DevelopmentStatus
from mfgindex.analysis.run import RunData
from mfgindex.analysis.runmode import IndicatorPosition, RunAnalysis
from mfgindex.analysis.strengths import TOP_SHARE, rule_text
from mfgindex.core import geo
from mfgindex.core.rank import ARROWS
from mfgindex.core.result import Result
from mfgindex.report import robustness as RB
from mfgindex.report.data_tables import (
    checks_table,
    corrections_table,
    coverage_table,
    data_quality_note,
    framework_table,
    list_notes,
    proxy_table,
    stage_table,
)
from mfgindex.report.labels import (
    LABELS,
)
from mfgindex.report.robustness import Robustness
from mfgindex.report.table_cells import (
    CHANGE_EN,
    REGION_EN,
    ReportTable,
    _h,
    fmt_num,
    fmt_pct,
    province_label,
    region_label,
)


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


def dim_names(run: RunData, lang: str) -> dict[str, str]:
    return {c.id: ((c.name_en if lang == "en" else c.name_zh) or c.id) for c in run.framework.root.children}


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
