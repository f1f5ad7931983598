"""The map of the top N by city cluster (图3): provinces, the nine-dash line and the South China Sea inset
from the shipped geometry, city names placed so that none overlaps a name, a point or the inset."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import pandas as pd
from matplotlib import patheffects
from matplotlib.collections import LineCollection, PolyCollection
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from mfgindex.analysis.table import top
from mfgindex.core import geo
from mfgindex.report.figure_style import (
    _OLD_TEXT,
    CLUSTER_EN,
    CLUSTER_PALETTE,
    MAP_LABEL_PT,
    MIN_PRINT_PT,
    OTHER_COLOUR,
    PRINT_WIDTH_IN,
    _figure,
    _source,
)


def _draw_base(ax: Any, extent: tuple[float, float, float, float]) -> None:
    ax.add_collection(
        PolyCollection(
            list(geo.boundary("provinces")), facecolor="#F2F2F2", edgecolor="#9A9A9A", linewidth=0.3
        )
    )
    ax.add_collection(LineCollection(list(geo.boundary("nine_dash")), colors="#555555", linewidths=0.8))
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
