"""Figures of a full run (图5-7 and the sub-indices): value added, growth and share of GDP of the top N,
sub-index distributions and the radar grid of the top cities."""

from __future__ import annotations

import math
import textwrap
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from mfgindex.analysis.table import top
from mfgindex.report.figure_style import (
    MIN_PRINT_PT,
    OTHER_COLOUR,
    PRINT_WIDTH_IN,
    REGION_COLOURS,
    _figure,
    _short,
    _source,
)

_FIG_TEXT: dict[str, dict[str, str]] = {
    "zh": {
        "va_title": "{n}强城市{label}规模分布（{prev}-{year}年）",
        "va_axis": "{label}（亿元）",
        "growth_title": "{year}年{n}强城市{label}增速分布",
        "growth_axis": "增速（%，名义）",
        "national": "全国（{v}）",
        "share_title": "{year}年{n}强城市{label}占GDP比重分布",
        "share_axis": "占GDP比重（%）",
        "sub_title": "分项指数分布：{n}强城市与全部参评城市",
        "sub_axis": "指数得分",
        "top": "{n}强城市",
        "all": "全部参评城市",
        "radar_title": "前{k}名城市分项指数雷达图（灰色为前10强平均）",
    },
    "en": {
        "va_title": "Value added ({label}) of the top {n}, {prev}-{year}",
        "va_axis": "{label} (100 million yuan)",
        "growth_title": "Growth of {label} of the top {n}, {year}",
        "growth_axis": "Growth (%, nominal)",
        "national": "National ({v})",
        "share_title": "{label} as a share of GDP, top {n}, {year}",
        "share_axis": "Share of GDP (%)",
        "sub_title": "Sub-index scores: top {n} and all ranked cities",
        "sub_axis": "Score",
        "top": "Top {n}",
        "all": "All ranked cities",
        "radar_title": "Sub-index profiles of the top {k} (grey: mean of the top 10)",
    },
}


def va_distribution_chart(
    table: pd.DataFrame,
    context: pd.DataFrame,
    n: int = 50,
    year: int = 0,
    previous_year: int | None = None,
    label: str = "第二产业增加值",
    lang: str = "zh",
    source: str = "",
) -> Figure:
    """图5: value added of each top-``n`` city (sorted), the previous year beside it, with the 5000 and
    10000 亿元 marks the report uses. ``context`` has ``va`` (and ``va_prev``) by adcode."""
    tx = _FIG_TEXT[lang]
    t = top(table, n)
    c = context.reindex(t.index)
    order = c["va"].sort_values(ascending=False).index
    fig = _figure(PRINT_WIDTH_IN, 3.5)
    ax = fig.add_subplot()
    x = np.arange(len(order), dtype=float)
    colours = [REGION_COLOURS.get(str(t.at[k, "region"]), OTHER_COLOUR) for k in order]
    has_prev = "va_prev" in c.columns and c["va_prev"].notna().any() and previous_year is not None
    if has_prev:
        ax.bar(x - 0.2, c.loc[order, "va_prev"].to_numpy(dtype=float), 0.4, color=colours, alpha=0.35)
        ax.bar(x + 0.2, c.loc[order, "va"].to_numpy(dtype=float), 0.4, color=colours)
    else:
        ax.bar(x, c.loc[order, "va"].to_numpy(dtype=float), 0.7, color=colours)
    for mark in (5000, 10000):
        if float(np.nanmax(c["va"].to_numpy(dtype=float))) > mark * 0.8:
            ax.axhline(mark, color="#999999", linewidth=0.7, linestyle="--")
            ax.text(
                len(order) - 0.5,
                mark,
                f"{mark}",
                fontsize=MIN_PRINT_PT,
                color="#666666",
                ha="right",
                va="bottom",
            )
    ax.set_xticks(x, [_short(str(t.at[k, "name"])) for k in order], rotation=90, fontsize=MIN_PRINT_PT)
    ax.tick_params(axis="y", labelsize=MIN_PRINT_PT)
    ax.set_xlim(-0.7, len(order) - 0.3)
    ax.set_ylabel(tx["va_axis"].format(label=label), fontsize=8)
    ax.spines[["top", "right"]].set_visible(False)
    handles = [Patch(color=col, label=r) for r, col in REGION_COLOURS.items() if r in set(t["region"])]
    if has_prev:
        handles += [
            Patch(color="#888888", alpha=0.35, label=str(previous_year)),
            Patch(color="#888888", label=str(year)),
        ]
    ax.legend(handles=handles, fontsize=MIN_PRINT_PT, frameon=False, ncols=2)
    ax.set_title(tx["va_title"].format(n=n, label=label, prev=previous_year or year, year=year), fontsize=11)
    _source(fig, source, lang)
    return fig


def context_chart(
    table: pd.DataFrame,
    context: pd.DataFrame,
    column: str,
    n: int = 50,
    year: int = 0,
    national: float | None = None,
    label: str = "第二产业增加值",
    lang: str = "zh",
    source: str = "",
) -> Figure:
    """The top-``n`` cities' ``context[column]``, sorted, as bars coloured by region: 图6 (``"growth"``,
    nominal growth of value added, with the national growth) or 图7 (``"share"``, value added as a share
    of GDP, with 50 % and the national share, 40 % without it)."""
    tx = _FIG_TEXT[lang]
    refs: list[tuple[float, str]] = [(0.5, "50%")] if column == "share" else []
    if national is not None:
        refs.append((national, tx["national"].format(v=f"{national * 100:.1f}%")))
    elif column == "share":
        refs.append((0.4, "40%"))
    t = top(table, n)
    v = (context[column].reindex(t.index) * 100).dropna().sort_values(ascending=False)
    fig = _figure(PRINT_WIDTH_IN, 3.4)
    ax = fig.add_subplot()
    x = np.arange(len(v), dtype=float)
    colours = [REGION_COLOURS.get(str(t.at[k, "region"]), OTHER_COLOUR) for k in v.index]
    ax.bar(x, v.to_numpy(dtype=float), 0.7, color=colours)
    for val, text in refs:
        ax.axhline(val * 100, color="#555555", linewidth=0.8, linestyle="--")
        ax.text(
            len(v) - 0.5, val * 100, text, fontsize=MIN_PRINT_PT, color="#333333", ha="right", va="bottom"
        )
    ax.axhline(0, color="#333333", linewidth=0.6)
    ax.set_xticks(x, [_short(str(t.at[k, "name"])) for k in v.index], rotation=90, fontsize=MIN_PRINT_PT)
    ax.tick_params(axis="y", labelsize=MIN_PRINT_PT)
    ax.set_xlim(-0.7, len(v) - 0.3)
    ax.set_ylabel(tx[f"{column}_axis"], fontsize=8)
    ax.spines[["top", "right"]].set_visible(False)
    handles = [Patch(color=col, label=r) for r, col in REGION_COLOURS.items() if r in set(t["region"])]
    ax.legend(handles=handles, fontsize=MIN_PRINT_PT, frameon=False, loc="upper center", ncols=4)
    ax.set_title(tx[f"{column}_title"].format(year=year, n=n, label=label), fontsize=10)
    _source(fig, source, lang)
    return fig


def subindex_distribution_chart(
    table: pd.DataFrame,
    dims: Sequence[str],
    labels: Mapping[str, str] | None = None,
    n: int = 50,
    lang: str = "zh",
    source: str = "",
) -> Figure:
    """Distribution of every sub-index: box plots of all ranked cities and of the top ``n`` side by side."""
    tx = _FIG_TEXT[lang]
    labels = labels or {}
    t = top(table, n)
    fig = _figure(PRINT_WIDTH_IN, 3.4)
    ax = fig.add_subplot()
    pos = np.arange(len(dims), dtype=float)
    all_vals = [table[d].dropna().to_numpy(dtype=float) for d in dims]
    top_vals = [t[d].dropna().to_numpy(dtype=float) for d in dims]
    b1 = ax.boxplot(all_vals, positions=pos - 0.18, widths=0.3, patch_artist=True, showfliers=False)
    b2 = ax.boxplot(top_vals, positions=pos + 0.18, widths=0.3, patch_artist=True, showfliers=False)
    for box in b1["boxes"]:
        box.set(facecolor="#DDDDDD", edgecolor="#777777")
    for box in b2["boxes"]:
        box.set(facecolor="#9ECAE1", edgecolor="#08519C")
    for parts in (b1, b2):
        for med in parts["medians"]:
            med.set(color="#333333")
    ax.set_xticks(pos, [labels.get(d, d) for d in dims], fontsize=9)
    ax.tick_params(axis="y", labelsize=MIN_PRINT_PT)
    ax.set_ylabel(tx["sub_axis"], fontsize=8)
    ax.spines[["top", "right"]].set_visible(False)
    # outside the axes: inside, it covered the last dimension's boxes
    fig.legend(
        handles=[
            Patch(facecolor="#DDDDDD", edgecolor="#777777", label=tx["all"]),
            Patch(facecolor="#9ECAE1", edgecolor="#08519C", label=tx["top"].format(n=n)),
        ],
        fontsize=8.5,
        frameon=False,
        loc="outside lower center",
        ncols=2,
    )
    ax.set_title(tx["sub_title"].format(n=n), fontsize=11)
    _source(fig, source, lang)
    return fig


def radar_grid(
    table: pd.DataFrame,
    codes: Sequence[str],
    dims: Sequence[str],
    labels: Mapping[str, str] | None = None,
    ncols: int = 4,
    lang: str = "zh",
    source: str = "",
) -> Figure:
    """Small-multiple radar charts of several cities against the mean of the top 10 (labels 8.5 pt as
    drawn: about 7.2 pt on paper, where the report prints the 3 × 4 grid 225 mm high)."""
    if len(dims) < 3:
        raise ValueError("a radar chart needs at least 3 dimensions")
    tx = _FIG_TEXT[lang]
    labels = labels or {}
    nrows = max(1, math.ceil(len(codes) / ncols))
    fig = _figure(2.35 * ncols, 2.5 * nrows + 0.4)
    angles = np.linspace(0, 2 * math.pi, len(dims), endpoint=False)
    ang = np.append(angles, angles[0])
    ref = top(table, 10)
    ref_vals = np.array([float(ref[d].mean()) for d in dims])
    vmax = max(100.0, float(np.nanmax(table[list(dims)].to_numpy(dtype=float))))
    for i, code in enumerate(codes):
        ax = fig.add_subplot(nrows, ncols, i + 1, projection="polar")
        row: dict[Any, Any] = table.loc[code].to_dict()
        me = np.array([float(row[d]) for d in dims])
        ax.plot(ang, np.append(ref_vals, ref_vals[0]), color="#999999", linewidth=0.8)
        ax.fill(ang, np.append(ref_vals, ref_vals[0]), color="#999999", alpha=0.1)
        ax.plot(ang, np.append(me, me[0]), color="#D55E00", linewidth=1.2)
        ax.fill(ang, np.append(me, me[0]), color="#D55E00", alpha=0.25)
        ax.set_xticks(angles, ["" for _ in dims])
        ax.set_ylim(0, vmax)
        ax.set_yticks([25, 50, 75], ["", "", ""])
        # labels outside the ring, anchored on the side facing the chart so that none crosses the circle
        for a, d in zip(angles, dims, strict=True):
            c, s_ = math.cos(a), math.sin(a)
            ha = "left" if c > 0.2 else "right" if c < -0.2 else "center"
            va = "bottom" if s_ > 0.5 else "top" if s_ < -0.5 else "center"  # sides: centred, so that
            # a two-line label there does not climb into its neighbour above or below
            # long English names wrapped at spaces ("Industrial / agglomeration"): on one line they ran
            # into the next panel and past the page edge; Chinese names have no spaces and stay whole
            label = textwrap.fill(labels.get(d, d), 14, break_long_words=False)
            radius = vmax * (1.16 if va == "center" and "\n" in label else 1.08)  # a tall box's corner
            ax.text(a, radius, label, fontsize=8.5, ha=ha, va=va, clip_on=False, multialignment="center")
        ax.set_title(f"{int(row['rank'])}. {row['name']!s}", fontsize=9.5, pad=16)
    fig.suptitle(tx["radar_title"].format(k=len(codes)), fontsize=10)
    _source(fig, source, lang)
    return fig
