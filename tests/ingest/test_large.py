"""The reader's lean path: values kept as integer codes until the end, one record of the cells each file
supplied made from those codes, and the regression cases behind the 200 MB benchmark
(``benchmarks/bench_ingest.py``: 1,096 MiB for 56 MiB before, 1,151 MiB for 200 MiB after)."""

from __future__ import annotations

import csv
import json
import sys
from pathlib import Path

import pandas as pd
import pytest

from mfgindex.core import checks, geo
from mfgindex.core.ingest import overlay, read

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "yearbook"
NAMES = [str(n) for n in geo.units()["name"] if n not in {"北京市", "天津市", "上海市", "重庆市"}]


def _long(path: Path, units: int, years: range, variables: int) -> int:
    n = 0
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["city", "year", "variable", "value", "source"])
        for y in years:
            for c in NAMES[:units]:
                for v in range(variables):
                    w.writerow([c, y, f"v{v:02d}", f"{100 + (n * 7919) % 1000 / 7:.4f}", "年鉴"])
                    n += 1
    return n


def _old_supplied(values: pd.DataFrame) -> dict[str, dict[str, dict[str, list[str]]]]:
    """The record as it was computed before (every value turned into text, grouped): the reference."""
    out: dict[str, dict[str, dict[str, list[str]]]] = {}
    frame = values[["file", "variable", "year", "code"]].astype(str)
    for (f, v, y), grp in frame.groupby(["file", "variable", "year"], sort=True):
        out.setdefault(str(f), {}).setdefault(str(v), {})[str(y)] = sorted(set(grp["code"]))
    return out


def test_supplied_record_from_codes_is_the_record_from_text(tmp_path: Path) -> None:
    # two layouts and three files in one read: a long CSV, a yearbook workbook and a GBK bulletin
    small = tmp_path / "long.csv"
    _long(small, 30, range(2019, 2023), 3)
    paths = [small, FIXTURES / "jiangsu_yearbook.xlsx", FIXTURES / "bulletin_2022_gbk.csv"]
    got = read(paths)
    assert got.dataset is not None
    expected = _old_supplied(got.dataset.values)
    assert len(expected) == 3
    assert json.dumps(got.supplied, ensure_ascii=False) == json.dumps(expected, ensure_ascii=False)
    # the frame path of the same record (used over the embedded data) agrees too
    assert overlay.supplied(got.dataset.values) == expected


def test_supplied_without_the_bit_array_is_the_same(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    small = tmp_path / "long.csv"
    _long(small, 20, range(2020, 2023), 4)
    values = read([small]).dataset.values  # type: ignore[union-attr]
    monkeypatch.setattr(overlay, "DENSE_CELLS", 1)  # the np.unique path of many possible cells
    assert overlay.supplied(values) == _old_supplied(values)


def _held_bytes(frame: pd.DataFrame) -> int:
    """The bytes a frame holds, each Python object counted once. pandas' ``memory_usage(deep=True)`` adds an
    object's size at every row that refers to it: right for Arrow-backed strings (pandas' string dtype
    with pyarrow installed: bytes and offsets per row), four times too much for pooled texts held as Python
    objects (the same dtype without pyarrow: an 8-byte pointer per row to one shared ``str``)."""
    total = int(frame.index.memory_usage(deep=True))
    for name in frame.columns:
        col = frame[name]
        if col.dtype == object or (isinstance(col.dtype, pd.StringDtype) and col.dtype.storage == "python"):
            cells = col.array.to_numpy()  # the objects themselves, not copies
            shared = {id(o): o for o in cells}
            total += cells.nbytes + sum(sys.getsizeof(o) for o in shared.values())
        else:
            total += int(col.memory_usage(deep=True, index=False))
    return total


def test_values_cost_tens_of_bytes_each_not_a_string_per_cell(tmp_path: Path) -> None:
    """Before, file, sheet and column were text in every row (about 120 bytes a value at 1.3 million
    values); now they are categories and the unit, variable and source texts are taken from one pool."""
    path = tmp_path / "big.csv"
    n = _long(path, 250, range(2000, 2010), 40)  # 100,000 values
    got = read([path])
    values = got.dataset.values  # type: ignore[union-attr]
    assert len(values) == n == 100_000
    assert {str(values[c].dtype) for c in ("file", "sheet", "column")} == {"category"}
    per_value = _held_bytes(values) / n
    assert per_value < 80, per_value
    # the texts are still texts for everything below the reader
    assert values["code"].iloc[0] == str(geo.resolve(NAMES[0]).code) and values["variable"].iloc[0] == "v00"
    assert values["file"].iloc[0] == str(path) and values["column"].iloc[0] == "D (value)"


def test_duplicates_found_from_integer_keys(tmp_path: Path) -> None:
    path = tmp_path / "dup.csv"
    path.write_text(
        "city,year,variable,value\n苏州,2022,gdp,1\n无锡,2022,gdp,2\n苏州市,2022,gdp,3\n苏州,2021,gdp,4\n",
        encoding="utf-8",
    )
    got = read([path])
    dups = [p for p in got.problems if "duplicate unit-year-variable" in p.message]
    assert [(p.row, p.message.split("first at ")[1]) for p in dups] == [(4, f"{path}:row 2:column D (value)")]


def test_check_findings_keep_their_cell_locations(tmp_path: Path) -> None:
    """The plausibility checks now look up locations for their findings only: a negative amount is still
    reported at its file, row and column."""
    path = tmp_path / "neg.csv"
    path.write_text(
        "city,year,variable,value\n苏州,2021,gdp,10\n苏州,2022,gdp,-5\n无锡,2022,gdp,7\n", encoding="utf-8"
    )
    ds = read([path]).dataset
    assert ds is not None
    found = [f for f in checks.run_checks(ds, {"gdp": "amount"}) if f.kind == "negative"]
    assert [(f.code, f.year, f.location) for f in found] == [("320500", 2022, f"{path}::3:D (value)")]
