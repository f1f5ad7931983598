"""Reading a list file (MIIT batches of firms, parks, projects): the columns found by their names, each row
checked with its location → the entries :mod:`mfgindex.workspace.lists` assigns and stores."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from mfgindex.core import geo, ingest
from mfgindex.core.errors import Problem, UserError
from mfgindex.workspace import places
from mfgindex.workspace.store import json_attrs

NAME_COLUMNS = ("name", "名称", "企业名称", "单位名称", "项目名称", "园区名称", "entity")


PROVINCE_COLUMNS = ("province", "省份", "省", "地区", "region_raw", "province_code")


ADDRESS_COLUMNS = ("address", "地址", "注册地址", "所在地")


BATCH_COLUMNS = ("batch", "批次")


YEAR_COLUMNS = ("year", "年份", "年度")


CODE_COLUMNS = ("adcode", "code", "行政区划代码")


CITY_COLUMNS = ("city", "城市", "地市")


WEIGHT_COLUMNS = ("weight", "权重")


def _first(columns: list[str], names: tuple[str, ...]) -> str | None:
    lower = {c.strip().lower(): c for c in columns}
    for n in names:
        if n.lower() in lower:
            return lower[n.lower()]
    return None


def _read_table(path: Path) -> tuple[pd.DataFrame, str, tuple[str, ...]]:
    """All cells as strings; the sheet read (XLSX: the first sheet); warnings (a CSV not in UTF-8)."""
    if not path.exists():
        raise UserError(Problem("file not found", file=str(path)))
    try:
        if path.suffix.lower() in (".xlsx", ".csv"):
            df, name, encoding = ingest.read_cells(path)
            return df, name, _encoding_warnings(path, encoding)
    except UserError:
        raise
    except Exception as exc:  # a corrupt or unreadable file is the user's input problem
        raise UserError(Problem(f"cannot read file: {exc}", file=str(path))) from None
    raise UserError(Problem("unsupported file type", file=str(path), expected=".csv or .xlsx"))


def _encoding_warnings(path: Path, encoding: str) -> tuple[str, ...]:
    if encoding == "gb18030":
        return (str(Problem("not UTF-8: read as GB18030 (GBK)", file=str(path), severity="warning")),)
    return ()


def parse_batch_years(text: str | None) -> dict[str, int]:
    """``"1=2017,2=2018"`` → ``{"1": 2017, "2": 2018}``."""
    out: dict[str, int] = {}
    for part in (text or "").split(","):
        if not part.strip():
            continue
        key, _, value = part.partition("=")
        if not value.strip().isdigit():
            raise UserError(
                Problem(
                    "bad --batch-years",
                    column="--batch-years",
                    value=text or "",
                    expected="BATCH=YEAR,… such as 1=2017,2=2018",
                )
            )
        out[key.strip()] = int(value.strip())
    return out


def read_entries(
    path: Path, year: int | None = None, batch_years: dict[str, int] | None = None
) -> pd.DataFrame:
    """Read a list file → seq, name, province, address, batch, year, given (adcode or ''), attrs, row.

    Raises UserError with file, row and column for every bad row.
    """
    return _read_entries(path, year, batch_years)[0]


def _read_entries(
    path: Path, year: int | None = None, batch_years: dict[str, int] | None = None
) -> tuple[pd.DataFrame, tuple[str, ...]]:
    """:func:`read_entries` and the warnings about the file read."""
    df, sheet, warnings = _read_table(path)
    df.columns = [str(c).strip() for c in df.columns]
    cols = list(df.columns)
    file = str(path)
    name_col = _first(cols, NAME_COLUMNS)
    if name_col is None:
        raise UserError(Problem("no name column", file=file, sheet=sheet, expected=", ".join(NAME_COLUMNS)))
    prov_col = _first(cols, PROVINCE_COLUMNS)
    addr_col = _first(cols, ADDRESS_COLUMNS)
    batch_col = _first(cols, BATCH_COLUMNS)
    year_col = _first(cols, YEAR_COLUMNS)
    code_col = _first(cols, CODE_COLUMNS)
    city_col = _first(cols, CITY_COLUMNS)
    weight_col = _first(cols, WEIGHT_COLUMNS)
    problems: list[Problem] = []
    rows: list[dict[str, object]] = []
    seen: dict[tuple[str, str, str], int] = {}
    row = 0

    def bad(message: str, column: str | None, value: str = "", expected: str = "") -> None:
        """A problem in this row (the row is left out)."""
        problems.append(Problem(message, file, sheet, row, column or "", value, expected))

    for i, rec in enumerate(df.to_dict("records")):
        row = i + 2
        name = str(rec[name_col]).strip()
        if not name:
            bad("empty name", name_col)
            continue
        province = str(rec[prov_col]).strip() if prov_col else ""
        batch = str(rec[batch_col]).strip() if batch_col else ""
        if batch.endswith(".0") and batch[:-2].isdigit():
            batch = batch[:-2]
        y: int | None = None
        if year_col and str(rec[year_col]).strip():
            text = str(rec[year_col]).strip().removesuffix(".0")
            if not re.fullmatch(r"\d{4}", text):
                bad("year is not a year", year_col, text, "a year such as 2022")
                continue
            y = int(text)
        elif batch in (batch_years or {}):
            y = (batch_years or {})[batch]
        elif re.fullmatch(r"(19|20)\d\d", batch):
            y = int(batch)
        elif year is not None:
            y = year
        if y is None:
            expected = "a year column, a batch that is a year, --batch-years or --year"
            bad("no year for this entry", year_col or batch_col or name_col, batch, expected)
            continue
        given = ""
        # a given adcode, else a given city name (within the entry's province), assigns the entry directly
        by_code = bool(code_col and str(rec[code_col]).strip())
        place_col = code_col if by_code else (city_col if city_col and str(rec[city_col]).strip() else None)
        if place_col:
            prov_short = places.parse_province(province) if province and not by_code else None
            m = geo.resolve(str(rec[place_col]).strip(), prov_short)
            if m.code is None:
                expected = "a prefecture-level adcode" if by_code else "a prefecture-level city"
                bad(m.reason, place_col, str(rec[place_col]), expected)
                continue
            given = m.code
        attrs = ""
        if weight_col:
            text = str(rec[weight_col]).strip()
            try:
                attrs = json_attrs({"weight": float(text) if text else 1.0})
            except ValueError:
                bad("weight is not a number", weight_col, text)
                continue
        key = (name, province, batch)
        if key in seen:
            bad(f"duplicate entry (name, province, batch), first at row {seen[key]}", name_col, name)
            continue
        seen[key] = row
        rows.append(
            {
                "seq": len(rows) + 1,
                "name": name,
                "province": province,
                "address": str(rec[addr_col]).strip() if addr_col else "",
                "batch": batch,
                "year": y,
                "given": given,
                "attrs": attrs,
                "row": row,
            }
        )
    if problems:
        raise UserError(problems)
    if not rows:
        raise UserError(Problem("no entries", file=file))
    return pd.DataFrame(rows), warnings
