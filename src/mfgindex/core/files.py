"""Writing files users open: one cell rule for every CSV/XLSX/Markdown table, reproducible XLSX bytes,
output-path checks and atomic single-file writes.

The cell rule (:func:`risky_text`) is the only definition of what a spreadsheet could run as a formula;
:func:`safe_cell` applies it to CSV and Markdown cells (a leading ``'``), :func:`xlsx_cell` to XLSX cells
(stored as text with quotePrefix, no character added). Numbers are never touched.

Folders of outputs are written all-or-nothing by :func:`mfgindex.core.outdir.output_folder`.
"""

from __future__ import annotations

import errno
import io
import os
import re
import tempfile
import zipfile
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

if TYPE_CHECKING:  # openpyxl is imported where a workbook is written (it is slow to import)
    from openpyxl import Workbook
    from openpyxl.cell.cell import Cell
    from openpyxl.worksheet.worksheet import Worksheet

from mfgindex.core.errors import Problem, UserError

FIXED_DATE = (2000, 1, 1, 0, 0, 0)

# ---------------------------------------------------------------------------------------------------------
# One rule for cells
# ---------------------------------------------------------------------------------------------------------

#: First characters after which a spreadsheet may evaluate a text cell (OWASP CSV injection); tab and
#: carriage return because some spreadsheets skip them before reading a formula.
RISKY_FIRST = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"[+-]?(?:\d[\d,]*(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?%?")
_ILLEGAL_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def risky_text(value: Any) -> bool:
    """True for text a spreadsheet could run as a formula: starts with = + - @ tab or CR, and is not a
    plain number written as text (``-3.5``, ``+2%``) or a lone sign (a direction ``+``/``-``)."""
    if not isinstance(value, str) or value[:1] not in RISKY_FIRST:
        return False
    return value not in ("+", "-") and _PLAIN_NUMBER.fullmatch(value) is None


def plain(value: Any) -> Any:
    """A cell value as Python: missing → None, numpy scalars → Python scalars; everything else as is."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, float | np.floating) and np.isnan(value):
        return None
    if isinstance(value, np.generic):
        return value.item()
    return value


def _quoted(value: Any) -> bool:
    """Risky text behind any number of ``'`` (``'=x`` too: read back, it would lose its own quote)."""
    return isinstance(value, str) and risky_text(value.lstrip("'"))


def safe_cell(value: Any) -> Any:
    """A CSV (or Markdown) cell: risky text gets a leading ``'``; numbers and other text are unchanged.

    Text that is already quotes before risky text (``'=x``) gets one more, so :func:`unquote_cell` gives
    every value back exactly.
    """
    value = plain(value)
    if _quoted(value):
        return "'" + value
    return value


def unquote_cell(value: Any) -> Any:
    """The inverse of :func:`safe_cell` for a cell read back from a file the product wrote (a filled-in
    ``lists unresolved --out`` table): ``'=x`` → ``=x``, ``''=x`` → ``'=x``; other values unchanged."""
    if isinstance(value, str) and value.startswith("'") and _quoted(value):
        return value[1:]
    return value


def _xlsx_value(value: Any) -> Any:
    value = plain(value)
    return _ILLEGAL_XML.sub("\ufffd", value) if isinstance(value, str) else value


def _guard(cell: Cell) -> Cell:
    if isinstance(cell.value, str) and risky_text(cell.value):
        cell.data_type = "s"  # openpyxl reads a leading "=" as a formula
        cell.quotePrefix = True
    return cell


def xlsx_cell(ws: Worksheet, value: Any) -> Cell:
    """An XLSX cell: risky text stored as text with quotePrefix (the spreadsheet shows it unchanged and
    never evaluates it); characters XML cannot hold become U+FFFD; numbers are numbers."""
    from openpyxl.cell.cell import Cell

    return _guard(Cell(ws, value=_xlsx_value(value)))


def put_cell(ws: Worksheet, row: int, column: int, value: Any) -> Cell:
    """Set the cell at (``row``, ``column``) through the same rule as :func:`xlsx_cell`."""
    cell = ws.cell(row=row, column=column)
    cell.value = _xlsx_value(value)
    return _guard(cell)


def append_row(ws: Worksheet, values: Iterable[Any]) -> None:
    """Append one row of cells to ``ws`` through :func:`xlsx_cell`."""
    ws.append([xlsx_cell(ws, v) for v in values])


def safe_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with the CSV rule applied to its text cells and column names (numbers untouched)."""
    out = frame.copy()
    for col in out.columns:
        if out[col].dtype == object or isinstance(out[col].dtype, pd.StringDtype):
            out[col] = out[col].astype(object).map(safe_cell)
    out.columns = [safe_cell(str(c)) for c in out.columns]
    return out


def write_csv(
    frame: pd.DataFrame,
    path: Path,
    *,
    index: bool = False,
    encoding: str = "utf-8-sig",
    float_format: str | None = "%.10g",
    lineterminator: str = "\n",
) -> Path:
    """Write ``frame`` as CSV with the cell rule applied (the one CSV writer of the product)."""
    data = csv_bytes(
        frame, index=index, encoding=encoding, float_format=float_format, lineterminator=lineterminator
    )
    path.write_bytes(data)
    return path


def csv_bytes(
    frame: pd.DataFrame,
    *,
    index: bool = False,
    encoding: str = "utf-8-sig",
    float_format: str | None = "%.10g",
    lineterminator: str = "\n",
) -> bytes:
    """``frame`` as CSV bytes with the cell rule applied."""
    if index:
        frame = frame.reset_index()
    text = safe_frame(frame).to_csv(index=False, float_format=float_format, lineterminator=lineterminator)
    return text.encode(encoding)


def save_csv(frame: pd.DataFrame, path: Path, *, encoding: str = "utf-8-sig") -> Path:
    """Write one CSV file (a command's ``--out x.csv``) all-or-nothing, with the cell rule applied."""
    return write_file_atomic(Path(path), csv_bytes(frame, encoding=encoding))


def write_sheet(wb: Workbook, title: str, frame: pd.DataFrame, widths: int = 12) -> None:
    from openpyxl.styles import Font, PatternFill
    from openpyxl.utils import get_column_letter

    ws = wb.create_sheet(title)
    append_row(ws, [str(c) for c in frame.columns])
    for row in frame.itertuples(index=False):
        append_row(ws, row)
    header = Font(bold=True)
    for cell in ws[1]:
        cell.font = header
        cell.fill = PatternFill("solid", fgColor="DDEBF7")
    for i in range(1, len(frame.columns) + 1):
        ws.column_dimensions[get_column_letter(i)].width = widths
    ws.freeze_panes = "A2"


def md_cell(value: Any) -> str:
    """A Markdown table cell: the cell rule, then ``|`` escaped and line breaks as spaces."""
    v = safe_cell(value)
    text = "" if v is None else str(v)
    return text.replace("|", "\\|").replace("\r", " ").replace("\n", " ")


def fixed_zip(data: bytes) -> bytes:
    """The XLSX ``data`` with fixed entry dates and document times, so equal content gives equal bytes."""
    buf = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            entry = src.read(item.filename)
            if item.filename == "docProps/core.xml":
                entry = re.sub(
                    rb"<dcterms:(created|modified)([^>]*)>[^<]*</dcterms:\1>",
                    rb"<dcterms:\1\2>2000-01-01T00:00:00Z</dcterms:\1>",
                    entry,
                )
            info = zipfile.ZipInfo(item.filename, date_time=FIXED_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            dst.writestr(info, entry)
    return buf.getvalue()


def fix_zip(path: Path) -> None:
    """Rewrite the XLSX at ``path`` through :func:`fixed_zip`."""
    tmp = path.with_suffix(".tmp")
    tmp.write_bytes(fixed_zip(path.read_bytes()))
    os.replace(tmp, path)


def xlsx_bytes(sheets: Mapping[str, pd.DataFrame], widths: int = 12) -> bytes:
    """One sheet per frame through :func:`write_sheet`, as reproducible XLSX bytes."""
    from openpyxl import Workbook

    wb = Workbook()
    wb.remove(wb.active)
    for title, frame in sheets.items():
        write_sheet(wb, title[:31], frame, widths)
    wb.properties.creator = "mfgindex"
    buf = io.BytesIO()
    wb.save(buf)
    return fixed_zip(buf.getvalue())


def save_xlsx(sheets: Mapping[str, pd.DataFrame], path: Path, widths: int = 12) -> Path:
    """Write one XLSX file of tables all-or-nothing (the one XLSX writer for tables)."""
    return write_file_atomic(Path(path), xlsx_bytes(sheets, widths))


# ---------------------------------------------------------------------------------------------------------
# Output paths
# ---------------------------------------------------------------------------------------------------------


def check_out_dir(out: Path) -> None:
    """Raise ``UserError`` unless ``out`` is, or can be made, a writable folder (checked before work)."""
    for p in [out, *out.parents]:
        if p.exists():
            if not p.is_dir():
                what = "the output folder" if p == out else f"{p} (in the output folder's path)"
                raise UserError(
                    Problem(f"{what} is a file, not a folder", file=str(out), expected="a folder path")
                )
            if not os.access(p, os.W_OK | os.X_OK):
                raise UserError(
                    Problem(f"no permission to write in {p}", file=str(out), expected="a writable folder")
                )
            return


def check_out_file(path: Path) -> None:
    """Raise ``UserError`` unless ``path`` can be written as a file (not a folder, in a writable folder)."""
    if path.is_dir():
        raise UserError(Problem("the output is a folder, not a file", file=str(path), expected="a file path"))
    check_out_dir(path.parent)


def record_input(path: str | Path, folder: Path) -> str:
    """How a run folder records an input file: relative to the run folder when it was given relative (so
    the folder and its data can move together and ``serve --run`` works from any directory), else as given."""
    p = Path(path)
    if p.is_absolute():
        return str(p)
    try:
        return Path(os.path.relpath(p.absolute(), folder.absolute())).as_posix()
    except ValueError:  # another drive (Windows)
        return str(p.absolute())


def resolve_input(recorded: str | Path, folder: Path) -> Path:
    """An input path read from a run folder's ``run.json``: absolute as is; relative against the run folder
    (:func:`record_input`), else against the working directory (run folders of earlier versions)."""
    p = Path(recorded)
    if p.is_absolute():
        return p
    here = folder / p
    return p if not here.exists() and p.exists() else here


_OS_REASONS = {
    errno.ENOSPC: "the disk is full",
    errno.EROFS: "the file system is read-only",
    errno.EACCES: "no permission to write",
    errno.EPERM: "no permission to write",
    errno.EDQUOT: "the disk quota is exhausted",
}


def os_problem(exc: OSError, target: Path | str) -> Problem:
    """One located message for an operating-system error while writing ``target``."""
    reason = _OS_REASONS.get(exc.errno or -1) or exc.strerror or str(exc)
    return Problem(
        f"cannot write the outputs: {reason}; nothing was written", file=str(exc.filename or target)
    )


@contextmanager
def writing(target: Path | str) -> Iterator[None]:
    """Turn operating-system errors (disk full, read-only, permissions) into one ``UserError``."""
    try:
        yield
    except OSError as exc:
        raise UserError(os_problem(exc, target)) from None


PREFIX = ".mfgindex-"  # hidden working files and folders beside the target (see core.outdir.recover)


def set_public_mode(path: Path, mode: int) -> None:
    """Give ``path`` the permissions ``mode`` under the umask (mkdtemp/mkstemp made it private)."""
    umask = os.umask(0)
    os.umask(umask)
    path.chmod(mode & ~umask)  # mkdtemp/mkstemp made it private


def write_file_atomic(path: Path, data: bytes) -> Path:
    """Write one file all-or-nothing: a temporary sibling, flushed, renamed over ``path``."""
    path = Path(path)
    with writing(path):
        check_out_file(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f"{PREFIX}file.{path.name}.{os.getpid()}.", dir=path.parent)
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
                fh.flush()
                os.fsync(fh.fileno())
            set_public_mode(Path(tmp), 0o666)
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
    return path
