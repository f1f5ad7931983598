"""The report's 研究工具 (research toolbox) section: the methods a user selects
(``mfgindex report --toolbox moran,dagum,obstacle``), each with its main figure, a short table and a line
of explanation, rendered by the Jinja2 partial ``report/templates/toolbox_section.html``.

Each method runs exactly as ``mfgindex toolbox METHOD`` with its default options (the bodies registered in
:data:`mfgindex.toolbox.methods.METHODS`), on the run being reported (re-evaluated from its framework and
data).
"""

from __future__ import annotations

import base64
import inspect
import io
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd

from mfgindex.core.errors import Problem, UserError
from mfgindex.core.result import Result


@dataclass(frozen=True)
class Entry:
    """How one method appears in the section: titles, the sheet shown (first rows) and its explanation."""

    zh: str
    en: str
    sheet: str
    rows: int
    text_zh: str
    text_en: str


ENTRIES: dict[str, Entry] = {
    "obstacle": Entry(
        "障碍度模型",
        "Obstacle degree",
        "dimension_mean",
        10,
        "障碍度 = 指标权重 × 偏离度（1 − 标准化值）占全部指标之比；维度障碍度越高，越拖累城市得分。",
        "Obstacle degree = weight × deviation (1 − normalised value), as a share over all indicators.",
    ),
    "coupling": Entry(
        "耦合协调度",
        "Coupling coordination",
        "grades",
        10,
        "发展质效与绿色发展两个子系统（默认）的耦合度 C、综合发展度 T 与协调度 D = √(C·T)，按十级划分。",
        "Coupling C, development T and coordination D = √(C·T) of quality and green (default), ten grades.",
    ),
    "gra": Entry(
        "灰色关联分析",
        "Grey relational analysis",
        "relation_dimensions",
        10,
        "各维度得分与总指数的灰色关联度（ρ = 0.5，均值化）；关联度越高，维度与指数的走势越一致。",
        "Grey relational grade of each dimension with the index (ρ = 0.5, mean-scaled).",
    ),
    "dagum": Entry(
        "Dagum基尼系数及分解",
        "Dagum Gini decomposition",
        "years",
        10,
        "按四大区域分解：G = 组内差异 Gw + 组间净差异 Gnb + 超变密度 Gt（可比面板，近五年）。",
        "By the four regions: G = within Gw + net between Gnb + transvariation Gt (comparable panel).",
    ),
    "kde": Entry(
        "核密度估计",
        "Kernel density",
        "summary",
        10,
        "各年指数的高斯核密度（Scott带宽）：峰的位置、高度与个数反映分布的移动、集中与极化。",
        "Gaussian kernel density of the index by year (Scott bandwidth).",
    ),
    "convergence": Entry(
        "σ收敛与β收敛",
        "σ- and β-convergence",
        "beta",
        10,
        "β < 0 且显著表示收敛（低分城市增长更快）；条件β含城市与年份固定效应，标准误按城市聚类。",
        "β < 0 (significant) means convergence; conditional β with city and year fixed effects.",
    ),
    "moran": Entry(
        "空间自相关（Moran's I 与 LISA）",
        "Spatial autocorrelation (Moran's I, LISA)",
        "moran",
        10,
        "全局Moran's I > 0 表示得分相近的城市在空间上集聚（Queen邻接，999次置换）；地图为LISA集聚类型。",
        "Moran's I > 0: similar scores cluster in space (queen contiguity, 999 permutations); LISA map.",
    ),
    "markov": Entry(
        "马尔可夫转移矩阵",
        "Markov transition matrix",
        "probabilities",
        10,
        "按排名四分位划分等级，相邻年份等级转移概率；对角线越大，城市等级越稳定。",
        "Rank quartile classes, one-year transition probabilities; a heavy diagonal means stable classes.",
    ),
    "fitweights": Entry(
        "榜单权重反推",
        "Weights implied by the published list",
        "weights",
        10,
        "使本框架的维度得分最能复现已发布榜单的非负维度权重（成对有序logit），附自助法区间，与框架权重对照；不改变框架本身。",
        "Dimension weights that best reproduce the published list (pairwise ordinal logit), with bootstrap "
        "intervals, next to the framework's own; the framework is not changed.",
    ),
}


def parse_methods(text: str | None) -> tuple[str, ...]:
    """``moran,dagum`` → ``("moran", "dagum")``; unknown names raise :class:`UserError` (exit 2)."""
    if not text:
        return ()
    names = tuple(dict.fromkeys(s.strip() for s in text.split(",") if s.strip()))
    bad = [n for n in names if n not in ENTRIES]
    if bad:
        raise UserError(
            Problem(
                "unknown toolbox method", column="--toolbox", value=",".join(bad), expected=", ".join(ENTRIES)
            )
        )
    return names


def _defaults(body: Any, lang_overrides: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for p in list(inspect.signature(body).parameters.values())[1:]:
        if p.name in lang_overrides:
            out[p.name] = lang_overrides[p.name]
        elif p.default is not inspect.Parameter.empty:
            out[p.name] = p.default
    return out


def _table(frame: pd.DataFrame, rows: int) -> dict[str, Any]:
    f = (
        frame
        if frame.index.name is None and frame.index.equals(pd.RangeIndex(len(frame)))
        else frame.reset_index()
    )
    f = f.head(rows).iloc[:, :8]

    def cell(v: Any) -> str:
        if isinstance(v, float):
            return "—" if pd.isna(v) else f"{v:.3f}"
        return str(v)

    return {
        "columns": [str(c) for c in f.columns],
        "rows": [[cell(v) for v in r] for r in f.itertuples(index=False)],
    }


def toolbox_section(result: Result, methods: Sequence[str], lang: str = "zh") -> dict[str, Any] | None:
    """The template context of the 研究工具 section for the evaluation ``result`` (the methods read it, its
    data included), or None when no method is selected."""
    if not methods:
        return None
    from mfgindex.core import geo
    from mfgindex.toolbox.methods import METHODS
    from mfgindex.toolbox.source import Context

    overrides = {
        "ranking": geo.data_path("caict2023", "top50_2023.csv"),
        "bootstrap": 100,
        "permutations": 999,
    }
    items = []
    for n, name in enumerate(methods, 1):
        entry = ENTRIES[name]
        ctx = Context(result, {"year": result.year})
        out = METHODS[name](ctx, **_defaults(METHODS[name], overrides))
        fig_key, fig = next(iter(out.figures.items()))
        buf = io.BytesIO()
        fig.savefig(buf, format="png", dpi=120, metadata={"Software": None})
        title = entry.zh if lang == "zh" else entry.en
        items.append(
            {
                "key": name,
                "title": f"（{n}）{title}" if lang == "zh" else f"{n}. {title}",
                "text": entry.text_zh if lang == "zh" else entry.text_en,
                "figure": base64.b64encode(buf.getvalue()).decode("ascii"),
                "figure_key": fig_key,
                "caption": (f"图 {title}" if lang == "zh" else f"Figure. {title}"),
                "table": _table(out.sheets[entry.sheet], entry.rows),
                "table_caption": (
                    f"表 {title}（{entry.sheet}）" if lang == "zh" else f"Table. {title} ({entry.sheet})"
                ),
            }
        )
    return {
        "id": "toolbox",
        "title": "研究工具" if lang == "zh" else "Research toolbox",
        "intro": (
            "以下方法与 mfgindex toolbox 命令的默认设置相同，完整结果可用对应命令写出到 results.xlsx。"
            if lang == "zh"
            else "Each method as `mfgindex toolbox METHOD` with its defaults (full results: the command)."
        ),
        "items": items,
    }
