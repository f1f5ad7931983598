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

import io
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Any

import numpy as np
import pandas as pd

from mfgindex.core import geo
from mfgindex.core.dataset import Dataset, sha256
from mfgindex.core.errors import Problem, UserError

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
_MAGNITUDE = re.compile(r"^[+-]?[\d,.]+\s*(万|亿|千|百|万亿|千万|百万)")
_YEAR = re.compile(r"^(\d{4})\s*年?(度)?$")
# UTF-8 (with or without BOM) first; Chinese spreadsheets often save CSV as GBK, which GB18030 contains
ENCODINGS = ("utf-8-sig", "gb18030")


def decode(path: Path) -> tuple[str, str]:
    """The text of a user's file and the encoding it was read with (UTF-8, else GB18030/GBK)."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise UserError(Problem(f"cannot read file: {exc.strerror or exc}", file=str(path))) from None
    for encoding in ENCODINGS:
        try:
            return data.decode(encoding), encoding
        except UnicodeDecodeError:
            continue
    raise UserError(
        Problem("cannot decode the file's text", file=str(path), expected="UTF-8 or GBK/GB18030 text")
    )


def read_csv(path: Path, **kwargs: Any) -> tuple[pd.DataFrame, str]:
    """A user's CSV (UTF-8 or GBK/GB18030, see :func:`decode`) and the encoding used.

    An empty file raises ``UserError`` naming it; ``kwargs`` go to ``pandas.read_csv``.
    """
    text, encoding = decode(path)
    if not text.strip():
        raise UserError(Problem("the file is empty", file=str(path), expected="a header row and data rows"))
    return pd.read_csv(io.StringIO(text), **kwargs), encoding


@dataclass(frozen=True)
class Table:
    frame: pd.DataFrame  # all cells as strings; columns made unique (a repeated name gets ".1", ".2" …)
    file: str
    sheet: str
    header: tuple[str, ...] = ()  # the header row as written in the file
    encoding: str = ""  # of a CSV: utf-8-sig or gb18030 (see ``decode``)


def _framed(raw: pd.DataFrame) -> tuple[pd.DataFrame, tuple[str, ...]]:
    """A frame read with ``header=None``: its first row becomes the (unique) column names."""
    if raw.empty:
        return raw, ()
    header = tuple(str(v).strip() for v in raw.iloc[0].tolist())
    seen: dict[str, int] = {}
    names = []
    for i, h in enumerate(header):
        name = h or f"Unnamed: {i}"
        k = seen.get(name, 0)
        seen[name] = k + 1
        names.append(name if k == 0 else f"{name}.{k}")
    body = raw.iloc[1:].reset_index(drop=True)
    body.columns = pd.Index(names)
    return body, header


def _column_letter(i: int) -> str:
    letters = ""
    i += 1
    while i:
        i, r = divmod(i - 1, 26)
        letters = chr(65 + r) + letters
    return letters


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
                sheets = pd.read_excel(f, sheet_name=None, dtype=str, keep_default_na=False, header=None)
                for name, raw in sheets.items():
                    df, header = _framed(raw)
                    if not df.empty and str(name).strip().lower() not in NOTE_SHEETS:
                        out.append(Table(df, str(f), str(name), header))
            elif f.suffix.lower() == ".csv":
                raw, encoding = read_csv(f, dtype=str, keep_default_na=False, header=None)
                df, header = _framed(raw)
                out.append(Table(df, str(f), "", header, encoding))
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
    """A cell's number: 1,234.5 and 12% (→ 0.12) are accepted; missing markers give NaN; else None.

    Full-width characters (１２３，４５６．７％) are read as their ASCII forms (Unicode NFKC).
    """
    t = unicodedata.normalize("NFKC", text).strip()
    if t.lower() in MISSING:
        return float("nan")
    if not _NUMBER.match(t) or t in {"%", "."}:
        return None
    pct = t.endswith("%")
    value = float(t.rstrip("%").replace(",", ""))
    return value / 100.0 if pct else value


def parse_year(text: str) -> int | None:
    """A year cell: 2022, 2022.0, ２０２２ or 2022年 / 2022年度 → 2022; anything else → None."""
    t = unicodedata.normalize("NFKC", text).strip()
    m = _YEAR.match(t)
    if m:
        return int(m.group(1))
    y = parse_number(t)
    return None if y is None or np.isnan(y) or y != int(y) else int(y)


def _cell_problem(text: str) -> tuple[str, str]:
    """Message and expectation for a cell that is not a number."""
    t = unicodedata.normalize("NFKC", text).strip()
    m = _MAGNITUDE.match(t)
    if m:
        return (
            f"number with a unit word ({m.group(1)}): units are never converted",
            "the plain number in the variable's unit (e.g. 30000, not 3万)",
        )
    return "non-numeric cell", "a number"


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
    if table.encoding == "gb18030":
        problems.append(Problem("not UTF-8: read as GB18030 (GBK)", file=file, severity="warning"))
    positions: dict[str, list[int]] = {}
    for k, h in enumerate(table.header):
        if h:
            positions.setdefault(h, []).append(k)
    for name, at in positions.items():
        if len(at) > 1:
            problems.append(
                Problem(
                    f"duplicate column {name!r}",
                    file=file,
                    sheet=sheet,
                    row=1,
                    column=", ".join(_column_letter(k) for k in at),
                    value=name,
                    expected="each column name once",
                )
            )
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
            y = parse_year(str(raw))
            if y is None:
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
    first = cells["i"].to_numpy(dtype=int) == 0
    if not long and not ok[:1].all() and (bad & first).any() and not (first & ~bad & ~np.isnan(values)).any():
        # row 2 has no number and no known unit: a second header row (merged or two-row headers)
        problems = [p for p in problems if p.row != 2]
        problems.append(
            Problem(
                "row 2 looks like a second header row (merged or two-row header)",
                file=file,
                sheet=sheet,
                row=2,
                value=" | ".join(str(t) for t in df.iloc[0].tolist()),
                expected="a single header row naming the variables, data from row 2",
            )
        )
        bad &= ~first
    if not long:
        for k, c in enumerate(cols):
            if c.startswith("Unnamed") and df[c].astype(str).str.strip().ne("").any():
                problems.append(
                    Problem(
                        "column has values but no header: ignored",
                        file=file,
                        sheet=sheet,
                        row=1,
                        column=_column_letter(k),
                        severity="warning",
                    )
                )
    for r, c, t in zip(cells["row"][bad], cells["column"][bad], cells["text"][bad], strict=True):
        message, expected = _cell_problem(str(t))
        problems.append(
            Problem(
                message, file=file, sheet=sheet, row=int(r), column=str(c), value=str(t), expected=expected
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
