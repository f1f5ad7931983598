"""``derive.cube`` (the dataset as variables × units × years, built from the long values) holds what pandas'
pivot of the values holds (``pivot_table(aggfunc="first")``: the first non-missing value of a repeated key;
units, variables and years without any value left out)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from mfgindex.core import dataset as dataset_mod
from mfgindex.core import derive
from mfgindex.core import framework as framework_mod
from mfgindex.core.dataset import Dataset
from mfgindex.core.geo import data_path
from mfgindex.core.ingest.users import read_users_data


def _pivot(values: pd.DataFrame) -> tuple[list[str], dict[str, int], dict[int, int], np.ndarray]:
    """The expected cube, from pandas' pivot table."""
    wide = values.pivot_table(index="code", columns=["variable", "year"], values="value", aggfunc="first")
    codes = [str(c) for c in wide.index]
    variables = [str(v) for v in wide.columns.get_level_values(0).unique()]
    years = sorted({int(y) for y in wide.columns.get_level_values(1)})
    data = np.full((len(variables), len(codes) + 1, len(years)), np.nan)
    for (var, year), col in wide.items():
        data[variables.index(str(var)), : len(codes), years.index(int(year))] = col.to_numpy(dtype=float)
    return codes, {v: k for k, v in enumerate(variables)}, {y: t for t, y in enumerate(years)}, data


def _check(ds: Dataset) -> None:
    c = derive.cube(ds)
    codes, variables, years, data = _pivot(ds.values)
    assert list(c.codes) == codes
    assert c.variables == variables
    assert c.years == years
    np.testing.assert_array_equal(c.data, data)


def test_cube_of_the_embedded_data_is_the_pivot_table() -> None:
    _check(dataset_mod.default())


def test_cube_of_asem_is_the_pivot_table() -> None:
    fw = framework_mod.load(str(data_path("asem", "iMeta.csv")))
    ds, _ = read_users_data([data_path("asem", "iData.csv")], fw)
    assert ds is not None
    _check(ds)


@pytest.mark.parametrize("order", [[0, 1, 2, 3, 4, 5, 6], [6, 5, 4, 3, 2, 1, 0]])
def test_first_value_of_a_repeated_key_and_empty_entries_left_out(order: list[int]) -> None:
    rows = [
        ("b", 2020, "x", np.nan),  # missing first: the next value of the key is taken
        ("b", 2020, "x", 2.0),
        ("b", 2020, "x", 3.0),
        ("a", 2021, "x", 1.0),
        ("c", 2019, "x", np.nan),  # unit and year with no value: left out
        ("a", 2021, "y", np.nan),  # variable with no value: left out
        ("a", 2020, "z", -1.5),
    ]
    values = pd.DataFrame([rows[i] for i in order], columns=["code", "year", "variable", "value"])
    values["source"] = "test"
    _check(Dataset(values=values, units=pd.DataFrame(index=pd.Index(["a", "b", "c"], name="code"))))
