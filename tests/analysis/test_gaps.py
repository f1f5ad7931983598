"""Regional gap statistics: hand-computed CV and Theil values, and decomposition properties."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mfgindex.analysis.gaps import (
    coefficient_of_variation,
    gap_change,
    regional_gap,
    theil,
    theil_decomposition,
)


def test_cv_hand_computed() -> None:
    # x = 2,4,4,4,5,5,7,9: mean 5, population sd 2 → 0.4; sample sd sqrt(32/7) → 0.4276179
    x = [2, 4, 4, 4, 5, 5, 7, 9]
    assert coefficient_of_variation(x) == pytest.approx(0.4)
    assert coefficient_of_variation(x, ddof=1) == pytest.approx(math.sqrt(32 / 7) / 5)
    assert math.isnan(coefficient_of_variation([0, 0]))


def test_theil_two_values_hand_computed() -> None:
    # x = (1, 3), μ = 2: T = ½(½·ln½ + 3/2·ln3/2) = ½(−0.3465736 + 0.6081977) = 0.1308121
    assert theil([1, 3]) == pytest.approx(0.1308121, abs=1e-7)


def test_theil_extremes() -> None:
    assert theil([5, 5, 5]) == pytest.approx(0.0)
    # all of the total in one of 4 units → ln 4 (0·ln 0 = 0)
    assert theil([0, 0, 0, 4]) == pytest.approx(math.log(4))


def test_theil_weighted_hand_computed() -> None:
    # x = (1, 3), weights (3, 1): μ_w = 6/4 = 1.5, shares (½, ½):
    # T = ½ ln(1/1.5) + ½ ln(3/1.5) = ½(−0.4054651) + ½(0.6931472) = 0.1438410
    assert theil([1, 3], [3, 1]) == pytest.approx(0.1438410, abs=1e-7)


def test_theil_decomposition_within_only() -> None:
    # A = (1, 3), B = (2, 2): equal group means → between 0; total = within = ¼ · 0.2616241 = 0.0654060
    d = theil_decomposition([1, 3, 2, 2], ["A", "A", "B", "B"])
    assert d.between == pytest.approx(0.0, abs=1e-12)
    assert d.total == pytest.approx(0.0654060, abs=1e-7)
    assert d.within == pytest.approx(0.0654060, abs=1e-7)
    assert d.group_share == pytest.approx({"A": 0.5, "B": 0.5})
    assert d.by_group["A"] == pytest.approx(0.1308121, abs=1e-7)


def test_theil_decomposition_between_only() -> None:
    # A = (1, 1), B = (3, 3): no within-group inequality; between = total = theil((1, 3)) = 0.1308121
    d = theil_decomposition([1, 1, 3, 3], ["A", "A", "B", "B"])
    assert d.within == pytest.approx(0.0, abs=1e-12)
    assert d.between == pytest.approx(0.1308121, abs=1e-7)
    assert d.between_share == pytest.approx(1.0)


def test_theil_rejects_negative_values() -> None:
    with pytest.raises(ValueError):
        theil([1, -1, 3])
    with pytest.raises(ValueError):
        theil([0, 0])


values = st.lists(st.floats(min_value=0.01, max_value=1e4, allow_nan=False), min_size=2, max_size=40)


@settings(max_examples=200, deadline=None)
@given(values, st.data())
def test_between_plus_within_equals_total(x: list[float], data: st.DataObject) -> None:
    groups = data.draw(st.lists(st.sampled_from("ABCD"), min_size=len(x), max_size=len(x)))
    w = data.draw(st.lists(st.floats(min_value=0.1, max_value=10), min_size=len(x), max_size=len(x)))
    d = theil_decomposition(x, groups, w)
    assert d.between + d.within == pytest.approx(d.total, rel=1e-9, abs=1e-12)
    assert d.total >= -1e-12
    assert d.within >= -1e-12
    assert sum(d.group_share.values()) == pytest.approx(1.0)


@settings(max_examples=100, deadline=None)
@given(values, st.floats(min_value=0.01, max_value=100))
def test_theil_and_cv_scale_invariant(x: list[float], c: float) -> None:
    assert theil(np.array(x) * c) == pytest.approx(theil(x), rel=1e-7, abs=1e-10)
    assert coefficient_of_variation(np.array(x) * c) == pytest.approx(
        coefficient_of_variation(x), rel=1e-7, abs=1e-10
    )


@settings(max_examples=100, deadline=None)
@given(values, st.lists(st.integers(min_value=1, max_value=4), min_size=40, max_size=40))
def test_integer_weights_equal_replication(x: list[float], reps: list[int]) -> None:
    w = reps[: len(x)]
    expanded = np.repeat(x, w)
    assert theil(x, w) == pytest.approx(theil(expanded), rel=1e-9, abs=1e-12)


@settings(max_examples=100, deadline=None)
@given(values)
def test_theil_bounded_by_log_n(x: list[float]) -> None:
    assert 0 - 1e-12 <= theil(x) <= math.log(len(x)) + 1e-12


def test_regional_gap_shares_and_change() -> None:
    t = pd.DataFrame(
        {"region": ["东部", "东部", "中部", "西部"], "va": [60.0, 20.0, 15.0, 5.0]},
        index=pd.Index(["a", "b", "c", "d"], name="code"),
    )
    g = regional_gap(t, "va")
    # shares by hand: 东部 80/100, 中部 15/100, 西部 5/100
    assert g.share_by_region == pytest.approx({"东部": 0.8, "中部": 0.15, "西部": 0.05})
    assert g.count_by_region == {"东部": 2, "中部": 1, "西部": 1}
    assert g.theil.between + g.theil.within == pytest.approx(g.theil.total)
    prev = regional_gap(t.assign(va=[50.0, 20.0, 20.0, 10.0]), "va")
    ch = gap_change(g, prev)
    assert ch["share_by_region"]["东部"] == pytest.approx(0.8 - 0.7)
    assert ch["theil_total"] == pytest.approx(g.theil.total - prev.theil.total)
    # JSON-ready
    d = g.to_dict()
    assert d["theil"]["between_share"] == pytest.approx(g.theil.between / g.theil.total)
