"""Figures: files produced, non-empty, Chinese rendered without missing-glyph warnings."""

from __future__ import annotations

import warnings
from pathlib import Path

import pandas as pd
import pytest

from mfgindex.report import figure_style, figures, map_figure


def _no_glyph_warnings(record: list[warnings.WarningMessage]) -> None:
    bad = [
        str(w.message)
        for w in record
        if "glyph" in str(w.message).lower() or "missing from" in str(w.message)
    ]
    assert bad == []


def test_cjk_font_is_found() -> None:
    from mfgindex.core import fonts

    assert figures.setup_cjk_font() == fonts.FAMILY


def test_render_published_top50(top50: pd.DataFrame, tmp_path: Path) -> None:
    with warnings.catch_warnings(record=True) as rec:
        warnings.simplefilter("always")
        paths = figures.render_published(top50, tmp_path, 50, source="中国信息通信研究院")
    _no_glyph_warnings(rec)
    names = {p.name for p in paths}
    for stem in ("fig_ranking", "fig_cluster_map", "fig_regions", "fig_provinces", "fig_rank_change"):
        assert f"{stem}.png" in names and f"{stem}.svg" in names
    for p in paths:
        assert p.stat().st_size > 10_000
        if p.suffix == ".png":
            assert p.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_map_has_caption_and_sea_inset(top50: pd.DataFrame) -> None:
    fig = map_figure.cluster_map(top50, 50)
    texts = [t.get_text() for t in fig.texts]
    assert figure_style.MAP_CAPTION in texts
    ax = fig.axes[0]
    assert any("南海诸岛" in t.get_text() for a in ax.child_axes for t in a.texts)
    # the legend sits under the map (a figure legend): inside the axes it covered the western provinces
    assert ax.get_legend() is None and len(fig.legends) == 1
    legend = [t.get_text() for t in fig.legends[0].get_texts()]
    # seed 二(一): 长三角 19 cities (caict2023 definition)
    assert "长江三角洲城市群（19）" in legend


def test_drawn_map_labels_are_free_and_print_at_their_own_size(top50: pd.DataFrame) -> None:
    """The map as drawn (not the placement arithmetic): it is drawn at print width, so its texts print at
    their own size; the ten leading cities' names overlap no other name, no city point and not the 南海诸岛
    inset, and stay inside the map."""
    import itertools

    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.text import Text

    fig = map_figure.cluster_map(top50, 50)
    assert fig.get_figwidth() == pytest.approx(493.0 / 72.0)
    FigureCanvasAgg(fig).draw()
    r = fig.canvas.get_renderer()
    ax = fig.axes[0]
    names = {t.get_text(): Text.get_window_extent(t, r) for t in ax.texts}
    # the published file's first ten rows, without 市
    first = top50.sort_values("rank").head(10)["name"].astype(str).str.removesuffix("市")
    assert set(names) == set(first)
    points = [ax.transData.transform(xy) for c in ax.collections[2:] for xy in c.get_offsets()]
    assert len(points) == 50
    inset = ax.child_axes[0].get_window_extent(r)
    for (a, box_a), (b, box_b) in itertools.combinations(names.items(), 2):
        assert not box_a.overlaps(box_b), (a, b)
    for name, box in names.items():
        assert not any(box.contains(x, y) for x, y in points), name
        assert not box.overlaps(inset), name
        assert ax.bbox.contains(box.x0, box.y0) and ax.bbox.contains(box.x1, box.y1), name
    drawn = [t for t in fig.findobj(Text) if t.get_visible() and t.get_text().strip()]
    assert min(t.get_fontsize() for t in drawn) >= 7.0


@pytest.fixture
def run_like() -> pd.DataFrame:
    codes = [
        "320500",
        "440300",
        "320200",
        "330200",
        "440100",
        "330100",
        "430100",
        "320400",
        "370200",
        "420100",
        "320100",
        "320600",
    ]
    t = pd.DataFrame(index=pd.Index(codes, name="code"))
    from mfgindex.core import geo

    u = geo.units().loc[codes]
    t["name"] = u["name"]
    t["province"] = u["province"]
    t["region"] = u["region"]
    t["rank"] = range(1, len(codes) + 1)
    t["prev_rank"] = [1, 2, 5, 3, 5, 4, 9, 11, 7, 12, 8, 20]
    t["change"] = ["same", "same", "up", "down", "same", "down", "up", "up", "down", "up", "down", "up"]
    for i, d in enumerate(["scale", "quality", "innovation"]):
        t[d] = [90 - 5 * k + 7 * ((k + i) % 3) for k in range(len(codes))]
        t[f"{d}_rank"] = t[d].rank(ascending=False, method="min").astype(int)
    t["index"] = [95 - 3 * k for k in range(len(codes))]
    return t


def test_run_figures_with_scores_and_previous_ranks(run_like: pd.DataFrame, tmp_path: Path) -> None:
    with warnings.catch_warnings(record=True) as rec:
        warnings.simplefilter("always")
        paths = []
        paths += figures.save(figures.ranking_bar(run_like, 10, value="index"), tmp_path, "bar")
        paths += figures.save(figures.rank_change_chart(run_like, 10), tmp_path, "change")
        paths += figures.save(figures.region_distribution_chart(run_like, 10), tmp_path, "regions")
        paths += figures.save(figures.province_distribution_chart(run_like, 10), tmp_path, "provinces")
        paths += figures.save(
            figures.radar_chart(
                run_like,
                "320200",
                ["scale", "quality", "innovation"],
                {"scale": "规模速度", "quality": "发展质效", "innovation": "创新发展"},
            ),
            tmp_path,
            "radar",
        )
    _no_glyph_warnings(rec)
    assert len(paths) == 10
    assert all(p.stat().st_size > 5_000 for p in paths)


def test_radar_needs_three_dimensions(run_like: pd.DataFrame) -> None:
    with pytest.raises(ValueError):
        figures.radar_chart(run_like, "320200", ["scale", "quality"])


def test_map_labels_do_not_overlap_each_other_or_points() -> None:
    # the Pearl River Delta and 苏锡 cities, a few tenths of a degree apart (seat coordinates)
    labels = [
        ("深圳", 114.06, 22.54),
        ("东莞", 113.75, 23.02),
        ("广州", 113.26, 23.13),
        ("佛山", 113.12, 23.02),
    ]
    labels += [("苏州", 120.59, 31.30), ("无锡", 120.31, 31.49)]
    points = [(x, y) for _, x, y in labels]
    placed = map_figure.place_labels(labels, points, char_w=0.85, height=0.75)
    boxes = []
    for text, (lx, ly), (px, _py) in placed:
        w = 0.85 * len(text)
        x0, x1 = (lx, lx + w) if lx >= px else (lx - w, lx)
        boxes.append((x0, x1, ly - 0.375, ly + 0.375))
    for i, a in enumerate(boxes):
        for b in boxes[i + 1 :]:
            assert not (a[0] < b[1] and b[0] < a[1] and a[2] < b[3] and b[2] < a[3]), (a, b)
        assert not any(a[0] < x < a[1] and a[2] < y < a[3] for x, y in points)
