"""Normalisation and aggregation kernels: hand calculations, COINr's normalise vignette, invariants."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from mfgindex.core.aggregate import aggregate
from mfgindex.core.methods import AggregateMethod, Methods, NormaliseMethod
from mfgindex.core.normalise import (
    efficacy,
    frontier,
    minmax,
    normalise,
    prank,
    rank,
    ratio_to_benchmark,
    zscore,
)
from tests.conftest import ASEM_DIR
from tests.reference import coinr_asem as ref

col = lambda *v: np.array(v, dtype=float)[:, None]  # noqa: E731 - one indicator column


def test_minmax_by_hand():
    np.testing.assert_allclose(minmax(col(2, 4, 6, np.nan)).ravel(), [0, 50, 100, np.nan])
    np.testing.assert_allclose(minmax(col(2, 4, 6), 1, 100).ravel(), [1, 50.5, 100])


def test_constant_column_is_missing():
    assert np.isnan(minmax(col(3, 3, 3))).all()


def test_zscore_uses_sample_sd():
    # mean 2, sample sd 1 → (x − 2)/1
    np.testing.assert_allclose(zscore(col(1, 2, 3)).ravel(), [-1, 0, 1])
    np.testing.assert_allclose(zscore(col(1, 2, 3), 10, 2).ravel(), [8, 10, 12])


def test_rank_prank_efficacy_ratio_frontier_by_hand():
    x = col(10, 20, 20, 40)
    np.testing.assert_allclose(rank(x).ravel(), [1, 2, 2, 4])
    np.testing.assert_allclose(prank(x).ravel(), [0, 50, 50, 100])  # (avg rank − 1)/(n − 1)·100
    np.testing.assert_allclose(efficacy(x).ravel(), [60, 60 + 40 / 3, 60 + 40 / 3, 100])  # 60 + 40·minmax
    np.testing.assert_allclose(ratio_to_benchmark(x, np.array([1.0])).ravel(), [25, 50, 50, 100])
    np.testing.assert_allclose(frontier(x).ravel(), [0, 100 / 3, 100 / 3, 100])


def test_coinr_normalise_vignette():
    """COINr normalise vignette: Flights z-score (10, 2) and Ship min-max [0, 100], raw ASEM data."""
    raw = pd.read_csv(ASEM_DIR / "iData.csv").set_index("uCode")
    z = zscore(raw[["Flights"]].to_numpy(dtype=float), 10, 2)[:, 0]
    mm = minmax(raw[["Ship"]].to_numpy(dtype=float))[:, 0]
    pos = {c: i for i, c in enumerate(raw.index)}
    for code, (flights, ship) in ref.NORMALISE_RAW.items():
        assert z[pos[code]] == pytest.approx(flights, abs=5e-6)
        assert mm[pos[code]] == pytest.approx(ship, abs=5e-5)


def test_negative_direction_flips():
    m = Methods()
    out = normalise(np.array([[1.0, 1.0], [3.0, 3.0]]), np.array([1.0, -1.0]), m)
    np.testing.assert_allclose(out, [[0, 100], [100, 0]])


def test_weighted_means_by_hand_with_missing():
    x = np.array([[50.0, np.nan, 20.0], [10.0, 40.0, 40.0]])
    w = np.array([1.0, 1.0, 2.0])
    # row 0: weights renormalised over present (1, 2): (50 + 40)/3 = 30
    np.testing.assert_allclose(aggregate(x, w, AggregateMethod.arithmetic), [30, 32.5])
    # geometric row 1: 10^.25 · 40^.25 · 40^.5 = exp(.25 ln10 + .75 ln40)
    assert aggregate(x, w, AggregateMethod.geometric)[1] == pytest.approx(
        np.exp(0.25 * np.log(10) + 0.75 * np.log(40))
    )
    # harmonic row 1: 1 / (.25/10 + .25/40 + .5/40) = 1/0.04375
    assert aggregate(x, w, AggregateMethod.harmonic)[1] == pytest.approx(1 / 0.04375)


def test_min_share_makes_score_missing():
    x = np.array([[50.0, np.nan, np.nan], [1.0, 2.0, np.nan]])
    out = aggregate(x, np.ones(3), AggregateMethod.arithmetic, min_share=0.5)
    assert np.isnan(out[0]) and out[1] == pytest.approx(1.5)


def test_geometric_non_positive_is_missing_not_wrong():
    assert np.isnan(aggregate(np.array([[0.0, 5.0]]), np.ones(2), AggregateMethod.geometric)[0])


def test_per_unit_weights_and_leading_axes():
    x = np.array([[10.0, 20.0], [10.0, 20.0]])
    w = np.array([[1.0, 0.0], [0.0, 1.0]])
    np.testing.assert_allclose(aggregate(x, w, AggregateMethod.arithmetic), [10, 20])
    reps = np.stack([x, 2 * x])  # (replications, units, components)
    np.testing.assert_allclose(aggregate(reps, np.ones(2), AggregateMethod.arithmetic), [[15, 15], [30, 30]])


finite = st.floats(-1e6, 1e6, allow_nan=False, allow_infinity=False)


@given(arrays(np.float64, (12, 3), elements=finite), st.floats(-50, 50), st.floats(1, 100))
def test_minmax_in_range(x, lo, span):
    out = minmax(x, lo, lo + span)
    ok = ~np.isnan(out)
    assert np.all(out[ok] >= lo - 1e-9) and np.all(out[ok] <= lo + span + 1e-9)


@given(arrays(np.float64, (15, 1), elements=st.integers(-10_000, 10_000).map(float), unique=True))
def test_flipping_direction_reverses_ranks(x):
    m = Methods(normalise=NormaliseMethod.minmax)
    up = normalise(x, np.array([1.0]), m)[:, 0]
    down = normalise(x, np.array([-1.0]), m)[:, 0]
    np.testing.assert_array_equal(np.argsort(up), np.argsort(down)[::-1])


@given(
    arrays(np.float64, (8, 4), elements=st.floats(1, 100)),
    arrays(np.float64, 4, elements=st.floats(0.01, 10)),
)
def test_means_lie_between_min_and_max(x, w):
    means = (AggregateMethod.arithmetic, AggregateMethod.geometric, AggregateMethod.harmonic)
    for method in means:  # TOPSIS (scored across units in pipeline.aggregate_tree) is not a mean
        out = aggregate(x, w, method)
        assert np.all(out >= x.min(axis=1) - 1e-9) and np.all(out <= x.max(axis=1) + 1e-9)
    a, g, h = (aggregate(x, w, m) for m in means)
    assert np.all(a >= g - 1e-9) and np.all(g >= h - 1e-9)


def test_ratio_to_benchmark_both_directions_by_hand():
    x = np.array([[10.0, 2.0], [20.0, 4.0], [40.0, 8.0]])
    d = np.array([1.0, -1.0])
    # higher is better: 100·x/max → 25, 50, 100; lower is better: 100·min/x → 100, 50, 25
    np.testing.assert_allclose(ratio_to_benchmark(x, d), [[25, 100], [50, 50], [100, 25]])
    # with targets 50 (higher) and 1 (lower): 100·x/50 and 100·1/x
    np.testing.assert_allclose(
        ratio_to_benchmark(x, d, np.array([50.0, 1.0])), [[20, 50], [40, 25], [80, 12.5]]
    )
