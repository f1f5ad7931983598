"""Where a sheet's header is and what each column holds — yearbook tables as they come.

A 统计年鉴/统计公报 table has a merged title (naming the data year, or only the yearbook's edition),
maybe a unit line (单位：亿元), then one to four header rows: a label row, a unit row such as （亿元）,
a year row under a variable spanning several columns (two-level headers), or variables under a group
(地区生产总值 over
第二产业 / 第三产业). The header starts at the first row naming the unit column (城市, 地区, 城 市, 市别,
adcode, uCode …); the rows below it belong to the header while the unit column is empty there and no cell
holds a (non-year) number.
"""

from __future__ import annotations

import re

from mfgindex.core import geo
from mfgindex.core.ingest import columns as C
from mfgindex.core.ingest.numbers import parse_number, year_range

MAX_TITLE_ROWS = 30
MAX_HEADER_ROWS = 4
_EDITION = re.compile(r"《[^》]*》|[^\s，,。；;]*年鉴\s*\d{4}|\d{4}\s*年?\s*[^\s，,。；;]*年鉴")
_TITLE_YEAR = re.compile(r"(?<!\d)(\d{4})\s*年")


class Layout:
    """The header of one sheet: its rows, the special columns and every data column's meaning.

    (A plain class: a dataclass's generated methods, compiled at class creation, cost start-up time.)"""

    __slots__ = (
        "header_rows",
        "labels",
        "special",
        "title",
        "title_province",
        "title_unit",
        "title_variable",
        "title_year",
        "units",
        "width",
        "years",
    )

    def __init__(
        self,
        header_rows: list[int],  # spreadsheet row numbers of the header (empty: no header found)
        width: int,
        labels: list[str],  # per column: the label (lowest label cell), "" when none
        years: list[int | None],  # per column: a year from the header (two-level headers)
        units: list[str | None],  # per column: a declared unit
        special: dict[str, int] | None = None,  # name/code/generic/year/province/... → column
        title: str = "",
        title_year: int | None = None,
        title_unit: str | None = None,
        title_province: str | None = None,
        title_variable: str = "",  # a synonym named in the title (a table of one variable by year)
    ) -> None:
        self.header_rows = header_rows
        self.width = width
        self.labels = labels
        self.years = years
        self.units = units
        self.special: dict[str, int] = {} if special is None else special
        self.title = title
        self.title_year = title_year
        self.title_unit = title_unit
        self.title_province = title_province
        self.title_variable = title_variable


def _kind(label: str) -> str | None:
    n = C.norm(label)
    for kind, names in (
        ("generic", C.GENERIC_LABELS),
        ("code", C.CODE_LABELS),
        ("name", C.NAME_LABELS),
        ("uname", C.UNAME_LABELS),
        ("year", C.YEAR_LABELS),
        ("province", C.PROVINCE_LABELS),
        ("source", C.SOURCE_LABELS),
        ("variable", C.VARIABLE_LABELS),
        ("value", C.VALUE_LABELS),
    ):
        if n in names:
            return kind
    return None


def _is_key_row(cells: list[str]) -> bool:
    return any(_kind(c) in {"generic", "code", "name"} for c in cells)


def _data_like(cell: str) -> bool:
    """A cell holding a number that is not a header year."""
    t = cell.strip()
    if not t:
        return False
    h = C.header_cell(t)
    if h.year is not None and not h.label:
        return False
    v = parse_number(t)
    return v is not None and v == v


def title_facts(text: str) -> tuple[int | None, str | None, str | None]:
    """The data year (never a yearbook edition), a unit line and a province named in a title."""
    if not text:  # no title (a header in row 1): nothing to find
        return None, None, None
    lo, hi = year_range()
    stripped = _EDITION.sub(" ", text)
    years = {int(y) for y in _TITLE_YEAR.findall(stripped) if lo <= int(y) <= hi}
    if re.search(r"\d{4}\s*年?\s*[-—–~～至到]\s*\d{4}", stripped):
        years = set()  # 2021-2022年: a range, not one data year
    unit = None
    m = re.search(r"(?:计量)?单位[:：]\s*([^\s)）,，;；]+)", text)
    if m:
        unit = C.norm(m.group(1))
    province = None
    provinces = geo.provinces()
    for short, name in zip(provinces.index, provinces["name"], strict=True):
        if str(name) in text and not str(name).endswith("市"):
            province = str(short)
            break
    return (years.pop() if len(years) == 1 else None), unit, province


def find(rows: list[tuple[int, list[str]]]) -> tuple[Layout, int]:
    """The layout of a sheet from its first rows; returns it and how many of ``rows`` it used."""
    key = next((i for i, (_, cells) in enumerate(rows[:MAX_TITLE_ROWS]) if _is_key_row(cells)), None)
    if key is None:  # no recognisable unit column: the first non-empty row is the header
        key = next((i for i, (_, cells) in enumerate(rows) if any(c.strip() for c in cells)), None)
        if key is None:
            return Layout([], 0, [], [], []), len(rows)
    title = " ".join(c.strip() for _, cells in rows[:key] for c in cells if c.strip())
    width = max((len(cells) for _, cells in rows[key : key + MAX_HEADER_ROWS + 1]), default=0)
    block = [rows[key][1] + [""] * (width - len(rows[key][1]))]
    kinds = [_kind(c) for c in block[0]]
    key_col = next((k for k, kind in enumerate(kinds) if kind in {"generic", "code", "name"}), 0)
    used = key + 1
    while used < len(rows) and len(block) < MAX_HEADER_ROWS:
        cells = rows[used][1] + [""] * (width - len(rows[used][1]))
        first = C.norm(cells[key_col]) if key_col < len(cells) else ""
        if not any(c.strip() for c in cells) or (first and first not in C.UNIT_MARKERS):
            break
        if any(_data_like(c) for k, c in enumerate(cells) if k != key_col):
            break
        block.append(cells)
        used += 1
    # a label spanning several columns (a merged cell) continues to the right over the columns below it
    for r in range(len(block) - 1):
        current = ""
        for k in range(width):
            if block[r][k].strip():
                current = block[r][k]
            elif current and any(block[q][k].strip() for q in range(r + 1, len(block))) and kinds[k] is None:
                block[r][k] = current
            else:
                current = ""
    labels: list[str] = []
    years: list[int | None] = []
    units: list[str | None] = []
    special: dict[str, int] = {}
    for k in range(width):
        label, year, unit = "", None, None
        for r in range(len(block)):
            h = C.header_cell(block[r][k])
            label = h.label or label
            year = h.year if h.year is not None else year
            unit = h.unit or unit
        kind = _kind(label) if label else None
        if kind is not None and kind not in special:
            special[kind] = k
        labels.append(label)
        years.append(year)
        units.append(unit)
    title_year, title_unit, title_province = title_facts(title)
    title_variable = ""
    n_title = C.norm(_EDITION.sub(" ", title))
    found = sorted((s for s in C.synonyms() if s and s in n_title and C.synonyms()[s][0]), key=len)
    if found:
        title_variable = found[-1]
    layout = Layout(
        [rows[i][0] for i in range(key, used)],
        width,
        labels,
        years,
        units,
        special,
        title,
        title_year,
        title_unit,
        title_province,
        title_variable,
    )
    return layout, used
