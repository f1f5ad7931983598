"""Outlier treatment against COINr's documented examples (docs/coinr-reference.md §9.1)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from mfgindex.core.treat import kurtosis, log_ct, skewness, treat, winsorise
from tests.conftest import ASEM_DIR
from tests.reference import coinr_asem as ref


def test_coinr_example_1_to_10_30_100():
    """COINr treat vignette: x = c(1:10, 30, 100) → 100 becomes 30, one point winsorised."""
    x = np.array([*range(1, 11), 30, 100], dtype=float)
    assert skewness(x) == pytest.approx(3.063241, abs=5e-7)
    assert kurtosis(x) == pytest.approx(9.741391, abs=5e-7)
    y, changed, hi, lo, logged = winsorise(x)
    assert y[-1] == 30 and y[-2] == 30 and hi == 1 and lo == 0 and not logged
    assert changed.sum() == 1 and changed[-1]
    assert skewness(y) == pytest.approx(1.712038, abs=5e-7)
    assert kurtosis(y) == pytest.approx(1.815781, abs=5e-7)


@pytest.fixture(scope="module")
def raw() -> pd.DataFrame:
    return pd.read_csv(ASEM_DIR / "iData.csv")


@pytest.mark.parametrize("code", list(ref.TREAT_RAW))
def test_asem_raw_winsorisation(raw, code):
    s0, k0, nwin, s1, k1 = ref.TREAT_RAW[code]
    x = raw[code].to_numpy(dtype=float)
    assert skewness(x) == pytest.approx(s0, abs=1e-6)
    assert kurtosis(x) == pytest.approx(k0, abs=1e-6)
    y, _, hi, lo, logged = winsorise(x)
    assert (hi + lo, logged) == (nwin, False)
    assert skewness(y) == pytest.approx(s1, abs=1e-6)
    assert kurtosis(y) == pytest.approx(k1, abs=1e-6)


@pytest.mark.parametrize("code", list(ref.PASS_RAW))
def test_asem_raw_passing_untouched(raw, code):
    x = raw[code].to_numpy(dtype=float)
    y, changed, *_ = winsorise(x)
    assert skewness(x) == pytest.approx(ref.PASS_RAW[code][0], abs=1e-6)
    np.testing.assert_array_equal(np.nan_to_num(y), np.nan_to_num(x))
    assert not changed.any()


def test_log_fallback_goods_winmax_1(raw):
    """Goods still fails after one point → log_CT of the original column (COINr treat vignette)."""
    y, _, _, _, logged = winsorise(raw["Goods"].to_numpy(dtype=float), winmax=1)
    assert logged
    assert (skewness(y), kurtosis(y)) == pytest.approx(ref.GOODS_LOG_CT, abs=1e-7)


def test_winmax_zero_goes_straight_to_log(raw):
    y, _, _, _, logged = winsorise(raw["Flights"].to_numpy(dtype=float), winmax=0)
    assert logged
    assert (skewness(y), kurtosis(y)) == pytest.approx(ref.FLIGHTS_LOG_CT, abs=1e-7)


def test_ties_move_together():
    """Two tied maxima are winsorised together and both counted (COINr counts tied points)."""
    x = np.array([*range(1, 21), 200, 200], dtype=float)
    y, changed, hi, _, logged = winsorise(x)
    assert not logged and y[-1] == y[-2] == 20 and hi == 2 and changed[-2:].all()


def test_log_ct_formula_by_hand():
    x = np.array([-1.0, 0.0, 9.0, np.nan])
    # ln(x − min + 0.01·(max − min)) = ln(x + 1 + 0.1)
    np.testing.assert_allclose(log_ct(x)[:3], np.log([0.1, 1.1, 10.1]))
    assert np.isnan(log_ct(x)[3])


@given(st.lists(st.floats(-1e6, 1e6, allow_nan=False), min_size=5, max_size=40))
def test_treat_does_not_mutate_and_keeps_order(values):
    frame = pd.DataFrame({"a": values})
    before = frame.copy()
    treated, _flags, _ = treat(frame)
    pd.testing.assert_frame_equal(frame, before)
    a = frame["a"].to_numpy()
    b = treated["a"].to_numpy()
    # treatment is monotone: it never reverses the order of two units
    order = np.argsort(a, kind="stable")
    assert np.all(np.diff(b[order]) >= -1e-9)


def test_column_that_would_become_constant_is_left_untreated():
    """A count with one large value and ties (3.5, 2, 1×15, 0×300): winsorising would end at all zeros, where
    skewness is undefined; COINr's Treat() then returns the column untreated, and so do we (with a note)."""
    x = np.array([3.5, 2.0, *([1.0] * 15), *([0.0] * 300)])
    y, changed, hi, lo, logged = winsorise(x)
    np.testing.assert_array_equal(y, x)
    assert not changed.any() and (hi, lo, logged) == (0, 0, False)
    _, _, logs = treat(pd.DataFrame({"centres": x}))
    assert "constant" in logs[0].note
