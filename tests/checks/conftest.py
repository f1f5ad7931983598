"""The embedded data, and the same data with the old values of the corrections log put back."""

from __future__ import annotations

from dataclasses import replace

import pandas as pd
import pytest

from mfgindex.core import dataset
from mfgindex.core.dataset import Dataset


def with_values(ds: Dataset, cells: list[tuple[str, int, str, float]]) -> Dataset:
    """``ds`` with the given (code, year, variable, value) cells replacing (or adding) its own."""
    v = ds.values
    keys = {(c, y, var) for c, y, var, _ in cells}
    drop = [k in keys for k in zip(v["code"], v["year"], v["variable"], strict=True)]
    new = pd.DataFrame(
        [{"code": c, "year": y, "variable": var, "value": x, "source": "test"} for c, y, var, x in cells]
    )
    return replace(ds, values=pd.concat([v[~pd.Series(drop).to_numpy()], new], ignore_index=True))


@pytest.fixture(scope="session")
def corrections() -> pd.DataFrame:
    """The shipped corrections log, one row per corrected cell (source file in /work/shared/data)."""
    return pd.DataFrame(dataset.default_corrections())


@pytest.fixture(scope="session")
def old_data(corrections: pd.DataFrame) -> Dataset:
    """The embedded data as it was before the 2026-12-01 corrections (old values put back)."""
    cells = [(r.code, int(r.year), r.variable, float(r.old)) for r in corrections.itertuples()]
    return with_values(dataset.default(), cells)
