"""Figures of the toolbox (matplotlib, object API, no pyplot state), with Chinese labels.

Fonts: the CJK font shipped with the package is registered by path (:mod:`mfgindex.core.fonts`), so no
system font is needed and a stale font cache does not produce tofu boxes.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any, Literal

import matplotlib as mpl
import numpy as np
import pandas as pd
from matplotlib.collections import LineCollection, PolyCollection
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from mfgindex.core import geo
from mfgindex.core.figures import setup_cjk_font

MAP_CAPTION = "示意图，非标准地图"
LISA_COLOURS: dict[str, str] = {
    "HH": "#D7191C",
    "LL": "#2C7BB6",
    "LH": "#ABD9E9",
    "HL": "#FDAE61",
    "ns": "#EEEEEE",
}


def figure(
    width: float, height: float, layout: Literal["constrained", "compressed", "tight"] | None = "constrained"
) -> Figure:
    setup_cjk_font()
    return Figure(figsize=(width, height), dpi=150, layout=layout)


def save(fig: Figure, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=150)
    return path


# ---------------------------------------------------------------- kernel density


def kde_ridge(density: pd.DataFrame, title: str = "核密度估计") -> Figure:
    """Ridge plot: one density curve per year, stacked (later years higher)."""
    years = list(density.columns)
    fig = figure(6.4, 1.0 + 0.9 * len(years))
    ax = fig.add_subplot()
    x = density.index.to_numpy(dtype=float)
    top = float(density.to_numpy().max())
    step = 0.6 * top
    cmap = mpl.colormaps["viridis"]
    for i, y in enumerate(years):
        base = i * step
        d = density[y].to_numpy()
        colour = cmap(i / max(len(years) - 1, 1))
        ax.fill_between(x, base, base + d, color=colour, alpha=0.55, zorder=len(years) - i)
        ax.plot(x, base + d, color="black", linewidth=0.8, zorder=len(years) - i)
        ax.text(x[0], base + 0.05 * top, str(y), fontsize=9, va="bottom")
    ax.set_yticks([])
    ax.set_xlabel("指数得分")
    ax.set_ylabel("核密度（按年份错开）")
    ax.set_title(title, fontsize=11)
    ax.spines[["top", "right", "left"]].set_visible(False)
    return fig


def kde_3d(density: pd.DataFrame, title: str = "核密度估计三维图") -> Figure:
    """The familiar 3-D figure: x = score, y = year, z = density (surface of the yearly curves)."""
    fig = figure(7.0, 5.0, layout=None)
    ax: Any = fig.add_subplot(projection="3d")
    x = density.index.to_numpy(dtype=float)
    years = np.array([float(y) for y in density.columns])
    xx, yy = np.meshgrid(x, years)
    zz = density.to_numpy().T
    ax.plot_surface(
        xx, yy, zz, cmap="viridis", linewidth=0.2, edgecolor="#333333", alpha=0.9, rstride=1, cstride=4
    )
    ax.set_xlabel("指数得分")
    ax.set_ylabel("年份")
    ax.set_zlabel("核密度", labelpad=10)
    ax.tick_params(axis="z", pad=6)
    ax.set_yticks(years, [str(int(y)) for y in years])
    ax.view_init(elev=28, azim=-60)
    ax.set_title(title, fontsize=11)
    fig.subplots_adjust(left=0.0, right=0.95, bottom=0.05, top=0.93)
    return fig


# ---------------------------------------------------------------- bars and lines


def bar_h(
    values: pd.Series, labels: Sequence[str], title: str, xlabel: str, colour: str = "#0072B2"
) -> Figure:
    fig = figure(6.4, max(3.0, 0.32 * len(values) + 1.2))
    ax = fig.add_subplot()
    y = np.arange(len(values))[::-1]
    ax.barh(y, values.to_numpy(dtype=float), color=colour, height=0.7)
    for yi, v in zip(y, values.to_numpy(dtype=float), strict=True):
        ax.text(v, yi, f" {v:.3g}", va="center", fontsize=7)
    ax.set_yticks(y, list(labels), fontsize=8)
    ax.set_xlabel(xlabel)
    ax.set_title(title, fontsize=11)
    ax.spines[["top", "right"]].set_visible(False)
    return fig


def stacked_share(table: pd.DataFrame, columns: Sequence[str], labels: Sequence[str], title: str) -> Figure:
    """Stacked bars (one per row of ``table``) of the given columns, e.g. Dagum G_w/G_nb/G_t by year."""
    fig = figure(6.4, 3.8)
    ax = fig.add_subplot()
    x = np.arange(len(table))
    bottom = np.zeros(len(table))
    colours = ["#0072B2", "#E69F00", "#009E73", "#CC79A7"]
    for c, lab, col in zip(columns, labels, colours, strict=False):
        v = table[c].to_numpy(dtype=float)
        ax.bar(x, v, bottom=bottom, label=lab, color=col, width=0.6)
        bottom += v
    ax.set_xticks(x, [str(i) for i in table.index])
    ax.set_ylabel("基尼系数")
    ax.set_title(title, fontsize=11)
    ax.legend(frameon=False, fontsize=8, ncols=len(columns), loc="upper center", bbox_to_anchor=(0.5, -0.1))
    ax.spines[["top", "right"]].set_visible(False)
    return fig


def lines(table: pd.DataFrame, title: str, ylabel: str) -> Figure:
    """One line per column over the index (e.g. CV by year per region)."""
    fig = figure(6.4, 3.8)
    ax = fig.add_subplot()
    for c in table.columns:
        ax.plot([str(i) for i in table.index], table[c].to_numpy(dtype=float), marker="o", label=str(c))
    ax.set_ylabel(ylabel)
    ax.set_title(title, fontsize=11)
    ax.legend(frameon=False, fontsize=8)
    ax.spines[["top", "right"]].set_visible(False)
    return fig


def heatmap(
    matrix: pd.DataFrame, title: str, fmt: str = "{:.2f}", xlabel: str = "", ylabel: str = ""
) -> Figure:
    fig = figure(4.8, 4.2)
    ax = fig.add_subplot()
    a = matrix.to_numpy(dtype=float)
    im = ax.imshow(a, cmap="Blues", vmin=0, vmax=max(1.0, float(np.nanmax(a))))
    for i in range(a.shape[0]):
        for j in range(a.shape[1]):
            ax.text(
                j,
                i,
                fmt.format(a[i, j]),
                ha="center",
                va="center",
                fontsize=9,
                color="white" if a[i, j] > 0.6 * np.nanmax(a) else "black",
            )
    ax.set_xticks(range(a.shape[1]), [str(c) for c in matrix.columns])
    ax.set_yticks(range(a.shape[0]), [str(c) for c in matrix.index])
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.set_title(title, fontsize=11)
    fig.colorbar(im, ax=ax, shrink=0.8)
    return fig


def grade_bars(counts: pd.DataFrame, title: str = "耦合协调度等级分布") -> Figure:
    """Units per coordination grade (one bar group per year when there are several)."""
    years = [c for c in counts.columns if c != "grade_zh"]
    fig = figure(7.2, 3.8)
    ax = fig.add_subplot()
    x = np.arange(len(counts))
    width = 0.8 / max(len(years), 1)
    for i, y in enumerate(years):
        ax.bar(
            x + (i - (len(years) - 1) / 2) * width, counts[y].to_numpy(dtype=float), width=width, label=str(y)
        )
    ax.set_xticks(x, list(counts["grade_zh"]), rotation=45, ha="right", fontsize=8)
    ax.set_ylabel("城市数")
    ax.set_title(title, fontsize=11)
    if len(years) > 1:
        ax.legend(frameon=False, fontsize=8)
    ax.spines[["top", "right"]].set_visible(False)
    return fig


# ---------------------------------------------------------------- LISA map


def _draw(ax: Any, clusters: pd.Series, extent: tuple[float, float, float, float], lw: float) -> None:
    polys: list[np.ndarray] = []
    colours: list[str] = []
    for f in geo.geojson("prefectures")["features"]:
        code = str(f["properties"]["adcode"])
        c = clusters.get(code)
        colour = LISA_COLOURS.get(str(c), "#FFFFFF") if c is not None else "#FFFFFF"
        for ring in geo.geometry_parts(f["geometry"]):
            polys.append(ring)
            colours.append(colour)
    ax.add_collection(PolyCollection(polys, facecolors=colours, edgecolors="#999999", linewidths=lw))
    prov = list(geo.boundary("provinces"))
    ax.add_collection(PolyCollection(prov, facecolors="none", edgecolors="#555555", linewidths=lw * 2.5))
    ax.add_collection(LineCollection(list(geo.boundary("nine_dash")), colors="#555555", linewidths=0.8))
    ax.set_xlim(extent[0], extent[1])
    ax.set_ylim(extent[2], extent[3])
    ax.set_aspect(1.25)
    ax.set_xticks([])
    ax.set_yticks([])


def lisa_map(clusters: pd.Series, title: str = "LISA 集聚图") -> Figure:
    """Prefectures coloured by LISA cluster (HH/LL/LH/HL/不显著; white = no data), province borders, the South
    China Sea dashed line in an inset, and the 示意图 caption."""
    from mfgindex.toolbox.spatial import QUADRANTS_ZH

    fig = figure(7.6, 6.4, layout=None)
    ax = fig.add_axes((0.02, 0.06, 0.96, 0.86))
    _draw(ax, clusters, (73.0, 135.5, 17.5, 54.0), 0.15)
    inset = fig.add_axes((0.78, 0.07, 0.17, 0.26))
    _draw(inset, clusters, (106.0, 123.5, 3.0, 24.5), 0.1)
    for s in inset.spines.values():
        s.set_edgecolor("#555555")
    counts = clusters.value_counts()
    handles = [
        Patch(
            facecolor=LISA_COLOURS[k],
            edgecolor="#999999",
            label=f"{QUADRANTS_ZH[k]}（{int(counts.get(k, 0))}）",
        )
        for k in ("HH", "LL", "LH", "HL", "ns")
    ] + [Patch(facecolor="#FFFFFF", edgecolor="#999999", label="无数据")]
    ax.legend(
        handles=handles,
        loc="lower left",
        fontsize=8,
        frameon=False,
        title="LISA 类型 (p<0.05)",
        title_fontsize=8,
    )
    ax.set_title(title, fontsize=12)
    fig.text(0.02, 0.015, MAP_CAPTION + "；南海诸岛见右下小图", fontsize=8, color="#444444")
    return fig


# ---------------------------------------------------------------- fitted weights


def weights_interval(
    table: pd.DataFrame, labels: Sequence[str], reference: pd.DataFrame, title: str, level: float = 0.95
) -> Figure:
    """Fitted weights (dots) with bootstrap intervals (``lo``-``hi`` bars) per dimension, and the preset's
    weights (one marker per column of ``reference``, same rows)."""
    fig = figure(6.4, max(3.2, 0.45 * len(table) + 1.4))
    ax = fig.add_subplot()
    y = np.arange(len(table))[::-1].astype(float)
    w = table["weight"].to_numpy(float)
    lo, hi = table["lo"].to_numpy(float), table["hi"].to_numpy(float)
    ax.hlines(y, lo, hi, color="#0072B2", lw=2.5, alpha=0.45, label=f"自助法 {level:.0%} 区间")
    ax.plot(w, y, "o", color="#0072B2", ms=7, label="拟合权重")
    markers = ["|", "x", "^", "s", "d"]
    colours = ["#D55E00", "#009E73", "#CC79A7", "#E69F00", "#555555"]
    for i, c in enumerate(reference.columns):
        ax.plot(
            reference[c].reindex(table.index).to_numpy(float),
            y + 0.18 * (i + 1) / max(1, len(reference.columns)),
            markers[i % 5],
            color=colours[i % 5],
            ms=6 if markers[i % 5] != "|" else 12,
            mew=1.5,
            label=str(c),
        )
    ax.set_yticks(y, list(labels), fontsize=9)
    ax.set_xlabel("维度权重（和为1）")
    ax.set_xlim(left=0)
    ax.set_title(title, fontsize=11)
    ax.legend(frameon=False, fontsize=7.5, loc="lower right")
    ax.grid(axis="x", lw=0.4, alpha=0.5)
    ax.spines[["top", "right"]].set_visible(False)
    return fig
