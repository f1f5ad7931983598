"""Report figures (matplotlib, PNG + SVG) with Chinese labels in the shipped CJK font.

Figures follow the seed report's 图1-4: the ranking by region, a map of the top N by 城市群, the
distribution by region and by province (two years when previous ranks exist), the rank change by
province, plus a radar chart per city (the map: :mod:`.map_figure`; the figures of a full run, 图5-7:
:mod:`.run_figures`; the common style: :mod:`.figure_style`). Every function builds a
:class:`matplotlib.figure.Figure` without pyplot state (safe in threads and servers); :func:`save` writes it.

Fonts: :func:`mfgindex.core.figures.setup_cjk_font` registers the CJK font shipped with the package
(``data/fonts``, a subset of Noto Sans CJK SC) by path and makes it the only family: no system font needed.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.patches import Patch
from matplotlib.ticker import MaxNLocator

from mfgindex.analysis.table import top
from mfgindex.core import geo
from mfgindex.core.figures import save as save
from mfgindex.core.figures import setup_cjk_font as setup_cjk_font
from mfgindex.report.figure_style import (
    _OLD_TEXT,
    CHANGE_COLOURS,
    CHANGE_EN,
    CHANGE_ZH,
    MIN_PRINT_PT,
    OTHER_COLOUR,
    PRINT_WIDTH_IN,
    REGION_COLOURS,
    _figure,
    _province,
    _region,
    _short,
    _source,
)
from mfgindex.report.map_figure import cluster_map

# ---------------------------------------------------------------- ranking bar chart


def ranking_bar(
    table: pd.DataFrame,
    n: int = 50,
    value: str | None = None,
    title: str | None = None,
    source: str = "",
    lang: str = "zh",
) -> Figure:
    """Horizontal bars of the top ``n``, coloured by region.

    With a score column ``value`` (e.g. ``index``) the bars show the score; without one (a published list)
    they show the rank as a dot plot, so no number that was not published is drawn.
    """
    tx = _OLD_TEXT[lang]
    t = top(table, n).sort_values("rank")
    # print width, at most 225 mm high (figure.tall): 50 cities at 7.5 pt print at scale 1
    fig = _figure(PRINT_WIDTH_IN, min(8.8, max(4.0, 0.16 * len(t) + 1.0)))
    ax = fig.add_subplot()
    y = np.arange(len(t))[::-1]
    colours = [REGION_COLOURS.get(str(r), OTHER_COLOUR) for r in t["region"]]
    labels = [f"{int(r)}  {name}" for r, name in zip(t["rank"], t["name"], strict=True)]
    if value is not None and value in t.columns:
        vals = t[value].astype(float).to_numpy()
        ax.barh(y, vals, color=colours, height=0.72)
        for yi, v in zip(y, vals, strict=True):
            ax.text(float(v), float(yi), f" {v:.1f}", va="center", fontsize=MIN_PRINT_PT)
        ax.set_xlabel(tx["score"])
    else:
        ax.hlines(y, 0, t["rank"].to_numpy(), color="#DDDDDD", linewidth=0.8)
        ax.scatter(t["rank"].to_numpy(), y, c=colours, s=22, zorder=3)
        ax.set_xlabel(tx["rank"])
        ax.set_xlim(0, max(n, int(t["rank"].max())) + 2)
    ax.set_yticks(y, labels, fontsize=MIN_PRINT_PT)
    ax.tick_params(axis="x", labelsize=8)
    ax.set_ylim(-0.8, len(t) - 0.2)
    ax.spines[["top", "right"]].set_visible(False)
    handles = [
        Patch(color=c, label=_region(r, lang)) for r, c in REGION_COLOURS.items() if r in set(t["region"])
    ]
    # the empty corner: lower right under score bars, upper right in the rank dot plot
    corner: Literal["lower right", "upper right"] = (
        "lower right" if value is not None and value in t.columns else "upper right"
    )
    ax.legend(handles=handles, loc=corner, fontsize=8, frameon=False, title=tx["region"], title_fontsize=8)
    ax.set_title(title or tx["ranking_title"].format(n=n), fontsize=11)
    _source(fig, source, lang)
    return fig


# ---------------------------------------------------------------- distributions


def region_distribution_chart(table: pd.DataFrame, n: int = 50, source: str = "", lang: str = "zh") -> Figure:
    """Cities of the top ``n`` by region in rank bands 1-10 / 11-20 / 21-n (stacked); with a full previous
    ranking (``prev_rank`` for more than ``n`` cities) the previous year is drawn beside each bar (图1)."""
    tx = _OLD_TEXT[lang]
    bands = [(1, 10, tx["band1"]), (11, 20, tx["band2"]), (21, n, tx["band3"].format(n=n))]
    shades = ["#08306B", "#4292C6", "#C6DBEF"]
    regions = list(geo.REGION_ORDER)
    has_prev = "prev_rank" in table.columns and table["prev_rank"].notna().sum() > n

    def counts(rank: pd.Series) -> np.ndarray:
        reg = table.loc[rank.index, "region"]
        return np.array(
            [[int(((rank >= a) & (rank <= b) & (reg == r)).sum()) for r in regions] for a, b, _ in bands]
        )

    fig = _figure(6.4, 4.0)
    ax = fig.add_subplot()
    x = np.arange(len(regions), dtype=float)
    series: list[tuple[str, np.ndarray, float, float]] = []
    if has_prev:
        series.append((tx["prev"], counts(table["prev_rank"].dropna()), -0.2, 0.5))
        series.append((tx["cur"], counts(table["rank"]), 0.2, 1.0))
        width = 0.38
    else:
        series.append(("", counts(table["rank"]), 0.0, 1.0))
        width = 0.6
    for label, c, dx, alpha in series:
        bottom = np.zeros(len(regions))
        for (_, _, name), shade, row in zip(bands, shades, c, strict=True):
            ax.bar(
                x + dx,
                row,
                width,
                bottom=bottom,
                color=shade,
                alpha=alpha,
                edgecolor="white",
                label=name if alpha == 1.0 else None,
            )
            bottom += row
        for xi, total in zip(x + dx, bottom, strict=True):
            ax.text(
                xi,
                total,
                f"{int(total)}" + (f"\n{label}" if label else ""),
                ha="center",
                va="bottom",
                fontsize=7,
            )
    ax.set_xticks(x, [_region(r, lang) for r in regions])
    ax.set_ylabel(tx["count"].format(n=n))
    ax.set_ylim(0, ax.get_ylim()[1] * 1.15)
    ax.spines[["top", "right"]].set_visible(False)
    ax.legend(fontsize=8, frameon=False)
    ax.set_title(tx["regions_title"].format(n=n) + (tx["two_years"] if has_prev else ""), fontsize=11)
    _source(fig, source, lang)
    return fig


def province_distribution_chart(
    table: pd.DataFrame, n: int = 50, source: str = "", lang: str = "zh"
) -> Figure:
    """Number of top-``n`` cities per province (图3); previous year beside it when a full previous
    ranking is known. Provinces without a city are listed in a note."""
    tx = _OLD_TEXT[lang]
    t = top(table, n)
    has_prev = "prev_rank" in table.columns and table["prev_rank"].notna().sum() > n
    cur = t.groupby("province").size()
    prev = table[table["prev_rank"] <= n].groupby("province").size() if has_prev else pd.Series(dtype=int)
    provs = sorted(set(cur.index) | set(prev.index), key=lambda p: (-cur.get(p, 0), -prev.get(p, 0), p))
    fig = _figure(PRINT_WIDTH_IN, 3.4)
    ax = fig.add_subplot()
    x = np.arange(len(provs), dtype=float)
    colours = [REGION_COLOURS.get(str(geo.provinces().loc[p, "region"]), OTHER_COLOUR) for p in provs]
    c = np.array([cur.get(p, 0) for p in provs])
    if has_prev:
        pv = np.array([prev.get(p, 0) for p in provs])
        ax.bar(x - 0.2, pv, 0.38, color=colours, alpha=0.35, label=tx["prev"])
        ax.bar(x + 0.2, c, 0.38, color=colours, label=tx["cur"])
    else:
        ax.bar(x, c, 0.65, color=colours)
    for xi, v in zip(x + (0.2 if has_prev else 0.0), c, strict=True):
        ax.text(xi, v, str(int(v)), ha="center", va="bottom", fontsize=MIN_PRINT_PT)
    if lang == "en":
        ax.set_xticks(x, [_province(p, lang) for p in provs], fontsize=MIN_PRINT_PT, rotation=45, ha="right")
    else:
        ax.set_xticks(x, provs, fontsize=8)
    ax.set_ylabel(tx["count"].format(n=n), fontsize=8)
    ax.tick_params(axis="y", labelsize=MIN_PRINT_PT)
    ax.spines[["top", "right"]].set_visible(False)
    handles = [Patch(color=col, label=_region(r, lang)) for r, col in REGION_COLOURS.items()]
    if has_prev:
        handles += [
            Patch(color="#888888", alpha=0.35, label=tx["prev"]),
            Patch(color="#888888", label=tx["cur"]),
        ]
    ax.legend(handles=handles, fontsize=MIN_PRINT_PT, frameon=False, ncols=2)
    ax.set_title(tx["provinces_title"].format(n=n), fontsize=11)
    _source(fig, source, lang)
    return fig


def rank_change_chart(table: pd.DataFrame, n: int = 50, source: str = "", lang: str = "zh") -> Figure:
    """Movement of the top ``n`` by province: stacked counts of 上升 / 持平 / 下降 / 新增 (图4).

    With previous ranks the right panel shows each city's move (previous → current rank).
    """
    tx = _OLD_TEXT[lang]
    names = CHANGE_EN if lang == "en" else CHANGE_ZH
    t = top(table, n)
    if "change" not in t.columns:
        raise ValueError("rank_change_chart needs a change column (up/down/same/new)")
    has_prev = "prev_rank" in t.columns and t["prev_rank"].notna().any()
    # print width; with the per-city panel tall enough for one 7.5 pt name per row
    rows = max(0.26 * t["province"].nunique(), 0.155 * len(t) if has_prev else 0.0)
    fig = _figure(PRINT_WIDTH_IN, max(3.6, rows + 1.2))
    axes = fig.subplots(1, 2, width_ratios=[1, 1.3]) if has_prev else [fig.add_subplot()]
    ax = axes[0]
    tab = pd.crosstab(t["province"], t["change"]).reindex(columns=list(CHANGE_ZH), fill_value=0)
    tab = tab.loc[tab.sum(axis=1).sort_values(ascending=True, kind="stable").index]
    left = np.zeros(len(tab))
    y = np.arange(len(tab))
    for ch, label in names.items():
        vals = tab[ch].to_numpy()
        ax.barh(y, vals, left=left, color=CHANGE_COLOURS[ch], label=label, height=0.7)
        left += vals
    ax.set_yticks(y, [_province(str(p), lang) for p in tab.index], fontsize=8)
    ax.set_xlabel(tx["cities"], fontsize=8)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.tick_params(axis="x", labelsize=MIN_PRINT_PT)
    ax.spines[["top", "right"]].set_visible(False)
    ax.legend(fontsize=MIN_PRINT_PT, frameon=False, loc="lower right")
    ax.set_title(tx["change_title"], fontsize=10)
    if has_prev:
        ax2 = axes[1]
        d = t.sort_values("rank")
        yy = np.arange(len(d))[::-1]
        for yi, (_, r) in zip(yy, d.iterrows(), strict=True):
            col = CHANGE_COLOURS.get(str(r.get("change", "")), OTHER_COLOUR)
            if pd.notna(r["prev_rank"]):
                ax2.annotate(
                    "",
                    xy=(r["rank"], yi),
                    xytext=(r["prev_rank"], yi),
                    arrowprops={"arrowstyle": "->", "color": col, "lw": 1},
                )
            ax2.plot(r["rank"], yi, "o", color=col, ms=3)
        ax2.set_yticks(yy, list(d["name"]), fontsize=MIN_PRINT_PT)
        ax2.set_ylim(-0.8, len(d) - 0.2)
        ax2.set_xlabel(tx["move_axis"], fontsize=8)
        ax2.tick_params(axis="x", labelsize=MIN_PRINT_PT)
        xmax = float(np.nanmax(d[["rank", "prev_rank"]].to_numpy(dtype=float))) + 1
        ax2.set_xlim(xmax, 0)  # rank 1 on the right: moving right = rising
        ax2.spines[["top", "right"]].set_visible(False)
        ax2.set_title(tx["move_title"], fontsize=10)
    _source(fig, source, lang)
    return fig


# ---------------------------------------------------------------- radar


def radar_chart(
    table: pd.DataFrame,
    code: str,
    dims: Sequence[str],
    labels: Mapping[str, str] | None = None,
    compare: str = "top10",
    source: str = "",
) -> Figure:
    """Radar chart of one city's dimension scores, against the mean of the top 10 (``compare="top10"``)
    or of all cities (``"all"``)."""
    labels = labels or {}
    if len(dims) < 3:
        raise ValueError("a radar chart needs at least 3 dimensions")
    me = table.loc[code].to_dict()
    ref_rows = top(table, 10) if compare == "top10" else table
    ref_name = "前10强平均" if compare == "top10" else "全部城市平均"
    angles = np.linspace(0, 2 * math.pi, len(dims), endpoint=False)
    fig = _figure(5.0, 5.0)
    ax = fig.add_subplot(projection="polar")
    for vals, lab, col, fill in (
        (np.array([float(ref_rows[d].mean()) for d in dims]), ref_name, "#999999", 0.10),
        (np.array([float(me[d]) for d in dims]), str(me["name"]), "#D55E00", 0.25),
    ):
        closed = np.append(vals, vals[0])
        ang = np.append(angles, angles[0])
        ax.plot(ang, closed, color=col, linewidth=1.5, label=lab)
        ax.fill(ang, closed, color=col, alpha=fill)
    ax.set_xticks(angles, [labels.get(d, d) for d in dims], fontsize=9)
    ax.set_ylim(0, max(100.0, float(np.nanmax(table[list(dims)].to_numpy(dtype=float)))))
    ax.tick_params(axis="y", labelsize=7)
    ax.legend(loc="upper right", bbox_to_anchor=(1.15, 1.12), fontsize=8, frameon=False)
    ax.set_title(f"{me['name']}（全国第{int(me['rank'])}位）分项指数", fontsize=11, pad=18)
    _source(fig, source)
    return fig


# ---------------------------------------------------------------- map


def render_published(
    table: pd.DataFrame,
    out_dir: str | Path,
    n: int = 50,
    source: str = "",
    definition: str = geo.DEFAULT_CLUSTER_DEFINITION,
) -> list[Path]:
    """All figures that a published ranking supports (no scores): ranking, map, region, province, change."""
    paths: list[Path] = []
    paths += save(ranking_bar(table, n, source=source), out_dir, "fig_ranking")
    paths += save(cluster_map(table, n, definition, source=source), out_dir, "fig_cluster_map")
    paths += save(region_distribution_chart(table, n, source=source), out_dir, "fig_regions")
    paths += save(province_distribution_chart(table, n, source=source), out_dir, "fig_provinces")
    if "change" in table.columns:
        paths += save(rank_change_chart(table, n, source=source), out_dir, "fig_rank_change")
    return paths


# ---------------------------------------------------------------- run-mode distributions (图5-7, sub-indices)


# ---------------------------------------------------------------- robustness (rank intervals, Sobol)

_ROBUST_TEXT: dict[str, dict[str, str]] = {
    "zh": {
        "interval": "5%–95%区间",
        "median": "中位排名",
        "nominal": "名义排名",
        "rank": "排名",
        "ua_title": "{n}强城市排名的不确定性（{reps}次模拟）",
        "s1": "一阶效应 S1",
        "st": "总效应 ST",
        "sobol_axis": "Sobol指数",
        "sobol_title": "各项假设对平均排名变动的影响（Sobol指数）",
    },
    "en": {
        "interval": "5-95% interval",
        "median": "Median rank",
        "nominal": "Nominal rank",
        "rank": "Rank",
        "ua_title": "Rank uncertainty of the top {n} ({reps} replications)",
        "s1": "First order S1",
        "st": "Total ST",
        "sobol_axis": "Sobol index",
        "sobol_title": "Influence of each assumption on the mean rank shift (Sobol indices)",
    },
}


def rank_interval_chart(
    stats: pd.DataFrame, n: int = 50, replications: int = 0, lang: str = "zh", source: str = ""
) -> Figure:
    """Per city of the nominal top ``n``: the 5-95 % rank interval (bar), the median rank (dot) and the
    nominal rank (cross), as COINr's ``plot_uncertainty``. ``stats`` has the columns of
    ``uncertainty.csv`` (name, nominal_rank, median_rank, p05_rank, p95_rank)."""
    tx = _ROBUST_TEXT[lang]
    s = stats.dropna(subset=["nominal_rank"]).sort_values("nominal_rank", kind="mergesort")
    s = s[s["nominal_rank"].astype(float) <= n]
    fig = _figure(PRINT_WIDTH_IN, 3.6)
    ax = fig.add_subplot()
    x = np.arange(len(s), dtype=float)
    lo = s["p05_rank"].to_numpy(dtype=float)
    hi = s["p95_rank"].to_numpy(dtype=float)
    ax.vlines(x, lo, hi, color="#9ECAE1", linewidth=3.5, label=tx["interval"])
    ax.scatter(x, s["median_rank"].to_numpy(dtype=float), color="#08519C", s=12, zorder=3, label=tx["median"])
    ax.scatter(x, s["nominal_rank"].to_numpy(dtype=float), color="#D55E00", marker="x", s=14, zorder=4,
               label=tx["nominal"])  # fmt: skip
    ax.set_xticks(x, [_short(str(v)) for v in s["name"]], rotation=90, fontsize=MIN_PRINT_PT)
    ax.tick_params(axis="y", labelsize=MIN_PRINT_PT)
    ax.set_xlim(-0.7, len(s) - 0.3)
    bottom = float(np.nanmax(np.r_[hi, s["nominal_rank"].to_numpy(dtype=float), 1.0]))
    ax.set_ylim(bottom * 1.03 + 1, 0.0)  # rank 1 on top
    ax.yaxis.set_major_locator(MaxNLocator(integer=True, min_n_ticks=3))
    ax.set_yticks([t for t in ax.get_yticks() if 1 <= t <= bottom * 1.03 + 1] or [1])
    ax.set_ylabel(tx["rank"], fontsize=8)
    ax.grid(axis="y", alpha=0.3)
    ax.spines[["top", "right"]].set_visible(False)
    ax.legend(fontsize=8, frameon=False, loc="lower left", ncols=3)
    ax.set_title(tx["ua_title"].format(n=n, reps=f"{replications:,}" if replications else "—"), fontsize=11)
    _source(fig, source, lang)
    return fig


def sobol_chart(
    sobol: pd.DataFrame, labels: Mapping[str, str] | None = None, lang: str = "zh", source: str = ""
) -> Figure:
    """First-order and total Sobol indices per assumption with their bootstrap half-widths (``sobol.csv``:
    factor, S1, S1_conf, ST, ST_conf); negative estimates drawn as 0, as COINr's ``plot_sensitivity``."""
    tx = _ROBUST_TEXT[lang]
    labels = labels or {}
    fig = _figure(max(5.0, 1.1 * len(sobol) + 2.5), 3.6)
    ax = fig.add_subplot()
    x = np.arange(len(sobol), dtype=float)
    s1 = np.clip(sobol["S1"].to_numpy(dtype=float), 0, None)
    st = np.clip(sobol["ST"].to_numpy(dtype=float), 0, None)
    ax.bar(x - 0.2, s1, 0.4, yerr=sobol["S1_conf"].to_numpy(dtype=float), capsize=3, color="#3182BD",
           label=tx["s1"])  # fmt: skip
    ax.bar(x + 0.2, st, 0.4, yerr=sobol["ST_conf"].to_numpy(dtype=float), capsize=3, color="#E69F00",
           label=tx["st"])  # fmt: skip
    ax.set_xticks(x, [labels.get(str(f), str(f)) for f in sobol["factor"]], fontsize=8)
    ax.set_ylim(0, max(1.0, float(np.nanmax(np.r_[st, s1, 0.0])) * 1.1))
    ax.set_ylabel(tx["sobol_axis"])
    ax.grid(axis="y", alpha=0.3)
    ax.spines[["top", "right"]].set_visible(False)
    ax.legend(fontsize=8, frameon=False)
    ax.set_title(tx["sobol_title"], fontsize=11)
    _source(fig, source, lang)
    return fig
