"""Charts of the robustness analyses (matplotlib, Agg, CJK font): rank intervals and Sobol indices.

Each chart is written as PNG and SVG. SVG files carry no date, so the same inputs give identical files.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from mfgindex.core.figures import setup_cjk_font


def _save(fig: Any, stem: Path) -> list[Path]:
    stem.parent.mkdir(parents=True, exist_ok=True)
    png, svg = stem.with_suffix(".png"), stem.with_suffix(".svg")
    fig.savefig(png, dpi=150, bbox_inches="tight", metadata={"Software": None})
    fig.savefig(svg, bbox_inches="tight", metadata={"Date": None, "Creator": None})
    plt.close(fig)
    return [png, svg]


def rank_intervals(stats: pd.DataFrame, stem: Path, title: str = "", max_units: int = 60) -> list[Path]:
    """Per unit (best nominal ranks first, at most ``max_units``): the 5-95 % rank interval as a bar, the
    median rank as a dot and the nominal rank as a cross (COINr ``plot_uncertainty``)."""
    setup_cjk_font()
    s = stats.dropna(subset=["nominal_rank"]).sort_values("nominal_rank", kind="mergesort").head(max_units)
    n = len(s)
    fig, ax = plt.subplots(figsize=(max(6.0, 0.22 * n + 1.5), 4.8))
    x = np.arange(n)
    lo = s["p05_rank"].to_numpy(np.float64)
    hi = s["p95_rank"].to_numpy(np.float64)
    ax.vlines(x, lo, hi, color="#9ecae1", linewidth=5, label="5%–95% 区间 (interval)")
    ax.scatter(x, s["median_rank"], color="#08519c", s=14, zorder=3, label="中位排名 (median)")
    ax.scatter(x, s["nominal_rank"].astype(float), color="#d62728", marker="x", s=16, zorder=4,
               label="名义排名 (nominal)")  # fmt: skip
    ax.set_xticks(x)
    ax.set_xticklabels(s["name"].astype(str), rotation=90, fontsize=7)
    ax.invert_yaxis()
    ax.set_ylabel("排名 (rank)")
    shown = f"（前 {n} 名）" if len(stats) > n else ""
    ax.set_title((title or "排名不确定性 (rank uncertainty)") + shown)
    ax.grid(axis="y", alpha=0.3)
    ax.legend(fontsize=8, loc="upper right")
    return _save(fig, stem)


def sobol_bars(sobol: pd.DataFrame, stem: Path, title: str = "") -> list[Path]:
    """First-order and total Sobol indices per assumption with their bootstrap intervals (negative
    estimates shown as 0, as COINr's ``plot_sensitivity``)."""
    setup_cjk_font()
    fig, ax = plt.subplots(figsize=(max(5.0, 1.2 * len(sobol) + 2), 4.0))
    x = np.arange(len(sobol))
    s1 = np.clip(sobol["S1"].to_numpy(np.float64), 0, None)
    st = np.clip(sobol["ST"].to_numpy(np.float64), 0, None)
    ax.bar(x - 0.2, s1, 0.4, yerr=sobol["S1_conf"], capsize=3, color="#3182bd", label="一阶 S1 (first order)")
    ax.bar(x + 0.2, st, 0.4, yerr=sobol["ST_conf"], capsize=3, color="#fd8d3c", label="总效应 ST (total)")
    ax.set_xticks(x)
    ax.set_xticklabels(sobol["factor"].astype(str))
    ax.set_ylim(0, max(1.0, float(np.nanmax(np.r_[st, s1, 0.0])) * 1.1))
    ax.set_ylabel("Sobol 指数 (index)")
    ax.set_title(title or "敏感性分析：平均排名变动 (Sobol, mean absolute rank shift)")
    ax.grid(axis="y", alpha=0.3)
    ax.legend(fontsize=8)
    return _save(fig, stem)
