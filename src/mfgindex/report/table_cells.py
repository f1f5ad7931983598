"""What the report's tables share: the English labels of regions and provinces, the number formats (the HTML
shows numbers as formatted here, so the workbook and the report agree cell for cell), the bilingual header
and the :class:`ReportTable` record."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

REGION_EN: dict[str, str] = {"东部": "East", "中部": "Central", "西部": "West", "东北": "Northeast"}


PROVINCE_EN: dict[str, str] = {
    "北京": "Beijing", "天津": "Tianjin", "河北": "Hebei", "山西": "Shanxi", "内蒙古": "Inner Mongolia",
    "辽宁": "Liaoning", "吉林": "Jilin", "黑龙江": "Heilongjiang", "上海": "Shanghai", "江苏": "Jiangsu",
    "浙江": "Zhejiang", "安徽": "Anhui", "福建": "Fujian", "江西": "Jiangxi", "山东": "Shandong",
    "河南": "Henan", "湖北": "Hubei", "湖南": "Hunan", "广东": "Guangdong", "广西": "Guangxi",
    "海南": "Hainan", "重庆": "Chongqing", "四川": "Sichuan", "贵州": "Guizhou", "云南": "Yunnan",
    "西藏": "Tibet", "陕西": "Shaanxi", "甘肃": "Gansu", "青海": "Qinghai", "宁夏": "Ningxia",
    "新疆": "Xinjiang",
}  # fmt: skip


CHANGE_EN: dict[str, str] = {"up": "↑", "down": "↓", "same": "—", "new": "new"}


def region_label(region: str, lang: str) -> str:
    return REGION_EN.get(region, region) if lang == "en" else region


def province_label(province: str, lang: str) -> str:
    return PROVINCE_EN.get(province, province) if lang == "en" else province


def fmt_num(x: float | None, digits: int = 0) -> str:
    """Thousands separators; '—' for missing."""
    if x is None or pd.isna(x):
        return "—"
    return f"{x:,.{digits}f}"


def fmt_pct(x: float | None, digits: int = 1) -> str:
    """0.4421 → 44.2%; '—' for missing."""
    if x is None or pd.isna(x):
        return "—"
    return f"{x * 100:.{digits}f}%"


@dataclass(frozen=True)
class ReportTable:
    """One table of the report: key (sheet id), caption, frame and an optional note under it."""

    key: str
    caption: str
    frame: pd.DataFrame
    note: str = ""


def _h(lang: str, zh: str, en: str) -> str:
    return en if lang == "en" else zh
