from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mfgindex.core.errors import UserError
from mfgindex.core.weights.ahp import (
    ahp,
    combine_judgements,
    consistent_matrix,
    global_weights,
    random_index,
)

positive_vectors = st.lists(st.floats(0.05, 20.0), min_size=3, max_size=12).map(np.array)


@settings(max_examples=60, deadline=None)
@given(positive_vectors)
def test_consistent_matrix_returns_its_weight_vector_with_cr_zero(w: np.ndarray) -> None:
    result = ahp(consistent_matrix(w))
    np.testing.assert_allclose(result.weights, w / w.sum(), rtol=1e-8, atol=1e-10)
    assert result.lambda_max == pytest.approx(len(w), abs=1e-8)
    assert result.cr == pytest.approx(0.0, abs=1e-8)
    assert result.consistent


@settings(max_examples=40, deadline=None)
@given(positive_vectors, st.randoms(use_true_random=False))
def test_permuting_criteria_permutes_ahp_weights(w: np.ndarray, rnd: object) -> None:
    a = consistent_matrix(w)
    a[0, -1] *= 2.0  # make it inconsistent so the test is not trivial
    a[-1, 0] = 1.0 / a[0, -1]
    perm = np.random.default_rng(len(w)).permutation(len(w))
    base, permuted = ahp(a), ahp(a[np.ix_(perm, perm)])
    np.testing.assert_allclose(permuted.weights, base.weights[perm], rtol=1e-9)
    assert permuted.cr == pytest.approx(base.cr)


def test_inconsistent_matrix_is_reported_with_its_cr_not_hidden() -> None:
    # a > b (9), b > c (9) but c > a (9): a cyclic, grossly inconsistent judgement.
    a = np.array([[1, 9, 1 / 9], [1 / 9, 1, 9], [9, 1 / 9, 1]])
    result = ahp(a)
    assert not result.consistent
    assert result.cr > 0.10
    # hand check: for this circulant matrix λmax = 1 + 9 + 1/9 (row sum) → CI = (λ−3)/2
    lam = 1 + 9 + 1 / 9
    assert result.lambda_max == pytest.approx(lam)
    assert result.cr == pytest.approx((lam - 3) / 2 / 0.58)


def test_two_by_two_is_consistent_with_ri_zero() -> None:
    result = ahp([[1, 3], [1 / 3, 1]], ["x", "y"])
    assert result.weight_map() == pytest.approx({"x": 0.75, "y": 0.25})
    assert (result.ci, result.ri, result.cr, result.consistent) == (0.0, 0.0, 0.0, True)


@pytest.mark.parametrize(
    ("matrix", "fragment", "row", "column"),
    [
        ([[1, 2, 3], [0.5, 1, 2]], "not square", None, ""),
        ([[1, 0], [0, 1]], "positive", 1, "b"),
        ([[1, -2], [-0.5, 1]], "positive", 1, "b"),
        ([[1, 3], [0.5, 1]], "reciprocal", 2, "a"),
    ],
)
def test_bad_matrices_raise_user_error_naming_the_cell(
    matrix: list[list[float]], fragment: str, row: int | None, column: str
) -> None:
    with pytest.raises(UserError) as info:
        ahp(matrix, ["a", "b"] if len(matrix) == 2 and len(matrix[0]) == 2 else None)
    first = info.value.problems[0]
    assert fragment in first.message
    assert first.row == row
    assert first.column == column


def test_reciprocal_within_one_percent_is_accepted() -> None:
    ahp([[1, 3, 0.5], [0.333, 1, 0.2], [2, 5, 1]])  # 3 * 0.333 = 0.999
    with pytest.raises(UserError):
        ahp([[1, 3, 0.5], [0.32, 1, 0.2], [2, 5, 1]])  # 3 * 0.32 = 0.96


def test_ri_tables() -> None:
    assert random_index(4) == 0.90
    # the Tummala & Ling table was dropped (its values could not be verified against the source)
    with pytest.raises(ValueError, match="unknown RI table"):
        random_index(4, "tummala_ling")  # type: ignore[arg-type]
    with pytest.raises(UserError):
        random_index(16)


def test_geometric_mean_of_experts_hand_computed() -> None:
    e1 = [[1, 2], [1 / 2, 1]]
    e2 = [[1, 8], [1 / 8, 1]]
    combined = combine_judgements([e1, e2])
    # sqrt(2 * 8) = 4, and the result stays reciprocal
    np.testing.assert_allclose(combined, [[1, 4], [0.25, 1]])
    # weighted: 2^(3/4) * 8^(1/4) = 2^(3/4 + 3/4) = 2^1.5
    weighted = combine_judgements([e1, e2], expert_weights=[3, 1])
    assert weighted[0, 1] == pytest.approx(2**1.5)
    assert weighted[1, 0] == pytest.approx(2**-1.5)


def test_global_weights_are_products_of_local_weights() -> None:
    tree = {"index": {"A": 0.6, "B": 0.4}, "A": {"a1": 0.5, "a2": 0.5}, "B": {"b1": 0.25, "b2": 0.75}}
    assert global_weights(tree, "index") == pytest.approx({"a1": 0.3, "a2": 0.3, "b1": 0.1, "b2": 0.3})
    with pytest.raises(UserError, match="sum to 1"):
        global_weights({"index": {"A": 0.6, "B": 0.3}}, "index")
    with pytest.raises(UserError, match="cycle"):
        global_weights({"index": {"A": 1.0}, "A": {"index": 1.0}}, "index")
