"""What a row of a table is by its unit cell (a unit, a note, a total, a province heading) and which unit
it names: unit names resolved to adcodes in the province context the table gives; :class:`RowReader` gives
each row of a sheet its unit and year."""

from __future__ import annotations

import re

from mfgindex.core import geo
from mfgindex.core.errors import Problem
from mfgindex.core.ingest.layout import Layout
from mfgindex.core.ingest.log import FileLog
from mfgindex.core.ingest.numbers import is_missing, parse_year, year_range, year_refusal
from mfgindex.core.ingest.sources import column_letter

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


class RowReader:
    """Which unit and year each row of a sheet gives: blank rows, note, total and province rows skipped
    (province headings set the context for the names below them), unit names resolved to adcodes (or a
    generic table's own codes), the year from the year column or the sheet's; problems logged."""

    def __init__(
        self,
        layout: Layout,
        unit_col: int,
        groups: tuple[str, ...],
        value_cols: list[int],
        unlabelled: list[int],
        fixed_year: int | None,
        log: FileLog,
        file: str,
        title: str,
        resolver: Resolver,
    ) -> None:
        self.layout, self.sp, self.unit_col = layout, layout.special, unit_col
        self.long = "variable" in self.sp and "value" in self.sp
        self.generic = "generic" in self.sp
        self.value_cols, self.unlabelled, self.fixed_year = value_cols, unlabelled, fixed_year
        self.log, self.file, self.title, self.resolver = log, file, title, resolver
        # a generic table's group columns (the first column of each label)
        self.group_cols = [(g, layout.labels.index(g)) for g in groups if g in layout.labels]
        self.unlabelled_used: set[int] = set()
        self.generic_units: dict[str, dict[str, str]] = {}
        self.name_cache: dict[str, str] = {}
        self.kinds: dict[str, str] = {}
        self.year_cache: dict[str, int | None] = {}
        self.bounds = year_range()
        self.context: str | None = layout.title_province
        self.strong = False
        # the division table only for city names (a generic table's units are its own codes)
        self.municipalities: set[str] = set()
        if not self.generic:
            units = geo.units()
            self.municipalities = set(units.index[units["unit_type"] == "municipality"])

    def unit_and_year(self, n: int, cells: list[str]) -> tuple[str, int] | None:
        """(unit code, year) of spreadsheet row ``n``, or None when the row gives no values."""
        if not any(c.strip() for c in cells):
            return None
        raw = cells[self.unit_col] if self.unit_col < len(cells) else ""
        name = self.name_cache.get(raw)
        if name is None:
            name = self.name_cache[raw] = name_cell(raw)
        value_cells = [cells[k] for k in self.value_cols if k < len(cells)] if not self.long else []
        for k in self.unlabelled:
            if k < len(cells) and k not in self.unlabelled_used and cells[k].strip():
                self.unlabelled_used.add(k)
        if not name:
            if not self.long and not all(is_missing(v) for v in value_cells):
                self._problem("row has values but no unit name", n, column_letter(self.unit_col))
            return None
        code = (
            self._generic_code(name, cells)
            if self.generic
            else self._city_code(n, name, raw, cells, value_cells)
        )
        if code is None:
            return None
        if "year" not in self.sp:
            return code, self.fixed_year if self.fixed_year is not None else 0
        y = self._year(n, cells)
        return None if y is None else (code, y)

    def _problem(
        self, message: str, row: int, column: str, value: str | None = None, expected: str = ""
    ) -> None:
        extra = {} if value is None else {"value": value, "expected": expected}
        self.log.add(Problem(message, file=self.file, sheet=self.title, row=row, column=column, **extra))

    def _generic_code(self, name: str, cells: list[str]) -> str:
        """A generic table's unit: its code as written; its name and groups remembered."""
        sp = self.sp
        attrs = {"name": cells[sp["uname"]].strip() if "uname" in sp and sp["uname"] < len(cells) else name}
        for g, gk in self.group_cols:
            if gk < len(cells):
                attrs[g] = cells[gk]
        self.generic_units[name] = attrs
        return name

    def _city_code(self, n: int, name: str, raw: str, cells: list[str], value_cells: list[str]) -> str | None:
        """The adcode a row's unit name resolves to (None for a note, total or province row, or a name
        that resolves to no city, logged)."""
        kind = self.kinds.get(name)
        if kind is None:
            kind = self.kinds[name] = row_kind(name)
        if kind == "note" or (kind == "long" and not any(v.strip() for v in value_cells)):
            self.log.skip(self.title, "note", n, name)
            return None
        if kind == "total":
            self.log.skip(self.title, "total", n, name)
            return None
        if kind.startswith("province:"):
            self.log.skip(self.title, "total", n, name)
            self.context, self.strong = kind.split(":", 1)[1], True
            return None
        sp = self.sp
        row_prov = cells[sp["province"]].strip() if "province" in sp and sp["province"] < len(cells) else ""
        match = (
            self.resolver(name, row_prov, True)
            if row_prov
            else self.resolver(name, self.context, self.strong)
        )
        if match.code is None:
            if not self.long and not any(v.strip() for v in value_cells):
                self.log.skip(self.title, "text", n, name)
                return None
            self._problem(
                match.reason,
                n,
                f"{column_letter(self.unit_col)} ({self.layout.labels[self.unit_col]})",
                geo.shown(raw.strip(), 40),
                "a prefecture-level city name or 6-digit adcode",
            )
            return None
        if match.code in self.municipalities:
            self.context, self.strong = str(geo.units().at[match.code, "province"]), True
        return match.code

    def _year(self, n: int, cells: list[str]) -> int | None:
        """The year in a row's year column (None, logged, when it is not a year in range)."""
        k = self.sp["year"]
        text = cells[k] if k < len(cells) else ""
        got = (
            self.year_cache[text]
            if text in self.year_cache
            else self.year_cache.setdefault(text, parse_year(text, self.bounds))
        )
        if got is None:
            r = year_refusal(text, self.bounds)
            self._problem(
                r.message,
                n,
                f"{column_letter(k)} ({self.layout.labels[k]})",
                geo.shown(text.strip(), 40),
                r.expected,
            )
            return None
        return int(got)
