"""Rendering: 表1/表2-style policy tables, 专栏 case boxes and the homogeneity/benchmark block of the report.

The Jinja2 partials live with the report's templates (``mfgindex/report/templates``):

- ``policy_table.html`` — one table; expects ``pt`` (:class:`PolicyTable`);
- ``policy_case.html`` — one case box; expects ``box`` (:class:`CaseBox`);
- ``policy_section.html`` — the whole block; expects ``policy`` (the dict of :func:`context`).

In the report template: ``{% include "policy_section.html" %}`` with ``policy=render.context(...)`` passed to
``render()``; :func:`render_section` renders the block on its own (same templates) for other pages.
"""

from __future__ import annotations

import base64
import io
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
from jinja2 import Environment, FileSystemLoader, StrictUndefined

from mfgindex.core import geo
from mfgindex.policy import benchmarks as bm
from mfgindex.policy import homogeneity as hom
from mfgindex.policy import library, structures
from mfgindex.policy.records import KINDS

TEMPLATES = Path(__file__).resolve().parents[1] / "report" / "templates"
REPORT_SOURCE = "中国信息通信研究院《城市制造业高质量发展评价研究报告（2023年）》"


@dataclass(frozen=True)
class PolicyTable:
    """A table ready for ``policy_table.html``: caption, header, rows of strings (``\\n`` = line break)."""

    key: str
    caption: str
    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    source: str
    empty: str = ""
    source_label: str = "来源："

    def frame(self) -> pd.DataFrame:
        return pd.DataFrame(list(self.rows), columns=list(self.columns))


@dataclass(frozen=True)
class CaseBox:
    """A 专栏: heading, paragraphs as (bold lead sentence, rest), source line."""

    number: int
    heading: str
    paragraphs: tuple[tuple[str, str], ...]
    source: str
    source_label: str = "来源："


def _years_text(years: Sequence[int]) -> str:
    ys = sorted(set(years))
    if not ys:
        return ""
    return f"{ys[0]}" if len(ys) == 1 else f"{ys[0]}—{ys[-1]}"


def _select(
    records: pd.DataFrame, kind: str, cities: Sequence[str] | None, years: Sequence[int] | None
) -> pd.DataFrame:
    df = records[records["kind"] == kind]
    if cities:
        codes = [geo.resolve(c).code or c for c in cities]
        df = df[df["unit"].isin(codes)]
        order = {c: i for i, c in enumerate(codes)}
        df = df.assign(_o=df["unit"].map(order)).sort_values(["_o", "year"], kind="mergesort")
    else:
        df = df.assign(_s=df["seq"].astype("Float64").fillna(1e9)).sort_values(
            ["year", "_s", "unit"], kind="mergesort"
        )
    if years:
        df = df[df["year"].isin(list(years))]
    return df


def _sources(df: pd.DataFrame) -> str:
    # "…》，表1 …，序号3" → the publication and table, once
    heads = [re.sub(r"，序号\d+.*$", "", str(s)) for s in df["source"]]
    return "；".join(dict.fromkeys(heads))


def table1(
    records: pd.DataFrame, cities: Sequence[str] | None = None, years: Sequence[int] | None = None
) -> PolicyTable:
    """表1: government work report statements on manufacturing (序号, 城市, 相关表述)."""
    df = _select(records, "gov_work_report", cities, years)
    ytext = _years_text(df["year"].tolist()) or _years_text(list(years or []))
    rows = tuple(
        (str(i), str(r["city_name"]), str(r["text"])) for i, (_, r) in enumerate(df.iterrows(), start=1)
    )
    return PolicyTable(
        "policy_table1",
        f"表 重点城市{ytext}年政府工作报告关于制造业高质量发展相关表述",
        ("序号", "城市", "相关表述"),
        rows,
        _sources(df),
        "政策库中没有所选城市和年份的政府工作报告摘录。",
    )


def table2(
    records: pd.DataFrame, cities: Sequence[str] | None = None, years: Sequence[int] | None = None
) -> PolicyTable:
    """表2: policy documents (序号, 城市, 发文部门, 文件名称); a city's documents of a year share one row."""
    df = _select(records, "policy_document", cities, years)
    ytext = _years_text(df["year"].tolist()) or _years_text(list(years or []))
    rows: list[tuple[str, ...]] = []
    for (_unit, _year), g in df.groupby(["unit", "year"], sort=False):
        depts = "\n".join(dict.fromkeys(str(d) for d in g["department"]))
        titles = "\n".join(f"《{t}》" for t in g["title"])
        rows.append((str(len(rows) + 1), str(g["city_name"].iloc[0]), depts, titles))
    return PolicyTable(
        "policy_table2",
        f"表 重点城市{ytext}年制造业高质量发展政策性文件出台情况",
        ("序号", "城市", "发文部门", "文件名称"),
        tuple(rows),
        _sources(df),
        "政策库中没有所选城市和年份的政策文件。",
    )


def _paragraphs(text: str) -> tuple[tuple[str, str], ...]:
    out = []
    for i, p in enumerate(line.strip() for line in str(text).split("\n")):
        if not p:
            continue
        m = re.match(r"^([^。]{4,40}。)(.*)$", p) if i > 0 else None
        out.append((m.group(1), m.group(2)) if m else ("", p))
    return tuple(out)


def case_boxes(
    records: pd.DataFrame, cities: Sequence[str] | None = None, years: Sequence[int] | None = None
) -> list[CaseBox]:
    """专栏 boxes from case-study records (numbered in order)."""
    df = _select(records, "case_study", cities, years)
    boxes = []
    for i, (_, r) in enumerate(df.iterrows(), start=1):
        src = str(r["source"])
        source = "中国信息通信研究院整理" if "中国信息通信研究院整理" in src else src
        boxes.append(CaseBox(i, f"专栏{i} {r['title']}", _paragraphs(str(r["text"])), source))
    return boxes


def case_box(record: pd.Series | dict[str, Any], number: int = 1) -> CaseBox:
    """One case record → a :class:`CaseBox`."""
    r = dict(record)
    return CaseBox(number, f"专栏{number} {r['title']}", _paragraphs(str(r["text"])), str(r["source"]))


def _png_b64(fig: Any) -> str:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=150, metadata={"Software": None})
    return base64.b64encode(buf.getvalue()).decode("ascii")


def homogeneity_block(result: hom.Homogeneity, figure: bool = True, top: int = 12) -> dict[str, Any]:
    """Sentences, table (most similar pairs within each 城市群) and heatmap of a homogeneity analysis."""
    wc = result.within_cluster.sort_values("similarity", ascending=False).head(top)
    rows = tuple(
        (str(r.cluster), f"{r.name_a}—{r.name_b}", f"{r.similarity:.3f}", f"{r.krugman:.3f}")
        for r in wc.itertuples()
    )
    all_row = result.groups[result.groups["kind"] == "all"]
    mean = float(all_row["mean_similarity"].iloc[0]) if len(all_row) else float("nan")
    best = result.pairs.iloc[0]
    trend = result.over_years[result.over_years["kind"] == "all"]
    text = (
        f"以{result.structure.measure}衡量，{len(result.similarity)}个城市两两之间的产业结构相似系数平均为"
        f"{mean:.2f}，最相似的是{best['name_a']}与{best['name_b']}（{best['similarity']:.2f}）。"
    )
    if len(trend) >= 2:
        first, last = trend.iloc[0], trend.iloc[-1]
        text += (
            f"按上市年份累计，{int(first['cities'])}个城市的平均相似系数由{int(first['year'])}年的"
            f"{first['mean_similarity']:.2f}变为{int(last['year'])}年的{last['mean_similarity']:.2f}"
            "（累计口径：仅含至今仍在上市的企业；企业数增加本身也会抬高系数）。"
        )
    table = PolicyTable(
        "homogeneity_pairs",
        "表 城市群内产业结构最相似的城市对",
        ("城市群", "城市对", "产业结构相似系数", "Krugman差异指数"),
        rows,
        result.structure.source,
        "所选数据中没有同属一个城市群的城市对。",
    )
    return {
        "text": text,
        "table": table,
        "figure": _png_b64(hom.heatmap(result, source=None)) if figure else "",
        "source": "",  # the report's citation of the data (set by the report), printed under the caption
        "caption": f"图 城市产业结构相似系数（{result.structure.measure}，{result.year}）",
    }


def benchmark_block(
    values: pd.Series | None, indicator: str = "pct_per_10k", figure: bool = True
) -> dict[str, Any]:
    """The 图9 comparison when city values exist; else None-equivalent ({}) and the notes say so."""
    ref = bm.reference_for(indicator)
    refs = "、".join(f"{r.entity_zh}{r.value:g}" for r in ref.itertuples())
    label = bm.INDICATORS_ZH.get(indicator, indicator)
    notes = [f"{label}国际参照值：{refs}。来源：{'；'.join(dict.fromkeys(ref['source']))}。"]
    if values is None or values.empty:
        notes.insert(
            0,
            f"本次评价的数据不含{label}，未绘制城市与国际参照值的对比图；取得城市数据后即可补充这一比较。",
        )
        return {"block": {}, "notes": notes}
    c = bm.compare(values, indicator)
    nat = c.summary[c.summary["entity"] == "CHN"]
    text = f"{len(c.cities)}个城市中，"
    if len(nat):
        text += f"{int(nat['above'].iloc[0])}个高于全国平均水平（{float(nat['reference'].iloc[0]):g}）；"
    others = c.summary[c.summary["entity"] != "CHN"]
    text += "；".join(f"{r.above}个高于{r.entity_zh}（{r.reference:g}）" for r in others.itertuples()) + "。"
    block = {
        "text": text,
        "figure": _png_b64(bm.figure9(c)) if figure else "",
        "caption": f"图 部分城市{label}情况",
    }
    return {"block": block, "notes": notes}


def context(
    records: pd.DataFrame | None = None,
    cities: Sequence[str] | None = None,
    years: Sequence[int] | None = None,
    homogeneity: hom.Homogeneity | None = None,
    benchmark_values: pd.Series | None = None,
    figures: bool = True,
    section_id: str = "policy",
) -> dict[str, Any]:
    """Everything ``policy_section.html`` needs.

    ``records`` default: the shipped sample (the seed's 表1, 表2, 专栏1–2). ``homogeneity`` default: listed
    manufacturers by industry (cities with ≥ 20 firms). ``benchmark_values``: cities' PCT per 10,000 people
    (code → value); without them the block says that the data do not have them.
    """
    recs = library.load() if records is None else records
    if homogeneity is None:
        homogeneity = hom.analyse(structures.listed_structure(), min_total=20, trend_min_total=10)
    b = benchmark_block(benchmark_values, figure=figures)
    n_kinds = recs["kind"].value_counts()
    intro = "政策库收录" + "、".join(f"{KINDS[k]}{int(n_kinds.get(k, 0))}条" for k in KINDS) + "。"
    return {
        "id": section_id,
        "title": "政策举措、产业同质化与国际比较",
        "h_policies": "（一）重点城市政策举措与典型案例",
        "h_homogeneity": "（二）区域特色产业同质化",
        "h_benchmarks": "（三）创新水平的国际比较",
        "intro": intro,
        "table1": table1(recs, cities, years),
        "table2": table2(recs, cities, years),
        "cases": case_boxes(recs, cities, years),
        "no_cases": "政策库中没有所选城市和年份的案例。",
        "homogeneity": homogeneity_block(homogeneity, figures),
        "no_homogeneity": "没有可用于计算产业结构相似系数的分行业数据。",
        "benchmarks": b["block"],
        "benchmark_notes": b["notes"],
    }


def environment() -> Environment:
    return Environment(loader=FileSystemLoader(str(TEMPLATES)), autoescape=True, undefined=StrictUndefined)


def render_section(ctx: dict[str, Any]) -> str:
    """``policy_section.html`` rendered on its own (an HTML fragment)."""
    return environment().get_template("policy_section.html").render(policy=ctx)


def render_table(pt: PolicyTable) -> str:
    return environment().get_template("policy_table.html").render(pt=pt)


def render_case(box: CaseBox) -> str:
    return environment().get_template("policy_case.html").render(box=box)


__all__ = [
    "CaseBox",
    "PolicyTable",
    "case_box",
    "case_boxes",
    "context",
    "render_case",
    "render_section",
    "render_table",
    "table1",
    "table2",
]
