"""The values of one read of users' tables, kept as numpy arrays of small integers until the end.

Each text (unit code, variable, source, file, sheet, column) is interned once in a pool per column; a value
costs about 40 bytes (eight arrays) instead of a Python object per cell, so a 200 MiB CSV is read in about a
gigabyte. The long table is made once, at the end; duplicates, the first source of each variable and the
record of the cells each file supplied are found from the integer codes.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from mfgindex.core.ingest.overlay import supplied_from_codes, text_order

KEYS = ("code", "variable", "source", "file", "sheet", "column")
COLUMNS = ["code", "year", "variable", "value", "source", "file", "sheet", "row", "column"]


class Values:
    """The values of one :func:`read`, kept as numpy arrays of small integers (each text interned once in a
    pool per column) until the end: no Python object per value, so memory follows the number of values
    (about 40 bytes each) rather than the file's text."""

    def __init__(self) -> None:
        self.pools: dict[str, dict[str, int]] = {k: {} for k in KEYS}
        self.parts: list[dict[str, np.ndarray]] = []
        self.count = 0

    def _ids(self, key: str, texts: list[str]) -> np.ndarray:
        pool = self.pools[key]
        return np.fromiter((pool.setdefault(t, len(pool)) for t in texts), dtype=np.int32, count=len(texts))

    def add(
        self,
        codes: list[str],
        years: list[int],
        variables: list[str],
        values: list[float],
        sources: list[str],
        file: str,
        sheet: str,
        rows: list[int],
        columns: list[str],
    ) -> int:
        n = len(codes)
        if n:
            self.parts.append(
                {
                    "code": self._ids("code", codes),
                    "year": np.array(years, dtype=np.int64),
                    "variable": self._ids("variable", variables),
                    "value": np.array(values, dtype=np.float64),
                    "source": self._ids("source", sources),
                    "file": np.full(n, self._ids("file", [file])[0], dtype=np.int32),
                    "sheet": np.full(n, self._ids("sheet", [sheet])[0], dtype=np.int32),
                    "row": np.array(rows, dtype=np.int64),
                    "column": self._ids("column", columns),
                }
            )
            self.count += n
        return n

    def _ids_at(self, key: str, texts: list[str], at: np.ndarray) -> np.ndarray:
        """Ids of ``texts[at]`` (one per value), each text interned in the order the values meet it, as
        :meth:`_ids` of the values' texts would (pool order is category order in :meth:`frame`)."""
        pool = self.pools[key]
        here = np.zeros(len(texts), dtype=np.int32)
        met, first = np.unique(at, return_index=True)
        for i in met[np.argsort(first, kind="stable")].tolist():
            here[i] = pool.setdefault(texts[i], len(pool))
        return np.asarray(here[at], dtype=np.int32)

    def add_table(
        self,
        rows: np.ndarray,
        cols: np.ndarray,
        *,
        codes: list[str],
        sources: list[str],
        rownums: list[int],
        variables: list[str],
        columns: list[str],
        years: np.ndarray,
        values: np.ndarray,
        file: str,
        sheet: str,
    ) -> int:
        """:meth:`add` of the values of a table: value ``i`` is in row ``rows[i]`` (its unit code, source
        and spreadsheet row number are that row's) and column ``cols[i]`` (its variable and column label)."""
        n = len(rows)
        if n:
            self.parts.append(
                {
                    "code": self._ids_at("code", codes, rows),
                    "year": np.asarray(years, dtype=np.int64),
                    "variable": self._ids_at("variable", variables, cols),
                    "value": np.asarray(values, dtype=np.float64),
                    "source": self._ids_at("source", sources, rows),
                    "file": np.full(n, self._ids("file", [file])[0], dtype=np.int32),
                    "sheet": np.full(n, self._ids("sheet", [sheet])[0], dtype=np.int32),
                    "row": np.array(rownums, dtype=np.int64)[rows],
                    "column": self._ids_at("column", columns, cols),
                }
            )
            self.count += n
        return n

    def arrays(self) -> dict[str, np.ndarray]:
        if len(self.parts) == 1:
            return self.parts[0]
        out = {k: np.concatenate([p.pop(k) for p in self.parts]) for k in COLUMNS}  # parts freed as it goes
        self.parts = [out]
        return out

    def duplicated(self) -> np.ndarray:
        """Values of the same unit, year and variable (every one of them), from the integer keys."""
        a = self.arrays()
        years = a["year"] - a["year"].min() if len(a["year"]) else a["year"]
        n_var = max(len(self.pools["variable"]), 1)
        n_year = int(years.max()) + 1 if len(years) else 1
        key = (a["code"].astype(np.int64) * n_year + years) * n_var + a["variable"]
        return np.asarray(pd.Series(key).duplicated(keep=False).to_numpy(), dtype=bool)

    def first_sources(self) -> dict[str, str]:
        """Variable → the source of its first value."""
        a = self.arrays()
        ids, first = np.unique(a["variable"], return_index=True)
        names = list(self.pools["variable"])
        sources = list(self.pools["source"])
        return dict(sorted((names[v], sources[a["source"][i]]) for v, i in zip(ids, first, strict=True)))

    def supplied(self) -> dict[str, dict[str, dict[str, list[str]]]]:
        """:func:`mfgindex.core.ingest.overlay.supplied` of the values, from the integer codes."""
        a = self.arrays()
        years, inverse = np.unique(a["year"], return_inverse=True)
        return supplied_from_codes(
            (a["file"], *text_order(list(self.pools["file"]))),
            (a["variable"], *text_order(list(self.pools["variable"]))),
            (inverse, *text_order([str(y) for y in years.tolist()])),
            (a["code"], *text_order(list(self.pools["code"]))),
        )

    def frame(self) -> pd.DataFrame:
        """The long table: unit, variable and source as text; file, sheet and column as categoricals."""
        if not self.count:
            return pd.DataFrame(columns=COLUMNS)
        a = self.arrays()
        cols: dict[str, Any] = {}
        for k in COLUMNS:
            if k in KEYS:
                names = list(self.pools[k])
                if k in ("file", "sheet", "column"):
                    cols[k] = pd.Categorical.from_codes(a[k], categories=pd.Index(names), validate=False)
                else:  # text, taken from the pool: no string is made per value
                    cols[k] = pd.Series(names, dtype=object).astype(str).array.take(a[k])
            else:
                cols[k] = a[k]
        self.parts = []
        return pd.DataFrame(cols)
