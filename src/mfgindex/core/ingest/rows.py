"""What a row of a table is by its unit cell (a unit, a note, a total, a province heading) and which unit
it names: unit names resolved to adcodes in the province context the table gives."""

from __future__ import annotations

import re

from mfgindex.core import geo

TOTAL_NAMES = frozenset(
    {
        "合计",
        "总计",
        "全省",
        "全市",
        "全国",
        "全区",
        "小计",
        "总体",
        "平均",
        "全省合计",
        "全省总计",
        "全国合计",
        "全省平均",
        "全国平均",
        "全国总计",
        "总计合计",
    }
)
NOTE_PREFIXES = ("注", "说明", "资料来源", "数据来源", "备注", "附注", "*", "＊", "※", "note", "source")
_MARKS = re.compile(r"^(其中[:：]|#|＃)|[①②③④⑤⑥⑦⑧⑨⑩*＊]+$")


def row_kind(name: str) -> str:
    """What a row is by its unit cell: note, total, province:<short>, long (long text) or unit."""
    if name.lower().startswith(NOTE_PREFIXES):
        return "note"
    if name in TOTAL_NAMES or name.startswith(("全省", "全国")) or name.endswith(("合计", "总计")):
        return "total"
    prov = geo.province_unit(name)
    if prov is not None and (name != prov or geo.resolve(name).reason.endswith("不是地级城市")):
        return f"province:{prov}"
    return "long" if len(name) > 40 else "unit"


def name_cell(text: str) -> str:
    return _MARKS.sub("", geo.clean_name(text))


class Resolver:
    """Unit names → adcodes, cached per (name, province context)."""

    def __init__(self) -> None:
        self.cache: dict[tuple[str, str | None], geo.Match] = {}

    def __call__(self, name: str, province: str | None, strong: bool) -> geo.Match:
        key = (name, province)
        got = self.cache.get(key)
        if got is None:
            got = geo.resolve(name, province)
            if got.code is None and province is not None:
                plain = geo.resolve(name)
                if plain.code is not None or not strong:
                    got = plain if plain.code is not None else got
            self.cache[key] = got
        return got
