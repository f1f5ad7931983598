"""Opening users' files: CSV (UTF-8, else GB18030/GBK) and XLSX, as streams of rows of text, within limits.

Limits (the same on the command line as on the server; environment variables change them):

- XLSX: at most ``MFGINDEX_MAX_XLSX_UNPACKED`` bytes once unpacked (default 200 MiB), checked from the
  archive's directory before anything is inflated; reading never inflates more than the declared sizes;
- at most ``MFGINDEX_MAX_ROWS`` rows (default 5,000,000: a 200 MB long CSV, validated in about 1.2 GB)
  and ``MFGINDEX_MAX_COLUMNS`` columns (default 1,000) per sheet or CSV;
- XLSX: a macro project (``vbaProject.bin``), links to external workbooks, and XML parts declaring a DTD or
  entities (XXE, entity bombs; Excel never writes them) are refused before the workbook is opened;
- :func:`limits` lowers the limits for a block of code (the web upload: 100,000 rows, 50 MiB unpacked);
- formula cells are refused with their location (a cached result was computed by another program and a
  missing one would read as empty; DDE ``cmd|`` formulas are refused the same way);
- hidden sheets are skipped with a warning, never used.
"""

from __future__ import annotations

import codecs
import csv
import io
import os
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pandas as pd

from mfgindex.core.errors import Problem, UserError

# UTF-8 (with or without BOM) first; Chinese spreadsheets often save CSV as GBK, which GB18030 contains
ENCODINGS = ("utf-8-sig", "gb18030")
NOTE_SHEETS = frozenset({"说明", "填表说明", "notes", "readme"})  # documentation sheets of templates
_CHUNK = 1 << 20


_LOWERED: ContextVar[dict[str, int] | None] = ContextVar("mfgindex_ingest_limits", default=None)


@contextmanager
def limits(**lowered: int) -> Iterator[None]:
    """Lower limits for the reading done inside the block, e.g. ``limits(MFGINDEX_MAX_ROWS=100_000)``."""
    token = _LOWERED.set({**(_LOWERED.get() or {}), **lowered})
    try:
        yield
    finally:
        _LOWERED.reset(token)


def _limit(name: str, default: int) -> int:
    lowered = (_LOWERED.get() or {}).get(name)
    if lowered is not None:
        return lowered
    try:
        value = int(os.environ.get(name, ""))
    except ValueError:
        return default
    return value if value > 0 else default


def max_unpacked() -> int:
    return _limit("MFGINDEX_MAX_XLSX_UNPACKED", 200 * 2**20)


def max_rows() -> int:
    return _limit("MFGINDEX_MAX_ROWS", 5_000_000)


def max_columns() -> int:
    return _limit("MFGINDEX_MAX_COLUMNS", 1_000)


def column_letter(i: int) -> str:
    """Spreadsheet letter of the 0-based column ``i`` (0 → A, 26 → AA)."""
    letters = ""
    i += 1
    while i:
        i, r = divmod(i - 1, 26)
        letters = chr(65 + r) + letters
    return letters


def encoding_of(path: Path) -> str:
    """UTF-8 (BOM or not) or GB18030, checked over the whole file in chunks (memory stays flat)."""
    for encoding in ENCODINGS:
        decoder = codecs.getincrementaldecoder(encoding)()
        try:
            with path.open("rb") as fh:
                while chunk := fh.read(_CHUNK):
                    decoder.decode(chunk)
                decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            continue
        except OSError as exc:
            raise UserError(Problem(f"cannot read file: {exc.strerror or exc}", file=str(path))) from None
        return encoding
    raise UserError(
        Problem("cannot decode the file's text", file=str(path), expected="UTF-8 or GBK/GB18030 text")
    )


def decode(path: Path) -> tuple[str, str]:
    """The text of a user's file and the encoding it was read with (UTF-8, else GB18030/GBK)."""
    encoding = encoding_of(path)
    return path.read_text(encoding=encoding), encoding


def read_csv(path: Path, **kwargs: Any) -> tuple[pd.DataFrame, str]:
    """A user's small CSV (UTF-8 or GBK/GB18030, see :func:`decode`) and the encoding used.

    An empty file raises ``UserError`` naming it; ``kwargs`` go to ``pandas.read_csv``.
    """
    text, encoding = decode(path)
    if not text.strip():
        raise UserError(Problem("the file is empty", file=str(path), expected="a header row and data rows"))
    return pd.read_csv(io.StringIO(text), **kwargs), encoding


class Sheet:
    """One sheet (or CSV) as rows of text: ``rows`` yields (spreadsheet row number, cells).

    (A plain class: a dataclass's generated methods, compiled at class creation, cost start-up time.)"""

    __slots__ = ("encoding", "file", "problems", "rows", "sheet")

    def __init__(
        self,
        file: str,
        sheet: str,
        rows: Iterator[tuple[int, list[str]]],
        encoding: str = "",
        problems: list[Problem] | None = None,
    ) -> None:
        self.file = file
        self.sheet = sheet
        self.rows = rows
        self.encoding = encoding
        self.problems: list[Problem] = [] if problems is None else problems


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value)


def _trim(cells: list[str]) -> list[str]:
    n = len(cells)
    while n and not cells[n - 1].strip():
        n -= 1
    return cells[:n]


class LimitError(UserError):
    """A file over a size, row or column limit."""


def _too_many_columns(file: str, sheet: str, row: int, n: int) -> LimitError:
    return LimitError(
        Problem(
            f"{n:,} columns: more than {max_columns():,} (MFGINDEX_MAX_COLUMNS)",
            file=file,
            sheet=sheet,
            row=row,
            expected="one column per variable, in a table of a sensible width",
        )
    )


def _too_many_rows(file: str, sheet: str) -> LimitError:
    return LimitError(Problem(f"more than {max_rows():,} rows (MFGINDEX_MAX_ROWS)", file=file, sheet=sheet))


def csv_sheet(path: Path) -> Sheet:
    """A CSV as a stream of rows (read lazily; the file is decoded in chunks)."""
    file = str(path)
    encoding = encoding_of(path)
    if path.stat().st_size == 0 or not path.read_bytes()[:4096].strip(b"\xef\xbb\xbf \r\n\t,"):
        raise UserError(Problem("the file is empty", file=file, expected="a header row and data rows"))
    csv.field_size_limit(16 * 2**20)

    def rows() -> Iterator[tuple[int, list[str]]]:
        most_rows, most_columns = max_rows(), max_columns()
        with path.open(encoding=encoding, newline="") as fh:
            reader = csv.reader(fh)
            try:
                for cells in reader:
                    n = reader.line_num
                    if n > most_rows:
                        raise _too_many_rows(file, "")
                    if cells and not cells[-1]:
                        cells = _trim(cells)
                    if len(cells) > most_columns:
                        raise _too_many_columns(file, "", n, len(cells))
                    yield n, cells
            except csv.Error as exc:
                raise UserError(
                    Problem(f"cannot read the CSV: {exc}", file=file, row=reader.line_num)
                ) from None

    sheet = Sheet(file, "", rows(), encoding)
    if encoding == "gb18030":
        sheet.problems.append(Problem("not UTF-8: read as GB18030 (GBK)", file=file, severity="warning"))
    return sheet


def check_archive(path: Path) -> None:
    """Refuse a workbook that is not a zip, that unpacks to more than :func:`max_unpacked` bytes, that holds
    macros or links to other workbooks, or whose XML declares a DTD or entities (nothing is inflated
    beyond the declared sizes; the XML is scanned in chunks)."""
    file = str(path)
    try:
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
            total = sum(i.file_size for i in infos)
            if total > max_unpacked():
                raise LimitError(
                    Problem(
                        f"workbook unpacks to {total / 2**20:,.0f} MiB: more than "
                        f"{max_unpacked() / 2**20:,.0f} MiB (MFGINDEX_MAX_XLSX_UNPACKED)",
                        file=file,
                        expected="a workbook of ordinary size (a zip bomb?)",
                    )
                )
            names = {i.filename.lower() for i in infos}
            if any(n.endswith("vbaproject.bin") for n in names):
                raise UserError(
                    Problem("workbook contains macros (VBA project): refused", file=file, expected=".xlsx")
                )
            if any(n.startswith("xl/externallinks/") for n in names):
                raise UserError(Problem("workbook links to external workbooks: refused", file=file))
            part = _declares_entities(zf, infos)
    except (zipfile.BadZipFile, ValueError, OSError):
        raise UserError(
            Problem("not an XLSX workbook (or a damaged one)", file=file, expected=".xlsx or .csv")
        ) from None
    if part:
        raise UserError(
            Problem(
                f"workbook part {part[:60]} declares a DTD or XML entities (Excel never writes them; "
                "they are how XXE and entity-expansion attacks work): refused",
                file=file,
                expected="an .xlsx saved by a spreadsheet program",
            )
        )


def _declares_entities(zf: zipfile.ZipFile, infos: list[zipfile.ZipInfo]) -> str:
    """The first XML part holding ``<!DOCTYPE`` or ``<!ENTITY`` (read in chunks), else ``""``."""
    for info in infos:
        if not info.filename.lower().endswith((".xml", ".rels", ".vml")):
            continue
        tail = b""
        try:
            with zf.open(info) as fh:
                while chunk := fh.read(1 << 20):
                    text = (tail + chunk).upper()
                    if b"<!DOCTYPE" in text or b"<!ENTITY" in text:
                        return info.filename
                    tail = chunk[-16:]
        except (zipfile.BadZipFile, OSError, RuntimeError, NotImplementedError, EOFError):
            return info.filename
    return ""


def xlsx_sheets(path: Path) -> list[Sheet]:
    """The visible sheets of a workbook as streams of rows; hidden sheets are skipped with a warning."""
    from openpyxl import load_workbook

    file = str(path)
    check_archive(path)
    try:
        wb = load_workbook(path, read_only=True, data_only=False, keep_vba=False, keep_links=False)
    except Exception as exc:  # a damaged file is the user's input problem
        raise UserError(Problem(f"cannot read workbook: {type(exc).__name__}", file=file)) from None
    out: list[Sheet] = []
    for ws in wb.worksheets:
        title = str(ws.title)
        state = getattr(ws, "sheet_state", "visible")
        if state != "visible":
            skipped = Problem(
                f"{state} sheet skipped: only visible sheets are read",
                file=file,
                sheet=title,
                severity="warning",
            )
            out.append(Sheet(file, title, iter(()), problems=[skipped]))
            continue
        sheet = Sheet(file, title, iter(()))
        sheet.rows = _xlsx_rows(ws, file, title, sheet.problems)
        out.append(sheet)
    return out


def _xlsx_rows(ws: Any, file: str, title: str, problems: list[Problem]) -> Iterator[tuple[int, list[str]]]:
    try:
        yield from _xlsx_cells(ws, file, title, problems)
    except UserError:
        raise
    except Exception as exc:  # damaged sheet XML is the user's input problem, not a traceback
        raise UserError(
            Problem(f"cannot read workbook: {type(exc).__name__}", file=file, sheet=title)
        ) from None


def _xlsx_cells(ws: Any, file: str, title: str, problems: list[Problem]) -> Iterator[tuple[int, list[str]]]:
    most_rows, most_columns = max_rows(), max_columns()
    for n, row in enumerate(ws.iter_rows(), start=1):
        if n > most_rows:
            raise _too_many_rows(file, title)
        cells: list[str] = []
        for k, cell in enumerate(row):
            value = getattr(cell, "value", None)
            if getattr(cell, "data_type", None) == "f":
                problems.append(
                    Problem(
                        "formula cell: formulas are not evaluated and cached results are not used",
                        file=file,
                        sheet=title,
                        row=n,
                        column=column_letter(k),
                        value=str(value),
                        expected="the value itself (copy, paste as values)",
                    )
                )
                value = None
            cells.append(_text(value))
        cells = _trim(cells)
        if len(cells) > most_columns:
            raise _too_many_columns(file, title, n, len(cells))
        yield n, cells


def read_cells(path: Path) -> tuple[pd.DataFrame, str, str]:
    """A user's small table with every cell as text: an XLSX through :func:`read_frame` (the reader's limits,
    formula cells refused, the first visible sheet), anything else through :func:`read_csv` (UTF-8, else GBK;
    empty cells as ``""``). Returns the frame, the sheet read (``""`` for a CSV) and the CSV's encoding
    (``""`` for a workbook). The readers of rankings, lists, policy records and external series use it."""
    if path.suffix.lower() == ".xlsx":
        df, sheet, _ = read_frame(path)
        return df, sheet, ""
    df, encoding = read_csv(path, dtype=str, keep_default_na=False)
    return df, "", encoding


def read_frame(path: Path) -> tuple[pd.DataFrame, str, list[Problem]]:
    """A small table of another shape (lists, rankings, policy records, external series), read within the
    reader's limits: the CSV, or the workbook's first visible sheet, with the first row as the header.

    Cells are strings (empty for missing); returns the frame, the sheet name and warnings (GBK, skipped
    hidden sheets). Formula cells are refused with their locations, as in :func:`xlsx_sheets`.
    """
    file = str(path)
    if not path.is_file():
        raise UserError(Problem("file not found", file=file))
    suffix = path.suffix.lower()
    if suffix not in {".csv", ".xlsx"}:
        raise UserError(Problem("unsupported file type", file=file, expected=".csv or .xlsx"))
    sheets = xlsx_sheets(path) if suffix == ".xlsx" else [csv_sheet(path)]
    warnings: list[Problem] = []
    for sheet in sheets:
        rows = [cells for _, cells in sheet.rows]
        errors = [p for p in sheet.problems if p.severity == "error"]
        if errors:
            raise UserError(errors)
        warnings.extend(sheet.problems)
        if not rows and suffix == ".xlsx":
            continue  # a hidden or empty sheet
        width = max((len(r) for r in rows), default=0)
        header = [c.strip() for c in (rows[0] if rows else [])] + [""] * (
            width - len(rows[0] if rows else [])
        )
        names: list[str] = []
        seen: dict[str, int] = {}
        for i, h in enumerate(header):
            name = h or f"Unnamed: {i}"
            k = seen.get(name, 0)
            seen[name] = k + 1
            names.append(name if k == 0 else f"{name}.{k}")
        body = [r + [""] * (width - len(r)) for r in rows[1:]]
        return pd.DataFrame(body, columns=names, dtype=object).astype(str), sheet.sheet, warnings
    raise UserError(Problem("the workbook has no visible sheet with data", file=file))
