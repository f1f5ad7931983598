"""Users' data files (CSV/XLSX, long or wide) → a tidy ``Dataset`` with the location of every value.

Layouts
-------
long
    columns ``city`` or ``adcode`` (or ``code``/``uCode``), ``year``, ``variable``, ``value``,
    optional ``source``
    and ``province`` (to disambiguate names).
wide
    one row per unit, one column per variable, and a ``year`` column — or one sheet per year named by
    the year. COINr's ``iData`` (``uCode``, ``uName``, ``Time``, group columns) is a wide table too.

City names are matched to adcodes (苏州, 苏州市, 320500, former names such as 襄樊). Every problem found
while reading is returned with its file, sheet, row and column; nothing is guessed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType

import numpy as np
import pandas as pd

from mfgindex import geo
from mfgindex.dataset import Dataset, sha256
from mfgindex.errors import Problem, UserError

CODE_COLUMNS = ("adcode", "code", "行政区划代码")
GENERIC_CODE_COLUMNS = ("uCode",)
NAME_COLUMNS = ("city", "城市", "地市", "name", "城市名称")
YEAR_COLUMNS = ("year", "Time", "年份", "年度")
PROVINCE_COLUMNS = ("province", "省份", "省")
SOURCE_COLUMNS = ("source", "来源", "数据来源")
UNIT_NAME_COLUMNS = ("uName",)
NOTE_SHEETS = {"说明", "填表说明", "notes", "readme"}  # documentation sheets of templates, not data
MISSING = {"", "na", "n/a", "nan", "null", "-", "—", "--", "..", "…", "缺失", "无"}
_NUMBER = re.compile(r"^[+-]?(\d{1,3}(,\d{3})+|\d+)?(\.\d+)?([eE][+-]?\d+)?%?$")


@dataclass(frozen=True)
class Table:
    frame: pd.DataFrame  # all cells as strings
    file: str
    sheet: str


@dataclass(frozen=True)
class Ingested:
    """What was read: the dataset (when there were no errors) and every problem found."""

    dataset: Dataset | None
    problems: tuple[Problem, ...]


def _tables(path: Path) -> list[Table]:
    files = (
        sorted(p for p in path.iterdir() if p.suffix.lower() in {".csv", ".xlsx"})
        if path.is_dir()
        else [path]
    )
    if not files:
        raise UserError(Problem("no CSV or XLSX files", file=str(path)))
    out: list[Table] = []
    for f in files:
        if not f.exists():
            raise UserError(Problem("file not found", file=str(f)))
        try:
            if f.suffix.lower() == ".xlsx":
                sheets = pd.read_excel(f, sheet_name=None, dtype=str, keep_default_na=False)
                out.extend(
                    Table(df, str(f), str(name))
                    for name, df in sheets.items()
                    if not df.empty and str(name).strip().lower() not in NOTE_SHEETS
                )
            elif f.suffix.lower() == ".csv":
                out.append(
                    Table(pd.read_csv(f, dtype=str, keep_default_na=False, encoding="utf-8-sig"), str(f), "")
                )
            else:
                raise UserError(Problem("unsupported file type", file=str(f), expected=".csv or .xlsx"))
        except UserError:
            raise
        except Exception as exc:  # a corrupt or unreadable file is the user's input problem
            raise UserError(Problem(f"cannot read file: {exc}", file=str(f))) from None
    return out


def _first(columns: list[str], names: tuple[str, ...]) -> str | None:
    lower = {c.strip().lower(): c for c in columns}
    for n in names:
        if n.lower() in lower:
            return lower[n.lower()]
    return None


def parse_number(text: str) -> float | None:
    """A cell's number: 1,234.5 and 12% (→ 0.12) are accepted; missing markers give NaN; else None."""
    t = text.strip().replace("\u3000", "")
    if t.lower() in MISSING:
        return float("nan")
    if not _NUMBER.match(t) or t in {"%", "."}:
        return None
    pct = t.endswith("%")
    value = float(t.rstrip("%").replace(",", ""))
    return value / 100.0 if pct else value


def read(paths: list[Path], groups: tuple[str, ...] = (), year: int | None = None) -> Ingested:
    """Read one or more files/folders into a Dataset; problems are collected, not raised."""
    tables = [t for p in paths for t in _tables(p)]
    problems: list[Problem] = []
    records: list[pd.DataFrame] = []
    generic_units: dict[str, dict[str, str]] = {}
    kind = "cities"
    for table in tables:
        recs, probs, table_units, is_generic = _read_table(table, groups, year)
        problems.extend(probs)
        if recs is not None:
            records.append(recs)
        generic_units.update(table_units)
        kind = "generic" if is_generic else kind
    inputs = {}
    for path in paths:
        for f in sorted(path.iterdir()) if path.is_dir() else [path]:
            if f.suffix.lower() in {".csv", ".xlsx"}:
                inputs[str(f)] = sha256(f)
    if not records:
        problems.append(Problem("no data values found", file=", ".join(str(p) for p in paths)))
        return Ingested(None, tuple(problems))
    values = pd.concat(records, ignore_index=True)
    dup = values.duplicated(["code", "year", "variable"], keep=False)
    if dup.any():
        for _, grp in values[dup].groupby(["code", "year", "variable"], sort=True):
            located = [
                Problem("", file=str(f), sheet=str(s), row=int(r), column=str(c))
                for f, s, r, c in zip(grp["file"], grp["sheet"], grp["row"], grp["column"], strict=True)
            ]
            first, rest = located[0], located[1:]
            for p in rest:
                problems.append(
                    Problem(
                        f"duplicate city-year-variable, first at {first.location()}",
                        file=p.file,
                        sheet=p.sheet,
                        row=p.row,
                        column=p.column,
                    )
                )
    units: pd.DataFrame
    if kind == "generic":
        units = pd.DataFrame.from_dict(generic_units, orient="index")
        units.index.name = "code"
        if "name" not in units.columns:
            units["name"] = units.index
    else:
        units = geo.units()
    ds = Dataset(
        values=values,
        units=units,
        lists=MappingProxyType({}),
        inputs=MappingProxyType(inputs),
        kind=kind,
        variable_sources=MappingProxyType(
            {str(v): str(s) for v, s in values.groupby("variable")["source"].first().items()}
        ),
    )
    return Ingested(ds, tuple(problems))


def _read_table(
    table: Table, groups: tuple[str, ...], year: int | None
) -> tuple[pd.DataFrame | None, list[Problem], dict[str, dict[str, str]], bool]:
    df = table.frame
    df.columns = [str(c).strip() for c in df.columns]
    cols = list(df.columns)
    file, sheet = table.file, table.sheet
    problems: list[Problem] = []
    code_col = _first(cols, CODE_COLUMNS)
    generic_col = _first(cols, GENERIC_CODE_COLUMNS)
    name_col = _first(cols, NAME_COLUMNS)
    year_col = _first(cols, YEAR_COLUMNS)
    prov_col = _first(cols, PROVINCE_COLUMNS)
    src_col = _first(cols, SOURCE_COLUMNS)
    uname_col = _first(cols, UNIT_NAME_COLUMNS)
    unit_col = generic_col or code_col or name_col
    if unit_col is None:
        return (
            None,
            [Problem("no unit column", file=file, sheet=sheet, expected="adcode, city, 城市 or uCode")],
            {},
            False,
        )
    is_generic = generic_col is not None
    rows = np.arange(len(df)) + 2  # spreadsheet row numbers (row 1 is the header)
    # -- units ---------------------------------------------------------------------------------------------
    codes = []
    ok = np.ones(len(df), dtype=bool)
    generic_units: dict[str, dict[str, str]] = {}
    for i, raw in enumerate(df[unit_col].tolist()):
        text = str(raw).strip()
        if is_generic:
            if not text:
                problems.append(
                    Problem("empty unit code", file=file, sheet=sheet, row=int(rows[i]), column=unit_col)
                )
                ok[i] = False
            codes.append(text)
            attrs = {"name": str(df.at[df.index[i], uname_col]) if uname_col else text}
            for g in groups:
                if g in df.columns:
                    attrs[g] = str(df.at[df.index[i], g])
            generic_units[text] = attrs
            continue
        match = geo.resolve(text, str(df.at[df.index[i], prov_col]) if prov_col else None)
        if match.code is None:
            problems.append(
                Problem(
                    match.reason,
                    file=file,
                    sheet=sheet,
                    row=int(rows[i]),
                    column=unit_col,
                    value=text,
                    expected="a prefecture-level city name or 6-digit adcode",
                )
            )
            ok[i] = False
        codes.append(match.code or "")
    # -- years ---------------------------------------------------------------------------------------------
    if year_col is not None:
        years = []
        for i, raw in enumerate(df[year_col].tolist()):
            y = parse_number(str(raw))
            if y is None or np.isnan(y) or y != int(y):
                problems.append(
                    Problem(
                        "year is not an integer",
                        file=file,
                        sheet=sheet,
                        row=int(rows[i]),
                        column=year_col,
                        value=str(raw),
                        expected="a year such as 2022",
                    )
                )
                ok[i] = False
                years.append(0)
            else:
                years.append(int(y))
        year_arr = np.array(years)
    elif re.fullmatch(r"\d{4}", table.sheet.strip()):
        year_arr = np.full(len(df), int(table.sheet.strip()))
    elif year is not None:
        year_arr = np.full(len(df), year)
    else:
        return (
            None,
            [
                Problem(
                    "no year: add a year column or name each sheet by its year",
                    file=file,
                    sheet=sheet,
                    expected="column year/年份 or sheet 2022",
                )
            ],
            {},
            is_generic,
        )
    # -- values --------------------------------------------------------------------------------------------
    long = _first(cols, ("variable", "指标")) is not None and _first(cols, ("value", "数值")) is not None
    if long:
        var_col = _first(cols, ("variable", "指标"))
        val_col = _first(cols, ("value", "数值"))
        assert var_col is not None and val_col is not None
        cells = pd.DataFrame(
            {
                "row": rows,
                "column": val_col,
                "variable": df[var_col].str.strip(),
                "text": df[val_col],
                "i": np.arange(len(df)),
            }
        )
    else:
        skip = {c for c in (unit_col, code_col, name_col, year_col, prov_col, src_col, uname_col) if c}
        skip |= set(groups)
        var_cols = [c for c in cols if c not in skip and not c.startswith("Unnamed")]
        cells = (
            pd.concat(
                [
                    pd.DataFrame(
                        {"row": rows, "column": c, "variable": c, "text": df[c], "i": np.arange(len(df))}
                    )
                    for c in var_cols
                ],
                ignore_index=True,
            )
            if var_cols
            else pd.DataFrame(columns=["row", "column", "variable", "text", "i"])
        )
    parsed = [parse_number(str(t)) for t in cells["text"].tolist()]
    values = np.array([np.nan if v is None else v for v in parsed], dtype=np.float64)
    bad = np.array([v is None for v in parsed], dtype=bool)
    for r, c, t in zip(cells["row"][bad], cells["column"][bad], cells["text"][bad], strict=True):
        problems.append(
            Problem(
                "non-numeric cell",
                file=file,
                sheet=sheet,
                row=int(r),
                column=str(c),
                value=str(t),
                expected="a number",
            )
        )
    idx = cells["i"].to_numpy(dtype=int)
    keep = ok[idx] & ~bad & ~np.isnan(values)
    sources = df[src_col].to_numpy()[idx] if src_col else np.full(len(idx), Path(table.file).name)
    recs = pd.DataFrame(
        {
            "code": np.array(codes, dtype=object)[idx][keep],
            "year": year_arr[idx][keep].astype(int),
            "variable": cells["variable"].to_numpy()[keep].astype(str),
            "value": values[keep],
            "source": sources[keep],
            "file": table.file,
            "sheet": table.sheet,
            "row": cells["row"].to_numpy()[keep].astype(int),
            "column": cells["column"].to_numpy()[keep].astype(str),
        }
    )
    return recs, problems, generic_units, is_generic


def read_or_raise(paths: list[Path], groups: tuple[str, ...] = (), year: int | None = None) -> Dataset:
    got = read(paths, groups, year)
    errors = [p for p in got.problems if p.severity == "error"]
    if errors or got.dataset is None:
        raise UserError(errors or [Problem("no data")])
    return got.dataset
