"""The values of a wide table as the reader keeps them, checked against the source file read by pandas
directly (and the number syntax against hand-written cases)."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd

from mfgindex.core import geo
from mfgindex.core.ingest import columns, read
from mfgindex.core.ingest.numbers import parse_numbers

ASEM = Path(__file__).resolve().parents[2] / "src" / "mfgindex" / "data" / "asem"
GROUPS = ("GDP_group", "GDPpc_group", "Pop_group", "EurAsia_group")


def _letter(i: int) -> str:
    return chr(65 + i) if i < 26 else chr(64 + i // 26) + chr(65 + i % 26)


def test_asem_idata_values_are_the_file_cells_column_after_column() -> None:
    got = read([ASEM / "iData.csv"], GROUPS)
    assert got.dataset is not None
    values = got.dataset.values
    # the file's cells as pandas reads them (text), each number as Python's float() of its text
    src = pd.read_csv(ASEM / "iData.csv", keep_default_na=False, dtype=str)
    skip = {"uName", "uCode", "Time", *GROUPS}
    expected = []
    for k, col in enumerate(src.columns):
        if col in skip:
            continue
        for r, (code, text) in enumerate(zip(src["uCode"], src[col], strict=True)):
            if text != "":
                expected.append((code, int(src["Time"][r]), col, float(text), r + 2, f"{_letter(k)} ({col})"))
    assert len(values) == len(expected) == 2639  # 51 rows × 53 variables, 64 cells empty
    rows = list(zip(values["code"], values["year"], values["variable"], values["value"], values["row"],
                    values["column"].astype(str), strict=True))  # fmt: skip
    assert rows == expected
    # the column categories in the order the values meet them (the file's column order)
    assert list(values["column"].cat.categories) == list(dict.fromkeys(e[5] for e in expected))
    assert set(values["file"].astype(str)) == {str(ASEM / "iData.csv")}


def test_a_wide_table_with_gaps_and_refused_cells(tmp_path: Path) -> None:
    f = tmp_path / "w.csv"
    f.write_text("uCode,year,a,b\nX,2020,,1.5\nY,2020,2,abc\nZ,2021,…,3%\n", encoding="utf-8")
    got = read([f])
    errors = [p for p in got.problems if p.severity == "error"]
    assert [(p.message, p.row, p.column) for p in errors] == [("non-numeric cell", 3, "D (b)")]
    f.write_text("uCode,year,a,b\nX,2020,,1.5\nY,2020,2,\nZ,2021,…,3%\n", encoding="utf-8")
    values = read([f]).dataset.values  # type: ignore[union-attr]
    assert list(zip(values["code"], values["year"], values["variable"], values["value"], values["row"],
                    strict=True)) == [("Y", 2020, "a", 2.0, 3), ("X", 2020, "b", 1.5, 2),
                                      ("Z", 2021, "b", 0.03, 4)]  # fmt: skip
    assert list(values["code"].unique()) == ["Y", "X", "Z"]


def test_parse_numbers_by_hand() -> None:
    texts = ["1", "-2.5", "1,234.5", "12%", "１２", "", "—", "abc", "1e400", "9" * 300, " 3 ", "7\n"]
    got = parse_numbers(texts)
    want = [1.0, -2.5, 1234.5, 0.12, 12.0, math.nan, math.nan, None, None, None, 3.0, 7.0]
    assert len(got) == len(want)
    for g, w in zip(got, want, strict=True):
        if w is None or g is None:
            assert g is w
        elif math.isnan(w):
            assert g is not None and math.isnan(g)
        else:
            assert g == w


def test_synonyms_are_the_shipped_table() -> None:
    df = pd.read_csv(geo.data_path("ingest", "column_synonyms.csv"), dtype=str, keep_default_na=False)
    want = {
        columns.norm(n): (v.strip(), u.strip())
        for n, v, u in zip(df["name"], df["variable"], df["unit"], strict=True)
    }
    assert columns.synonyms() == want
    assert list(columns.synonyms()) == list(want)
    assert np.all([isinstance(v, str) for pair in want.values() for v in pair])
