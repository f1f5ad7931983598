"""The rank function's two sort paths and the result tables built from blocks, against outside references:
SciPy's ``rankdata(method="min")`` for competition ranks, pandas' DataFrame constructor for the frames."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy.stats import rankdata

from mfgindex.core import frames
from mfgindex.core.rank import ranks


def _scipy_ranks(x: np.ndarray) -> np.ndarray:
    """Competition ranks (1 = highest) of the scores rounded to 1e-9, NaN unranked, row by row."""
    out = np.full(x.shape, np.nan)
    for i, row in enumerate(np.atleast_2d(x)):
        ok = ~np.isnan(row)
        out.reshape(-1, x.shape[-1])[i, ok] = rankdata(-np.round(row[ok], 9), method="min")
    return out


@pytest.mark.parametrize("scale", [1e-6, 1.0, 100.0, 1e5, 1e7, 1e12])  # 1e7 and 1e12: the float path
def test_ranks_match_scipy_on_ties_rounding_and_missing(scale: float) -> None:
    rng = np.random.default_rng(7)
    x = np.round(rng.normal(size=(40, 57)) * scale, 2) if scale >= 1 else rng.normal(size=(40, 57)) * scale
    x[:, 5] = x[:, 6]  # exact ties
    x[:, 7] = x[:, 8] + 4e-10 * max(1.0, scale)  # within the rounding (tie) or just outside it
    x[rng.random(x.shape) < 0.1] = np.nan
    x[3] = np.nan  # a row without scores
    np.testing.assert_array_equal(ranks(x), _scipy_ranks(x))
    np.testing.assert_array_equal(ranks(x[0]), _scipy_ranks(x[:1])[0])


def test_ranks_of_non_finite_scores() -> None:
    x = np.array([[1.0, np.inf, -np.inf, np.nan, 1.0, -0.0, 0.0]])
    np.testing.assert_array_equal(ranks(x), [[2.0, 1.0, 6.0, np.nan, 2.0, 4.0, 4.0]])


def test_frame_from_columns_equals_the_constructor() -> None:
    index = pd.Index(["b", "a", "c"], name="code", dtype=object)
    cols = {
        "name": pd.array(["乙", "甲", None], dtype="str"),
        "stage": pd.Series(["x", None, "z"], index=index, dtype=object),
        "rank": pd.arrays.IntegerArray(np.array([2, 1, 0]), np.array([False, False, True])),
        "score": np.array([1.5, 2.5, np.nan]),
        "count": np.array([3, 2, 1]),
        "other": np.array([0.1, 0.2, 0.3]),
        "flag": np.array([True, False, True]),
    }
    got = frames.from_columns(cols, index)
    want = pd.DataFrame(cols, index=index)
    pd.testing.assert_frame_equal(got, want, check_exact=True)

    def layout(df: pd.DataFrame) -> list[tuple[str, list[int]]]:  # the blocks: dtype and columns
        return sorted((str(b.dtype), b.mgr_locs.as_array.tolist()) for b in df._mgr.blocks)

    assert layout(got) == layout(want)
    # a bare object array is left to the constructor (which infers its type)
    odd = {**cols, "labels": np.array(["p", "q", "r"], dtype=object)}
    pd.testing.assert_frame_equal(frames.from_columns(odd, index), pd.DataFrame(odd, index=index))
