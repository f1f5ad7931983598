"""Report figures (matplotlib, PNG + SVG) with Chinese labels in the shipped CJK font.

Figures follow the seed report's 图1-4: the ranking by region, a map of the top N by 城市群, the
distribution by region and by province (two years when previous ranks exist), the rank change by
province, plus a radar chart per city. Every function builds a :class:`matplotlib.figure.Figure` without
pyplot state (safe in threads and servers); :func:`save` writes it.

Fonts: :func:`mfgindex.core.figures.setup_cjk_font` registers the CJK font shipped with the package
(``data/fonts``, a subset of Noto Sans CJK SC) by path and makes it the only family: no system font needed.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from functools import cache
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd
from matplotlib import patheffects
from matplotlib.collections import LineCollection, PolyCollection
from matplotlib.figure import Figure
from matplotlib.layout_engine import ConstrainedLayoutEngine
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.ticker import MaxNLocator

from mfgindex.analysis.table import top
from mfgindex.core import geo
from mfgindex.core.figures import save as save
from mfgindex.core.figures import setup_cjk_font as setup_cjk_font
from mfgindex.report.tables import PROVINCE_EN, REGION_EN

# Okabe-Ito colours (colour-blind safe), one per region, in 东-中-西-东北 order.
REGION_COLOURS: dict[str, str] = {"东部": "#0072B2", "中部": "#E69F00", "西部": "#009E73", "东北": "#CC79A7"}
CHANGE_COLOURS: dict[str, str] = {"up": "#D55E00", "same": "#999999", "down": "#0072B2", "new": "#009E73"}
CHANGE_ZH: dict[str, str] = {"up": "上升", "same": "持平", "down": "下降", "new": "新增"}
CLUSTER_PALETTE: tuple[str, ...] = (
    "#D55E00",
    "#0072B2",
    "#009E73",
    "#CC79A7",
    "#E69F00",
    "#56B4E9",
    "#8C564B",
    "#F0E442",
    "#7F7F7F",
    "#17BECF",
    "#BCBD22",
    "#1F77B4",
)
OTHER_COLOUR = "#555555"
MAP_CAPTION = "示意图，非标准地图"
CHANGE_EN: dict[str, str] = {"up": "Up", "same": "Same", "down": "Down", "new": "New"}
CLUSTER_EN: dict[str, str] = {
    "gba": "Greater Bay Area (9 PRD cities)", "jjj": "Beijing-Tianjin-Hebei", "cy": "Chengdu-Chongqing",
    "cjzy": "Middle Yangtze", "zy": "Central Plains", "hc": "Harbin-Changchun", "bbw": "Beibu Gulf",
    "gzpy": "Guanzhong Plain", "hbey": "Hohhot-Baotou-Ordos-Yulin", "lx": "Lanzhou-Xining",
    "sdbd": "Shandong Peninsula", "yrd_central": "Yangtze River Delta", "yrd": "Yangtze River Delta",
}  # fmt: skip

# Labels of the older charts (图1-4, ranking, map) in each report language; city names stay Chinese.
_OLD_TEXT: dict[str, dict[str, str]] = {
    "zh": {
        "source": "来源：", "score": "指数得分", "rank": "全国排名", "region": "区域",
        "ranking_title": "制造业高质量发展{n}强城市榜单",
        "band1": "前10名", "band2": "第11-20名", "band3": "第21-{n}名", "prev": "上年", "cur": "本年",
        "count": "入围城市数（个）", "regions_title": "四大区域{n}强城市排名分布",
        "two_years": "（两年对比）",
        "provinces_title": "{n}强城市省份分布", "cities": "城市数（个）",
        "change_title": "各省入围城市排名变化", "move_axis": "全国排名（上年 → 本年）",
        "move_title": "城市位次变化", "other": "其他", "clusters": "城市群（入围数）", "scs": "南海诸岛",
        "map_title": "{n}强城市城市群分布图", "map_caption": MAP_CAPTION,
    },
    "en": {
        "source": "Source: ", "score": "Index score", "rank": "National rank", "region": "Region",
        "ranking_title": "Top {n} cities in manufacturing high-quality development",
        "band1": "Ranks 1-10", "band2": "Ranks 11-20", "band3": "Ranks 21-{n}", "prev": "prev.",
        "cur": "now", "count": "Cities in the top {n}", "regions_title": "Top {n} cities by region",
        "two_years": " (two years)", "provinces_title": "Top {n} cities by province", "cities": "Cities",
        "change_title": "Rank changes of listed cities by province",
        "move_axis": "National rank (previous → this year)", "move_title": "Rank moves of each city",
        "other": "Other", "clusters": "City cluster (cities listed)", "scs": "South China Sea islands",
        "map_title": "Top {n} cities by city cluster", "map_caption": "Schematic map, not a standard map",
    },
}  # fmt: skip


def _region(r: str, lang: str) -> str:
    return REGION_EN.get(r, r) if lang == "en" else r


def _province(p: str, lang: str) -> str:
    return PROVINCE_EN.get(p, p) if lang == "en" else p


# The printed width of a full-width figure: the PDF's text column (A4 less the page margins and the
# figure's own margins, 493 pt). Drawn at this width a figure prints at scale 1: its font sizes are printed.
PRINT_WIDTH_IN = 493.0 / 72.0
MIN_PRINT_PT = 7.5  # the smallest text of a figure drawn at print width (≥ 7 pt on paper, with a margin)
MAP_LABEL_PT = 8.0  # city names on the map (图2), drawn at print width


def _figure(width: float, height: float) -> Figure:
    setup_cjk_font()
    return Figure(figsize=(width, height), dpi=150, layout="constrained")


def _source(fig: Figure, text: str, lang: str = "zh") -> None:
    # Reserve a strip at the bottom so that the source line never overlaps the axis labels.
    engine = fig.get_layout_engine()
    if isinstance(engine, ConstrainedLayoutEngine):
        engine.set(rect=(0.0, 0.035, 1.0, 0.965))
    if text:
        label = _OLD_TEXT.get(lang, _OLD_TEXT["zh"])["source"]
        fig.text(0.01, 0.005, f"{label}{text}", fontsize=7, color="#555555", ha="left", va="bottom")


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


def _load(kind: str) -> dict[str, Any]:
    with open(geo.geojson_path(kind), encoding="utf-8") as fh:
        data: dict[str, Any] = json.load(fh)
    return data


@cache
def _province_rings() -> tuple[np.ndarray, ...]:
    rings: list[np.ndarray] = []
    for f in _load("provinces")["features"]:
        g = f["geometry"]
        polys = [g["coordinates"]] if g["type"] == "Polygon" else g["coordinates"]
        rings.extend(np.asarray(p[0], dtype=float) for p in polys)
    return tuple(rings)


@cache
def _dash_lines() -> tuple[np.ndarray, ...]:
    lines: list[np.ndarray] = []
    for f in _load("nine_dash")["features"]:
        g = f["geometry"]
        parts = [g["coordinates"]] if g["type"] == "LineString" else g["coordinates"]
        lines.extend(np.asarray(p, dtype=float) for p in parts)
    return tuple(lines)


def _draw_base(ax: Any, extent: tuple[float, float, float, float]) -> None:
    ax.add_collection(
        PolyCollection(list(_province_rings()), facecolor="#F2F2F2", edgecolor="#9A9A9A", linewidth=0.3)
    )
    ax.add_collection(LineCollection(list(_dash_lines()), colors="#555555", linewidths=0.8))
    ax.set_xlim(extent[0], extent[1])
    ax.set_ylim(extent[2], extent[3])
    ax.set_aspect(1 / math.cos(math.radians((extent[2] + extent[3]) / 2)))
    ax.set_xticks([])
    ax.set_yticks([])


def cluster_map(
    table: pd.DataFrame,
    n: int = 50,
    definition: str = geo.DEFAULT_CLUSTER_DEFINITION,
    label_top: int = 10,
    source: str = "",
    lang: str = "zh",
) -> Figure:
    """Map of China with the top ``n`` cities marked by 城市群 (图2), with the South China Sea inset.

    A city in two 城市群 takes the one with more listed cities. Cities outside every 城市群 of the
    definition are grey. Captioned :data:`MAP_CAPTION` (the boundaries are simplified, see
    ``data/geo/README.md``).
    """
    tx = _OLD_TEXT[lang]
    t = top(table, n)
    membership = geo.cluster_membership(definition)
    cluster_id = dict(zip(membership["cluster_zh"], membership["cluster_id"], strict=False))
    listed = membership[membership["code"].isin(set(t.index))]
    sizes = listed.groupby("cluster_zh").size().sort_values(ascending=False, kind="stable")
    order = list(sizes.index)
    cluster_of: dict[str, str] = {}
    for name in order:
        for c in listed.loc[listed["cluster_zh"] == name, "code"]:
            cluster_of.setdefault(str(c), name)
    colour = {name: CLUSTER_PALETTE[i % len(CLUSTER_PALETTE)] for i, name in enumerate(order)}
    cent = geo.centroids()
    # drawn at print width, so that it prints at scale 1 and every text at its own size (≥ 7 pt on paper)
    fig = _figure(PRINT_WIDTH_IN, 5.9)
    ax = fig.add_subplot()
    _draw_base(ax, (73.0, 135.5, 17.5, 54.0))
    handles = []
    for name in [*order, "其他"]:
        codes = [c for c in t.index if cluster_of.get(str(c), "其他") == name]
        shown = tx["other"] if name == "其他" else name
        if lang == "en":
            shown = CLUSTER_EN.get(cluster_id.get(name, ""), shown)
        if not codes:
            continue
        lon = cent.loc[codes, "seat_lon"].to_numpy(dtype=float)
        lat = cent.loc[codes, "seat_lat"].to_numpy(dtype=float)
        col = colour.get(name, OTHER_COLOUR)
        ax.scatter(lon, lat, s=26, color=col, edgecolor="white", linewidth=0.5, zorder=3)
        handles.append(
            Line2D(
                [],
                [],
                marker="o",
                linestyle="",
                color=col,
                label=f"{shown}（{len(codes)}）" if lang == "zh" else f"{shown} ({len(codes)})",
            )
        )
    points = [
        (float(seat_lon), float(seat_lat))
        for seat_lon, seat_lat in cent.loc[list(t.index), ["seat_lon", "seat_lat"]].to_numpy(dtype=float)
    ]
    seat = cent[["seat_lon", "seat_lat"]].astype(float)
    lon_of, lat_of = seat["seat_lon"].to_dict(), seat["seat_lat"].to_dict()
    labelled = [
        (str(r["name"]).removesuffix("市"), float(lon_of[code]), float(lat_of[code]))
        for code, r in top(t, label_top).iterrows()
    ]
    # the legend goes under the map: inside it covered the western provinces
    fig.legend(
        handles=handles,
        loc="outside lower center",
        fontsize=MIN_PRINT_PT,
        frameon=False,
        ncols=min(4, len(handles)),
        title=tx["clusters"],
        title_fontsize=MIN_PRINT_PT,
    )
    inset = ax.inset_axes((0.80, 0.02, 0.18, 0.30))
    _draw_base(inset, (105.0, 123.0, 2.5, 24.5))
    for s in inset.spines.values():
        s.set_edgecolor("#555555")
        s.set_linewidth(0.6)
    inset.text(
        0.5, 0.02, tx["scs"], transform=inset.transAxes, ha="center", va="bottom", fontsize=MIN_PRINT_PT
    )
    ax.set_title(tx["map_title"].format(n=n), fontsize=12)
    fig.text(0.99, 0.005, tx["map_caption"], fontsize=8, ha="right", va="bottom")
    _source(fig, source, lang)
    # label boxes in map degrees, from the laid-out axes: a label's size on paper is fixed, its size in
    # degrees follows from how wide the map is drawn
    fig.draw_without_rendering()
    x0, y0 = ax.transData.transform((100.0, 30.0))
    x1, y1 = ax.transData.transform((101.0, 31.0))
    em = MAP_LABEL_PT / 72 * fig.dpi
    char_w, height = 1.05 * em / (x1 - x0), 1.5 * em / (y1 - y0)
    for text, (lx, ly), (px, py) in place_labels(
        labelled, points, avoid=[(122.5, 135.5, 17.5, 29.5)], char_w=char_w, height=height
    ):
        ax.annotate(
            text,
            (px, py),
            xytext=(lx, ly),
            textcoords="data",
            ha="left" if lx >= px else "right",
            va="center",
            fontsize=MAP_LABEL_PT,
            zorder=4,
            in_layout=False,
            path_effects=[patheffects.withStroke(linewidth=2, foreground="white")],
            arrowprops=None
            if math.hypot(lx - px, ly - py) < 1.0
            else {"arrowstyle": "-", "color": "#555555", "linewidth": 0.5, "shrinkA": 0, "shrinkB": 2},
        )
    return fig


def place_labels(
    labels: Sequence[tuple[str, float, float]],
    points: Sequence[tuple[float, float]],
    avoid: Sequence[tuple[float, float, float, float]] = (),
    char_w: float = 0.85,
    height: float = 0.75,
) -> list[tuple[str, tuple[float, float], tuple[float, float]]]:
    """Positions (map degrees) for point labels that overlap neither each other nor any plotted point.

    Each label tries rings of growing radius around its point, eastward directions first (the crowded
    deltas have sea to the east and south), and takes the first box that is free; a label moved away from
    its point gets a leader line. ``avoid`` are boxes (x0, x1, y0, y1) kept free (e.g. an inset).
    Returns (text, label anchor, point) in the order given.
    """
    boxes: list[tuple[float, float, float, float]] = list(avoid)
    out = []
    for text, px, py in labels:
        w = char_w * len(text)
        chosen = None
        for radius in (0.6, 1.5, 2.4, 3.3, 4.2, 5.1):
            for deg in (0, 30, -30, 60, -60, 180, 150, -150, 90, -90, 120, -120):
                lx = px + radius * math.cos(math.radians(deg))
                ly = py + radius * math.sin(math.radians(deg))
                x0, x1 = (lx, lx + w) if lx >= px else (lx - w, lx)
                box = (x0 - 0.1, x1 + 0.1, ly - height / 2, ly + height / 2)
                if any(b[0] < box[1] and box[0] < b[1] and b[2] < box[3] and box[2] < b[3] for b in boxes):
                    continue
                if any(box[0] <= qx <= box[1] and box[2] <= qy <= box[3] for qx, qy in points):
                    continue
                chosen = (lx, ly, box)
                break
            if chosen is not None:
                break
        if chosen is None:  # nowhere free: keep it beside the point
            chosen = (px + 0.6, py, (px + 0.5, px + 0.7 + w, py - height / 2, py + height / 2))
        boxes.append(chosen[2])
        out.append((text, (chosen[0], chosen[1]), (px, py)))
    return out


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


def _short(name: str) -> str:
    return name.removesuffix("市") if len(name) > 2 else name


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


def _sorted_bars(
    table: pd.DataFrame,
    values: pd.Series,
    n: int,
    title: str,
    ylabel: str,
    refs: Sequence[tuple[float, str]],
    source: str,
    lang: str = "zh",
) -> Figure:
    t = top(table, n)
    v = (values.reindex(t.index) * 100).dropna().sort_values(ascending=False)
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
    ax.set_ylabel(ylabel, fontsize=8)
    ax.spines[["top", "right"]].set_visible(False)
    handles = [Patch(color=col, label=r) for r, col in REGION_COLOURS.items() if r in set(t["region"])]
    ax.legend(handles=handles, fontsize=MIN_PRINT_PT, frameon=False, loc="upper center", ncols=4)
    ax.set_title(title, fontsize=10)
    _source(fig, source, lang)
    return fig


def growth_distribution_chart(
    table: pd.DataFrame,
    context: pd.DataFrame,
    n: int = 50,
    year: int = 0,
    national: float | None = None,
    label: str = "第二产业增加值",
    lang: str = "zh",
    source: str = "",
) -> Figure:
    """图6: nominal growth of value added of each top-``n`` city, sorted, with the national growth."""
    tx = _FIG_TEXT[lang]
    refs = [] if national is None else [(national, tx["national"].format(v=f"{national * 100:.1f}%"))]
    return _sorted_bars(
        table,
        context["growth"],
        n,
        tx["growth_title"].format(year=year, n=n, label=label),
        tx["growth_axis"],
        refs,
        source,
        lang,
    )


def va_share_chart(
    table: pd.DataFrame,
    context: pd.DataFrame,
    n: int = 50,
    year: int = 0,
    national: float | None = None,
    label: str = "第二产业增加值",
    lang: str = "zh",
    source: str = "",
) -> Figure:
    """图7: value added as a share of GDP for each top-``n`` city, sorted, with 40 %, 50 % and national."""
    tx = _FIG_TEXT[lang]
    refs: list[tuple[float, str]] = [(0.5, "50%")]
    if national is not None:
        refs.append((national, tx["national"].format(v=f"{national * 100:.1f}%")))
    else:
        refs.append((0.4, "40%"))
    return _sorted_bars(
        table,
        context["share"],
        n,
        tx["share_title"].format(year=year, n=n, label=label),
        tx["share_axis"],
        refs,
        source,
        lang,
    )


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
            va = "bottom" if s_ > 0.2 else "top" if s_ < -0.2 else "center"
            ax.text(a, vmax * 1.08, labels.get(d, d), fontsize=8.5, ha=ha, va=va, clip_on=False)
        ax.set_title(f"{int(row['rank'])}. {row['name']!s}", fontsize=9.5, pad=16)
    fig.suptitle(tx["radar_title"].format(k=len(codes)), fontsize=10)
    _source(fig, source, lang)
    return fig


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
