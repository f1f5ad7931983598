"""Users' tables → a tidy ``Dataset`` with the location of every value; every problem of a file in one pass.

This module takes files and folders to one ``Dataset``: it opens each file (:mod:`.sources`), reads its
sheets (:mod:`.sheet`), keeps each file's problems (:mod:`.log`) and the record of what was read, and finds
values given twice across files. Layouts: *long* (``city``/``adcode``, ``year``, ``variable``, ``value``,
optional ``source``, ``province``), *wide* (one row per unit, one column per variable, the year from a
``year`` column, the column headers (``2022年``), the sheet name, the title, or ``--year``), COINr's
``iData`` (``uCode``), and yearbook tables as they come (see :mod:`mfgindex.core.ingest.layout`). Rows are
read in chunks, so a large CSV is never held as text in memory.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from types import MappingProxyType
from typing import Any

import numpy as np
import pandas as pd

from mfgindex.core import geo
from mfgindex.core.dataset import Dataset, sha256
from mfgindex.core.errors import Problem, UserError
from mfgindex.core.ingest import columns as C
from mfgindex.core.ingest.log import MAX_PROBLEMS, FileLog, summarise
from mfgindex.core.ingest.rows import Resolver
from mfgindex.core.ingest.sheet import read_sheet
from mfgindex.core.ingest.sources import LimitError, Sheet, csv_sheet, xlsx_sheets
from mfgindex.core.ingest.values import Values

Variables = Mapping[str, tuple[str, str]]  # framework variable id → (name_zh, unit)


class Ingested:
    """What was read: the dataset (when there were no errors), every problem found, and a record of it.

    (A plain class: a dataclass's generated methods, compiled at class creation, cost start-up time.)"""

    __slots__ = ("dataset", "problems", "record", "supplied")

    def __init__(
        self,
        dataset: Dataset | None,
        problems: tuple[Problem, ...],
        record: Mapping[str, Any] | None = None,
        supplied: Mapping[str, Any] | None = None,  # :func:`.overlay.supplied` of the values
    ) -> None:
        self.dataset = dataset
        self.problems = problems
        self.record: Mapping[str, Any] = {} if record is None else record
        self.supplied: Mapping[str, Any] = {} if supplied is None else supplied


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
    resolver = Resolver()
    for path in paths:
        for f in _files(path):
            log = FileLog(str(f))
            try:
                sheets = _sheets(f)
                for sheet in sheets:
                    try:
                        got = read_sheet(
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
            summarise(log, problems)
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


def read_or_raise(
    paths: list[Path], groups: tuple[str, ...] = (), year: int | None = None, **kwargs: Any
) -> Dataset:
    got = read(paths, groups, year, **kwargs)
    errors = [p for p in got.problems if p.severity == "error"]
    if errors or got.dataset is None:
        raise UserError(errors or [Problem("no data", file=", ".join(map(str, paths)))])
    return got.dataset
