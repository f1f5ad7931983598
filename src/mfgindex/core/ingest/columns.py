"""Column names and units: what a header cell means.

A header cell is a *label* (地区生产总值, gdp), a *year* (2022, 2022年), a *unit* (（亿元）, 单位：万元) or a
label with a unit (地区生产总值（亿元）). Labels of the unit, year, province, source columns are recognised in
Chinese and English; variable labels go through the shipped synonym table
(``mfgindex/data/ingest/column_synonyms.csv``) and the framework's own ``name_zh``.
"""

from __future__ import annotations

import csv
import re
import unicodedata
from collections.abc import Mapping
from functools import cache
from typing import NamedTuple

from mfgindex.core import geo
from mfgindex.core.ingest.numbers import parse_year

NAME_LABELS = frozenset(
    {
        "city",
        "城市",
        "地市",
        "name",
        "城市名称",
        "城市名",
        "地区",
        "市别",
        "地级市",
        "市州",
        "市(州)",
        "地区名称",
        "区域",
        "地级及以上城市",
    }
)
CODE_LABELS = frozenset({"adcode", "code", "行政区划代码", "区划代码"})
GENERIC_LABELS = frozenset({"ucode"})
UNAME_LABELS = frozenset({"uname"})
YEAR_LABELS = frozenset({"year", "time", "年份", "年度"})
PROVINCE_LABELS = frozenset({"province", "省份", "省", "所属省份", "省区"})
SOURCE_LABELS = frozenset({"source", "来源", "数据来源"})
VARIABLE_LABELS = frozenset({"variable", "指标", "指标名称"})
VALUE_LABELS = frozenset({"value", "数值", "值"})
UNIT_MARKERS = frozenset({"单位", "计量单位"})

# unit → (dimension, factor to the dimension's base unit)
UNITS: dict[str, tuple[str, float]] = {
    "元": ("yuan", 1.0),
    "千元": ("yuan", 1e3),
    "万元": ("yuan", 1e4),
    "百万元": ("yuan", 1e6),
    "亿元": ("yuan", 1e8),
    "万亿元": ("yuan", 1e12),
    "美元": ("usd", 1.0),
    "万美元": ("usd", 1e4),
    "亿美元": ("usd", 1e8),
    "人": ("person", 1.0),
    "百人": ("person", 1e2),
    "千人": ("person", 1e3),
    "万人": ("person", 1e4),
    "亿人": ("person", 1e8),
    "吨": ("tonne", 1.0),
    "千吨": ("tonne", 1e3),
    "万吨": ("tonne", 1e4),
    "亿吨": ("tonne", 1e8),
    "平方公里": ("km2", 1.0),
    "平方千米": ("km2", 1.0),
    "km2": ("km2", 1.0),
    "万平方公里": ("km2", 1e4),
    "个": ("count", 1.0),
    "家": ("count", 1.0),
    "户": ("count", 1.0),
    "项": ("count", 1.0),
    "件": ("count", 1.0),
    "%": ("percent", 1.0),
}
_SPACE = re.compile(r"\s+")
_BRACKETED = re.compile(r"^[(\[【]\s*(?:单位[:：]?)?\s*(?P<unit>[^()\[\]【】]+?)\s*[)\]】]$")
_UNIT_PREFIX = re.compile(r"^(?:计量)?单位[:：]?\s*(?P<unit>.+)$")
_TRAILING_UNIT = re.compile(
    r"^(?P<label>.+?)\s*[(\[【]\s*(?:单位[:：]?)?\s*(?P<unit>[^()\[\]【】]+?)\s*[)\]】]$"
)


def norm(text: str) -> str:
    """A label for matching: NFKC (full-width brackets become ASCII), spaces removed, lower case."""
    return _SPACE.sub("", unicodedata.normalize("NFKC", str(text))).lower()


def compact(text: str) -> str:
    """A cell as shown in messages and used as a variable name: NFKC, spaces removed."""
    return _SPACE.sub("", unicodedata.normalize("NFKC", str(text)))


def unit_of(text: str) -> str | None:
    """The unit a header cell declares (（亿元）, 单位：万元, 亿元), or None."""
    t = norm(text)
    m = _BRACKETED.match(t) or _UNIT_PREFIX.match(t)
    if m:
        return m.group("unit")
    return t if t in UNITS else None


class Header(NamedTuple):
    """What one header cell says."""

    label: str = ""
    year: int | None = None
    unit: str | None = None


def header_cell(text: str) -> Header:
    t = norm(text)
    if not t:
        return Header()
    y = parse_year(t)
    if y is not None and re.fullmatch(r"\d{4}(\.0)?(年|年度|年末|年底)?", t):
        return Header(year=y)
    u = unit_of(t)
    if u is not None:
        return Header(unit=u)
    m = _TRAILING_UNIT.match(compact(text))
    if m and norm(m.group("unit")) in UNITS:
        return Header(label=m.group("label"), unit=norm(m.group("unit")))
    m2 = re.fullmatch(r"(?P<year>\d{4})年?(?P<label>\D.*)", t)
    if m2 and parse_year(m2.group("year")) is not None and m2.group("label").strip():
        # "2022年地区生产总值"
        inner = header_cell(m2.group("label"))
        return Header(label=inner.label, year=parse_year(m2.group("year")), unit=inner.unit)
    return Header(label=compact(text))


@cache
def synonyms() -> dict[str, tuple[str, str]]:
    """Shipped synonym table: normalised column name → (variable id or "" to drop, unit)."""
    with geo.data_path("ingest", "column_synonyms.csv").open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))  # a small shipped table: every field text, none missing
    return {norm(r["name"]): (r["variable"].strip(), r["unit"].strip()) for r in rows}


def conversion(declared: str, target: str) -> float | None:
    """Factor from ``declared`` to ``target`` unit (万元 → 亿元: 1e-4); None when not convertible."""
    a, b = UNITS.get(norm(declared)), UNITS.get(norm(target))
    if a is None or b is None or a[0] != b[0]:
        return None
    return a[1] / b[1]


def variable_for(label: str, names: Mapping[str, str], column_map: Mapping[str, str]) -> tuple[str, str, str]:
    """(variable id or "" to drop, its unit, how it was matched) for a column label.

    ``column_map`` (the user's ``--map``) first, then the framework's names (``name_zh`` → id), then the
    shipped synonym table; otherwise the label itself.
    """
    n = norm(label)
    for key, target in column_map.items():
        if norm(key) == n:
            return target.strip(), "", "map"
    if n in names:
        return names[n], "", "framework"
    if n in synonyms() and not label.isascii():  # ASCII labels (GDP in COINr's iData) stay as written
        var, unit = synonyms()[n]
        return var, unit, "synonym"
    return label.strip(), "", ""
