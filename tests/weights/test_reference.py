"""Published worked examples (tests/reference/weights.py), matched within the published rounding."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from mfgindex.core.weights.ahp import SAATY_RI, ahp, random_index
from mfgindex.core.weights.objective import (
    critic_weights,
    cv_weights,
    entropy_weights,
    merec_weights,
    std_weights,
)
from mfgindex.core.weights.topsis import topsis
from tests.reference import weights as ref


def close(actual: Any, expected: Any, decimals: int) -> None:
    np.testing.assert_allclose(
        np.asarray(actual, float), np.asarray(expected, float), rtol=0, atol=0.5 * 10.0**-decimals + 1e-12
    )


@pytest.mark.parametrize(
    "case",
    [
        pytest.param(ref.XU_2004_ENTROPY, id="Xu2004-EJOR-entropy"),
        pytest.param(ref.ZAVADSKAS_PODVEZKO_2016_ENTROPY, id="ZavadskasPodvezko2016-IJITDM-entropy"),
    ],
)
def test_entropy_published(case: dict[str, Any]) -> None:
    close(entropy_weights(case["x"]).weights, case["weights"], case["decimals"])


def test_ahp_Papathanasiou_Ploskas_2018() -> None:
    case = ref.PAPATHANASIOU_PLOSKAS_2018_AHP
    result = ahp(case["matrix"])
    close(result.weights, case["weights"], 4)
    close(result.lambda_max, case["lambda_max"], 4)
    close(result.cr, case["cr"], 3)
    assert result.consistent


def test_saaty_RI_table_Saaty1980() -> None:
    assert tuple(ref.SAATY_RI["ri"]) == SAATY_RI
    assert [random_index(n) for n in range(1, 16)] == ref.SAATY_RI["ri"]


@pytest.mark.parametrize(
    "case",
    [
        pytest.param(ref.TZENG_HUANG_2011_TOPSIS, id="TzengHuang2011-TOPSIS-vector"),
        pytest.param(ref.OPRICOVIC_TZENG_2004_TOPSIS, id="OpricovicTzeng2004-EJOR-TOPSIS-minmax"),
    ],
)
def test_topsis_published(case: dict[str, Any]) -> None:
    result = topsis(case["x"], case["weights"], case["directions"], case["normalisation"])
    close(result.closeness, case["closeness"], case["decimals"])


def test_critic_TusAdali2019_OPSEARCH() -> None:
    case = ref.TUS_ADALI_2019_CRITIC
    close(critic_weights(case["x"]).weights, case["weights"], case["decimals"])


def test_merec_KeshavarzGhorabaee2021_Symmetry() -> None:
    case = ref.KESHAVARZ_2021_MEREC
    close(merec_weights(case["x"], case["directions"]).weights, case["weights"], case["decimals"])


def test_cv_Shuai2012_CCDC() -> None:
    case = ref.SHUAI_2012_CV
    close(cv_weights(case["x"]).weights, case["weights"], case["decimals"])


def test_std_Salabun2020_Symmetry() -> None:
    case = ref.SALABUN_2020_STD
    close(std_weights(case["x"]).weights, case["weights"], case["decimals"])
