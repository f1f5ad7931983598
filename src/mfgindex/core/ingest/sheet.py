"""One sheet → values: its layout found, its columns mapped to variables, years and unit factors, its rows
read in chunks (unit names resolved, totals and notes skipped), every value kept with its location and
every problem logged with ``file:sheet:row:column``."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from itertools import islice
from pathlib import Path

import numpy as np

from mfgindex.core import geo
from mfgindex.core.errors import Problem
from mfgindex.core.ingest import columns as C
from mfgindex.core.ingest.layout import Layout, find
from mfgindex.core.ingest.log import FileLog
from mfgindex.core.ingest.numbers import (
    number_problem,
    parse_number,
    parse_numbers,
    parse_year,
)
from mfgindex.core.ingest.rows import Resolver, RowReader
from mfgindex.core.ingest.sources import NOTE_SHEETS, Sheet, column_letter
from mfgindex.core.ingest.values import Values

CHUNK_ROWS = 50_000
CHUNK_CELLS = 200_000  # values parsed per chunk (rows × data columns)
LOOKAHEAD = 40


class _Column:
    """A data column of a sheet: position, letter, variable, year (wide tables), unit and its factor."""

    __slots__ = ("factor", "index", "letter", "unit", "variable", "year")

    def __init__(
        self, index: int, letter: str, variable: str, year: int | None, factor: float, unit: str
    ) -> None:
        self.index = index
        self.letter = letter
        self.variable = variable
        self.year = year
        self.factor = factor
        self.unit = unit


def _chunks(it: Iterator[tuple[int, list[str]]], size: int) -> Iterator[list[tuple[int, list[str]]]]:
    while chunk := list(islice(it, size)):
        yield chunk


def _sheet_year(name: str) -> int | None:
    if not name:  # a CSV has no sheet name
        return None
    m = re.fullmatch(r"\s*(\d{4})\s*(年|年度)?\s*", name)
    return parse_year(m.group(1)) if m else None


def read_sheet(
    sheet: Sheet,
    log: FileLog,
    groups: tuple[str, ...],
    year: int | None,
    names: Mapping[str, str],
    targets: Mapping[str, str],
    mapping: Mapping[str, str],
    resolver: Resolver,
    collected: Values,
) -> tuple[int, dict[str, dict[str, str]], bool] | None:
    """Read one sheet's values into ``collected``: (values read, units of a generic table, whether the
    table is generic), or None when the sheet gives nothing (notes, empty, no unit column or no year).

    The jobs, one function each: the header (:func:`~mfgindex.core.ingest.layout.find`, then
    :func:`_unit_column`), the data columns (:func:`_data_columns`), each row's unit and year
    (:class:`~mfgindex.core.ingest.rows.RowReader`), the values of a chunk of rows (:func:`_wide_values`,
    :func:`_long_values`), and the columns with values but no header (:func:`_warn_unlabelled`).
    """
    if sheet.sheet.strip().lower() in NOTE_SHEETS:
        return None
    file, title = sheet.file, sheet.sheet
    head = list(islice(sheet.rows, LOOKAHEAD))
    layout, used = find(head)
    unit_col = _unit_column(layout, log, file, title, len(head))
    if unit_col is None:
        return None
    sp = layout.special
    long = "variable" in sp and "value" in sp
    data_cols, unlabelled = (
        ([], []) if long else _data_columns(layout, log, groups, names, targets, mapping, file, title)
    )
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
    rows = RowReader(
        layout,
        unit_col,
        groups,
        [c.index for c in data_cols],
        unlabelled,
        fixed_year,
        log,
        file,
        title,
        resolver,
    )
    count = 0
    rows_iter: Iterator[tuple[int, list[str]]] = _chain(head[used:], sheet.rows)
    # chunks of about CHUNK_CELLS values: a wide table of many columns is read in fewer rows at a time
    rows_per_chunk = max(100, min(CHUNK_ROWS, CHUNK_CELLS // max(len(data_cols), 1)))
    for chunk in _chunks(rows_iter, rows_per_chunk):
        codes: list[str] = []
        rownums: list[int] = []
        row_years: list[int] = []
        cells_kept: list[list[str]] = []
        for n, cells in chunk:
            got = rows.unit_and_year(n, cells)
            if got is not None:
                codes.append(got[0])
                rownums.append(n)
                row_years.append(got[1])
                cells_kept.append(cells)
        if not codes:
            continue
        if long:
            count += _long_values(cells_kept, codes, rownums, row_years, sp, log, file, title, names, mapping,
                                  layout.labels[sp["value"]], collected)  # fmt: skip
        else:
            count += _wide_values(cells_kept, codes, rownums, row_years, data_cols, log, file, title,
                                  sp.get("source"), collected)  # fmt: skip
    _warn_unlabelled(rows.unlabelled_used, log, file, title, layout.header_rows[0])
    return count, rows.generic_units, rows.generic


def _unit_column(layout: Layout, log: FileLog, file: str, title: str, n_head: int) -> int | None:
    """The column naming the units (uCode, adcode, else the name column); None, with the problem logged
    unless the sheet is an empty sheet of a workbook, when the header has none."""
    if not layout.header_rows:
        if not title:  # a CSV without a header (an empty sheet of a workbook is skipped silently)
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
                expected=f"a header cell 城市, 地区, adcode or uCode in rows 1-{min(n_head, 30)}",
            )
        )
    return unit_col


def _data_columns(
    layout: Layout,
    log: FileLog,
    groups: tuple[str, ...],
    names: Mapping[str, str],
    targets: Mapping[str, str],
    mapping: Mapping[str, str],
    file: str,
    title: str,
) -> tuple[list[_Column], list[int]]:
    """The columns of a wide table that hold variables (each mapped to its variable, year and unit factor;
    unmapped ones remembered as ignored, unconvertible units and duplicates logged), and the columns
    without any header (watched for values)."""
    sp = layout.special
    header_row = layout.header_rows[0]
    seen: dict[tuple[str, int | None], str] = {}
    data_cols: list[_Column] = []
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
                        f"unit {declared} of column {geo.shown(label, 20)} cannot be converted to {target}",
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
    return data_cols, unlabelled


def _warn_unlabelled(used: set[int], log: FileLog, file: str, title: str, header_row: int) -> None:
    for k in sorted(used):
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


def _chain(
    first: list[tuple[int, list[str]]], rest: Iterator[tuple[int, list[str]]]
) -> Iterator[tuple[int, list[str]]]:
    yield from first
    yield from rest


def _number(text: str, log: FileLog, file: str, sheet: str, row: int, column: str) -> float | None:
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
    log: FileLog,
    file: str,
    sheet: str,
    source_col: int | None,
    collected: Values,
) -> int:
    """The values of a chunk of rows of a wide table, column after column (refused cells logged in that
    order), into ``collected`` as arrays: the texts of a value (unit, source, variable, column) are those
    of its row and its column."""
    name = Path(file).name
    sources = [
        (row[source_col].strip() or name) if source_col is not None and source_col < len(row) else name
        for row in cells
    ]
    parsed: list[float] = []  # column after column, NaN where missing or refused
    for col in data_cols:
        k = col.index
        texts = [row[k] if k < len(row) else "" for row in cells]
        got = parse_numbers(texts)
        if None in got:  # refused cells: logged in row order
            for i, v in enumerate(got):
                if v is None:
                    log.add(
                        number_problem(texts[i], file=file, sheet=sheet, row=rownums[i], column=col.letter)
                    )
            got = [np.nan if v is None else v for v in got]
        parsed += got  # type: ignore[arg-type]
    x = np.array(parsed, dtype=np.float64).reshape(len(data_cols), len(cells))
    cols, rows = np.nonzero(~np.isnan(x))  # the values, column after column (NaN: a missing marker)
    factor = np.array([c.factor for c in data_cols], dtype=np.float64)[cols]
    col_year = np.array([-1 if c.year is None else c.year for c in data_cols], dtype=np.int64)[cols]
    row_year = np.array(years, dtype=np.int64)[rows]
    return collected.add_table(
        rows,
        cols,
        codes=codes,
        sources=sources,
        rownums=rownums,
        variables=[c.variable for c in data_cols],
        columns=[c.letter for c in data_cols],
        years=np.where(col_year >= 0, col_year, row_year),
        values=x[cols, rows] * factor,
        file=file,
        sheet=sheet,
    )


def _long_values(
    cells: list[list[str]],
    codes: list[str],
    rownums: list[int],
    years: list[int],
    sp: Mapping[str, int],
    log: FileLog,
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
