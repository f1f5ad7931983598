"""The report's data and method appendix as tables: the indicator framework and its weights, stage weights,
sources and coverage, proxies, the corrections applied and the plausibility checks, with their notes."""

from __future__ import annotations

from typing import Any

import pandas as pd

from mfgindex.analysis.run import RunData
from mfgindex.core.dataset import assignment_note, low_rate_regions
from mfgindex.core.findings import KIND_ZH
from mfgindex.core.framework import Aggregate, Indicator, walk
from mfgindex.report import sources as src_mod
from mfgindex.report.table_cells import _h, fmt_pct


def _node_weight(run: RunData, parent: str, child: str) -> float | None:
    w = run.nominal_weights.get(parent, {}).get(child)
    return None if w is None else float(w)


def framework_table(run: RunData, lang: str = "zh") -> pd.DataFrame:
    """The indicator tree: dimension, indicator, unit, direction, class, weight in its dimension, proxy."""
    rows: list[dict[str, Any]] = []
    fw = run.framework
    for dim in fw.root.children:
        inds = [n for n in walk(dim) if isinstance(n, Indicator)]
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
        inds = [n for n in walk(dim) if isinstance(n, Indicator)]
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
