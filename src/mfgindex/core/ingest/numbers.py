"""The one number and year syntax of users' tables.

Numbers: ``1234.5``, ``1,234.5`` (thousands separators, also stored as text), ``12%`` (→ 0.12), full-width
forms (``１２３，４５６．７％``, read through Unicode NFKC). ``…``, ``—``, ``-``, empty and the other
:data:`MISSING` markers are missing. Only finite numbers are accepted: ``1e400``, ``inf`` or a 100,000-digit
number are refused, as is a cell longer than :data:`MAX_NUMBER_CHARS`.

Years: ``2022``, ``2022.0``, ``２０２２``, ``2022年``, ``2022年度`` within a configured range (default
1949-2100; ``MFGINDEX_YEAR_RANGE=1900-2100`` changes it). Whether a year is in the future of the data is a
plausibility question for ``mfgindex check``, not for the parser.
"""

from __future__ import annotations

import math
import os
import re
import unicodedata
from typing import NamedTuple

from mfgindex.core.errors import Problem
from mfgindex.core.geo import shown

MISSING = frozenset(
    {"", "na", "n/a", "nan", "null", "-", "—", "——", "--", "－", "..", "...", "…", "……", "缺失", "无", "/"}
)
MAX_NUMBER_CHARS = 64
DEFAULT_YEAR_RANGE = (1949, 2100)
_NUMBER = re.compile(r"^[+-]?(\d{1,3}(,\d{3})+|\d+)?(\.\d+)?([eE][+-]?\d+)?%?$")
_PLAIN = re.compile(r"^[+-]?\d+(\.\d+)?$")
_MAGNITUDE = re.compile(r"^[+-]?[\d,.]+\s*(万亿|千万|百万|万|亿|千|百)")
_YEAR = re.compile(r"^(\d{4})\s*(年|年度|年末|年底)?$")


def year_range() -> tuple[int, int]:
    """The accepted years: ``MFGINDEX_YEAR_RANGE`` (``LO-HI``) or 1949-2100."""
    text = os.environ.get("MFGINDEX_YEAR_RANGE", "")
    if not text:
        return DEFAULT_YEAR_RANGE
    m = re.fullmatch(r"\s*(\d{4})\s*-\s*(\d{4})\s*", text)
    if m and int(m.group(1)) <= int(m.group(2)):
        return int(m.group(1)), int(m.group(2))
    return DEFAULT_YEAR_RANGE


class Refusal(NamedTuple):
    """Why a cell is not a number or a year: the message and what was expected."""

    message: str
    expected: str


def clean(text: str) -> str:
    """NFKC, spaces (incl. U+3000) removed at the ends."""
    return unicodedata.normalize("NFKC", text).strip()


def is_missing(text: str) -> bool:
    return clean(text).lower() in MISSING


def parse_number(text: str) -> float | None:
    """A cell's finite number; NaN for a missing marker; None when the cell is not a (finite) number."""
    if len(text) > 4 * MAX_NUMBER_CHARS:
        return None
    if _PLAIN.match(text):  # fast path: most cells
        value = float(text)
        return value if math.isfinite(value) else None
    t = clean(text)
    if t.lower() in MISSING:
        return float("nan")
    if len(t) > MAX_NUMBER_CHARS or not _NUMBER.match(t) or t in {"%", ".", "+", "-"}:
        return None
    pct = t.endswith("%")
    body = t.rstrip("%").replace(",", "")
    if not body or body in {"+", "-"}:
        return None
    try:
        value = float(body)
    except ValueError:
        return None
    if not math.isfinite(value):
        return None
    return value / 100.0 if pct else value


def parse_numbers(texts: list[str]) -> list[float | None]:
    """:func:`parse_number` of each text (a column's cells): the plain numbers matched and converted in
    C loops, only the other cells through :func:`parse_number`."""
    limit = 4 * MAX_NUMBER_CHARS  # a plain number this short is finite (at most 10^256)
    return [
        float(t) if m is not None and len(t) <= limit else parse_number(t)
        for t, m in zip(texts, map(_PLAIN.match, texts), strict=True)
    ]


def number_refusal(text: str) -> Refusal:
    """Message and expectation for a cell :func:`parse_number` refused."""
    t = clean(text)
    m = _MAGNITUDE.match(t)
    if m:
        return Refusal(
            f"number with a unit word ({m.group(1)}): declare the unit in the header or unit row instead",
            "a plain number, with the unit in the header such as 地区生产总值（亿元）",
        )
    if len(t) > MAX_NUMBER_CHARS and re.fullmatch(r"[+-]?[\d,.]+([eE][+-]?\d+)?", t[:200]):
        return Refusal(
            f"number with {len(t):,} characters", f"a number of at most {MAX_NUMBER_CHARS} characters"
        )
    body = t.rstrip("%").replace(",", "")
    try:
        value = float(body)
    except ValueError:
        return Refusal("non-numeric cell", "a number")
    if not math.isfinite(value):
        return Refusal("number out of range (not finite)", "a finite number (|x| < 1.8e308)")
    return Refusal("non-numeric cell", "a number")


def parse_year(text: str, bounds: tuple[int, int] | None = None) -> int | None:
    """A year cell within ``bounds`` (default :func:`year_range`): 2022, 2022.0, ２０２２, 2022年 → 2022."""
    lo, hi = bounds or year_range()
    t = clean(text)
    if len(t) > MAX_NUMBER_CHARS:
        return None
    m = _YEAR.match(t)
    if m:
        y = int(m.group(1))
        return y if lo <= y <= hi else None
    v = parse_number(t)
    if v is None or math.isnan(v) or v != math.floor(v) or not lo <= v <= hi:
        return None
    return int(v)


def year_refusal(text: str, bounds: tuple[int, int] | None = None) -> Refusal:
    lo, hi = bounds or year_range()
    t = clean(text)
    v = parse_number(t)
    m = _YEAR.match(t)
    if m or (v is not None and not math.isnan(v) and v == math.floor(v)):
        return Refusal(f"year outside {lo}-{hi}", f"a year between {lo} and {hi} (MFGINDEX_YEAR_RANGE)")
    return Refusal("year is not an integer", "a year such as 2022")


NEGATIVE = Refusal("negative value", "a number ≥ 0")


def refused(
    r: Refusal, text: str, *, file: str, sheet: str = "", row: int | None = None, column: str = ""
) -> Problem:
    """The located problem of a refused cell: the refusal's message and expectation, the cell's text."""
    return Problem(
        r.message,
        file=file,
        sheet=sheet,
        row=row,
        column=column,
        value=shown(text.strip(), 40),
        expected=r.expected,
    )


def number_problem(
    text: str, *, file: str, sheet: str = "", row: int | None = None, column: str = ""
) -> Problem:
    """The located problem of a cell :func:`parse_number` refused (the reader's own wording)."""
    return refused(number_refusal(text), text, file=file, sheet=sheet, row=row, column=column)


def year_problem(
    text: str,
    *,
    file: str,
    sheet: str = "",
    row: int | None = None,
    column: str = "",
    bounds: tuple[int, int] | None = None,
) -> Problem:
    """The located problem of a cell :func:`parse_year` refused."""
    return refused(year_refusal(text, bounds), text, file=file, sheet=sheet, row=row, column=column)
