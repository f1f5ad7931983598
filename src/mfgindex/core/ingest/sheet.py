"""One sheet → values: its layout found, its columns mapped to variables, years and unit factors, its rows
read in chunks (unit names resolved, totals and notes skipped), every value kept with its location and
every problem logged with ``file:sheet:row:column``."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from itertools import islice
from pathlib import Path

from mfgindex.core import geo
from mfgindex.core.errors import Problem
from mfgindex.core.ingest import columns as C
from mfgindex.core.ingest.layout import find
from mfgindex.core.ingest.log import FileLog
from mfgindex.core.ingest.numbers import (
    is_missing,
    number_problem,
    parse_number,
    parse_year,
    year_range,
    year_refusal,
)
from mfgindex.core.ingest.rows import Resolver, name_cell, row_kind
from mfgindex.core.ingest.sources import NOTE_SHEETS, Sheet, column_letter
from mfgindex.core.ingest.values import Values

CHUNK_ROWS = 50_000
CHUNK_CELLS = 200_000  # values parsed per chunk (rows × data columns)
LOOKAHEAD = 40


@dataclass
class _Column:
    index: int
    letter: str
    variable: str
    year: int | None
    factor: float
    unit: str


def _chunks(it: Iterator[tuple[int, list[str]]], size: int) -> Iterator[list[tuple[int, list[str]]]]:
    while chunk := list(islice(it, size)):
        yield chunk


def _sheet_year(name: str) -> int | None:
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
    table is generic), or None when the sheet gives nothing (notes, empty, no unit column or no year)."""
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
                name = name_cache[raw] = name_cell(raw)
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
                    kind = kinds[name] = row_kind(name)
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
