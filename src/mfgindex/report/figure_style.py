"""The report figures' common style: colours (Okabe-Ito, colour-blind safe), the labels of the published
charts in each language, the printed width and smallest type size, a new figure and its source line."""

from __future__ import annotations

from matplotlib.figure import Figure
from matplotlib.layout_engine import ConstrainedLayoutEngine

from mfgindex.core.figures import save as save
from mfgindex.core.figures import setup_cjk_font as setup_cjk_font
from mfgindex.report.table_cells import PROVINCE_EN, REGION_EN

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


def _short(name: str) -> str:
    return name.removesuffix("市") if len(name) > 2 else name
