"""Users' tables → a tidy ``Dataset`` with the location of every value; every problem of a file in one pass.

Layouts: *long* (``city``/``adcode``, ``year``, ``variable``, ``value``, optional ``source``, ``province``),
*wide* (one row per unit, one column per variable, the year from a ``year`` column, the column headers
(``2022年``), the sheet name, the title, or ``--year``), COINr's ``iData`` (``uCode``), and yearbook tables
as they come (see :mod:`mfgindex.core.ingest.layout`). Rows are read in chunks, so a large CSV is never held
as text in memory.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path
from types import MappingProxyType
from typing import Any

import numpy as np
import pandas as pd

from mfgindex.core import geo
from mfgindex.core.dataset import Dataset, sha256
from mfgindex.core.errors import Problem, UserError
from mfgindex.core.ingest import columns as C
from mfgindex.core.ingest.layout import find
from mfgindex.core.ingest.numbers import (
    is_missing,
    number_problem,
    parse_number,
    parse_year,
    year_range,
    year_refusal,
)
from mfgindex.core.ingest.sources import (
    NOTE_SHEETS,
    LimitError,
    Sheet,
    column_letter,
    csv_sheet,
    xlsx_sheets,
)
from mfgindex.core.ingest.values import Values

CHUNK_ROWS = 50_000
CHUNK_CELLS = 200_000  # values parsed per chunk (rows × data columns)
MAX_PROBLEMS = 1_000  # kept per file; the rest are counted
LOOKAHEAD = 40
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
Variables = Mapping[str, tuple[str, str]]  # framework variable id → (name_zh, unit)


@dataclass(frozen=True)
class Ingested:
    """What was read: the dataset (when there were no errors), every problem found, and a record of it."""

    dataset: Dataset | None
    problems: tuple[Problem, ...]
    record: Mapping[str, Any] = field(default_factory=dict)
    supplied: Mapping[str, Any] = field(default_factory=dict)  # :func:`.overlay.supplied` of the values


@dataclass
class _Column:
    index: int
    letter: str
    variable: str
    year: int | None
    factor: float
    unit: str


@dataclass
class _FileLog:
    file: str
    problems: list[Problem] = field(default_factory=list)
    dropped: int = 0
    skipped: dict[str, list[tuple[int, str]]] = field(default_factory=dict)
    ignored: list[str] = field(default_factory=list)
    units: dict[str, str] = field(default_factory=dict)

    def add(self, p: Problem) -> None:
        if len(self.problems) < MAX_PROBLEMS:
            self.problems.append(p)
        else:
            self.dropped += 1

    def skip(self, sheet: str, kind: str, row: int, text: str) -> None:
        self.skipped.setdefault(f"{sheet}\t{kind}", []).append((row, text))

    def errors(self) -> int:
        return sum(p.severity == "error" for p in self.problems)


def _files(path: Path) -> list[Path]:
    if path.is_dir():
        files = sorted(p for p in path.iterdir() if p.suffix.lower() in {".csv", ".xlsx"})
        if not files:
            raise UserError(Problem("no CSV or XLSX files in the folder", file=str(path)))
        return files
    if not path.exists():
        raise UserError(Problem("file not found", file=str(path)))
    if path.suffix.lower() not in {".csv", ".xlsx"}:
        raise UserError(Problem("unsupported file type", file=str(path), expected=".csv or .xlsx"))
    return [path]


def _sheets(path: Path) -> list[Sheet]:
    try:
        return xlsx_sheets(path) if path.suffix.lower() == ".xlsx" else [csv_sheet(path)]
    except UserError:
        raise
    except Exception as exc:  # a corrupt or unreadable file is the user's input problem
        raise UserError(
            Problem(f"cannot read file: {type(exc).__name__}: {exc}"[:300], file=str(path))
        ) from None


def _chunks(it: Iterator[tuple[int, list[str]]], size: int) -> Iterator[list[tuple[int, list[str]]]]:
    while chunk := list(islice(it, size)):
        yield chunk


def _row_kind(name: str) -> str:
    """What a row is by its unit cell: note, total, province:<short>, long (long text) or unit."""
    if name.lower().startswith(NOTE_PREFIXES):
        return "note"
    if name in TOTAL_NAMES or name.startswith(("全省", "全国")) or name.endswith(("合计", "总计")):
        return "total"
    prov = geo.province_unit(name)
    if prov is not None and (name != prov or geo.resolve(name).reason.endswith("不是地级城市")):
        return f"province:{prov}"
    return "long" if len(name) > 40 else "unit"


def _name_cell(text: str) -> str:
    return _MARKS.sub("", geo.clean_name(text))


class _Resolver:
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


def read(
    paths: list[Path],
    groups: tuple[str, ...] = (),
    year: int | None = None,
    *,
    variables: Variables | None = None,
    column_map: Mapping[str, str] | None = None,
) -> Ingested:
    """Read one or more files/folders into a Dataset; problems are collected, not raised.

    ``variables`` (framework id → (name_zh, unit)) lets columns named as the framework names them map to its
    ids and declared units convert to its units; ``column_map`` (``--map``) maps columns first (an empty
    target drops the column).
    """
    names = {C.norm(z): v for v, (z, _) in (variables or {}).items() if z}
    names.update({C.norm(v): v for v in (variables or {})})
    targets = {v: u for v, (_, u) in (variables or {}).items()}
    mapping = dict(column_map or {})
    problems: list[Problem] = []
    collected = Values()
    generic_units: dict[str, dict[str, str]] = {}
    kind = "cities"
    inputs: dict[str, str] = {}
    files_record: dict[str, Any] = {}
    resolver = _Resolver()
    for path in paths:
        for f in _files(path):
            log = _FileLog(str(f))
            try:
                sheets = _sheets(f)
                for sheet in sheets:
                    try:
                        got = _read_sheet(
                            sheet, log, groups, year, names, targets, mapping, resolver, collected
                        )
                    finally:
                        for p in sheet.problems:  # formula cells, hidden sheets, encoding
                            log.add(p)
                    if got is not None:
                        _, sheet_units, generic = got
                        generic_units.update(sheet_units)
                        kind = "generic" if generic else kind
            except LimitError as exc:
                log.problems.extend(exc.problems)
            except UserError as exc:
                if not isinstance(exc, LimitError):
                    log.problems.extend(exc.problems)
            inputs[str(f)] = sha256(f)
            problems.extend(log.problems)
            if log.dropped:
                problems.append(
                    Problem(f"… and {log.dropped:,} more problems in this file (not listed)", file=log.file)
                )
            files_record[log.file] = {
                "skipped_rows": {
                    k.replace("\t", ":"): [r for r, _ in v] for k, v in sorted(log.skipped.items())
                },
                "ignored_columns": log.ignored,
                "units_converted": log.units,
            }
            _summarise(log, problems)
    if not collected.count:
        if not any(p.severity == "error" for p in problems):
            problems.append(
                Problem(
                    "no data values found (a header without data rows?)",
                    file=", ".join(str(p) for p in paths),
                    expected="rows of units with numbers below the header",
                )
            )
        return Ingested(None, tuple(problems), {"files": files_record})
    dup = collected.duplicated()
    sources = collected.first_sources()
    cells = collected.supplied()
    values = collected.frame()
    problems.extend(_duplicates(values, dup))
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
        variable_sources=MappingProxyType(sources),
        reading=MappingProxyType({"files": files_record}),
    )
    return Ingested(ds, tuple(problems), {"files": files_record}, cells)


def _summarise(log: _FileLog, problems: list[Problem]) -> None:
    labels = {
        "total": "province and total rows",
        "note": "note and source rows",
        "text": "rows with text but no values",
    }
    for key, rows in sorted(log.skipped.items()):
        sheet, kind = key.split("\t")
        listed = ", ".join(f"{r} ({geo.shown(t, 12)})" for r, t in rows[:12])
        more = f" and {len(rows) - 12} more" if len(rows) > 12 else ""
        problems.append(
            Problem(
                f"skipped {len(rows)} {labels.get(kind, kind)}: rows {listed}{more}",
                sheet=sheet,
                file=log.file,
                severity="warning",
            )
        )
    if log.ignored:
        problems.append(
            Problem(
                f"columns ignored (they map to nothing): {', '.join(log.ignored[:20])}"
                + (f" and {len(log.ignored) - 20} more" if len(log.ignored) > 20 else ""),
                file=log.file,
                severity="warning",
            )
        )
    for what, how in sorted(log.units.items()):
        problems.append(Problem(f"{what}: {how}", file=log.file, severity="warning"))


def _duplicates(values: pd.DataFrame, dup: np.ndarray) -> list[Problem]:
    out: list[Problem] = []
    if not dup.any():
        return out
    for _, grp in values[dup].groupby(["code", "year", "variable"], sort=True, observed=True):
        rows = list(zip(grp["file"], grp["sheet"], grp["row"], grp["column"], strict=True))
        first = Problem(
            "", file=str(rows[0][0]), sheet=str(rows[0][1]), row=int(rows[0][2]), column=str(rows[0][3])
        )
        for f, s, r, c in rows[1:]:
            out.append(
                Problem(
                    f"duplicate unit-year-variable, first at {first.location()}",
                    file=str(f),
                    sheet=str(s),
                    row=int(r),
                    column=str(c),
                )
            )
            if len(out) >= MAX_PROBLEMS:
                return out
    return out


def _sheet_year(name: str) -> int | None:
    m = re.fullmatch(r"\s*(\d{4})\s*(年|年度)?\s*", name)
    return parse_year(m.group(1)) if m else None


def _read_sheet(
    sheet: Sheet,
    log: _FileLog,
    groups: tuple[str, ...],
    year: int | None,
    names: Mapping[str, str],
    targets: Mapping[str, str],
    mapping: Mapping[str, str],
    resolver: _Resolver,
    collected: Values,
) -> tuple[int, dict[str, dict[str, str]], bool] | None:
    if sheet.sheet.strip().lower() in NOTE_SHEETS:
        return None
    file, title = sheet.file, sheet.sheet
    head = list(islice(sheet.rows, LOOKAHEAD))
    layout, used = find(head)
    if not layout.header_rows:
        if sheet.sheet:  # an empty sheet of a workbook
            return None
        log.add(Problem("the file is empty", file=file, expected="a header row and data rows"))
        return None
    sp = layout.special
    unit_col = sp.get("generic", sp.get("code", sp.get("name")))
    if unit_col is None:
        log.add(
            Problem(
                "no unit column",
                file=file,
                sheet=title,
                row=layout.header_rows[0],
                expected=f"a header cell 城市, 地区, adcode or uCode in rows 1-{min(len(head), 30)}",
            )
        )
        return None
    generic = "generic" in sp
    long = "variable" in sp and "value" in sp
    header_row = layout.header_rows[0]
    seen: dict[tuple[str, int | None], str] = {}
    data_cols: list[_Column] = []
    if not long:
        special_cols = set(sp.values()) | {k for k, lab in enumerate(layout.labels) if lab in groups}
        for k in range(layout.width):
            if k in special_cols:
                continue
            letter = column_letter(k)
            label = layout.labels[k] or (layout.title_variable if layout.years[k] is not None else "")
            if not label:
                continue
            var, syn_unit, _ = C.variable_for(label, names, mapping)
            if not var:
                entry = f"{letter} {geo.shown(label, 20)}"
                if entry not in log.ignored:
                    log.ignored.append(entry)
                continue
            declared = layout.units[k] or layout.title_unit
            target = targets.get(var) or syn_unit
            factor = 1.0
            if declared and target and C.norm(declared) != C.norm(target):
                f = C.conversion(declared, target)
                if f is None:
                    log.add(
                        Problem(
                            f"unit {declared} of column {geo.shown(label, 20)} "
                            f"cannot be converted to {target}",
                            file=file,
                            sheet=title,
                            row=header_row,
                            column=letter,
                            expected=f"values in {target}, or a unit of the same kind ({', '.join(C.UNITS)})",
                        )
                    )
                    continue
                factor = f
                what = f"{title + ': ' if title else ''}{geo.shown(label, 20)}"
                what += f" converted from {declared} to {target}"
                log.units[what] = (
                    f"{log.units[what]}, {letter}" if what in log.units else f"(× {f:g}) column {letter}"
                )
            key = (var, layout.years[k])
            if key in seen:
                log.add(
                    Problem(
                        f"duplicate column {var!r}"
                        + (f" ({layout.years[k]})" if layout.years[k] else "")
                        + f", first in column {seen[key]}",
                        file=file,
                        sheet=title,
                        row=header_row,
                        column=letter,
                        value=label,
                        expected="each column name once",
                    )
                )
                continue
            seen[key] = letter
            shown = geo.shown(layout.labels[k] or label, 20)
            where = f"{letter} ({shown}{' ' + str(layout.years[k]) if layout.years[k] else ''})"
            data_cols.append(_Column(k, where, var, layout.years[k], factor, declared or target or ""))
        labelled = {c.index for c in data_cols} | special_cols
        unlabelled = [
            k
            for k in range(layout.width)
            if k not in labelled and not layout.labels[k] and layout.years[k] is None
        ]
    else:
        unlabelled = []
    # the year of a row: column header > year column > sheet name > title > --year
    fixed_year = _sheet_year(title) or layout.title_year or year
    needs_year = "year" not in sp and (long or any(c.year is None for c in data_cols))
    if needs_year and fixed_year is None:
        log.add(
            Problem(
                "no year: add a year column, name each sheet by its year, put the year in the title or "
                "the column headers (2022年), or give --year",
                file=file,
                sheet=title,
                expected="column year/年份, sheet 2022, title 2022年…, header 2022年",
            )
        )
        return None
    unlabelled_used: set[int] = set()
    count = 0
    generic_units: dict[str, dict[str, str]] = {}
    name_cache: dict[str, str] = {}
    kinds: dict[str, str] = {}
    year_cache: dict[str, int | None] = {}
    bounds = year_range()
    context: str | None = layout.title_province
    # the division table only for city names (a generic table's units are its own codes)
    municipalities: set[str] = set()
    if not generic:
        units = geo.units()
        municipalities = set(units.index[units["unit_type"] == "municipality"])
    strong = False
    rows_iter: Iterator[tuple[int, list[str]]] = _chain(head[used:], sheet.rows)
    # chunks of about CHUNK_CELLS values: a wide table of many columns is read in fewer rows at a time
    rows_per_chunk = max(100, min(CHUNK_ROWS, CHUNK_CELLS // max(len(data_cols), 1)))
    for chunk in _chunks(rows_iter, rows_per_chunk):
        codes: list[str] = []
        rownums: list[int] = []
        row_years: list[int] = []
        cells_kept: list[list[str]] = []
        for n, cells in chunk:
            if not any(c.strip() for c in cells):
                continue
            raw = cells[unit_col] if unit_col < len(cells) else ""
            name = name_cache.get(raw)
            if name is None:
                name = name_cache[raw] = _name_cell(raw)
            value_cells = [cells[c.index] for c in data_cols if c.index < len(cells)] if not long else []
            for k in unlabelled:
                if k < len(cells) and k not in unlabelled_used and cells[k].strip():
                    unlabelled_used.add(k)
            if not name:
                if long or all(is_missing(v) for v in value_cells):
                    continue
                log.add(
                    Problem(
                        "row has values but no unit name",
                        file=file,
                        sheet=title,
                        row=n,
                        column=column_letter(unit_col),
                    )
                )
                continue
            if generic:
                code = name
                attrs = {
                    "name": cells[sp["uname"]].strip() if "uname" in sp and sp["uname"] < len(cells) else code
                }
                for g in groups:
                    gk = next((i for i, lab in enumerate(layout.labels) if lab == g), None)
                    if gk is not None and gk < len(cells):
                        attrs[g] = cells[gk]
                generic_units[code] = attrs
            else:
                kind = kinds.get(name)
                if kind is None:
                    kind = kinds[name] = _row_kind(name)
                if kind == "note" or (kind == "long" and not any(v.strip() for v in value_cells)):
                    log.skip(title, "note", n, name)
                    continue
                if kind == "total":
                    log.skip(title, "total", n, name)
                    continue
                if kind.startswith("province:"):
                    log.skip(title, "total", n, name)
                    context, strong = kind.split(":", 1)[1], True
                    continue
                row_prov = (
                    cells[sp["province"]].strip() if "province" in sp and sp["province"] < len(cells) else ""
                )
                match = resolver(name, row_prov, True) if row_prov else resolver(name, context, strong)
                if match.code is None:
                    if not long and not any(v.strip() for v in value_cells):
                        log.skip(title, "text", n, name)
                        continue
                    log.add(
                        Problem(
                            match.reason,
                            file=file,
                            sheet=title,
                            row=n,
                            column=f"{column_letter(unit_col)} ({layout.labels[unit_col]})",
                            value=geo.shown(raw.strip(), 40),
                            expected="a prefecture-level city name or 6-digit adcode",
                        )
                    )
                    continue
                code = match.code
                if code in municipalities:
                    context, strong = str(geo.units().at[code, "province"]), True
            y: int = 0
            if "year" in sp:
                text = cells[sp["year"]] if sp["year"] < len(cells) else ""
                got = (
                    year_cache[text]
                    if text in year_cache
                    else year_cache.setdefault(text, parse_year(text, bounds))
                )
                if got is None:
                    r = year_refusal(text, bounds)
                    log.add(
                        Problem(
                            r.message,
                            file=file,
                            sheet=title,
                            row=n,
                            column=f"{column_letter(sp['year'])} ({layout.labels[sp['year']]})",
                            value=geo.shown(text.strip(), 40),
                            expected=r.expected,
                        )
                    )
                    continue
                y = int(got)
            elif fixed_year is not None:
                y = fixed_year
            codes.append(code)
            rownums.append(n)
            row_years.append(y)
            cells_kept.append(cells)
        if codes:
            count += (
                _long_values(
                    cells_kept,
                    codes,
                    rownums,
                    row_years,
                    sp,
                    log,
                    file,
                    title,
                    names,
                    mapping,
                    layout.labels[sp["value"]],
                    collected,
                )
                if long
                else _wide_values(
                    cells_kept,
                    codes,
                    rownums,
                    row_years,
                    data_cols,
                    log,
                    file,
                    title,
                    sp.get("source"),
                    collected,
                )
            )
    for k in sorted(unlabelled_used):
        log.add(
            Problem(
                "column has values but no header: ignored",
                file=file,
                sheet=title,
                row=header_row,
                column=column_letter(k),
                severity="warning",
            )
        )
    return count, generic_units, generic


def _chain(
    first: list[tuple[int, list[str]]], rest: Iterator[tuple[int, list[str]]]
) -> Iterator[tuple[int, list[str]]]:
    yield from first
    yield from rest


def _number(text: str, log: _FileLog, file: str, sheet: str, row: int, column: str) -> float | None:
    v = parse_number(text)
    if v is None:
        log.add(number_problem(text, file=file, sheet=sheet, row=row, column=column))
    return v


def _wide_values(
    cells: list[list[str]],
    codes: list[str],
    rownums: list[int],
    years: list[int],
    data_cols: list[_Column],
    log: _FileLog,
    file: str,
    sheet: str,
    source_col: int | None,
    collected: Values,
) -> int:
    oc: list[str] = []
    oy: list[int] = []
    ov: list[str] = []
    ox: list[float] = []
    orow: list[int] = []
    ocol: list[str] = []
    name = Path(file).name
    sources = [
        (row[source_col].strip() or name) if source_col is not None and source_col < len(row) else name
        for row in cells
    ]
    os_: list[str] = []
    for col in data_cols:
        k = col.index
        for i, row in enumerate(cells):
            text = row[k] if k < len(row) else ""
            v = _number(text, log, file, sheet, rownums[i], col.letter)
            if v is None or v != v:
                continue
            oc.append(codes[i])
            oy.append(col.year if col.year is not None else years[i])
            ov.append(col.variable)
            ox.append(v * col.factor)
            orow.append(rownums[i])
            ocol.append(col.letter)
            os_.append(sources[i])
    return collected.add(oc, oy, ov, ox, os_, file, sheet, orow, ocol)


def _long_values(
    cells: list[list[str]],
    codes: list[str],
    rownums: list[int],
    years: list[int],
    sp: Mapping[str, int],
    log: _FileLog,
    file: str,
    sheet: str,
    names: Mapping[str, str],
    mapping: Mapping[str, str],
    layout_label: str,
    collected: Values,
) -> int:
    kv, kx = sp["variable"], sp["value"]
    ks = sp.get("source")
    oc: list[str] = []
    oy: list[int] = []
    ov: list[str] = []
    ox: list[float] = []
    os_: list[str] = []
    orow: list[int] = []
    src = Path(file).name
    letter = f"{column_letter(kx)} ({layout_label})"
    cache: dict[str, str] = {}
    for i, row in enumerate(cells):
        label = row[kv].strip() if kv < len(row) else ""
        var = cache.get(label)
        if var is None:
            var = C.variable_for(label, names, mapping)[0] if label else ""
            cache[label] = var
        if not var:
            continue
        v = _number(row[kx] if kx < len(row) else "", log, file, sheet, rownums[i], letter)
        if v is None or v != v:
            continue
        oc.append(codes[i])
        oy.append(years[i])
        ov.append(var)
        ox.append(v)
        os_.append(row[ks].strip() if ks is not None and ks < len(row) and row[ks].strip() else src)
        orow.append(rownums[i])
    return collected.add(oc, oy, ov, ox, os_, file, sheet, orow, [letter] * len(oc))


def read_or_raise(
    paths: list[Path], groups: tuple[str, ...] = (), year: int | None = None, **kwargs: Any
) -> Dataset:
    got = read(paths, groups, year, **kwargs)
    errors = [p for p in got.problems if p.severity == "error"]
    if errors or got.dataset is None:
        raise UserError(errors or [Problem("no data", file=", ".join(map(str, paths)))])
    return got.dataset
