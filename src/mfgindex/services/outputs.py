"""Writing a run directory: scores.csv, indicators.csv, results.xlsx, run.json — all or nothing.

Files are written into a temporary folder next to the target and moved into place only when every file
was written, so a failure never leaves a half-written output. Outputs are byte-identical for the same
inputs, config and seed (no timestamps; the XLSX zip entries carry a fixed date).
"""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Alignment

from mfgindex import __version__
from mfgindex.analysis import strengths
from mfgindex.core.files import fix_zip, record_input, write_csv
from mfgindex.core.framework import Aggregate, Framework, walk
from mfgindex.core.outdir import output_folder, output_paths
from mfgindex.core.rank import ARROWS
from mfgindex.core.result import Result
from mfgindex.core.weights import derived
from mfgindex.report import workbook


def scores_frame(result: Result) -> pd.DataFrame:
    table = result.table.copy()
    return table.reset_index()


def indicators_frame(result: Result) -> pd.DataFrame:
    cur = result.current
    raw = cur.stages["raw"]
    cols = list(raw.columns)
    out = pd.DataFrame(
        {
            "code": np.repeat(raw.index.to_numpy(), len(cols)),
            "indicator": np.tile(np.array(cols, dtype=object), len(raw)),
            "raw": raw.to_numpy().ravel(),
            "imputed": cur.imputed.reindex(columns=cols).to_numpy().ravel().astype(int),
            "treated_value": cur.stages["treated"].reindex(columns=cols).to_numpy().ravel(),
            "treated": cur.treated.reindex(columns=cols).to_numpy().ravel().astype(int),
            "normalised": cur.stages["normalised"].reindex(columns=cols).to_numpy().ravel(),
        }
    )
    return out


def weights_frame(result: Result) -> pd.DataFrame:
    fw = result.framework
    rows = []
    parents: dict[str, str] = {}
    for node in walk(fw.root):
        if isinstance(node, Aggregate):
            for c in node.children:
                parents[c.id] = node.id
    for node in walk(fw.root):
        parent = parents.get(node.id, "")
        rows.append(
            {
                "id": node.id,
                "name_zh": node.name_zh,
                "parent": parent,
                "level": fw.depth()[node.id],
                "nominal_local": float(result.nominal_weights[parent][node.id]) if parent else 1.0,
                "nominal_global": float(result.global_weights.get(node.id, np.nan)),
                "effective_global": float(result.effective_weights.get(node.id, np.nan)),
            }
        )
    return pd.DataFrame(rows)


def framework_frame(fw: Framework) -> pd.DataFrame:
    rows = []
    for ind in fw.indicators():
        f = ind.resolved_formula()
        rows.append(
            {
                "id": ind.id,
                "name_zh": ind.name_zh,
                "name_en": ind.name_en,
                "unit": ind.unit,
                "direction": ind.direction,
                "class": ind.class_,
                "proxy": ind.proxy or "",
                "source": ind.source,
                "formula": f.op.value,
                "note": ind.note,
            }
        )
    return pd.DataFrame(rows)


def run_record(result: Result, config: dict[str, Any]) -> dict[str, Any]:
    fw = result.framework
    cur = result.current
    return {
        "version": __version__,
        "tool": "mfgindex",
        "year": result.year,
        "previous_year": result.provenance.get("previous_year"),
        "seed": result.provenance.get("seed", 0),
        "config": config,
        "framework": fw.model_dump(mode="json", by_alias=True),
        "inputs": dict(sorted(dict(result.provenance.get("inputs", {})).items())),
        "data_reading": result.provenance.get("reading") or None,
        "weights": {
            "method": "class weights (主次分类)" if fw.weighting == "class" else "explicit",
            "class_scores": fw.class_scores if fw.weighting == "class" else None,
            "nominal_local": {
                k: {c: round(float(w), 12) for c, w in v.items()} for k, v in result.nominal_weights.items()
            },
            "nominal_global": {k: round(float(v), 12) for k, v in result.global_weights.items()},
            "effective_global": {k: round(float(v), 12) for k, v in result.effective_weights.items()},
            "stages": None if fw.stages is None else fw.stages.model_dump(mode="json"),
            "derivation": result.provenance.get("weights_derivation"),
        },
        "stage_counts": {str(k): int(v) for k, v in cur.stage_label.value_counts().sort_index().items()},
        "coverage": {str(k): round(float(v), 6) for k, v in cur.coverage["coverage"].items()},
        "excluded_units": dict(cur.excluded),
        "treatment": [
            {
                "indicator": t.indicator,
                "winsorised_high": t.winsorised_high,
                "winsorised_low": t.winsorised_low,
                "log_transformed": t.log_transformed,
                "note": t.note,
            }
            for t in cur.treat_log
            if t.treated or t.note
        ],
        "units": len(result.table),
        # plausibility checks of the inputs (once per run, before evaluating), the corrections applied to
        # the embedded data, and the coverage gate of the evaluated year
        "data_checks": result.provenance.get("checks"),
        "data_corrections": list(result.provenance.get("data_corrections") or []),
        "coverage_gate": result.provenance.get("coverage_gate"),
    }


def ranking_sheet(result: Result) -> pd.DataFrame:
    """The report's 表3 layout: 省份, 地市, 全国排名, 地区排名, 排名变化 (↑ ↓ — 新增), for the top N."""
    t = result.table
    top = t[t["rank"] <= result.framework.top_n]
    out = pd.DataFrame(
        {
            "省份": top.get("province", pd.Series("", index=top.index)),
            "地市": top["name"],
            "全国排名": top["rank"].astype("Int64"),
            "地区排名": top.get("province_rank", pd.Series("", index=top.index)),
            "排名变化": top["change"].map(ARROWS) if "change" in top.columns else "",
            "指数": top[result.framework.root.id].round(2),
        }
    )
    return out


def _reason_zh(record: dict[str, Any], key: str) -> str:
    """The Chinese reason of a correction or accepted finding (``<key>_zh``, files from 2026-12-01 on) with
    the English in brackets; the English alone where the file has no Chinese column."""
    en, zh = str(record.get(key) or ""), str(record.get(f"{key}_zh") or "")
    return f"{zh}（{en}）" if zh and en else zh or en


def checks_flags(result: Result) -> pd.DataFrame:
    """标记 rows for the data: plausibility findings (warnings, accepted errors) and corrections."""
    rows: list[dict[str, Any]] = []
    rec = result.provenance.get("checks") or {}
    for f in rec.get("findings") or []:
        rows.append(
            {
                "类别": "数据校核 (plausibility check)",
                "状态": f.get("status", f.get("severity")),
                "code": f.get("code"),
                "地市": f.get("name"),
                "year": f.get("year"),
                "variable": f.get("variable"),
                "value": f.get("value"),
                "kind": f.get("kind"),
                "说明": f.get("message", "")
                + (f" | 认可理由：{_reason_zh(f, 'accepted_reason')}" if f.get("accepted_reason") else ""),
                "location": f.get("location", ""),
            }
        )
    corrections = [
        *(dict(c, source=c.get("file", "")) for c in result.provenance.get("data_corrections") or []),
        *(rec.get("corrections") or []),
    ]
    for c in corrections:
        rows.append(
            {
                "类别": "数据更正 (correction)",
                "状态": "applied",
                "code": c.get("code"),
                "地市": c.get("name", ""),
                "year": c.get("year"),
                "variable": c.get("variable"),
                "value": c.get("new"),
                "old": c.get("old"),
                "说明": _reason_zh(c, "reason"),
                "location": c.get("source", ""),
            }
        )
    gate = result.provenance.get("coverage_gate")
    if gate and not gate.get("passed", True):
        rows.append(
            {
                "类别": "覆盖门槛 (coverage gate)",
                "状态": "thin year (--allow-thin)",
                "year": gate.get("year"),
                "说明": "数据过薄的维度 (dimensions below 50 %): " + ", ".join(gate.get("thin") or []),
            }
        )
    return pd.DataFrame(rows)


def write_xlsx(result: Result, path: Path) -> None:
    """results.xlsx: 说明, 榜单, scores, indicators, weights, coverage, framework, flags, report tables.

    Numbers are stored as numbers with number formats; each sheet has Chinese headers over a row of ids."""
    wb = Workbook()
    wb.remove(wb.active)
    fw = result.framework
    names = workbook.framework_labels(fw)
    ranking = ranking_sheet(result)
    ws = workbook.write_table(wb, "榜单", ranking)
    for row in ws.iter_rows(min_row=2):
        for cell in row:
            cell.alignment = Alignment(horizontal="center")
    frames = {
        "得分": scores_frame(result),
        "指标": indicators_frame(result),
        "权重": weights_frame(result),
    }
    for title, frame in frames.items():
        workbook.write_table(wb, title, frame, workbook.labels_for(frame.columns, names))
    derivation = derived.frame(result.provenance.get("weights_derivation") or {})
    workbook.write_table(wb, derived.SHEET, derivation)
    cov = result.current.coverage.reset_index()
    workbook.write_table(
        wb, "数据覆盖", cov, workbook.labels_for(cov.columns, {"index": "维度或指标", **names})
    )
    frame = framework_frame(fw)
    frame["direction"] = frame["direction"].map(lambda d: workbook.DIRECTION_ZH.get(str(d), str(d)))
    workbook.write_table(wb, "框架", frame, workbook.labels_for(frame.columns))
    # 标记: what treatment did to each indicator, then the units screened out for low coverage
    flags = pd.DataFrame([asdict(t) for t in result.current.treat_log])
    excluded = pd.DataFrame(
        {"indicator": [f"excluded unit {k}: {v}" for k, v in result.current.excluded.items()]}
    )
    marks = pd.concat([flags, excluded, checks_flags(result)], ignore_index=True)
    workbook.write_table(wb, "标记", marks, workbook.labels_for(marks.columns))
    dims = [c.id for c in result.framework.root.children if c.id in result.table.columns]
    dim_names = {c.id: c.name_zh or c.id for c in result.framework.root.children}
    workbook.write_table(
        wb, "优势短板", strengths.frame(result.table, dims, dim_names), note=strengths.rule_text()
    )
    from mfgindex.report.workbook import add_report_sheets

    add_report_sheets(wb, result)
    workbook.add_about_sheet(wb, workbook.about_rows(result, _sources_zh(fw)))
    wb.properties.creator = "mfgindex"
    wb.save(path)
    fix_zip(path)


def _sources_zh(fw: Framework) -> list[str]:
    from mfgindex.report import sources

    return [s.zh for s in sources.families(i.source for i in fw.indicators() if i.source)]


def write_run(result: Result, out: Path, config: dict[str, Any], *, force: bool = False) -> list[Path]:
    """Write every output of a run into ``out`` all-or-nothing; returns the written paths."""
    with output_folder(out, "run", force=force) as staging:
        written = write_run_files(result, staging, config, final=out)
    return output_paths(out, staging, written)


def write_run_files(
    result: Result, folder: Path, config: dict[str, Any], final: Path | None = None
) -> list[Path]:
    """Write scores.csv, indicators.csv, results.xlsx and run.json into ``folder`` (a staging folder of
    :func:`mfgindex.core.outdir.output_folder` that becomes ``final``: relative input paths are recorded
    relative to it)."""
    data = config.get("data")
    if final is not None and isinstance(data, list | tuple):
        config = {**config, "data": [record_input(str(d), final) for d in data]}
    spec = result.spec
    if spec is not None and final is not None:
        spec = spec.with_paths(lambda p: record_input(p, final))
    write_csv(scores_frame(result), folder / "scores.csv", encoding="utf-8-sig")
    write_csv(indicators_frame(result), folder / "indicators.csv", encoding="utf-8")
    write_xlsx(result, folder / "results.xlsx")
    record = run_record(result, config)
    if spec is not None:  # what `evaluate` was given (the framework as recorded above), hashes filled in
        record["spec"] = {**spec.dump(), "framework": spec.framework_label}
    (folder / "run.json").write_text(
        json.dumps(record, ensure_ascii=False, indent=2, sort_keys=False) + "\n", encoding="utf-8"
    )
    return [folder / n for n in ("indicators.csv", "results.xlsx", "run.json", "scores.csv")]
