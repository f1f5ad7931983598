from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from mfgindex.core.errors import UserError
from mfgindex.core.weights.objective import (
    combine_weights,
    critic_weights,
    cv_weights,
    entropy_weights,
    equal_weights,
    merec_weights,
    pca_weights,
    std_weights,
)
from mfgindex.core.weights.rankorder import rank_order_weights
from mfgindex.core.weights.topsis import topsis

matrices = st.integers(4, 9).flatmap(
    lambda m: st.integers(2, 6).flatmap(
        lambda n: arrays(np.float64, (m, n), elements=st.floats(1.0, 100.0).map(lambda v: round(v, 2)))
    )
)


def _varied(x: np.ndarray) -> bool:
    return bool(np.all(np.ptp(x, axis=0) > 1e-6))


METHODS = {
    "entropy": lambda x: entropy_weights(x).weights,
    "entropy_minmax_shift": lambda x: entropy_weights(x, scaling="minmax", shift=1e-4).weights,
    "critic": lambda x: critic_weights(x).weights,
    "std": lambda x: std_weights(x).weights,
    "cv": lambda x: cv_weights(x).weights,
    "pca": lambda x: pca_weights(x).weights,
    "merec": lambda x: merec_weights(x).weights,
}


@pytest.mark.parametrize("method", sorted(METHODS))
@settings(max_examples=40, deadline=None)
@given(x=matrices)
def test_weights_non_negative_sum_to_one_and_follow_permutations(method: str, x: np.ndarray) -> None:
    assume(_varied(x))
    # CRITIC/PCA need non-degenerate correlations
    assume(np.all(np.std(x, axis=0) > 0.5))
    try:
        w = METHODS[method](x)
    except UserError:
        assume(False)
        raise
    assert np.all(w >= -1e-12)
    assert w.sum() == pytest.approx(1.0)
    perm = np.random.default_rng(x.shape[1]).permutation(x.shape[1])
    np.testing.assert_allclose(METHODS[method](x[:, perm]), w[perm], atol=1e-9)


def test_entropy_zero_convention_and_shift_hand_computed() -> None:
    x = np.array([[0.0, 1.0], [1.0, 1.0], [1.0, 2.0]])
    w = entropy_weights(x)
    # column 1: p = 0, 1/2, 1/2 -> e = -(0 + 2 * 0.5 ln 0.5)/ln 3 = ln 2 / ln 3 (0 ln 0 = 0)
    # column 2: p = 1/4, 1/4, 1/2 -> e = -(2 * 0.25 ln 0.25 + 0.5 ln 0.5)/ln 3 = 1.5 ln 2 / ln 3
    e = np.array([math.log(2) / math.log(3), 1.5 * math.log(2) / math.log(3)])
    np.testing.assert_allclose(w.details["entropy"], e)
    np.testing.assert_allclose(w.weights, (1 - e) / (1 - e).sum())
    # min-max with a +0.0001 shift: column 1 -> (0, 1, 1) + 1e-4, column 2 -> (0, 0, 1) + 1e-4
    shifted = entropy_weights(x, scaling="minmax", shift=1e-4)
    y = np.array([[1e-4, 1e-4], [1 + 1e-4, 1e-4], [1 + 1e-4, 1 + 1e-4]])
    p = y / y.sum(axis=0)
    e2 = -(p * np.log(p)).sum(axis=0) / math.log(3)
    np.testing.assert_allclose(shifted.weights, (1 - e2) / (1 - e2).sum())


def test_entropy_refuses_negative_raw_values_with_location() -> None:
    with pytest.raises(UserError) as info:
        entropy_weights([[1.0, -2.0], [3.0, 4.0]], criteria=["a", "b"])
    assert (info.value.problems[0].row, info.value.problems[0].column) == (1, "b")
    entropy_weights([[1.0, -2.0], [3.0, 4.0]], scaling="minmax", shift=1e-4)


def test_cost_direction_changes_critic_but_not_std() -> None:
    x = np.array([[1.0, 2.0, 9.0], [2.0, 1.0, 7.0], [3.0, 5.0, 4.0], [4.0, 3.0, 1.0]])
    assert not np.allclose(critic_weights(x, [1, 1, -1]).weights, critic_weights(x).weights)
    np.testing.assert_allclose(
        std_weights(x, [1, 1, -1], scaling="minmax").weights, std_weights(x, scaling="minmax").weights
    )


def test_pca_two_correlated_variables_get_equal_weights() -> None:
    # standardised 2-variable data: correlation matrix [[1, r], [r, 1]] has first eigenvector (1, 1)/sqrt 2
    x = np.array([[1.0, 2.0], [2.0, 2.5], [3.0, 5.0], [4.0, 4.0]])
    np.testing.assert_allclose(pca_weights(x).weights, [0.5, 0.5])


def test_equal_and_combinations_hand_computed() -> None:
    np.testing.assert_allclose(equal_weights(["a", "b", "c", "d"]).weights, [0.25] * 4)
    s, o = [0.5, 0.3, 0.2], [0.2, 0.2, 0.6]
    # multiplicative: 0.10, 0.06, 0.12 / 0.28
    np.testing.assert_allclose(combine_weights(s, o), [0.10 / 0.28, 0.06 / 0.28, 0.12 / 0.28])
    np.testing.assert_allclose(combine_weights(s, o, "linear", alpha=0.25), [0.275, 0.225, 0.5])


def test_missing_values_are_refused_with_location() -> None:
    with pytest.raises(UserError) as info:
        critic_weights([[1.0, 2.0], [np.nan, 3.0], [2.0, 1.0]], criteria=["x", "y"])
    assert (info.value.problems[0].row, info.value.problems[0].column) == (2, "x")


def test_rank_order_weights_hand_computed() -> None:
    # ROC n=3: (1 + 1/2 + 1/3)/3 = 11/18, (1/2 + 1/3)/3 = 5/18, (1/3)/3 = 2/18
    np.testing.assert_allclose(rank_order_weights([1, 2, 3]), [11 / 18, 5 / 18, 2 / 18])
    # rank-sum n=3: 3/6, 2/6, 1/6; rank-reciprocal: 1, 1/2, 1/3 over 11/6
    np.testing.assert_allclose(rank_order_weights([2, 1, 3], "rank_sum"), [2 / 6, 3 / 6, 1 / 6])
    np.testing.assert_allclose(rank_order_weights([1, 2, 3], "rank_reciprocal"), [6 / 11, 3 / 11, 2 / 11])
    # ties share the average of the positions they occupy
    np.testing.assert_allclose(rank_order_weights([1, 2, 2]), [11 / 18, 3.5 / 18, 3.5 / 18])
    np.testing.assert_allclose(rank_order_weights([1, 2, 2, 4]), rank_order_weights([1, 2, 2, 3]))


@settings(max_examples=40, deadline=None)
@given(
    st.lists(st.integers(1, 5), min_size=1, max_size=10),
    st.sampled_from(["roc", "rank_sum", "rank_reciprocal"]),
)
def test_rank_order_weights_sum_to_one_and_respect_order(ranks: list[int], method: str) -> None:
    w = rank_order_weights(ranks, method)  # type: ignore[arg-type]
    assert w.sum() == pytest.approx(1.0)
    r = np.array(ranks)
    for i in range(len(r)):
        for j in range(len(r)):
            if r[i] < r[j]:
                assert w[i] > w[j]
            elif r[i] == r[j]:
                assert w[i] == pytest.approx(w[j])


@settings(max_examples=30, deadline=None)
@given(matrices, st.sampled_from(["vector", "minmax"]))
def test_topsis_closeness_in_unit_interval_and_flipping_a_direction_changes_the_ideal(
    x: np.ndarray, normalisation: str
) -> None:
    assume(_varied(x))
    w = np.ones(x.shape[1])
    result = topsis(x, w, normalisation=normalisation)  # type: ignore[arg-type]
    assert np.all((result.closeness >= 0) & (result.closeness <= 1))
    d = -np.ones(x.shape[1])
    flipped = topsis(x, w, d, normalisation)  # type: ignore[arg-type]
    # with every criterion reversed, ideal and anti-ideal swap, so C -> 1 - C
    np.testing.assert_allclose(flipped.closeness, 1 - result.closeness, atol=1e-9)
