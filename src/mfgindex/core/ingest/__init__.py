"""The one reader of users' tables (CSV/XLSX): files → a tidy ``Dataset`` with every value's location.

- :mod:`.sources` opens files within limits (XLSX unpacked size, rows, columns; formula cells and hidden
  sheets refused/skipped; CSV in UTF-8 or GB18030, read in chunks);
- :mod:`.layout` finds the header of yearbook tables (title, unit row, two-level headers);
- :mod:`.columns` says what a header means (synonyms, units);
- :mod:`.numbers` is the one number and year syntax (finite numbers only, years in 1949-2100);
- :mod:`.reader` takes files and folders to one ``Dataset``; :mod:`.sheet` reads one sheet's rows and
  columns into values; :mod:`.rows` says what a row is and resolves unit names with the file's province
  context; :mod:`.log` keeps a file's problems (each with ``file:sheet:row:column``);
- :mod:`.values` keeps the values read as integer codes until the end (memory per value, not per text);
- :mod:`.maps` reads column maps; :mod:`.overlay` puts a user's values over the embedded data.
"""

from __future__ import annotations

from mfgindex.core.ingest.maps import VARIABLE_ID, read_map
from mfgindex.core.ingest.numbers import (
    MISSING,
    NEGATIVE,
    number_problem,
    parse_number,
    parse_year,
    refused,
    year_problem,
    year_range,
)
from mfgindex.core.ingest.reader import Ingested, Variables, read, read_or_raise
from mfgindex.core.ingest.sources import (
    ENCODINGS,
    column_letter,
    decode,
    limits,
    read_cells,
    read_csv,
    read_frame,
)

__all__ = [
    "ENCODINGS",
    "MISSING",
    "NEGATIVE",
    "VARIABLE_ID",
    "Ingested",
    "Variables",
    "column_letter",
    "decode",
    "limits",
    "number_problem",
    "parse_number",
    "parse_year",
    "read",
    "read_cells",
    "read_csv",
    "read_frame",
    "read_map",
    "read_or_raise",
    "refused",
    "year_problem",
    "year_range",
]
