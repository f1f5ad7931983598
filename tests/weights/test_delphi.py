from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from mfgindex.core.errors import UserError
from mfgindex.core.weights.delphi import authority, delphi_round, kendall_w


def test_kendall_w_hand_computed_with_ties() -> None:
    scores = [[5, 4, 4, 3], [5, 5, 4, 2], [4, 5, 3, 3]]
    # Hand calculation (m = 3 experts, n = 4 items), ranks ascending, ties averaged:
    #   expert 1: 5,4,4,3 -> 4, 2.5, 2.5, 1   tie group t=2 -> T1 = 2^3 - 2 = 6
    #   expert 2: 5,5,4,2 -> 3.5, 3.5, 2, 1   T2 = 6
    #   expert 3: 4,5,3,3 -> 3, 4, 1.5, 1.5   T3 = 6
    #   R = 10.5, 10, 6, 3.5; mean R = m(n+1)/2 = 7.5; S = 3^2 + 2.5^2 + 1.5^2 + 4^2 = 33.5
    #   W = 12 S / (m^2 (n^3 - n) - m ΣT) = 402 / (9*60 - 3*18) = 402 / 486
    #   χ² = m (n-1) W = 9 * 402/486; df = 3
    result = kendall_w(scores)
    assert result.s == 33.5
    assert result.ties == 18
    assert result.w == pytest.approx(402 / 486)
    chi2 = 9 * 402 / 486
    assert result.chi2 == pytest.approx(chi2)
    assert result.df == 3
    # χ² survival function for 3 df in closed form: erfc(sqrt(x/2)) + sqrt(2x/π) e^{-x/2}
    p = math.erfc(math.sqrt(chi2 / 2)) + math.sqrt(2 * chi2 / math.pi) * math.exp(-chi2 / 2)
    assert result.p_value == pytest.approx(p)


def test_kendall_w_perfect_agreement_is_one() -> None:
    scores = [[5, 3, 1, 4, 2]] * 4
    assert kendall_w(scores).w == pytest.approx(1.0)


def test_kendall_w_complete_disagreement_is_zero() -> None:
    # two experts with exactly opposite rankings: rank sums are all equal, S = 0
    assert kendall_w([[1, 2, 3], [3, 2, 1]]).w == pytest.approx(0.0)


def test_round_statistics_hand_computed() -> None:
    scores = pd.DataFrame({"a": [5, 5, 4, 4], "b": [3, 1, 2, 2]}, index=["e1", "e2", "e3", "e4"])
    r = delphi_round(scores, ca=[0.9, 0.8, 0.6, 0.5], cs=[0.9, 0.6, 0.6, 0.7])
    # a: mean 4.5, sd (ddof 1) = sqrt(4*0.25/3) = sqrt(1/3); b: mean 2, sd = sqrt(2/3)
    np.testing.assert_allclose(r.mean, [4.5, 2.0])
    np.testing.assert_allclose(r.sd, [math.sqrt(1 / 3), math.sqrt(2 / 3)])
    np.testing.assert_allclose(r.cv, [math.sqrt(1 / 3) / 4.5, math.sqrt(2 / 3) / 2])
    assert r.cv_flag.tolist() == [False, True]  # 0.128 < 0.25 <= 0.408
    np.testing.assert_allclose(r.full_score_frequency, [0.5, 0.0])
    np.testing.assert_allclose(r.weights, [4.5 / 6.5, 2 / 6.5])
    np.testing.assert_allclose(r.authority, [0.9, 0.7, 0.6, 0.6])
    assert r.authority_accepted.tolist() == [True, True, False, False]


def test_authority_weighted_means() -> None:
    scores = [[5, 1], [1, 5]]
    r = delphi_round(scores, ca=[1.0, 0.2], cs=[1.0, 0.2], authority_weighted=True)
    # Cr = 1.0 and 0.2 -> item 1: (5*1 + 1*0.2)/1.2 = 5.2/1.2; item 2: (1 + 5*0.2)/1.2 = 2/1.2
    np.testing.assert_allclose(r.weights, [5.2 / 7.2, 2 / 7.2])
    assert authority([0.8], [0.6])[0] == pytest.approx(0.7)


def test_allocation_scale_checks_row_totals() -> None:
    r = delphi_round([[50, 30, 20], [40, 40, 20]], scale="allocation")
    np.testing.assert_allclose(r.weights, [0.45, 0.35, 0.2])
    assert np.isnan(r.full_score_frequency).all()
    with pytest.raises(UserError) as info:
        delphi_round([[50, 30, 20], [40, 40, 30]], scale="allocation")
    assert info.value.problems[0].row == 2


def test_missing_score_is_located() -> None:
    with pytest.raises(UserError) as info:
        delphi_round(pd.DataFrame({"a": [1.0, np.nan], "b": [2.0, 3.0]}))
    assert (info.value.problems[0].row, info.value.problems[0].column) == (2, "a")
